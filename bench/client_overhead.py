"""How much time does comet's client add per request? (issue 2, "Done when")

One emulator process (``python -m comet emulator --port 0`` with zero latency), then rounds:
in each round every client sends a batch of N requests of each case, the clients taking
turns in a fresh random order each time (seeded), so drift and bursts of load on a shared
machine hit all of them alike and none always follows the same one (the SDKs sweep the CPU
caches: a client that always ran right after them would pay for it). Clients: comet (one
Call per case, sent again and again; every send validates and prepares it), comet with a new
Call for every request (the body copy is paid each time too), raw httpx2 (httpx2 encodes the
same body to the same bytes, the same headers, one keep-alive ``httpx2.Client``, parsing only
what it needs for the text), and the official SDKs (openai on the OpenAI-compatible route,
google-genai on the Gemini route). Cases: both routes, plain and streaming ([[chunks=N]]
chunks).

The figure per client and case is the median of all its request times, each timed on its
own (robust to the load spikes of a shared machine; p10 is the fastest tenth). As in ``timeit``, garbage collection
is off while requests are timed and runs between rounds, outside the timing, so no client
pays for another's garbage (the SDKs make a lot). The clients and the emulator are pinned to
different CPUs when there are two.

    python bench/client_overhead.py [--requests 10] [--rounds 100] [--chunks 20]

The last line states the comet/httpx2 ratio (geometric mean over the four cases of the
median ratios) and whether it is within 1.15.

``--busy-us N`` adds a client that is raw httpx2 plus N microseconds of busy work after each
request: what the machine itself charges a client for being that much slower. On a virtual
machine a CPU left idle a little longer wakes more slowly, so the wall-time ratio of a slower
client grows by more than its own work; this line says how much on the day.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx2  # noqa: E402

from comet import Call, Route, auth_headers, prepare  # noqa: E402
from comet.http.client import Client, RetryPolicy  # noqa: E402

KEY = "sk-bench"
MODEL = "gemini-2.5-flash"
LIMIT = 1.15  # clarity first: plain code on the hot path, no constructor bypasses


def pin(cpu: int | None) -> None:
    """Keep the clients and the emulator on different CPUs (when there are two or more), so
    they do not evict each other's caches between requests; that noise would swamp what we
    measure."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


def cpus() -> tuple[int | None, int | None]:
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return (available[0], available[1]) if len(available) >= 2 else (None, None)


def start_emulator(cpu: int | None) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, COMET_EMULATOR_TTFT_MS="0", COMET_EMULATOR_CHUNK_MS="0")
    proc = subprocess.Popen([sys.executable, "-m", "comet", "emulator", "--port", "0"],
                            cwd=Path(__file__).resolve().parents[1], env=env,
                            stdout=subprocess.PIPE, text=True, preexec_fn=lambda: pin(cpu))
    base_url = proc.stdout.readline().strip()
    if not base_url.startswith("http"):
        proc.kill()
        raise SystemExit(f"the emulator did not print its base URL (got {base_url!r})")
    return proc, base_url


def calls(prompt: str) -> dict[tuple[str, str], Call]:
    gemini = {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}
    openai = {"messages": [{"role": "user", "content": prompt}]}
    return {(route.value, mode): Call(route, MODEL, body, stream=mode == "stream")
            for route, body in ((Route.GEMINI, gemini), (Route.OPENAI, openai))
            for mode in ("plain", "stream")}


def comet_runner(base_url: str, *, new_call: bool = False):
    client = Client(base_url, KEY, retry=RetryPolicy(attempts=1))

    def run(call: Call) -> str:
        ex = client.send(call.replace() if new_call else call)
        assert ex.ok, ex.error
        return ex.text
    return run


def httpx_runner(base_url: str):
    """What a careful hand-written client does: the same request (httpx2 encodes the same body
    to the same bytes), one keep-alive client, and only the parsing it needs for the text."""
    http = httpx2.Client(timeout=httpx2.Timeout(60.0, connect=10.0))

    def text_of(route: Route, data: dict, stream: bool) -> str:
        if route is Route.GEMINI:
            parts = (data.get("candidates") or [{}])[0].get("content", {}).get("parts", [])
            return "".join(p.get("text", "") for p in parts)
        choice = (data.get("choices") or [{}])[0]
        return (choice.get("delta" if stream else "message") or {}).get("content") or ""

    urls = {(c.route, c.stream): prepare(c, base_url).url for c in calls("").values()}

    def run(call: Call) -> str:
        url = urls[call.route, call.stream]
        headers = auth_headers(call.route, KEY)
        if not call.stream:
            r = http.post(url, headers=headers, json=call.body)
            r.raise_for_status()
            return text_of(call.route, r.json(), False)
        out = []
        headers["Accept"] = "text/event-stream"
        with http.stream("POST", url, headers=headers, json=call.body) as r:
            r.raise_for_status()
            for line in r.iter_lines():
                if line.startswith("data:"):
                    data = line[5:].strip()
                    if data == "[DONE]":
                        continue
                    out.append(text_of(call.route, json.loads(data), True))
        return "".join(out)
    return run


def busy_runner(base_url: str, micros: float):
    """Raw httpx2, then ``micros`` of busy work: a client exactly that much slower."""
    run_raw = httpx_runner(base_url)

    def run(call: Call) -> str:
        text = run_raw(call)
        end = time.perf_counter() + micros / 1e6
        while time.perf_counter() < end:
            pass
        return text
    return run


def sdk_runner(base_url: str):
    import openai
    from google import genai

    oa = openai.OpenAI(api_key=KEY, base_url=base_url + "/v1", max_retries=0)
    gg = genai.Client(api_key=KEY, http_options={"base_url": base_url, "api_version": "v1beta"})

    def run(call: Call) -> str:
        if call.route is Route.OPENAI:
            messages = call.body["messages"]
            if call.stream:
                return "".join(c.choices[0].delta.content or "" for c in oa.chat.completions.create(
                    model=MODEL, messages=messages, stream=True) if c.choices)
            answer = oa.chat.completions.create(model=MODEL, messages=messages)
            return answer.choices[0].message.content
        contents = call.body["contents"]
        if call.stream:
            return "".join(c.text or "" for c in gg.models.generate_content_stream(
                model=MODEL, contents=contents))
        return gg.models.generate_content(model=MODEL, contents=contents).text
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=10, help="requests per client, case and round")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--chunks", type=int, default=20, help="chunks per streamed answer")
    ap.add_argument("--busy-us", type=float, default=0.0,
                    help="also time raw httpx2 plus this many microseconds of busy work a request")
    args = ap.parse_args()

    client_cpu, server_cpu = cpus()
    proc, base_url = start_emulator(server_cpu)
    pin(client_cpu)
    try:
        cases = calls(f"Benchmark prompt [[chunks={args.chunks}]]")
        runners = {"comet": comet_runner(base_url),
                   "new Call": comet_runner(base_url, new_call=True),
                   "httpx2": httpx_runner(base_url), "sdk": sdk_runner(base_url)}
        if args.busy_us > 0:
            runners["busy"] = busy_runner(base_url, args.busy_us)
        for case, call in cases.items():  # warm up, and check that all agree on the answer
            answers = {name: run(call) for name, run in runners.items()}
            for _ in range(20):
                for run in runners.values():
                    run(call)
            if len(set(answers.values())) != 1:
                raise SystemExit(f"clients disagree on {case}: {answers}")
        times: dict[tuple[str, tuple[str, str]], list[float]] = {}
        names, clock, order = list(runners), time.perf_counter, random.Random(2)
        for _ in range(args.rounds):
            for case, call in cases.items():
                order.shuffle(names)
                for name in names:
                    run, got = runners[name], times.setdefault((name, case), [])
                    gc.collect()  # as timeit does: no client pays for another's garbage
                    gc.disable()
                    for _ in range(args.requests):
                        start = clock()
                        run(call)
                        got.append((clock() - start) * 1000)
                    gc.enable()
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    median = {key: statistics.median(v) for key, v in times.items()}
    fast = {key: sorted(v)[len(v) // 10] for key, v in times.items()}  # 10th percentile
    print(f"{args.rounds} rounds x {args.requests} requests per client and case; streams of "
          f"{args.chunks} chunks; ms per request, median of all requests (p10: the fastest tenth)")
    print(f"{'route':7} {'mode':6} {'comet':>6} {'new Call':>8} {'httpx2':>6} {'sdk':>6}  "
          f"{'comet/httpx2':>11} {'(p10)':>6} {'new Call/httpx2':>14} {'sdk/httpx2':>9}")
    ratios, fast_ratios, fresh_ratios = [], [], []
    for case in cases:
        c, f, h, s = (median[(name, case)] for name in ("comet", "new Call", "httpx2", "sdk"))
        ratios.append(c / h)
        fresh_ratios.append(f / h)
        fast_ratios.append(fast[("comet", case)] / fast[("httpx2", case)])
        print(f"{case[0]:7} {case[1]:6} {c:6.3f} {f:8.3f} {h:6.3f} {s:6.3f}  {c / h:10.2f}x "
              f"{fast_ratios[-1]:5.2f}x {f / h:13.2f}x {s / h:8.2f}x")
    print("sdk: openai on the OpenAI-compatible route, google-genai on the Gemini route")
    if args.busy_us > 0:
        busy = [median[("busy", case)] / median[("httpx2", case)] for case in cases]
        print(f"httpx2 + {args.busy_us:g} us of busy work a request / httpx2 = "
              f"{statistics.geometric_mean(busy):.2f}x (" + ", ".join(f"{r:.2f}x" for r in busy)
              + "): what this machine charges a client that much slower")
    mean = statistics.geometric_mean(ratios)
    verdict = "within" if mean <= LIMIT else "NOT within"
    print(f"comet/httpx2 = {mean:.2f}x (geometric mean of the medians; worst case "
          f"{max(ratios):.2f}x; p10 {statistics.geometric_mean(fast_ratios):.2f}x; with a new "
          f"Call per request {statistics.geometric_mean(fresh_ratios):.2f}x): {verdict} "
          f"{LIMIT:.2f}x")


if __name__ == "__main__":
    main()
