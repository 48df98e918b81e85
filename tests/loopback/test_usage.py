"""Usage read in full and priced right: cached input and Gemini's tool-use prompt tokens, from
both routes through the client, the CLI, History and the metrics."""

from __future__ import annotations

import json

import pytest

from comet import Call, Route
from comet.core.exchange import Usage
from comet.http.chunks import parse_reply
from comet.http.models import ModelInfo, Pricing, cost, merge

FLASH = "gemini-2.5-flash"
PROMPT = "one two three four five six seven eight"  # eight tokens to the emulator
CACHED = {Route.GEMINI: {"cachedContent": "cachedContents/abc123"}, Route.OPENAI: {"prompt_cache_key": "user-7"}}


def body(route: Route, *, cached: bool = False, search: bool = False) -> dict:
    if route is Route.GEMINI:
        out = {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}]}
        if search:
            out["tools"] = [{"googleSearch": {}}]
    else:
        out = {"messages": [{"role": "user", "content": PROMPT}], "stream_options": {"include_usage": True}}
    return {**out, **(CACHED[route] if cached else {})}


def test_both_routes_report_their_counts():
    gemini = parse_reply(Route.GEMINI, {"candidates": [], "usageMetadata": {
        "promptTokenCount": 1200, "cachedContentTokenCount": 1024, "toolUsePromptTokenCount": 310,
        "candidatesTokenCount": 20, "totalTokenCount": 1530}})
    assert gemini.usage == Usage(1200, 20, 0, 1530, cached_tokens=1024, tool_use_prompt_tokens=310)
    openai = parse_reply(Route.OPENAI, {"choices": [], "usage": {
        "prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
        "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0}}})
    assert openai.usage == Usage(2006, 300, 0, 2306, cached_tokens=1920)
    assert parse_reply(Route.OPENAI, {"choices": [], "usage": {"prompt_tokens": 1}}).usage.cached_tokens is None


def test_cached_input_is_priced_at_the_cached_rate_where_the_catalog_has_one():
    listed = merge(None, {"data": [
        {"id": "a", "pricing": {"input": 1.0, "output": 4.0, "cached_input": 0.25}},
        {"id": "b", "pricing": {"input": 1.0, "output": 4.0}}]})
    with_rate, without = listed
    assert with_rate.pricing == Pricing(1.0, 4.0, cached=0.25) and without.pricing.cached is None
    usage = Usage(input_tokens=1_000_000, output_tokens=0, thinking_tokens=0, cached_tokens=600_000)
    assert cost(usage, with_rate) == pytest.approx(0.4 * 1.0 + 0.6 * 0.25)
    assert cost(usage, without) == pytest.approx(1.0)  # no cached rate: cached input is input
    tools = Usage(input_tokens=1_000_000, output_tokens=500_000, thinking_tokens=0, tool_use_prompt_tokens=250_000)
    assert cost(tools, without) == pytest.approx(1.25 * 1.0 + 0.5 * 4.0)  # tool-use prompt tokens are input
    assert with_rate.to_dict()["pricing"] == {"input": 1.0, "output": 4.0, "cached_input": 0.25}


@pytest.mark.parametrize("route", [Route.GEMINI, Route.OPENAI])
@pytest.mark.parametrize("stream", [False, True])
def test_a_cached_prompt_costs_less_on_both_routes(client, route, stream):
    listed = {m.id: m for m in client.models()}[FLASH]
    rate = Pricing(listed.pricing.input, listed.pricing.output, cached=listed.pricing.input / 4)
    priced = ModelInfo(FLASH, pricing=rate)
    plain = client.send(Call(route, FLASH, body(route), stream=stream)).reply.usage
    cached = client.send(Call(route, FLASH, body(route, cached=True), stream=stream)).reply.usage
    assert plain.cached_tokens in (None, 0) and cached.cached_tokens == 4  # half of eight, by the emulator
    assert cached.input_tokens == plain.input_tokens == 8
    saved = cost(plain, priced) - cost(cached, priced)
    assert saved == pytest.approx(4 * (rate.input - rate.cached) / 1_000_000)
    assert cost(cached, listed) == pytest.approx(cost(plain, listed))  # the catalog has no cached rate


@pytest.mark.parametrize("stream", [False, True])
def test_tool_use_prompt_tokens_are_read_and_priced_as_input(client, stream):
    listed = {m.id: m for m in client.models()}[FLASH]
    searched = client.send(Call(Route.GEMINI, FLASH, body(Route.GEMINI, search=True), stream=stream)).reply.usage
    assert searched.tool_use_prompt_tokens == 64 and searched.input_tokens == 8
    assert searched.total_tokens == 8 + 64 + searched.output_tokens + searched.thinking_tokens
    without = Usage(searched.input_tokens, searched.output_tokens, searched.thinking_tokens)
    assert cost(searched, listed) - cost(without, listed) == pytest.approx(64 * listed.pricing.input / 1_000_000)


def test_the_openai_route_has_no_tool_use_count(client):
    usage = client.send(Call(Route.OPENAI, FLASH, body(Route.OPENAI, cached=True))).reply.usage
    assert usage.tool_use_prompt_tokens is None and usage.cached_tokens == 4


def test_history_keeps_the_counts_and_exports_them(client, tmp_path):
    from comet.store import open_store
    ex = client.send(Call(Route.GEMINI, FLASH, {**body(Route.GEMINI, cached=True, search=True)}))
    store = open_store(tmp_path / "h.sqlite3")
    try:
        run_id = store.record(ex)
        assert store.get(run_id).exchange.reply.usage == ex.reply.usage
        [row] = json.loads(store.export("json"))
        assert (row["cached_tokens"], row["tool_use_prompt_tokens"]) == (4, 64)
        assert "cached_tokens,tool_use_prompt_tokens" in store.export("csv").splitlines()[0]
    finally:
        store.close()


def test_the_metrics_show_the_counts_only_when_there_are_some(client):
    from ui.run.finished import metrics
    shown = dict(metrics(client.send(Call(Route.GEMINI, FLASH, body(Route.GEMINI, cached=True, search=True)))))
    assert (shown["Cached input tokens"], shown["Tool-use prompt tokens"]) == ("4", "64")
    plain = dict(metrics(client.send(Call(Route.GEMINI, FLASH, body(Route.GEMINI)))))
    assert "Cached input tokens" not in plain and "Tool-use prompt tokens" not in plain


def test_the_cli_prints_them(emulator):
    from cli_support import comet, printed
    out = printed(comet("send", "--route", "gemini", "--model", FLASH, "--body", "-",
                        stdin=json.dumps(body(Route.GEMINI, cached=True, search=True)), base_url=emulator.base_url))
    assert (out["usage"]["cached_tokens"], out["usage"]["tool_use_prompt_tokens"]) == (4, 64)
