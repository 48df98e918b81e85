"""Does a batch keep its concurrency busy at scale, in bounded memory?

Runs 1,000 cases x 4 targets (two models on both routes; a CSV-sized set of variables, each
case checked by three assertions) at concurrency 16 against the emulator in its own process
(so its work does not share this process's GIL) with 20 ms to the answer. The ideal wall time
is requests x latency / concurrency; the last lines printed are the ratio of the measured wall
time over that ideal (target: at most 1.25) and the peak memory of this process (target:
under 300 MB).

    python bench/batch_scale.py [--cases 1000] [--concurrency 16] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.compare_parallel import start_emulator  # noqa: E402
from comet import Call, Client, Route, simple_body  # noqa: E402
from comet.batch import Batch, parse, plan, summary  # noqa: E402

MODELS = ("gemini-2.5-flash", "gemini-2.5-flash-lite")


def suite(cases: int):
    return parse({
        "name": "scale",
        "request": {"route": "gemini", "model": MODELS[0], "body": {
            "systemInstruction": {"parts": [{"text": "Answer for {{user}} in one line."}]},
            "contents": [{"role": "user", "parts": [{"text": "What is the capital of {{country}}?"}]}]}},
        "targets": [{"route": route, "model": model} for model in MODELS for route in ("gemini", "openai")],
        "cases": [{"vars": {"country": f"country {i}", "user": f"user-{i}"}} for i in range(cases)],
        "assert": [{"type": "icontains", "value": "{{country}}"}, {"type": "regex", "value": r"user-\d+"},
                   {"type": "max-latency-ms", "value": 10000}]})


def raw_httpx_cpu_ms(client: Client, base_url: str, n: int = 200) -> float:
    """CPU per request of plain httpx on the same connection pool: the floor under any client."""
    url = f"{base_url}/v1beta/models/{MODELS[0]}:generateContent"
    body = simple_body(Route.GEMINI, "baseline")
    start = time.process_time()
    for _ in range(n):
        client._http.post(url, json=body, headers={"x-goog-api-key": "sk-bench"}).raise_for_status()
    return (time.process_time() - start) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=float, default=20)
    args = parser.parse_args()
    proc, base_url = start_emulator(args.latency_ms, 0)
    try:
        s = suite(args.cases)
        with Client(base_url, "sk-bench") as client:
            client.send(Call(Route.GEMINI, MODELS[0], simple_body(Route.GEMINI, "warm up")))
            raw_cpu_ms = raw_httpx_cpu_ms(client, base_url)
            run = Batch(s, plan(s), client, concurrency=args.concurrency, stop_in_flight=False)
            t0, cpu0 = time.perf_counter(), time.process_time()
            results = run.run()
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        proc.terminate()
        proc.wait()
    head = summary(results, len(s.cases), len(s.targets), run.wall_ms)
    assert head["passed"] == run.total, head
    ideal = run.total * args.latency_ms / 1000 / args.concurrency
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{run.total} runs ({args.cases} cases x {len(s.targets)} targets), concurrency {args.concurrency}, "
          f"{args.latency_ms:g} ms each: {wall:.2f} s, ideal {ideal:.2f} s")
    print(f"this process's CPU per run: {cpu / run.total * 1000:.2f} ms (one raw httpx request: "
          f"{raw_cpu_ms:.2f} ms); the wall time cannot go below the CPU time on one core for the GIL: "
          f"{cpu:.2f} s")
    print(f"wall / ideal: {wall / ideal:.3f} (target: at most 1.25)")
    print(f"peak memory: {peak_mb:.0f} MB (target: under 300 MB)")


if __name__ == "__main__":
    main()
