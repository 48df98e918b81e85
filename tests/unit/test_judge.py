"""The judge's pure parts: judge settings read from a suite (each mistake naming its JSON path),
prompt templates filled in one pass, and the emulator's deterministic verdicts for every kind."""

from __future__ import annotations

import json

import pytest

from comet.core.call import Route
from comet.emulator.judge import verdict
from comet.runs import judge
from comet.runs.compare import Target


def test_a_template_is_filled_once_so_a_reply_holding_placeholders_stays_as_written():
    spec = judge.spec({"type": "llm-rubric"}, "$.assert[0]", 'names "Lima"', {"country": "Peru", "n": 3})
    prompt = spec.prompt(output="I said {{rubric}} and {{country}}", question="")
    assert "<rubric>\nnames \"Lima\"\n</rubric>" in prompt
    assert "<output>\nI said {{rubric}} and {{country}}\n</output>" in prompt
    own = judge.spec({"type": "llm-rubric", "judge_prompt": "{{country}} x{{n}}: {{output}} / {{unknown}}"},
                     "$", "r", {"country": "Peru", "n": 3})
    assert own.prompt(output="reply") == "Peru x3: reply / {{unknown}}"


@pytest.mark.parametrize("raw, expected", [
    ("openai:gemini-2.5-pro", Target(Route.OPENAI, "gemini-2.5-pro")),
    ({"route": "native", "model": " gemini-2.5-flash "}, Target(Route.GEMINI, "gemini-2.5-flash")),
])
def test_a_judge_is_a_route_and_a_model(raw, expected):
    assert judge.parse_target(raw, "$.judge") == expected


@pytest.mark.parametrize("raw, path, message", [
    ("gemini-2.5-pro", "$.judge", "a judge is a route and a model"),
    ({"route": "claude", "model": "m"}, "$.judge.route", "unknown route 'claude'"),
    ({"route": "gemini", "model": ""}, "$.judge.model", "the judge needs a model"),
])
def test_a_bad_judge_names_its_path(raw, path, message):
    with pytest.raises(judge.JudgeConfigError) as caught:
        judge.parse_target(raw, "$.judge")
    assert (caught.value.path, caught.value.message) == (path, message)


def test_suite_settings_the_default_judge_and_judge_prompts_by_kind():
    assert judge.defaults({}).judge == judge.DEFAULT_JUDGE == Target(Route.GEMINI, "gemini-2.5-flash")
    one = judge.defaults({"judge_prompt": "Grade {{output}}"})
    assert set(one.prompts) == {"llm-rubric", "factuality"}  # select-best needs {{outputs}}
    by_kind = judge.defaults({"judge_prompt": {"select-best": "Pick: {{outputs}}"}})
    assert by_kind.prompts == {"select-best": "Pick: {{outputs}}"}
    for data, path in [({"judge_prompt": {"llm-rubrik": "{{output}}"}}, "$.judge_prompt.llm-rubrik"),
                       ({"judge_prompt": {"select-best": "Pick: {{output}}"}}, "$.judge_prompt.select-best"),
                       ({"judge_prompt": ""}, "$.judge_prompt")]:
        with pytest.raises(judge.JudgeConfigError) as caught:
            judge.defaults(data)
        assert caught.value.path == path


def test_per_assertion_settings_and_the_command_lines_judge_over_all():
    base = judge.defaults({"judge": {"route": "openai", "model": "suite-judge"}})
    own = {"type": "llm-rubric", "judge": "gemini:own-judge"}
    assert judge.spec(own, "$", "r", {}, base).judge.model == "own-judge"
    assert judge.spec(own, "$", "r", {}, base.with_judge(Target("gemini", "cli"))).judge.model == "cli"
    fact = judge.spec({"type": "factuality", "pass_on": ["consistent"]}, "$", "ref", {})
    assert fact.pass_on == ("consistent",) and judge.spec({"type": "factuality"}, "$", "r", {}).pass_on == (
        "consistent", "subset", "superset")
    for raw, path in [({"type": "factuality", "threshold": 0.5}, "$.a.threshold"),
                      ({"type": "llm-rubric", "threshold": -0.1}, "$.a.threshold"),
                      ({"type": "llm-rubric", "threshold": True}, "$.a.threshold"),
                      ({"type": "factuality", "pass_on": ["agrees"]}, "$.a.pass_on"),
                      ({"type": "llm-rubric", "pass_on": ["subset"]}, "$.a.pass_on")]:
        with pytest.raises(judge.JudgeConfigError) as caught:
            judge.spec(raw, "$.a", "value", {})
        assert caught.value.path == path


def test_the_judge_request_asks_for_the_verdicts_shape_at_temperature_0():
    gemini = judge.judge_call(Target("gemini", "gemini-2.5-pro"), "grade this", "llm-rubric")
    assert gemini.body["generationConfig"]["temperature"] == 0
    assert gemini.body["generationConfig"]["responseJsonSchema"] == judge.SCHEMAS["llm-rubric"]
    openai = judge.judge_call(Target("openai", "gemini-2.5-pro"), "pick", "select-best")
    assert openai.body["response_format"]["json_schema"]["schema"] == judge.SCHEMAS["select-best"]
    assert openai.body["temperature"] == 0 and openai.model == "gemini-2.5-pro" and not openai.stream


def emulated(kind: str, model: str = "gemini-2.5-flash", **said: str) -> dict:
    spec = judge.Spec(kind, said.pop("value"), judge.DEFAULT_JUDGE, judge.TEMPLATES[kind])
    return json.loads(verdict(spec.prompt(**said), model))


def test_the_emulators_judge_is_deterministic_for_every_kind():
    assert emulated("llm-rubric", value='names "Lima" and "Peru"', output="Peru is large") == {
        "pass": False, "score": 0.5, "reason": "found 'Peru' of the quoted words; missing 'Lima'"}
    assert emulated("llm-rubric", value="is polite", output="x")["score"] == 1.0
    for reference, output, category in [("Lima is the capital", "the capital is Lima", "consistent"),
                                        ("Lima", "Lima is the capital", "superset"),
                                        ("Lima is the capital of Peru", "Lima capital", "subset"),
                                        ("Lima", "Cusco", "contradicting")]:
        assert emulated("factuality", value=reference, output=output, question="q")["category"] == category
    numbered = '<reply n="1">\nshort\n</reply>\n\n<reply n="2">\nthe longest one\n</reply>\n\n<reply n="3">\nmid\n</reply>'
    assert emulated("select-best", value="best", outputs=numbered)["choice"] == 2
    assert emulated("llm-rubric", "fault-bad-verdict", value="x", output="y") == {
        "pass": "probably", "reason": "it reads well enough to me"}
    assert verdict("Tell me about <output> and <rubric> tags", "gemini-2.5-flash") is None  # not on lines of their own
