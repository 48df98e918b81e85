"""Repeats: ``"repeat": N`` in a suite and ``--repeat N`` on ``python -m comet batch`` run each case
N times on each target, each result naming its repeat; bad values exit 2 naming the JSON path or
the flag, with nothing sent."""

from __future__ import annotations

import json

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
