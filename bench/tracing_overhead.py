"""What does tracing cost a send? (issue 32: "a dead collector never slows a send")

One emulator process (``python -m comet emulator --port 0``, small latency), then rounds: in each
round the same client sends N requests in each of four modes, the modes taking turns in a fresh
random order (seeded): tracing off, tracing to a live loopback OTLP receiver
(tests/support/otlp_receiver.py), to a closed port, and to a collector that accepts and never
answers. The first send after a switch (it builds the exporter) is not timed. The figure per mode
is the median send time; the last line gives each mode's ratio to tracing off and whether the
worst is within 1.10.

    python bench/tracing_overhead.py [--requests 10] [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from otlp_receiver import Receiver, SilentCollector, closed_port  # noqa: E402

from comet import Call, Route, simple_body  # noqa: E402
from comet.http import tracing  # noqa: E402
from comet.http.client import Client  # noqa: E402

LIMIT = 1.10
CALL = Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "Name three rivers [[chunks=8]]"), stream=True)


def emulator() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "comet", "emulator", "--port", "0", "--ttft-ms", "2",
                             "--chunk-ms", "0.5"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip().split()[-1]


def timed(client: Client, endpoint: str | None, count: int) -> list[float]:
    if endpoint is None:
        os.environ.pop("COMET_OTEL_ENDPOINT", None)
    else:
        os.environ["COMET_OTEL_ENDPOINT"] = endpoint
    client.send(CALL)  # not timed: a switch builds the exporter
    times = []
    for _ in range(count):
        started = time.perf_counter()
        exchange = client.send(CALL)
        times.append(time.perf_counter() - started)
        assert exchange.ok, exchange.error
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10, help="sends per mode per round")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    proc, base_url = emulator()
    rng = random.Random(32)
    try:
        with Receiver() as live, SilentCollector() as silent, Client(base_url, "sk-bench") as client:
            modes = {"off": None, "live": live.endpoint, "closed port": closed_port(), "silent": silent.endpoint}
            times: dict[str, list[float]] = {mode: [] for mode in modes}
            for _ in range(args.rounds):
                order = list(modes)
                rng.shuffle(order)
                for mode in order:
                    times[mode] += timed(client, modes[mode], args.requests)
            spans = len(live.spans)
    finally:
        proc.terminate()
        proc.wait(10)
    base = statistics.median(times["off"])
    for mode, found in times.items():
        print(f"{mode:12} median {statistics.median(found) * 1000:7.2f} ms  ratio {statistics.median(found) / base:.3f}")
    worst = max(statistics.median(found) / base for found in times.values())
    print(f"spans the live receiver had by the end: {spans} (the last ones may still be on their way)")
    print(f"worst ratio to tracing off: {worst:.3f} ({'within' if worst <= LIMIT else 'over'} {LIMIT})")


if __name__ == "__main__":
    main()
