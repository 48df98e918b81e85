"""The reply view: a live stream pane, and the finished run with its metrics, thoughts, raw
exchange and errors. Playground, Compare and History all draw runs with these functions.

Streaming cost stays linear in the reply: text goes into blocks of at most ``BLOCK_CHARS``;
a finished block is written once and never sent again, and only the tail block is redrawn
(at most every ``FLUSH_S``). Redrawing the whole text on every chunk (``st.write_stream``,
or ``markdown`` of everything so far) would send O(n^2) bytes.
"""

from __future__ import annotations

import json
import queue
import threading
from time import perf_counter, time
from typing import Any, Callable, Iterator

import streamlit as st

from comet import CometError, ErrorInfo, Exchange, Reply, Retrying, TextDelta, ThoughtDelta, Timing, prepare
from comet.body import schema as schemas
from comet.body.features.search import read_grounding
from comet.body.hints import error_sentence
from comet.runs.tally import Tally, tally

from . import reply_parts, stamp_view, timeline

BLOCK_CHARS = 800  # a finished block is frozen; only a tail of at most this size is redrawn
FLUSH_S = 0.05  # at most ~20 repaints a second, however fast chunks arrive
POLL_S = 0.1  # how often the page checks in while waiting (lets Stop end the run at once)
STOP_WAIT_S = 2.0  # how long a stopped run may take to hand back its partial Exchange


# ---- live stream ---------------------------------------------------------------------------------

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
            self._slot.markdown((self._fence + "\n" if self._fence else "") + text)


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


def run_live(events: Iterator[Any], cancel: Any, box: Any, call: Any, base_url: str, *,
             on_done: Callable[[Exchange], None]) -> Exchange:
    """Draw a run's events into ``box`` as they arrive and return its Exchange.

    A reader thread consumes ``events`` (from ``Client.stream`` with ``reader_thread=False``: this
    is the run's only reader thread) into a queue, so the page keeps checking in every
    ``POLL_S`` even before the first byte. The first text (and the first
    thought) is painted the moment it arrives; later ones at most every ``FLUSH_S``, and a
    throttled delta waits only until that deadline, never for the next chunk. When Streamlit
    interrupts the script (Stop, or any other widget), the ``finally`` sets ``cancel``, takes
    the partial Exchange the client hands back (or builds one from what arrived) and calls
    ``on_done``, which must not draw: it records the run. ``on_done`` is called exactly once.
    """
    q: queue.Queue = queue.Queue()

    def pump() -> None:
        try:
            for event in events:
                q.put(event)
        except BaseException as exc:  # surfaced in the page's thread
            q.put(_Failed(exc))

    threading.Thread(target=pump, name="comet-stream", daemon=True).start()
    live = _Live(box)
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

    def __init__(self, box: Any):
        self.status = box.empty()
        self.thoughts_slot = box.empty()
        self.pane = StreamPane(box.container())
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


# ---- finished runs -------------------------------------------------------------------------------

def show_error(info: ErrorInfo, *, key: str) -> None:
    """Kind, status, message and fix; the raw body one click away."""
    st.error(error_sentence(info.kind, info.status, info.message, info.request_id))
    notes = []
    if info.fix:
        notes.append(f"**Fix:** {info.fix}")
    if info.retry_after is not None:
        notes.append(f"The service asked to wait {info.retry_after:g} s before retrying.")
    if info.request_id:
        notes.append(f"Request id: `{info.request_id}`")
    if notes:
        st.markdown("  \n".join(notes))
    if info.raw_body:
        with st.expander("Raw error body"):
            st.code(info.raw_body, language="json" if info.raw_body.lstrip()[:1] in "{[" else None,
                    wrap_lines=True)


def show_comet_error(err: CometError, *, key: str) -> None:
    show_error(err.info(), key=key)


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f} ms" if value < 10_000 else f"{value / 1000:.1f} s"


def _n(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _output(counts: Tally) -> str:
    if counts.output_tokens is not None:
        return _n(counts.output_tokens)
    return "unknown" + (f" (~{counts.output_estimate:,} est.)" if counts.output_estimate else "")


def metrics(exchange: Exchange, cost: float | None = None) -> list[tuple[str, str]]:
    """The numbers shown with a reply, as (label, value). An unknown output count says so (with
    an estimate from the kept text), and a cost without the output is marked partial."""
    reply = exchange.reply
    counts = tally(exchange, None)
    partial = cost is not None and counts.output_tokens is None
    usage = reply.usage if reply else None
    extra = [(label, _n(n)) for label, n in (("Cached input tokens", usage and usage.cached_tokens),
                                             ("Tool-use prompt tokens", usage and usage.tool_use_prompt_tokens)) if n]
    return [
        ("Finish", (reply.finish_reason or reply.raw_finish_reason or "–") if reply else "–"),
        ("Input tokens", _n(counts.input_tokens)),
        ("Output tokens", _output(counts)),
        ("Thinking tokens", _n(counts.thinking_tokens)),
        *extra,
        ("Cost", "–" if cost is None else f"≥ ${cost:.6f} (partial)" if partial else f"${cost:.6f}"),
        ("TTFT", _ms(exchange.timing.ttft_ms)),
        ("Latency", _ms(exchange.timing.latency_ms)),
        ("Attempts", str(exchange.attempts)),
        ("Served model", (reply.model_version if reply else None) or "–"),
    ]


def metrics_table(items: list[tuple[str, str]], per_row: int = 5) -> str:
    """Label/value pairs as compact markdown tables (``st.metric`` truncates in a half-width
    column)."""
    out = []
    for i in range(0, len(items), per_row):
        row = [(label, value.replace("|", "\\|")) for label, value in items[i:i + per_row]]
        out.append("| " + " | ".join(label for label, _ in row) + " |\n"
                   + "|" + "---|" * len(row) + "\n| " + " | ".join(v for _, v in row) + " |")
    return "\n\n".join(out)


def show_metrics(exchange: Exchange, cost: float | None = None) -> None:
    st.markdown(metrics_table(metrics(exchange, cost)))
    note = tally(exchange, None).note
    if note:
        st.caption(note)


def raw_response(exchange: Exchange) -> Any:
    """The response JSON, or for a stream each chunk with its arrival time (ms)."""
    raw = exchange.reply.raw if exchange.reply else None
    if exchange.call.stream and isinstance(raw, list):
        times = exchange.timing.chunk_ms
        return [{"at_ms": round(times[i], 1) if i < len(times) else None, "chunk": c}
                for i, c in enumerate(raw)]
    return raw


def request_lines(exchange_or_call: Any, base_url: str | None = None) -> tuple[str, Any]:
    """The exact request: ``METHOD URL`` and headers (key masked) as text, and the body."""
    call = getattr(exchange_or_call, "call", exchange_or_call)
    prepared = prepare(call, base_url or exchange_or_call.base_url)
    head = "\n".join([f"{prepared.method} {prepared.url}"]
                     + [f"{k}: {v}" for k, v in prepared.shown_headers().items()])
    return head, call.body


# ---- what the Gemini-native features add to a reply ------------------------------------------------

def _md(text: str) -> str:
    """Text from the service shown inside markdown: its markup characters escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~" else c for c in text).replace("\n", " ")


def show_block(exchange: Exchange) -> bool:
    """A blocked prompt or reply: the block reason and the safety ratings instead of an empty
    answer (wire-formats B.4: promptFeedback; a candidate's finishReason and safetyRatings).
    Returns whether something was blocked."""
    reply = exchange.reply
    if reply is None:
        return False
    feedback = reply.prompt_feedback or {}
    reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
    if reason:
        st.error(f"**The prompt was blocked** (promptFeedback.blockReason: {reason}). "
                 "Nothing was generated.")
        _ratings(feedback.get("safetyRatings"))
        return True
    if reply.finish_reason == "safety" and not exchange.text:
        raw = reply.raw_finish_reason or "safety"
        field = "finish_reason" if exchange.call.route.value == "openai" else "finishReason"
        st.error(f"**The reply was blocked** ({field}: {raw}).")
        _ratings(list(reply.safety_ratings))
        return True
    if reply.finish_reason == "safety":
        st.warning(f"The reply stopped for safety ({reply.raw_finish_reason}); what came before is shown.")
        _ratings(list(reply.safety_ratings))
    return False


def _ratings(ratings: Any) -> None:
    rows = [{"category": str(r.get("category", "")).removeprefix("HARM_CATEGORY_"),
             "probability": r.get("probability", ""), "blocked": "yes" if r.get("blocked") else ""}
            for r in ratings or [] if isinstance(r, dict)]
    if rows:
        st.markdown("**Safety ratings**")
        st.table(rows)


def structured(exchange: Exchange) -> schemas.Verdict | None:
    """The reply read as the structured output its request asked for, or None."""
    if not exchange.text or exchange.stopped or exchange.partial:
        return None
    request = schemas.requested(exchange.call.route, exchange.call.body)
    return schemas.verdict(exchange.text, request) if request.json else None


def show_verdict(verdict: schemas.Verdict) -> None:
    if not verdict.parsed:
        st.error(f"**Not valid JSON**: {verdict.error}.")
    elif not verdict.schema:
        st.success("Valid JSON (no schema given).")
    elif verdict.valid:
        st.success("Valid: the reply matches the schema.")
    else:
        lines = "\n".join(f"- `{v.path}`: {_md(v.message)}" for v in verdict.violations)
        count = len(verdict.violations)
        st.error(f"**Does not match the schema.** {count} violation{'s' if count != 1 else ''}:\n{lines}")


def show_function_calls(exchange: Exchange) -> None:
    reply = exchange.reply
    for call in reply.function_calls if reply else ():
        st.markdown(f"**Function call** `{call.name}`" + (f" (id `{call.id}`)" if call.id else ""))
        st.json(call.args, expanded=True)


def show_grounding(exchange: Exchange) -> None:
    """Google Search grounding: the sources (title and link), the search queries, and which
    part of the answer each source supports."""
    reply = exchange.reply
    found = read_grounding(reply.grounding if reply else None, exchange.text)
    if found is None:
        return
    st.markdown("**Sources** (Google Search grounding)")
    lines = []
    for source in found.sources:
        link = source.uri if source.uri.startswith(("https://", "http://")) else ""
        title = _md(source.title)
        lines.append(f"{source.number}. [{title}](<{link}>)" if link else f"{source.number}. {title}")
    if lines:
        st.markdown("\n".join(lines))
    if found.queries:
        st.caption("Searched for: " + "; ".join(f"“{q}”" for q in found.queries))
    if found.supports:
        titles = {s.number: s.title for s in found.sources}
        st.table([{"Answer text": s.text,
                   "Supported by": ", ".join(f"[{n}] {titles.get(n, '?')}" for n in s.sources),
                   "Confidence": ", ".join(f"{c:.2f}" for c in s.scores)} for s in found.supports])


def show_exchange(exchange: Exchange, *, key: str, cost: float | None = None,
                  show_request: bool = True, show_raw: bool = True) -> None:
    """A finished run (live, or read back from history): notes, error, thoughts, text (markdown
    or plain), schema verdict, function calls, grounding, metrics, raw exchange."""
    if exchange.stopped:
        st.warning(f"Stopped. The partial reply is kept ({len(exchange.text):,} characters) and recorded.")
    elif exchange.partial and exchange.error is None:
        st.warning("The stream ended before the reply finished; the partial text is kept.")
    if exchange.error is not None:
        show_error(exchange.error, key=f"{key}_err")
    elif exchange.attempts > 1:
        st.caption(f"Answered on attempt {exchange.attempts}: the earlier attempts failed and were retried.")
    if exchange.thoughts:
        with st.expander("Thoughts", expanded=exchange.call.stream):  # as it was while streaming
            thinking = exchange.reply.usage.thinking_tokens if exchange.reply else None
            if thinking:
                st.caption(f"Thought summary · {thinking:,} thinking tokens")
            st.markdown(exchange.thoughts)  # summaries are markdown; raw HTML is not rendered
    blocked = show_block(exchange)
    verdict = structured(exchange)
    if reply_parts.has_parts(exchange):  # images or code execution, in order with the text
        plain = bool(exchange.text) and st.toggle("Plain text", key=f"{key}_plain", help="the text as sent")
        reply_parts.show_in_order(exchange, key=key, plain=plain)
    elif exchange.text:
        if st.toggle("Plain text", key=f"{key}_plain", help="show the reply as sent, without markdown"):
            st.text(exchange.text)
        elif verdict is not None and verdict.parsed:
            st.code(json.dumps(verdict.value, indent=2, ensure_ascii=False), language="json")
        else:
            st.markdown(exchange.text)  # raw HTML in model output is not rendered
    elif exchange.error is None and not exchange.stopped and not blocked and not (
            exchange.reply and exchange.reply.function_calls):
        st.caption("The reply has no text.")
    if verdict is not None:
        show_verdict(verdict)
    show_function_calls(exchange)
    show_grounding(exchange)
    reply_parts.show_url_context(exchange)
    show_metrics(exchange, cost)
    stamp_view.caption(exchange)
    timeline.show(exchange, key=f"{key}_timeline")
    raw = raw_response(exchange) if show_raw else None
    if raw is not None:
        label = "Raw response (chunks with arrival times)" if exchange.call.stream else "Raw response"
        with st.expander(label):
            st.json(raw, expanded=2)
    if show_request:
        head, body = request_lines(exchange)
        with st.expander("Request"):
            st.code(head, language="http")
            st.code(json.dumps(body, indent=2, ensure_ascii=False), language="json")
