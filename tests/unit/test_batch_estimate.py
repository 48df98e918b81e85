"""comet.runs.batch.estimate: what a batch may cost before it runs, priced by the model list."""

from __future__ import annotations

import json

import pytest

from comet.http.models import ModelInfo, Pricing
from comet.runs.batch import parse, plan
from comet.runs.batch.estimate import ASSUMED_OUTPUT_TOKENS, estimate


def suite(max_output: int | None = None) -> dict:
    body = {"contents": [{"role": "user", "parts": [{"text": "capital of {{country}}?"}]}]}
    if max_output:
        body["generationConfig"] = {"maxOutputTokens": max_output}
    return {"request": {"route": "gemini", "model": "priced", "body": body},
            "targets": [{"route": "gemini", "model": "priced"}, {"route": "gemini", "model": "unpriced"}],
            "cases": [{"vars": {"country": "Peru"}}, {"vars": {"country": "Chad"}}]}


CATALOG = {"priced": ModelInfo("priced", pricing=Pricing(input=1.0, output=10.0))}


def test_tokens_and_cost_from_the_text_and_the_requests_own_maximum():
    data = suite(max_output=50)
    found = estimate(parse(data), plan(parse(data)), CATALOG)
    chars = 2 * len(json.dumps(data["request"]["body"], ensure_ascii=False)) + len("Peru") + len("Chad")
    per_target = -(-chars // 4)
    assert found.requests == 4 and found.input_tokens == 2 * per_target and found.output_tokens == 2 * 2 * 50
    assert found.usd == pytest.approx((per_target * 1.0 + 100 * 10.0) / 1e6)
    assert found.unpriced == ("unpriced",)
    said = found.sentence()
    assert said.startswith("about $0.00") and "no price for unpriced" in said


def test_without_a_maximum_each_reply_counts_the_assumed_length_and_no_price_is_not_known():
    found = estimate(parse(suite()), plan(parse(suite())), {})
    assert found.output_tokens == 4 * ASSUMED_OUTPUT_TOKENS and found.usd is None
    assert found.sentence().startswith("not known (")


def test_repeats_multiply_requests_tokens_and_cost():
    data = suite(max_output=50)
    once = estimate(parse(data), plan(parse(data)), CATALOG)
    thrice = estimate(parse({**data, "repeat": 3}), plan(parse(data)), CATALOG)
    assert (thrice.requests, thrice.input_tokens, thrice.output_tokens) == (
        3 * once.requests, 3 * once.input_tokens, 3 * once.output_tokens)
    assert thrice.usd == pytest.approx(3 * once.usd)


def test_the_services_count_of_the_first_case_scales_to_the_others_and_is_said():
    data = suite(max_output=50)
    asked = []

    def count(call):
        asked.append(call.body["contents"][0]["parts"][0]["text"])
        return 100

    found = estimate(parse(data), plan(parse(data)), CATALOG, count)
    chars = [len(json.dumps(data["request"]["body"], ensure_ascii=False)) + len(c) for c in ("Peru", "Chad")]
    assert asked == ["capital of Peru?"] * 2  # once per target, the first case filled in
    assert found.input_tokens == 2 * -(-100 * sum(chars) // chars[0]) and found.counted
    assert "(counted: " in found.sentence()
    assert "(est.: " in estimate(parse(data), plan(parse(data)), CATALOG).sentence()


def test_a_count_the_service_does_not_offer_falls_back_to_the_text():
    data = suite(max_output=50)

    def refused(call):
        raise RuntimeError("countTokens is not offered")

    found = estimate(parse(data), plan(parse(data)), CATALOG, refused)
    assert found == estimate(parse(data), plan(parse(data)), CATALOG) and not found.counted


def test_the_cost_cap_is_a_positive_number_and_reached_at_it():
    from comet.runs.batch.spend import CapError, cap, reached, stopped

    assert cap(None) is None and cap("0.5") == 0.5 and cap(2) == 2.0
    for bad in ("0", -1, "x", "nan", "inf", True):
        with pytest.raises(CapError, match="^--max-cost-usd: the cost cap is a positive number"):
            cap(bad)
    assert not reached(0.49, 0.5) and reached(0.5, 0.5) and reached(0.6, 0.5) and not reached(9.0, None)
    assert not reached(None, 0.5)
    assert stopped(0.0012, 0.001, 12, 40) == ("stopped: the batch spent $0.0012, reaching its cost cap of $0.001; "
                                              "12 of 40 runs finished, 28 were not started")
