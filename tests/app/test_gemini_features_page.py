"""AppTest flows for the Gemini-native features (issue 6), one or two per feature, on a test
emulator reached through the environment only (COMETAPI_BASE_URL, COMETAPI_KEY): set the
controls, check the JSON body, send, check what the reply view shows and what the emulator
received. No patching of client internals."""

from __future__ import annotations

import json

import app_support
import pytest
from app_support import body, no_exception as ok, open_code, texts
from snippet_golden import CAT
from streamlit.testing.v1 import AppTest

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def start(**query) -> AppTest:
    return ok(app_support.start(**query))


def set_json(at: AppTest, value) -> AppTest:
    return ok(app_support.set_json(at, value))


def labels(at: AppTest) -> set[str]:
    return {e.label for e in at.expander}


def last_run(at: AppTest):
    return at.session_state["runs_results"]["pg_result"].value[0]


def send(at: AppTest, prompt: str | None = None) -> AppTest:
    if prompt is not None:
        at.text_area(key="pg_f_prompt").set_value(prompt).run()
    assert not at.button(key="pg_send").disabled, texts(at, "warning")
    return ok(at.button(key="pg_send").click().run())


def tables(at: AppTest) -> list:
    return [t.value for t in at.table]


@pytest.fixture
def emu(make_emulator):
    return make_emulator(ttft_ms=1, chunk_ms=0.5)


@pytest.fixture
def app(emu, monkeypatch):
    """The Playground with its folded sections open, as a person opens them to use them."""
    return ok(app_support.open_sections(app_support.start_on(emu, monkeypatch)))


def generated(emu) -> list:
    """What the emulator received on generateContent / chat completions, in order."""
    return [r for r in emu.received if r.method == "POST" and ("Generate" in r.path or "generate" in r.path
                                                                or r.path.endswith("/chat/completions"))]


def test_the_sections_inject_nothing(app):
    """Every feature control is drawn, and the body is still the one-prompt default."""
    assert body(app) == {"contents": [{"role": "user", "parts": [{"text": ""}]}]}
    assert {"Thinking", "Media", "Structured output", "Function calling", "Safety settings"} <= labels(app)
    assert app.toggle(key="pg_search").value is False


# ---- thinking ---------------------------------------------------------------------------------------

def test_thinking_budget_modes_within_the_models_range(app, emu):
    radio = app.radio(key="pg_think_mode")
    assert radio.options == ["Model default", "Dynamic (-1)", "Off (0)", "Budget"] and radio.value is None
    radio.set_value("custom").run()
    assert body(app)["generationConfig"] == {"thinkingConfig": {"thinkingBudget": 1024}}
    app.number_input(key="pg_f_thinking_budget").set_value(2048).run()
    app.toggle(key="pg_f_include_thoughts").set_value(True).run()
    app.radio(key="pg_think_mode").set_value("dynamic").run()
    assert body(app)["generationConfig"]["thinkingConfig"] == {"thinkingBudget": -1, "includeThoughts": True}
    assert app.number_input(key="pg_f_thinking_budget").value == -1
    send(app, "Think about Paris")
    exchange = last_run(app)
    assert exchange.ok and exchange.thoughts and exchange.reply.usage.thinking_tokens > 0
    [thoughts] = [e for e in app.expander if e.label == "Thoughts"]  # apart from the answer
    assert texts(thoughts, "markdown") == exchange.thoughts and exchange.text not in texts(thoughts, "markdown")
    assert f"{exchange.reply.usage.thinking_tokens:,} thinking tokens" in texts(thoughts, "caption")
    assert exchange.text in texts(app, "markdown")
    assert generated(emu)[-1].json["generationConfig"]["thinkingConfig"] == {"thinkingBudget": -1,
                                                                            "includeThoughts": True}
    app.radio(key="pg_think_mode").set_value(None).run()
    assert "generationConfig" not in body(app) or "thinkingBudget" not in json.dumps(body(app))


def test_a_budget_outside_the_range_is_flagged_before_sending(app):
    app.selectbox(key="pg_model").set_value("gemini-2.5-pro").run()
    assert "Off (0)" not in app.radio(key="pg_think_mode").options  # 2.5 Pro cannot turn thinking off
    app.number_input(key="pg_f_thinking_budget").set_value(50).run()
    warnings = texts(ok(app), "warning")
    assert "thinking budget 50 is outside gemini-2.5-pro's range" in warnings and "128 to 32768" in warnings
    assert app.button(key="pg_send").disabled
    app.number_input(key="pg_f_thinking_budget").set_value(128).run()
    assert not app.button(key="pg_send").disabled


def test_gemini_3_thinking_level(app, emu):
    app.selectbox(key="pg_model").set_value("gemini-3-pro-preview").run()
    level = app.selectbox(key="pg_f_thinking_level")
    assert level.options == ["Model default", "LOW", "HIGH"]  # 3 Pro's levels only
    level.set_value("LOW").run()
    app.toggle(key="pg_f_include_thoughts").set_value(True).run()
    assert body(app)["generationConfig"]["thinkingConfig"] == {"thinkingLevel": "LOW", "includeThoughts": True}
    send(app, "A quick one")
    assert last_run(app).thoughts and generated(emu)[-1].json["generationConfig"]["thinkingConfig"]["thinkingLevel"] == "LOW"


def test_openai_route_reasoning_effort(app, emu):
    app.radio(key="pg_route").set_value("openai").run()
    app.toggle(key="pg_stream").set_value(False).run()  # usage comes back without stream_options
    app.selectbox(key="pg_f_reasoning_effort").set_value("low").run()
    assert body(app)["reasoning_effort"] == "low"
    send(app, "Reason a little")
    assert generated(emu)[-1].json["reasoning_effort"] == "low"
    assert last_run(app).reply.usage.thinking_tokens > 0


# ---- media ------------------------------------------------------------------------------------------

def test_image_upload_is_held_beside_the_body_and_sent_inline(app, emu, tmp_path):
    from comet.store.history import History

    ok(app.file_uploader[0].set_value(("cat.png", CAT.data, "image/png")).run())
    part = body(app)["contents"][-1]["parts"][-1]
    assert part == {"inlineData": {"mimeType": "image/png", "data": "<attachment:cat.png>"}}
    assert "in the request as `<attachment:cat.png>`" in texts(app, "caption")
    assert app.get("image"), "a preview of the image"
    send(app, "What is in this picture?")
    sent = generated(emu)[-1].json["contents"][-1]["parts"][-1]["inlineData"]
    assert sent == {"mimeType": "image/png", "data": CAT.base64()}
    assert "I received an image (image/png" in last_run(app).text
    rows = list(History(str(tmp_path / "history.sqlite3")).query())
    reopened = History(str(tmp_path / "history.sqlite3")).call(rows[0]["id"])
    assert reopened.attachments == (CAT,)  # history keeps the file and rebuilds it
    # the OpenAI route: an image_url data URL around the same placeholder
    app.radio(key="pg_route").set_value("openai").run()
    content = body(ok(app))["messages"][-1]["content"]
    assert content[-1] == {"type": "image_url", "image_url": {"url": "data:image/png;base64,<attachment:cat.png>"}}
    send(app)
    url = generated(emu)[-1].json["messages"][-1]["content"][-1]["image_url"]["url"]
    assert url == f"data:image/png;base64,{CAT.base64()}"
    # snippets read the file from a path
    open_code(app)
    assert "cat.png" in texts(app, "code") and CAT.base64() not in texts(app, "code")


def test_the_draft_keeps_attachments_across_a_reload(app):
    app.file_uploader[0].set_value([("cat.png", CAT.data, "image/png"), ("doc.pdf", PDF, "application/pdf")]).run()
    names = [p.get("inlineData", {}).get("data") for p in body(ok(app))["contents"][-1]["parts"]]
    assert names[1:] == ["<attachment:cat.png>", "<attachment:doc.pdf>"]
    reloaded = start(draft=app.query_params["draft"])
    state = reloaded.session_state["pg_state"]
    assert [a.name for a in state.call().attachments] == ["cat.png", "doc.pdf"]
    assert state.call().attachments[0] == CAT and "📄 **doc.pdf**" in texts(reloaded, "markdown")
    reloaded.radio(key="pg_route").set_value("openai").run()
    pdf = body(ok(reloaded))["messages"][-1]["content"][-1]
    assert pdf["type"] == "file" and pdf["file"]["file_data"] == "data:application/pdf;base64,<attachment:doc.pdf>"
    reloaded.button(key="pg_att_del_1").click().run()  # removing the file removes its part
    assert "doc.pdf" not in json.dumps(body(ok(reloaded)))


def test_wrong_type_and_too_much_inline_data_are_refused_before_sending(app):
    # plain text is supported since issue 15; an archive is not
    app.file_uploader[0].set_value(("notes.zip", b"PK\x03\x04 zipped", "application/zip")).run()
    assert "notes.zip is application/zip, not a supported file" in texts(ok(app), "error")
    assert "inlineData" not in json.dumps(body(app))
    big = b"\x89PNG\r\n\x1a\n" + bytes(16 * 1024 * 1024)  # 21.8 MB once base64-encoded
    app.file_uploader[0].set_value(("huge.png", big, "image/png")).run()
    assert "over the 20 MB limit" in texts(ok(app), "error") and "fileData" in texts(app, "error")
    assert not app.session_state["pg_state"].attachments


def test_a_public_file_url_goes_as_file_data(app, emu):
    app.text_input(key="pg_url").set_value("https://example.com/report.pdf").run()
    ok(app.button(key="pg_url_add").click().run())
    assert body(app)["contents"][-1]["parts"][-1] == {
        "fileData": {"mimeType": "application/pdf", "fileUri": "https://example.com/report.pdf"}}
    send(app, "Summarise the report")
    assert "a document (application/pdf) at https://example.com/report.pdf" in last_run(app).text


# ---- grounding --------------------------------------------------------------------------------------

def test_google_search_grounding_lists_sources_queries_and_supports(app, emu):
    app.toggle(key="pg_search").set_value(True).run()
    assert body(app)["tools"] == [{"googleSearch": {}}]
    send(app, "Who won the match in Paris?")
    exchange = last_run(app)
    assert generated(emu)[-1].json["tools"] == [{"googleSearch": {}}]
    shown = texts(app, "markdown")
    assert "**Sources** (Google Search grounding)" in shown
    assert "[example\\.com](<https://example.com/search?q=paris>)" in shown
    assert "Searched for: “who won the match in paris?”" in texts(app, "caption")
    [supports] = [t for t in tables(app) if "Answer text" in t.columns]
    assert len(supports) == 3 and supports["Answer text"][0] in exchange.text
    assert "[1] example.com" in supports["Supported by"][0]
    app.toggle(key="pg_search").set_value(False).run()
    assert "tools" not in body(app)


# ---- structured output ----------------------------------------------------------------------------

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "rank": {"type": "integer"},
                                           "kind": {"type": "string", "enum": ["capital", "port"]}},
          "required": ["city", "rank", "kind"]}


def test_a_schema_sets_json_output_and_the_reply_is_checked(app, emu):
    ok(app.text_area(key="pg_schema").set_value(json.dumps(SCHEMA)).run())
    gen = body(app)["generationConfig"]
    assert gen == {"responseJsonSchema": SCHEMA, "responseMimeType": "application/json"}
    assert app.toggle(key="pg_f_json_output").value is True
    send(app, "Name a city")
    assert generated(emu)[-1].json["generationConfig"]["responseJsonSchema"] == SCHEMA
    assert "Valid: the reply matches the schema." in texts(app, "success")
    shown = [c.value for c in app.code if c.language == "json"]
    assert json.dumps(json.loads(last_run(app).text), indent=2) in shown  # pretty-printed
    # the OpenAI route: response_format json_schema
    app.radio(key="pg_route").set_value("openai").run()
    assert body(ok(app))["response_format"]["json_schema"]["schema"] == SCHEMA
    send(app)
    assert generated(emu)[-1].json["response_format"]["type"] == "json_schema"
    assert "Valid: the reply matches the schema." in texts(app, "success")


def test_schema_violations_and_unparsable_schema_text(app):
    ok(app.text_area(key="pg_schema").set_value('{"type": "object",').run())
    assert "Invalid JSON at line 1" in texts(app, "error")
    assert app.text_area(key="pg_schema").value == '{"type": "object",'  # kept as typed
    assert "generationConfig" not in body(app)
    app.radio(key="pg_schema_field").set_value("responseSchema").run()
    strict = {"type": "OBJECT", "properties": {"code": {"type": "STRING", "maxLength": 3}}, "required": ["code"]}
    ok(app.text_area(key="pg_schema").set_value(json.dumps(strict)).run())
    assert body(app)["generationConfig"]["responseSchema"] == strict
    send(app, "Give me a code")
    shown = texts(app, "error")
    assert "Does not match the schema." in shown and "$.code" in shown and "maxLength 3" in shown


def fold(at: AppTest, key: str, open_: bool) -> AppTest:
    at.session_state[key] = open_  # as a click on the section's title would
    return ok(at.run())


def test_a_folded_section_keeps_typed_text_and_follows_the_body(app):
    """Folded, a section's controls are not drawn; unfolded, they show what was typed and not
    yet in the request, and what the request says now."""
    ok(app.text_area(key="pg_schema").set_value('{"type": "object",').run())
    ok(app.text_input(key="pg_fn_new_name").set_value("get_weather").run())
    fold(app, "pg_open_structured", False)
    fold(app, "pg_open_functions", False)
    fold(app, "pg_open_safety", False)
    fold(app, "pg_open_thinking", False)
    assert not [w for w in app.text_area if w.key == "pg_schema"]  # not drawn while folded
    set_json(app, {"contents": [{"parts": [{"text": "hi"}]}],
                   "generationConfig": {"thinkingConfig": {"thinkingBudget": 512}},
                   "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}]})
    ok(app.run())  # another run while folded: what the JSON edit wrote stays
    for key in ("pg_open_structured", "pg_open_functions", "pg_open_safety", "pg_open_thinking"):
        fold(app, key, True)
    assert app.text_area(key="pg_schema").value == '{"type": "object",'  # kept as typed
    assert "Invalid JSON at line 1" in texts(app, "error")
    assert app.text_input(key="pg_fn_new_name").value == "get_weather"
    assert app.selectbox(key="pg_safety_HARM_CATEGORY_HARASSMENT").value == "BLOCK_ONLY_HIGH"
    assert app.number_input(key="pg_f_thinking_budget").value == 512 and app.radio(key="pg_think_mode").value == "custom"


# ---- safety -----------------------------------------------------------------------------------------

def test_safety_settings_and_a_blocked_prompt(app, emu):
    app.selectbox(key="pg_safety_HARM_CATEGORY_HARASSMENT").set_value("BLOCK_ONLY_HIGH").run()
    app.selectbox(key="pg_safety_HARM_CATEGORY_DANGEROUS_CONTENT").set_value("BLOCK_LOW_AND_ABOVE").run()
    settings = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"},
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_LOW_AND_ABOVE"}]
    assert body(app)["safetySettings"] == settings
    send(app, "Tell me how to BLOCKME")
    assert generated(emu)[-1].json["safetySettings"] == settings
    assert "The prompt was blocked** (promptFeedback.blockReason: SAFETY)" in texts(app, "error")
    [ratings] = [t for t in tables(app) if "probability" in t.columns]
    assert "DANGEROUS_CONTENT" in list(ratings["category"]) and "HIGH" in list(ratings["probability"])
    assert "The reply has no text." not in texts(app, "caption")
    app.selectbox(key="pg_safety_HARM_CATEGORY_HARASSMENT").set_value(None).run()
    app.selectbox(key="pg_safety_HARM_CATEGORY_DANGEROUS_CONTENT").set_value(None).run()
    assert "safetySettings" not in body(app)


# ---- conversation -----------------------------------------------------------------------------------

def test_turns_can_be_added_edited_reordered_and_removed(app, emu):
    set_json(app, {"contents": [{"role": "user", "parts": [{"text": "My name is Ada."}]},
                                {"role": "model", "parts": [{"text": "Hello Ada."}]},
                                {"role": "user", "parts": [{"text": "What is my name?"}]}],
                   "x-kept": True})
    assert [app.text_area(key=f"pg_turn_text_{k}").value for k in range(2)] == ["My name is Ada.", "Hello Ada."]
    ok(app.button(key="pg_turn_add").click().run())
    turns = body(app)["contents"]
    assert [t["role"] for t in turns] == ["user", "model", "user", "user"] and turns[2]["parts"] == [{"text": ""}]
    app.text_area(key="pg_turn_text_2").set_value("I live in Paris.").run()
    ok(app.button(key="pg_turn_up_2").click().run())
    assert [t["parts"][0]["text"] for t in body(app)["contents"]] == [
        "My name is Ada.", "I live in Paris.", "Hello Ada.", "What is my name?"]
    app.selectbox(key="pg_turn_role_2").set_value("user").run()
    ok(app.button(key="pg_turn_del_0").click().run())
    b = body(app)
    assert [(t["role"], t["parts"][0]["text"]) for t in b["contents"]] == [
        ("user", "I live in Paris."), ("user", "Hello Ada."), ("user", "What is my name?")]
    assert b["x-kept"] is True and app.text_area(key="pg_f_prompt").value == "What is my name?"
    send(app)
    assert [t["parts"][0]["text"] for t in generated(emu)[-1].json["contents"]][:2] == ["I live in Paris.", "Hello Ada."]
    app.radio(key="pg_route").set_value("openai").run()
    assert app.selectbox(key="pg_turn_role_0").options == ["user", "assistant"]
    app.selectbox(key="pg_turn_role_1").set_value("assistant").run()
    assert [m["role"] for m in body(ok(app))["messages"]] == ["user", "assistant", "user"]


# ---- function calling ---------------------------------------------------------------------------------

WEATHER = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


@pytest.mark.parametrize("route", ["gemini", "openai"])
def test_declare_call_answer_and_continue(app, emu, route):
    if route == "openai":
        app.radio(key="pg_route").set_value("openai").run()
    app.text_input(key="pg_fn_new_name").set_value("get_weather").run()
    app.text_input(key="pg_fn_new_desc").set_value("The weather in a city now").run()
    app.text_area(key="pg_fn_new_params").set_value(json.dumps(WEATHER)).run()
    ok(app.button(key="pg_fn_add").click().run())
    mode = "ANY" if route == "gemini" else "required"
    app.selectbox(key="pg_fn_mode").set_value(mode).run()
    b = body(app)
    if route == "gemini":
        assert b["tools"] == [{"functionDeclarations": [
            {"name": "get_weather", "description": "The weather in a city now", "parametersJsonSchema": WEATHER}]}]
        assert b["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    else:
        assert b["tools"] == [{"type": "function", "function": {
            "name": "get_weather", "description": "The weather in a city now", "parameters": WEATHER}}]
        assert b["tool_choice"] == "required"
    assert app.text_input(key="pg_fn_name_0").value == "get_weather"
    send(app, "What is the weather in Paris?")
    call = last_run(app).reply.function_calls[0]
    assert call.name == "get_weather" and set(call.args) == {"city"}
    assert "**Function call** `get_weather`" in texts(app, "markdown")
    app.text_area(key="pg_fr_0").set_value('{"output": "sunny, 24 C"}').run()
    ok(app.button(key="pg_fr_send").click().run())  # adds the turns and sends
    sent = generated(emu)[-1].json
    if route == "gemini":
        model, answer = sent["contents"][-2:]
        assert model["role"] == "model" and model["parts"][0]["functionCall"]["name"] == "get_weather"
        assert answer["parts"] == [{"functionResponse": {"name": "get_weather", "response": {"output": "sunny, 24 C"}}}]
    else:
        assistant, tool = sent["messages"][-2:]
        assert assistant["tool_calls"][0]["function"]["name"] == "get_weather"
        assert tool == {"role": "tool", "tool_call_id": assistant["tool_calls"][0]["id"],
                        "content": '{"output": "sunny, 24 C"}'}
    assert "got the result of get_weather" in last_run(app).text
    assert "got the result of get_weather" in texts(app, "markdown")


@pytest.mark.parametrize("route", ["gemini", "openai"])
def test_only_these_functions_reaches_the_wire(app, emu, route):
    if route == "openai":
        app.radio(key="pg_route").set_value("openai").run()
    for name in ("get_weather", "get_time"):
        app.text_input(key="pg_fn_new_name").set_value(name).run()
        app.text_area(key="pg_fn_new_params").set_value(json.dumps(WEATHER)).run()
        ok(app.button(key="pg_fn_add").click().run())
    assert app.multiselect(key="pg_fn_allowed").options == ["get_weather", "get_time"]
    app.multiselect(key="pg_fn_allowed").set_value(["get_time"]).run()
    assert app.selectbox(key="pg_fn_mode").value == ("ANY" if route == "gemini" else "required")
    send(app, "What time is it in Paris?")
    sent = generated(emu)[-1].json
    if route == "gemini":
        assert sent["toolConfig"] == {"functionCallingConfig": {"allowedFunctionNames": ["get_time"], "mode": "ANY"}}
    else:
        assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_time"}}
    assert [c.name for c in last_run(app).reply.function_calls] == ["get_time"]
    app.multiselect(key="pg_fn_allowed").set_value([]).run()
    assert app.multiselect(key="pg_fn_allowed").value == [] and not features_of(body(ok(app)), route)


def features_of(b: dict, route: str) -> list[str]:
    from comet.body import features

    return features.allowed_functions(route, b)


def test_function_edits_and_an_invalid_name(app):
    set_json(app, {"contents": [{"parts": [{"text": "hi"}]}], "tools": [
        {"functionDeclarations": [{"name": "a", "parameters": {"type": "OBJECT"}}]}, {"codeExecution": {}}]})
    app.text_input(key="pg_fn_name_0").set_value("9lives").run()
    assert "function name '9lives' is not valid" in texts(ok(app), "warning")
    app.text_input(key="pg_fn_name_0").set_value("lives").run()
    app.text_area(key="pg_fn_params_0").set_value('{"type": "OBJECT", "properties": {}}').run()
    assert body(app)["tools"][0]["functionDeclarations"][0] == {
        "name": "lives", "parameters": {"type": "OBJECT", "properties": {}}}  # the key it already used
    ok(app.button(key="pg_fn_del_0").click().run())
    assert body(app)["tools"] == [{"codeExecution": {}}]  # other tools untouched


# ---- token count --------------------------------------------------------------------------------------

def test_count_tokens_before_sending(app, emu):
    app.text_area(key="pg_f_prompt").set_value("one two three").run()
    ok(app.button(key="pg_count").click().run())
    [counted] = [r for r in emu.received if r.path.endswith(":countTokens")]
    assert counted.path == "/v1beta/models/gemini-2.5-flash:countTokens"
    assert "**3 input tokens**" in texts(app, "caption")
    ok(app.file_uploader[0].set_value(("cat.png", CAT.data, "image/png")).run())
    assert "input tokens" not in texts(app, "caption")  # the request changed: the count is gone
    ok(app.button(key="pg_count").click().run())
    assert "**261 input tokens**" in texts(app, "caption")  # an image is 258 tokens here
    assert not generated(emu)  # nothing was sent
    app.radio(key="pg_route").set_value("openai").run()  # no token-count endpoint there: an estimate
    ok(app.button(key="pg_count").click().run())
    assert "*est.* (Chat Completions has no token-count endpoint" in texts(app, "caption")


def test_count_tokens_where_the_service_does_not_offer_it_is_an_estimate(app, emu):
    """The emulator switched to answer :countTokens with 404: Count tokens says so and estimates
    (13 characters at four a token, and the image at its documented 258)."""
    emu.count_tokens = False
    app.text_area(key="pg_f_prompt").set_value("one two three").run()
    ok(app.button(key="pg_count").click().run())
    [asked] = [r for r in emu.received if r.path.endswith(":countTokens")]  # asked, and answered 404
    said = texts(app, "caption")
    assert "**≈ 4 input tokens** *est.* (countTokens is not offered by this service" in said
    assert not app.error  # not shown as a broken request
    ok(app.file_uploader[0].set_value(("cat.png", CAT.data, "image/png")).run())
    ok(app.button(key="pg_count").click().run())
    assert "**≈ 262 input tokens** *est.*" in texts(app, "caption")
    assert not generated(emu)


def test_a_request_with_media_opened_from_elsewhere_keeps_its_files(app):
    """History's "open in Playground" and share links go through ui.editor.open_call."""
    from comet import Call

    request = {"contents": [{"role": "user", "parts": [
        {"text": "again"}, {"inlineData": {"mimeType": "image/png", "data": CAT.token}}]}]}
    opener = AppTest.from_string("import streamlit as st\nfrom ui import editor\n"
                                 "st.query_params['draft'] = editor.open_call(st.session_state['call'])\n")
    opener.session_state["call"] = Call("gemini", "gemini-2.5-flash", request, attachments=(CAT,))
    ok(opener.run())
    reopened = start(draft=opener.query_params["draft"])
    assert body(reopened) == request and reopened.session_state["pg_state"].call().attachments == (CAT,)
    assert not texts(reopened, "warning")  # the placeholder points at a file the editor holds
