"""Where runs are kept: a :class:`Store` protocol, its backends, and the records they share.

    >>> store = open_store(":memory:")                         # doctest: +SKIP
    >>> run_id = store.record(exchange, group_id="cmp-1", label="Gemini native", cost=0.0004)
    >>> store.page(search="weather", route="gemini", limit=50)  # list rows, newest first
    >>> store.get(run_id).exchange == exchange                  # the Exchange the client produced

- :mod:`comet.store.base`: the :class:`Store` protocol and :class:`Run`.
- :mod:`comet.store.records`: an Exchange into a record and back (keys blanked by
  :func:`comet.http.redact.scrub`).
- :mod:`comet.store.config`: ``COMET_HISTORY_URL`` and how a URL is shown (never its password).
- :mod:`comet.store.sqlite`: the local SQLite file (the default).
- :mod:`comet.store.postgres`: a PostgreSQL database a team shares (psycopg 3, a pool).
- :mod:`comet.store.presets`, :mod:`comet.store.drafts`: named requests and the Playground's
  autosaved draft; :mod:`comet.store.history`: the History page's row-dict view.

A new backend is one module implementing :class:`Store` over the records.
"""

from __future__ import annotations

import os
from typing import Sequence

from .base import Run, Store
from .config import URL_ENV, history_url, redact, scheme, sqlite_path
from .records import STATUSES, known_secrets, scrub
from .sqlite import SQLiteStore, default_path

__all__ = ["Store", "Run", "SQLiteStore", "open_store", "default_path", "history_url", "redact", "URL_ENV",
           "STATUSES", "known_secrets", "scrub"]


def open_store(where: str | os.PathLike | None = None, *, secrets: Sequence[str] = ()) -> Store:
    """The store at ``where``: a URL (``sqlite:///PATH``, ``postgresql://...``), a SQLite path or
    ``:memory:``; by default the configured one (:func:`~comet.store.config.history_url`).
    An unreachable server, a wrong password or a schema newer than this app raise
    :class:`~comet.core.errors.ConfigError` naming the URL without its password."""
    url = str(where) if where is not None else history_url()
    kind = scheme(url)
    if kind == "postgresql":
        from .postgres import PostgresStore  # psycopg loads only for a PostgreSQL history

        return PostgresStore(url, secrets=secrets)
    return SQLiteStore(sqlite_path(url) if kind == "sqlite" else url, secrets=secrets)
