"""The client's whole-call deadline: one watchdog thread shuts a response's socket when its
call runs out of time.

httpx bounds each read, not a call: a server that sends one byte a second never trips a read
timeout. So, once an answer has begun, :data:`WATCHDOG` holds its deadline and at that moment
shuts the socket down (``shutdown`` wakes a read blocked in another thread; ``close`` would
not). The read then fails, and the client, seeing :attr:`Guard.fired`, reports a timeout with
whatever text had arrived. One thread serves every client; a call that ends in time cancels
its entry (a flag, so the common case costs a heap push and a lock, nothing else).

Before the answer has begun there is no response to shut: connecting, sending and the wait for
the status line and headers happen inside ``httpx2``. For those, :func:`transport` gives httpx2 a
connection pool over :class:`Backend`, whose every socket wait is cut to the time left of the
call this thread is :func:`opening`, so a server that trickles its headers ends the call on time
in any thread, with or without a reader thread, on a new or a kept-alive connection.
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
from time import perf_counter
from typing import Any

import httpcore2
import httpx2


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


# ---- before the answer: the sockets keep the deadline of the call being opened -------------------

_OPENING = threading.local()  # per thread: opening a call is synchronous, nothing else runs meanwhile


def opening(deadline: float | None) -> None:
    """Bound every socket wait of this thread by ``deadline`` (a ``perf_counter`` time) until
    ``opening(None)``: the client calls it around connecting, sending and reading the headers."""
    _OPENING.deadline = deadline if deadline is not None and deadline < float("inf") else None  # no time_t holds inf


def _left(timeout: float | None) -> float | None:
    """``timeout`` cut to the time left of the call being opened (never zero: a zero timeout
    makes a socket non-blocking, which would fail as an error, not a timeout)."""
    deadline = getattr(_OPENING, "deadline", None)
    if deadline is None:
        return timeout
    left = max(0.001, deadline - perf_counter())
    return left if timeout is None or left < timeout else timeout


class _Stream(httpcore2.NetworkStream):
    """httpcore2's socket stream with each wait recomputed from the deadline: a per-read
    timeout alone lets a byte a second hold a call for ever."""

    def __init__(self, stream: httpcore2.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> "_Stream":
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class Backend(httpcore2.NetworkBackend):
    """httpcore2's own sockets (:class:`httpcore2.SyncBackend`) as :class:`_Stream`."""

    def __init__(self) -> None:
        self._sockets = httpcore2.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> _Stream:
        return _Stream(self._sockets.connect_tcp(host, port, _left(timeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> _Stream:
        return _Stream(self._sockets.connect_unix_socket(path, _left(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._sockets.sleep(seconds)


def transport(ssl_context: Any) -> httpx2.HTTPTransport:
    """httpx2's transport with its default limits over :class:`Backend`. httpx2 takes no
    network backend, so its pool is built again with one (the same arguments otherwise)."""
    limits = httpx2.Limits(max_connections=100, max_keepalive_connections=20)  # httpx2's defaults
    made = httpx2.HTTPTransport(verify=ssl_context, limits=limits)
    made._pool = httpcore2.ConnectionPool(
        ssl_context=ssl_context, max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry, network_backend=Backend())
    return made
