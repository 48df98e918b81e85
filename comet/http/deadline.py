"""The client's whole-call deadline: one watchdog thread shuts a response's socket when its
call runs out of time.

httpx bounds each read, not a call: a server that sends one byte a second never trips a read
timeout. So, once an answer has begun, :data:`WATCHDOG` holds its deadline and at that moment
shuts the socket down (``shutdown`` wakes a read blocked in another thread; ``close`` would
not). The read then fails, and the client, seeing :attr:`Guard.fired`, reports a timeout with
whatever text had arrived. One thread serves every client; a call that ends in time cancels
its entry (a flag, so the common case costs a heap push and a lock, nothing else).
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
from time import perf_counter
from typing import Any


class Guard:
    """One armed deadline. ``fired`` tells the reader why its read failed."""

    __slots__ = ("when", "seq", "response", "fired", "cancelled")

    def __init__(self, when: float, seq: int, response: Any):
        self.when, self.seq, self.response = when, seq, response
        self.fired = self.cancelled = False

    def __lt__(self, other: "Guard") -> bool:
        return (self.when, self.seq) < (other.when, other.seq)



def shut(response: Any) -> None:
    """Shut down the socket under an httpx response (the ``network_stream`` extension that
    httpcore provides), so that a read blocked on it returns at once."""
    stream = getattr(response, "extensions", {}).get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed: the read has ended anyway
            pass


class Watchdog:
    def __init__(self) -> None:
        self._heap: list[Guard] = []
        self._stale = 0  # cancelled guards still in the heap (dropped in bulk, see cancel)
        # at() and cancel() take the lock directly, cheaper than the Condition's with; the loop waits on it
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def at(self, when: float, response: Any) -> Guard:
        """Shut ``response``'s socket at ``when`` (a ``perf_counter`` time) unless cancelled."""
        guard = Guard(when, next(self._seq), response)
        with self._lock:
            heapq.heappush(self._heap, guard)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="comet-deadline", daemon=True)
                self._thread.start()
            if self._heap[0] is guard:
                self._wake.notify()
        return guard

    def cancel(self, guard: Guard) -> bool:
        """Disarm ``guard``; True when it had already fired (the call ran out of time). Under
        the lock, so a socket is never shut after its call has ended in time."""
        with self._lock:
            guard.cancelled = True
            guard.response = None
            self._stale += not guard.fired  # a fired guard has left the heap already
            if self._stale > 256 and self._stale * 2 > len(self._heap):  # amortised: heaps stay small
                self._heap = [g for g in self._heap if not g.cancelled]
                heapq.heapify(self._heap)
                self._stale = 0
            return guard.fired

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._heap or self._heap[0].when > perf_counter():
                    # at most an hour at a time: an infinite timeout is no time_t
                    self._wake.wait(min(self._heap[0].when - perf_counter(), 3600.0) if self._heap else None)
                guard = heapq.heappop(self._heap)
                response = guard.response
                if guard.cancelled or response is None:
                    self._stale -= guard.cancelled
                    continue
                guard.fired = True
                shut(response)


WATCHDOG = Watchdog()
