"""The demo suite shipped in examples/demo passes in demo mode (no key: the built-in emulator), so
a first ``comet batch`` shows a green run, and each of its checks judged something."""

from __future__ import annotations

import json

from cli_support import comet


def test_the_demo_suite_passes_on_the_emulator():
    done = comet("batch", "examples/demo/suite.json", "--format", "json", key=None)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["failed"] == 0 and report["summary"]["errors"] == 0
    assert report["summary"]["passed"] == len(report["results"]) >= 6
    kinds = {a["type"] for r in report["results"] for a in r["assertions"]}
    assert {"icontains", "json-schema", "finish-reason", "max-latency-ms"} <= kinds
