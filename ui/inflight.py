"""One cap on the requests the pages have in flight, shared by every session of this server:
Playground sends, Compare lanes and Batch workers all take a slot of one semaphore while their
request runs, so a few large batches cannot open thousands of connections from one process.

``COMET_PAGES_IN_FLIGHT`` sets the cap (default :data:`DEFAULT`, 1 to
:data:`comet.runs.batch.MAX_CONCURRENCY` x 16). A request waits for a slot (Stop still ends it
at once: it is then never sent); a slot is freed when its run ends. The CLI is not capped here:
``--concurrency`` bounds it.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Iterator

from comet import CancelToken, Call
from comet.core.errors import ConfigError
from comet.runs.batch import MAX_CONCURRENCY

ENV = "COMET_PAGES_IN_FLIGHT"
DEFAULT = MAX_CONCURRENCY  # one CLI batch's most: the pages together get as many
MOST = MAX_CONCURRENCY * 16
_slots: dict[int, threading.BoundedSemaphore] = {}
_lock = threading.Lock()


def limit() -> int:
    """The cap from ``COMET_PAGES_IN_FLIGHT`` (a ConfigError naming it when it is not 1 to MOST)."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return DEFAULT
    if not text.isdigit() or not 1 <= int(text) <= MOST:
        raise ConfigError(f"{ENV} = {text!r} is not a number of requests from 1 to {MOST:,}",
                          fix=f"set {ENV} to a whole number, for example {DEFAULT}, or unset it")
    return int(text)


def slots() -> threading.BoundedSemaphore:
    """The server's semaphore for the cap in force (one per value, so a test may set its own)."""
    cap = limit()
    with _lock:
        return _slots.setdefault(cap, threading.BoundedSemaphore(cap))


class Gated:
    """A client whose ``stream`` holds a slot of :func:`slots` while the run lasts; anything else
    is the client's own."""

    def __init__(self, client: Any):
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def stream(self, call: Call, cancel: CancelToken | None = None, **options: Any) -> Iterator[Any]:
        events = self._client.stream(call, cancel, **options)  # a refused request raises here, no slot taken
        return _held(events, slots(), cancel)


def _held(events: Iterator[Any], gate: threading.BoundedSemaphore, cancel: CancelToken | None) -> Iterator[Any]:
    while not gate.acquire(timeout=0.1):
        if cancel is not None and cancel.is_set():
            yield from events  # the client sees the cancel first and sends nothing
            return
    try:
        yield from events
    finally:
        gate.release()
