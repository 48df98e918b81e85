"""Validation before sending (issue 2 section 3): every wrong-route field on each route, types,
ranges, invalid JSON with line and column; each message names the field, the route and a fix.
Pure checks, plus one test that a failing call sends nothing (over loopback)."""

from __future__ import annotations

import pytest

from comet import Call, Client, Route
from comet.body.rules import validate
from comet.body.validate import GEMINI_ONLY, OPENAI_ONLY, parse_json, problems
from comet.core.errors import RequestError

GEMINI_OK = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
OPENAI_OK = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}


def only(route, body):
    found = problems(route, body)
    assert len(found) == 1, found
    return found[0]


def test_valid_bodies_pass():
    assert problems(Route.GEMINI, GEMINI_OK) == []
    assert problems(Route.OPENAI, OPENAI_OK) == []
    snake = {"contents": GEMINI_OK["contents"], "generation_config": {"max_output_tokens": 5,
             "thinking_config": {"thinking_budget": 0}}, "system_instruction": {"parts": [{"text": "x"}]}}
    assert problems(Route.GEMINI, snake) == []  # proto3 JSON: snake_case is accepted too (B.3)


@pytest.mark.parametrize("field", sorted(OPENAI_ONLY))
def test_each_openai_field_on_the_gemini_route(field):
    p = only(Route.GEMINI, {**GEMINI_OK, field: 1})
    assert p.path == f"$.{field}" and p.route == "gemini"
    assert "OpenAI-compatible route" in p.message and p.fix == OPENAI_ONLY[field]


@pytest.mark.parametrize("field", sorted(GEMINI_ONLY))
def test_each_gemini_field_on_the_openai_route(field):
    p = only(Route.OPENAI, {**OPENAI_OK, field: {}})
    assert p.path == f"$.{field}" and p.route == "openai"
    assert "Gemini native route" in p.message and p.fix == GEMINI_ONLY[field]


def test_the_issue_example_message():
    with pytest.raises(RequestError) as info:
        validate(Call(Route.OPENAI, "gemini-2.5-flash", {"contents": GEMINI_OK["contents"]}))
    text = str(info.value)
    assert "`contents` belongs to the Gemini native route" in text
    assert "on Chat Completions send `messages`" in text
    assert "OpenAI-compatible route" in text  # the route the call was for
    assert info.value.kind == "bad_input" and info.value.problems[0].path == "$.contents"


@pytest.mark.parametrize("route,body,path", [
    (Route.GEMINI, {}, "$.contents"),
    (Route.GEMINI, {"contents": []}, "$.contents"),
    (Route.GEMINI, {"contents": [{"role": "user"}]}, "$.contents[0].parts"),
    (Route.OPENAI, {"model": "m"}, "$.messages"),
    (Route.OPENAI, {"messages": [{"role": "user", "content": "x"}], "model": ""}, "$.model"),
    (Route.OPENAI, {"model": "m", "messages": [{"role": "user"}]}, "$.messages[0].content"),
])
def test_missing_required_fields(route, body, path):
    assert only(route, body).path == path


@pytest.mark.parametrize("route,body,path,needle", [
    (Route.GEMINI, {**GEMINI_OK, "generationConfig": {"temperature": "hot"}}, "$.generationConfig.temperature", "a number"),
    (Route.GEMINI, {**GEMINI_OK, "generationConfig": {"maxOutputTokens": 1.5}}, "$.generationConfig.maxOutputTokens", "whole number"),
    (Route.GEMINI, {**GEMINI_OK, "generationConfig": []}, "$.generationConfig", "object"),
    (Route.GEMINI, {**GEMINI_OK, "systemInstruction": "be brief"}, "$.systemInstruction", "not a string"),
    (Route.GEMINI, {"contents": [{"role": "user", "parts": [{"text": 5}]}]}, "$.contents[0].parts[0].text", "string"),
    (Route.GEMINI, {"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}, "$.contents[0].role", "Gemini role"),
    (Route.GEMINI, {**GEMINI_OK, "generationConfig": {"stopSequences": "END"}}, "$.generationConfig.stopSequences", "list"),
    (Route.OPENAI, {**OPENAI_OK, "temperature": "0.5"}, "$.temperature", "a number"),
    (Route.OPENAI, {**OPENAI_OK, "stream": "yes"}, "$.stream", "true or false"),
    (Route.OPENAI, {**OPENAI_OK, "stop": 3}, "$.stop", "string"),
    (Route.OPENAI, {"model": "m", "messages": [{"role": "model", "content": "x"}]}, "$.messages[0].role", "Chat Completions role"),
    (Route.OPENAI, {"model": "m", "messages": "hi"}, "$.messages", "non-empty list"),
    (Route.OPENAI, {"model": "m", "messages": [{"role": "user", "parts": [{"text": "x"}], "content": "x"}]},
     "$.messages[0].parts", "Gemini native route"),
])
def test_wrong_types(route, body, path, needle):
    p = only(route, body)
    assert p.path == path and needle in p.message and p.fix


@pytest.mark.parametrize("route,body,path", [
    (Route.GEMINI, {**GEMINI_OK, "generationConfig": {"temperature": 2.5}}, "$.generationConfig.temperature"),
    (Route.GEMINI, {**GEMINI_OK, "generationConfig": {"topP": -0.1}}, "$.generationConfig.topP"),
    (Route.GEMINI, {**GEMINI_OK, "generationConfig": {"candidateCount": 9}}, "$.generationConfig.candidateCount"),
    (Route.GEMINI, {**GEMINI_OK, "generationConfig": {"maxOutputTokens": 0}}, "$.generationConfig.maxOutputTokens"),
    (Route.GEMINI, {**GEMINI_OK, "generationConfig": {"stopSequences": list("abcdef")}}, "$.generationConfig.stopSequences"),
    (Route.GEMINI, {**GEMINI_OK, "generationConfig": {"thinkingConfig": {"thinkingBudget": -2}}},
     "$.generationConfig.thinkingConfig.thinkingBudget"),
    (Route.OPENAI, {**OPENAI_OK, "temperature": 3}, "$.temperature"),
    (Route.OPENAI, {**OPENAI_OK, "top_p": 1.5}, "$.top_p"),
    (Route.OPENAI, {**OPENAI_OK, "n": 0}, "$.n"),
    (Route.OPENAI, {**OPENAI_OK, "max_completion_tokens": 0}, "$.max_completion_tokens"),
])
def test_out_of_range(route, body, path):
    p = only(route, body)
    assert p.path == path and ("range" in p.message or "at most" in p.message)
    assert p.fix.startswith("use a value") or "five" in p.fix


def test_thinking_budget_and_level_together():
    body = {**GEMINI_OK, "generationConfig": {"thinkingConfig": {"thinkingBudget": 1024, "thinkingLevel": "LOW"}}}
    assert "cannot both be set" in only(Route.GEMINI, body).message


def test_gemini_config_names_on_the_openai_route():
    p = only(Route.OPENAI, {**OPENAI_OK, "maxOutputTokens": 10})
    assert p.path == "$.maxOutputTokens" and "generationConfig" in p.message


def test_body_must_be_an_object():
    assert only(Route.GEMINI, ["x"]).path == "$"


def test_gemini_needs_a_model():
    with pytest.raises(RequestError, match="no model chosen"):
        validate(Call(Route.GEMINI, " ", GEMINI_OK))


def test_invalid_json_names_line_and_column():
    with pytest.raises(RequestError) as info:
        parse_json('{\n  "contents": [\n    {"role": "user",, }\n  ]\n}', Route.GEMINI)
    p = info.value.problems[0]
    assert (p.line, p.column) == (3, 21)
    assert "line 3, column 21" in str(info.value) and "Gemini native" in str(info.value)


def test_json_that_is_not_an_object():
    with pytest.raises(RequestError, match="must be a JSON object"):
        parse_json("[1, 2]", Route.OPENAI)


def test_all_problems_are_reported_at_once():
    found = problems(Route.OPENAI, {"contents": [], "generationConfig": {}, "temperature": 9})
    assert {p.path for p in found} >= {"$.contents", "$.generationConfig", "$.temperature", "$.model"}


def test_an_invalid_call_sends_nothing(emulator):
    emulator.clear()
    client = Client(emulator.base_url, "k")
    with pytest.raises(RequestError):
        client.stream(Call(Route.OPENAI, "gemini-2.5-flash", {"contents": GEMINI_OK["contents"]}))
    with pytest.raises(RequestError):
        client.send(Call(Route.GEMINI, "gemini-2.5-flash", {"messages": []}))
    assert emulator.received == []
