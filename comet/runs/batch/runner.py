"""Run a suite: every case on every target, up to ``concurrency`` requests in flight.

:func:`plan` converts the request once per target with :func:`comet.runs.compare.plan` (the same
conversion Compare uses) and checks each target's body before anything is sent. A
:class:`Batch` then fills each case's variables into its target's body as a worker takes it, so
a thousand cases never exist as a thousand bodies at once.

Rate limits are shared: when any request meets a 429, :class:`Limiter` holds every worker's
*next* request for the delay the service asked for (Retry-After or Gemini's ``retryDelay``,
which the client honours for the request that met it), so the whole batch slows down instead
of each task hammering on alone. :meth:`Batch.stop` ends the runs in flight and keeps every
finished result; :meth:`Batch.wind_down` stops and waits a bounded time, then abandons what is
still running (Ctrl-C in the CLI).
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from comet.body.rules import validate
from comet.body.variables import fill
from comet.core import formats
from comet.core.call import Call, user_text
from comet.core.cancel import CancelToken
from comet.core.errors import ErrorInfo, RequestError
from comet.core.exchange import Exchange, Retrying
from comet.http import tracing
from comet.runs import judge as judging
from comet.runs.compare import Planned, plan as plan_targets, queued, run_to_end

from .best import BestOf, judge_cost
from .checks import Outcome, Verdict, evaluate
from .spend import reached
from .suite import Case, Suite, SuiteError

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64  # requests in flight: a thread each; more only meets the service's rate limit sooner


def new_batch_id() -> str:
    return "bat-" + uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class Result:
    """One case on one target: what came back and what the assertions made of it."""

    case: Case
    target: int  # index into the plan
    target_name: str  # as people read it: "Gemini native · gemini-2.5-flash" (comet.core.formats.target)
    text: str
    verdicts: tuple[Verdict, ...]
    error: ErrorInfo | None
    latency_ms: float | None = None
    ttft_ms: float | None = None
    usage: dict[str, int | None] = field(default_factory=dict)
    cost_usd: float | None = None
    finish_reason: str | None = None
    history_id: int | None = None
    repeat: int = 1  # which run of this case on this target, from 1 (the suite's "repeat")

    @property
    def ok(self) -> bool:
        return self.error is None and all(v.passed for v in self.verdicts)

    @property
    def judge_usage(self) -> dict[str, int]:
        """The judges' tokens for this result's model-graded checks (apart from the run's)."""
        total: dict[str, int] = {}
        for judgement in {id(v.judgement): v.judgement for v in self.verdicts if v.judgement}.values():
            judging.add_usage(total, judgement.usage)
        return total

    @property
    def judge_cost_usd(self) -> float | None:
        costs = [v.judgement.cost_usd for v in self.verdicts if v.judgement and v.judgement.cost_usd is not None]
        return sum(costs) if costs else None

    @property
    def errored(self) -> bool:
        """The request failed, or a check could not judge the reply (past a limit): not a fail."""
        return self.error is not None or any(v.error for v in self.verdicts)

    def to_dict(self) -> dict[str, Any]:
        route, model = formats.target_parts(self.target_name)
        return {"case": self.case.number, "repeat": self.repeat, "vars": self.case.vars, "target": self.target_name,
                "route": route, "model": model, "ok": self.ok,
                "text": self.text, "assertions": [v.to_dict() for v in self.verdicts],
                "latency_ms": _round(self.latency_ms), "ttft_ms": _round(self.ttft_ms), "usage": self.usage,
                "cost_usd": self.cost_usd, **_judged(self), "error": None if self.error is None else {
                    "kind": self.error.kind, "message": self.error.message, "status": self.error.status}}


    def stored(self) -> dict[str, Any]:
        """What a stored batch keeps of the result (:meth:`from_stored` reads it back)."""
        return {**self.to_dict(), "run": self.history_id, "finish_reason": self.finish_reason,
                "target_index": self.target}

    @classmethod
    def from_stored(cls, data: dict[str, Any], case: Case) -> "Result":
        error = data.get("error")
        verdicts = tuple(Verdict(v["type"], bool(v["pass"]), v.get("message", ""), bool(v.get("error")),
                                 judging.Judgement.from_dict(v["judge"], bool(v["pass"]), v.get("message", ""),
                                                             bool(v.get("error"))) if v.get("judge") else None)
                         for v in data.get("assertions") or ())
        return cls(case, int(data.get("target_index") or 0), data["target"], data.get("text") or "", verdicts,
                   None if error is None else ErrorInfo(error.get("kind") or "internal", error.get("message") or "",
                                                        error.get("status")),
                   data.get("latency_ms"), data.get("ttft_ms"), data.get("usage") or {}, data.get("cost_usd"),
                   data.get("finish_reason"), data.get("run"), int(data.get("repeat") or 1))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _judged(result: Result) -> dict[str, Any]:
    """``judge_usage`` and ``judge_cost_usd`` for a result with a model-graded check."""
    if not any(v.judgement for v in result.verdicts):
        return {}
    return {"judge_usage": result.judge_usage, "judge_cost_usd": result.judge_cost_usd}


def batch_span(batch_id: str, suite: Any, planned: Sequence[Planned]) -> tracing.Group:
    """The batch's parent span over its runs (inert with tracing off)."""
    return tracing.Group("batch", batch_id, cases=len(suite.cases), targets=[target_name(p) for p in planned])


def target_name(planned: Planned) -> str:
    return planned.target.label  # formats.target, after the saved prompt's version for a version target


def plan(suite: Suite) -> list[Planned]:
    """The request in each target's shape; a body a target's route refuses is a
    :class:`SuiteError` (nothing sent)."""
    planned = plan_targets(suite.call, suite.targets)
    sample = suite.cases[0].vars if suite.cases else {}
    for p in planned:
        try:
            validate(Call(p.call.route, p.call.model, fill(p.call.body, sample), stream=p.call.stream,
                          attachments=p.call.attachments))
        except RequestError as exc:
            raise SuiteError(f"$.request (for target {target_name(p)})", exc.message,
                             exc.problems[0].fix if exc.problems else "") from None
    return planned


class Limiter:
    """Holds every worker's next request until a shared time (a 429's delay)."""

    def __init__(self) -> None:
        self._until = 0.0
        self._lock = threading.Lock()
        self.holds = 0

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)
            self.holds += 1

    def wait(self, cancel: Any) -> None:
        while (left := self._until - time.monotonic()) > 0 and not cancel.wait(left):
            pass


class Batch:
    """Run ``planned`` x ``suite.cases`` on ``client`` (needs ``stream(call, cancel=)`` and
    ``base_url``). ``price`` maps an Exchange to its cost; ``history`` (a
    :class:`comet.store.Store`) records every finished run under :attr:`batch_id`;
    ``max_cost_usd`` starts no new run once the finished runs' costs reach it (:mod:`.spend`:
    :attr:`capped` says it did)."""

    def __init__(self, suite: Suite, planned: Sequence[Planned], client: Any, *,
                 concurrency: int = DEFAULT_CONCURRENCY, history: Any = None,
                 price: Callable[[Exchange], float | None] | None = None, cancel: Any = None,
                 batch_id: str | None = None, stop_in_flight: bool = True, max_cost_usd: float | None = None):
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency is 1 to {MAX_CONCURRENCY}, not {concurrency}")
        self.suite, self.planned, self.client = suite, list(planned), client
        self.concurrency, self.history, self.price = concurrency, history, price
        self.cancel = cancel if cancel is not None else CancelToken()
        self.batch_id = batch_id or new_batch_id()
        self.limiter = Limiter()
        self.asker = judging.Asker(client, price, None, self._heed, self._record_judge)  # model-graded checks' judge
        self.max_cost_usd, self.spent, self.capped = max_cost_usd, 0.0, False  # --max-cost-usd (.spend)
        # Stop ends the runs in flight only when the client gets the token, which costs a reader
        # thread per run; the CLI (Ctrl-C ends the process) runs them inline instead.
        self._in_flight = self.cancel if stop_in_flight else None
        self.asker.cancel = self._in_flight
        self.total = len(suite.cases) * len(self.planned) * suite.repeat
        self.results: list[Result] = []
        self.save_errors: list[str] = []
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self._tasks = self._all_tasks()
        self._take = threading.Lock()
        self.taken = 0  # runs a worker has begun
        self._done: queue.SimpleQueue = queue.SimpleQueue()
        self._workers = 0
        self._drain_lock = threading.Lock()
        # a stored batch (comet.store.batch_queue) names each run by its item: one run an item
        self.item_uid: Callable[[int, int, int], str] | None = None

    def _all_tasks(self) -> Iterator[tuple[Case, int, int]]:
        return self.suite.runs(len(self.planned))

    def start(self) -> "Batch":
        if self.started_at is None:
            self.started_at = time.perf_counter()
            self._trace = batch_span(self.batch_id, self.suite, self.planned)  # ends in drain()
            self._workers = min(self.concurrency, self.total)
            self._best = BestOf(len(self.planned), self.asker, self._workers)
            for n in range(self._workers):
                work = tracing.within(self._work, group=self._trace, price=self.price)  # its runs, judges too
                threading.Thread(target=work, name=f"batch-{n}", daemon=True).start()
            if self._workers == 0:
                self.finished_at = self.started_at
        return self

    def stop(self) -> None:
        """End the runs in flight; finished results stay."""
        self.cancel.cancel()

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def wall_ms(self) -> float | None:
        return None if self.finished_at is None else (self.finished_at - self.started_at) * 1000

    def _work(self) -> None:
        try:
            while not self.cancel.is_set():
                self.limiter.wait(self.cancel)
                with self._take:
                    self.capped = self.capped or reached(self.spent, self.max_cost_usd)
                    task = None if self.cancel.is_set() or self.capped else next(self._tasks, None)
                    self.taken += task is not None
                if task is None:
                    break
                result = self._run(*task)
                settled = [] if result is None else self._best.settle(
                    result, [target_name(p) for p in self.planned], [p.target for p in self.planned])
                if settled:
                    with self._take:  # a case's select-best judges, once: the batch's spend too
                        self.spent += judge_cost(settled)
                for ready in settled:
                    self._done.put(ready)
        finally:
            for waiting in self._best.leave():  # select-best cases the batch did not finish
                self._done.put(waiting)
            self._done.put(None)  # this worker is done

    def _run(self, case: Case, i: int, repeat: int = 1) -> Result | None:
        planned = self.planned[i]
        exchange = self._exchange(call_of(planned, case))
        if exchange.stopped:
            return None  # Stop: an unfinished run is not a result
        cost = self._cost(exchange)
        history_id = self._record(exchange, case, i, cost, repeat)
        result = result_of(case, i, planned, exchange, cost, history_id, repeat, self.asker)
        with self._take:  # the batch's spend, its judges' too: what --max-cost-usd counts
            self.spent += (cost or 0.0) + (result.judge_cost_usd or 0.0)
        return result

    def _exchange(self, call: Call) -> Exchange:
        return run_to_end(self.client, call, self._in_flight, self._heed)

    def _heed(self, event: Any) -> None:
        """A rate limit met by one run holds every worker's next request."""
        if isinstance(event, Retrying) and event.error.kind == "rate_limited":
            self.limiter.hold(event.delay_s)

    def _cost(self, exchange: Exchange) -> float | None:
        try:
            return self.price(exchange) if self.price else None
        except Exception as exc:  # a missing price is not worth losing the run over
            self.save_errors.append(f"price: {exc}")
            return None

    def _record_judge(self, exchange: Exchange, cost: float | None, label: str) -> None:
        """A judge's request kept in History with the batch (its spend counts like a run's)."""
        if self.history is not None:
            try:
                self.history.record(exchange, group_id=self.batch_id, cost=cost, label=label)
            except Exception as exc:
                self.save_errors.append(f"history: {exc}")

    def _record(self, exchange: Exchange, case: Case, i: int, cost: float | None, repeat: int = 1) -> int | None:
        if self.history is None:
            return None
        label = label_of(self.planned[i], case, repeat, self.suite.repeat)
        uid = {} if self.item_uid is None else {"uid": self.item_uid(case.number, i, repeat)}
        try:
            return self.history.record(exchange, group_id=self.batch_id, cost=cost, label=label, **uid)
        except Exception as exc:
            self.save_errors.append(f"history: {exc}")
            return None

    def drain(self, interval: float = 0.1) -> list[Result]:
        """Wait up to ``interval`` seconds; return the results that finished since the last call."""
        new = []
        with self._drain_lock:  # two page runs may drain at once (Stop reruns the page): one at a time
            for item in queued(self._done, interval, lambda: self.finished):
                if item is None:
                    self._workers -= 1
                    if self._workers == 0:
                        self.finished_at = time.perf_counter()
                        self._trace.end()  # the batch span ends with its last worker
                else:
                    self.results.append(item)
                    new.append(item)
        return new

    def wind_down(self, grace: float) -> int:
        """Stop, wait up to ``grace`` seconds for the runs in flight, and return how many are
        still running: abandoned (their threads are daemons), so no batch outlives a Ctrl-C."""
        self.stop()
        deadline = time.monotonic() + grace
        while not self.finished and (left := deadline - time.monotonic()) > 0:
            self.drain(min(0.2, left))
        return 0 if self.finished else self.taken - len(self.results)

    def run(self, on_result: Callable[[Result], None] | None = None) -> list[Result]:
        """Start, wait for every result (calling ``on_result`` with each), return them all."""
        self.start()
        while not self.finished:
            for result in self.drain(0.2):
                if on_result is not None:
                    on_result(result)
        return self.results


def call_of(planned: Planned, case: Case) -> Call:
    """The target's request with the case's variables filled in."""
    return Call(planned.call.route, planned.call.model, fill(planned.call.body, case.vars),
                stream=planned.call.stream, attachments=planned.call.attachments, origin=planned.call.origin)


def label_of(planned: Planned, case: Case, repeat: int = 1, repeats: int = 1) -> str:
    """How History labels the run: the target, the case and (when repeated) which run."""
    run = f" · run {repeat}" if repeats > 1 else ""
    return f"{planned.target.label} · case {case.number}{run}"


def result_of(case: Case, i: int, planned: Planned, exchange: Exchange, cost: float | None,
              history_id: int | None, repeat: int = 1, asker: judging.Asker | None = None) -> Result:
    reply = exchange.reply
    outcome = Outcome(text=exchange.text, finish_reason=reply.finish_reason if reply else None,
                      raw_finish_reason=reply.raw_finish_reason if reply else None,
                      latency_ms=exchange.timing.latency_ms, ttft_ms=exchange.timing.ttft_ms,
                      output_tokens=reply.usage.output_tokens if reply else None, cost_usd=cost,
                      question=user_text(exchange.call.body, exchange.call.route))
    checks = [c for c in case.checks if c.applies_to(planned.target)]
    verdicts = () if exchange.error else tuple(evaluate(c, outcome, asker) for c in checks)
    return Result(case, i, target_name(planned), exchange.text, verdicts, exchange.error, exchange.timing.latency_ms,
                  exchange.timing.ttft_ms, reply.usage.to_dict() if reply else {}, cost,
                  outcome.finish_reason, history_id, repeat)
