"""Model-graded assertions (``llm-rubric``, ``factuality``, ``select-best``) through ``python -m
comet batch`` against the emulator as the judge (docs/emulator-and-fixture.md#the-emulator-as-a-judge):
each type passing and failing, a failed judge and a malformed verdict as errors (not fails) with
the message and the raw reply, ``--judge`` over the suite's judge, the judge's tokens and cost
apart from the run's, select-best marking exactly one of three targets, and a bad judge
configuration exiting 2 with nothing sent."""

from __future__ import annotations

import json

import pytest
from test_batch_cli import batch, suite

THREE = [{"route": "gemini", "model": "gemini-2.5-flash"}, {"route": "openai", "model": "gemini-2.5-flash"},
         {"route": "gemini", "model": "gemini-2.5-pro"}]
# The emulator's replies echo the prompt ("You wrote: "Capital of Portugal?"") among filler.
CHECKS = [{"type": "llm-rubric", "value": 'names "{{country}}" and says "emulated"'},
          {"type": "llm-rubric", "value": 'names "{{country}}" and "Lisbon"', "threshold": 0.4},
          {"type": "factuality", "value": "{{country}}"},
          {"type": "factuality", "value": "Madrid, Spain"},
          {"type": "select-best", "value": "the most detailed answer"}]


def by_type(result: dict) -> list[tuple[str, bool, bool]]:
    return [(a["type"], a["pass"], a.get("error", False)) for a in result["assertions"]]


@pytest.fixture(scope="module")
def judged(emulator, tmp_path_factory) -> dict:
    """One batch: one case on three targets with every judged type, passing and failing."""
    folder = tmp_path_factory.mktemp("judged")
    r = batch(str(suite(folder, targets=THREE, cases=[{"vars": {"country": "Portugal"}}], **{"assert": CHECKS})),
              "--format", "json", base_url=emulator.base_url)
    assert r.returncode == 1, r.stderr  # some checks fail, on purpose
    return json.loads(r.stdout)


def test_each_judged_type_passes_and_fails_as_the_judge_says(judged):
    for result in judged["results"]:
        kinds = by_type(result)
        assert kinds[:4] == [("llm-rubric", True, False), ("llm-rubric", False, False),
                             ("factuality", True, False), ("factuality", False, False)]
        rubric, partial, agrees, contradicts = result["assertions"][:4]
        assert rubric["judge"]["score"] == 1 and rubric["message"].startswith("score 1:")
        assert partial["judge"]["score"] == 0.5 and "missing 'Lisbon'" in partial["message"]
        assert agrees["judge"]["category"] == "superset" and contradicts["judge"]["category"] == "contradicting"
        assert contradicts["message"].startswith("contradicting: the reply lacks madrid, spain")
        # the prompt the judge was sent is shown, the reply in it
        assert "<rubric>\nnames \"Portugal\" and says \"emulated\"\n</rubric>" in rubric["judge"]["prompt"]
        assert result["text"] in rubric["judge"]["prompt"]
        assert rubric["judge"]["route"] == "gemini" and rubric["judge"]["model"] == "gemini-2.5-flash"


def test_select_best_over_three_targets_marks_exactly_one_with_the_reason(judged):
    best = [r["assertions"][4] for r in judged["results"]]
    assert [b["type"] for b in best] == ["select-best"] * 3
    assert sum(b["pass"] for b in best) == 1 and not any(b.get("error") for b in best)
    longest = max(range(3), key=lambda i: len(judged["results"][i]["text"]))
    assert best[longest]["pass"] and best[longest]["message"].startswith("chosen as the best of 3: reply")
    chosen = judged["results"][longest]["target"]
    assert all(b["message"].startswith(f"{chosen} was chosen over this one") for i, b in enumerate(best) if i != longest)
    assert len({json.dumps(b["judge"]) for b in best}) == 1  # one judge request for the case


def test_judge_tokens_and_cost_are_apart_from_the_runs_and_added_to_the_batch(judged):
    summary = judged["summary"]
    runs = sum(r["cost_usd"] for r in judged["results"])
    for r in judged["results"]:
        assert r["judge_usage"]["input_tokens"] > r["usage"]["input_tokens"]  # a judge reads the prompt and reply
        assert r["judge_cost_usd"] > 0 and r["cost_usd"] > 0
    assert summary["run_cost_usd"] == pytest.approx(runs)
    assert summary["judge_cost_usd"] > 0
    assert summary["cost_usd"] == pytest.approx(runs + summary["judge_cost_usd"])
    per_result = [a["judge"]["usage"]["input_tokens"] for r in judged["results"] for a in r["assertions"][:4]]
    select_best = judged["results"][0]["assertions"][4]["judge"]["usage"]["input_tokens"]
    assert summary["judge_usage"]["input_tokens"] == sum(per_result) + select_best  # select-best counted once


def test_a_failed_judge_and_a_malformed_verdict_are_errors_with_message_and_raw_reply(emulator, tmp_path):
    checks = [{"type": "llm-rubric", "value": 'says "{{country}}"', "judge": {"route": "openai", "model": "fault-html"}},
              {"type": "factuality", "value": "{{country}}", "judge": {"route": "gemini", "model": "fault-bad-verdict"}},
              {"type": "contains", "value": "{{country}}"}]
    r = batch(str(suite(tmp_path, targets=THREE[:1], cases=[{"vars": {"country": "Peru"}}], **{"assert": checks})),
              "--format", "json", base_url=emulator.base_url)
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert {k: out["summary"][k] for k in ("passed", "failed", "errors")} == {"passed": 0, "failed": 0, "errors": 1}
    failed, malformed, plain = out["results"][0]["assertions"]
    assert failed["error"] is True and failed["pass"] is False
    assert failed["message"].startswith("the judge OpenAI-compatible · fault-html failed: ")
    assert "404" in failed["message"] or "not_found" in failed["message"]
    assert malformed["error"] is True and malformed["pass"] is False
    assert malformed["message"].startswith("the judge Gemini native · fault-bad-verdict answered out of shape")
    assert json.loads(malformed["judge"]["raw"]) == {"pass": "probably", "reason": "it reads well enough to me"}
    assert plain == {"type": "contains", "pass": True, "message": "the reply contains 'Peru'"}


def test_judge_on_the_command_line_overrides_the_suites(emulator, tmp_path):
    path = suite(tmp_path, targets=THREE[:1], cases=[{"vars": {"country": "Chad"}}],
                 judge={"route": "gemini", "model": "fault-bad-verdict"},
                 **{"assert": [{"type": "llm-rubric", "value": 'names "{{country}}"'},
                               {"type": "llm-rubric", "value": 'names "{{country}}"',
                                "judge": {"route": "openai", "model": "fault-html"}}]})
    as_written = json.loads(batch(str(path), "--format", "json", base_url=emulator.base_url).stdout)
    assert [a.get("error") for a in as_written["results"][0]["assertions"]] == [True, True]
    r = batch(str(path), "--judge", "openai:gemini-2.5-pro", "--format", "json", base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    for a in json.loads(r.stdout)["results"][0]["assertions"]:
        assert a["pass"] and (a["judge"]["route"], a["judge"]["model"]) == ("openai", "gemini-2.5-pro")


BAD = [
    ({"judge": {"route": "anthropic", "model": "m"}}, [{"type": "llm-rubric", "value": "x"}],
     "$.judge.route: unknown route 'anthropic'", 'use "gemini" or "openai"'),
    ({}, [{"type": "llm-rubric", "value": "x", "judge": {"route": "bard", "model": "m"}}],
     "$.assert[0].judge.route (for $.cases[0]): unknown route 'bard'", 'use "gemini" or "openai"'),
    ({}, [{"type": "llm-rubric", "value": "  "}],
     "$.assert[0].value (for $.cases[0]): the rubric of llm-rubric is empty", '"value"'),
    ({}, [{"type": "llm-rubric", "value": "polite", "threshold": 1.5}],
     "$.assert[0].threshold (for $.cases[0]): threshold is a number from 0 to 1, not 1.5", '"threshold": 0.7'),
    ({"judge_prompt": "Grade this."}, [{"type": "llm-rubric", "value": "polite"}],
     "$.judge_prompt: the llm-rubric judge prompt does not say where the reply goes", "{{output}}"),
]


@pytest.mark.parametrize("fields, checks, message, fix", BAD)
def test_a_bad_judge_configuration_exits_2_naming_the_path_and_sends_nothing(emulator, tmp_path, fields, checks,
                                                                             message, fix):
    emulator.clear()
    r = batch(str(suite(tmp_path, cases=[{"vars": {"country": "x"}}], **fields, **{"assert": checks})),
              base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert r.stderr.startswith(f"error: {message}") and fix in r.stderr and "Traceback" not in r.stderr
    assert emulator.received == []


def test_a_bad_judge_flag_exits_2(emulator, tmp_path):
    emulator.clear()
    r = batch(str(suite(tmp_path, cases=[{"vars": {"country": "x"}}])), "--judge", "gemini-2.5-pro",
              base_url=emulator.base_url)
    assert r.returncode == 2 and "--judge 'gemini-2.5-pro'" in r.stderr and "ROUTE:MODEL" in r.stderr
    assert emulator.received == []


def test_a_judge_choosing_a_reply_that_is_not_there_is_an_error(emulator, tmp_path):
    # a judge prompt of one's own that shows a longer, made-up reply 9: the emulator's judge picks it
    prompt = "Pick by {{criterion}}.\n\n<criterion>\n{{criterion}}\n</criterion>\n\n{{outputs}}\n\n" \
             '<reply n="9">\n' + "padding " * 200 + "\n</reply>"
    r = batch(str(suite(tmp_path, targets=THREE[:2], cases=[{"vars": {"country": "Peru"}}],
                        judge_prompt={"select-best": prompt},
                        **{"assert": [{"type": "select-best", "value": "the longest"}]})),
              "--format", "json", base_url=emulator.base_url)
    assert r.returncode == 1, r.stderr
    best = [x["assertions"][0] for x in json.loads(r.stdout)["results"]]
    assert [(b["pass"], b.get("error")) for b in best] == [(False, True), (False, True)]
    assert best[0]["message"] == "the judge Gemini native · gemini-2.5-flash chose reply 9, but there are 2"
    assert json.loads(best[0]["judge"]["raw"])["choice"] == 9 and "padding padding" in best[0]["judge"]["prompt"]


def test_the_key_is_in_no_judge_prompt_report_or_history_row(emulator, tmp_path):
    from keys import CANARY_KEY

    checks = [{"type": "llm-rubric", "value": 'names "{{country}}"'}, {"type": "factuality", "value": "{{country}}"},
              {"type": "select-best", "value": "the clearest"}]
    path, db = suite(tmp_path, targets=THREE[:2], cases=[{"vars": {"country": "Chad"}}], **{"assert": checks}), \
        tmp_path / "runs.sqlite3"
    r = batch(str(path), "--format", "json", "--record", "--db", str(db), base_url=emulator.base_url, key=CANARY_KEY)
    assert r.returncode == 1 and "1 passed, 1 failed, 0 errors" in r.stderr  # select-best fails one of two
    assert all(a["judge"]["prompt"] for x in json.loads(r.stdout)["results"] for a in x["assertions"])
    assert CANARY_KEY not in r.stdout + r.stderr
    assert CANARY_KEY.encode() not in b"".join(f.read_bytes() for f in tmp_path.glob("runs.sqlite3*"))


def test_a_stored_batchs_workers_ask_the_judge_and_keep_its_verdicts(emulator, tmp_path):
    url = str(tmp_path / "h.sqlite3")
    checks = [{"type": "llm-rubric", "value": 'names "{{country}}"'}, {"type": "select-best", "value": "the clearest"}]
    path = suite(tmp_path, targets=THREE[:2], cases=[{"vars": {"country": "Peru"}}], **{"assert": checks})
    batch_id = batch(str(path), "--submit", "--url", url, base_url=emulator.base_url).stdout.strip()
    worker = batch("--work", "--exit-when-idle", "--url", url, base_url=emulator.base_url)
    assert worker.returncode == 0, worker.stderr
    report = json.loads(batch("--results", batch_id, "--url", url, "--format", "json", base_url=emulator.base_url).stdout)
    for result in report["results"]:
        rubric, best = result["assertions"]
        assert rubric["pass"] and rubric["judge"]["prompt"] and result["judge_cost_usd"] > 0
        assert not best.get("error") and best["judge"]["prompt"]  # the case was complete: judged
    assert sorted(r["assertions"][1]["pass"] for r in report["results"]) == [False, True]
