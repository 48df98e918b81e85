"""Every run, failed ones too, in a local SQLite database: filter, search, export, reopen.

    >>> h = History(":memory:")                                   # doctest: +SKIP
    >>> run_id = h.save(exchange, group_id="cmp-1", label="Gemini native", cost=0.0004)
    >>> h.query(search="weather", route="gemini", status="ok", limit=50)   # newest first
    >>> h.get(run_id)["request"]                                   # the body as it was sent

Tables (the version lives in ``PRAGMA user_version``; :data:`MIGRATIONS` brings any older
database up to date, one small function per step):

- ``runs``: one narrow row per run, what the History table shows and filters on, with an index
  per filter so that filtering and paging stay fast at a million rows.
- ``run_details``: the large values (full prompt, reply, thoughts, request body, raw response
  or chunks with arrival times, the error).
- ``runs_fts``: a full-text index (FTS5, external content) over prompt and reply.
- ``attachments`` / ``run_attachments``: media stored once by SHA-256. A stored body names
  them with ``<stored sha256:HEX>`` in place of the base64; :meth:`History.get` puts it back.

No key is ever stored: an Exchange holds none, and :func:`scrub` still blanks key headers,
``Bearer`` tokens and the configured key wherever they appear in what a server sent back.
Several threads (browser sessions, comparison workers) may write at once: each thread has its
own connection, the database is in WAL mode, and writers wait for each other (busy timeout).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import sys
import threading
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence
from urllib.parse import urlsplit

from .call import ATTACHMENT_TOKEN, Attachment, Call, Route, user_text
from .errors import ConfigError
from .exchange import Exchange, Usage

ENV = "COMET_HISTORY_DB"
PREVIEW_CHARS = 160
REDACTED = "[redacted]"


def default_path() -> Path:
    """``$COMET_HISTORY_DB``, else the per-user data directory (XDG on Linux)."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "comet-playground" / "history.sqlite3"


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


# Append only: a database at version N runs MIGRATIONS[N:].
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m1_runs, _m2_full_text, _m3_attachments]


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


LIST_COLUMNS = ("id", "created_at", "group_id", "label", "route", "model", "served_model", "host", "stream",
                "status", "http_status", "error_kind", "error_message", "finish_reason", "input_tokens",
                "output_tokens", "thinking_tokens", "total_tokens", "cost", "ttft_ms", "latency_ms", "attempts",
                "stopped", "partial", "prompt_preview", "reply_preview")
DETAIL_COLUMNS = ("prompt", "reply", "thoughts", "request_json", "response_json", "chunk_ms_json", "error_json")
EXPORT_COLUMNS = ("id", "time", "group_id", "label", "route", "model", "served_model", "host", "stream", "status",
                  "http_status", "error_kind", "error_message", "finish_reason", "input_tokens", "output_tokens",
                  "thinking_tokens", "total_tokens", "cost", "ttft_ms", "latency_ms", "attempts", "stopped",
                  "partial", "prompt", "reply")
STATUSES = ("ok", "error", "stopped")
_BOOLS = ("stream", "stopped", "partial")


# ---- keeping keys out --------------------------------------------------------------------------

_KEY_NAMES = re.compile(r"(x-goog-api-key|authorization|proxy-authorization|x-api-key|api[-_]key)\Z", re.I)
_KEY_TEXT = (
    re.compile(r"(?i)((?:x-goog-api-key|authorization|x-api-key|api[-_]key)[\"']?\s*[:=]\s*[\"']?)"
               r"(?:bearer\s+)?[^\"'\s,;}&]+"),
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)([?&]key=)[^&\s\"']+"),
)


def scrub(value: Any, secrets: Sequence[str] = (), *, patterns: bool = True) -> Any:
    """A copy of ``value`` (JSON-like) with key headers blanked and every ``secrets`` string
    replaced. ``patterns`` also blanks ``Bearer ...`` and ``x-goog-api-key: ...`` in free
    text: used for what a server sent back, not for the user's own prompt."""
    if isinstance(value, dict):
        return {k: REDACTED if isinstance(k, str) and _KEY_NAMES.match(k) and v not in (None, "")
                else scrub(v, secrets, patterns=patterns) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v, secrets, patterns=patterns) for v in value]
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        lower = value.lower() if patterns else ""
        if patterns and ("bearer" in lower or "key" in lower or "authorization" in lower):
            for pattern in _KEY_TEXT:
                value = pattern.sub(lambda m: m.group(1) + REDACTED, value)
        return value
    return value


_SUSPECT = ("bearer", "authorization", "api-key", "api_key", "key=")


def _stored_json(value: Any, blobs: dict, secrets: Sequence[str], *, patterns: bool) -> str | None:
    """``value`` as stored: media moved out, keys blanked. The walks run only when the JSON
    text shows they could change something (most runs carry neither media nor headers)."""
    if value is None:
        return None
    text = _dumps(value)
    if "base64," in text or '"data"' in text:
        value, text = extract_blobs(value, blobs), None
    probe = (text or _dumps(value)).lower() if patterns else ""
    if any(s in (text or _dumps(value)) for s in secrets) or any(s in probe for s in _SUSPECT):
        value, text = scrub(value, secrets, patterns=patterns), None
    return text or _dumps(value)


def known_secrets(extra: Sequence[str] = ()) -> tuple[str, ...]:
    """Keys to blank wherever they appear: ``extra`` (typed in the UI) and ``COMETAPI_KEY``."""
    found = [s for s in extra if s]
    env = (os.environ.get("COMETAPI_KEY") or "").strip()
    if env:
        found.append(env)
    return tuple(s for s in found if len(s) >= 4)


# ---- attachments -------------------------------------------------------------------------------

STORED = re.compile(r"<stored sha256:([0-9a-f]{64})>")
_BLOB_KEYS = ("inlineData", "inline_data", "input_audio")
_DATA_URL = re.compile(r"(data:([^;,]*);base64,)(.+)\Z", re.S)


def _blob(text: str, mime: str | None, found: dict[str, tuple[str | None, bytes]]) -> str:
    """Base64 text -> a ``<stored sha256:...>`` reference (recorded in ``found``)."""
    if ATTACHMENT_TOKEN.search(text) or STORED.search(text):
        return text  # already a reference: a Call attachment token, or stored before
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        return text
    if base64.b64encode(raw).decode("ascii") != text:
        return text  # not canonical base64 (line breaks, no padding): kept as typed
    digest = hashlib.sha256(raw).hexdigest()
    found.setdefault(digest, (mime, raw))
    return f"<stored sha256:{digest}>"


def extract_blobs(value: Any, found: dict[str, tuple[str | None, bytes]]) -> Any:
    """A copy of a body or response with inline base64 (``inlineData.data``, ``input_audio.data``,
    ``data:...;base64,`` URLs) replaced by references; the bytes land in ``found``."""
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if key in _BLOB_KEYS and isinstance(v, dict) and isinstance(v.get("data"), str):
                mime = v.get("mimeType") or v.get("mime_type") or (
                    f"audio/{v['format']}" if isinstance(v.get("format"), str) else None)
                v = {**v, "data": _blob(v["data"], mime, found)}
                out[key] = {k: (x if k == "data" else extract_blobs(x, found)) for k, x in v.items()}
            else:
                out[key] = extract_blobs(v, found)
        return out
    if isinstance(value, list):
        return [extract_blobs(v, found) for v in value]
    if isinstance(value, str) and value.startswith("data:"):
        m = _DATA_URL.match(value)
        if m:
            return m.group(1) + _blob(m.group(3), m.group(2) or None, found)
    return value


def inline_blobs(value: Any, blobs: dict[str, bytes]) -> Any:
    """The inverse of :func:`extract_blobs`."""
    if isinstance(value, str):
        if "<stored sha256:" not in value:
            return value
        return STORED.sub(lambda m: base64.b64encode(blobs[m.group(1)]).decode("ascii")
                          if m.group(1) in blobs else m.group(0), value)
    if isinstance(value, list):
        return [inline_blobs(v, blobs) for v in value]
    if isinstance(value, dict):
        return {k: inline_blobs(v, blobs) for k, v in value.items()}
    return value


# ---- search ------------------------------------------------------------------------------------

def fts_query(text: str | None) -> str | None:
    """User text -> a safe FTS5 query: every word must match, the last one as a prefix.
    Quotes, operators and brackets are treated as separators, so no input can raise."""
    words = re.findall(r"\w+", text or "")
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _timestamp(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp()
    raise TypeError(f"not a time: {value!r}")


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS - 1] + "…"


def _host(base_url: str) -> str | None:
    parts = urlsplit(base_url or "")
    if not parts.hostname:
        return None
    return parts.hostname + (f":{parts.port}" if parts.port else "")  # never user:password@


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---- the store ---------------------------------------------------------------------------------

class History:
    """A history database. Safe to share between threads; open it once per process."""

    def __init__(self, path: str | os.PathLike | None = None, *, secrets: Sequence[str] = ()):
        self.path = str(path) if path is not None else str(default_path())
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.secrets = tuple(secrets)  # keys typed in the UI, blanked wherever they appear
        self._local = threading.local()
        self._shared: sqlite3.Connection | None = None  # ":memory:" is one database: one connection
        self._lock = threading.RLock()
        if self.path != ":memory:":
            self._db().execute("PRAGMA journal_mode=WAL")  # stays set in the file
        with self._write() as db:
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
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None,
                             check_same_thread=self.path != ":memory:")
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout = 60000")
        db.execute("PRAGMA synchronous = NORMAL")  # safe in WAL mode; a crash loses no committed row
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. BEGIN IMMEDIATE takes the write lock up front, so concurrent
        writers queue on the busy timeout instead of failing when a read turns into a write."""
        with self._lock if self.path == ":memory:" else _nolock():
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock if self.path == ":memory:" else _nolock():
            yield self._db()

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db = self._shared if self.path == ":memory:" else getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._shared = None
            self._local.db = None

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- writing --
    def save(self, exchange: Exchange, *, group_id: str | None = None, label: str | None = None,
             cost: float | None = None) -> int:
        """Store one run and return its id."""
        return self.save_many([exchange], group_ids=[group_id], labels=[label], costs=[cost])[0]

    def save_many(self, exchanges: Iterable[Exchange], *, group_ids: Iterable[str | None] | None = None,
                  labels: Iterable[str | None] | None = None,
                  costs: Iterable[float | None] | None = None) -> list[int]:
        """Store several runs in one transaction (imports, benchmarks). ``group_ids``,
        ``labels`` and ``costs`` run parallel to ``exchanges``."""
        secrets = known_secrets(self.secrets)
        records = [self._record(ex, group, label, cost, secrets) for ex, group, label, cost in
                   zip(exchanges, *(_nones() if v is None else v for v in (group_ids, labels, costs)))]
        if not records:
            return []
        run_cols, detail_cols = list(records[0][0]), list(records[0][1])
        with self._write() as db:  # the write lock is held: the next ids are ours
            first = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM runs").fetchone()[0]
            ids = list(range(first, first + len(records)))
            db.executemany(f"INSERT INTO runs (id,{','.join(run_cols)}) VALUES (?{',?' * len(run_cols)})",
                           [(i, *rec[0].values()) for i, rec in zip(ids, records)])
            db.executemany(f"INSERT INTO run_details (run_id,{','.join(detail_cols)}) VALUES "
                           f"(?{',?' * len(detail_cols)})", [(i, *rec[1].values()) for i, rec in zip(ids, records)])
            for run_id, (_, _, blobs, links) in zip(ids, records):
                db.executemany("INSERT OR IGNORE INTO attachments (sha256, mime_type, size, data) VALUES (?,?,?,?)",
                               [(digest, mime, len(raw), raw) for digest, (mime, raw) in blobs.items()])
                db.executemany("INSERT OR IGNORE INTO run_attachments (run_id, sha256, name) VALUES (?,?,?)",
                               [(run_id, digest, name) for digest, name in links])
        return ids

    @staticmethod
    def _record(ex: Exchange, group_id: str | None, label: str | None, cost: float | None,
                secrets: Sequence[str]) -> tuple[dict, dict, dict, list]:
        call, reply, error = ex.call, ex.reply, ex.error
        usage = reply.usage if reply else Usage()
        status = "stopped" if ex.stopped else "ok" if ex.ok else "error"
        prompt = scrub(user_text(call.body, call.route), secrets, patterns=False)
        text = scrub(reply.text if reply else "", secrets, patterns=False)
        blobs: dict[str, tuple[str | None, bytes]] = {}
        request = _stored_json(call.body, blobs, secrets, patterns=False)
        response = _stored_json(reply.raw, blobs, secrets, patterns=True) if reply else None
        links = [(digest, "") for digest in blobs]
        for att in call.attachments:
            blobs.setdefault(att.sha256, (att.mime_type, att.data))
            links.append((att.sha256, att.name))
        error_info = scrub(error.to_dict(), secrets) if error else None
        run = {
            "created_at": ex.timing.started_at, "group_id": group_id, "label": label,
            "route": call.route.value, "model": call.model, "served_model": reply.model_version if reply else None,
            "host": _host(ex.base_url), "stream": int(call.stream), "status": status, "http_status": ex.status,
            "error_kind": error.kind if error else None,
            "error_message": error_info["message"] if error_info else None,
            "finish_reason": reply.finish_reason if reply else None,
            "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
            "thinking_tokens": usage.thinking_tokens, "total_tokens": usage.total_tokens,
            "cost": cost, "ttft_ms": ex.timing.ttft_ms, "latency_ms": ex.timing.latency_ms,
            "attempts": ex.attempts, "stopped": int(ex.stopped), "partial": int(ex.partial),
            "prompt_preview": _preview(prompt), "reply_preview": _preview(text),
        }
        details = {
            "prompt": prompt, "reply": text,
            "thoughts": scrub(reply.thoughts, secrets, patterns=False) if reply else "",
            "request_json": request, "response_json": response,
            "chunk_ms_json": _dumps(list(ex.timing.chunk_ms)) if ex.timing.chunk_ms else None,
            "error_json": _dumps(error_info),
        }
        return run, details, blobs, links

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
    @staticmethod
    def _from(search: str | None = None, route: Any = None, model: Any = None, status: Any = None,
              since: Any = None, until: Any = None, group_id: Any = None,
              also: tuple[str, ...] = ()) -> tuple[str, list[Any]]:
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
        for column, wanted in (("route", route), ("model", model), ("status", status), ("group_id", group_id)):
            if wanted is None:
                continue
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            values = [getattr(v, "value", v) for v in values]
            clauses.append(f"r.{column} IN ({','.join('?' * len(values))})" if values else "0")
            params.extend(values)
        if since is not None:
            clauses.append("r.created_at >= ?")
            params.append(_timestamp(since))
        if until is not None:
            clauses.append("r.created_at < ?")
            params.append(_timestamp(until))
        return f" FROM {source}" + (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def query(self, *, search: str | None = None, route: Any = None, model: Any = None, status: Any = None,
              since: Any = None, until: Any = None, group_id: Any = None, limit: int | None = 50,
              offset: int = 0) -> list[dict[str, Any]]:
        """One page of runs, newest (most recently recorded) first. Each filter takes a value or
        a list of values; ``since``/``until`` take Unix seconds, a datetime, a date or an ISO
        string; ``search`` is plain words (all must appear in the prompt or the reply)."""
        source, params = self._from(search, route, model, status, since, until, group_id)
        sql = f"SELECT {','.join('r.' + c for c in LIST_COLUMNS)}{source} ORDER BY {_order(source)}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [int(limit), int(offset)]
        with self._read() as db:
            return [_row(r) for r in db.execute(sql, params)]

    def count(self, *, search: str | None = None, route: Any = None, model: Any = None, status: Any = None,
              since: Any = None, until: Any = None, group_id: Any = None) -> int:
        source, params = self._from(search, route, model, status, since, until, group_id)
        with self._read() as db:
            return db.execute(f"SELECT COUNT(*){source}", params).fetchone()[0]

    def timings(self, *, newest: int = 10_000, **filters: Any) -> list[dict[str, Any]]:
        """Runs, mean time to first token and mean latency per route and model, over the newest
        ``newest`` runs that match the filters and have a latency: one bounded scan, however
        large the history (the History page's chart). Busiest route and model first."""
        source, params = self._from(**filters, also=("r.latency_ms IS NOT NULL",))
        sql = ("SELECT route, model, COUNT(*) AS runs, AVG(ttft_ms) AS ttft_ms, "
               "AVG(latency_ms) AS latency_ms FROM (SELECT r.route, r.model, r.ttft_ms, "
               f"r.latency_ms{source} ORDER BY {_order(source)} LIMIT ?) "
               "GROUP BY route, model ORDER BY runs DESC, route, model")
        with self._read() as db:
            return [dict(r) for r in db.execute(sql, [*params, int(newest)])]

    def frame(self, **filters: Any):
        """:meth:`query` as a pandas DataFrame (``created_at`` as UTC datetimes)."""
        import pandas as pd  # only here: `import comet` stays light

        df = pd.DataFrame(self.query(**filters), columns=[*LIST_COLUMNS, "ok"])
        df["created_at"] = pd.to_datetime(df["created_at"], unit="s", utc=True)
        return df

    def get(self, run_id: int) -> dict[str, Any] | None:
        """Everything about one run: the list columns plus prompt, reply, thoughts, ``request``
        (the body, media restored), ``response`` (JSON or chunks), ``chunk_ms``, ``error`` and
        ``attachments`` (the Call's, as :class:`~comet.call.Attachment`)."""
        cols = ",".join([*(f"r.{c}" for c in LIST_COLUMNS), *(f"d.{c}" for c in DETAIL_COLUMNS)])
        with self._read() as db:
            found = db.execute(f"SELECT {cols} FROM runs r LEFT JOIN run_details d ON d.run_id = r.id "
                               "WHERE r.id = ?", (run_id,)).fetchone()
            if found is None:
                return None
            used = db.execute("SELECT a.sha256, a.mime_type, a.data, l.name FROM run_attachments l "
                              "JOIN attachments a ON a.sha256 = l.sha256 WHERE l.run_id = ?", (run_id,)).fetchall()
        blobs = {sha: bytes(data) for sha, _, data, _ in used}
        row = _row(found)
        for key in ("request", "response", "chunk_ms", "error"):
            raw = row.pop(f"{key}_json" if key != "chunk_ms" else "chunk_ms_json")
            row[key] = inline_blobs(json.loads(raw), blobs) if raw else None
        row["attachments"] = [Attachment(name, mime or "application/octet-stream", bytes(data))
                              for _, mime, data, name in used if name]
        return row

    def call(self, run_id: int) -> Call | None:
        """The run's request as a Call, to reopen or rerun it (attachments included)."""
        row = self.get(run_id)
        if row is None:
            return None
        return Call(Route.parse(row["route"]), row["model"], row["request"] or {}, stream=row["stream"],
                    attachments=tuple(row["attachments"]))

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

    def models_seen(self) -> list[str]:
        """Distinct models, sorted; a skip-scan over the model index (fast at any size)."""
        with self._read() as db:
            rows = db.execute("""
                WITH RECURSIVE seen(model) AS (
                    SELECT MIN(model) FROM runs
                    UNION ALL
                    SELECT (SELECT MIN(model) FROM runs WHERE model > seen.model) FROM seen
                    WHERE seen.model IS NOT NULL)
                SELECT model FROM seen WHERE model IS NOT NULL""").fetchall()
        return [r[0] for r in rows]

    def export(self, fmt: str = "csv", *, limit: int | None = None, **filters: Any) -> str:
        """The filtered table as CSV or JSON (full prompt and reply, no request bodies, no key)."""
        if fmt not in ("csv", "json"):
            raise ValueError(f"unknown export format {fmt!r}: use 'csv' or 'json'")
        source, params = self._from(**filters)
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
            rows = [_export_row(r) for r in db.execute(sql, params)]
        return export_text(rows, fmt)


def _order(source: str) -> str:
    # the same order either way (rowid is the run id); said so that FTS5 walks its index backwards
    return "runs_fts.rowid DESC" if "runs_fts" in source else "r.id DESC"


def _nones() -> Iterator[None]:
    while True:
        yield None


@contextmanager
def _nolock() -> Iterator[None]:
    yield


def _row(found: sqlite3.Row) -> dict[str, Any]:
    row = dict(found)
    for key in _BOOLS:
        if key in row and row[key] is not None:
            row[key] = bool(row[key])
    if "status" in row:
        row["ok"] = row["status"] == "ok"
    return row


def _export_row(found: sqlite3.Row) -> dict[str, Any]:
    row = _row(found)
    row["time"] = _iso(row.pop("created_at"))
    row.pop("ok", None)
    return {c: row.get(c) for c in EXPORT_COLUMNS}


def export_text(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()
