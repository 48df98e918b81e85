"""Batch runs in-process: variables, every assertion type, the suite's checks, the shared rate
limiter and Stop, against the real emulator."""

from __future__ import annotations

import json
import time

import pytest

from comet.body.variables import Unfilled, fill, missing, names
from comet.http.client import CancelToken, Client
from comet.runs.batch import Batch, Limiter, parse, plan, summary
from comet.runs.batch.checks import TYPES, Outcome, evaluate, prepare

BODY = {"contents": [{"role": "user", "parts": [{"text": "Capital of {{country}}? {{ style }}"}]}],
        "systemInstruction": {"parts": [{"text": "Be {{style}}."}]},
        "generationConfig": {"responseMimeType": "application/json",
                             "responseJsonSchema": {"description": "about {{country}}", "type": "object"}}}


def test_variables_are_found_in_every_string_and_filled_in_one_pass():
    assert names(BODY) == ["country", "style"]
    filled = fill(BODY, {"country": "{{style}} \"x\" }", "style": 3})
    assert filled["contents"][0]["parts"][0]["text"] == 'Capital of {{style}} "x" }? 3'
    assert filled["generationConfig"]["responseJsonSchema"]["description"] == 'about {{style}} "x" }'
    assert BODY["contents"][0]["parts"][0]["text"] == "Capital of {{country}}? {{ style }}"  # not mutated
    assert missing(BODY, {"country": "x"}) == ["style"]
    with pytest.raises(Unfilled) as err:
        fill(BODY, {"style": "brief"})
    assert err.value.name == "country" and err.value.path == "$.contents[0].parts[0].text"
    assert "{{country}}" in str(err.value)
    assert names({"a": "{{ not a var", "b": "{{1x}}", "{{key}}": "no"}) == []


OUT = Outcome(text='  {"capital": "Lisbon"}\n', finish_reason="stop", raw_finish_reason="STOP", latency_ms=120.0,
              ttft_ms=40.0, output_tokens=12, cost_usd=0.002)
CHECKS = [  # (type, value that passes, value that fails)
    ("contains", "Lisbon", "Porto"), ("icontains", "LISBON", "porto"), ("not-contains", "Porto", "Lisbon"),
    ("equals", '{"capital": "Lisbon"}', "Lisbon"), ("starts-with", '{"cap', "Lis"), ("regex", r"L\w+n", r"^L"),
    ("json-schema", {"type": "object", "required": ["capital"]}, {"type": "object", "required": ["city"]}),
    ("finish-reason", "STOP", "length"), ("max-latency-ms", 120, 119.9), ("max-ttft-ms", 40, 39),
    ("max-output-tokens", 12, 11), ("max-cost-usd", 0.002, 0.001),
]


@pytest.mark.parametrize("kind, good, bad", CHECKS)
def test_each_assertion_passes_and_fails_with_a_reason(kind, good, bad):
    passed = evaluate(prepare({"type": kind, "value": good}, "$", {}), OUT)
    failed = evaluate(prepare({"type": kind, "value": bad}, "$", {}), OUT)
    assert passed.passed and not failed.passed
    assert passed.message and failed.message and passed.message != failed.message


def test_json_valid_and_unknown_measures():
    assert evaluate(prepare({"type": "json-valid"}, "$", {}), OUT).passed
    no_json = evaluate(prepare({"type": "json-valid"}, "$", {}), Outcome(text="Lisbon."))
    assert not no_json.passed and no_json.message.startswith("the reply is not JSON")
    unpriced = evaluate(prepare({"type": "max-cost-usd", "value": 1}, "$", {}), Outcome(text="x"))
    assert not unpriced.passed and "no price is known" in unpriced.message
    judged = {"llm-rubric", "factuality", "select-best"}  # tests/cli/test_judge_cli.py, against the emulator's judge
    assert set(TYPES) == {c[0] for c in CHECKS} | {"json-valid"} | judged


def suite(model: str = "gemini-2.5-flash", cases: int = 3, **extra):
    body = {key: BODY[key] for key in ("contents", "systemInstruction")}
    return parse({"request": {"route": "gemini", "model": model, "body": body},
                  "cases": [{"vars": {"country": f"C{i}", "style": "brief"}} for i in range(cases)],
                  "assert": [{"type": "contains", "value": "{{country}}"}], **extra})


def test_a_429_holds_the_whole_batch_and_its_run_passes_after_the_retry(emulator):
    emulator.clear()
    s = suite(targets=[{"route": "gemini", "model": "fault-rate-limit-once"},
                       {"route": "openai", "model": "gemini-2.5-flash"}])
    with Client(emulator.base_url, "sk-x") as client:
        run = Batch(s, plan(s), client, concurrency=4)
        results = run.run()
    assert len(results) == 6 and all(r.ok for r in results)
    assert run.limiter.holds == 3  # one per rate-limited body, each holding every worker's next start
    assert summary(results, 3, 2, run.wall_ms)["passed"] == 6


class _Misbehaving:
    """The real client, except for two model IDs: one raises a bug (KeyError), one ends its
    stream without an Exchange. No socket makes our own code fail, so these two use a stand-in
    around the real client: they prove each failure stays in its own row and the batch goes on."""

    def __init__(self, client: Client):
        self.client, self.base_url = client, client.base_url

    def stream(self, call, cancel=None):
        if call.model == "explode":
            raise KeyError("bug")
        if call.model == "silent":
            return iter(())
        return self.client.stream(call, cancel=cancel)


def test_a_bug_or_a_stream_without_its_exchange_is_an_error_in_its_row_only(emulator):
    s = suite(targets=[{"route": "gemini", "model": m} for m in ("explode", "gemini-2.5-flash", "silent")])
    with Client(emulator.base_url, "sk-x") as client:
        results = Batch(s, plan(s), _Misbehaving(client), concurrency=3).run()
    by_model = {}
    for r in results:
        by_model.setdefault(r.target_name, []).append(r)
    gemini = "Gemini native · "
    assert all(r.ok for r in by_model[gemini + "gemini-2.5-flash"]) and len(by_model[gemini + "gemini-2.5-flash"]) == 3
    assert all(r.error.kind == "internal" and "KeyError" in r.error.message for r in by_model[gemini + "explode"])
    assert all(r.error.message == "the client's stream ended without an Exchange" for r in by_model[gemini + "silent"])
    assert summary(results, 3, 3, None)["errors"] == 6


def test_the_limiter_holds_every_waiter_until_the_shared_time():
    limiter, token = Limiter(), CancelToken()
    limiter.hold(0.05)
    start = time.monotonic()
    limiter.wait(token)
    assert time.monotonic() - start >= 0.05
    limiter.hold(10)
    token.cancel()
    limiter.wait(token)  # a Stop ends the hold at once (or this test would take 10 s)


def test_stop_ends_the_runs_in_flight_and_keeps_every_finished_result(make_emulator):
    emu = make_emulator(ttft_ms=150, chunk_ms=0)
    s = suite(cases=40)
    with Client(emu.base_url, "sk-x") as client:
        run = Batch(s, plan(s), client, concurrency=4).start()
        finished = []
        while len(finished) < 4:
            finished += run.drain(0.05)
        run.stop()
        while not run.finished:
            run.drain(0.05)
    assert 4 <= len(run.results) < 40 and all(r.ok for r in run.results)
    assert run.results[:len(finished)] == finished


def test_a_request_the_target_route_refuses_is_found_before_sending():
    from comet.runs.batch import SuiteError

    bad = {**BODY, "generationConfig": {"temperature": "hot"}}
    with pytest.raises(SuiteError) as err:
        plan(parse({"request": {"route": "gemini", "model": "m", "body": bad},
                    "cases": [{"vars": {"country": "x", "style": "y"}}]}))
    assert err.value.where == "$.request (for target Gemini native · m)" and "temperature" in err.value.message


def test_a_comparison_exported_as_a_suite_passes_when_run_again(emulator):
    from comet import Call, Route, simple_body
    from comet.runs.batch.export import suite_from_runs
    from comet.runs.compare import Comparison, Target, plan as compare_plan

    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body(Route.GEMINI, "Name three rivers."))
    with Client(emulator.base_url, "sk-x") as client:
        runs = Comparison(compare_plan(call, [Target("gemini", "gemini-2.5-flash"), Target("openai", "gemini-2.5-pro")]),
                          client).run()
        data = suite_from_runs(runs, name="rivers")
        assert data["targets"] == [{"route": "gemini", "model": "gemini-2.5-flash"},
                                   {"route": "openai", "model": "gemini-2.5-pro"}]
        [case] = data["cases"]
        assert case["vars"] == {} and case["assert"] and all(a["type"] == "contains" for a in case["assert"])
        said = {(ex.call.route.value, ex.call.model): ex.text for ex in runs}
        assert all(a["value"] in said[a["target"]["route"], a["target"]["model"]] for a in case["assert"])
        s = parse(data)
        results = Batch(s, plan(s), client).run()
    assert [r.ok for r in results] == [True, True]


def test_history_runs_with_different_prompts_become_cases_and_json_replies_a_schema(emulator):
    from comet import Call, Route
    from comet.runs.batch.export import expectations, suite_from_runs

    body = lambda text: {"messages": [{"role": "user", "content": text}],  # noqa: E731
                         "response_format": {"type": "json_object"}}
    with Client(emulator.base_url, "sk-x") as client:
        runs = [client.send(Call(Route.OPENAI, model, body(text)))
                for text in ("capital of Peru", "capital of Chad") for model in ("gemini-2.5-flash", "gemini-2.5-pro")]
        data = suite_from_runs(runs)
        assert data["request"]["body"]["messages"][0]["content"] == "{{prompt}}"
        assert [c["vars"] for c in data["cases"]] == [{"prompt": "capital of Peru"}, {"prompt": "capital of Chad"}]
        schema = data["cases"][0]["assert"][0]
        assert schema["type"] == "json-schema" and schema["value"]["type"] == "object"
        assert set(schema["value"]["required"]) == set(json.loads(runs[0].text))
        s = parse(data)
        assert all(r.ok for r in Batch(s, plan(s), client).run())
    assert expectations("  Lisbon.  ") == [{"type": "equals", "value": "Lisbon."}]


def test_a_comparison_on_four_targets_exports_a_suite_that_passes_on_each_of_them(emulator, tmp_path):
    """Compare's Export as suite on targets whose replies differ: each target is held to what it
    said (a target-scoped expectation), so the suite passes on the runs it came from, in code and
    through ``python -m comet batch``."""
    import os
    import subprocess
    import sys

    from comet import Call, Route, simple_body
    from comet.runs.batch.export import suite_from_runs
    from comet.runs.compare import Comparison, Target, plan as compare_plan

    targets = [Target(route, model) for model in ("gemini-2.5-flash", "gemini-2.5-pro") for route in ("gemini", "openai")]
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body(Route.GEMINI, "Explain why the sky is blue."))
    with Client(emulator.base_url, "sk-x") as client:
        runs = Comparison(compare_plan(call, targets), client).run()
        assert len({ex.text for ex in runs}) > 1  # the targets said different things
        data = suite_from_runs(runs, name="sky")
        scoped = [a for a in data["cases"][0]["assert"] if "target" in a]
        assert {(a["target"]["route"], a["target"]["model"]) for a in scoped} == {(t.route.value, t.model) for t in targets}
        s = parse(data)
        results = Batch(s, plan(s), client).run()
    assert len(results) == 4 and all(r.ok for r in results), [r.verdicts for r in results if not r.ok]
    assert all(r.verdicts for r in results)  # each target was held to something
    path = tmp_path / "sky.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "comet", "batch", str(path), "--base-url", emulator.base_url],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "COMETAPI_KEY": "sk-x"})
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_assertion_scoped_to_a_target_the_suite_does_not_run_is_refused_naming_it():
    from comet.runs.batch import SuiteError

    data = {"request": {"route": "gemini", "model": "gemini-2.5-flash", "body": {"contents": []}},
            "cases": [{"assert": [{"type": "contains", "value": "x",
                                   "target": {"route": "openai", "model": "gemini-2.5-flash"}}]}]}
    with pytest.raises(SuiteError) as err:
        parse(data)
    assert err.value.where == "$.cases[0].assert[0].target" and '"route": "gemini"' in err.value.fix
