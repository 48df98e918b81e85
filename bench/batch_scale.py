"""Does a batch keep its concurrency busy at scale, in bounded memory?

Runs 1,000 cases x 4 targets (two models on both routes; a CSV-sized set of variables, each
case checked by three assertions) at concurrency 16 against the emulator in its own process
(so its work does not share this process's GIL) with 20 ms to the answer. The ideal wall time
is requests x latency / concurrency; the last lines printed are the ratio of the measured wall
time over that ideal (target: at most 1.25) and the peak memory of this process (target:
under 300 MB).

A baseline in the same run says what the machine allows: the same number of requests sent by
raw httpx2 (one ``httpx2.Client``, the same concurrency in threads, nothing checked or kept) to
the same emulator, with its wall time over the same ideal, and the CPU each request costs this
process and the emulator's. Their sum times the requests, over the cores, is the least wall
time an httpx2 client at that cost could reach here, however many processes it used.

    python bench/batch_scale.py [--cases 1000] [--concurrency 16] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.compare_parallel import start_emulator  # noqa: E402
from comet import Call, Client, Route, simple_body  # noqa: E402
from comet.runs.batch import Batch, parse, plan, summary  # noqa: E402

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


def raw_request(client: Client, base_url: str, prompt: str):
    """One raw httpx request on the client's own connection pool, returning the answer's text:
    nothing validated, timed, checked or kept."""
    url = f"{base_url}/v1beta/models/{MODELS[0]}:generateContent"
    body = simple_body(Route.GEMINI, prompt)

    def one(_: int = 0) -> str:
        r = client._http.post(url, json=body, headers={"x-goog-api-key": "sk-bench"})
        r.raise_for_status()
        return r.json()["candidates"][0]["content"]["parts"][0]["text"]
    return one


def raw_httpx_cpu_ms(client: Client, base_url: str, n: int = 200) -> float:
    """CPU per request of plain httpx on the same connection pool: the floor under any client."""
    one = raw_request(client, base_url, "baseline")
    start = time.process_time()
    for _ in range(n):
        one()
    return (time.process_time() - start) / n * 1000


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raw_httpx_batch(client: Client, base_url: str, n: int, concurrency: int) -> tuple[float, float]:
    """(wall s, this process's CPU s) for ``n`` raw httpx requests, ``concurrency`` at a time
    from as many threads: the floor under any threaded httpx2 batch on this machine."""
    one = raw_request(client, base_url, "What is the capital of country 1?")
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(concurrency)))  # the connections opened
        t0, cpu0 = time.perf_counter(), time.process_time()
        list(pool.map(one, range(n)))
        return time.perf_counter() - t0, time.process_time() - cpu0


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
            emulator0 = process_cpu_s(proc.pid)
            t0, cpu0 = time.perf_counter(), time.process_time()
            results = run.run()
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            emulator_cpu = process_cpu_s(proc.pid) - emulator0
            emulator0 = process_cpu_s(proc.pid)
            raw_wall, raw_cpu = raw_httpx_batch(client, base_url, run.total, args.concurrency)
            raw_emulator_cpu = process_cpu_s(proc.pid) - emulator0
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
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    floor = max(ideal, (raw_cpu + raw_emulator_cpu) / cores)
    print(f"the emulator's CPU per run: {emulator_cpu / run.total * 1000:.2f} ms")
    print(f"baseline, raw httpx2 in {args.concurrency} threads, {run.total} requests: {raw_wall:.2f} s, "
          f"wall / ideal {raw_wall / ideal:.3f}; CPU per request {raw_cpu / run.total * 1000:.2f} ms here "
          f"+ {raw_emulator_cpu / run.total * 1000:.2f} ms in the emulator: at that cost, on {cores} cores, "
          f"even spread over processes, no wall time below {floor:.2f} s, wall / ideal {floor / ideal:.3f}")
    print(f"batch / raw httpx2 baseline: {wall / raw_wall:.3f}")
    print(f"wall / ideal: {wall / ideal:.3f} (target: at most 1.25)")
    print(f"peak memory: {peak_mb:.0f} MB (target: under 300 MB)")


if __name__ == "__main__":
    main()
