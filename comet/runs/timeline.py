"""A run's timeline: when each stream chunk arrived, the gaps between them, the stalls, and how
fast the answer's tokens flowed. Pure data from a finished :class:`~comet.core.exchange.Exchange`
(the live one, or one read back from the store: the same chunk times give the same timeline);
``ui/timeline.py`` draws it.

Times are milliseconds from the start of the attempt that answered (``Timing.chunk_ms``,
``ttfb_ms`` and ``ttft_ms`` share that origin). The end is ``latency_ms`` when the run took one
attempt; after retries ``latency_ms`` also counts the failed attempts, so the end is the last
chunk's arrival.

Tokens per chunk: the service reports only a total, so each chunk gets a share of the answer's
``output_tokens`` in proportion to the answer text it carried. Without a reported total (an
OpenAI stream without ``include_usage``) the count is estimated at one token per four
characters, and ``Timeline.estimated`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comet.core.exchange import Exchange, TextDelta
from comet.http.chunks import Accumulator

STALL_MS = 500.0  # a gap between chunks longer than this is a stall
RATE_WINDOW_MS = 500.0  # tokens per second are measured over the chunks of the last half second
CHARS_PER_TOKEN = 4  # the estimate when the service reported no token count


@dataclass(frozen=True)
class Chunk:
    index: int
    at_ms: float
    gap_ms: float  # since the previous chunk (the first: since the first byte, or the start)
    chars: int  # answer text it carried
    tokens: float  # its share of the answer's tokens
    total_tokens: float  # tokens up to and including this chunk
    rate: float | None  # tokens per second over the last RATE_WINDOW_MS (None: not measurable)
    stall: bool


@dataclass(frozen=True)
class Timeline:
    chunks: tuple[Chunk, ...]
    first_byte_ms: float | None
    first_token_ms: float | None
    end_ms: float | None
    tokens: float  # the answer's tokens (reported, or estimated)
    estimated: bool  # True when ``tokens`` is an estimate
    stall_ms: float

    @property
    def stalls(self) -> tuple[Chunk, ...]:
        return tuple(c for c in self.chunks if c.stall)

    @property
    def tokens_per_s(self) -> float | None:
        """The answer's tokens over the time from the first token to the end."""
        if self.first_token_ms is None or self.end_ms is None or self.end_ms <= self.first_token_ms:
            return None
        return self.tokens / ((self.end_ms - self.first_token_ms) / 1000)

    def marks(self) -> list[dict[str, Any]]:
        """The moments worth a label: first byte, first token, end (those that are known)."""
        found = (("first byte", self.first_byte_ms), ("first token", self.first_token_ms), ("end", self.end_ms))
        return [{"event": name, "at_ms": round(at, 1)} for name, at in found if at is not None]

    def records(self, label: str = "") -> list[dict[str, Any]]:
        """One row per chunk (and a row per mark, ``event`` set): the chart's data."""
        rows: list[dict[str, Any]] = [
            {"target": label, "event": "stall" if c.stall else "chunk", "index": c.index,
             "at_ms": round(c.at_ms, 1), "from_ms": round(c.at_ms - c.gap_ms, 1), "gap_ms": round(c.gap_ms, 1),
             "tokens": round(c.tokens, 2), "total_tokens": round(c.total_tokens, 2),
             "rate": None if c.rate is None else round(c.rate, 1)}
            for c in self.chunks]
        rows += [{"target": label, **mark} for mark in self.marks()]
        return rows

    def summary(self) -> str:
        """One line: chunks, first byte, first token, end, stalls, tokens per second."""
        def ms(v: float | None) -> str:
            return "–" if v is None else f"{v:,.0f} ms"
        rate = self.tokens_per_s
        parts = [f"{len(self.chunks)} chunk{'s' if len(self.chunks) != 1 else ''}",
                 f"first byte {ms(self.first_byte_ms)}", f"first token {ms(self.first_token_ms)}",
                 f"end {ms(self.end_ms)}",
                 f"{len(self.stalls)} stall{'s' if len(self.stalls) != 1 else ''} over {self.stall_ms:,.0f} ms"]
        if rate is not None:
            parts.append(f"{'≈' if self.estimated else ''}{rate:,.1f} tokens/s")
        return " · ".join(parts)


def _chars(exchange: Exchange) -> list[int]:
    """Answer characters per raw chunk, read with the route's own parser."""
    raw = exchange.reply.raw if exchange.reply else None
    if not exchange.call.stream or not isinstance(raw, list):
        return [len(exchange.text)] if exchange.timing.chunk_ms else []
    acc, out = Accumulator(exchange.call.route), []
    for chunk in raw:
        try:
            deltas = acc.add(chunk)
        except ValueError:  # a malformed chunk carried no answer text
            deltas = []
        out.append(sum(len(d.text) for d in deltas if isinstance(d, TextDelta) and d.candidate == 0))
    return out


def _rates(times: list[float], totals: list[float], window_ms: float) -> list[float | None]:
    rates: list[float | None] = []
    start = 0
    for i, t in enumerate(times):
        while times[start] < t - window_ms:
            start += 1
        # the tokens that came after chunk j, over the time since it: j is the oldest chunk in
        # the window, or the one before this chunk when it is alone in it (after a stall)
        j = start if start < i else max(0, i - 1)
        span = t - times[j]
        rates.append((totals[i] - totals[j]) / (span / 1000) if i > j and span > 0 else None)
    return rates


def timeline(exchange: Exchange, *, stall_ms: float = STALL_MS, window_ms: float = RATE_WINDOW_MS) -> Timeline:
    """The timeline of one finished run (streamed or not; a run with no chunks has none)."""
    timing = exchange.timing
    times = list(timing.chunk_ms)
    chars = (_chars(exchange) + [0] * len(times))[:len(times)]
    usage = exchange.reply.usage if exchange.reply else None
    reported = usage.output_tokens if usage is not None else None
    total_chars = sum(chars)
    estimated = reported is None
    tokens = float(reported) if reported is not None else total_chars / CHARS_PER_TOKEN
    shares = [tokens * c / total_chars if total_chars else 0.0 for c in chars]
    totals, running = [], 0.0
    for share in shares:
        running += share
        totals.append(running)
    rates = _rates(times, totals, window_ms)
    # the first chunk's gap counts from the first byte; without one it is the wait, not a stall
    from_byte = timing.ttfb_ms is not None and bool(times) and timing.ttfb_ms <= times[0]
    chunks, before = [], timing.ttfb_ms if from_byte else 0.0
    for i, at in enumerate(times):
        gap = at - before
        chunks.append(Chunk(i, at, gap, chars[i], shares[i], totals[i], rates[i],
                            stall=gap > stall_ms and (i > 0 or from_byte)))
        before = at
    end = timing.latency_ms if exchange.attempts == 1 else (times[-1] if times else None)
    if end is not None and times:
        end = max(end, times[-1])
    return Timeline(tuple(chunks), timing.ttfb_ms, timing.ttft_ms, end, tokens, estimated, stall_ms)
