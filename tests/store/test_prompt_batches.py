"""Batches over saved prompt versions, on SQLite and PostgreSQL: a suite whose request names a label and
whose targets name versions runs each version, reports each version's pass rate, and records the
version with every run; unknown references are refused before anything is sent."""

from __future__ import annotations

import pytest

from comet import Call
from comet.http.client import Client
from comet.runs.batch import Batch, SuiteError, parse, plan
from comet.runs.batch.report import per_target
from comet.store import open_store
from comet.store.prompts_sql import suite_resolver

V1 = {"contents": [{"role": "user", "parts": [{"text": "What is the capital of {{country}}?"}]}]}
V2 = {"contents": [{"role": "user", "parts": [{"text": "Name the capital of {{country}} in one word."}]}]}


@pytest.fixture
def store(history_url):
    s = open_store(history_url)
    s.save_prompt("capitals", Call("gemini", "gemini-2.5-flash", V1), message="first")
    s.save_prompt("capitals", Call("gemini", "gemini-2.5-flash", V2), message="terser")
    s.label_prompt("capitals", 1, "production")
    yield s
    s.close()


def suite(**over):
    return {"name": "capitals by version", "request": {"prompt": "capitals", "label": "production"},
            "targets": [{"prompt": "capitals", "version": 1}, {"prompt": "capitals", "version": 2},
                        {"prompt": "capitals", "version": 2, "route": "openai"}],
            "cases": [{"vars": {"country": "France"}}, {"vars": {"country": "Peru"}}],
            "assert": [{"type": "icontains", "value": "one word"}], **over}


def test_two_version_targets_report_each_versions_pass_rate(store, emulator):
    s = parse(suite(), prompts=suite_resolver(store))
    assert s.call.origin.version == 1 and s.call.body == V1  # the request: the production label's version
    with Client(emulator.base_url, "sk-x") as client:
        run = Batch(s, plan(s), client, concurrency=4, history=store)
        results = run.run()
    names = [p.target.label for p in run.planned]
    assert names == ["capitals v1 · Gemini native · gemini-2.5-flash", "capitals v2 · Gemini native · gemini-2.5-flash",
                     "capitals v2 · OpenAI-compatible · gemini-2.5-flash"]
    rates = {t.target: (t.runs, t.pass_rate) for t in per_target(results, names)}
    assert rates == {names[0]: (2, 0.0), names[1]: (2, 1.0), names[2]: (2, 1.0)}
    assert {r.to_dict()["route"] for r in results} == {"gemini", "openai"}
    assert store.count(prompt_name="capitals", prompt_version=2) == 4
    assert store.count(prompt_name="capitals", prompt_version=1) == 2
    written = parse(suite(), prompts=suite_resolver(store)).to_dict()  # self-contained: runs without the library
    assert written["targets"][2] == {"prompt": "capitals", "version": 2, "route": "openai", "model": "gemini-2.5-flash",
                                     "saved": {"route": "gemini", "model": "gemini-2.5-flash", "stream": False,
                                               "body": V2}}
    again = parse(written)
    assert [t.label for t in again.targets] == names and again.call.origin == s.call.origin
    assert [t.request.body for t in again.targets] == [V1, V2, V2]


@pytest.mark.parametrize("over, where, says", [
    ({"targets": [{"prompt": "capitals", "version": 7}]}, "$.targets[0].prompt", "no version 7"),
    ({"request": {"prompt": "capitals", "label": "gold"}}, "$.request.prompt", "no label 'gold'"),
    ({"request": {"prompt": "nothing"}}, "$.request.prompt", "no prompt named 'nothing'"),
    ({"targets": [{"prompt": "capitals", "version": 1, "label": "production"}]}, "$.targets[0]", "not both"),
    ({"request": {"prompt": "capitals", "body": {}}}, "$.request.body", "takes only version or label"),
    ({"targets": [{"prompt": "capitals", "saved": {"route": "gemini", "model": "m"}}]}, "$.targets[0].version",
     "names its version"),
    ({"targets": [{"prompt": "capitals", "version": 1, "saved": {"route": "gemini", "model": "m"}}]},
     "$.targets[0].saved.body", "needs its body"),
])
def test_unknown_references_are_refused_before_sending(store, over, where, says):
    with pytest.raises(SuiteError, match=says) as caught:
        parse(suite(**over), prompts=suite_resolver(store))
    assert caught.value.where == where


def test_without_a_library_a_prompt_reference_says_where_to_run_it():
    with pytest.raises(SuiteError, match="no prompt library is open here"):
        parse(suite())
