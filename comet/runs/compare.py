"""One request, run on up to six targets at once, and what to make of the answers.

A *target* is a route and a model. :func:`plan` converts the request written once into each
target's own body with :func:`comet.body.convert.convert` and keeps the translation report, so
the page can show exactly what each target was sent and why it differs.

:class:`Comparison` runs the planned calls on a thread pool (the wall time is that of the
slowest target, not the sum) and merges every target's stream events into one queue.
The page calls :meth:`Comparison.drain` in a loop: it waits at most ``interval`` seconds and
hands back, per target, only the text that arrived since the last call, so repaints happen
at a bounded rate and each one carries a bounded block. A target that fails becomes an
:class:`~comet.core.exchange.Exchange` with an error; the others go on. Each finished run is
saved to history by the worker thread that ran it, all with one ``group_id``, so a
comparison is recorded even if the page that started it is closed.

:func:`summarize` names the fastest first token, the fastest total, the fewest output tokens
and the cheapest; :func:`word_diff` compares two replies word by word.
"""

from __future__ import annotations

import difflib
import html
import queue
import re
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

from comet.body.convert import FieldReport, convert
from comet.core import formats
from comet.core.call import Call, Origin, Route
from comet.core.cancel import CancelToken
from comet.core.errors import CometError, ErrorInfo
from comet.core.exchange import Exchange, Retrying, TextDelta, ThoughtDelta, Timing
from comet.http import tracing

MAX_TARGETS = 6
DEFAULT_MODEL = "gemini-2.5-flash"


@dataclass(frozen=True)
class Target:
    route: Route
    model: str
    # a saved prompt's version (a batch's version target, comet.runs.batch.saved): its own request,
    # converted to this route and model in place of the shared one; the origin tells targets apart
    origin: Origin | None = None
    request: Call | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "route", Route.parse(self.route))

    @property
    def label(self) -> str:
        shown = formats.target(self.route, self.model)
        return f"{self.origin.prompt} v{self.origin.version} · {shown}" if self.origin else shown


DEFAULT_TARGETS = (Target(Route.GEMINI, DEFAULT_MODEL), Target(Route.OPENAI, DEFAULT_MODEL))


@dataclass(frozen=True)
class Planned:
    """A target, the call it will be sent, and how the request was translated for it."""

    target: Target
    call: Call
    report: tuple[FieldReport, ...] = ()  # empty when the target's route is the request's


def plan(call: Call, targets: Sequence[Target]) -> list[Planned]:
    """The request ``call`` rewritten for each target (its route's shape, its model)."""
    if not targets:
        raise ValueError("a comparison needs at least one target")
    if len(targets) > MAX_TARGETS:
        raise ValueError(f"a comparison takes at most {MAX_TARGETS} targets, not {len(targets)}")
    planned = []
    shared = call
    for target in targets:
        call = target.request or shared
        body, report = call.body, ()
        if target.route is not call.route:
            conversion = convert(call.body, to=target.route, model=target.model)
            body, report = conversion.body, tuple(conversion.report)
        if target.route is Route.OPENAI and call.stream and "stream_options" not in body:
            # Chat Completions streams report usage only when asked; Gemini streams always do.
            # Without it the OpenAI column would have no tokens or cost to compare.
            body = {**body, "stream_options": {"include_usage": True}}
            report = report + (_usage_note(),)
        planned.append(Planned(target, Call(target.route, target.model, body, stream=call.stream,
                                            attachments=call.attachments, origin=call.origin), report))
    return planned


def _usage_note() -> FieldReport:
    return FieldReport(field="(added by Compare)", status="mapped", target="$.stream_options.include_usage",
                       note="added so the stream reports token usage, as Gemini streams always do")


# ---- running -----------------------------------------------------------------------------------

@dataclass
class Update:
    """What one target produced since the last :meth:`Comparison.drain`."""

    text: str = ""
    thoughts: str = ""
    retrying: Retrying | None = None
    exchange: Exchange | None = None


@dataclass
class Lane:
    """Everything one target has produced so far (the page redraws a column from it)."""

    planned: Planned
    text: str = ""
    thoughts: str = ""
    retrying: Retrying | None = None
    exchange: Exchange | None = None
    history_id: int | None = None
    cost: float | None = None

    @property
    def done(self) -> bool:
        return self.exchange is not None


def failed_exchange(call: Call, base_url: str, error: ErrorInfo, started_at: float | None = None) -> Exchange:
    """An Exchange for a run that never produced one (the body failed the route's checks, or a bug)."""
    started = started_at or time.time()
    return Exchange(call=call, base_url=base_url, status=error.status, reply=None, error=error,
                    timing=Timing(started_at=started, latency_ms=(time.time() - started) * 1000),
                    attempts=0 if error.kind in ("bad_input", "config") else 1)


def run_to_end(client: Any, call: Call, cancel: CancelToken | None,
               on_event: Callable[[Any], None]) -> Exchange:
    """Run ``call`` on ``client``, handing every event but the last to ``on_event``, and return
    the final Exchange. Nothing raises: a refused call or a bug becomes an Exchange with an
    error, so one target's failure never stops the others (Compare and Batch)."""
    base_url, started = getattr(client, "base_url", ""), time.time()
    try:
        final = None
        for event in client.stream(call, cancel=cancel):
            if isinstance(event, Exchange):
                final = event
            else:
                on_event(event)
        if final is not None:
            return final
        error = ErrorInfo(kind="internal", message="the client's stream ended without an Exchange")
    except CometError as exc:
        error = exc.info()
    except Exception as exc:  # a bug: reported in this run's Exchange, the others go on
        error = ErrorInfo(kind="internal", message=f"{type(exc).__name__}: {exc}",
                          raw_body=traceback.format_exc())
    return failed_exchange(call, base_url, error, started)


def queued(events: queue.SimpleQueue, interval: float, done: Callable[[], bool]) -> Iterator[Any]:
    """The items ``events`` receives within ``interval`` seconds, until ``done()`` (what the
    pages' drain loops read: Compare's and Batch's)."""
    deadline = time.monotonic() + interval
    while not done():
        left = deadline - time.monotonic()
        try:
            yield events.get(timeout=left) if left > 0 else events.get_nowait()
        except queue.Empty:
            return


def new_group_id() -> str:
    return "cmp-" + uuid.uuid4().hex[:12]


class Comparison:
    """Run planned calls concurrently; merge their events; save each run to ``history``.

    ``client`` needs ``stream(call, cancel=...)`` and ``base_url`` (a :class:`comet.http.client.Client`).
    ``price`` maps an Exchange to its cost (or None); ``history`` needs ``record(exchange,
    group_id=, label=, cost=)``. Both are optional.
    """

    def __init__(self, planned: Sequence[Planned], client: Any, *, history: Any = None,
                 price: Callable[[Exchange], float | None] | None = None, cancel: Any = None,
                 group_id: str | None = None):
        if not planned:
            raise ValueError("nothing to compare")
        self.lanes = [Lane(p) for p in planned]
        self.client = client
        self.history = history
        self.price = price
        self.cancel = cancel if cancel is not None else CancelToken()
        self.group_id = group_id or new_group_id()
        self.save_errors: list[str] = []
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._pending = len(self.lanes)
        self._lock = threading.Lock()
        self._drain_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    # -- lifecycle --
    def start(self) -> "Comparison":
        if self._executor is None:
            self.started_at = time.perf_counter()
            self._trace = tracing.Group("comparison", self.group_id, expected=len(self.lanes),
                                        targets=[lane.planned.target.label for lane in self.lanes])
            self._executor = ThreadPoolExecutor(max_workers=len(self.lanes), thread_name_prefix="compare")
            for i in range(len(self.lanes)):
                self._executor.submit(self._run, i)
            self._executor.shutdown(wait=False)
        return self

    def stop(self) -> None:
        """End every target's run now; each keeps its partial text."""
        self.cancel.cancel()

    @property
    def finished(self) -> bool:
        """Every target's final Exchange has been drained."""
        return all(lane.done for lane in self.lanes)

    @property
    def wall_ms(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at) * 1000

    @property
    def exchanges(self) -> list[Exchange | None]:
        return [lane.exchange for lane in self.lanes]

    def _run(self, i: int) -> None:
        lane = self.lanes[i]
        with tracing.scope(group=self._trace, price=self.price, **{"comet.target": lane.planned.target.label}):
            final = run_to_end(self.client, lane.planned.call, self.cancel, lambda event: self._events.put((i, event)))
        cost, history_id = self._record(lane, final)
        self._events.put((i, (final, cost, history_id)))

    def _record(self, lane: Lane, exchange: Exchange) -> tuple[float | None, int | None]:
        cost = history_id = None
        try:
            cost = self.price(exchange) if self.price else None
        except Exception as exc:  # a missing price is not worth losing the run over
            self.save_errors.append(f"price of {lane.planned.target.label}: {exc}")
        if self.history is not None:
            try:
                history_id = self.history.record(exchange, group_id=self.group_id,
                                                 label=lane.planned.target.label, cost=cost)
            except Exception as exc:
                self.save_errors.append(f"history for {lane.planned.target.label}: {exc}")
        return cost, history_id

    # -- consuming --
    def drain(self, interval: float = 0.1) -> dict[int, Update]:
        """Wait up to ``interval`` seconds (less when everything finishes) and return what
        arrived, per target, merged: new text and thoughts, the latest retry notice, and the
        final Exchange. Lanes are updated in place."""
        updates: dict[int, Update] = {}
        with self._drain_lock:  # two page runs may drain at once (Stop reruns the page): one at a time
            for i, event in queued(self._events, interval, lambda: self.finished):
                self._apply(i, event, updates.setdefault(i, Update()))
        return updates

    def _apply(self, i: int, event: Any, update: Update) -> None:
        lane = self.lanes[i]
        if isinstance(event, TextDelta):
            if event.candidate == 0:
                lane.text += event.text
                update.text += event.text
        elif isinstance(event, ThoughtDelta):
            if event.candidate == 0:
                lane.thoughts += event.text
                update.thoughts += event.text
        elif isinstance(event, Retrying):
            lane.retrying = update.retrying = event
        else:
            exchange, lane.cost, lane.history_id = event
            lane.exchange = update.exchange = exchange
            lane.retrying = None
            # the final text is the Exchange's (it may differ from the deltas, e.g. non-streaming)
            lane.text, lane.thoughts = exchange.text or lane.text, exchange.thoughts or lane.thoughts
            with self._lock:
                self._pending -= 1
                if self._pending == 0:
                    self.finished_at = time.perf_counter()

    def run(self, interval: float = 0.1) -> list[Exchange]:
        """Start, wait for every target, return their Exchanges (scripts and benchmarks)."""
        self.start()
        while not self.finished:
            self.drain(interval)
        return [lane.exchange for lane in self.lanes]  # type: ignore[misc]

    def summary(self) -> "Summary":
        return summarize([lane.exchange for lane in self.lanes], [lane.cost for lane in self.lanes],
                         wall_ms=self.wall_ms)


def pricer(models: Iterable[Any]) -> Callable[[Exchange], float | None]:
    """An Exchange's cost from a model list (``comet.http.models.ModelInfo``), for ``price=``."""
    from comet.http.models import cost

    by_id = {m.id: m for m in models}

    def price(exchange: Exchange) -> float | None:
        if exchange.reply is None:
            return None
        return cost(exchange.reply.usage, by_id.get(exchange.call.model))
    return price



# ---- summary -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Best:
    index: int
    value: float
    tied: tuple[int, ...] = ()  # every target with the same value as shown (index included)


@dataclass(frozen=True)
class Summary:
    fastest_first_token: Best | None = None
    fastest_total: Best | None = None
    fewest_output_tokens: Best | None = None
    cheapest: Best | None = None
    wall_ms: float | None = None

    def lines(self, labels: Sequence[str]) -> list[str]:
        """One short line a prize ("Fastest total: B (250 ms)"), for the page's summary."""
        def name(best: Best | None, unit: str) -> str:
            if best is None:
                return "n/a"
            shown = {"ms": formats.ms, "$": formats.usd}.get(unit, lambda v: f"{formats.count(v)} {unit}")(best.value)
            if len(best.tied) > 2:
                return f"{len(best.tied)} targets tie ({shown})"
            if len(best.tied) == 2:
                return f"{' and '.join(labels[i] for i in best.tied)} tie ({shown})"
            return f"{labels[best.index]} ({shown})"

        return [f"Fastest first token: {name(self.fastest_first_token, 'ms')}",
                f"Fastest total: {name(self.fastest_total, 'ms')}",
                f"Fewest output tokens: {name(self.fewest_output_tokens, 'tokens')}",
                f"Cheapest: {name(self.cheapest, '$')}"]

    def line(self, labels: Sequence[str]) -> str:
        """The winners on one line (the CLI, a log)."""
        first, *rest = self.lines(labels)
        return " · ".join([first, *(part[0].lower() + part[1:] for part in rest)])


def _best(values: Iterable[tuple[int, float | None]], digits: int = 0) -> Best | None:
    """The smallest value; targets whose value rounds (to ``digits``, as the line shows it) to
    the same are a tie, and the line names them all."""
    present = [(v, i) for i, v in values if v is not None]
    if not present:
        return None
    value, index = min(present)
    tied = tuple(i for v, i in sorted(present, key=lambda p: p[1]) if round(v, digits) == round(value, digits))
    return Best(index, value, tied)


def summarize(exchanges: Sequence[Exchange | None], costs: Sequence[float | None] | None = None,
              *, wall_ms: float | None = None) -> Summary:
    """The winners among the runs that succeeded (failed and stopped runs take no prize)."""
    costs = list(costs or [None] * len(exchanges))
    ok = [(i, ex) for i, ex in enumerate(exchanges) if ex is not None and ex.ok]
    return Summary(
        fastest_first_token=_best((i, ex.timing.ttft_ms) for i, ex in ok),
        fastest_total=_best((i, ex.timing.latency_ms) for i, ex in ok),
        fewest_output_tokens=_best((i, ex.reply.usage.output_tokens) for i, ex in ok),
        cheapest=_best(((i, costs[i]) for i, _ in ok), digits=6),
        wall_ms=wall_ms,
    )


# ---- word diff ---------------------------------------------------------------------------------

_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class DiffOp:
    op: str  # "equal", "delete" (only in a), "insert" (only in b)
    text: str


def word_diff(a: str, b: str) -> list[DiffOp]:
    """A word-level diff of two replies: runs of equal, deleted and inserted text whose
    ``equal`` + ``delete`` parts spell ``a`` and ``equal`` + ``insert`` parts spell ``b``."""
    wa, wb = _WORDS.findall(a or ""), _WORDS.findall(b or "")
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    ops: list[DiffOp] = []

    def add(op: str, words: list[str]) -> None:
        if not words:
            return
        if ops and ops[-1].op == op:
            ops[-1] = DiffOp(op, ops[-1].text + "".join(words))
        else:
            ops.append(DiffOp(op, "".join(words)))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", wa[i1:i2])
        else:
            add("delete", wa[i1:i2])
            add("insert", wb[j1:j2])
    return ops


def diff_ratio(a: str, b: str) -> float:
    """How alike two replies are, word by word (1.0 = the same words)."""
    wa, wb = _WORDS.findall(a or ""), _WORDS.findall(b or "")
    if not wa and not wb:
        return 1.0
    return difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def diff_html(ops: Sequence[DiffOp]) -> str:
    """The diff as escaped HTML: deletions struck through in red, insertions in green. The
    colours are translucent tints over the page's own text colour, so they read in Streamlit's
    light and dark themes alike."""
    style = {"delete": "background:rgba(255,75,75,0.22);color:inherit;text-decoration:line-through",
             "insert": "background:rgba(33,195,84,0.25);color:inherit;text-decoration:none"}
    tag = {"delete": "del", "insert": "ins"}
    out = []
    for op in ops:
        text = html.escape(op.text)
        out.append(text if op.op == "equal" else f'<{tag[op.op]} style="{style[op.op]}">{text}</{tag[op.op]}>')
    return '<div style="white-space:pre-wrap;line-height:1.5">' + "".join(out) + "</div>"
