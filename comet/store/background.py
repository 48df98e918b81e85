"""Writes that never hold their caller: a bounded queue drained by one writer thread, for the
pages (runs and drafts), so a frozen or unreachable database costs a page nothing.

:class:`Writer` takes writes (functions of the store) and returns a :class:`Ticket` at once; its
thread opens the store (``opener``) and runs them in order. A write that fails because the store
cannot be used is retried with :mod:`comet.store.keeping`'s backoff, then once every
:data:`~comet.store.keeping.PROBE_S` seconds until the store answers again, so nothing queued is
lost to an outage; the writes behind it wait. The queue holds at most ``limit`` writes: past that a
write is refused and counted (:attr:`Writer.dropped`). A write with a ``key`` replaces the queued
one with that key (a draft's newest text). A run is written under a uid chosen once, so a retry
after a write that did land adds nothing twice (as :class:`~comet.store.keeping.Keeper` does).

    >>> writer = Writer(lambda: open_store(url))                         # doctest: +SKIP
    >>> ticket = writer.record(exchange, cost=0.01)
    >>> ticket.wait(2.0) and ticket.value                                # the run's id
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter
from typing import Any, Callable, Sequence

from comet.core.errors import CometError
from comet.core.exchange import Exchange

from .keeping import PROBE_S, WAITS_S
from .records import new_uid

LIMIT = 1_000  # writes waiting at most: about a day of one busy person's runs, a few MB
log = logging.getLogger(__name__)


def store_down(exc: BaseException) -> bool:
    """Is ``exc`` about the store (retry later) rather than about this write (a bug: give up)?"""
    return isinstance(exc, (CometError, OSError, sqlite3.OperationalError)) or \
        type(exc).__name__ == "OperationalError"  # psycopg's, without importing it


class Ticket:
    """One queued write: :meth:`wait` for it; then ``value`` (what the write returned) or ``error``."""

    def __init__(self, kind: str, write: Callable[[Any], Any], key: str | None) -> None:
        self.kind, self.write, self.key = kind, write, key
        self.value: Any = None
        self.error: BaseException | None = None
        self._done = threading.Event()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None) -> bool:
        """True once written (or given up on); False while it still waits."""
        return self._done.wait(timeout)

    def _finish(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error = value, error
        self._done.set()


class Writer:
    """One store's queue and writer thread (see the module). Safe to share between threads."""

    def __init__(self, opener: Callable[[], Any], *, limit: int = LIMIT, waits: Sequence[float] = WAITS_S,
                 probe_s: float = PROBE_S, on_change: Callable[[str | None], None] | None = None):
        self.opener, self.limit, self.waits, self.probe_s = opener, limit, tuple(waits), probe_s
        self.on_change = on_change  # told the problem when the store fails, None when it answers again
        self.problem: str | None = None  # why the last attempt failed; None once a write lands
        self.dropped: Counter[str] = Counter()  # writes refused by kind ("run", "draft") while full
        self.failed: Counter[str] = Counter()  # writes given up on (an error about the write itself)
        self._queue: list[Ticket] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- putting --
    def put(self, kind: str, write: Callable[[Any], Any], *, key: str | None = None) -> Ticket:
        """Queue ``write(store)``; the ticket is done at once (with an error) when the queue is full."""
        ticket = Ticket(kind, write, key)
        with self._lock:
            same = [i for i, t in enumerate(self._queue) if key is not None and t.key == key]
            if same and same[-1] > 0:  # the first one may be being written: replace only a later one
                old = self._queue[same[-1]]
                self._queue[same[-1]] = ticket
                old._finish(error=_Replaced())
            elif len(self._queue) >= self.limit:
                self.dropped[kind] += 1
                ticket._finish(error=Full(f"the queue of {self.limit} writes waiting for the store is full"))
                return ticket
            else:
                self._queue.append(ticket)
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name="comet-store-writer", daemon=True)
                self._thread.start()
        return ticket

    def record(self, exchange: Exchange, *, wrap: Callable[[Any], Any] = lambda store: store,
               group_id: str | None = None, label: str | None = None, cost: float | None = None,
               uid: str | None = None) -> Ticket:
        """Queue a run; the ticket's value is its id (None: an earlier attempt, or a run with
        ``uid``, had written it). ``wrap`` makes the store the writer's own view of it (who the
        run is attributed to)."""
        uid = uid or new_uid()  # once: a retry after a write that landed is skipped by the store
        return self.put("run", lambda store: wrap(store).record_many(
            [exchange], group_ids=[group_id], labels=[label], costs=[cost], uids=[uid])[0])

    # -- reading --
    @property
    def waiting(self) -> Counter[str]:
        """Writes queued, by kind."""
        with self._lock:
            return Counter(t.kind for t in self._queue)

    @property
    def down(self) -> bool:
        """The last attempt failed and writes are waiting for the store."""
        return self.problem is not None and bool(self._queue)

    def queued(self, key: str) -> Ticket | None:
        """The newest queued write with ``key``, not yet written."""
        with self._lock:
            return next((t for t in reversed(self._queue) if t.key == key), None)

    def drain(self, timeout: float) -> bool:
        """Wait until nothing is queued; False when writes still wait after ``timeout`` seconds."""
        with self._lock:
            last = self._queue[-1] if self._queue else None
        return last is None or (last.wait(timeout) and not self.waiting)

    # -- the thread --
    def _drain(self) -> None:
        tries = 0
        while True:
            with self._lock:
                if not self._queue:
                    self._thread = None
                    return
                ticket = self._queue[0]
            try:
                value = ticket.write(self.opener())
            except BaseException as exc:  # noqa: BLE001 - sorted below: the store's, or this write's
                if not store_down(exc):
                    log.exception("a %s could not be written to the history", ticket.kind)
                    self.failed[ticket.kind] += 1
                    self._pop(ticket, error=exc)
                    continue
                self._say(str(exc))
                self._wake.wait(self.waits[tries] if tries < len(self.waits) else self.probe_s)
                tries += 1
                continue
            tries = 0
            self._pop(ticket, value=value)
            if self.problem is not None:
                self._say(None)

    def _pop(self, ticket: Ticket, **result: Any) -> None:
        with self._lock:
            self._queue.remove(ticket)
        ticket._finish(**result)

    def _say(self, problem: str | None) -> None:
        self.problem = problem
        if self.on_change is not None:
            self.on_change(problem)


class Full(CometError):
    """The queue was full: this write was dropped (counted in :attr:`Writer.dropped`)."""

    kind = "history_full"


class _Replaced(Exception):
    """A newer write with the same key took this one's place in the queue."""
