"""Do worker processes on one stored batch add up, and what does the store cost an item?

A batch of 2,000 items (1,000 cases x 2 targets) is stored in PostgreSQL and run by 1, 2 and 4
worker processes (comet.store.batch_queue_work.Worker, concurrency 16 each) against the emulator
in its own process at 200 ms to the answer. Each worker process opens its store and client,
then waits for one start signal, so start-up is not timed. For each count the ideal wall time is
items x latency / (workers x concurrency); the ratio printed is the measured wall time (start
signal to the last worker's exit) over that ideal (target: at most 1.25).

In the same run, the store's own cost an item: one claim, the run recorded and the item's result
written, in a loop on one thread with no request (a stored Exchange reused), in milliseconds, and
what it adds to the ideal at 64 in flight.

    python bench/batch_workers.py [--url postgresql://...] [--items 2000] [--latency-ms 200]

The URL defaults to COMET_TEST_POSTGRES_URL; the bench works in a schema of its own, dropped at
the end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.compare_parallel import start_emulator  # noqa: E402

KEY = "sk-bench-workers"
PRICE = 0.0001  # what each item costs in the store-cost loop


def suite(items: int) -> dict:
    return {"name": "workers", "request": {"route": "gemini", "model": "gemini-2.5-flash", "body": {
        "contents": [{"role": "user", "parts": [{"text": "What is the capital of {{country}}?"}]}]}},
        "targets": [{"route": "gemini", "model": "gemini-2.5-flash"}, {"route": "openai", "model": "gemini-2.5-flash"}],
        "cases": [{"vars": {"country": f"country {i}"}} for i in range(items // 2)],
        "assert": [{"type": "icontains", "value": "{{country}}"}]}


def submit(url: str, items: int) -> str:
    from comet.runs.batch import new_batch_id, parse
    from comet.store import open_store
    from comet.store.batch_queue import Queue

    s = parse(suite(items))
    batch_id = new_batch_id()
    with open_store(url) as store:
        Queue(store).submit(batch_id, s.to_dict(), [(c.number, t, r) for c, t, r in s.runs(len(s.targets))])
    return batch_id


def work(url: str, base_url: str, concurrency: int, ready, go) -> None:
    """One worker process: ready, then wait for the signal, then run until the queue is empty."""
    from comet.http.client import Client
    from comet.store import open_store
    from comet.store.batch_queue_work import Worker

    with open_store(url) as store, Client(base_url, KEY) as client:
        worker = Worker(store, client, concurrency=concurrency, until_idle=True)
        ready.release()
        go.wait()
        worker.run()
        if worker.problems:
            print(f"worker {os.getpid()}: {worker.problems[:3]}", file=sys.stderr)


def timed(url: str, base_url: str, workers: int, concurrency: int) -> float:
    spawn = multiprocessing.get_context("spawn")
    ready, go = spawn.Semaphore(0), spawn.Event()
    procs = [spawn.Process(target=work, args=(url, base_url, concurrency, ready, go)) for _ in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    t0 = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
    return time.perf_counter() - t0


def store_cost_ms(url: str, base_url: str, n: int) -> dict[str, float]:
    """The store's own cost an item, no request (one stored Exchange reused), ms an item: the
    claim, the run recorded (what any recorded batch pays) and the item's result written (priced,
    so it adds its cost to the batch's spend, as a priced batch's results do)."""
    from comet import Call, Client, Route, simple_body
    from comet.runs.batch import parse, plan
    from comet.runs.batch.runner import result_of
    from comet.store import open_store
    from comet.store.batch_queue import Queue, new_owner

    batch_id = submit(url, n)
    s = parse(suite(n))
    planned = plan(s)
    spent = {"claim": 0.0, "record": 0.0, "result": 0.0}
    with open_store(url) as store, Client(base_url, KEY) as client:
        exchange = client.send(Call(Route.GEMINI, "gemini-2.5-flash", simple_body(Route.GEMINI, "country 1")))
        queue, owner = Queue(store), new_owner()
        while True:
            t0 = time.perf_counter()
            items = queue.claim(owner, 1, batch_id=batch_id)
            t1 = time.perf_counter()
            spent["claim"] += t1 - t0
            if not items:
                break
            item = items[0]
            run_id = store.record_many([exchange], group_ids=[batch_id], uids=[item.uid])[0]
            t2 = time.perf_counter()
            result = result_of(s.cases[item.case_no - 1], item.target, planned[item.target], exchange, PRICE, run_id)
            queue.finish(item, result.stored(), error=result.errored)
            spent["record"] += t2 - t1
            spent["result"] += time.perf_counter() - t2
    return {k: v / n * 1000 for k, v in spent.items()}


def schema(base: str):
    import psycopg

    name = "bench_" + secrets.token_hex(4)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    joiner = "&" if "?" in base else "?"
    return name, f"{base}{joiner}options={quote(f'-csearch_path={name}')}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("COMET_TEST_POSTGRES_URL"))
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    if not args.url:
        raise SystemExit("give --url postgresql://... (or set COMET_TEST_POSTGRES_URL)")
    import psycopg

    name, url = schema(args.url)
    proc, base_url = start_emulator(args.latency_ms, 0)
    try:
        load = os.getloadavg()[0]
        for n in (int(w) for w in args.workers.split(",")):
            submit(url, args.items)
            wall = timed(url, base_url, n, args.concurrency)
            ideal = args.items * args.latency_ms / 1000 / (n * args.concurrency)
            print(f"{n} worker(s) x {args.concurrency}: {args.items} items in {wall:.2f} s, ideal {ideal:.2f} s, "
                  f"wall / ideal {wall / ideal:.3f} (target: at most 1.25)")
        cost = store_cost_ms(url, base_url, min(args.items, 500))
        queue_ms = cost["claim"] + cost["result"]
        print(f"the store an item, one thread, no request: claim {cost['claim']:.2f} ms + result {cost['result']:.2f} "
              f"ms = {queue_ms:.2f} ms of queue overhead, beside {cost['record']:.2f} ms to record the run in History "
              f"(which any recorded batch pays)")
        print(f"load average at the start: {load:.1f} on {os.cpu_count()} cores")
    finally:
        proc.terminate()
        proc.wait()
        with psycopg.connect(args.url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


if __name__ == "__main__":
    main()
