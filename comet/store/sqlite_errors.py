"""What a broken SQLite file means to a person: sqlite3's result codes (Python 3.11's
``sqlite_errorcode``) as a :class:`~comet.core.errors.ConfigError` naming the file, what is wrong
with it and what to do; an error that is not about the file (a bug) passes through unchanged.
Result codes: https://www.sqlite.org/rescode.html (the low byte is the primary code)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from comet.core.errors import ConfigError

from .config import DB_ENV, DEFAULT_TIMEOUT_S, TIMEOUT_ENV, URL_ENV

_ELSEWHERE = f"or set {DB_ENV} (or {URL_ENV}) to another file"
_DAMAGED = f"move it aside (a new one is then made; sqlite3's .recover may save its runs), {_ELSEWHERE}"
_WRITABLE = f"make it and its folder writable (SQLite writes FILE-wal and FILE-shm beside it), {_ELSEWHERE}"
# primary result code -> (what is wrong, what to do)
MEANINGS: dict[int, tuple[str, str]] = {
    sqlite3.SQLITE_CORRUPT: ("it is damaged", _DAMAGED),
    sqlite3.SQLITE_NOTADB: ("it is not a SQLite database", _DAMAGED),
    sqlite3.SQLITE_READONLY: ("it is read-only", _WRITABLE),
    sqlite3.SQLITE_PERM: ("it may not be written", _WRITABLE),
    sqlite3.SQLITE_CANTOPEN: ("it cannot be opened", _WRITABLE),
    sqlite3.SQLITE_FULL: ("its disk is full", f"free space on that disk, {_ELSEWHERE}"),
    sqlite3.SQLITE_IOERR: ("it cannot be read or written (a disk I/O error)", f"check that disk, {_ELSEWHERE}"),
    sqlite3.SQLITE_BUSY: ("another program holds its lock", "close the program writing to it (a sqlite3 shell, "
                          f"a backup), or raise {TIMEOUT_ENV} (seconds to wait, default {DEFAULT_TIMEOUT_S:g})"),
}
MEANINGS[sqlite3.SQLITE_LOCKED] = MEANINGS[sqlite3.SQLITE_BUSY]


def broken(path: Any, exc: BaseException) -> ConfigError | None:
    """The ConfigError for ``exc`` raised by the file at ``path``; None when it is not about the file."""
    if isinstance(exc, OSError):  # its folder cannot be made
        what, fix = f"its folder cannot be made ({exc.strerror or exc})", _WRITABLE
    else:
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None or (code & 0xFF) not in MEANINGS:
            return None
        meaning, fix = MEANINGS[code & 0xFF]
        what = f"{meaning} ({exc})"
    return ConfigError(f"the history database {path} cannot be used: {what}; {fix}; "
                       "sending still works, history is off until fixed", fix=fix)


@contextmanager
def guarded(path: Any) -> Iterator[None]:
    """Inside it, an error about the file at ``path`` is its ConfigError."""
    try:
        yield
    except sqlite3.Error as exc:
        found = broken(path, exc)
        if found is None:
            raise
        raise found from None
