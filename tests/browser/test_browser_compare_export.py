"""Compare's Export as suite in a real browser: a comparison on four targets (two routes, two
models) downloaded as a suite file, then run with ``python -m comet batch`` against the app's own
emulator: every target passes on what it said."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import pick, skip_without_browser, wait_idle

pytestmark = pytest.mark.viewport(1500, 1100)

skip_without_browser()


def test_the_exported_suite_passes_on_the_runs_it_came_from(server, page, tmp_path):
    page.goto(server.url + "/compare")
    page.locator(".st-key-cmp_run button").first.wait_for()
    wait_idle(page)
    count = page.get_by_label("Targets", exact=True)
    count.fill("4")
    count.press("Enter")
    wait_idle(page)
    for i in (3, 4):
        pick(page, f"Model {i}", "gemini-2.5-pro")
    page.locator(".st-key-cmp_run button").first.click()
    export = page.locator(".st-key-cmp_export_suite button").first
    export.wait_for(timeout=60_000)
    with page.expect_download() as info:
        export.click()
    suite = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert {(t["route"], t["model"]) for t in suite["targets"]} == {
        (route, model) for route in ("gemini", "openai") for model in ("gemini-2.5-flash", "gemini-2.5-pro")}
    [base_url] = set(re.findall(r"http://127\.0\.0\.1:\d+", page.content())) - {server.url}  # the app's emulator
    path = tmp_path / "comparison.json"
    path.write_text(json.dumps(suite), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "comet", "batch", str(path), "--base-url", base_url,
                           "--format", "json"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COMETAPI_KEY": "sk-any"})
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert len(report["results"]) == 4 and all(r["ok"] and r["assertions"] for r in report["results"])
