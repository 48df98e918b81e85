"""Route translation: every mapped field both ways, honest reports, and lossless round trips."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from comet.body.convert import APPROXIMATED, DROPPED, MAPPED, convert, detect_route, restore, split_path
from comet.core.call import Route

ROOT = Path(__file__).resolve().parents[2]


def user(text: str) -> dict:
    return {"role": "user", "parts": [{"text": text}]}


def gemini(**extra) -> dict:
    return {"contents": [user("hi")], **extra}


def openai(**extra) -> dict:
    return {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}], **extra}


def row(conv, field):
    rows = [r for r in conv.report if r.field == field]
    assert rows, f"{field} missing from the report: {[r.field for r in conv.report]}"
    return rows[0]


def round_trip(body: dict, to: str, model: str = "gemini-2.5-flash") -> dict:
    there = convert(body, to, model=model)
    back = convert(there.body, "gemini" if to == "openai" else "openai", model=model)
    return restore(back.body, there.leftover)


# A Gemini body using every field the converter knows (the SDK capture of Appendix A, extended).
FULL_GEMINI = {
    "contents": [
        {"role": "user", "parts": [{"text": "What is in this?"},
                                   {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}},
                                   {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
                                   {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/cat"}},
                                   {"inlineData": {"mimeType": "video/mp4", "data": "AAAA"}}]},
        {"role": "model", "parts": [{"text": "pondering", "thought": True},
                                    {"text": "Let me look it up."},
                                    {"functionCall": {"name": "lookup", "args": {"q": "cat"}},
                                     "thoughtSignature": "c2ln"}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "lookup", "response": {"output": "a cat"}}}]},
        {"role": "model", "parts": [{"executableCode": {"language": "PYTHON", "code": "print(1)"}}]},
        {"role": "user", "parts": [{"text": "Thanks."}, {"text": "And now?"}]},
    ],
    "systemInstruction": {"parts": [{"text": "be brief"}, {"text": "be kind"}], "role": "user"},
    "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    "tools": [{"googleSearch": {}},
              {"codeExecution": {}, "functionDeclarations": [
                  {"name": "lookup", "description": "search",
                   "parameters": {"type": "OBJECT", "properties": {"q": {"type": "STRING", "nullable": True}},
                                  "required": ["q"], "propertyOrdering": ["q"]}}]}],
    "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["lookup"]}},
    "cachedContent": "cachedContents/abc",
    "generationConfig": {
        "temperature": 0.2, "topP": 0.9, "topK": 40.0, "candidateCount": 1, "stopSequences": ["END"],
        "maxOutputTokens": 50, "presencePenalty": 0.1, "frequencyPenalty": 0.2, "seed": 7,
        "responseLogprobs": True, "logprobs": 3, "responseMimeType": "application/json",
        "responseSchema": {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}},
        "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 2000},
        "responseModalities": ["TEXT"],
    },
    "labelsUnknownToUs": {"x": 1},
}

FULL_OPENAI = {
    "model": "gemini-2.5-flash",
    "messages": [
        {"role": "developer", "content": "be brief"},
        {"role": "system", "content": [{"type": "text", "text": "be kind"}]},
        {"role": "user", "name": "ann", "content": [
            {"type": "text", "text": "look"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw==", "detail": "high"}},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
            {"type": "file", "file": {"filename": "report.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}},
            {"type": "file", "file": {"file_id": "file-123"}},
            {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_9", "type": "function", "function": {"name": "lookup", "arguments": '{"q":"cat"}'}}]},
        {"role": "tool", "tool_call_id": "call_9", "content": "a cat"},
        {"role": "user", "content": "thanks"},
        {"role": "assistant", "content": "You're welcome.", "refusal": None},
        {"role": "function", "name": "old", "content": "legacy"},
        {"role": "user", "content": [{"type": "text", "text": "one part"}]},
    ],
    "temperature": 0.3, "top_p": 0.8, "n": 2, "seed": 1, "presence_penalty": 0.5, "frequency_penalty": 0.4,
    "max_tokens": 64, "stop": "STOP", "logprobs": True, "top_logprobs": 2,
    "reasoning_effort": "xhigh",
    "response_format": {"type": "json_schema", "json_schema": {"name": "r", "strict": True,
                                                               "schema": {"type": "object"}}},
    "tools": [{"type": "function", "function": {"name": "lookup", "description": "search",
                                                "parameters": {"type": "object"}, "strict": True}},
              {"type": "custom", "custom": {"name": "grammar"}}],
    "tool_choice": "required",
    "stream": True, "stream_options": {"include_usage": True},
    "logit_bias": {"50256": -100}, "user": "u-1", "metadata": {"k": "v"}, "store": False,
    "parallel_tool_calls": False, "service_tier": "auto",
    "extra_body": {"google": {"thinking_config": {"include_thoughts": True}}},
    "a_field_nobody_knows": 1,
}


# ---- single fields, both ways --------------------------------------------------------------------

SAMPLING = [("temperature", "temperature", 0.7), ("topP", "top_p", 0.5),
            ("maxOutputTokens", "max_completion_tokens", 100), ("candidateCount", "n", 2),
            ("seed", "seed", 42), ("presencePenalty", "presence_penalty", 0.3),
            ("frequencyPenalty", "frequency_penalty", -0.3), ("stopSequences", "stop", ["END", "STOP"]),
            ("responseLogprobs", "logprobs", True), ("logprobs", "top_logprobs", 4)]


@pytest.mark.parametrize("g_key, o_key, value", SAMPLING)
def test_sampling_fields_map_both_ways(g_key, o_key, value):
    there = convert(gemini(generationConfig={g_key: value}), Route.OPENAI, model="m")
    assert there.body[o_key] == value
    assert row(there, f"$.generationConfig.{g_key}").status == MAPPED
    back = convert(openai(**{o_key: value}), Route.GEMINI)
    assert back.body["generationConfig"] == {g_key: value}
    assert row(back, f"$.{o_key}").status == MAPPED
    assert back.leftover == {}


def test_max_tokens_is_read_and_max_completion_tokens_wins():
    conv = convert(openai(max_tokens=10), "gemini")
    assert conv.body["generationConfig"]["maxOutputTokens"] == 10
    assert row(conv, "$.max_tokens").status == APPROXIMATED
    both = convert(openai(max_tokens=10, max_completion_tokens=20), "gemini")
    assert both.body["generationConfig"]["maxOutputTokens"] == 20
    assert row(both, "$.max_tokens").status == DROPPED


def test_a_single_stop_string_becomes_a_list():
    conv = convert(openai(stop="END"), "gemini")
    assert conv.body["generationConfig"]["stopSequences"] == ["END"]
    assert row(conv, "$.stop").status == APPROXIMATED


def test_turns_and_roles_both_ways():
    body = {"contents": [user("q1"), {"role": "model", "parts": [{"text": "a1"}]}, user("q2")],
            "systemInstruction": {"parts": [{"text": "sys"}]}}
    conv = convert(body, "openai", model="gemini-2.5-flash")
    assert conv.body["messages"] == [
        {"role": "system", "content": "sys"}, {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"}, {"role": "user", "content": "q2"}]
    assert conv.body["model"] == "gemini-2.5-flash"
    assert row(conv, "$.contents[1]").target == "$.messages[2]"
    back = convert(conv.body, "gemini")
    assert back.body == body


def test_developer_messages_become_the_system_instruction():
    conv = convert({"messages": [{"role": "developer", "content": "rules"},
                                 {"role": "system", "content": "more"},
                                 {"role": "user", "content": "hi"}]}, "gemini")
    assert conv.body["systemInstruction"] == {"parts": [{"text": "rules"}, {"text": "more"}]}
    assert row(conv, "$.messages[0].role").status == APPROXIMATED


def test_multi_part_text_keeps_its_parts():
    conv = convert({"contents": [{"role": "user", "parts": [{"text": "a"}, {"text": "b"}]}]}, "openai")
    assert conv.body["messages"][0]["content"] == [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
    assert convert(conv.body, "gemini").body["contents"][0]["parts"] == [{"text": "a"}, {"text": "b"}]


@pytest.mark.parametrize("budget, effort, status", [
    (0, "none", MAPPED), (1024, "low", MAPPED), (512, "low", APPROXIMATED), (2000, "medium", APPROXIMATED),
    (8192, "medium", MAPPED), (24576, "high", MAPPED), (30000, "high", APPROXIMATED)])
def test_thinking_budget_to_reasoning_effort(budget, effort, status):
    conv = convert(gemini(generationConfig={"thinkingConfig": {"thinkingBudget": budget}}), "openai",
                   model="gemini-2.5-flash")
    assert conv.body["reasoning_effort"] == effort
    assert row(conv, "$.generationConfig.thinkingConfig.thinkingBudget").status == status


def test_dynamic_budget_and_include_thoughts_are_dropped_with_why():
    conv = convert(gemini(generationConfig={"thinkingConfig": {"thinkingBudget": -1, "includeThoughts": True}}),
                   "openai")
    assert "reasoning_effort" not in conv.body
    assert "dynamic" in row(conv, "$.generationConfig.thinkingConfig.thinkingBudget").note
    dropped = row(conv, "$.generationConfig.thinkingConfig.includeThoughts")
    assert dropped.status == DROPPED and "thought summaries" in dropped.note


@pytest.mark.parametrize("level", ["MINIMAL", "LOW", "MEDIUM", "HIGH"])
def test_thinking_level_both_ways_on_gemini_3(level):
    model = "gemini-3-flash-preview"
    conv = convert(gemini(generationConfig={"thinkingConfig": {"thinkingLevel": level}}), "openai", model=model)
    assert conv.body["reasoning_effort"] == level.lower()
    assert row(conv, "$.generationConfig.thinkingConfig.thinkingLevel").status == MAPPED
    back = convert(conv.body, "gemini")
    assert back.body["generationConfig"] == {"thinkingConfig": {"thinkingLevel": level}}


@pytest.mark.parametrize("effort, budget, status", [
    ("none", 0, MAPPED), ("low", 1024, MAPPED), ("medium", 8192, MAPPED), ("high", 24576, MAPPED),
    ("minimal", 1024, APPROXIMATED), ("xhigh", 24576, APPROXIMATED)])
def test_reasoning_effort_to_thinking_budget(effort, budget, status):
    conv = convert(openai(reasoning_effort=effort), "gemini")
    assert conv.body["generationConfig"]["thinkingConfig"] == {"thinkingBudget": budget}
    assert row(conv, "$.reasoning_effort").status == status


def test_reasoning_none_on_gemini_3_says_why():
    conv = convert(openai(model="gemini-3-pro-preview", reasoning_effort="none"), "gemini")
    assert conv.body["generationConfig"]["thinkingConfig"] == {"thinkingLevel": "MINIMAL"}
    assert "cannot turn thinking off" in row(conv, "$.reasoning_effort").note


def test_json_object_and_json_schema_both_ways():
    conv = convert(gemini(generationConfig={"responseMimeType": "application/json"}), "openai")
    assert conv.body["response_format"] == {"type": "json_object"}
    assert convert(openai(response_format={"type": "json_object"}), "gemini").body["generationConfig"] == {
        "responseMimeType": "application/json"}
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    conv = convert(gemini(generationConfig={"responseMimeType": "application/json",
                                            "responseJsonSchema": schema}), "openai")
    assert conv.body["response_format"] == {"type": "json_schema",
                                            "json_schema": {"name": "response", "schema": schema}}
    back = convert(conv.body, "gemini")
    assert back.body["generationConfig"] == {"responseMimeType": "application/json", "responseJsonSchema": schema}
    assert row(back, "$.response_format.json_schema.name").status == DROPPED


def test_gemini_schema_is_rewritten_as_json_schema():
    schema = {"type": "OBJECT", "properties": {"tags": {"type": "ARRAY", "items": {"type": "STRING"}},
                                               "n": {"type": "INTEGER", "nullable": True}},
              "propertyOrdering": ["tags", "n"], "required": ["tags"]}
    conv = convert(gemini(generationConfig={"responseMimeType": "application/json", "responseSchema": schema}),
                   "openai")
    assert conv.body["response_format"]["json_schema"]["schema"] == {
        "type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}},
                                         "n": {"type": ["integer", "null"]}}, "required": ["tags"]}
    report = row(conv, "$.generationConfig.responseSchema")
    assert report.status == APPROXIMATED and "propertyOrdering" in report.note and "nullable" in report.note


def test_text_plain_and_enum_output():
    assert convert(gemini(generationConfig={"responseMimeType": "text/plain"}), "openai").body[
        "response_format"] == {"type": "text"}
    conv = convert(gemini(generationConfig={"responseMimeType": "text/x.enum",
                                            "responseSchema": {"type": "STRING", "enum": ["a"]}}), "openai")
    assert "response_format" not in conv.body
    assert row(conv, "$.generationConfig.responseMimeType").status == DROPPED
    assert row(conv, "$.generationConfig.responseSchema").status == DROPPED


def test_images_and_pdfs_both_ways():
    body = {"contents": [{"role": "user", "parts": [
        {"text": "see"}, {"inlineData": {"mimeType": "image/webp", "data": "UklGR=="}},
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}}]}]}
    conv = convert(body, "openai")
    assert conv.body["messages"][0]["content"] == [
        {"type": "text", "text": "see"},
        {"type": "image_url", "image_url": {"url": "data:image/webp;base64,UklGR=="}},
        {"type": "file", "file": {"filename": "document.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}}]
    assert row(conv, "$.contents[0].parts[1].inlineData").target == "$.messages[0].content[1]"
    assert convert(conv.body, "gemini").body == body


def test_attachment_tokens_travel_inside_data_urls():
    body = {"contents": [{"role": "user", "parts": [
        {"inlineData": {"mimeType": "image/png", "data": "<attachment:cat.png>"}}]}]}
    conv = convert(body, "openai")
    assert conv.body["messages"][0]["content"][0]["image_url"]["url"] == "data:image/png;base64,<attachment:cat.png>"
    assert convert(conv.body, "gemini").body == body


def test_file_urls_are_approximated_and_other_media_dropped():
    conv = convert({"contents": [{"role": "user", "parts": [
        {"fileData": {"mimeType": "image/png", "fileUri": "https://x.test/a.png"}},
        {"fileData": {"mimeType": "video/mp4", "fileUri": "https://x.test/a.mp4"}},
        {"inlineData": {"mimeType": "video/mp4", "data": "AAAA"}}]}]}, "openai")
    assert conv.body["messages"][0]["content"] == [{"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}]
    assert row(conv, "$.contents[0].parts[0].fileData").status == APPROXIMATED
    assert row(conv, "$.contents[0].parts[1]").status == DROPPED
    assert "video/mp4" in row(conv, "$.contents[0].parts[2]").note
    back = convert({"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "https://x.test/b.jpg"}}]}]}, "gemini")
    assert back.body["contents"][0]["parts"] == [
        {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://x.test/b.jpg"}}]


def test_function_declarations_and_calling_modes_both_ways():
    params = {"type": "object", "properties": {"city": {"type": "string"}}}
    body = gemini(tools=[{"functionDeclarations": [{"name": "weather", "description": "d",
                                                    "parametersJsonSchema": params}]}])
    conv = convert(body, "openai")
    assert conv.body["tools"] == [{"type": "function", "function": {"name": "weather", "description": "d",
                                                                    "parameters": params}}]
    assert convert(conv.body, "gemini").body["tools"] == body["tools"]
    for mode, choice in [("AUTO", "auto"), ("NONE", "none"), ("ANY", "required")]:
        cfg = {"functionCallingConfig": {"mode": mode}}
        assert convert(gemini(toolConfig=cfg), "openai").body["tool_choice"] == choice
        assert convert(openai(tool_choice=choice), "gemini").body["toolConfig"] == cfg
    one = {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["weather"]}}
    assert convert(gemini(toolConfig=one), "openai").body["tool_choice"] == {
        "type": "function", "function": {"name": "weather"}}
    two = {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["a", "b"]}}
    choice = convert(gemini(toolConfig=two), "openai").body["tool_choice"]
    assert choice["type"] == "allowed_tools"
    assert convert(openai(tool_choice=choice), "gemini").body["toolConfig"] == two
    validated = convert(gemini(toolConfig={"functionCallingConfig": {"mode": "VALIDATED"}}), "openai")
    assert validated.body["tool_choice"] == "auto"
    assert row(validated, "$.toolConfig.functionCallingConfig.mode").status == APPROXIMATED


def test_function_call_turns_both_ways():
    body = {"contents": [user("weather?"),
                         {"role": "model", "parts": [{"functionCall": {"name": "weather", "args": {"city": "Oslo"}}}]},
                         {"role": "user", "parts": [{"functionResponse": {"name": "weather",
                                                                          "response": {"temp": 3}}}]}]}
    conv = convert(body, "openai")
    call, answer = conv.body["messages"][1], conv.body["messages"][2]
    assert call["role"] == "assistant" and call["content"] is None
    assert call["tool_calls"][0]["function"] == {"name": "weather", "arguments": '{"city": "Oslo"}'}
    assert answer == {"role": "tool", "tool_call_id": call["tool_calls"][0]["id"], "content": '{"temp": 3}'}
    assert convert(conv.body, "gemini").body == body  # made-up ids do not come back

    ids = {"messages": [{"role": "user", "content": "q"},
                        {"role": "assistant", "content": None, "tool_calls": [
                            {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                        {"role": "tool", "tool_call_id": "call_1", "content": "plain text"}]}
    gem = convert(ids, "gemini").body
    assert gem["contents"][1]["parts"][0]["functionCall"] == {"name": "f", "args": {}, "id": "call_1"}
    assert gem["contents"][2]["parts"][0]["functionResponse"] == {"name": "f", "response": {"output": "plain text"},
                                                                  "id": "call_1"}
    assert convert(gem, "openai").body["messages"] == ids["messages"]


def test_gemini_only_features_are_dropped_with_why():
    conv = convert(FULL_GEMINI, "openai", model="gemini-2.5-flash")
    for field, why in [("$.tools[0].googleSearch", "Google Search"), ("$.safetySettings", "safety"),
                       ("$.tools[1].codeExecution", "code execution"), ("$.cachedContent", "cached"),
                       ("$.generationConfig.topK", "top-k"), ("$.contents[3]", "code execution"),
                       ("$.contents[1].parts[0]", "thought"), ("$.contents[1].parts[2].thoughtSignature", "signature"),
                       ("$.labelsUnknownToUs", "not a Gemini field")]:
        report = row(conv, field)
        assert report.status == DROPPED and why in report.note, report
        assert field in conv.leftover or any(field.startswith(p) for p in conv.leftover)


def test_openai_only_features_are_dropped_with_why():
    conv = convert(FULL_OPENAI, "gemini")
    for field in ["$.logit_bias", "$.stream_options", "$.user", "$.metadata", "$.store", "$.parallel_tool_calls",
                  "$.service_tier", "$.extra_body", "$.a_field_nobody_knows", "$.tools[1]", "$.messages[2].name",
                  "$.messages[2].content[1].image_url.detail", "$.messages[2].content[3].file.filename",
                  "$.messages[2].content[4]", "$.messages[7]", "$.response_format.json_schema.strict"]:
        report = row(conv, field)
        assert report.status == DROPPED and report.note, report
        assert field in conv.leftover


@pytest.mark.parametrize("body, to", [(FULL_GEMINI, "openai"), (FULL_OPENAI, "gemini")])
def test_every_source_field_is_in_the_report(body, to):
    conv = convert(body, to)
    fields = [r.field for r in conv.report]
    for key in body:
        assert any(f == f"$.{key}" or f.startswith((f"$.{key}.", f"$.{key}[")) for f in fields), key
    for path in conv.leftover:  # nothing is kept that the report does not mention
        assert any(path.startswith(f) or f.startswith(path) for f in fields), path


# ---- round trips ---------------------------------------------------------------------------------

def test_full_gemini_body_comes_back_equal():
    assert round_trip(FULL_GEMINI, "openai") == FULL_GEMINI


def test_full_openai_body_comes_back_equal():
    expected = {k: v for k, v in FULL_OPENAI.items() if k != "stream"}  # the Stream switch holds it
    assert round_trip(expected, "gemini") == expected


def test_gemini_3_thinking_and_schema_round_trip():
    body = gemini(generationConfig={"thinkingConfig": {"thinkingLevel": "low", "includeThoughts": True},
                                    "responseMimeType": "application/json",
                                    "responseSchema": {"type": "STRING", "enum": ["a", "b"]}})
    assert round_trip(body, "openai", model="gemini-3-flash-preview") == body
    assert round_trip(body, "openai", model="gemini-2.5-flash") == body


def test_an_edit_on_the_other_route_wins_over_the_leftover():
    body = gemini(generationConfig={"thinkingConfig": {"thinkingBudget": 2000}, "topK": 5})
    there = convert(body, "openai", model="gemini-2.5-flash")
    edited = dict(there.body, reasoning_effort="high")
    back = restore(convert(edited, "gemini").body, there.leftover)
    assert back["generationConfig"] == {"thinkingConfig": {"thinkingBudget": 24576}, "topK": 5}


def test_snake_case_input_is_read():
    sdk = {  # what google-genai 3.6.1 sends (wire-formats Appendix A)
        "contents": [{"parts": [{"text": "hi"}, {"inline_data": {"data": "iVBORw==", "mime_type": "image/png"}}],
                      "role": "user"}],
        "system_instruction": {"parts": [{"text": "be brief"}], "role": "user"},
        "generation_config": {"max_output_tokens": 50, "stop_sequences": ["END"], "top_k": 40.0,
                              "response_mime_type": "application/json",
                              "response_schema": {"properties": {"a": {"type": "STRING"}}, "type": "OBJECT",
                                                  "property_ordering": ["a"]},
                              "thinking_config": {"include_thoughts": True, "thinking_budget": 128}},
        "tools": [{"function_declarations": [{"name": "f", "parameters_json_schema": {"type": "object",
                                                                                      "properties": {"my_arg": {}}}}]}],
        "tool_config": {"function_calling_config": {"mode": "ANY", "allowed_function_names": ["f"]}},
    }
    conv = convert(sdk, "openai")
    assert conv.body["max_completion_tokens"] == 50 and conv.body["stop"] == ["END"]
    assert conv.body["reasoning_effort"] == "low"
    assert conv.body["messages"][0] == {"role": "system", "content": "be brief"}
    assert conv.body["messages"][1]["content"][1]["image_url"]["url"] == "data:image/png;base64,iVBORw=="
    assert conv.body["tools"][0]["function"]["parameters"]["properties"] == {"my_arg": {}}  # user data untouched
    assert conv.body["tool_choice"] == {"type": "function", "function": {"name": "f"}}
    assert conv.body["response_format"]["json_schema"]["schema"] == {"properties": {"a": {"type": "string"}},
                                                                     "type": "object"}
    assert row(conv, "$.generation_config.top_k").status == DROPPED  # named as typed
    back = round_trip(sdk, "openai")
    assert back["generationConfig"]["thinkingConfig"] == {"includeThoughts": True, "thinkingBudget": 128}
    assert back["generationConfig"]["topK"] == 40.0


def test_both_spellings_of_one_field_lose_neither():
    conv = convert(gemini(generationConfig={"max_output_tokens": 5, "maxOutputTokens": 6}), "openai")
    assert conv.body["max_completion_tokens"] == 6
    assert conv.leftover == {"$.generationConfig.max_output_tokens": 5}


def test_same_route_is_unchanged_and_route_is_detected():
    body = gemini(generationConfig={"topK": 3})
    assert convert(body, "gemini").body == body and convert(body, "gemini").report == ()
    assert detect_route(body) is Route.GEMINI
    assert detect_route(openai()) is Route.OPENAI
    assert detect_route({"generation_config": {}}) is Route.GEMINI
    assert detect_route({}) is None
    assert split_path('$.a[0]["b c"].d') == ["a", 0, "b c", "d"]


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
gen_configs = st.fixed_dictionaries({}, optional={
    "temperature": st.floats(0, 2), "topP": st.floats(0, 1), "topK": st.integers(1, 100),
    "maxOutputTokens": st.integers(1, 8192), "seed": st.integers(0, 2**31),
    "stopSequences": st.lists(text, max_size=5), "candidateCount": st.integers(1, 8),
    "thinkingConfig": st.fixed_dictionaries({}, optional={"thinkingBudget": st.integers(-1, 30000),
                                                          "includeThoughts": st.booleans()}),
})
gemini_bodies = st.fixed_dictionaries(
    {"contents": st.lists(st.builds(lambda role, texts: {"role": role, "parts": [{"text": t} for t in texts]},
                                    st.sampled_from(["user", "model"]), st.lists(text, min_size=1, max_size=3)),
                          min_size=1, max_size=4)},
    optional={"systemInstruction": st.builds(lambda t: {"parts": [{"text": t}]}, text),
              "generationConfig": gen_configs,
              "safetySettings": st.just([{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "OFF"}])})
openai_bodies = st.fixed_dictionaries(
    {"model": st.just("gemini-2.5-flash"),
     "messages": st.lists(st.builds(lambda role, t: {"role": role, "content": t},
                                    st.sampled_from(["user", "assistant"]), text), min_size=1, max_size=4)},
    optional={"temperature": st.floats(0, 2), "top_p": st.floats(0, 1), "max_tokens": st.integers(1, 999),
              "stop": st.one_of(text, st.lists(text, max_size=4)), "n": st.integers(1, 4),
              "reasoning_effort": st.sampled_from(["none", "minimal", "low", "medium", "high", "xhigh"]),
              "logit_bias": st.just({"1": 1}), "user": text})


@settings(max_examples=60, deadline=None)
@given(gemini_bodies)
def test_any_simple_gemini_body_survives_a_round_trip(body):
    assert round_trip(body, "openai") == body


@settings(max_examples=60, deadline=None)
@given(openai_bodies)
def test_any_simple_openai_body_survives_a_round_trip(body):
    assert round_trip(body, "gemini") == body


json_values = st.recursive(st.none() | st.booleans() | st.integers() | text,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                           max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["contents", "messages", "generationConfig", "tools", "toolConfig",
                                        "systemInstruction", "response_format", "tool_choice", "stop", "x"]),
                       json_values, min_size=1, max_size=4), st.sampled_from(["gemini", "openai"]))
def test_malformed_bodies_never_raise(body, to):
    conv = convert(body, to)
    assert isinstance(conv.body, dict)


# ---- command line --------------------------------------------------------------------------------

def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "comet", "convert", *args], input=stdin, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_cli_converts_a_file(tmp_path):
    path = tmp_path / "body.json"
    path.write_text(json.dumps(gemini(generationConfig={"temperature": 0.5, "topK": 3})))
    out = run_cli("--to", "openai", "--model", "gemini-2.5-flash", "--body", str(path))
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)
    assert printed["body"] == {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}],
                               "temperature": 0.5}
    assert {"field": "$.generationConfig.topK", "status": "dropped", "target": None,
            "note": "Chat Completions has no top-k sampling"} in printed["report"]


def test_cli_reads_stdin_and_rejects_invalid_json():
    out = run_cli("--to", "gemini", "--body", "-", stdin=json.dumps(openai(temperature=1)))
    assert out.returncode == 0 and json.loads(out.stdout)["body"]["generationConfig"] == {"temperature": 1}
    bad = run_cli("--to", "gemini", stdin='{"messages": [')
    assert bad.returncode == 2 and "not valid JSON" in bad.stderr and "line 1" in bad.stderr
    unknown = run_cli("--to", "gemini", stdin='{"x": 1}')
    assert unknown.returncode == 2 and "cannot tell" in unknown.stderr
