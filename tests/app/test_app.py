"""AppTest: a smoke test over app.py and every page, and flow tests of the Playground that
drive the real stack (form, JSON, conversion, client, emulator, history). The app is pointed at
the test emulator through the environment only: COMETAPI_BASE_URL and COMETAPI_KEY."""

from __future__ import annotations

import pytest
from app_support import APP, TIMEOUT, body, no_exception, open_code, open_sections, set_json, start, texts
from keys import CANARY_KEY
from streamlit.testing.v1 import AppTest

PAGES = ("pages/playground.py", "pages/compare.py", "pages/history.py")


def history_rows(path: str) -> list[dict]:
    from comet.store.history import History

    return list(History(path).query())


def shown_metrics(at: AppTest) -> dict[str, str]:
    """The metrics tables under the reply, as {label: value}."""
    found = {}
    for md in at.markdown:
        lines = [line for line in str(md.value).splitlines() if line.startswith("|")]
        for head, _, values in zip(lines[0::3], lines[1::3], lines[2::3]):
            cells = lambda line: [c.strip() for c in line.strip("|").split(" | ")]  # noqa: E731
            found.update(zip(cells(head), cells(values)))
    return found


def last_run(at: AppTest):
    return at.session_state["runs_results"]["pg_result"].value


def send(at: AppTest, prompt: str | None = None, *, model: str | None = None) -> AppTest:
    if model is not None:
        at.selectbox(key="pg_model").set_value(model).run()
    if prompt is not None:
        at.text_area(key="pg_f_prompt").set_value(prompt).run()
    return no_exception(at.button(key="pg_send").click().run())


# ---- smoke --------------------------------------------------------------------------------------

def test_every_page_renders_in_demo_mode():
    at = no_exception(start())
    assert "Demo · emulator" in texts(at.sidebar, "markdown")  # the status chip
    labels = {w.label for w in at.main.text_area} | {w.label for w in at.selectbox} | \
        {w.label for w in at.radio} | {w.label for w in at.toggle} | {b.label for b in at.button}
    assert {"Prompt", "System instruction", "Model", "Route", "Stream", "Send", "Stop", "Follow up"} <= labels
    assert [t.label for t in at.tabs][:2] == ["Form", "JSON"]
    at = no_exception(open_code(at))  # the code is drawn in a dialog, when opened
    assert {t.label for t in at.tabs} >= {"curl", "Python", "Python SDK", "Node", "Node SDK"}
    for page in PAGES[1:] + PAGES[:1]:
        no_exception(at.switch_page(page).run())


def test_model_list_is_live_gemini_first_with_prices(app):
    options = app.selectbox(key="pg_model").options
    gemini = [i for i, o in enumerate(options) if o.startswith("gemini")]
    assert gemini and gemini == list(range(len(gemini)))  # Gemini first
    assert any("$" in o and "per M" in o for o in options)  # prices where the catalog has them


def test_key_from_secrets_and_the_switch_back_to_the_emulator(emulator, monkeypatch):
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["COMETAPI_KEY"] = "from-secrets"
    no_exception(at.run())
    assert "key from st.secrets" in texts(at.sidebar, "caption")
    assert f"Requests go to {emulator.base_url}" in texts(at, "caption")
    # AppTest 1.67 drops the main script's sidebar on reruns under st.navigation (the browser
    # keeps it), so the switch is flipped through session state and checked on the page.
    at.session_state["conn_use_emulator"] = True
    assert "Demo mode: local emulator" in texts(no_exception(at.run()), "caption")


# ---- form <-> JSON --------------------------------------------------------------------------------

def test_form_edit_shows_in_json(app):
    app.text_area(key="pg_f_prompt").set_value("Why is the sky blue?").run()
    app.text_area(key="pg_f_system").set_value("Answer in one line").run()
    app.number_input(key="pg_f_temperature").set_value(0.3).run()
    app.text_input(key="pg_f_stop").set_value("END, STOP").run()
    b = body(no_exception(app))
    assert b["contents"][-1]["parts"][0]["text"] == "Why is the sky blue?"
    assert b["systemInstruction"] == {"parts": [{"text": "Answer in one line"}]}
    assert b["generationConfig"] == {"temperature": 0.3, "stopSequences": ["END", "STOP"]}
    app.number_input(key="pg_f_temperature").set_value(None).run()
    assert body(app)["generationConfig"] == {"stopSequences": ["END", "STOP"]}  # cleared: not sent


def test_json_edit_shows_in_form(app):
    set_json(app, {"contents": [{"role": "user", "parts": [{"text": "from JSON"}]}],
                   "systemInstruction": {"parts": [{"text": "sys"}]},
                   "generationConfig": {"maxOutputTokens": 77, "topP": 0.5, "responseMimeType": "application/json"}})
    no_exception(app)
    assert app.text_area(key="pg_f_prompt").value == "from JSON"
    assert app.text_area(key="pg_f_system").value == "sys"
    assert app.number_input(key="pg_f_max_output_tokens").value == 77
    assert app.number_input(key="pg_f_top_p").value == 0.5
    assert app.toggle(key="pg_f_json_output").value is True
    assert app.number_input(key="pg_f_temperature").value is None


def test_unknown_fields_survive_form_and_json_edits(app):
    unknown = {"safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
               "x-experimental": {"a": [1, 2]}}
    set_json(app, {"contents": [{"parts": [{"text": "q"}]}], **unknown,
                   "generationConfig": {"candidateCount": 1}})
    app.number_input(key="pg_f_temperature").set_value(1.1).run()
    app.text_area(key="pg_f_prompt").set_value("q2").run()
    b = body(no_exception(app))
    assert {k: b[k] for k in unknown} == unknown
    assert b["generationConfig"] == {"candidateCount": 1, "temperature": 1.1}
    set_json(app, {**b, "generationConfig": {"candidateCount": 1}})
    assert app.number_input(key="pg_f_temperature").value is None
    assert {k: body(app)[k] for k in unknown} == unknown


def test_invalid_json_shows_line_and_column_and_keeps_the_text(app):
    bad = '{\n  "contents": [\n    {"parts": [{"text": "hi"}]},\n  ]\n}'
    set_json(app, bad)
    no_exception(app)
    errors = texts(app, "error")
    assert "line 4, column 3" in errors
    assert app.text_area(key="pg_json").value == bad  # as typed
    assert app.text_area(key="pg_f_prompt").disabled  # the form waits
    assert app.button(key="pg_send").disabled
    app.run()
    assert app.text_area(key="pg_json").value == bad
    set_json(app, bad.replace("},\n  ]", "}\n  ]"))
    assert not texts(app, "error")
    assert app.text_area(key="pg_f_prompt").value == "hi"
    assert not app.text_area(key="pg_f_prompt").disabled


def test_wrong_route_field_is_flagged_with_the_fix(app):
    set_json(app, {"contents": [{"parts": [{"text": "hi"}]}], "max_tokens": 5})
    warnings = texts(no_exception(app), "warning")
    assert "$.max_tokens" in warnings and "generationConfig.maxOutputTokens" in warnings
    assert app.button(key="pg_send").disabled


# ---- sending ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("stream", [True, False])
def test_send_shows_reply_metrics_and_records_history(app, stream, tmp_path):
    if not stream:
        app.toggle(key="pg_stream").set_value(False).run()
    send(app, "Say hello [[chunks=5]]")
    exchange, _ = last_run(app)
    assert exchange.ok and exchange.text
    assert exchange.text.strip()[:40] in texts(app, "markdown")
    metrics = shown_metrics(app)
    assert {"Finish", "Input tokens", "Output tokens", "Thinking tokens", "Cost", "TTFT", "Latency",
            "Attempts", "Served model"} <= set(metrics)
    assert metrics["Finish"] == "stop" and metrics["Attempts"] == "1"
    assert metrics["Cost"].startswith("$")
    assert {e.label for e in app.expander} >= {"Request"}
    rows = history_rows(str(tmp_path / "history.sqlite3"))
    assert len(rows) == 1
    app.toggle(key="pg_reply_plain").set_value(True).run()  # the plain-text switch
    assert exchange.text in [t.value for t in app.text]


def test_thoughts_show_in_their_own_section(app):
    no_exception(open_sections(app, "pg_open_thinking"))
    app.number_input(key="pg_f_thinking_budget").set_value(256).run()
    app.toggle(key="pg_f_include_thoughts").set_value(True).run()
    assert body(app)["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 256, "includeThoughts": True}
    send(app, "Think first")
    exchange, _ = last_run(app)
    assert exchange.thoughts and "Thoughts" in {e.label for e in app.expander}
    assert shown_metrics(app)["Thinking tokens"] not in ("–", "0")


def test_retry_notice_says_when_the_next_attempt_comes():
    from comet import ErrorInfo, Retrying
    from ui.run.live import retry_message

    text = retry_message(Retrying(attempt=2, delay_s=1.5, error=ErrorInfo("rate_limited", "slow down", status=429)))
    assert text == "Attempt 1 failed (HTTP 429, rate limited): retrying in 1.5 s (attempt 2)"


def test_continue_appends_the_reply_and_a_new_user_turn(app):
    send(app, "First question")
    reply = last_run(app)[0].text
    no_exception(app.button(key="pg_continue").click().run())
    contents = body(app)["contents"]
    assert [t.get("role") for t in contents] == ["user", "model", "user"]
    assert contents[1]["parts"][0]["text"] == reply
    assert app.text_area(key="pg_f_prompt").value == ""
    assert len(app.chat_message) == 2


FAULTS = ["fault-rate-limit", "fault-server-error", "fault-unavailable", "fault-html",
          "fault-drop-stream", "fault-bad-sse", "fault-slow", "fault-rate-limit-once"]


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_models_show_the_error_and_the_app_stays_usable(fast_app, fault, tmp_path):
    app = fast_app
    send(app, "hello [[chunks=8]]", model=fault)
    exchange, _ = last_run(app)
    if fault in ("fault-slow", "fault-rate-limit-once"):
        assert exchange.ok
        if fault == "fault-rate-limit-once":
            assert exchange.attempts == 2
            assert shown_metrics(app)["Attempts"] == "2"
            assert "Answered on attempt 2" in texts(app, "caption")
    else:
        assert exchange.error is not None
        shown = texts(app, "error")
        assert exchange.error.kind in shown and exchange.error.message[:30] in shown
        assert "Fix:" in texts(app, "markdown")
        if fault == "fault-rate-limit":
            assert "asked to wait" in texts(app, "markdown")  # when the service said to retry
        if exchange.error.raw_body:
            assert "Raw error body" in {e.label for e in app.expander}
    send(app, "and now?", model="gemini-2.5-flash")
    assert last_run(app)[0].ok
    assert len(history_rows(str(tmp_path / "history.sqlite3"))) == 2


# ---- route switch ----------------------------------------------------------------------------------

def test_switching_route_converts_and_switching_back_loses_nothing(app):
    original = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
                "systemInstruction": {"parts": [{"text": "be brief"}]},
                "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
                "generationConfig": {"temperature": 0.4, "maxOutputTokens": 100}}
    set_json(app, original)
    app.radio(key="pg_route").set_value("openai").run()
    b = body(no_exception(app))
    assert b["messages"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    assert b["temperature"] == 0.4 and b["model"] == app.selectbox(key="pg_model").value
    assert "safetySettings" not in b
    assert "safetySettings" in "\n".join(e.label for e in app.expander)  # said what did not carry over
    assert app.text_area(key="pg_f_prompt").value == "hi"
    app.radio(key="pg_route").set_value("gemini").run()
    assert body(no_exception(app)) == original


def test_openai_route_with_a_typed_model_sends(app):
    app.radio(key="pg_route").set_value("openai").run()
    send(app, "hi from the other route", model="gemini-3-flash-preview")
    exchange, _ = last_run(app)
    assert exchange.ok and exchange.call.route.value == "openai"
    assert body(app)["model"] == "gemini-3-flash-preview"


# ---- drafts ---------------------------------------------------------------------------------------

def test_the_draft_survives_a_reload_and_page_moves(app):
    app.text_area(key="pg_f_prompt").set_value("keep me").run()
    app.number_input(key="pg_f_temperature").set_value(0.7).run()
    draft = app.query_params["draft"]
    no_exception(app.switch_page("pages/history.py").run())
    no_exception(app.switch_page("pages/playground.py").run())
    assert app.text_area(key="pg_f_prompt").value == "keep me"
    reloaded = no_exception(start(draft=draft))  # a new browser session with the same URL
    assert reloaded.text_area(key="pg_f_prompt").value == "keep me"
    assert reloaded.number_input(key="pg_f_temperature").value == 0.7


def test_a_request_opened_from_elsewhere_fills_the_editor_exactly(app):
    """History's "open in Playground" goes through ui.editor.open_call and the draft URL."""
    from comet import Call

    request = {"contents": [{"role": "user", "parts": [{"text": "reopened"}]}], "x-kept": 1,
               "generationConfig": {"topK": 7}}
    opener = AppTest.from_string("import streamlit as st\nfrom ui import editor\n"
                                 "st.query_params['draft'] = editor.open_call(st.session_state['call'])\n")
    opener.session_state["call"] = Call("gemini", "gemini-2.5-pro", request, stream=False)
    no_exception(opener.run())
    reopened = no_exception(open_sections(start(draft=opener.query_params["draft"]), "pg_open_route_settings"))
    assert body(reopened) == request
    assert reopened.text_area(key="pg_f_prompt").value == "reopened"
    assert reopened.number_input(key="pg_f_top_k").value == 7
    assert reopened.selectbox(key="pg_model").value == "gemini-2.5-pro"
    assert reopened.toggle(key="pg_stream").value is False


# ---- the key ---------------------------------------------------------------------------------------

def test_canary_key_never_reaches_page_snippets_history_or_drafts(emulator, canary_key, monkeypatch, tmp_path):
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    at = no_exception(start())
    assert emulator.base_url.split("://")[1] in texts(at.sidebar, "markdown")  # the status chip names the address
    assert f"Requests go to {emulator.base_url} (key from COMETAPI_KEY)" in texts(at, "caption")
    send(at, "hello", model="fault-html")
    send(at, "hello again", model="gemini-2.5-flash")
    at.radio(key="pg_route").set_value("openai").run()
    send(at, "and on openai")
    assert last_run(at)[0].ok
    # everything the page sent to the browser, snippets included
    page = "".join(str(getattr(node, "proto", "")) for node in _walk(at._tree))
    assert CANARY_KEY not in page and "Bearer" in page  # the snippets were there
    for db in tmp_path.glob("*.sqlite3*"):
        assert CANARY_KEY.encode() not in db.read_bytes(), db
    assert history_rows(str(tmp_path / "history.sqlite3"))


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)
