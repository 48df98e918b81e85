"""A run as it streams in: the live pane and the status line, painted while the events arrive.

Streaming cost stays linear in the reply: text goes into blocks of at most ``BLOCK_CHARS``;
a finished block is written once and never sent again, and only the tail block is redrawn
(at most every ``FLUSH_S``). Redrawing the whole text on every chunk (``st.write_stream``,
or ``markdown`` of everything so far) would send O(n^2) bytes.
"""

from __future__ import annotations

import queue
import threading
from time import perf_counter, time
from typing import Any, Callable, Iterator

import streamlit as st

from comet import Exchange, Reply, Retrying, TextDelta, ThoughtDelta, Timing

from ..inert import inert

BLOCK_CHARS = 800  # a finished block is frozen; only a tail of at most this size is redrawn
FLUSH_S = 0.05  # at most ~20 repaints a second, however fast chunks arrive
POLL_S = 0.1  # how often the page checks in while waiting (lets Stop end the run at once)
STOP_WAIT_S = 2.0  # how long a stopped run may take to hand back its partial Exchange


def split_point(text: str, limit: int) -> int:
    """Where to end a full block: after the last blank line (or newline) in the first ``limit``
    characters, so markdown paragraphs stay whole; a hard cut only for one very long line."""
    window = text[:limit]
    for sep in ("\n\n", "\n"):
        at = window.rfind(sep)
        if at >= limit // 2:
            return at + len(sep)
    return limit


def _fence_after(opener: str | None, text: str) -> str | None:
    """The code fence still open after ``text`` (its opening line), or None."""
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            opener = None if opener else line.strip()
    return opener


class StreamPane:
    """Text arriving in pieces, drawn in bounded blocks inside ``parent``."""

    def __init__(self, parent: Any, *, block_chars: int = BLOCK_CHARS, plain: bool = False):
        self.parent = parent
        self.block_chars = block_chars
        self.plain = plain
        self.parts: list[str] = []
        self._tail = ""
        self._drawn: str | None = None
        self._slot: Any = None
        self._fence: str | None = None  # a code fence open at the start of the tail block

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self._tail += text

    def flush(self) -> None:
        while len(self._tail) > self.block_chars:
            cut = split_point(self._tail, self.block_chars)
            head, self._tail = self._tail[:cut], self._tail[cut:]
            self._draw(head)
            self._fence = _fence_after(self._fence, head)
            self._slot, self._drawn = None, None  # the block is done: never drawn again
        if self._tail and self._tail != self._drawn:
            self._draw(self._tail)
            self._drawn = self._tail

    def _draw(self, text: str) -> None:
        if self._slot is None:
            self._slot = self.parent.empty()
        if self.plain:
            self._slot.text(text)
        else:  # a block that starts inside a code fence reopens it, so it renders as code
            self._slot.markdown(inert((self._fence + "\n" if self._fence else "") + text))


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


def run_live(events: Iterator[Any], cancel: Any, box: Any, call: Any, base_url: str, *,
             on_done: Callable[[Exchange], None], plain_key: str | None = None) -> Exchange:
    """Draw a run's events into ``box`` as they arrive and return its Exchange.

    A reader thread consumes ``events`` (from ``Client.stream`` with ``reader_thread=False``: this
    is the run's only reader thread) into a queue, so the page keeps checking in every
    ``POLL_S`` even before the first byte. The first text (and the first
    thought) is painted the moment it arrives; later ones at most every ``FLUSH_S``, and a
    throttled delta waits only until that deadline, never for the next chunk. When Streamlit
    interrupts the script (Stop, or any other widget), the ``finally`` sets ``cancel``, takes
    the partial Exchange the client hands back (or builds one from what arrived) and calls
    ``on_done``, which must not draw: it records the run. ``on_done`` is called exactly once.
    ``plain_key``: the finished reply's Plain text toggle, shown (disabled) in its place while the
    text streams, so the words stay where they are when the finished reply replaces the live one.
    """
    q: queue.Queue = queue.Queue()

    def pump() -> None:
        try:
            for event in events:
                q.put(event)
        except BaseException as exc:  # surfaced in the page's thread
            q.put(_Failed(exc))

    threading.Thread(target=pump, name="comet-stream", daemon=True).start()
    live = _Live(box, plain_key)
    exchange: Exchange | None = None
    try:
        while exchange is None:
            exchange = live.take(_batch(q, live.wait()))
            live.paint(final=exchange is not None)
    finally:
        if exchange is None:  # interrupted: no drawing here, Streamlit is unwinding the script
            cancel.set()
            exchange = _final(q, STOP_WAIT_S) or _partial(call, base_url, live.pane.text,
                                                         live.thoughts.text if live.thoughts else "",
                                                         live.start)
        on_done(exchange)
    return exchange


def _batch(q: queue.Queue, timeout: float) -> list[Any]:
    """Everything queued now, after waiting up to ``timeout`` for the first item."""
    try:
        batch = [q.get(timeout=timeout)]
    except queue.Empty:
        return []
    while True:
        try:
            batch.append(q.get_nowait())
        except queue.Empty:
            return batch


class _Live:
    """The panes of one live run and when they were last painted."""

    def __init__(self, box: Any, plain_key: str | None = None):
        # in the finished reply's order (ui/run/finished.py): thoughts, the Plain text toggle, the
        # text, then the metrics, where the status line stands meanwhile
        self.thoughts_slot = box.empty()
        plain = False
        if plain_key is not None:
            plain = bool(st.session_state.get(plain_key, False))
            box.toggle("Plain text", value=plain, disabled=True, key=f"{plain_key}_live",
                       help="the reply as sent, without markdown: switch it once the reply is in")
        self.pane = StreamPane(box.container(), plain=plain)
        self.status = box.empty()
        self.thoughts: StreamPane | None = None
        self.start = perf_counter()
        self.last_paint = 0.0
        self.dirty = False  # text arrived that is not on the page yet
        self.first = False  # this batch holds the first text or the first thought
        self.retry: Retrying | None = None
        self.retry_at = 0.0
        self.said: tuple[str, str] | None = None
        self._say("caption", "Waiting for the first token…")

    def wait(self) -> float:
        """How long to wait for the next event: until the paint deadline when text is waiting."""
        if not self.dirty:
            return POLL_S
        return max(0.0, min(POLL_S, self.last_paint + FLUSH_S - perf_counter()))

    def take(self, batch: list[Any]) -> Exchange | None:
        exchange = None
        for event in batch:
            if isinstance(event, TextDelta):
                self.first = self.first or not self.pane.parts
                self.pane.add(event.text)
                self.dirty = True
            elif isinstance(event, ThoughtDelta):
                if self.thoughts is None:
                    self.first = True
                    self.thoughts = StreamPane(self.thoughts_slot.expander("Thoughts", expanded=True),
                                               plain=True)
                self.thoughts.add(event.text)
                self.dirty = True
            elif isinstance(event, Retrying):
                self.retry, self.retry_at = event, perf_counter() + event.delay_s
            elif isinstance(event, Exchange):
                exchange = event
            elif isinstance(event, _Failed):
                raise event.exc
        return exchange

    def paint(self, *, final: bool) -> None:
        now = perf_counter()
        if not (final or self.first) and now - self.last_paint < FLUSH_S:
            return
        self.last_paint, self.dirty, self.first = now, False, False
        self.pane.flush()
        if self.thoughts is not None:
            self.thoughts.flush()
        if self.pane.parts:
            self._say("caption", f"Streaming… {len(self.pane.parts)} chunks, {now - self.start:.1f} s")
        elif self.retry is not None:  # a rate limit or a server error: say when the next try comes
            self._say("warning", f"{retry_message(self.retry)}; {max(0.0, self.retry_at - now):.1f} s to go")
        else:  # whole seconds: a redraw every poll would keep the browser busy when the first token lands
            self._say("caption", f"Waiting for the first token… {now - self.start:.0f} s")

    def _say(self, kind: str, text: str) -> None:
        """The status line, sent to the browser only when it reads differently."""
        if (kind, text) != self.said:
            self.said = (kind, text)
            getattr(self.status, kind)(text)


def _final(q: queue.Queue, timeout: float) -> Exchange | None:
    deadline = perf_counter() + timeout
    while (left := deadline - perf_counter()) > 0:
        try:
            event = q.get(timeout=left)
        except queue.Empty:
            return None
        if isinstance(event, Exchange):
            return event
        if isinstance(event, _Failed):
            return None
    return None


def _partial(call: Any, base_url: str, text: str, thoughts: str, start: float) -> Exchange:
    """A stopped run whose client did not answer in time: what arrived, marked stopped."""
    elapsed = (perf_counter() - start) * 1000
    return Exchange(call=call, base_url=base_url, status=None,
                    reply=Reply(text=text, thoughts=thoughts), error=None,
                    timing=Timing(started_at=time() - elapsed / 1000, latency_ms=elapsed),
                    stopped=True, partial=True)


def retry_message(event: Retrying) -> str:
    what = f"HTTP {event.error.status}" if event.error.status else event.error.kind
    reason = "rate limited" if event.error.kind == "rate_limited" else event.error.kind.replace("_", " ")
    return (f"Attempt {event.attempt - 1} failed ({what}, {reason}): retrying in "
            f"{event.delay_s:.1f} s (attempt {event.attempt})")
