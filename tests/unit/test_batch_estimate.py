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
