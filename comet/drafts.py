"""The Playground's draft, kept so it survives moving between pages and a browser reload.

A draft is a small JSON object (route, model, stream switch, body, the JSON tab's text when it
does not parse, what a route switch could not carry over). It lives in its own SQLite file next
to the history database, keyed by a random draft id that the page keeps in its URL
(``?draft=...``). The key is never part of a draft: it is not in any of these values.

Attachments (uploaded media, :class:`~comet.call.Attachment`) are held beside the JSON, each
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
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterable

from .call import Attachment

KEEP_DAYS = 30  # drafts untouched for longer are removed when another is saved


def default_path() -> Path:
    """``<history db>.drafts.sqlite3`` beside the history database (``COMET_HISTORY_DB`` or
    the per-user default), so tests that move history move drafts too."""
    from .store.sqlite import default_path as history_path

    history = Path(history_path())
    return history.with_name(history.stem + ".drafts.sqlite3")


def new_id() -> str:
    return secrets.token_urlsafe(9)


class Drafts:
    """One small table: ``draft(id, updated_at, data)``. Safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = str(path if path is not None else default_path())
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=5)
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL") if self.path != ":memory:" else None
            self._db.execute("CREATE TABLE IF NOT EXISTS draft ("
                             "id TEXT PRIMARY KEY, updated_at REAL NOT NULL, data TEXT NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS blob ("
                             "sha256 TEXT PRIMARY KEY, mime_type TEXT NOT NULL, data BLOB NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS draft_blob ("
                             "draft_id TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL, "
                             "PRIMARY KEY (draft_id, name))")

    def load(self, draft_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM draft WHERE id = ?", (draft_id,)).fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def attachments(self, draft_id: str) -> list[Attachment]:
        """The draft's attachments, in the order they were attached."""
        with self._lock:
            rows = self._db.execute("SELECT l.name, b.mime_type, b.data FROM draft_blob l "
                                    "JOIN blob b ON b.sha256 = l.sha256 WHERE l.draft_id = ? ORDER BY l.rowid",
                                    (draft_id,)).fetchall()
        return [Attachment(name, mime, bytes(data)) for name, mime, data in rows]

    def save(self, draft_id: str, data: dict[str, Any], attachments: Iterable[Attachment] | None = None) -> None:
        """Save the draft's JSON; with ``attachments`` (not None), make them the draft's files."""
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        now = time.time()
        with self._lock, self._db:
            self._db.execute("INSERT INTO draft (id, updated_at, data) VALUES (?, ?, ?) "
                             "ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data",
                             (draft_id, now, text))
            if attachments is not None:
                files = list(attachments)
                self._db.executemany("INSERT OR IGNORE INTO blob (sha256, mime_type, data) VALUES (?, ?, ?)",
                                     [(a.sha256, a.mime_type, a.data) for a in files])
                self._db.execute("DELETE FROM draft_blob WHERE draft_id = ?", (draft_id,))
                self._db.executemany("INSERT OR REPLACE INTO draft_blob (draft_id, name, sha256) VALUES (?, ?, ?)",
                                     [(draft_id, a.name, a.sha256) for a in files])
            self._db.execute("DELETE FROM draft WHERE updated_at < ?", (now - KEEP_DAYS * 86400,))
            self._prune()

    def delete(self, draft_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM draft WHERE id = ?", (draft_id,))
            self._prune()

    def _prune(self) -> None:
        """Links of drafts that are gone, then files no draft links to."""
        self._db.execute("DELETE FROM draft_blob WHERE draft_id NOT IN (SELECT id FROM draft)")
        self._db.execute("DELETE FROM blob WHERE sha256 NOT IN (SELECT sha256 FROM draft_blob)")

    def close(self) -> None:
        with self._lock:
            self._db.close()
