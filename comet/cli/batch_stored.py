"""``python -m comet batch`` on a stored batch (:mod:`comet.store.batch_queue`): ``--submit``,
``--work``, ``--resume``, ``--results``, and what ``--record`` keeps of a batch as it runs."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from comet.core import formats

from .common import FAILED, OK, BadInput, client as sender

GRACE_S = 2.0  # after Ctrl-C: how long the items in flight may take before they go back to the queue


@contextmanager
def opened(args: Namespace) -> Iterator[Any]:
    """The store of ``--url`` (or ``--db``), else the configured history; exit 2 when it cannot
    be opened."""
    from comet.store import open_store

    where = args.url or (Path(args.db).expanduser() if args.db else None)
    with open_store(where) as store:
        yield store


def _queue(store: Any) -> Any:
    from comet.store.batch_queue import Queue

    return Queue(store)


def submit(args: Namespace, suite: Any, usd: float | None = None) -> int:
    """Store the batch (with its cost cap ``usd``), print its id on stdout; nothing is sent."""
    from comet.http import tracing
    from comet.runs.batch import new_batch_id, plan
    from comet.runs.batch.runner import batch_span
    from comet.store.batch_queue_local import items_of
    from comet.store.batch_queue_work import TRACEPARENT
    from comet.store.owners import cli_owner

    with opened(args) as store:
        batch_id = new_batch_id()
        person = cli_owner(store, args.user).person.email
        with tracing.scope(user=person):
            trace = batch_span(batch_id, suite, plan(suite))
        data, parent = suite.to_dict(), trace.traceparent()
        if parent:  # tracing is on: the workers' runs will name this span as their parent
            data[TRACEPARENT] = parent
        count = _queue(store).submit(batch_id, data, items_of(suite), created_by=person, max_cost_usd=usd)
        trace.end()  # the workers' runs, later and elsewhere, are its children
    print(batch_id)
    capped = f", stopping once it has spent {formats.usd(usd)}" if usd is not None else ""
    print(f"submitted {count:,} requests as batch {batch_id}{capped}; run them with python -m comet batch --work",
          file=sys.stderr)
    return OK


def work(args: Namespace) -> int:
    """A worker: claims and runs items until stopped (Ctrl-C), or until idle."""
    with opened(args) as store, sender(args.base_url) as client:
        done, problems = _work(store, client, args, batch_id=None)
    print(f"worker: {done:,} items finished", file=sys.stderr)
    for problem in problems[:5]:
        print(f"warning: {problem}", file=sys.stderr)
    return OK


def _work(store: Any, client: Any, args: Namespace, batch_id: str | None) -> tuple[int, list[str]]:
    from comet.store.batch_queue_work import Worker

    worker = Worker(store, client, concurrency=args.concurrency, batch_id=batch_id,
                    until_idle=args.exit_when_idle or batch_id is not None, price=price_of(client))
    try:
        worker.run()
    except KeyboardInterrupt:
        back = worker.stop(GRACE_S)
        print(f"interrupted: {worker.finished:,} items finished"
              + (f"; {back} in flight went back to the queue" if back else ""), file=sys.stderr)
    return worker.finished, worker.problems


def price_of(client):
    """A pricer from the live model list; without one, costs stay unknown (and a
    max-cost-usd assertion says so) rather than failing the batch."""
    from comet.core.errors import CometError
    from comet.runs.compare import pricer

    try:
        return pricer(client.models())
    except CometError as err:
        print(f"warning: no prices ({err.message}); costs are unknown", file=sys.stderr)
        return None


def resume(args: Namespace, usd: float | None = None) -> int:
    """Run what is not done of a stored batch (and, with --retry-errors, what errored), then
    print the whole batch's results; ``usd`` (--max-cost-usd) is its new cost cap, else the
    stored one holds."""
    from comet.runs.batch import parse, plan

    from .batch_cost import ensure_priced

    with opened(args) as store:
        queue = _queue(store)
        if queue.info(args.resume) is None:
            raise _unknown(args.resume)
        with sender(args.base_url) as client:
            ensure_priced(client, plan(parse(queue.suite(args.resume))), usd)
            queue.resume(args.resume, retry_errors=args.retry_errors, max_cost_usd=usd)
            queue.reclaim_gone()  # a batch whose process was killed: its items return at once
            _work(store, client, args, batch_id=args.resume)
        return _report(args, store, args.resume, keep=True)


def results(args: Namespace) -> int:
    with opened(args) as store:
        return _report(args, store, args.results, keep=False)


def _unknown(batch_id: str) -> BadInput:
    return BadInput(f"no stored batch {batch_id!r} in this history",
                    "check the id (python -m comet batch --submit printed it) and --url")


def _report(args: Namespace, store: Any, batch_id: str, *, keep: bool) -> int:
    """Today's report of the whole batch, plus its state and progress in the JSON document."""
    from comet.runs.batch import plan, render, summary, target_name
    from comet.runs.batch.spend import resume_hint
    from comet.store.batch_queue_work import stored_results

    found = stored_results(_queue(store), batch_id)
    if found is None:
        raise _unknown(batch_id)
    suite, done, info = found
    names = [target_name(p) for p in plan(suite)]
    head = summary(done, len(suite.cases), len(names), None, suite.repeat)
    text = render(args.format, suite.name, done, head, names)
    if args.format == "json":
        document = json.loads(text)
        text = json.dumps({**document, "batch": batch_id, "state": info["state"], "progress": info["progress"],
                           **{k: info.get(k) for k in ("reason", "spent_usd", "max_cost_usd")}},
                          ensure_ascii=False, indent=1) + "\n"
    if keep:
        _save(store, batch_id, suite, done, head)
    _write(args, text)
    progress = info["progress"]
    print(f"batch {batch_id}: {info['state']}, {progress['finished']:,} of {progress['total']:,} finished; "
          f"{head['passed']} passed, {head['failed']} failed, {head['errors']} errors", file=sys.stderr)
    if info.get("capped"):
        print(f"{info['reason']}; {resume_hint(batch_id, info['spent_usd'])}", file=sys.stderr)
    return OK if info["state"] == "done" and head["passed"] == progress["total"] else FAILED


def _save(store: Any, batch_id: str, suite: Any, done: list, head: dict) -> None:
    """The batch's document beside its runs (the Batch page's Recorded batches reopens it)."""
    from comet.core.exports import finite
    from comet.runs.batch.report import ordered

    try:
        store.save_batch(batch_id, finite({"suite": suite.name, "summary": head, "results": [
            {**r.to_dict(), "run": r.history_id} for r in ordered(done)]}))
    except Exception as exc:
        print(f"warning: the batch's verdicts were not saved beside its runs ({exc})", file=sys.stderr)


def _write(args: Namespace, text: str) -> None:
    if args.out is None:
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
