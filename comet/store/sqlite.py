"""The SQLite store: every run in one local file (or ``:memory:``).

Tables (the version lives in ``PRAGMA user_version``; :data:`MIGRATIONS` brings any older
database up to date, one small function per step):

- ``runs``: one narrow row per run, what the History table shows and filters on, with an index
  per filter so that filtering and paging stay fast at a million rows.
- ``run_details``: the large values (full prompt, reply, thoughts, request body, raw response
  or chunks with arrival times, the error, and the rest of the Exchange).
- ``runs_fts``: a full-text index (FTS5, external content) over prompt and reply.
- ``attachments`` / ``run_attachments``: media stored once by SHA-256. A stored body names
  them with ``<stored sha256:HEX>`` in place of the base64; :meth:`SQLiteStore.get` puts it back.

Several threads (browser sessions, comparison workers) may write at once: each thread has its
own connection, the database is in WAL mode, and writers wait for each other (busy timeout:
``COMET_HISTORY_TIMEOUT``, default 5 s). A file that is damaged, read-only, full or locked longer
than that is a ConfigError naming it and what to do (:mod:`comet.store.sqlite_errors`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from comet.core.errors import ConfigError
from comet.core.exchange import Exchange

from . import batch_best, batch_queue, records
from .config import DB_ENV as ENV, default_path, timeout_s
from .prompts_sql import sqlite_migration
from .ratings_sql import sqlite_migration as ratings_migration
from .records import DETAIL_COLUMNS, EXPORT_COLUMNS, LIST_COLUMNS
from .shared import SQLMethods
from .sqlite_errors import broken, guarded

# ---- schema ------------------------------------------------------------------------------------

def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run statements one by one (``executescript`` would commit the migration's transaction)."""
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def _m1_runs(db: sqlite3.Connection) -> None:
    _script(db, """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            created_at REAL NOT NULL,            -- Unix seconds, when the run started
            group_id TEXT, label TEXT,           -- a comparison and the target's label in it
            route TEXT NOT NULL, model TEXT NOT NULL, served_model TEXT, host TEXT,
            stream INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,                -- ok | error | stopped
            http_status INTEGER, error_kind TEXT, error_message TEXT, finish_reason TEXT,
            input_tokens INTEGER, output_tokens INTEGER, thinking_tokens INTEGER, total_tokens INTEGER,
            cost REAL, ttft_ms REAL, latency_ms REAL, attempts INTEGER,
            stopped INTEGER NOT NULL DEFAULT 0, partial INTEGER NOT NULL DEFAULT 0,
            prompt_preview TEXT, reply_preview TEXT
        );
        -- newest first is id order, and each index below is (column, id): a filtered page
        -- reads its 50 rows straight off one index, with no sort
        CREATE INDEX runs_by_time ON runs(created_at);
        CREATE INDEX runs_by_route ON runs(route);
        CREATE INDEX runs_by_model ON runs(model);
        CREATE INDEX runs_by_status ON runs(status);
        CREATE INDEX runs_by_group ON runs(group_id) WHERE group_id IS NOT NULL;
        CREATE TABLE run_details (
            run_id INTEGER PRIMARY KEY,          -- runs.id
            prompt TEXT, reply TEXT, thoughts TEXT,
            request_json TEXT, response_json TEXT, chunk_ms_json TEXT, error_json TEXT
        );
    """)


def _m2_full_text(db: sqlite3.Connection) -> None:
    _script(db, """
        CREATE VIRTUAL TABLE runs_fts USING fts5(
            prompt, reply, content='run_details', content_rowid='run_id',
            tokenize='unicode61 remove_diacritics 2');
        CREATE TRIGGER run_details_ai AFTER INSERT ON run_details BEGIN
            INSERT INTO runs_fts(rowid, prompt, reply) VALUES (new.run_id, new.prompt, new.reply);
        END;
        CREATE TRIGGER run_details_ad AFTER DELETE ON run_details BEGIN
            INSERT INTO runs_fts(runs_fts, rowid, prompt, reply) VALUES ('delete', old.run_id, old.prompt, old.reply);
        END;
        CREATE TRIGGER run_details_au AFTER UPDATE OF prompt, reply ON run_details BEGIN
            INSERT INTO runs_fts(runs_fts, rowid, prompt, reply) VALUES ('delete', old.run_id, old.prompt, old.reply);
            INSERT INTO runs_fts(rowid, prompt, reply) VALUES (new.run_id, new.prompt, new.reply);
        END;
        INSERT INTO runs_fts(runs_fts) VALUES ('rebuild');
    """)


def _m3_attachments(db: sqlite3.Connection) -> None:
    _script(db, """
        CREATE TABLE attachments (
            sha256 TEXT PRIMARY KEY, mime_type TEXT, size INTEGER NOT NULL, data BLOB NOT NULL);
        CREATE TABLE run_attachments (
            run_id INTEGER NOT NULL, sha256 TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',       -- the Call's attachment name; '' for inline data
            PRIMARY KEY (run_id, sha256, name));
        CREATE INDEX run_attachments_by_sha ON run_attachments(sha256);
    """)


def _m4_exchange(db: sqlite3.Connection) -> None:
    # the rest of the Exchange (base URL, time to first byte, the Reply's other fields), so a
    # stored run rebuilds the value the client produced; NULL for older runs
    db.execute("ALTER TABLE run_details ADD COLUMN exchange_json TEXT")


def _m5_stamp(db: sqlite3.Connection) -> None:
    # the reproducibility stamp (comet.runs.stamp): request hash, the app that recorded the run, the
    # response id; NULL for older runs. Runs of one request are found by their hash.
    for column in ("request_hash", "app_version", "response_id"):
        db.execute(f"ALTER TABLE runs ADD COLUMN {column} TEXT")
    db.execute("CREATE INDEX runs_by_request ON runs(request_hash) WHERE request_hash IS NOT NULL")


def _m6_presets(db: sqlite3.Connection) -> None:
    # named requests (comet.store.presets), as records.PRESET_COLUMNS
    _script(db, """
        CREATE TABLE presets (
            name TEXT PRIMARY KEY, note TEXT NOT NULL DEFAULT '', route TEXT NOT NULL, model TEXT NOT NULL,
            stream INTEGER NOT NULL DEFAULT 0, body_json TEXT NOT NULL, attachments_json TEXT,
            updated_at REAL NOT NULL);
    """)


def _m7_usage(db: sqlite3.Connection) -> None:
    # cached input and Gemini's tool-use prompt tokens (comet.core.exchange.Usage); NULL for older runs
    for column in ("cached_tokens", "tool_use_prompt_tokens"):
        db.execute(f"ALTER TABLE runs ADD COLUMN {column} INTEGER")


def _m8_uid(db: sqlite3.Connection) -> None:
    # a run's identity across stores, so copying a history twice adds nothing the second time
    _script(db, """
        ALTER TABLE runs ADD COLUMN uid TEXT;
        UPDATE runs SET uid = lower(hex(randomblob(16)));
        CREATE UNIQUE INDEX runs_by_uid ON runs(uid);
    """)


def _m9_batches(db: sqlite3.Connection) -> None:
    # a batch's results document (comet.runs.batch.report.document): verdicts and case variables
    db.execute("CREATE TABLE batches (id TEXT PRIMARY KEY, created_at REAL NOT NULL, report_json TEXT NOT NULL)")


def _m10_owners(db: sqlite3.Connection) -> None:
    # who made each run and preset (comet.store.owners): older rows are unknown (''), never guessed;
    # and the deletes log (who, what, when) that admins read
    _script(db, """
        ALTER TABLE runs ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE presets ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
        CREATE INDEX runs_by_creator ON runs(created_by, created_at);
        CREATE TABLE deletes (id INTEGER PRIMARY KEY, at REAL NOT NULL, who TEXT NOT NULL, kind TEXT NOT NULL,
                              what TEXT NOT NULL, owner TEXT NOT NULL DEFAULT '');
    """)


# Append only: a database at version N runs MIGRATIONS[N:].
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m1_runs, _m2_full_text, _m3_attachments, _m4_exchange,
                                                          _m5_stamp, _m6_presets, _m7_usage, _m8_uid, _m9_batches,
                                                          _m10_owners, sqlite_migration,
                                                          batch_queue.migrate_sqlite, ratings_migration,
                                                          batch_queue.migrate_cap_sqlite, batch_best.migrate_sqlite]


def migrate(db: sqlite3.Connection, path: Any = "") -> int:
    """Bring the schema up to date inside one write transaction; return the new version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise ConfigError(f"the history database {path} has schema version {version}, newer than this "
                          f"Comet Playground knows ({len(MIGRATIONS)}); upgrade, or set {ENV} to another file")
    for step in MIGRATIONS[version:]:
        step(db)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    return len(MIGRATIONS)


def fts_query(text: str | None) -> str | None:
    """User text -> a safe FTS5 query: every word must match, the last one as a prefix."""
    words = records.search_words(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _where(search: str | None = None, route: Any = None, model: Any = None, status: Any = None,
           since: Any = None, until: Any = None, group_id: Any = None, created_by: Any = None,
           no_batches: bool = False, also: tuple[str, ...] = (), prompt_name: Any = None,
           prompt_version: Any = None, rating: Any = None) -> tuple[str, list[Any]]:
    """``FROM ... WHERE ...`` for the filters (and the SQL conditions in ``also``), over
    ``runs r``. With a search, the full-text index drives the loop in descending rowid
    order, so a page stops after its rows instead of collecting every match first."""
    clauses: list[str] = list(also)
    params: list[Any] = []
    match = fts_query(search)
    source = "runs r"
    if match:
        source = "runs_fts CROSS JOIN runs r ON r.id = runs_fts.rowid"
        clauses.append("runs_fts MATCH ?")
        params.append(match)
    for column, wanted in (("route", route), ("model", model), ("status", status), ("group_id", group_id),
                           ("created_by", created_by), ("prompt_name", prompt_name), ("prompt_version", prompt_version),
                           ("rating", rating)):
        if wanted is None:
            continue
        values = [wanted] if isinstance(wanted, (str, int)) else list(wanted)
        values = [getattr(v, "value", v) for v in values]
        clauses.append(f"r.{column} IN ({','.join('?' * len(values))})" if values else "0")
        params.extend(values)
    if no_batches:  # History's "Hide batch runs": a batch's ids are bat-...
        clauses.append("(r.group_id IS NULL OR r.group_id NOT LIKE ?)")
        params.append("bat-%")
    for op, when in ((">=", since), ("<", until)):
        if when is not None:
            clauses.append(f"r.created_at {op} ?")
            params.append(records.timestamp(when))
    return f" FROM {source}" + (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _order(source: str) -> str:
    # the same order either way (rowid is the run id); said so that FTS5 walks its index backwards
    return "runs_fts.rowid DESC" if "runs_fts" in source else "r.id DESC"


def _nones() -> Iterator[None]:
    while True:
        yield None


@contextmanager
def _nolock() -> Iterator[None]:
    yield


class SQLiteStore(SQLMethods):
    """A history database in one file. Safe to share between threads; open it once per process."""

    NAME_ORDER = "name COLLATE NOCASE"

    def __init__(self, path: str | os.PathLike | None = None, *, secrets: Sequence[str] = ()):
        self.path = str(path) if path is not None else str(default_path())
        self.location = self.path
        self.timeout_s = timeout_s()  # how long a call waits for another writer's lock
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise broken(self.path, exc) from None
        self.secrets = tuple(secrets)  # keys typed in the UI, blanked wherever they appear
        self._local = threading.local()
        self._shared: sqlite3.Connection | None = None  # ":memory:" is one database: one connection
        self._lock = threading.RLock()
        self._drafts: Any = None
        if self.path != ":memory:":
            with guarded(self.path):
                self._db().execute("PRAGMA journal_mode=WAL")  # stays set in the file
        with self._write() as db:  # also finds, at once, a file this process cannot write
            migrate(db, self.path)

    # -- connections --
    def _db(self) -> sqlite3.Connection:
        if self.path == ":memory:":
            if self._shared is None:
                self._shared = self._connect()
            return self._shared
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None,
                             check_same_thread=self.path != ":memory:")
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA busy_timeout = {int(self.timeout_s * 1000)}")
        db.execute("PRAGMA synchronous = NORMAL")  # safe in WAL mode; a crash loses no committed row
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. BEGIN IMMEDIATE takes the write lock up front, so concurrent
        writers queue on the busy timeout instead of failing when a read turns into a write."""
        with self._lock if self.path == ":memory:" else _nolock(), guarded(self.path):
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:  # SQLite may have rolled back already (a full disk does)
                    db.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock if self.path == ":memory:" else _nolock(), guarded(self.path):
            yield self._db()

    def _tx(self, write: bool = False) -> Any:
        return self._write() if write else self._read()

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db = self._shared if self.path == ":memory:" else getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._shared = None
            self._local.db = None

    # -- writing --
    def record_many(self, exchanges: Iterable[Exchange], *, group_ids: Iterable[str | None] | None = None,
                    labels: Iterable[str | None] | None = None, costs: Iterable[float | None] | None = None,
                    uids: Iterable[str | None] | None = None,
                    created_by: str | Iterable[str] | None = None) -> list[int | None]:
        """Store several runs in one transaction (imports, benchmarks). ``group_ids``,
        ``labels``, ``costs`` and ``uids`` run parallel to ``exchanges``; a run whose uid is
        already here is skipped (its id is then None)."""
        secrets = records.known_secrets(self.secrets)
        built = [records.build(ex, group, label, cost, secrets, by) for ex, group, label, cost, by in
                 zip(exchanges, *(_nones() if v is None else v for v in (group_ids, labels, costs)),
                     records.creators(created_by))]
        keys = list(uids) if uids is not None else [records.new_uid() for _ in built]
        if not built:
            return []
        with self._write() as db:  # the write lock is held: the next ids are ours
            have = {r[0] for r in db.execute(f"SELECT uid FROM runs WHERE uid IN ({','.join('?' * len(keys))})",
                                             keys)} if uids is not None else set()
            todo = [(k, rec) for k, rec in zip(keys, built) if k not in have]
            first = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM runs").fetchone()[0]
            ids = list(range(first, first + len(todo)))
            if todo:
                self._insert(db, ids, todo)
        made = dict(zip((k for k, _ in todo), ids))
        return [made.get(k) for k in keys]

    @staticmethod
    def _insert(db: sqlite3.Connection, ids: Sequence[int], todo: Sequence[tuple[str, records.Record]]) -> None:
        built = [rec for _, rec in todo]
        run_cols, detail_cols = list(built[0].run), list(built[0].details)
        db.executemany(f"INSERT INTO runs (id,uid,{','.join(run_cols)}) VALUES (?,?{',?' * len(run_cols)})",
                       [(i, uid, *rec.run.values()) for i, (uid, rec) in zip(ids, todo)])
        db.executemany(f"INSERT INTO run_details (run_id,{','.join(detail_cols)}) VALUES "
                       f"(?{',?' * len(detail_cols)})", [(i, *rec.details.values()) for i, rec in zip(ids, built)])
        for run_id, rec in zip(ids, built):
            db.executemany("INSERT OR IGNORE INTO attachments (sha256, mime_type, size, data) VALUES (?,?,?,?)",
                           [(digest, mime, len(raw), raw) for digest, (mime, raw) in rec.blobs.items()])
            db.executemany("INSERT OR IGNORE INTO run_attachments (run_id, sha256, name) VALUES (?,?,?)",
                           [(run_id, digest, name) for digest, name in rec.links])

    def delete(self, run_id: int) -> bool:
        """Delete one run; attachments no other run uses go with it."""
        with self._write() as db:
            gone = db.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount
            db.execute("DELETE FROM run_details WHERE run_id = ?", (run_id,))
            shas = [r[0] for r in db.execute("SELECT sha256 FROM run_attachments WHERE run_id = ?", (run_id,))]
            db.execute("DELETE FROM run_attachments WHERE run_id = ?", (run_id,))
            for sha in shas:
                db.execute("DELETE FROM attachments WHERE sha256 = ? AND NOT EXISTS "
                           "(SELECT 1 FROM run_attachments WHERE sha256 = ?)", (sha, sha))
        return bool(gone)

    # -- reading --
    def page(self, *, limit: int | None = 50, offset: int = 0, **filters: Any) -> list[dict[str, Any]]:
        """One page of runs, newest (most recently recorded) first, as list rows."""
        source, params = _where(**filters)
        sql = f"SELECT {','.join('r.' + c for c in LIST_COLUMNS)}{source} ORDER BY {_order(source)}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [int(limit), int(offset)]
        with self._read() as db:
            return [records.row_of(r) for r in db.execute(sql, params)]

    def count(self, **filters: Any) -> int:
        source, params = _where(**filters)
        with self._read() as db:
            return db.execute(f"SELECT COUNT(*){source}", params).fetchone()[0]

    def timings(self, *, newest: int = 10_000, **filters: Any) -> list[dict[str, Any]]:
        """Runs, mean time to first token and mean latency per route and model, over the newest
        ``newest`` runs that match the filters and have a latency: one bounded scan, however
        large the history (the History page's chart). Busiest route and model first."""
        source, params = _where(**filters, also=("r.latency_ms IS NOT NULL",))
        sql = ("SELECT route, model, COUNT(*) AS runs, AVG(ttft_ms) AS ttft_ms, "
               "AVG(latency_ms) AS latency_ms FROM (SELECT r.route, r.model, r.ttft_ms, "
               f"r.latency_ms{source} ORDER BY {_order(source)} LIMIT ?) "
               "GROUP BY route, model ORDER BY runs DESC, route, model")
        with self._read() as db:
            return [dict(r) for r in db.execute(sql, [*params, int(newest)])]

    def samples(self, *, newest: int = 10_000, **filters: Any) -> list[dict[str, Any]]:
        """Route, model, ttft_ms, latency_ms and cost of the newest ``newest`` matching runs that
        have a latency, newest first: the chart's percentiles (:mod:`comet.runs.stats`). One
        bounded scan of five small columns, however large the history."""
        source, params = _where(**filters, also=("r.latency_ms IS NOT NULL",))
        sql = f"SELECT r.route, r.model, r.ttft_ms, r.latency_ms, r.cost{source} ORDER BY {_order(source)} LIMIT ?"
        with self._read() as db:
            return [dict(r) for r in db.execute(sql, [*params, int(newest)])]

    def details(self, run_id: int) -> dict[str, Any] | None:
        """Everything about one run: the list columns plus prompt, reply, thoughts, ``request``
        (the body, media restored), ``response`` (JSON or chunks), ``chunk_ms``, ``error``,
        ``exchange`` (the rest of the Exchange) and ``attachments`` (the Call's)."""
        cols = ",".join([*(f"r.{c}" for c in LIST_COLUMNS), "r.uid", *(f"d.{c}" for c in DETAIL_COLUMNS)])
        with self._read() as db:
            found = db.execute(f"SELECT {cols} FROM runs r LEFT JOIN run_details d ON d.run_id = r.id "
                               "WHERE r.id = ?", (run_id,)).fetchone()
            if found is None:
                return None
            used = db.execute("SELECT a.sha256, a.mime_type, a.data, l.name FROM run_attachments l "
                              "JOIN attachments a ON a.sha256 = l.sha256 WHERE l.run_id = ?", (run_id,)).fetchall()
        return records.detail_row(found, used)

    @property
    def drafts(self) -> Any:
        """The drafts, in their own file beside this one (``:memory:`` beside ``:memory:``)."""
        if self._drafts is None:
            from .drafts import Drafts, beside

            self._drafts = Drafts(self.path if self.path == ":memory:" else beside(Path(self.path)))
        return self._drafts

    def groups(self, *, limit: int = 50) -> list[dict[str, Any]]:
        """Comparisons, newest first: ``group_id``, ``runs``, ``created_at``, ``labels``."""
        newest: list[str] = []
        with self._read() as db:
            # walk runs newest first (the unary + keeps SQLite off the group index, which would
            # sort every grouped run) and stop at `limit` groups; then add up just those
            for (group,) in db.execute("SELECT group_id FROM runs WHERE +group_id IS NOT NULL ORDER BY id DESC"):
                if group not in newest:
                    newest.append(group)
                    if len(newest) == limit:
                        break
            rows = db.execute(
                "SELECT group_id, COUNT(*) AS runs, MIN(created_at) AS created_at, "
                "GROUP_CONCAT(COALESCE(label, route || ' ' || model), ' | ') AS labels FROM runs "
                f"WHERE group_id IN ({','.join('?' * len(newest))}) GROUP BY group_id", newest).fetchall()
        found = {r["group_id"]: dict(r) for r in rows}
        return [found[g] for g in newest]

    def export_rows(self, *, limit: int | None = None, **filters: Any) -> Iterator[dict[str, Any]]:
        """The filtered table with full prompt and reply, newest first, one row at a time."""
        source, params = _where(**filters)
        where = source.find(" WHERE ")
        if where < 0:
            where = len(source)
        joined = source[:where] + " LEFT JOIN run_details d ON d.run_id = r.id" + source[where:]
        cols = ",".join(f"r.{c}" for c in EXPORT_COLUMNS if c not in ("time", "prompt", "reply"))
        sql = f"SELECT {cols}, r.created_at, d.prompt, d.reply{joined} ORDER BY {_order(source)}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        with self._read() as db:
            for found in db.execute(sql, params):
                yield records.export_row(found)
