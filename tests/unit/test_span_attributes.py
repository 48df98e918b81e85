"""What a run's span says about its request and reply (comet.http.span_attributes, docs/tracing.md):
the conventions' request settings only where the body sets them, in either route's spelling; the
output type, seed and choice count; and the content attributes' shapes (used only with capture on)."""

from __future__ import annotations

import json

from comet import Call, Route
from comet.core.exchange import Exchange, FunctionCall, InlineImage, Reply, Timing, Usage
from comet.http.span_attributes import input_messages, output_messages, request_attributes, response_attributes

IMAGE_BODY = {"contents": [{"role": "user", "parts": [{"text": "a lighthouse"}, {"inlineData": {
    "mimeType": "image/png", "data": "iVBORw0KGgo="}}]}],
    "generation_config": {"response_modalities": ["TEXT", "IMAGE"], "image_config": {"aspect_ratio": "16:9",
                                                                                       "image_size": "2K"},
                          "seed": 7, "candidate_count": 2, "top_k": 40, "stop_sequences": ["END"]}}


def settings(attributes: dict) -> dict:
    return {k: v for k, v in attributes.items() if k.startswith(("gen_ai.request.", "gen_ai.output.", "comet.image."))}


def test_a_gemini_image_request_in_snake_case_says_its_settings_and_output():
    found = request_attributes(Call(Route.GEMINI, "gemini-3.1-flash-image-preview", IMAGE_BODY), "http://h:9", False)
    assert settings(found) == {
        "gen_ai.request.model": "gemini-3.1-flash-image-preview", "gen_ai.request.stream": False,
        "gen_ai.request.top_k": 40, "gen_ai.request.stop_sequences": ["END"], "gen_ai.request.seed": 7,
        "gen_ai.request.choice.count": 2, "gen_ai.output.type": "image",
        "comet.image.aspect_ratio": "16:9", "comet.image.size": "2K"}
    assert (found["server.address"], found["server.port"]) == ("h", 9)
    assert "gen_ai.input.messages" not in found  # content only with capture on


def test_an_openai_request_says_json_seed_and_the_max_tokens_it_sets():
    body = {"messages": [{"role": "system", "content": "be terse"}, {"role": "user", "content": "hi"}],
            "response_format": {"type": "json_object"}, "seed": 3, "n": 1, "max_tokens": 50, "temperature": 0}
    found = request_attributes(Call(Route.OPENAI, "gemini-2.5-flash", body), "https://api.cometapi.com", True)
    assert settings(found) == {"gen_ai.request.model": "gemini-2.5-flash", "gen_ai.request.stream": False,
                               "gen_ai.request.max_tokens": 50, "gen_ai.request.temperature": 0,
                               "gen_ai.request.seed": 3, "gen_ai.output.type": "json"}
    assert found["server.port"] == 443 and found["gen_ai.operation.name"] == "chat"
    assert json.loads(found["gen_ai.system_instructions"]) == [{"type": "text", "content": "be terse"}]
    assert json.loads(found["gen_ai.input.messages"]) == [{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]


def test_media_is_named_by_kind_never_by_its_bytes():
    system, turns = input_messages(Call(Route.GEMINI, "gemini-3.1-flash-image-preview", IMAGE_BODY))
    assert system == [] and turns == [{"role": "user", "parts": [{"type": "text", "content": "a lighthouse"},
                                                                 {"type": "blob"}]}]
    assert "iVBORw0KGgo=" not in json.dumps(turns)


def test_the_reply_says_thoughts_text_calls_and_images_and_its_counts():
    reply = Reply(text="Here it is", thoughts="drafting", finish_reason="stop", raw_finish_reason="STOP",
                  usage=Usage(input_tokens=9, output_tokens=20, thinking_tokens=5), model_version="m-001",
                  response_id="r-1", function_calls=(FunctionCall("paint", {"x": 1}, "c1"),),
                  images=(InlineImage("image/png", b"\x89PNG"),))
    exchange = Exchange(call=Call(Route.GEMINI, "m", {"contents": []}), base_url="http://h", status=200, reply=reply,
                        error=None, timing=Timing(started_at=0.0, ttft_ms=12.5, latency_ms=40.0), attempts=2)
    found = response_attributes(exchange, 0.25, True)
    assert (found["gen_ai.response.model"], found["gen_ai.response.id"], found["gen_ai.response.finish_reasons"]) == \
        ("m-001", "r-1", ["STOP"])
    assert (found["gen_ai.usage.input_tokens"], found["gen_ai.usage.output_tokens"],
            found["gen_ai.usage.reasoning.output_tokens"]) == (9, 20, 5)
    assert (found["comet.attempts"], found["comet.cost_usd"], found["gen_ai.response.time_to_first_chunk"]) == \
        (2, 0.25, 0.0125)
    (message,) = json.loads(found["gen_ai.output.messages"])
    assert message["finish_reason"] == "STOP" and [p["type"] for p in message["parts"]] == [
        "reasoning", "text", "tool_call", "blob"]
    assert output_messages(exchange)[0]["parts"][3] == {"type": "blob", "modality": "image", "mime_type": "image/png"}
