"""Repeats: ``"repeat": N`` in a suite and ``--repeat N`` on ``python -m comet batch`` run each case
N times on each target, each result naming its repeat; bad values exit 2 naming the JSON path or
the flag, with nothing sent."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from test_batch_cli import GEMINI, OPENAI, batch, prompts, suite

CASE = [{"vars": {"country": "Peru"}, "assert": [{"type": "icontains", "value": "{{country}}"}]}]


def test_the_suites_repeat_runs_each_case_that_often_and_repeat_overrides_it(emulator, tmp_path):
    path = suite(tmp_path, cases=CASE, repeat=2)
    emulator.clear()
    r = batch(str(path), "--format", "json", base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [(x["case"], x["target"], x["repeat"]) for x in out["results"]] == [
        (1, GEMINI, 1), (1, GEMINI, 2), (1, OPENAI, 1), (1, OPENAI, 2)]
    assert prompts(emulator) == ["Capital of Peru?"] * 4
    emulator.clear()
    r = batch(str(path), "--repeat", "3", "--format", "json", base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    assert [(x["target"], x["repeat"]) for x in json.loads(r.stdout)["results"]] == [
        (GEMINI, 1), (GEMINI, 2), (GEMINI, 3), (OPENAI, 1), (OPENAI, 2), (OPENAI, 3)]
    assert len(prompts(emulator)) == 6


@pytest.mark.parametrize("fields, flag, message", [
    ({"repeat": 0}, (), '$.repeat: repeat is a whole number from 1 to 100, not 0'),
    ({"repeat": "3"}, (), '$.repeat: repeat is a whole number from 1 to 100, not "3"'),
    ({"repeat": 2.5}, (), '$.repeat: repeat is a whole number from 1 to 100, not 2.5'),
    ({"repeat": True}, (), '$.repeat: repeat is a whole number from 1 to 100, not true'),
    ({}, ("--repeat", "101"), "--repeat: repeat is a whole number from 1 to 100, not 101"),
    ({"repeat": 2}, ("--repeat", "twice"), '--repeat: repeat is a whole number from 1 to 100, not "twice"'),
    ({"repeat": 100, "cases": [{"vars": {"country": str(n)}} for n in range(300)]}, (),
     "$.repeat: the suite plans 60,000 requests (300 cases x 2 targets x 100 repeats), over the limit of 50,000"),
])
def test_a_bad_repeat_exits_2_naming_the_path_and_sends_nothing(emulator, tmp_path, fields, flag, message):
    emulator.clear()
    r = batch(str(suite(tmp_path, **{"cases": CASE, **fields})), *flag, base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert r.stderr.startswith(f"error: {message}") and "Traceback" not in r.stderr
    assert "fix: " in r.stderr and emulator.received == []


FLAKY_CASES = [{"vars": {"country": "Peru"}}, {"vars": {"country": "Chad"}}]
FLAKY_TEXT = "Capital of {{country}}? [[fail=1/3]]"  # the emulator answers call 1 of every 3 wrong


def flaky_suite(tmp_path):
    return suite(tmp_path, cases=FLAKY_CASES, targets=[{"route": "gemini", "model": "gemini-2.5-flash"}],
                 request={"route": "gemini", "model": "gemini-2.5-flash", "stream": False,
                          "body": {"contents": [{"role": "user", "parts": [{"text": FLAKY_TEXT}]}]}},
                 **{"assert": [{"type": "icontains", "value": "{{country}}"}]})


def test_repeat_3_on_a_target_failing_one_time_in_three_is_a_pass_rate_of_067_and_flaky(emulator, tmp_path):
    path = flaky_suite(tmp_path)
    emulator.clear()
    r = batch(str(path), "--repeat", "3", "--format", "json", base_url=emulator.base_url)
    assert r.returncode == 1, r.stderr  # a failed run fails the batch
    out = json.loads(r.stdout)
    assert {k: out["summary"][k] for k in ("cases", "targets", "repeat", "passed", "failed", "errors", "flaky")} == \
        {"cases": 2, "targets": 1, "repeat": 3, "passed": 4, "failed": 2, "errors": 0, "flaky": 2}
    assert out["cases"] == [{"case": n, "vars": {"country": c}, "target": GEMINI, "route": "gemini",
                             "model": "gemini-2.5-flash", "runs": 3, "passed": 2, "pass_rate": 0.67, "flaky": True}
                            for n, c in ((1, "Peru"), (2, "Chad"))]
    assert [(x["case"], x["repeat"]) for x in out["results"]] == [(c, k) for c in (1, 2) for k in (1, 2, 3)]
    assert sum(not x["ok"] for x in out["results"]) == 2
    assert r.stderr.splitlines()[-1] == "capitals: 4 passed, 2 failed, 0 errors, 2 flaky"


def test_table_junit_and_csv_mark_the_flaky_cases(emulator, tmp_path):
    path = flaky_suite(tmp_path)
    emulator.clear()
    table = batch(str(path), "--repeat", "3", base_url=emulator.base_url).stdout.splitlines()
    assert table[0].split() == ["case", "run", "target", "result", "passed", "latency", "why", "/", "reply"]
    assert [line.split()[:2] for line in table[1:7]] == [[str(n), str(k)] for n in (1, 2) for k in (1, 2, 3)]
    assert sum("2/3 flaky" in line for line in table) == 6
    assert table[7:9] == [f"flaky: case 1 on {GEMINI}: 2 of 3 runs passed (67%)",
                          f"flaky: case 2 on {GEMINI}: 2 of 3 runs passed (67%)"]
    assert table[9].startswith("capitals: 4 passed, 2 failed, 0 errors, 2 flaky (2 cases x 1 target x 3 runs")
    out = tmp_path / "junit.xml"
    assert batch(str(path), "--repeat", "3", "--format", "junit", "--out", str(out),
                 base_url=emulator.base_url).returncode == 1
    cases = ET.parse(out).getroot().findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == [f"case {n} (country={c}) run {k}"
                                              for n, c in ((1, "Peru"), (2, "Chad")) for k in (1, 2, 3)]
    for c in cases:
        assert {p.get("name"): p.get("value") for p in c.iter("property")} == {
            "flaky": "2 of 3 runs passed (67%)", "pass_rate": "0.67"}
    failures = [c.find("failure") for c in cases if c.find("failure") is not None]
    assert len(failures) == 2 and all(f.get("message").startswith("flaky, 2 of 3 runs passed (67%): ")
                                      for f in failures)
    rows = list(csv.DictReader(io.StringIO(batch(str(path), "--repeat", "3", "--format", "csv", "--concurrency", "1",
                                                 base_url=emulator.base_url).stdout)))  # one at a time: run 1 fails
    assert [(row["case"], row["repeat"], row["ok"]) for row in rows] == [
        (str(n), str(k), str(k != 1)) for n in (1, 2) for k in (1, 2, 3)]
