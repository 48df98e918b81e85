"""Recording that outlasts a store's hiccup (a PostgreSQL restart, a SQLite file locked for a
moment), for the CLI's ``--record``.

:class:`Keeper` wraps a :class:`~comet.store.Store`: each run is written with retries and
backoff (:data:`WAITS_S`) under a uid chosen once, so a retry after a write that did land adds
nothing twice. Once a run has used all its retries the store counts as down: later runs wait in
:attr:`Keeper.pending` without retrying (one probe every :data:`PROBE_S` seconds tells when it is
back), so an outage does not slow a batch. :meth:`Keeper.flush` tries the pending runs once more
with the same backoff; what it cannot write is the number the command reports.

    >>> keeper = Keeper(open_store())                       # doctest: +SKIP
    >>> keeper.record(exchange, group_id="bat-1")           # the run's id, or None (pending)
    >>> keeper.flush()                                      # 0: every run is in the store
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, NamedTuple, Sequence

from comet.core.exchange import Exchange

from .records import new_uid

WAITS_S = (0.5, 1.0, 2.0, 4.0)  # between attempts: about the time PostgreSQL takes to restart
PROBE_S = 2.0  # while the store is down, one run in this long tries it; the rest wait in pending


class _Item(NamedTuple):
    uid: str
    exchange: Exchange
    group_id: str | None
    label: str | None
    cost: float | None


class Keeper:
    """``store`` with retried writes (see the module). Safe to share between threads; any other
    attribute is the store's own."""

    def __init__(self, store: Any, *, waits: Sequence[float] = WAITS_S, probe_s: float = PROBE_S,
                 sleep: Callable[[float], None] = time.sleep):
        self.store, self.waits, self.probe_s, self._sleep = store, tuple(waits), probe_s, sleep
        self.pending: list[_Item] = []
        self.problem: str | None = None  # the last error, for the command to show
        self._down_since: float | None = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def record(self, exchange: Exchange, *, group_id: str | None = None, label: str | None = None,
               cost: float | None = None, uid: str | None = None) -> int | None:
        """The run's id once written; None when it could not be written yet (it is pending), or
        when a run with ``uid`` is there already."""
        item = _Item(uid or new_uid(), exchange, group_id, label, cost)
        with self._lock:
            down, now = self._down_since, time.monotonic()
            if down is not None:
                if now - down < self.probe_s:
                    self.pending.append(item)
                    return None
                self._down_since = now  # this run probes; the others keep waiting
        try:
            return self._write([item], () if down is not None else self.waits)[0]
        except Exception:
            with self._lock:
                self.pending.append(item)
            return None

    def flush(self) -> int:
        """Write the pending runs, with the backoff; how many are still not written."""
        with self._lock:
            todo, self.pending = self.pending, []
        if todo:
            try:
                self._write(todo, self.waits)
            except Exception:
                with self._lock:
                    self.pending = todo + self.pending
        with self._lock:
            return len(self.pending)

    def save_batch(self, batch_id: str, report: dict[str, Any]) -> None:
        """The batch's verdicts, with the backoff unless the store is down; the last error is raised."""
        self._retried(lambda: self.store.save_batch(batch_id, report), () if self._down_since is not None else self.waits)

    def _write(self, items: list[_Item], waits: Sequence[float]) -> list[int | None]:
        """The items' ids (None for one a failed attempt had already written: its uid is there)."""
        return self._retried(lambda: self.store.record_many(
            [i.exchange for i in items], group_ids=[i.group_id for i in items], labels=[i.label for i in items],
            costs=[i.cost for i in items], uids=[i.uid for i in items]), waits)

    def _retried(self, write: Callable[[], Any], waits: Sequence[float]) -> Any:
        for wait in (*waits, None):
            try:
                done = write()
            except Exception as exc:  # any store's error: ConfigError, sqlite3's, psycopg's
                with self._lock:
                    self.problem = str(exc)
                    if wait is None:
                        self._down_since = time.monotonic()
                if wait is None:
                    raise
                self._sleep(wait)
            else:
                with self._lock:
                    self._down_since = None
                return done
