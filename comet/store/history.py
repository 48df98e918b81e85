"""Run history with row dicts: the first History API, kept for scripts, tests and benchmarks.

    >>> h = History(":memory:")                                   # doctest: +SKIP
    >>> run_id = h.save(exchange, group_id="cmp-1", label="Gemini native", cost=0.0004)
    >>> h.query(search="weather", route="gemini", status="ok", limit=50)   # newest first
    >>> h.get(run_id)["request"]                                   # the body as it was sent

It is a thin view of a :class:`~comet.store.Store` (see :mod:`comet.store`): ``save`` is
``record``, ``query`` is ``page``, ``get`` returns the run's row (``Store.details``) where
``Store.get`` returns the :class:`~comet.core.exchange.Exchange`. Every other method is the store's.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

from . import Store, open_store
from .records import (EXPORT_COLUMNS, LIST_COLUMNS, STATUSES, export_text, extract_blobs, inline_blobs,  # noqa: F401
                      known_secrets, scrub)
from .sqlite import ENV, MIGRATIONS, default_path, fts_query, migrate  # noqa: F401


class History:
    """Row dicts over a store (SQLite at ``path`` unless a Store is given)."""

    def __init__(self, path: str | os.PathLike | Store | None = None, *, secrets: Sequence[str] = ()):
        self.store: Any = path if isinstance(path, Store) else open_store(path, secrets=secrets)

    def __getattr__(self, name: str) -> Any:  # count, timings, call, delete, export, groups, ...
        if name == "store":  # not set yet: opening the store failed
            raise AttributeError(name)
        return getattr(self.store, name)

    def save(self, exchange: Any, **kw: Any) -> int:
        return self.store.record(exchange, **kw)

    def save_many(self, exchanges: Any, **kw: Any) -> list[int]:
        return self.store.record_many(exchanges, **kw)

    def query(self, **filters: Any) -> list[dict[str, Any]]:
        return self.store.page(**filters)

    def get(self, run_id: int) -> dict[str, Any] | None:
        return self.store.details(run_id)

    def frame(self, **filters: Any):
        """:meth:`query` as a pandas DataFrame (``created_at`` as UTC datetimes)."""
        import pandas as pd  # only here: `import comet` stays light

        df = pd.DataFrame(self.query(**filters), columns=[*LIST_COLUMNS, "ok"])
        df["created_at"] = pd.to_datetime(df["created_at"], unit="s", utc=True)
        return df

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.store.close()

