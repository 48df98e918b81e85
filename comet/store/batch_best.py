"""``select-best`` in a stored batch: who judges a case, once.

Workers take a stored batch's items one by one, so a case's select-best verdicts wait (in each
item's ``result_json``) until every target of the case (and repeat) is finished. The worker that
finishes the case's last item judges it; two workers finishing its last two items at once both
see the case complete (each looks after its own write is committed), so the judging is claimed
first, in table ``batch_best`` (one row a case and repeat): an insert, or a take-over of a row
whose claim has lapsed, that only one of them wins (``INSERT ... ON CONFLICT DO UPDATE ... WHERE``,
atomic on SQLite and on PostgreSQL under READ COMMITTED). The verdicts are written in one
transaction with the judge's cost added to the batch's spend, and the row marked judged.

A worker killed between the case's last item and its verdicts leaves the claim to lapse (its
lease, or at once when its process on this machine is gone): a worker's idle pass, and so
``--resume``, judge the cases whose items are all finished and whose verdicts still wait.
"""

from __future__ import annotations

import json
import time
from typing import Any, Sequence

from .batch_queue import FINISHED, JUDGED, Queue, _gone_here, lease_s

_CASE = "batch_id = ? AND case_no = ? AND rep = ?"
_TABLE = "CREATE TABLE IF NOT EXISTS batch_best (batch_id TEXT NOT NULL REFERENCES batch_queue(id) ON DELETE " \
         "CASCADE, case_no INTEGER NOT NULL, rep INTEGER NOT NULL, owner TEXT NOT NULL, until {real} NOT NULL, " \
         "PRIMARY KEY (batch_id, case_no, rep))"
POSTGRES_SQL = _TABLE.format(real="DOUBLE PRECISION")


def migrate_sqlite(db: Any) -> None:
    """The claims' table on SQLite (a step of ``comet.store.sqlite.MIGRATIONS``; it can run again)."""
    db.execute(_TABLE.format(real="REAL") + " WITHOUT ROWID")  # keyed by its primary key: one b-tree, not two


def case_results(queue: Queue, batch_id: str, case_no: int, rep: int) -> list[dict[str, Any]] | None:
    """The stored results of one case and repeat, by target, when every item of it is finished;
    else None."""
    with queue._tx() as conn:
        rows = queue._run(conn, f"SELECT state, result_json FROM batch_items WHERE {_CASE} ORDER BY target",
                          (batch_id, case_no, rep)).fetchall()
    if not rows or any(r["state"] not in FINISHED or r["result_json"] is None for r in rows):
        return None
    return [json.loads(r["result_json"]) for r in rows]


def claim(queue: Queue, owner: str, batch_id: str, case_no: int, rep: int) -> bool:
    """Take the judging of the case: True for exactly one of any number of workers asking at
    once (and again only once its claim lapsed unjudged)."""
    now = time.time()
    with queue._tx(write=True) as conn:
        return queue._run(conn, "INSERT INTO batch_best (batch_id, case_no, rep, owner, until) VALUES (?, ?, ?, ?, ?) "
                                "ON CONFLICT (batch_id, case_no, rep) DO UPDATE SET owner = excluded.owner, "
                                "until = excluded.until WHERE batch_best.until < ?",
                          (batch_id, case_no, rep, owner, now + lease_s(), now)).rowcount == 1


def judged(queue: Queue, batch_id: str, case_no: int, rep: int,
           results: Sequence[tuple[int, dict[str, Any], bool]], usd: float) -> None:
    """Keep the case's judged results ((target, result, errored) each), add the judge's cost
    (``usd``, once for the case) to the batch's spend, and mark the case judged: one transaction."""
    now = time.time()
    with queue._tx(write=True) as conn:
        for target, result, error in results:
            queue._run(conn, f"UPDATE batch_items SET state = ?, result_json = ?, updated_at = ? WHERE {_CASE} AND "
                             f"target = ? AND state IN ('done', 'error')",
                       ("error" if error else "done", json.dumps(result, ensure_ascii=False), now, batch_id, case_no,
                        rep, target))
        queue._spend(conn, batch_id, usd)
        queue._run(conn, f"UPDATE batch_best SET until = ? WHERE {_CASE}", (JUDGED, batch_id, case_no, rep))


def waiting(queue: Queue, marker: str, batch_id: str | None = None) -> list[tuple[str, int, int]]:
    """(batch, case, repeat) of the cases whose items are all finished, some result still
    holding ``marker`` (the waiting verdict's message), and no live claim (a claim of a process
    on this machine that is gone lapses here at once)."""
    scope, params = ("AND i.batch_id = ? ", [batch_id]) if batch_id else ("", [])
    with queue._tx() as conn:
        found = [(r["batch_id"], r["case_no"], r["rep"]) for r in queue._run(
            conn, f"SELECT i.batch_id, i.case_no, i.rep FROM batch_items i JOIN batch_queue b ON b.id = i.batch_id "
                  f"WHERE b.state <> 'stopped' {scope}GROUP BY i.batch_id, i.case_no, i.rep HAVING "
                  f"sum(CASE WHEN i.state IN ('done', 'error') THEN 0 ELSE 1 END) = 0 AND "
                  f"sum(CASE WHEN i.result_json LIKE ? THEN 1 ELSE 0 END) > 0 "
                  f"ORDER BY i.batch_id, i.case_no, i.rep", [*params, f"%{marker}%"])]
        claims = {(r["batch_id"], r["case_no"], r["rep"]): (r["owner"], r["until"]) for r in queue._run(
            conn, f"SELECT batch_id, case_no, rep, owner, until FROM batch_best WHERE until < ? {scope.replace('i.', '')}",
            [JUDGED, *params])} if found else {}
    now, free = time.time(), []
    for key in found:
        owner, until = claims.get(key, ("", 0.0))
        if key in claims and until >= now and _gone_here(owner):
            with queue._tx(write=True) as conn:
                queue._run(conn, f"UPDATE batch_best SET until = 0 WHERE {_CASE} AND owner = ?", (*key, owner))
        elif key in claims and until >= now:
            continue
        free.append(key)
    return free
