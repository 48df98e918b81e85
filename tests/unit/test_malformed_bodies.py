"""Odd but valid bodies through conversion and the Playground's helpers (issue 10 items 6 and
7): every one either works or answers with the project's own error (FormConflict names the
field to fix in the JSON tab), never a TypeError or AttributeError."""

from __future__ import annotations

import math

import pytest

from comet import Call, RequestError, Route
from comet.body import form, rules
from comet.body.convert import convert
from comet.body.features import (Function, add_function, allowed_functions, answer_calls, attach, calling_mode,
                                 functions, has_search, media, remove_function, response_value, schema_of,
                                 set_allowed_functions, set_calling_mode, set_schema, set_search, set_turn, thinking,
                                 turns, urls)
from comet.body.spelling import FormConflict
from comet.core.call import user_text
from comet.core.exchange import FunctionCall, Reply

USER = [{"role": "user", "content": "hi"}]
ODD_OPENAI = {
    "reasoning_effort as a list": {"reasoning_effort": ["low"]},
    "reasoning_effort as an object": {"reasoning_effort": {"level": "low"}},
    "tool_choice.function as a list": {"tool_choice": {"type": "function", "function": ["get_weather"]}},
    "tool_choice.function.name as a number": {"tool_choice": {"type": "function", "function": {"name": 7}}},
    "allowed_tools.tools as a number": {"tool_choice": {"type": "allowed_tools", "allowed_tools": {"tools": 3}}},
    "allowed_tools.tools holding a list": {"tool_choice": {"type": "allowed_tools",
                                                           "allowed_tools": {"tools": [["x"], {"function": 1}]}}},
}


@pytest.mark.parametrize("name", ODD_OPENAI)
def test_odd_openai_bodies_convert_with_the_field_reported(name):
    body = {"model": "gemini-2.5-flash", "messages": USER, **ODD_OPENAI[name]}
    conv = convert(body, Route.GEMINI)
    field = next(iter(ODD_OPENAI[name]))
    assert conv.body["contents"] == [{"role": "user", "parts": [{"text": "hi"}]}]
    assert any(r.field.startswith(f"$.{field}") and r.status == "dropped" for r in conv.report), conv.report
    assert convert(conv.body, Route.OPENAI, model="gemini-2.5-flash").body["messages"] == USER  # and back


GEMINI_USER = [{"role": "user", "parts": [{"text": "hi"}]}]
MALFORMED = {  # item 7's bodies, on the route where each field lives
    "tools: null": (Route.GEMINI, {"contents": GEMINI_USER, "tools": None}),
    "openai tools: null": (Route.OPENAI, {"model": "m", "messages": USER, "tools": None}),
    "json_schema: true": (Route.OPENAI, {"model": "m", "messages": USER,
                                         "response_format": {"type": "json_schema", "json_schema": True}}),
    "parts as an object": (Route.GEMINI, {"contents": [{"role": "user", "parts": {"text": "hi"}}]}),
    "tool_calls: true": (Route.OPENAI, {"model": "m", "messages": [
        {"role": "assistant", "content": "x", "tool_calls": True}, *USER]}),
    "text: null": (Route.GEMINI, {"contents": [{"role": "user", "parts": [{"text": None}]}]}),
    "content: null": (Route.OPENAI, {"model": "m", "messages": [{"role": "user", "content": None}]}),
    "no functions": (Route.GEMINI, {"contents": GEMINI_USER}),
    "toolConfig as a list": (Route.GEMINI, {"contents": GEMINI_USER, "toolConfig": []}),
    "allowedFunctionNames as a string": (Route.GEMINI, {"contents": GEMINI_USER, "toolConfig": {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": "get_weather"}}}),
}
FN = Function("lookup", "look it up", {"type": "object", "properties": {"q": {"type": "string"}}})
HELPERS = {
    "form.read": lambda r, b: form.read(r, b),
    "form.apply": lambda r, b: form.apply(r, b, {"prompt": "p", "temperature": 0.3, "json_output": True}),
    "thinking.read": lambda r, b: thinking.read(r, b),
    "has_search": has_search, "set_search": lambda r, b: set_search(r, b, True),
    "schema_of": schema_of, "set_schema": lambda r, b: set_schema(r, b, {"type": "object"}),
    "set_schema off": lambda r, b: set_schema(r, b, None),
    "functions": functions, "add_function": lambda r, b: add_function(r, b, FN),
    "remove_function": lambda r, b: remove_function(r, b, 0),
    "calling_mode": calling_mode, "allowed_functions": allowed_functions,
    "set_calling_mode": lambda r, b: set_calling_mode(r, b, None),
    "set_allowed_functions": lambda r, b: set_allowed_functions(r, b, ["lookup"]),
    "turns": turns, "set_turn": lambda r, b: set_turn(r, b, 0, text="t"),
    "urls": urls, "attach": lambda r, b: attach(r, b, media.url_part(r, "https://example.com/a.png", "image/png")),
    "user_text": lambda r, b: user_text(b, r),
    "answer_calls": lambda r, b: answer_calls(r, b, Reply(function_calls=(FunctionCall("lookup", {"q": 1}, "c1"),)),
                                              [response_value("{\"ok\": true}")]),
    "convert": lambda r, b: convert(b, Route.OPENAI if r is Route.GEMINI else Route.GEMINI),
    "rules.problems": lambda r, b: rules.problems(Call.from_body(r, b, model="gemini-2.5-flash")),
}


@pytest.mark.parametrize("helper", HELPERS)
@pytest.mark.parametrize("case", MALFORMED)
def test_helpers_on_malformed_bodies_work_or_say_what_to_fix(case, helper):
    route, body = MALFORMED[case]
    try:
        HELPERS[helper](route, body)
    except FormConflict as exc:
        assert "JSON tab" in str(exc) or "route" in str(exc) or "no function" in str(exc)


def test_removing_a_function_when_none_is_declared_says_so():
    with pytest.raises(FormConflict, match="no function declaration 1"):
        remove_function(Route.GEMINI, {"contents": GEMINI_USER}, 0)


def test_search_on_a_null_tools_list_adds_the_tool():
    assert set_search(Route.GEMINI, {"contents": GEMINI_USER, "tools": None}, True)["tools"] == [{"googleSearch": {}}]


@pytest.mark.parametrize("budget", [math.inf, -math.inf, math.nan, 1e300])
def test_an_infinite_or_nan_thinking_budget_is_refused_not_crashed_on(budget):
    body = {"contents": GEMINI_USER, "generationConfig": {"thinkingConfig": {"thinkingBudget": budget}}}
    thinking.read(Route.GEMINI, body)
    for budget_mode in ("dynamic", "off", "custom", None):
        thinking.budget_for_mode(budget_mode, budget, None)
    thinking.thinking_mode(budget)
    found = rules.problems(Call(Route.GEMINI, "gemini-2.5-flash", body))
    assert found and found[0].path == "$.generationConfig.thinkingConfig.thinkingBudget"
    with pytest.raises(RequestError):
        rules.validate(Call(Route.GEMINI, "gemini-2.5-flash", body))


def test_odd_model_lists_from_a_server_list_nothing():
    from comet.http.models import merge

    assert merge(7, {"data": 3}) == [] and merge({"data": {"id": "x"}}, "text") == []
    assert [m.id for m in merge({"data": [{"id": "gemini-2.5-flash"}, 5]}, {"data": True})] == ["gemini-2.5-flash"]


@pytest.mark.parametrize("route,body", [
    (Route.OPENAI, {"model": "m", "messages": [{"role": "user", "content": "hi"}, "stray", 7, None]}),
    (Route.GEMINI, {"contents": [{"role": "user", "parts": [{"text": "hi"}]}, "stray", 7, None]}),
])
def test_one_turn_walk_skips_or_yields_entries_that_are_not_turns_and_convert_reports_each(route, body):
    from comet.body import spelling

    assert [i for i, _ in spelling.turns(route, body)] == [0]
    assert [i for i, _ in spelling.turns(route, body, every=True)] == [0, 1, 2, 3]
    other = Route.GEMINI if route is Route.OPENAI else Route.OPENAI
    dropped = {r.field for r in convert(body, other, model="m").report if r.status == "dropped"}
    key = spelling.turns_key(route)
    assert {f"$.{key}[{i}]" for i in (1, 2, 3)} <= dropped, dropped
