"""A batch's regex checks are bounded in time, and the server in the same process keeps answering
while one runs (Python's ``re`` held the GIL for minutes on ``(a+)+$``)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from cli_support import ROOT

# Run in a child process: before the fix the match held the GIL for hours, and nothing in the
# test's own process (not even pytest-timeout) could have stopped it.
_SCRIPT = textwrap.dedent("""
    import json, threading, time
    import httpx2
    from comet.emulator import Emulator
    from comet.runs.batch.checks import REGEX_SECONDS, Outcome, evaluate, prepare

    check = prepare({"type": "regex", "value": "(a+)+$"}, "$.assert[0]", {})
    with Emulator(ttft_ms=0, chunk_ms=0) as emu:
        pings, done = [], threading.Event()

        def ping():
            with httpx2.Client(base_url=emu.base_url) as http:
                while not done.is_set():
                    start = time.monotonic()
                    http.get("/api/models").raise_for_status()
                    pings.append(time.monotonic() - start)
                    time.sleep(0.02)

        pinger = threading.Thread(target=ping, daemon=True)
        pinger.start()
        time.sleep(0.2)
        before, start = len(pings), time.monotonic()
        verdict = evaluate(check, Outcome(text="a" * 5000 + "!"))
        took = time.monotonic() - start
        during = pings[before:]
        done.set()
        pinger.join(5)
    print(json.dumps({"verdict": verdict.to_dict(), "took": took, "limit": REGEX_SECONDS,
                      "pings": len(during), "slowest": max(during, default=None)}))
""")


def test_a_backtracking_regex_is_an_error_at_its_limit_while_the_server_answers():
    done = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    verdict = seen["verdict"]
    assert verdict["error"] is True and verdict["pass"] is False
    assert f"time limit of {seen['limit']:g} s" in verdict["message"] and "(a+)+$" in verdict["message"]
    assert seen["took"] < seen["limit"] + 0.5  # a wall-clock bound, however busy the machine is
    assert seen["pings"] >= 5 and seen["slowest"] < 0.5  # the server answered all along
