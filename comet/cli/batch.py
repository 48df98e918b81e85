"""``python -m comet batch SUITE.json``: every case on every target, checked; exit 0 when every
assertion passed, 1 when one failed or a request errored, 2 for a suite that cannot run (the
message names the JSON path or the dataset line; nothing is sent)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser, Namespace
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from . import batch_cost
from .common import FAILED, OK, BadInput, Command, client as sender

FORMATS = ("table", "json", "csv", "junit")


def batch(args: Namespace) -> int:
    from comet.runs.batch import MAX_CONCURRENCY

    from . import batch_stored as stored

    if args.concurrency < 1:
        raise BadInput(f"--concurrency {args.concurrency} is below 1", "give 1 or more requests in flight")
    if args.concurrency > MAX_CONCURRENCY:
        raise BadInput(f"--concurrency {args.concurrency} is over the limit of {MAX_CONCURRENCY}",
                       f"give at most {MAX_CONCURRENCY} requests in flight (a 429 holds the whole batch anyway)")
    mode = _mode(args)
    batch_cost.batch_only(args.max_cost_usd, f"--{mode}")
    usd = batch_cost.cap(args.max_cost_usd)
    if mode != "suite":
        _writable(args.out)
        if mode == "resume":
            return stored.resume(args, usd)
        return {"work": stored.work, "results": stored.results}[mode](args)
    suite, planned = _suite(args)
    if args.dry_run:
        return batch_cost.dry_run(suite, planned, args.base_url)
    if args.submit:
        batch_cost.say_submitted(suite, planned, usd)
        return stored.submit(args, suite, usd)
    return _local(args, suite, planned, usd)


def _mode(args: Namespace) -> str:
    """What to do: run SUITE.json (or --submit it), or one of --work, --resume, --results."""
    given = [f for f, v in (("--work", args.work), ("--resume", args.resume), ("--results", args.results)) if v]
    if len(given) > 1:
        raise BadInput(f"{' and '.join(given)} cannot go together", "give one of them")
    if given and args.suite:
        raise BadInput(f"{given[0]} takes no SUITE.json", f"leave out {args.suite}, or {given[0]}")
    if not given and not args.suite:
        raise BadInput("no SUITE.json", "name a suite file, or give --work, --resume BATCH_ID or --results BATCH_ID")
    if args.retry_errors and not args.resume:
        raise BadInput("--retry-errors goes with --resume BATCH_ID", "add --resume BATCH_ID")
    if args.exit_when_idle and not args.work:
        raise BadInput("--exit-when-idle goes with --work", "add --work")
    return given[0][2:] if given else "suite"


def _suite(args: Namespace) -> tuple[Any, Any]:
    from comet.runs.batch import SuiteError, load, plan, with_repeat
    from comet.store import open_store
    from comet.store.prompts_sql import suite_resolver

    try:
        suite = load(args.suite, judge=_judge(args.judge), prompts=suite_resolver(opener=open_store))
        if args.repeat is not None:
            suite = with_repeat(suite, args.repeat)
        return suite, plan(suite)
    except SuiteError as err:
        raise BadInput(f"{err.where}: {err.message}", err.fix) from None


def _local(args: Namespace, suite: Any, planned: Any, usd: Any) -> int:
    """Today's batch, run in this process; with --record also stored as it runs
    (:class:`~comet.store.batch_queue_local.Recording`), so --resume can finish it."""
    from comet.runs.batch import Batch, counts, render, summary, target_name
    from comet.store.batch_queue_local import Recording

    from .batch_stored import price_of

    out = _writable(args.out)
    names = [target_name(p) for p in planned]
    with sender(args.base_url) as client, _history(args) as history:
        batch_cost.ensure_priced(client, planned, usd)
        run = Batch(suite, planned, client, concurrency=args.concurrency, history=history,
                    price=price_of(client), stop_in_flight=False, max_cost_usd=usd)
        stored = None if history is None else Recording(history, run, suite, created_by=_person(history))
        with _progress(run.total) as bar:
            results = _run(run, bar, stored)
        problem = _kept(run, history)
        if stored is not None and stored.close():
            print(f"warning: {stored.problem}", file=sys.stderr)
    batch_cost.say_stopped(run)
    head = summary(results, len(suite.cases), len(planned), run.wall_ms, suite.repeat)
    text = render(args.format, suite.name, results, head, names)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
    if args.format != "table" or out is not None:  # the table ends with this line already; CI logs want it
        print(f"{suite.name}: {counts(head)}", file=sys.stderr)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
    elif history is not None:
        print(f"recorded in history as batch {run.batch_id}", file=sys.stderr)
    return OK if head["passed"] == run.total and not problem else FAILED


def _person(history: Any) -> str:
    return getattr(getattr(history, "person", None), "email", "") or ""


GRACE_S = 2.0  # after Ctrl-C: how long the runs in flight may take to finish before they are abandoned


def _run(run, bar, stored=None) -> list:
    """Every result; on Ctrl-C no new run starts, the runs in flight get GRACE_S to finish, and
    the report covers what finished (exit 1: the batch is incomplete)."""
    def finished(result) -> None:
        bar.update(1)
        if stored is not None:
            stored.finished(result)

    try:
        return run.run(on_result=finished)
    except KeyboardInterrupt:
        abandoned = run.wind_down(GRACE_S)
        print(f"interrupted: {len(run.results):,} of {run.total:,} runs finished"
              + (f"; {abandoned} in flight were abandoned" if abandoned else ""), file=sys.stderr)
        return run.results


def _whole(text: str) -> Any:
    """An integer when the text is one, else the text: :func:`~comet.runs.batch.with_repeat` says
    what is wrong with it (exit 2, naming the flag)."""
    try:
        return int(text)
    except ValueError:
        return text


def _judge(value: str | None):
    """--judge ROUTE:MODEL: the judge of every model-graded assertion, or None (the suite's)."""
    from comet.runs.judge import JudgeConfigError, parse_target

    if value is None:
        return None
    try:
        return parse_target(value, "--judge")
    except JudgeConfigError as err:
        raise BadInput(f"--judge {value!r}: {err.message}", "write --judge ROUTE:MODEL, e.g. "
                       "--judge gemini:gemini-2.5-pro") from None


def _writable(path: str | None) -> Path | None:
    if path is None:
        return None
    out = Path(path)
    if not out.parent.is_dir():
        raise BadInput(f"--out: the folder of {path} does not exist", "create it or pick another path")
    return out


@contextmanager
def _history(args: Namespace) -> Iterator[Any]:
    """--record: the store, its writes retried (:class:`~comet.store.keeping.Keeper`); else None."""
    if not args.record:
        yield None
        return
    from comet.store import open_store
    from comet.store.keeping import Keeper
    from comet.store.owners import cli_owner

    with open_store(args.url or (Path(args.db).expanduser() if args.db else None)) as store:
        yield Keeper(cli_owner(store, args.user))


def _kept(run, history) -> str | None:
    """--record: the runs still pending (the store failed as they finished) written again, then
    the verdicts and case variables beside them; what could not be kept, or None."""
    from comet.runs.batch import keep

    if history is None:
        return None
    lost = history.flush()
    problem = keep(run)
    if lost:
        return (f"{lost:,} of {len(run.results):,} runs were not recorded in history ({history.problem})"
                + (f"; {problem}" if problem else ""))
    return problem


def _progress(total: int):
    from tqdm import tqdm  # a kept library; draws only when stderr is a terminal
    return tqdm(total=total, unit="run", file=sys.stderr, disable=None, dynamic_ncols=True)


def _arguments(parser: ArgumentParser) -> None:
    parser.add_argument("suite", metavar="SUITE.json", nargs="?", default=None,
                        help="the suite file (see docs/batch.md)")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at once (default 8, at most 64)")
    parser.add_argument("--repeat", type=_whole, default=None, metavar="N",
                        help='run each case N times on each target, for a pass rate (overrides the suite\'s "repeat")')
    parser.add_argument("--dry-run", action="store_true",
                        help="print the number of requests and an estimate of their cost; send nothing")
    parser.add_argument("--max-cost-usd", default=None, metavar="X",
                        help="start no new run once the batch's runs have cost X US dollars (exit 1, partial results); "
                        "with --submit or --record the cap is stored with the batch, --resume ID --max-cost-usd Y "
                        "sets a new one")
    parser.add_argument("--record", action="store_true", help="save every run in History with the batch id")
    parser.add_argument("--db", default=None, help="history database for --record (default: COMET_HISTORY_DB "
                        "or the per-user file)")
    parser.add_argument("--user", default=None, metavar="NAME",
                        help="who --record attributes the runs to (default: COMET_USER, else the OS login name)")
    parser.add_argument("--judge", default=None, metavar="ROUTE:MODEL",
                        help="the judge of every model-graded assertion (llm-rubric, factuality, select-best), "
                        "in place of the suite's")
    parser.add_argument("--url", default=None, metavar="URL", help="the store of a stored batch (--submit, --work, "
                        "--resume, --results): a PostgreSQL URL or a SQLite path (default: the configured history)")
    parser.add_argument("--submit", action="store_true", help="store the batch and print its id; nothing is sent")
    parser.add_argument("--work", action="store_true", help="be a worker: claim and run items of stored batches")
    parser.add_argument("--exit-when-idle", action="store_true", help="with --work: exit once nothing is left to run")
    parser.add_argument("--resume", default=None, metavar="BATCH_ID", help="run what is not done of a stored batch, "
                        "then print all its results")
    parser.add_argument("--retry-errors", action="store_true", help="with --resume: run the errored items again too")
    parser.add_argument("--results", default=None, metavar="BATCH_ID", help="print a stored batch's results, "
                        "state and progress")
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--out", default=None, metavar="FILE", help="write the report here instead of stdout")


COMMANDS = [Command("batch", "run a suite: every case on every target, with assertions", batch, _arguments)]
