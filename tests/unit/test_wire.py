"""Reading answers per route (comet.http.chunks): plain JSON and stream chunks -> deltas and a Reply.

Pure functions over JSON shaped like wire-formats.md B.4/B.5 (Gemini) and C.2/C.3 (OpenAI)."""

from __future__ import annotations

import pytest

from comet.core.call import Route
from comet.core.exchange import FunctionCall, TextDelta, ThoughtDelta, Usage
from comet.http.chunks import Accumulator, parse_reply

GEMINI_PLAIN = {
    "candidates": [{
        "content": {"role": "model", "parts": [{"text": "Let me think.", "thought": True},
                                               {"text": "Hello"}, {"text": "!"}]},
        "finishReason": "STOP",
        "safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"}],
        "groundingMetadata": {"webSearchQueries": ["hello"],
                              "groundingChunks": [{"web": {"uri": "https://e.x", "title": "E"}}]},
    }],
    "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 2, "thoughtsTokenCount": 40,
                      "totalTokenCount": 47},
    "modelVersion": "gemini-2.5-flash", "responseId": "resp-1",
}


def test_gemini_plain_reply():
    r = parse_reply(Route.GEMINI, GEMINI_PLAIN)
    assert (r.text, r.thoughts) == ("Hello!", "Let me think.")
    assert (r.finish_reason, r.raw_finish_reason) == ("stop", "STOP")
    assert r.usage == Usage(input_tokens=5, output_tokens=2, thinking_tokens=40, total_tokens=47)
    assert (r.model_version, r.response_id) == ("gemini-2.5-flash", "resp-1")
    assert r.grounding["webSearchQueries"] == ["hello"]
    assert r.safety_ratings[0]["probability"] == "NEGLIGIBLE"
    assert r.raw is GEMINI_PLAIN
    assert len(r.candidates) == 1


def test_gemini_omitted_fields_are_optional():
    # proto3 JSON leaves out zero values: no index, no thoughtsTokenCount (B.4)
    r = parse_reply(Route.GEMINI, {"candidates": [{"content": {"parts": [{"text": "x"}]}}],
                               "usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 4}})
    assert r.text == "x" and r.finish_reason is None
    assert r.usage == Usage(input_tokens=3, output_tokens=0, thinking_tokens=0, total_tokens=4)
    empty = parse_reply(Route.GEMINI, {})
    assert empty.text == "" and empty.usage == Usage() and empty.candidates == ()


def test_gemini_several_candidates_are_all_kept():
    r = parse_reply(Route.GEMINI, {"candidates": [
        {"content": {"parts": [{"text": "first"}]}, "finishReason": "STOP"},
        {"index": 1, "content": {"parts": [{"text": "second"}]}, "finishReason": "MAX_TOKENS"}]})
    assert r.text == "first"
    assert [(c.index, c.text, c.finish_reason) for c in r.candidates] == [
        (0, "first", "stop"), (1, "second", "length")]


def test_gemini_function_call():
    r = parse_reply(Route.GEMINI, {"candidates": [{"content": {"parts": [
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
        "finishReason": "STOP"}]})
    assert r.function_calls == (FunctionCall("get_weather", {"city": "Paris"}),)
    assert r.candidates[0].function_calls == r.function_calls


def test_gemini_blocked_prompt():
    r = parse_reply(Route.GEMINI, {"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": [
        {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}]},
        "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9}})
    assert (r.text, r.finish_reason, r.raw_finish_reason) == ("", "safety", "SAFETY")
    assert r.prompt_feedback["blockReason"] == "SAFETY"


def test_gemini_unknown_finish_reason_is_other():
    r = parse_reply(Route.GEMINI, {"candidates": [{"finishReason": "LANGUAGE"}]})
    assert (r.finish_reason, r.raw_finish_reason) == ("other", "LANGUAGE")


def test_gemini_stream_deltas_and_final_reply():
    chunks = [
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "Plan", "thought": True}]}}],
         "usageMetadata": {"promptTokenCount": 5}, "modelVersion": "gemini-2.5-flash",
         "responseId": "r", "promptFeedback": {"safetyRatings": []}},
        {"candidates": [{"content": {"parts": [{"text": "Hel"}]}}]},
        {"candidates": [{"content": {"parts": [{"text": "lo"}]}, "finishReason": "STOP"}],
         "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 2, "thoughtsTokenCount": 7,
                           "totalTokenCount": 14}},
    ]
    acc = Accumulator(Route.GEMINI)
    deltas = [d for c in chunks for d in acc.add(c)]
    assert deltas == [ThoughtDelta("Plan"), TextDelta("Hel"), TextDelta("lo")]
    assert acc.finished and acc.has_content
    r = acc.reply()
    assert (r.text, r.thoughts, r.finish_reason) == ("Hello", "Plan", "stop")
    assert r.usage.total_tokens == 14 and r.usage.thinking_tokens == 7
    assert r.raw == chunks and r.prompt_feedback == {"safetyRatings": []}


def test_gemini_stream_deltas_name_their_candidate():
    acc = Accumulator(Route.GEMINI)
    out = acc.add({"candidates": [{"content": {"parts": [{"text": "a"}]}},
                                  {"index": 1, "content": {"parts": [{"text": "b"}]}}]})
    assert out == [TextDelta("a", 0), TextDelta("b", 1)]


def test_partial_stream_is_not_finished():
    acc = Accumulator(Route.GEMINI)
    acc.add({"candidates": [{"content": {"parts": [{"text": "half"}]}}]})
    assert acc.has_content and not acc.finished
    assert acc.reply().text == "half"


OPENAI_PLAIN = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gemini-2.5-flash-2026",
    "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                 "message": {"role": "assistant", "content": "Hi there",
                             "reasoning_content": "thinking..."}}],
    "usage": {"prompt_tokens": 4, "completion_tokens": 30, "total_tokens": 34,
              "completion_tokens_details": {"reasoning_tokens": 25},
              "latency_checkpoint": 3},
}


def test_openai_plain_reply():
    r = parse_reply(Route.OPENAI, OPENAI_PLAIN)
    assert (r.text, r.thoughts, r.finish_reason) == ("Hi there", "thinking...", "stop")
    assert r.usage == Usage(input_tokens=4, output_tokens=5, thinking_tokens=25, total_tokens=34)
    assert (r.model_version, r.response_id) == ("gemini-2.5-flash-2026", "chatcmpl-1")


def test_openai_usage_without_details():
    r = parse_reply(Route.OPENAI, {"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2,
                                                        "total_tokens": 3}})
    assert r.usage == Usage(1, 2, 0, 3)


def test_openai_n_choices_and_tool_calls():
    r = parse_reply(Route.OPENAI, {"choices": [
        {"index": 0, "finish_reason": "tool_calls", "message": {"content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "f", "arguments": "{\"x\": 1}"}}]}},
        {"index": 1, "finish_reason": "length", "message": {"content": "other"}}]})
    assert r.finish_reason == "tool_calls" and r.text == ""
    assert r.function_calls == (FunctionCall("f", {"x": 1}, "call_1"),)
    assert [c.text for c in r.candidates] == ["", "other"]


def test_openai_stream_with_fragments_usage_chunk_and_content_filter():
    chunks = [
        {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
        {"id": "c", "choices": [{"index": 0, "delta": {"reasoning_content": "hmm"}}]},
        {"id": "c", "choices": [{"index": 0, "delta": {"content": "Hi"}, "logprobs": None}],
         "obfuscation": "xyz"},
        {"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "id": "call_9", "type": "function", "function": {"name": "look", "arguments": "{\"q\""}}]}}]},
        {"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "function": {"arguments": ": \"cats\"}"}}]}}]},
        {"id": "c", "choices": [{"index": 0, "delta": {}, "finish_reason": "content_filter"}], "usage": None},
        {"id": "c", "choices": [], "usage": {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5}},
    ]
    acc = Accumulator(Route.OPENAI)
    deltas = [d for c in chunks for d in acc.add(c)]
    assert deltas == [ThoughtDelta("hmm"), TextDelta("Hi")]
    r = acc.reply()
    assert (r.text, r.thoughts, r.finish_reason, r.raw_finish_reason) == ("Hi", "hmm", "safety", "content_filter")
    assert r.function_calls == (FunctionCall("look", {"q": "cats"}, "call_9"),)
    assert r.usage == Usage(2, 3, 0, 5)
    assert r.model_version == "m" and r.response_id == "c"


def test_openai_broken_arguments_are_kept_raw():
    r = parse_reply(Route.OPENAI, {"choices": [{"message": {"tool_calls": [
        {"function": {"name": "f", "arguments": "{not json"}}]}}]})
    assert r.function_calls[0].args == {"_raw": "{not json"}


def test_non_object_chunk_is_rejected():
    with pytest.raises(ValueError):
        Accumulator(Route.OPENAI).add(["x"])


@pytest.mark.parametrize("route,chunk", [
    ("gemini", {"candidates": [{"content": {"parts": ["text"]}}]}),
    ("gemini", {"candidates": "x"}),
    ("openai", {"choices": [{"delta": "x"}]}),
    ("openai", {"choices": [{"delta": {"tool_calls": [{"function": {"name": 5}}]}}]}),
])
def test_wrong_shapes_are_value_errors(route, chunk):
    with pytest.raises(ValueError, match="response shape"):
        Accumulator(Route.parse(route)).add(chunk)


def test_odd_but_harmless_fields_are_ignored():
    r = parse_reply(Route.GEMINI, {"candidates": [{"content": {"parts": [{"text": 5}, {"text": "ok"}]}}],
                               "usageMetadata": [], "promptFeedback": "blocked?"})
    assert r.text == "ok" and r.usage == Usage() and r.prompt_feedback is None
