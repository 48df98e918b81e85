"""Does a comparison take as long as its slowest target, not the sum?

Starts the emulator in its own process (so its work does not share this process's GIL) with
300 ms to the first token, measures each target alone (the slowest single target), then the
same targets as one comparison, for four and six targets. The last line printed is the worst
ratio of wall time over the slowest single target (target: at most 1.10).

    python bench/compare_parallel.py [--ttft-ms 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comet import Call, Client, Route, simple_body  # noqa: E402
from comet.runs.compare import Comparison, Target, plan  # noqa: E402

MODELS = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite")


def targets(n: int) -> list[Target]:
    routes = (Route.GEMINI, Route.OPENAI)
    return [Target(routes[i % 2], MODELS[(i // 2) % len(MODELS)]) for i in range(n)]


def start_emulator(ttft_ms: float, chunk_ms: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "comet", "emulator", "--port", "0",
                             "--ttft-ms", str(ttft_ms), "--chunk-ms", str(chunk_ms)],
                            cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, text=True)
    base_url = proc.stdout.readline().strip()
    if not base_url.startswith("http"):
        proc.kill()
        raise SystemExit(f"the emulator did not start: {base_url!r}")
    return proc, base_url


def measure(client: Client, call: Call, n: int, repeat: int) -> tuple[float, float]:
    """(slowest single target alone, comparison wall time), medians over ``repeat`` rounds, in s."""
    planned = plan(call, targets(n))
    singles, walls = [], []
    for _ in range(repeat):
        alone = []
        for p in planned:
            t0 = time.perf_counter()
            exchange = client.send(p.call)
            alone.append(time.perf_counter() - t0)
            assert exchange.ok, exchange.error
        singles.append(max(alone))
        t0 = time.perf_counter()
        runs = Comparison(planned, client).run(interval=0.02)
        walls.append(time.perf_counter() - t0)
        assert all(r.ok for r in runs), [r.error for r in runs if not r.ok]
    return statistics.median(singles), statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ttft-ms", type=float, default=300)
    parser.add_argument("--chunk-ms", type=float, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    proc, base_url = start_emulator(args.ttft_ms, args.chunk_ms)
    try:
        call = Call(Route.GEMINI, MODELS[0], simple_body("gemini", "Compare me [[chunks=8]]"), stream=True)
        worst = 0.0
        with Client(base_url, "bench-key") as client:
            client.send(call)  # warm the connection pool
            for n in (4, 6):
                single, wall = measure(client, call, n, args.repeat)
                ratio = wall / single
                worst = max(worst, ratio)
                print(f"{n} targets at {args.ttft_ms:.0f} ms to first token: slowest single target "
                      f"{single * 1000:.0f} ms, comparison wall time {wall * 1000:.0f} ms, ratio {ratio:.3f}")
        print(f"wall time / slowest single target: {worst:.3f}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
