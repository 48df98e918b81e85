"""Each Gemini-native feature through the client on the emulator (real loopback sockets), read
back with the same functions the reply view uses: thoughts and thinking tokens, media held
beside the body, grounding, structured output checked against its schema, safety blocks,
function calls answered and continued, and countTokens. tests/loopback/test_client.py covers the
transport (retries, faults, cancelling); this file covers what each feature puts in a Reply."""

from __future__ import annotations

import pytest
from snippet_golden import CAT

from comet import Call, RequestError, Route
from comet.body import features, schema
from comet.core.call import Attachment

PDF = Attachment("doc.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")
FLASH = "gemini-2.5-flash"


@pytest.fixture(scope="module")
def emulator():
    """This module's own emulator, faster than the session's; the shared ``client`` uses it."""
    from comet.emulator import Emulator

    e = Emulator(ttft_ms=1, chunk_ms=0.2).start()
    yield e
    e.stop()


def gemini(prompt: str, **extra) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": prompt}]}], **extra}


def openai(prompt: str, **extra) -> dict:
    return {"messages": [{"role": "user", "content": prompt}], **extra}


def last_body(emulator) -> dict:
    return [r for r in emulator.received if r.method == "POST"][-1].json


# ---- thinking ----------------------------------------------------------------------------------

@pytest.mark.parametrize("stream", [False, True])
def test_thought_summaries_apart_from_the_answer_with_thinking_tokens(client, stream):
    body = gemini("Plan a trip to Rome", generationConfig={
        "thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": True}})
    ex = client.send(Call(Route.GEMINI, FLASH, body, stream=stream))
    assert ex.ok and ex.thoughts and ex.text and ex.thoughts not in ex.text
    assert ex.reply.usage.thinking_tokens > 0
    assert ex.reply.usage.total_tokens == (ex.reply.usage.input_tokens + ex.reply.usage.output_tokens
                                          + ex.reply.usage.thinking_tokens)


def test_gemini_3_thinking_level_and_the_models_refusals(client):
    level = client.send(Call(Route.GEMINI, "gemini-3-flash-preview", gemini("hi", generationConfig={
        "thinkingConfig": {"thinkingLevel": "low", "includeThoughts": True}})))
    assert level.ok and level.thoughts and level.reply.usage.thinking_tokens > 0
    for model, config in (("gemini-2.5-pro", {"thinkingBudget": 0}),  # cannot turn thinking off
                          ("gemini-2.5-flash", {"thinkingBudget": 99999}),
                          ("gemini-3-pro-preview", {"thinkingLevel": "MEDIUM"})):
        body = gemini("hi", generationConfig={"thinkingConfig": config})
        flagged = features.problems(Route.GEMINI, model, body)
        assert flagged, (model, config)  # flagged before sending
        # One rulebook (issue 11): the client refuses what the editor flags, before sending;
        # the emulator's own 400s for these are tests/loopback/test_emulator.py's.
        with pytest.raises(RequestError) as refused:
            client.send(Call(Route.GEMINI, model, body))
        assert refused.value.problems == flagged, (model, config)


def test_openai_reasoning_effort_gives_reasoning_tokens(client):
    ex = client.send(Call(Route.OPENAI, FLASH, openai("Reason", reasoning_effort="medium")))
    assert ex.ok and ex.reply.usage.thinking_tokens > 0


# ---- media ---------------------------------------------------------------------------------------

def test_attachments_are_sent_as_base64_and_described(client, emulator):
    body = gemini("Describe these")
    for a in (CAT, PDF):
        body = features.attach(Route.GEMINI, body, features.media_part(Route.GEMINI, a))
    ex = client.send(Call(Route.GEMINI, FLASH, body, attachments=(CAT, PDF)))
    assert ex.ok and "an image (image/png" in ex.text and "a document (application/pdf" in ex.text
    parts = last_body(emulator)["contents"][0]["parts"]
    assert [p["inlineData"]["data"] for p in parts[1:]] == [CAT.base64(), PDF.base64()]


def test_openai_image_data_url_and_pdf_file_part(client, emulator):
    body = openai("Describe these")
    for a in (CAT, PDF):
        body = features.attach(Route.OPENAI, body, features.media_part(Route.OPENAI, a))
    ex = client.send(Call(Route.OPENAI, FLASH, body, attachments=(CAT, PDF)))
    assert ex.ok and "an image (image/png" in ex.text and "a document (application/pdf" in ex.text
    content = last_body(emulator)["messages"][0]["content"]
    assert content[1]["image_url"]["url"] == f"data:image/png;base64,{CAT.base64()}"
    assert content[2]["file"] == {"filename": "doc.pdf", "file_data": f"data:application/pdf;base64,{PDF.base64()}"}


def test_a_public_file_url(client):
    body = features.attach(Route.GEMINI, gemini("Read it"),
                           features.url_part(Route.GEMINI, "https://example.com/a.pdf"))
    ex = client.send(Call(Route.GEMINI, FLASH, body))
    assert ex.ok and "application/pdf) at https://example.com/a.pdf" in ex.text


# ---- grounding -------------------------------------------------------------------------------------

@pytest.mark.parametrize("stream", [False, True])
def test_grounding_is_parsed_into_sources_queries_and_supports(client, stream):
    body = features.set_search(Route.GEMINI, gemini("Who designed the Eiffel Tower?"), True)
    ex = client.send(Call(Route.GEMINI, FLASH, body, stream=stream))
    found = features.read_grounding(ex.reply.grounding, ex.text)
    assert [s.title for s in found.sources] == ["example.com", "example.org"]
    assert all(s.uri.startswith("https://example.") for s in found.sources)
    assert found.queries == ("who designed the eiffel tower?",)
    assert found.supports and all(s.text and s.text in ex.text and s.sources for s in found.supports)


# ---- structured output -------------------------------------------------------------------------------

SCHEMA = {"type": "object", "properties": {
    "name": {"type": "string"}, "year": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}},
    "kind": {"type": "string", "enum": ["tower", "bridge"]}, "open": {"type": "boolean"}},
    "required": ["name", "year", "tags", "kind", "open"]}


@pytest.mark.parametrize("route,field,stream", [
    (Route.GEMINI, "responseJsonSchema", False), (Route.GEMINI, "responseSchema", True),
    (Route.OPENAI, None, False), (Route.OPENAI, None, True)])
def test_schema_shaped_json_is_validated(client, route, field, stream):
    base = gemini("A landmark") if route is Route.GEMINI else openai("A landmark")
    given = SCHEMA if field != "responseSchema" else {**SCHEMA, "type": "OBJECT"}
    body = features.set_schema(route, base, given, field=field)
    call = Call(route, FLASH, body, stream=stream)
    ex = client.send(call)
    request = schema.requested(route, call.body)
    assert request.json and request.schema == given
    verdict = schema.verdict(ex.text, request)
    assert verdict.valid, verdict
    assert set(verdict.value) == set(SCHEMA["properties"])


def test_a_reply_that_breaks_the_schema_is_caught(client):
    strict = {"type": "object", "properties": {"code": {"type": "string", "maxLength": 3}}, "required": ["code"]}
    call = Call(Route.GEMINI, FLASH, features.set_schema(Route.GEMINI, gemini("code?"), strict))
    verdict = schema.verdict(client.send(call).text, schema.requested(Route.GEMINI, call.body))
    assert verdict.parsed and not verdict.valid and verdict.violations[0].path == "$.code"


# ---- safety ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("stream", [False, True])
def test_a_blocked_prompt_is_surfaced_with_its_ratings(client, emulator, stream):
    body = features.set_safety(gemini("please BLOCKME"), "HARM_CATEGORY_DANGEROUS_CONTENT", "BLOCK_LOW_AND_ABOVE")
    ex = client.send(Call(Route.GEMINI, FLASH, body, stream=stream))
    assert last_body(emulator)["safetySettings"] == [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                                                 "threshold": "BLOCK_LOW_AND_ABOVE"}]
    assert ex.text == "" and ex.reply.finish_reason == "safety"
    assert ex.reply.prompt_feedback["blockReason"] == "SAFETY"
    assert any(r.get("blocked") for r in ex.reply.prompt_feedback["safetyRatings"])


def test_openai_route_content_filter(client):
    ex = client.send(Call(Route.OPENAI, FLASH, openai("please BLOCKME")))
    assert ex.reply.finish_reason == "safety" and ex.reply.raw_finish_reason == "content_filter"


# ---- function calling ----------------------------------------------------------------------------------------

WEATHER = features.Function("get_weather", "The weather now",
                            {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})


@pytest.mark.parametrize("route", list(Route))
@pytest.mark.parametrize("stream", [False, True])
def test_function_call_parsed_answered_and_continued(client, emulator, route, stream):
    base = gemini("Weather in Oslo?") if route is Route.GEMINI else openai("Weather in Oslo?")
    body = features.set_calling_mode(route, features.add_function(route, base, WEATHER),
                                     "ANY" if route is Route.GEMINI else "required")
    first = client.send(Call(route, FLASH, body, stream=stream))
    [call] = first.reply.function_calls
    assert call.name == "get_weather" and isinstance(call.args.get("city"), str)
    assert first.reply.finish_reason in ("tool_calls", "stop")
    answered = features.answer_calls(route, body, first.reply, [features.response_value('{"temp": 21}')])
    second = client.send(Call(route, FLASH, answered, stream=stream))
    assert second.ok and 'got the result of get_weather: {"temp": 21}' in second.text
    sent = last_body(emulator)
    if route is Route.GEMINI:
        assert sent["contents"][1]["parts"] == [{"functionCall": {"name": "get_weather", "args": call.args}}]
        assert sent["contents"][2] == {"role": "user", "parts": [
            {"functionResponse": {"name": "get_weather", "response": {"temp": 21}}}]}
    else:
        assert sent["messages"][-1]["tool_call_id"] == sent["messages"][-2]["tool_calls"][0]["id"] == call.id


# ---- countTokens -----------------------------------------------------------------------------------------------

def test_count_tokens_covers_text_system_media_and_tools(client, emulator):
    plain = client.count_tokens(Call(Route.GEMINI, FLASH, gemini("one two three")))
    assert plain == 3
    with_image = features.attach(Route.GEMINI, gemini("one two three"), features.media_part(Route.GEMINI, CAT))
    assert client.count_tokens(Call(Route.GEMINI, FLASH, with_image, attachments=(CAT,))) == plain + 258
    assert CAT.base64() in str(last_body(emulator))  # the placeholder was resolved before counting
    tooled = features.add_function(Route.GEMINI, gemini("one two three", systemInstruction={
        "parts": [{"text": "be brief"}]}), WEATHER)
    assert client.count_tokens(Call(Route.GEMINI, FLASH, tooled)) > plain
    assert "generateContentRequest" in last_body(emulator)
