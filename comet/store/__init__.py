"""Where runs are kept: a :class:`Store` protocol, its backends, and the records they share.

    >>> store = open_store(":memory:")                         # doctest: +SKIP
    >>> run_id = store.record(exchange, group_id="cmp-1", label="Gemini native", cost=0.0004)
    >>> store.page(search="weather", route="gemini", limit=50)  # list rows, newest first
    >>> store.get(run_id).exchange == exchange                  # the Exchange the client produced

- :mod:`comet.store.base`: the :class:`Store` protocol and :class:`Run`.
- :mod:`comet.store.records`: an Exchange into a record and back, and key scrubbing.
- :mod:`comet.store.sqlite`: the local SQLite file (the default).

A new backend is one module implementing :class:`Store` over the records.
"""

from __future__ import annotations

import os
from typing import Sequence

from .base import Run, Store
from .records import STATUSES, known_secrets, scrub
from .sqlite import SQLiteStore, default_path

__all__ = ["Store", "Run", "SQLiteStore", "open_store", "default_path", "STATUSES", "known_secrets", "scrub"]


def open_store(where: str | os.PathLike | None = None, *, secrets: Sequence[str] = ()) -> Store:
    """The store at ``where`` (a SQLite path or ``:memory:``; default: :func:`default_path`)."""
    return SQLiteStore(where, secrets=secrets)
