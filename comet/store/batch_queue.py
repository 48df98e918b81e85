"""A batch kept in the store before it runs, so it outlives the process that started it.

Tables (one migration on each backend, referenced from its ``MIGRATIONS`` list):

- ``batch_queue``: one row a batch: its suite (self-contained: dataset rows inlined), who
  submitted it, and ``state``: ``open`` (its items may be claimed), ``stopped`` (Stop), or
  ``capped``: the spend recorded for it (``spent_usd``: each finished item's cost, its judges'
  included, added as the item's result is written) reached its cap (``max_cost_usd``, NULL for
  none). The result that reaches the cap turns the batch to ``capped`` in the same transaction, so
  no worker anywhere claims its items after; a resume with a higher cap opens it again.
- ``batch_items``: one row per case x target x repeat, keyed by exactly those (the primary key),
  with its ``state`` (pending, running, done, error, cancelled), ``attempts`` (claims so far),
  its lease (``lease_owner``, ``lease_until``), its ``round_no`` (raised by a retry of an
  errored item) and, when finished, its run (``run_id``) and ``result_json`` (the result as the
  ``--format json`` document has it, verdicts included).
- ``batch_holds``: a rate-limit hold per API key, keyed by a hash of the key (never the key).
- ``batch_best``: who judges a select-best case, and whether it is judged (:mod:`comet.store.batch_best`).

Exactly one result an item: the run a worker records for an item carries the uid
:meth:`Item.uid` (batch, case, target, repeat, round), and ``runs.uid`` is unique, so however many
workers raced for the item (a lease that expired under a slow worker), one run is kept; the
item's result is written only when that run is in the store, and only over a row not finished
yet. A worker killed between the two leaves a run and a running item: whoever claims the item
next finds the run by its uid and finishes the item from it without sending again.

The cost cap costs a claim nothing: a claim takes items of ``open`` batches only, as it always
did. What it cannot stop is what is already in flight: those items finish and count, so a batch
may spend past its cap by at most what its items in flight cost.

Claims: PostgreSQL takes rows with ``FOR UPDATE SKIP LOCKED`` (many workers, many machines, no
two on one row) and wakes idle workers with ``NOTIFY`` on a channel of the schema's own; SQLite
(one machine) claims inside ``BEGIN IMMEDIATE``, and idle workers poll. A lease is renewed while
its request runs; an expired one returns its item to the queue, and so does the lease of a
process on this machine that is gone (its pid is part of the owner), at once.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

LEASE_ENV = "COMET_BATCH_LEASE_S"
DEFAULT_LEASE_S = 30.0
STATES = ("pending", "running", "done", "error", "cancelled")
FINISHED = ("done", "error")
JUDGED = 1e300  # a select-best claim's ``until`` once its case is judged (comet.store.batch_best)

_TABLES = """
CREATE TABLE IF NOT EXISTS batch_queue (
    id TEXT PRIMARY KEY, created_at {real} NOT NULL, created_by TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL, suite_json TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',          -- open | stopped
    total INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS batch_items (
    batch_id TEXT NOT NULL REFERENCES batch_queue(id) ON DELETE CASCADE,
    case_no INTEGER NOT NULL, target INTEGER NOT NULL, rep INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',       -- pending | running | done | error | cancelled
    attempts INTEGER NOT NULL DEFAULT 0, round_no INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT, lease_until {real}, run_id BIGINT, result_json TEXT, updated_at {real},
    PRIMARY KEY (batch_id, case_no, target, rep));
CREATE INDEX IF NOT EXISTS batch_items_todo ON batch_items(state, batch_id) WHERE state IN ('pending', 'running');
CREATE TABLE IF NOT EXISTS batch_holds (key_hash TEXT PRIMARY KEY, until {real} NOT NULL);
"""
SQLITE_SQL = _TABLES.format(real="REAL")
POSTGRES_SQL = _TABLES.format(real="DOUBLE PRECISION")


def migrate_sqlite(db: Any) -> None:
    """The SQLite migration (``comet.store.sqlite.MIGRATIONS``), a statement at a time (inside
    the migration's transaction, which ``executescript`` would commit)."""
    for statement in SQLITE_SQL.split(";"):
        if statement.strip():
            db.execute(statement)


_CAP_COLUMNS = (("max_cost_usd", "{real}"), ("spent_usd", "{real} NOT NULL DEFAULT 0"))


def migrate_cap_sqlite(db: Any) -> None:
    """The cost cap's columns on SQLite (a step of ``comet.store.sqlite.MIGRATIONS``); a column
    already there is left alone, so the step can run again."""
    have = {r[1] for r in db.execute("PRAGMA table_info(batch_queue)")}
    for column, kind in _CAP_COLUMNS:
        if column not in have:
            db.execute(f"ALTER TABLE batch_queue ADD COLUMN {column} {kind.format(real='REAL')}")
    _count_spent(db.execute)


def migrate_cap_postgres(conn: Any) -> None:
    """The cost cap's columns on PostgreSQL (a step of ``comet.store.postgres.MIGRATIONS``)."""
    for column, kind in _CAP_COLUMNS:
        conn.execute(f"ALTER TABLE batch_queue ADD COLUMN IF NOT EXISTS {column} "
                     f"{kind.format(real='DOUBLE PRECISION')}")
    _count_spent(lambda sql, params=(): conn.execute(sql.replace("?", "%s"), params))


def _count_spent(execute: Callable[..., Any]) -> None:
    """The spend of the batches stored before the cap's columns, from their finished items."""
    spent: dict[str, float] = {}
    for batch_id, text in execute("SELECT batch_id, result_json FROM batch_items WHERE result_json IS NOT NULL "
                                  "AND batch_id IN (SELECT id FROM batch_queue WHERE spent_usd = 0)").fetchall():
        spent[batch_id] = spent.get(batch_id, 0.0) + cost_of(json.loads(text))
    for batch_id, usd in spent.items():
        if usd:
            execute("UPDATE batch_queue SET spent_usd = ? WHERE id = ?", (usd, batch_id))


def cost_of(result: dict[str, Any]) -> float:
    """What a finished item spent: its run's cost and its own judges' (what ``--max-cost-usd``
    counts). A select-best judge is one for its whole case: the batch counts it once, apart
    (``comet.store.batch_best.judged``, or a recording's first result of the case)."""
    best = 0.0
    for said in result.get("assertions") or ():
        judge = said.get("judge") if isinstance(said, dict) and said.get("type") == "select-best" else None
        if isinstance(judge, dict):
            best += _usd(judge.get("cost_usd"))
    return _usd(result.get("cost_usd")) + max(0.0, _usd(result.get("judge_cost_usd")) - best)


def _usd(value: Any) -> float:
    return value if isinstance(value, (int, float)) and math.isfinite(value) and value > 0 else 0.0


def lease_s() -> float:
    try:
        return max(0.2, float(os.environ.get(LEASE_ENV, DEFAULT_LEASE_S)))
    except ValueError:
        return DEFAULT_LEASE_S


def new_owner() -> str:
    """A lease owner: this machine, this process and a token of this worker's own."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _gone_here(owner: str) -> bool:
    """The owner is a process on this machine that no longer runs."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # killed but not yet reaped by its parent: a zombie holds its pid
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@dataclass(frozen=True)
class Item:
    batch_id: str
    case_no: int
    target: int
    rep: int
    round_no: int = 0
    attempts: int = 0

    @property
    def key(self) -> tuple[str, int, int, int]:
        return self.batch_id, self.case_no, self.target, self.rep

    @property
    def uid(self) -> str:
        """The uid of this item's run (``runs.uid`` is unique: one run an item and round)."""
        return f"{self.batch_id}/{self.case_no}/{self.target}/{self.rep}/{self.round_no}"


_ITEM = "batch_id = ? AND case_no = ? AND target = ? AND rep = ?"
_BATCH = "id, name, created_at, created_by, state, total, max_cost_usd, spent_usd"
_AT_CAP = "max_cost_usd IS NOT NULL AND spent_usd + ? >= max_cost_usd"  # ?: what the update adds
_OPEN = ("FROM batch_items i JOIN batch_queue b ON b.id = i.batch_id WHERE b.state = 'open' "
         "AND (i.state = 'pending' OR (i.state = 'running' AND i.lease_until < ?))")


class Queue:
    """The batch tables of ``store`` (a :class:`~comet.store.sqlite.SQLiteStore` or
    :class:`~comet.store.postgres.PostgresStore`, or a wrapper of one)."""

    def __init__(self, store: Any):
        while hasattr(store, "store"):  # Owned, Keeper: the backend underneath
            store = store.store
        self.store = store
        self.postgres = hasattr(store, "url")
        self._channel: str | None = None

    def _tx(self, write: bool = False) -> Any:
        return self.store._tx(write)

    def _run(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.store._run(conn, sql, params)

    # -- a batch --
    def submit(self, batch_id: str, suite: dict[str, Any], items: Iterable[tuple[int, int, int]], *,
               created_by: str = "", owner: str | None = None, max_cost_usd: float | None = None) -> int:
        """Store a batch and its items; with ``owner`` the items start leased to it (a process
        that runs them itself), else pending for any worker; ``max_cost_usd`` is its cost cap.
        Returns the number of items."""
        rows = list(items)
        now = time.time()
        state, until = ("running", now + lease_s()) if owner else ("pending", None)
        with self._tx(write=True) as conn:
            self._run(conn, "INSERT INTO batch_queue (id, created_at, created_by, name, suite_json, total, "
                            "max_cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (batch_id, now, created_by or "", str(suite.get("name") or "suite"),
                       json.dumps(suite, ensure_ascii=False), len(rows), max_cost_usd))
            _many(self, conn, "INSERT INTO batch_items (batch_id, case_no, target, rep, state, attempts, "
                              "lease_owner, lease_until, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  [(batch_id, c, t, r, state, 1 if owner else 0, owner, until, now) for c, t, r in rows])
            self._notify(conn, batch_id)
        return len(rows)

    def suite(self, batch_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT suite_json FROM batch_queue WHERE id = ?", (batch_id,))
        return None if row is None else json.loads(row["suite_json"])

    def info(self, batch_id: str) -> dict[str, Any] | None:
        """The batch's row and its items counted by state, with ``progress`` and a ``state`` a
        person reads: running (something left to do), done (every item finished) or stopped; and
        ``spent_usd``, ``max_cost_usd`` and, when its cost cap stopped it, ``capped`` and ``reason``."""
        row = self._one(f"SELECT {_BATCH} FROM batch_queue WHERE id = ?", (batch_id,))
        if row is None:
            return None
        with self._tx() as conn:
            counts = {r["state"]: r["n"] for r in self._run(
                conn, "SELECT state, count(*) AS n FROM batch_items WHERE batch_id = ? GROUP BY state", (batch_id,))}
        return _described(dict(row), counts)

    def listing(self, limit: int = 20) -> list[dict[str, Any]]:
        """The newest stored batches, each as :meth:`info` describes it."""
        with self._tx() as conn:
            rows = [dict(r) for r in self._run(
                conn, f"SELECT {_BATCH} FROM batch_queue ORDER BY created_at DESC LIMIT ?", (limit,))]
            counts: dict[str, dict[str, int]] = {}
            if rows:
                marks = ",".join("?" * len(rows))
                for r in self._run(conn, f"SELECT batch_id, state, count(*) AS n FROM batch_items WHERE batch_id "
                                         f"IN ({marks}) GROUP BY batch_id, state", [r["id"] for r in rows]):
                    counts.setdefault(r["batch_id"], {})[r["state"]] = r["n"]
        return [_described(r, counts.get(r["id"], {})) for r in rows]

    def results(self, batch_id: str) -> list[dict[str, Any]]:
        """Every finished item's result (as stored: ``Result.to_dict`` plus ``run``), in case,
        target and repeat order."""
        with self._tx() as conn:
            rows = self._run(conn, "SELECT result_json FROM batch_items WHERE batch_id = ? AND result_json IS NOT "
                                   "NULL ORDER BY case_no, target, rep", (batch_id,)).fetchall()
        return [json.loads(r["result_json"]) for r in rows]

    def stop(self, batch_id: str) -> int:
        """No new item starts; what has not started is cancelled (what runs finishes and is kept).
        Returns how many were cancelled."""
        with self._tx(write=True) as conn:
            self._run(conn, "UPDATE batch_queue SET state = 'stopped' WHERE id = ?", (batch_id,))
            return self._run(conn, "UPDATE batch_items SET state = 'cancelled', updated_at = ? WHERE batch_id = ? "
                                   "AND state = 'pending'", (time.time(), batch_id)).rowcount

    def stopped(self, batch_id: str) -> bool:
        row = self._one("SELECT state FROM batch_queue WHERE id = ?", (batch_id,))
        return row is not None and row["state"] == "stopped"

    def resume(self, batch_id: str, *, retry_errors: bool = False, max_cost_usd: float | None = None) -> int:
        """Open the batch again: cancelled items return to the queue, and with ``retry_errors``
        the errored ones too (a new round: their earlier run stays in History). ``max_cost_usd``
        is its new cost cap (None: the stored one stays); a batch whose spend is at its cap stays
        ``capped``, and nothing of it runs. Returns how many items went back."""
        now = time.time()
        with self._tx(write=True) as conn:
            if max_cost_usd is not None:
                self._run(conn, "UPDATE batch_queue SET max_cost_usd = ? WHERE id = ?", (max_cost_usd, batch_id))
            self._run(conn, f"UPDATE batch_queue SET state = CASE WHEN {_AT_CAP} THEN 'capped' ELSE 'open' END "
                            f"WHERE id = ?", (0.0, batch_id))
            back = self._run(conn, "UPDATE batch_items SET state = 'pending', updated_at = ? WHERE batch_id = ? "
                                   "AND state = 'cancelled'", (now, batch_id)).rowcount
            if retry_errors:
                # a select-best case whose errored items run again is judged anew (comet.store.batch_best)
                self._run(conn, "DELETE FROM batch_best WHERE batch_id = ? AND until >= ?", (batch_id, JUDGED))
                back += self._run(conn, "UPDATE batch_items SET state = 'pending', round_no = round_no + 1, "
                                        "run_id = NULL, result_json = NULL, updated_at = ? WHERE batch_id = ? "
                                        "AND state = 'error'", (now, batch_id)).rowcount
            self._notify(conn, batch_id)
        return back

    # -- workers --
    def claim(self, owner: str, n: int = 1, *, batch_id: str | None = None, lease: float | None = None) -> list[Item]:
        """Up to ``n`` items to run, leased to ``owner``: pending ones, and running ones whose
        lease expired; the oldest batch first."""
        now = time.time()
        scope, params = ("AND i.batch_id = ? ", [batch_id]) if batch_id else ("", [])
        lock = " FOR UPDATE OF i SKIP LOCKED" if self.postgres else ""
        sql = (f"UPDATE batch_items SET state = 'running', attempts = attempts + 1, lease_owner = ?, "
               f"lease_until = ?, updated_at = ? WHERE (batch_id, case_no, target, rep) IN ("
               f"SELECT i.batch_id, i.case_no, i.target, i.rep {_OPEN} {scope}"
               f"ORDER BY b.created_at, i.batch_id, i.case_no, i.target, i.rep LIMIT ?{lock}) "
               f"RETURNING batch_id, case_no, target, rep, round_no, attempts")
        with self._tx(write=True) as conn:
            rows = self._run(conn, sql, [owner, now + (lease or lease_s()), now, now, *params, n]).fetchall()
        found = [Item(r["batch_id"], r["case_no"], r["target"], r["rep"], r["round_no"], r["attempts"]) for r in rows]
        return sorted(found, key=lambda i: i.key)

    def renew(self, owner: str, lease: float | None = None) -> int:
        """Push out the lease of every item ``owner`` is running."""
        with self._tx(write=True) as conn:
            return self._run(conn, "UPDATE batch_items SET lease_until = ? WHERE state = 'running' AND lease_owner = ?",
                             (time.time() + (lease or lease_s()), owner)).rowcount

    def release(self, owner: str, items: Iterable[Item] | None = None) -> int:
        """Give back items ``owner`` will not finish (all of its items without ``items``): pending
        again, or cancelled when their batch was stopped."""
        back = (f"UPDATE batch_items SET state = CASE WHEN (SELECT state FROM batch_queue WHERE id = "
                f"batch_items.batch_id) = 'stopped' THEN 'cancelled' ELSE 'pending' END, lease_owner = NULL, "
                f"lease_until = NULL WHERE state = 'running' AND lease_owner = ?")
        with self._tx(write=True) as conn:
            if items is None:
                done = self._run(conn, back, (owner,)).rowcount
            else:
                done = sum(self._run(conn, f"{back} AND {_ITEM}", (owner, *i.key)).rowcount for i in items)
            self._notify(conn, "")
        return done

    def reclaim_gone(self) -> int:
        """Expire at once the leases of processes on this machine that are gone (killed)."""
        with self._tx() as conn:
            owners = [r["lease_owner"] for r in self._run(
                conn, "SELECT DISTINCT lease_owner FROM batch_items WHERE state = 'running' AND lease_owner LIKE ?",
                (socket.gethostname() + ":%",))]
        gone = [o for o in owners if o and _gone_here(o)]
        if gone:
            with self._tx(write=True) as conn:
                for owner in gone:
                    self._run(conn, "UPDATE batch_items SET lease_until = 0 WHERE state = 'running' AND "
                                    "lease_owner = ?", (owner,))
        return len(gone)

    def run_id(self, uid: str) -> int | None:
        """The stored run with this uid (an item's run a killed worker recorded), or None."""
        row = self._one("SELECT id FROM runs WHERE uid = ?", (uid,))
        return None if row is None else int(row["id"])

    def finish(self, item: Item, result: dict[str, Any], *, error: bool) -> bool:
        """Keep ``result`` as the item's (done, or error), once its run (``item.uid``) is in the
        store and only over an unfinished row of the same round: False when another worker
        finished it first or the run is missing."""
        return self.finish_many([(item, result, error)]) == 1

    def finish_many(self, finished: Sequence[tuple[Item, dict[str, Any], bool]],
                    spend: Callable[[int], float] | None = None) -> int:
        """:meth:`finish` for each; an item written adds its cost to its batch's spend (its
        result's :func:`cost_of`, or ``spend(i)`` for the i-th, asked only once it is written),
        and the batch turns ``capped`` when that reaches its cap (one transaction)."""
        now, written = time.time(), 0
        with self._tx(write=True) as conn:
            for i, (item, result, error) in enumerate(finished):
                if self._run(conn, f"UPDATE batch_items SET state = ?, run_id = (SELECT id FROM runs WHERE uid = ?), "
                                   f"result_json = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE "
                                   f"{_ITEM} AND round_no = ? AND state NOT IN ('done', 'error') AND EXISTS "
                                   f"(SELECT 1 FROM runs WHERE uid = ?)",
                             (("error" if error else "done"), item.uid, json.dumps(result, ensure_ascii=False), now,
                              *item.key, item.round_no, item.uid)).rowcount:
                    written += 1
                    self._spend(conn, item.batch_id, cost_of(result) if spend is None else spend(i))
        return written

    def _spend(self, conn: Any, batch_id: str, usd: float) -> None:
        if usd > 0:
            self._run(conn, f"UPDATE batch_queue SET spent_usd = spent_usd + ?, state = CASE WHEN state = 'open' "
                            f"AND {_AT_CAP} THEN 'capped' ELSE state END WHERE id = ?", (usd, usd, batch_id))

    def idle(self, batch_id: str | None = None) -> bool:
        """Nothing left to do in the open batches (or in ``batch_id``): no item pending or running."""
        scope, params = ("AND b.id = ?", [batch_id]) if batch_id else ("", [])
        row = self._one(f"SELECT count(*) AS n FROM batch_items i JOIN batch_queue b ON b.id = i.batch_id WHERE "
                        f"b.state = 'open' AND i.state IN ('pending', 'running') {scope}", params)
        return not row["n"]

    # -- the shared rate-limit hold --
    def hold(self, key_hash: str, until: float) -> None:
        """Every worker on this key waits until ``until`` (Unix seconds); a later hold wins."""
        with self._tx(write=True) as conn:
            self._run(conn, "INSERT INTO batch_holds (key_hash, until) VALUES (?, ?) ON CONFLICT (key_hash) DO UPDATE "
                            "SET until = CASE WHEN excluded.until > batch_holds.until THEN excluded.until ELSE "
                            "batch_holds.until END", (key_hash, until))

    def held_until(self, key_hash: str) -> float:
        row = self._one("SELECT until FROM batch_holds WHERE key_hash = ?", (key_hash,))
        return 0.0 if row is None else float(row["until"])

    # -- waking idle workers (PostgreSQL) --
    @property
    def channel(self) -> str:
        """A NOTIFY channel of this schema's own (channels are per database)."""
        if self._channel is None:
            row = self._one("SELECT current_schema() AS s") if self.postgres else None
            self._channel = f"comet_batch_{row['s'] if row else 'main'}"[:63]
        return self._channel

    def _notify(self, conn: Any, batch_id: str) -> None:
        if self.postgres:
            self._run(conn, "SELECT pg_notify(?, ?)", (self.channel, batch_id))

    def listener(self) -> Any:
        """A connection that hears this queue's NOTIFYs (PostgreSQL), else None: see :func:`wait`."""
        if not self.postgres:
            return None
        import psycopg
        from psycopg import sql

        conn = psycopg.connect(self.store.url, autocommit=True, connect_timeout=10)
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        return conn

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._tx() as conn:
            return self._run(conn, sql, params).fetchone()


def wait(listener: Any, timeout: float) -> None:
    """Sleep up to ``timeout`` seconds, less when the queue NOTIFYs new work."""
    if listener is None:
        time.sleep(timeout)
        return
    for _ in listener.notifies(timeout=timeout, stop_after=1):
        break


def _many(queue: Queue, conn: Any, sql: str, rows: list[tuple]) -> None:
    if queue.postgres:
        with conn.cursor() as cur:
            cur.executemany(sql.replace("?", "%s"), rows)
    else:
        conn.executemany(sql, rows)


def _described(row: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    from comet.runs.batch.spend import stopped

    progress = {s: counts.get(s, 0) for s in STATES}
    finished = progress["done"] + progress["error"]
    capped = row["state"] == "capped" and finished < row["total"]
    if finished == row["total"]:
        state = "done"
    elif row["state"] in ("stopped", "capped") or progress["cancelled"]:
        state = "stopped"
    else:
        state = "running"
    described = {**row, "state": state, "progress": {"total": row["total"], "finished": finished, **progress}}
    if capped:
        described.update(capped=True, reason=stopped(row["spent_usd"], row["max_cost_usd"], finished, row["total"]))
    return described
