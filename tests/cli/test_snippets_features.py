"""The Gemini-native features in every snippet flavour, run against the emulator (issue 6).

tests/cli/test_snippets_run.py already runs images (both routes), Google Search with safety
settings (the "extras" scenario), a thinking budget of 0 and, for the SDK flavours, a body
with every field (thoughts, function declarations, calling mode). What it does not run is the
rest of what the Playground's feature sections write: thoughts with a budget, a response
schema (both routes), function declarations with a function call and its answer as turns
(both routes), and a thought-summary stream. Two scenarios per route, each in all five
flavours, plus one streamed; the same checks as there: the snippet sends what the client
sends, and prints the same text.
"""

from __future__ import annotations

import pytest
from test_snippets_run import HAVE_NODE, NODE_REASON, assert_sent_alike, printed_text, run_cases

from comet.core.call import Call, Route
from comet.tools.snippets import LANGS, render

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "rank": {"type": "integer"},
                                           "kind": {"type": "string", "enum": ["capital", "port"]}},
          "required": ["city", "rank", "kind"]}
WEATHER = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}

SCENARIOS = {
    "thinking-schema": {
        Route.GEMINI: {
            "contents": [{"role": "user", "parts": [{"text": "Name a city in Europe."}]}],
            "tools": [{"googleSearch": {}}],
            "safetySettings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_LOW_AND_ABOVE"}],
            "generationConfig": {"thinkingConfig": {"thinkingBudget": 512, "includeThoughts": True},
                                 "responseMimeType": "application/json", "responseJsonSchema": SCHEMA}},
        Route.OPENAI: {
            "messages": [{"role": "user", "content": "Name a city in Europe."}], "reasoning_effort": "low",
            "response_format": {"type": "json_schema", "json_schema": {"name": "reply", "schema": SCHEMA}}},
    },
    "functions": {
        Route.GEMINI: {
            "contents": [
                {"role": "user", "parts": [{"text": "Weather in Oslo?"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}}]},
                {"role": "user", "parts": [{"functionResponse": {"name": "get_weather",
                                                                 "response": {"output": "sunny"}}}]}],
            "tools": [{"functionDeclarations": [{"name": "get_weather", "description": "Weather now",
                                                 "parametersJsonSchema": WEATHER}]}],
            "toolConfig": {"functionCallingConfig": {"mode": "ANY"}}},
        Route.OPENAI: {
            "messages": [
                {"role": "user", "content": "Weather in Oslo?"},
                {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
                    "name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "{\"output\": \"sunny\"}"}],
            "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather now",
                                                        "parameters": WEATHER}}],
            "tool_choice": "required"},
    },
    "only-these-functions": {
        Route.GEMINI: {
            "contents": [{"role": "user", "parts": [{"text": "What time is it in Oslo?"}]}],
            "tools": [{"functionDeclarations": [{"name": "get_weather", "parametersJsonSchema": WEATHER},
                                                {"name": "get_time", "parametersJsonSchema": WEATHER}]}],
            "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_time"]}}},
        Route.OPENAI: {
            "messages": [{"role": "user", "content": "What time is it in Oslo?"}],
            "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}},
                      {"type": "function", "function": {"name": "get_time", "parameters": WEATHER}}],
            "tool_choice": {"type": "function", "function": {"name": "get_time"}}},
    },
}
CASES = [(name, route, False) for name in SCENARIOS for route in Route] + [("thinking-schema", Route.GEMINI, True)]


def _call(case) -> Call:
    name, route, stream = case
    return Call(route, "gemini-2.5-flash", SCENARIOS[name][route], stream=stream)


@pytest.fixture(scope="module")
def results(emulator, tmp_path_factory):
    return run_cases(emulator, tmp_path_factory.mktemp("feature-snippets"), CASES, _call)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1].value}-{'stream' if c[2] else 'plain'}")
def test_feature_snippet_sends_what_the_client_sends(results, case, lang):
    if lang.startswith("node") and not HAVE_NODE:
        pytest.skip(NODE_REASON)
    clients, runs, by_key = results
    name, route, stream = case
    client_key, exchange = clients[case]
    run = runs[(case, lang)]
    assert run.proc.returncode == 0, run.proc.stderr.decode("utf-8", "replace")[-3000:]
    assert not render(_call(case), lang, base_url="https://api.cometapi.com").warnings
    assert_sent_alike(by_key, run.key, client_key, lang)
    assert exchange.ok, exchange.error
    if name == "thinking-schema" and route is Route.GEMINI:
        assert exchange.thoughts and exchange.reply.grounding  # the features were live
    if name == "functions":
        assert "got the result of get_weather" in exchange.text
    if name == "only-these-functions":  # the reply is a call of the one function allowed, no text
        assert [c.name for c in exchange.reply.function_calls] == ["get_time"] and exchange.text == ""
        assert printed_text(run, route, stream) in ("", "None", "null", "undefined")
        return
    assert printed_text(run, route, stream) == exchange.text
