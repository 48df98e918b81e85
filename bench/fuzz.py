"""10,000 generated hostile inputs through the public functions (issue 10, "Done when").

The inputs and the driver are the fuzz test's (``tests/support/fuzz_support.py``): bodies, JSON
text, prompts, model IDs, files, replies and share tokens, through validation, conversion both
ways, every snippet flavour, the form and feature helpers, share links and files and schema
checks. A crash is any exception that is not the project's own error. Every rendered snippet
is then parsed (``compile()``, one ``node`` process, one ``bash -n``).

    python bench/fuzz.py [--inputs 10000] [--seed 0]

The last line is ``crashes / inputs`` (target: 0 / 10000) with the slowest single input.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]

from fuzz_support import drive, inputs, unparsed  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    crashes: collections.Counter = collections.Counter()
    first: dict[tuple[str, str], dict] = {}
    snippets: list[tuple[str, str]] = []
    count, crashed, slowest = 0, 0, (0.0, None)

    @seed(args.seed)
    @settings(max_examples=args.inputs, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(inputs())
    def one(case):
        nonlocal count, crashed, slowest
        count += 1
        started = time.perf_counter()
        run = drive(case)
        took = time.perf_counter() - started
        if took > slowest[0]:
            slowest = (took, case)
        crashed += bool(run.crashes)
        for crash in run.crashes:
            crashes[crash] += 1
            first.setdefault(crash, case)
        snippets.extend(run.snippets)
        if count % 1000 == 0:
            print(f"{count:,} inputs, {crashed} crashed", file=sys.stderr, flush=True)

    started = time.perf_counter()
    one()
    driven = time.perf_counter() - started
    bad = unparsed(snippets)
    for (name, error), n in crashes.most_common():
        print(f"{n:5} x {name}: {error}\n        first input: {first[(name, error)]!r}"[:400])
    for line in bad[:20]:
        print(f"snippet does not parse: {line}"[:300])
    print(f"{count:,} inputs in {driven:.0f} s; {len(snippets):,} snippets rendered, {len(bad)} do not parse")
    print(f"slowest input: {slowest[0] * 1000:.0f} ms: {slowest[1]!r}"[:300])
    print(f"crashes / inputs: {crashed} / {count:,}; slowest single input {slowest[0] * 1000:.0f} ms")
    return 0 if not crashes and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
