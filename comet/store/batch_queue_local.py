"""A batch run in this process (:class:`comet.runs.batch.Batch`) and stored as it runs: what
``python -m comet batch --record`` and the Batch page's Run do.

The batch is stored before anything is sent, its items leased to this process (renewed while it
runs); each result is written on its item as it finishes, under the run's uid, so whatever this
process does not finish (killed, stopped, a closed tab's server gone) is left for a resume. A
Stop pressed anywhere (another replica, ``--results`` readers see it) stops the local run too.

    >>> recording = Recording(store, run, suite, created_by="ana@example.com")   # doctest: +SKIP
    >>> run.run(on_result=recording.finished); recording.close()
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from comet.runs.batch.best import judgements

from .batch_queue import Item, Queue, cost_of, lease_s, new_owner
from .batch_queue_work import SharedHold

WATCH_S = 1.0  # how often the batch's state is read, so a Stop pressed elsewhere stops this run


def items_of(suite: Any) -> list[tuple[int, int, int]]:
    """(case, target, repeat) for every run the suite plans."""
    return [(case.number, i, repeat) for case, i, repeat in suite.runs(len(suite.targets))]


class Recording:
    """Store ``run`` (a Batch not yet started) in ``store`` and keep its results there.

    ``write(job)`` runs ``job(queue)`` (by default at once; the page hands it to its writer's
    queue, so each item's result is written after its run). With ``drain`` a thread of its own
    collects the results as they finish, so the batch is kept whoever watches it (a closed tab)."""

    def __init__(self, store: Any, run: Any, suite: Any, *, created_by: str = "",
                 write: Callable[[Callable[[Queue], Any]], Any] | None = None, drain: bool = False):
        self.queue, self.run, self.owner = Queue(store), run, new_owner()
        self._write = write or (lambda job: job(self.queue))
        self.queue.submit(run.batch_id, suite.to_dict(), items_of(suite), created_by=created_by, owner=self.owner,
                          max_cost_usd=getattr(run, "max_cost_usd", None))  # the cap stays with the batch
        run.limiter = SharedHold(self.queue, run.client.key_id)  # a 429 holds the workers on this key too
        run.item_uid = lambda case, target, repeat: Item(run.batch_id, case, target, repeat).uid
        self.problem: str | None = None
        self._paid: dict[int, Any] = {}  # select-best judgements in the spend (held: their ids stay theirs)
        self._stopped = threading.Event()
        threading.Thread(target=self._watch, name="batch-lease", daemon=True).start()
        if drain:
            threading.Thread(target=self._drain, name="batch-drain", daemon=True).start()

    def _item(self, result: Any) -> Item:
        return Item(self.run.batch_id, result.case.number, result.target, result.repeat)

    def _watch(self) -> None:
        every, renewed = lease_s() / 3, 0.0
        while not self._stopped.wait(WATCH_S):
            try:
                renewed += WATCH_S
                if renewed >= every:
                    renewed = 0.0
                    self.queue.renew(self.owner)
                if self.queue.stopped(self.run.batch_id):
                    self.run.stop()
            except Exception:  # the store is down: the results wait in memory meanwhile
                pass

    def _drain(self) -> None:
        self.run.start()
        while not self.run.finished:
            for result in self.run.drain(0.2):
                self.finished(result)
        self.close()

    def finished(self, result: Any) -> None:
        item, stored, error = self._item(result), result.stored(), result.errored
        try:
            self._write(lambda queue: self._finish(queue, [(item, stored, error)], [result]))
        except Exception:  # written again by close()
            pass

    def _finish(self, queue: Queue, done: list[tuple[Item, dict[str, Any], bool]], results: list[Any]) -> None:
        """``done`` written, each item's spend its own cost and, with the first result of a case
        written, the case's select-best judges (judged here, once for all its targets)."""
        paying: dict[int, Any] = {}

        def spend(i: int) -> float:
            new = {k: j for k, j in judgements(results[i:i + 1]).items() if k not in self._paid and k not in paying}
            paying.update(new)
            return cost_of(done[i][1]) + sum(j.cost_usd or 0.0 for j in new.values())

        queue.finish_many(done, spend)
        self._paid.update(paying)  # once committed

    def close(self) -> str | None:
        """Every result on its item (those whose run is stored), the rest given back to the queue
        (cancelled when the batch was stopped); what went wrong, or None."""
        self._stopped.set()
        results = list(self.run.results)
        done = [(self._item(r), r.stored(), r.errored) for r in results]

        def write(queue: Queue) -> None:
            self._finish(queue, [(item, {**stored, "run": stored["run"] or queue.run_id(item.uid)}, error)
                                 for item, stored, error in done], results)
            queue.release(self.owner)

        try:
            self._write(write)
        except Exception as exc:
            self.problem = f"the stored batch was not brought up to date ({exc}); a resume finds its runs"
        return self.problem
