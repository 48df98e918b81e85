"""``python -m comet batch`` within its limits: a regex check past its time limit is reported as
an error (not a fail) in every format."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from cli_support import ROOT, environ


def batch(*args: str, base_url: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "comet", "batch", *args, "--base-url", base_url], cwd=ROOT,
                          env=environ("sk-batch-test"), capture_output=True, text=True, timeout=timeout)


def suite(tmp_path: Path, prompt: str = "Capital of {{country}}?", **fields) -> Path:
    data = {"name": "limits", "request": {"route": "gemini", "model": "gemini-2.5-flash",
                                          "body": {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}}}
    data.update(fields)
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_regex_past_its_time_limit_is_an_error_in_every_report(emulator, tmp_path):
    """The emulator echoes the prompt, so the reply holds 3,000 a's followed by a quote."""
    path = suite(tmp_path, "a" * 3000, **{"assert": [{"type": "regex", "value": "(a+)+$"},
                                                    {"type": "contains", "value": "no such text"}]})
    start = time.monotonic()
    done = batch(str(path), "--format", "json", base_url=emulator.base_url, timeout=60)
    assert time.monotonic() - start < 15
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["errors"] == 1 and report["summary"]["failed"] == 0
    timed_out, failed = report["results"][0]["assertions"]
    assert timed_out["error"] is True and "time limit of 1 s" in timed_out["message"]
    assert "error" not in failed and failed["pass"] is False
    junit = ET.fromstring(batch(str(path), "--format", "junit", base_url=emulator.base_url).stdout)
    assert junit.find("testsuite").get("errors") == "1" and junit.find("testsuite").get("failures") == "0"
    assert junit.find(".//error").get("type") == "check"
    table = batch(str(path), base_url=emulator.base_url).stdout
    assert " ERROR " in table and "0 passed, 0 failed, 1 errors" in table
