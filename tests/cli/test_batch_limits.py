"""``python -m comet batch`` within its limits: a regex check past its time limit is reported as
an error (not a fail) in every format; Ctrl-C ends any batch within seconds."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_support import ROOT, ctrl_c_reaches_it, environ


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


def test_ctrl_c_ends_a_huge_batch_within_seconds_whatever_is_in_flight(make_emulator, tmp_path):
    """20,000 cases at the largest concurrency, every reply 60 s away: Ctrl-C abandons the runs
    in flight (the report says so) instead of waiting a minute for them."""
    from comet.runs.batch import MAX_CONCURRENCY

    emu = make_emulator(ttft_ms=60_000, chunk_ms=0)
    cases = [{"vars": {"country": f"land {i}"}} for i in range(20_000)]
    proc = subprocess.Popen([sys.executable, "-m", "comet", "batch", str(suite(tmp_path, cases=cases)),
                             "--format", "json", "--concurrency", str(MAX_CONCURRENCY), "--base-url", emu.base_url],
                            cwd=ROOT, env=environ("sk-batch-test"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=ctrl_c_reaches_it)

    def sent() -> int:
        return sum(1 for r in emu.received if r.method == "POST")

    deadline = time.monotonic() + 60
    while sent() < MAX_CONCURRENCY and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sent() == MAX_CONCURRENCY  # every worker is waiting on its reply
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert time.monotonic() - start < 5
    assert proc.returncode == 1, err
    assert f"interrupted: 0 of 20,000 runs finished; {MAX_CONCURRENCY} in flight were abandoned" in err
    assert "Traceback" not in err
    assert json.loads(out)["results"] == []


def test_a_concurrency_over_the_limit_exits_2_with_the_fix(emulator, tmp_path):
    from comet.runs.batch import MAX_CONCURRENCY

    path = suite(tmp_path, cases=[{"vars": {"country": "Portugal"}}])
    done = batch(str(path), "--concurrency", "100000", base_url=emulator.base_url)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"--concurrency 100000 is over the limit of {MAX_CONCURRENCY}" in done.stderr
    assert f"fix: give at most {MAX_CONCURRENCY} requests in flight" in done.stderr
    assert batch(str(path), "--concurrency", str(MAX_CONCURRENCY), base_url=emulator.base_url).returncode == 0


def test_a_suite_planning_more_requests_than_the_limit_exits_2_sending_nothing(emulator, tmp_path):
    from comet.runs.batch import MAX_REQUESTS

    targets = [{"route": route, "model": model} for route in ("gemini", "openai")
               for model in ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash")]
    cases = MAX_REQUESTS // len(targets) + 1
    (tmp_path / "cases.csv").write_text("country\n" + "".join(f"land {i}\n" for i in range(cases)), encoding="utf-8")
    path = suite(tmp_path, targets=targets, dataset="cases.csv")
    emulator.clear()
    done = batch(str(path), base_url=emulator.base_url)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert (f"error: $.dataset: the suite plans {cases * 6:,} requests ({cases:,} cases x 6 targets), "
            f"over the limit of {MAX_REQUESTS:,}") in done.stderr
    assert "fix: split the cases over several suites" in done.stderr
    assert not [r for r in emulator.received if r.method == "POST"]


def test_a_suite_file_that_is_not_utf8_exits_2_naming_it(emulator, tmp_path):
    path = suite(tmp_path, "Café in {{country}}?", cases=[{"vars": {"country": "Portugal"}}])
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    done = batch(str(path), base_url=emulator.base_url)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"error: {path}: the suite file is not UTF-8 text" in done.stderr and "fix: save it as UTF-8" in done.stderr


def test_a_dataset_outside_the_suites_folder_exits_2_and_one_inside_runs(emulator, tmp_path):
    (tmp_path / "suites" / "data").mkdir(parents=True)
    for where in (tmp_path / "secret.csv", tmp_path / "suites" / "data" / "cases.csv"):
        where.write_text("country\nPortugal\n", encoding="utf-8")
    emulator.clear()
    for name in ("../secret.csv", str(tmp_path / "secret.csv"), "data/../../secret.csv"):
        done = batch(str(suite(tmp_path / "suites", dataset=name)), base_url=emulator.base_url)
        assert done.returncode == 2 and "Traceback" not in done.stderr, name
        assert f"error: $.dataset: {name!r} is outside the suite's folder" in done.stderr
        assert "fix: put the dataset in the suite's folder" in done.stderr
    assert not [r for r in emulator.received if r.method == "POST"]
    done = batch(str(suite(tmp_path / "suites", dataset="data/cases.csv")), "--format", "json",
                 base_url=emulator.base_url)
    assert done.returncode in (0, 1) and json.loads(done.stdout)["results"][0]["vars"] == {"country": "Portugal"}


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_a_variable_that_is_not_a_finite_number_exits_2_and_never_reaches_the_json(emulator, tmp_path, value):
    """Python's JSON reader takes NaN and Infinity, which are not JSON: refused where they enter."""
    path = suite(tmp_path, cases=[{"vars": {"country": "Portugal"}}, {"vars": {"country": 1}}])
    path.write_text(path.read_text(encoding="utf-8").replace("1}}]", value + "}}]"), encoding="utf-8")
    done = batch(str(path), "--format", "json", base_url=emulator.base_url)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert "error: $.cases[1].vars.country: a variable's value is text or a finite number" in done.stderr
    assert f'fix: write it as text: "{value}"' in done.stderr
