"""The Playground's draft, kept so it survives moving between pages and a browser reload.

A draft is a small JSON object (route, model, stream switch, body, the JSON tab's text when it
does not parse, what a route switch could not carry over). It lives in its own SQLite file next
to the history database, keyed by a random draft id that the page keeps in its URL
(``?draft=...``). The key is never part of a draft: it is not in any of these values.

Each save bumps the draft's version. A writer that passes the version it read (``base``) never
overwrites a newer save: two tabs on one draft cannot silently lose each other's edits.

Attachments (uploaded media, :class:`~comet.core.call.Attachment`) are held beside the JSON, each
file stored once by SHA-256 however many drafts use it, and linked to a draft by name; the
body names them with its ``<attachment:NAME>`` tokens. Files no draft uses any more are
removed with the drafts that used them.

    >>> drafts = Drafts(":memory:")
    >>> drafts.save("abc", {"route": "gemini"})
    >>> drafts.load("abc")
    {'route': 'gemini'}
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

from comet.core.call import Attachment

from .config import timeout_s
from .sqlite_errors import broken, guarded

KEEP_DAYS = 30  # drafts untouched for longer are removed when another is saved


class DraftConflict(Exception):
    """The draft changed since this writer read it (another tab saved first). Nothing was
    written; save the edit under a new id instead (:func:`new_id`)."""

    def __init__(self, draft_id: str, base: int, current: int):
        super().__init__(f"draft {draft_id} is at version {current}, not {base}: another tab saved it first")
        self.draft_id, self.base, self.current = draft_id, base, current


ID_MAX = 64
_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{ID_MAX}}}")


class DraftIdError(ValueError):
    """Not a draft id (a ``?draft=`` link typed or cut wrong, a stray ``%00``): nothing was read
    or written, and no database saw it."""

    RULE = f"one is 1 to {ID_MAX} letters, digits, '-' or '_' (as new_id() makes them)"

    def __init__(self, draft_id: Any):
        shown = repr(draft_id) if len(repr(draft_id)) <= 40 else repr(draft_id)[:37] + "..."
        super().__init__(f"{shown} is not a draft id: {self.RULE}")
        self.draft_id = draft_id


def is_id(text: Any) -> bool:
    """Whether ``text`` can name a draft (every store refuses anything else: :func:`check_id`)."""
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def check_id(draft_id: Any) -> str:
    """``draft_id`` when it is one, else :class:`DraftIdError`."""
    if not is_id(draft_id):
        raise DraftIdError(draft_id)
    return draft_id


class DraftStore(Protocol):
    """Drafts in any store; a ``draft_id`` that is not one (:func:`is_id`) is :class:`DraftIdError`.
    ``save`` with ``base`` (the version this writer read; 0 for a draft
    it has not seen) writes only if the draft is still at that version, else raises
    :class:`DraftConflict`; it returns the new version."""

    def read(self, draft_id: str) -> tuple[dict[str, Any] | None, int]: ...

    def load(self, draft_id: str) -> dict[str, Any] | None: ...

    def attachments(self, draft_id: str) -> list[Attachment]: ...

    def save(self, draft_id: str, data: dict[str, Any], attachments: Iterable[Attachment] | None = None, *,
             base: int | None = None) -> int: ...

    def ids(self) -> list[str]: ...

    def delete(self, draft_id: str) -> None: ...


def beside(history: Path) -> Path:
    """``<history db>.drafts.sqlite3``: the drafts file of a SQLite history."""
    return history.with_name(history.stem + ".drafts.sqlite3")


def default_path() -> Path:
    """The drafts file beside the history database (``COMET_HISTORY_DB`` or the per-user
    default), so tests that move history move drafts too."""
    from .config import default_path as history_path

    return beside(Path(history_path()))


def new_id() -> str:
    return secrets.token_urlsafe(9)


def decode(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class Drafts:
    """One small table: ``draft(id, updated_at, data, version)``. Safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = str(path if path is not None else default_path())
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise broken(self.path, exc) from None
        self._lock = threading.Lock()
        with guarded(self.path):
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=timeout_s())
        with self._use(), self._db:
            self._db.execute("PRAGMA journal_mode=WAL") if self.path != ":memory:" else None
            self._db.execute("CREATE TABLE IF NOT EXISTS draft ("
                             "id TEXT PRIMARY KEY, updated_at REAL NOT NULL, data TEXT NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS blob ("
                             "sha256 TEXT PRIMARY KEY, mime_type TEXT NOT NULL, data BLOB NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS draft_blob ("
                             "draft_id TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL, "
                             "PRIMARY KEY (draft_id, name))")
            columns = [r[1] for r in self._db.execute("PRAGMA table_info(draft)")]
            if "version" not in columns:  # files from before versions: every draft starts at 1
                self._db.execute("ALTER TABLE draft ADD COLUMN version INTEGER NOT NULL DEFAULT 1")

    @contextmanager
    def _use(self) -> Iterator[None]:
        """The connection, one thread at a time; an error about the file is its ConfigError."""
        with self._lock, guarded(self.path):
            yield

    def read(self, draft_id: str) -> tuple[dict[str, Any] | None, int]:
        """The draft and its version (``(None, 0)`` when there is none)."""
        check_id(draft_id)
        with self._use():
            row = self._db.execute("SELECT data, version FROM draft WHERE id = ?", (draft_id,)).fetchone()
        return (None, 0) if row is None else (decode(row[0]), row[1])

    def load(self, draft_id: str) -> dict[str, Any] | None:
        return self.read(draft_id)[0]

    def ids(self) -> list[str]:
        with self._use():
            return [r[0] for r in self._db.execute("SELECT id FROM draft ORDER BY updated_at")]

    def attachments(self, draft_id: str) -> list[Attachment]:
        """The draft's attachments, in the order they were attached."""
        check_id(draft_id)
        with self._use():
            rows = self._db.execute("SELECT l.name, b.mime_type, b.data FROM draft_blob l "
                                    "JOIN blob b ON b.sha256 = l.sha256 WHERE l.draft_id = ? ORDER BY l.rowid",
                                    (draft_id,)).fetchall()
        return [Attachment(name, mime, bytes(data)) for name, mime, data in rows]

    def save(self, draft_id: str, data: dict[str, Any], attachments: Iterable[Attachment] | None = None, *,
             base: int | None = None) -> int:
        """Save the draft's JSON; with ``attachments`` (not None), make them the draft's files.
        With ``base``, only over that version (:class:`DraftConflict` otherwise). Returns the
        new version."""
        check_id(draft_id)
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        now = time.time()
        with self._use(), self._db:
            row = self._db.execute("SELECT version FROM draft WHERE id = ?", (draft_id,)).fetchone()
            current = row[0] if row else 0
            if base is not None and base != current:
                raise DraftConflict(draft_id, base, current)
            self._db.execute("INSERT INTO draft (id, updated_at, data, version) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data, "
                             "version = excluded.version", (draft_id, now, text, current + 1))
            if attachments is not None:
                files = list(attachments)
                self._db.executemany("INSERT OR IGNORE INTO blob (sha256, mime_type, data) VALUES (?, ?, ?)",
                                     [(a.sha256, a.mime_type, a.data) for a in files])
                self._db.execute("DELETE FROM draft_blob WHERE draft_id = ?", (draft_id,))
                self._db.executemany("INSERT OR REPLACE INTO draft_blob (draft_id, name, sha256) VALUES (?, ?, ?)",
                                     [(draft_id, a.name, a.sha256) for a in files])
            self._db.execute("DELETE FROM draft WHERE updated_at < ?", (now - KEEP_DAYS * 86400,))
            self._prune()
        return current + 1

    def delete(self, draft_id: str) -> None:
        check_id(draft_id)
        with self._use(), self._db:
            self._db.execute("DELETE FROM draft WHERE id = ?", (draft_id,))
            self._prune()

    def _prune(self) -> None:
        """Links of drafts that are gone, then files no draft links to."""
        self._db.execute("DELETE FROM draft_blob WHERE draft_id NOT IN (SELECT id FROM draft)")
        self._db.execute("DELETE FROM blob WHERE sha256 NOT IN (SELECT sha256 FROM draft_blob)")

    def close(self) -> None:
        with self._use():
            self._db.close()
