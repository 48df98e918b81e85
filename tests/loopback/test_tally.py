"""Token counts and cost as a run can honestly report them: the Stream switch's usage option,
a stopped or cut stream's unknown output count (never "0"), and the note that says why."""

from __future__ import annotations

import pytest

from comet import Call, CancelToken, Client, Route, TextDelta, simple_body
from comet.http.models import ModelInfo, Pricing
from comet.runs.tally import asks_for_usage, tally, with_stream_usage

PRICED = ModelInfo("gemini-2.5-flash", gemini=True, pricing=Pricing(input=1.0, output=10.0))


def test_stream_on_adds_include_usage_and_keeps_the_users_own_options():
    body = {"messages": [{"role": "user", "content": "hi"}]}
    on = with_stream_usage(body, True)
    assert on["stream_options"] == {"include_usage": True} and asks_for_usage(on)
    assert "stream_options" not in body  # a new body; the old one is untouched
    mine = {**body, "stream_options": {"include_usage": False}}
    assert with_stream_usage(mine, True)["stream_options"] == {"include_usage": False}
    assert "stream_options" not in with_stream_usage(on, False)  # only valid with stream: true


def run(emulator, route: str, model: str, prompt: str, *, stream: bool = True, body=None,
        stop_after: int | None = None):
    call = Call(route, model, body or simple_body(route, prompt), stream=stream)
    cancel = CancelToken()
    seen = 0
    with Client(emulator.base_url, "sk-tally") as client:
        for event in client.stream(call, cancel):
            if isinstance(event, TextDelta):
                seen += 1
                if stop_after is not None and seen >= stop_after:
                    cancel.set()
    return event


@pytest.mark.parametrize("route", ["gemini", "openai"])
def test_cut_stream_has_unknown_output_an_estimate_and_a_partial_cost(emulator, route):
    body = simple_body(route, "tell me [[chunks=40]]")
    if route == "openai":
        body = with_stream_usage(body, True)
    ex = run(emulator, route, "fault-drop-stream", "", body=body)
    assert ex.partial and ex.text and ex.error is not None
    assert ex.reply.usage.output_tokens is None  # not 0
    t = tally(ex, PRICED)
    assert t.output_tokens is None and t.output_estimate == -(-len(ex.text) // 4)
    if route == "gemini":  # the prompt count came with the first chunk: its cost is known
        known = t.input_tokens * 1.0 + (t.thinking_tokens or 0) * 10.0  # thinking bills as output
        assert t.input_tokens > 0 and t.cost_partial and t.cost == pytest.approx(known / 1e6)
    else:  # Chat Completions sends usage last: nothing is known
        assert t.input_tokens is None and t.cost is None
    assert "cut short" in t.note and "estimate" in t.note


def test_stopped_stream_says_it_was_stopped(make_emulator):
    emu = make_emulator(ttft_ms=1, chunk_ms=20)
    ex = run(emu, "gemini", "gemini-2.5-flash", "go on [[chunks=200]]", stop_after=3)
    assert ex.stopped and ex.text and ex.reply.usage.output_tokens is None
    assert "was stopped" in tally(ex, PRICED).note


def test_finished_stream_keeps_its_counts_and_has_no_note(emulator):
    ex = run(emulator, "gemini", "gemini-2.5-flash", "hello [[chunks=5]]")
    t = tally(ex, PRICED)
    assert ex.ok and t.output_tokens == ex.reply.usage.output_tokens > 0
    assert not t.cost_partial and t.note is None and t.output_estimate is None


def test_openai_stream_without_the_option_says_why_tokens_are_missing(emulator):
    ex = run(emulator, "openai", "gemini-2.5-flash", "hello")
    assert ex.ok and ex.reply.usage.input_tokens is None
    t = tally(ex, PRICED)
    assert t.cost is None and 'stream_options": {"include_usage": true}' in t.note
    asked = run(emulator, "openai", "gemini-2.5-flash", "",
                body=with_stream_usage(simple_body("openai", "hello"), True))
    t = tally(asked, PRICED)
    assert t.input_tokens > 0 and t.output_tokens > 0 and t.cost > 0 and t.note is None
    assert asked.call.route is Route.OPENAI
