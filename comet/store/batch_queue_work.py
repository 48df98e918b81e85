"""A worker for stored batches (:mod:`comet.store.batch_queue`): threads that claim items, run
them and keep their results, in any process on any machine that reaches the store.

Each of ``concurrency`` threads waits out the shared rate-limit hold (:class:`SharedHold`),
claims one item, runs it on the client, records its run (under the batch id, with the item's
uid) and writes the item's result. One more thread renews the leases of the items in flight; on
PostgreSQL another listens for NOTIFY, so an idle worker starts at once when work arrives. A
store that fails for a moment costs a retry, never the process: the item's lease runs out and it
is claimed again.

A case with a ``select-best`` check is judged by the worker that finishes its last item, once
(:mod:`comet.store.batch_best`); an idle worker (every JUDGE_PASS_S, and before it exits when
idle) judges the cases a killed worker left waiting.

    >>> with open_store(url) as store, Client() as client:     # doctest: +SKIP
    ...     Worker(store, client, concurrency=16, until_idle=True).run()
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from comet.core.cancel import CancelToken
from comet.core.exchange import Exchange, Retrying
from comet.http import tracing
from comet.runs import judge as judging
from comet.runs.batch import Result, Suite, parse, plan
from comet.runs.batch.best import judge_case, judge_cost, shared
from comet.runs.batch.checks import WAITING_MARK, waits
from comet.runs.batch.runner import call_of, label_of, result_of, target_name
from comet.runs.compare import Planned, run_to_end

from . import batch_best
from .batch_queue import Item, Queue, lease_s, new_owner, wait

NAP_S = 0.5  # an idle thread's longest sleep before it looks again (expired leases, SQLite)
RECLAIM_S = 2.0  # how often an idle worker looks for the leases of killed processes on this machine
JUDGE_PASS_S = 30.0  # how often an idle worker looks for select-best cases left unjudged (a scan of the items)
WAITS_S = (0.25, 0.5, 1.0, 2.0)  # a store write that failed is tried again after these
TRACEPARENT = "traceparent"  # a stored suite's key for its batch span (comet.http.tracing.Group.traceparent)


class SharedHold:
    """The rate-limit hold of one API key, through the store: a 429 any worker meets holds every
    worker on that key (its batch, every other batch, every machine) until the time asked for."""

    REFRESH_S = 0.2  # how stale this process's view of the shared hold may be

    def __init__(self, queue: Queue, key_hash: str):
        self.queue, self.key_hash = queue, key_hash
        self._until = 0.0  # Unix seconds
        self._read_at = 0.0
        self._lock = threading.Lock()
        self.holds = 0

    def hold(self, seconds: float) -> None:
        until = time.time() + seconds
        with self._lock:
            self._until = max(self._until, until)
            self.holds += 1
        try:
            self.queue.hold(self.key_hash, until)
        except Exception:  # the store is down: this process still holds
            pass

    def wait(self, cancel: Any) -> None:
        while True:
            now = time.time()
            if now - self._read_at >= self.REFRESH_S:
                self._read_at = now
                try:
                    shared = self.queue.held_until(self.key_hash)
                except Exception:
                    shared = 0.0
                with self._lock:
                    self._until = max(self._until, shared)
            left = self._until - time.time()
            if left <= 0 or cancel.wait(min(left, self.REFRESH_S)):
                return


@dataclass(frozen=True)
class Loaded:
    suite: Suite
    planned: Sequence[Planned]
    created_by: str
    traceparent: str | None = None  # the batch's span, when tracing was on at --submit


class Worker:
    """Claims and runs items of the open batches (only ``batch_id``'s when given) on ``client``.
    ``until_idle``: return once nothing is pending or running; else run until :meth:`stop`.
    ``price`` maps an Exchange to its cost; ``stop_in_flight`` hands the cancel token to the
    client, so :meth:`stop` ends the requests in flight too (their items go back to the queue)."""

    def __init__(self, store: Any, client: Any, *, concurrency: int = 8, batch_id: str | None = None,
                 until_idle: bool = False, price: Callable[[Exchange], float | None] | None = None,
                 stop_in_flight: bool = False, on_item: Callable[[Item, Result], None] | None = None):
        self.queue = Queue(store)
        self.client, self.concurrency, self.batch_id = client, concurrency, batch_id
        self.until_idle, self.price, self.on_item = until_idle, price, on_item
        self.owner = new_owner()
        self.cancel = CancelToken()
        self._in_flight = self.cancel if stop_in_flight else None
        self.hold = SharedHold(self.queue, client.key_id)
        self.asker = judging.Asker(client, price, self._in_flight, self._heed)  # model-graded checks' judge
        self.finished = 0
        self.problems: list[str] = []
        self._loaded: dict[str, Loaded] = {}
        self._lock = threading.Lock()
        self._wake = threading.Condition()
        self._reclaimed_at = self._judged_at = 0.0
        self._threads: list[threading.Thread] = []

    # -- lifetime --
    def start(self) -> "Worker":
        self._threads = [threading.Thread(target=self._loop, name=f"batch-worker-{n}", daemon=True)
                         for n in range(self.concurrency)]
        for t in self._threads:
            t.start()
        threading.Thread(target=self._renew, name="batch-lease", daemon=True).start()
        threading.Thread(target=self._listen, name="batch-listen", daemon=True).start()
        return self

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the threads (up to ``timeout``); True when they all ended."""
        end = None if timeout is None else time.monotonic() + timeout
        for t in self._threads:
            t.join(None if end is None else max(0.0, end - time.monotonic()))
        return not self.running

    def stop(self, grace: float = 2.0) -> int:
        """No new claim; wait up to ``grace`` seconds for the items in flight, then give back the
        ones still running (their requests are abandoned). Returns how many went back."""
        self.cancel.cancel()
        with self._wake:
            self._wake.notify_all()
        self.join(grace)
        try:
            return self.queue.release(self.owner)
        except Exception as exc:
            self.problems.append(f"store: {exc}")
            return 0

    def run(self) -> int:
        """Start and wait until done (``until_idle``) or stopped; returns the items finished."""
        self.start()
        while not self.join(0.2):
            pass
        return self.finished

    # -- the threads --
    def _loop(self) -> None:
        while not self.cancel.is_set():
            self.hold.wait(self.cancel)
            if self.cancel.is_set():
                break
            try:
                items = self.queue.claim(self.owner, 1, batch_id=self.batch_id)
                if not items and self.until_idle and self.queue.idle(self.batch_id):
                    self._judge_waiting()  # select-best cases a killed worker left unjudged
                    break
            except Exception as exc:  # the store is down: try again shortly
                self._trouble(exc)
                self.cancel.wait(1.0)
                continue
            if items:
                self._do(items[0])
            else:
                self._nap()

    def _nap(self) -> None:
        now = time.monotonic()
        if now - self._reclaimed_at >= RECLAIM_S:
            self._reclaimed_at = now
            try:
                self.queue.reclaim_gone()
                if now - self._judged_at >= JUDGE_PASS_S:
                    self._judged_at = now
                    self._judge_waiting()
            except Exception as exc:
                self._trouble(exc)
        with self._wake:
            self._wake.wait(NAP_S)

    def _renew(self) -> None:
        every = lease_s() / 3
        while not self.cancel.wait(every) and (self.running or not self._threads):
            try:
                self.queue.renew(self.owner)
            except Exception as exc:
                self._trouble(exc)

    def _listen(self) -> None:
        """PostgreSQL: NOTIFY wakes the idle threads at once (SQLite: they poll every NAP_S)."""
        try:
            listener = self.queue.listener()
        except Exception as exc:
            self._trouble(exc)
            return
        if listener is None:
            return
        with listener:
            while not self.cancel.is_set() and self.running:
                try:
                    wait(listener, 1.0)
                except Exception as exc:
                    self._trouble(exc)
                    return
                with self._wake:
                    self._wake.notify_all()

    # -- one item --
    def _do(self, item: Item) -> None:
        try:
            loaded = self._load(item.batch_id)
            case, planned = loaded.suite.cases[item.case_no - 1], loaded.planned[item.target]
            ran = self._ran(item, loaded, case, planned)
            if ran is None:
                return
            result = result_of(case, item.target, planned, *ran, item.rep, self.asker)
            if self._retried(lambda: self.queue.finish(item, result.stored(), error=_errored(result))):
                with self._lock:
                    self.finished += 1
                with self._wake:  # a napping thread looks again: at the end, it sees the queue empty at once
                    self._wake.notify_all()
                if self.on_item is not None:
                    self.on_item(item, result)
                if any(c.type == "select-best" for c in case.checks):
                    self._judge(item.batch_id, item.case_no, item.rep)
        except Exception as exc:  # the lease runs out and the item is claimed again
            self._trouble(exc)

    # -- select-best: once a case is complete (comet.store.batch_best) --
    def _judge(self, batch_id: str, case_no: int, rep: int) -> None:
        """Judge the case when all its items are finished and this worker wins its claim."""
        if batch_best.case_results(self.queue, batch_id, case_no, rep) is None:
            return
        if not batch_best.claim(self.queue, self.owner, batch_id, case_no, rep):
            return  # another worker judges it
        stored = batch_best.case_results(self.queue, batch_id, case_no, rep)  # as they are now it is ours
        if stored is None:
            return
        loaded = self._load(batch_id)
        case = loaded.suite.cases[case_no - 1]
        held = [Result.from_stored(d, case) for d in stored]
        if not any(waits(v) for r in held for v in r.verdicts):
            return
        results = judge_case(held, [target_name(p) for p in loaded.planned], [p.target for p in loaded.planned],
                             self.asker)
        kept = [(r.target, {**r.stored(), "run": d.get("run")}, r.errored) for r, d in zip(results, stored)]
        self._retried(lambda: batch_best.judged(self.queue, batch_id, case_no, rep, kept, judge_cost(results)))

    def _judge_waiting(self) -> None:
        for batch_id, case_no, rep in batch_best.waiting(self.queue, WAITING_MARK, self.batch_id):
            if self.cancel.is_set():
                return
            try:
                self._judge(batch_id, case_no, rep)
            except Exception as exc:
                self._trouble(exc)

    def _ran(self, item: Item, loaded: Loaded, case: Any, planned: Planned) -> tuple | None:
        """(exchange, cost, run id) of the item's one run: sent now and recorded, or the run a
        killed or slower worker recorded already (found by the item's uid); None when stopped."""
        run_id = self.queue.run_id(item.uid) if item.attempts > 1 else None
        if run_id is None:
            with tracing.scope(price=self.price, user=loaded.created_by, parent=loaded.traceparent,
                               **{"comet.batch.id": item.batch_id}):
                exchange = run_to_end(self.client, call_of(planned, case), self._in_flight, self._heed)
            if exchange.stopped:
                self.queue.release(self.owner, [item])
                return None
            cost = self._cost(exchange)
            label = label_of(planned, case, item.rep, loaded.suite.repeat)
            run_id = self._retried(lambda: self.queue.store.record_many(
                [exchange], group_ids=[item.batch_id], labels=[label], costs=[cost], uids=[item.uid],
                created_by=loaded.created_by)[0])
            if run_id is not None:
                return exchange, cost, run_id
            run_id = self.queue.run_id(item.uid)  # another worker kept its run first: that one counts
        stored = self.queue.store.get(run_id)
        return stored.exchange, stored.cost, run_id

    def _load(self, batch_id: str) -> Loaded:
        with self._lock:
            found = self._loaded.get(batch_id)
        if found is None:
            info = self.queue.info(batch_id) or {}
            data = self.queue.suite(batch_id) or {}
            suite = parse(data)
            parent = data.get(TRACEPARENT)
            found = Loaded(suite, plan(suite), info.get("created_by") or "", parent if isinstance(parent, str) else None)
            with self._lock:
                self._loaded[batch_id] = found
        return found

    def _heed(self, event: Any) -> None:
        if isinstance(event, Retrying) and event.error.kind == "rate_limited":
            self.hold.hold(event.delay_s)

    def _cost(self, exchange: Exchange) -> float | None:
        try:
            return self.price(exchange) if self.price else None
        except Exception:  # a missing price is not worth losing the run over
            return None

    def _retried(self, write: Callable[[], Any]) -> Any:
        for pause in (*WAITS_S, None):
            try:
                return write()
            except Exception:
                if pause is None or self.cancel.is_set():
                    raise
                time.sleep(pause)
        return None

    def _trouble(self, exc: Exception) -> None:
        with self._lock:
            if len(self.problems) < 100:
                self.problems.append(f"{type(exc).__name__}: {exc}")


def _errored(result: Result) -> bool:
    """An item's state: error when its request failed or a check could not judge; a select-best
    verdict that waits for the case's other targets is not yet either (it is judged here)."""
    return result.error is not None or any(v.error and not waits(v) for v in result.verdicts)


def stored_results(queue: Queue, batch_id: str) -> tuple[Suite, list[Result], dict[str, Any]] | None:
    """A stored batch's suite, the results its finished items keep, and :meth:`Queue.info`; None
    for a batch id the store does not know."""
    info = queue.info(batch_id)
    if info is None:
        return None
    suite = parse(queue.suite(batch_id))
    return suite, shared([Result.from_stored(d, suite.cases[d["case"] - 1]) for d in queue.results(batch_id)]), info
