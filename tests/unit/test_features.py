"""The feature functions over a body (comet.body.features), the schema checker (comet.body.schema) and
drafts with attachments: pure and fast."""

from __future__ import annotations

import copy
import json

import pytest
from snippet_golden import CAT

from comet import Route
from comet.body import features, schema
from comet.body.features import FormConflict
from comet.core.call import Attachment, Call, attachment_names, wire_body
from comet.core.exchange import FunctionCall, Reply
from comet.store.drafts import Drafts

G = Route.GEMINI
O = Route.OPENAI
BASE = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "x-unknown": {"a_b": [1]}}


# ---- thinking ---------------------------------------------------------------------------------

def test_thinking_specs_come_from_the_catalog_by_model_family():
    assert features.thinking_spec("gemini-2.5-pro").can_disable is False
    assert features.thinking_spec("models/gemini-2.5-flash-lite-preview-09-2025").min == 512
    assert features.thinking_spec("gemini-3-pro-preview").levels == ("LOW", "HIGH")
    assert features.thinking_spec("gemini-3.1-pro-preview").kind == "level"
    assert features.thinking_spec("fault-slow").kind == "budget"
    assert features.thinking_spec("gpt-5.1") is None and features.thinking_spec("my-model") is None


@pytest.mark.parametrize("mode,current,model,expected", [
    ("dynamic", None, "gemini-2.5-flash", -1), ("off", 512, "gemini-2.5-flash", 0),
    ("custom", 4096, "gemini-2.5-flash", 4096), ("custom", -1, "gemini-2.5-flash-lite", 1024),
    ("custom", None, "gemini-2.5-pro", 1024), ("custom", 0, "unknown-model", 1024), (None, 99, "x", None)])
def test_budget_for_each_mode(mode, current, model, expected):
    assert features.budget_for_mode(mode, current, features.thinking_spec(model)) == expected


def test_thinking_problems_name_the_range_and_the_fix():
    def found(model, config):
        return features.problems(G, model, {**BASE, "generationConfig": {"thinkingConfig": config}})
    assert not found("gemini-2.5-flash", {"thinkingBudget": 0})
    assert not found("gemini-2.5-flash", {"thinkingBudget": -1})
    [p] = found("gemini-2.5-pro", {"thinkingBudget": 0})
    assert "cannot turn thinking off" in p.message and "128 to 32768" in p.fix
    [p] = found("gemini-2.5-flash-lite", {"thinking_budget": 100})  # snake_case read too
    assert p.path == "$.generationConfig.thinkingConfig.thinking_budget" and "0 (off), or 512" in p.fix
    [p] = found("gemini-2.5-flash", {"thinkingLevel": "LOW"})
    assert "takes a thinking budget" in p.message
    [p] = found("gemini-3-pro-preview", {"thinkingLevel": "minimal"})
    assert "LOW, HIGH" in p.fix
    assert not found("gemini-3-pro-preview", {"thinkingLevel": "low"})
    assert not found("some-new-model", {"thinkingBudget": 123456})  # unknown range: not guessed


# ---- grounding -------------------------------------------------------------------------------------

def test_search_switch_adds_and_removes_only_its_own_tool():
    body = {**BASE, "tools": [{"codeExecution": {}}]}
    on = features.set_search(G, body, True)
    assert on["tools"] == [{"codeExecution": {}}, {"googleSearch": {}}] and on["x-unknown"] == BASE["x-unknown"]
    assert features.has_search(G, on) and not features.has_search(G, body)
    assert features.set_search(G, on, False) == body
    assert "tools" not in features.set_search(G, features.set_search(G, BASE, True), False)
    snake = {**BASE, "tools": [{"google_search": {}, "codeExecution": {}}]}
    assert features.has_search(G, snake)
    assert features.set_search(G, snake, False)["tools"] == [{"codeExecution": {}}]
    with pytest.raises(FormConflict):
        features.set_search(O, {"messages": []}, True)


def test_grounding_is_read_with_byte_offsets():
    answer = "Café au lait. Tea is good."
    start = len("Café au lait. ".encode())
    meta = {"webSearchQueries": ["coffee"],
            "groundingChunks": [{"web": {"uri": "https://a.example", "title": "A"}}, {"retrievedContext": {"uri": "gs://b"}}],
            "groundingSupports": [{"segment": {"startIndex": 0, "endIndex": len("Café au lait.".encode()),
                                               "text": "Café au lait."}, "groundingChunkIndices": [0, 1],
                                   "confidenceScores": [0.9, 0.5]},
                                  {"segment": {"startIndex": start, "endIndex": len(answer.encode())},
                                   "groundingChunkIndices": [1]}]}
    found = features.read_grounding(meta, answer)
    assert found.queries == ("coffee",)
    assert [(s.number, s.title, s.uri) for s in found.sources] == [(1, "A", "https://a.example"), (2, "gs://b", "gs://b")]
    assert [(s.text, s.sources) for s in found.supports] == [("Café au lait.", (1, 2)), ("Tea is good.", (2,))]
    assert features.read_grounding(None) is None


# ---- safety ------------------------------------------------------------------------------------------

def test_safety_settings_per_category():
    body = features.set_safety(BASE, "HARM_CATEGORY_HARASSMENT", "BLOCK_NONE")
    body = features.set_safety(body, "HARM_CATEGORY_HATE_SPEECH", "BLOCK_ONLY_HIGH")
    body = features.set_safety(body, "HARM_CATEGORY_HARASSMENT", "OFF")
    assert body["safetySettings"] == [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "OFF"},
                                      {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_ONLY_HIGH"}]
    assert features.safety(body) == {"HARM_CATEGORY_HARASSMENT": "OFF", "HARM_CATEGORY_HATE_SPEECH": "BLOCK_ONLY_HIGH"}
    for category in features.safety(body):
        body = features.set_safety(body, category, None)
    assert body == BASE
    snake = features.set_safety({**BASE, "safety_settings": []}, "HARM_CATEGORY_HARASSMENT", "OFF")
    assert "safetySettings" not in snake and snake["safety_settings"][0]["threshold"] == "OFF"


# ---- structured output ----------------------------------------------------------------------------

OBJ = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}


def test_schema_on_both_routes_and_both_gemini_fields():
    g = features.set_schema(G, BASE, OBJ)
    assert g["generationConfig"] == {"responseJsonSchema": OBJ, "responseMimeType": "application/json"}
    moved = features.set_schema(G, g, OBJ, field="responseSchema")
    assert moved["generationConfig"] == {"responseMimeType": "application/json", "responseSchema": OBJ}
    assert features.schema_of(G, moved) == ("responseSchema", OBJ)
    cleared = features.set_schema(G, moved, None)
    assert cleared["generationConfig"] == {"responseMimeType": "application/json"}  # the JSON switch stays
    enum = features.set_schema(G, {**BASE, "generationConfig": {"responseMimeType": "text/x.enum"}}, {"enum": ["a"]})
    assert enum["generationConfig"]["responseMimeType"] == "text/x.enum"  # not overridden
    snake = features.set_schema(G, {**BASE, "generation_config": {"max_output_tokens": 5}}, OBJ)
    assert snake["generation_config"] == {"max_output_tokens": 5, "response_json_schema": OBJ,
                                          "response_mime_type": "application/json"}
    o = features.set_schema(O, {"messages": []}, OBJ)
    assert o["response_format"] == {"type": "json_schema", "json_schema": {"name": "reply", "schema": OBJ}}
    assert features.set_schema_name(o, "city")["response_format"]["json_schema"]["name"] == "city"
    assert features.set_schema(O, o, None)["response_format"] == {"type": "json_object"}


def test_schema_problems():
    both = {**BASE, "generationConfig": {"responseSchema": OBJ, "responseJsonSchema": OBJ,
                                         "responseMimeType": "application/json"}}
    assert "cannot both be set" in features.problems(G, "gemini-2.5-flash", both)[0].message
    no_mime = {**BASE, "generationConfig": {"responseSchema": OBJ}}
    assert "turn JSON output on" in features.problems(G, "gemini-2.5-flash", no_mime)[0].fix
    bad_name = {"messages": [], "response_format": {"type": "json_schema", "json_schema": {"name": "a b", "schema": OBJ}}}
    assert "json_schema.name" in features.problems(O, "x", bad_name)[0].path


@pytest.mark.parametrize("value,given,expected", [
    ({"a": "x"}, OBJ, []),
    ({}, OBJ, ["$: missing required property 'a'"]),
    ({"a": 1}, OBJ, ["$.a: expected string, got integer 1"]),
    ({"a": "x", "b": 1}, {**OBJ, "additionalProperties": False}, ["$.b: property 'b' is not allowed by the schema"]),
    ([1, "2"], {"type": "ARRAY", "items": {"type": "INTEGER"}, "maxItems": 1},
     ["$: 2 items, more than maxItems 1", '$[1]: expected integer, got string "2"']),
    (None, {"type": "STRING", "nullable": True}, []),
    (2.0, {"type": "integer", "minimum": 3}, ["$: 2.0 is less than minimum 3"]),
    ("b", {"enum": ["a", "c"]}, ['$: "b" is not one of "a", "c"']),
    ("x", {"type": ["string", "null"], "pattern": "^[0-9]+$"}, ["$: \"x\" does not match the pattern '^[0-9]+$'"]),
    ({"p": {"n": "x"}}, {"$defs": {"P": {"type": "object", "properties": {"n": {"type": "number"}}}},
                         "properties": {"p": {"$ref": "#/$defs/P"}}}, ['$.p.n: expected number, got string "x"']),
    (3, {"anyOf": [{"type": "string"}, {"type": "boolean"}]},
     ["$: fits none of the anyOf options (first: expected string, got integer 3)"]),
    (True, {"type": "integer"}, ["$: expected integer, got boolean true"]),
    ({"a b": 1}, {"properties": {"a b": {"type": "string"}}}, ['$["a b"]: expected string, got integer 1']),
])
def test_schema_checker(value, given, expected):
    assert [str(v) for v in schema.check(value, given)] == expected


def test_verdict_on_a_reply():
    request = schema.requested(G, features.set_schema(G, BASE, OBJ))
    assert request.json and request.field == "responseJsonSchema"
    assert schema.verdict('{"a": "x"}', request).valid
    assert schema.verdict('```json\n{"a": "x"}\n```', request).valid  # a fenced reply is read too
    broken = schema.verdict('{"a": ', request)
    assert not broken.parsed and "line 1" in broken.error
    assert not schema.requested(G, BASE).json
    assert schema.requested(O, {"response_format": {"type": "json_object"}}) == schema.Request(True)


# ---- function declarations ----------------------------------------------------------------------------

FN = features.Function("get_weather", "Weather now", {"type": "object", "properties": {"city": {"type": "string"}}})


def test_functions_on_both_routes():
    g = features.add_function(G, {**BASE, "tools": [{"googleSearch": {}}]}, FN)
    assert g["tools"][1] == {"functionDeclarations": [
        {"name": "get_weather", "description": "Weather now", "parametersJsonSchema": FN.parameters}]}
    assert features.functions(G, g) == [FN]
    g2 = features.set_function(G, g, 0, name="weather", description="", parameters=None)
    assert g2["tools"][1] == {"functionDeclarations": [{"name": "weather"}]}
    assert features.remove_function(G, g2, 0)["tools"] == [{"googleSearch": {}}]
    o = features.add_function(O, {"messages": []}, FN)
    assert o["tools"] == [{"type": "function", "function": {
        "name": "get_weather", "description": "Weather now", "parameters": FN.parameters}}]
    assert "tools" not in features.remove_function(O, o, 0)
    mode = features.set_calling_mode(G, g, "ANY")
    assert mode["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}} and features.calling_mode(G, mode) == "ANY"
    assert "toolConfig" not in features.set_calling_mode(G, mode, None)
    assert features.set_calling_mode(O, o, "none")["tool_choice"] == "none"
    bad = features.set_function(G, g, 0, name="1 bad")
    assert "not valid" in features.problems(G, "gemini-2.5-flash", bad)[0].message


def test_naming_the_functions_the_model_may_call():
    other = features.Function("get_time", "Time now")
    g = features.add_function(G, features.add_function(G, BASE, FN), other)
    only = features.set_allowed_functions(G, g, ["get_weather"])
    assert only["toolConfig"] == {"functionCallingConfig": {"allowedFunctionNames": ["get_weather"], "mode": "ANY"}}
    assert features.allowed_functions(G, only) == ["get_weather"] and features.calling_mode(G, only) == "ANY"
    validated = features.set_allowed_functions(G, features.set_calling_mode(G, g, "VALIDATED"), ["get_time"])
    assert validated["toolConfig"]["functionCallingConfig"] == {"mode": "VALIDATED", "allowedFunctionNames": ["get_time"]}
    auto = features.set_calling_mode(G, only, "AUTO")  # the names are kept, and the editor says why it won't do
    assert features.allowed_functions(G, auto) == ["get_weather"]
    assert any("only with mode ANY" in p.message for p in features.problems(G, "gemini-2.5-flash", auto))
    assert features.set_allowed_functions(G, only, [])["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    ghost = features.set_allowed_functions(G, g, ["nope"])
    assert any("'nope', which is not declared" in p.message for p in features.problems(G, "gemini-2.5-flash", ghost))
    assert not features.problems(G, "gemini-2.5-flash", only)

    o = features.add_function(O, features.add_function(O, {"messages": []}, FN), other)
    one = features.set_allowed_functions(O, o, ["get_weather"])
    assert one["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert features.calling_mode(O, one) == "required" and features.allowed_functions(O, one) == ["get_weather"]
    two = features.set_allowed_functions(O, one, ["get_weather", "get_time"])
    assert two["tool_choice"] == {"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [
        {"type": "function", "function": {"name": "get_weather"}}, {"type": "function", "function": {"name": "get_time"}}]}}
    auto_two = features.set_calling_mode(O, two, "auto")
    assert auto_two["tool_choice"]["allowed_tools"]["mode"] == "auto"
    assert features.allowed_functions(O, auto_two) == ["get_weather", "get_time"]
    assert features.set_allowed_functions(O, auto_two, [])["tool_choice"] == "auto"
    assert features.set_calling_mode(O, one, "none")["tool_choice"] == "none"
    assert "tool_choice" not in features.set_allowed_functions(O, o, [])


def test_answering_calls_keeps_the_thought_signature():
    raw = [{"candidates": [{"content": {"parts": [{"text": "thinking", "thought": True}]}}]},
           {"candidates": [{"content": {"parts": [{"text": "Let me "}, {"text": "check."}]}}]},
           {"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": {"x": 1}},
                                                   "thoughtSignature": "c2ln"}]}}]}]
    reply = Reply(text="Let me check.", function_calls=(FunctionCall("f", {"x": 1}),), raw=raw)
    out = features.answer_calls(G, BASE, reply, [features.response_value("done")])
    assert out["contents"][1] == {"role": "model", "parts": [
        {"text": "Let me check."}, {"functionCall": {"name": "f", "args": {"x": 1}}, "thoughtSignature": "c2ln"}]}
    assert out["contents"][2] == {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {"output": "done"}}}]}
    o = features.answer_calls(O, {"messages": [{"role": "user", "content": "q"}]},
                              Reply(function_calls=(FunctionCall("f", {"x": 1}, "call_9"),)), [{"ok": True}])
    assert o["messages"][1:] == [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_9", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}]},
        {"role": "tool", "tool_call_id": "call_9", "content": '{"ok": true}'}]
    assert features.response_value("[1, 2]") == {"output": [1, 2]}


# ---- turns -----------------------------------------------------------------------------------------------

CONV = {"contents": [{"role": "user", "parts": [{"text": "a"}]}, {"role": "model", "parts": [{"text": "b"}]},
                     {"role": "user", "parts": [{"text": "prompt"}]}]}


def test_turns_before_the_prompt_can_be_edited_moved_removed_and_added():
    assert [(t.index, t.role, t.text) for t in features.turns(G, CONV)] == [(0, "user", "a"), (1, "model", "b")]
    moved = features.move_turn(G, CONV, 1, -1)
    assert [t["parts"][0]["text"] for t in moved["contents"]] == ["b", "a", "prompt"]
    assert features.move_turn(G, CONV, 1, 1) == CONV  # never past the prompt
    added = features.add_turn(G, CONV)
    assert added["contents"][2] == {"role": "user", "parts": [{"text": ""}]}  # after a model turn: user
    edited = features.set_turn(G, added, 2, role="model", text="c")
    assert edited["contents"][2] == {"role": "model", "parts": [{"text": "c"}]}
    assert [t["parts"][0]["text"] for t in features.remove_turn(G, CONV, 0)["contents"]] == ["b", "prompt"]
    with pytest.raises(FormConflict):
        features.set_turn(G, CONV, 0, role="assistant")
    o = {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "a"},
                      {"role": "assistant", "content": None, "tool_calls": [{"id": "1", "function": {"name": "f"}}]},
                      {"role": "tool", "tool_call_id": "1", "content": "{}"}, {"role": "user", "content": "q"}]}
    views = features.turns(O, o)
    assert [(v.index, v.role, v.editable) for v in views] == [(1, "user", True), (2, "assistant", False), (3, "tool", False)]
    assert "calls f" in views[1].note
    assert features.move_turn(O, o, 1, -1) == o  # not above the system message
    assert features.add_turn(O, o)["messages"][4] == {"role": "assistant", "content": ""}


# ---- media -------------------------------------------------------------------------------------------------

def test_media_parts_placeholders_and_detach():
    body = features.attach(G, BASE, features.media_part(G, CAT))
    assert body["contents"][0]["parts"][1] == {"inlineData": {"mimeType": "image/png", "data": CAT.token}}
    assert attachment_names(body) == ["cat.png"]
    assert wire_body(Call(G, "m", body, attachments=(CAT,)))["contents"][0]["parts"][1]["inlineData"]["data"] == CAT.base64()
    assert features.detach(G, body, "cat.png") == BASE
    o = features.attach(O, {"messages": [{"role": "user", "content": "look"}]}, features.media_part(O, CAT))
    assert o["messages"][0]["content"] == [{"type": "text", "text": "look"},
                                           {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{CAT.token}"}}]
    assert features.detach(O, o, "cat.png") == {"messages": [{"role": "user", "content": "look"}]}
    url = features.attach(G, BASE, features.url_part(G, "https://x.example/a.png?s=1"))
    assert features.urls(G, url) == ["https://x.example/a.png?s=1"]
    assert features.remove_url(G, url, "https://x.example/a.png?s=1") == BASE
    with pytest.raises(FormConflict, match="only images by URL"):
        features.url_part(O, "https://x.example/a.pdf")
    with pytest.raises(FormConflict, match="pick it"):
        features.url_part(G, "https://x.example/file")


def test_uploads_are_checked_by_content_and_size():
    assert features.check_upload("cat.png", CAT.data, "image/png") == ("image/png", None)
    assert features.check_upload("renamed.jpg", CAT.data, "image/jpeg")[0] == "image/png"  # content wins
    mime, why = features.check_upload("x.bmp", b"BM\x00\x00", "image/bmp")
    assert mime is None and "x.bmp is image/bmp" in why
    assert features.sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    held = [Attachment("big.png", "image/png", bytes(14_000_000))]
    mime, why = features.check_upload("more.png", CAT.data[:8] + bytes(2_000_000), None, held)
    assert mime is None and "over the 20 MB limit" in why
    assert features.unique_name("cat.png", ["cat.png", "cat-2.png"]) == "cat-3.png"
    assert features.unique_name("a <b>.png", []) == "a_b_.png"


def test_drafts_keep_attachments_once():
    drafts = Drafts(":memory:")
    pdf = Attachment("doc.pdf", "application/pdf", b"%PDF-1.4")
    drafts.save("a", {"route": "gemini"}, [CAT, pdf])
    drafts.save("b", {"route": "gemini"}, [CAT])
    assert drafts.attachments("a") == [CAT, pdf] and drafts.attachments("b") == [CAT]
    assert drafts._db.execute("SELECT COUNT(*) FROM blob").fetchone() == (2,)
    drafts.save("a", {"route": "openai"})  # no attachments given: the files stay
    assert drafts.attachments("a") == [CAT, pdf]
    drafts.delete("a")
    assert drafts._db.execute("SELECT COUNT(*) FROM blob").fetchone() == (1,)


def test_inputs_are_never_changed():
    frozen = copy.deepcopy(CONV)
    for change in (lambda b: features.set_search(G, b, True), lambda b: features.set_safety(b, "X", "OFF"),
                   lambda b: features.set_schema(G, b, OBJ), lambda b: features.add_function(G, b, FN),
                   lambda b: features.add_turn(G, b), lambda b: features.attach(G, b, {"text": "x"})):
        change(CONV)
    assert CONV == frozen and json.dumps(CONV) == json.dumps(frozen)
