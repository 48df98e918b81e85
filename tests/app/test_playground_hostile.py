"""The Playground under hostile input (issue 10 items 3 to 6, 8), driven with AppTest on a test
emulator: the page shows the project's error naming the field and the fix, keeps what was
typed (across a reload too), and stays usable: the route radios and Send are drawn and the
next request goes out."""

from __future__ import annotations

import app_support
import pytest
from app_support import body, no_exception as ok, set_json, texts
from hostile_server import Hostile
from loopback import serving
from streamlit.testing.v1 import AppTest
from test_gemini_features_page import app, emu  # noqa: F401 (fixtures: the app on a fast test emulator)

from comet import Attachment, Call

BROKEN_PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def usable(at: AppTest, emu) -> None:
    """Route radios and Send are there, and a plain request still goes out."""
    assert at.radio(key="pg_route") is not None
    set_json(at, {"contents": [{"role": "user", "parts": [{"text": "still here?"}]}]})
    before = len(emu.received)
    ok(at.button(key="pg_send").click().run())
    assert len(emu.received) > before and not texts(at, "exception")


TYPED = {
    "lone surrogate": ('{"contents": [{"parts": [{"text": "smile \\ud83d"}]}]}',
                       "$.contents[0].parts[0].text", "lone surrogate"),
    "deep nesting": ('{"contents": [{"parts": [{"text": "x"}]}], "extra": ' + "[" * 1200 + "]" * 1200 + "}",
                     "`$`", "nested more than 64 levels"),
    "huge number": ('{"contents": [{"parts": [{"text": "x"}]}], "seed": ' + "7" * 5000 + "}",
                    "line 1, column 52", "thousands of digits"),
    "NaN": ('{"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"temperature": NaN}}',
            "$.generationConfig.temperature", "no NaN or Infinity"),
}


@pytest.mark.parametrize("case", TYPED)
def test_typed_json_beyond_the_limits_is_named_kept_and_survives_a_reload(app, emu, case):
    text, path, words = TYPED[case]
    ok(set_json(app, text))
    errors = texts(app, "error")
    assert path in errors and words in errors
    assert app.text_area(key="pg_json").value == text  # as typed
    assert app.button(key="pg_send").disabled
    reloaded = ok(app_support.start(draft=app.query_params["draft"]))
    assert reloaded.text_area(key="pg_json").value == text
    usable(reloaded, emu)


def test_a_corrupt_image_upload_is_refused_and_the_page_goes_on(app, emu):
    uploader = next(u for u in app.file_uploader if u.key == "pg_upload_0")
    ok(uploader.set_value(("cat.png", BROKEN_PNG, "image/png")).run())
    assert "cat.png starts like a PNG image but cannot be read as one" in texts(app, "error")
    assert not app.session_state["pg_state"].attachments
    usable(app, emu)


def test_a_corrupt_image_opened_from_a_shared_request_has_no_preview_and_no_crash(app, emu):
    broken = Attachment("cat.png", "image/png", BROKEN_PNG)
    request = {"contents": [{"role": "user", "parts": [
        {"text": "look"}, {"inlineData": {"mimeType": "image/png", "data": broken.token}}]}]}
    opener = AppTest.from_string("import streamlit as st\nfrom ui import editor\n"
                                 "st.query_params['draft'] = editor.open_call(st.session_state['call'])\n")
    opener.session_state["call"] = Call("gemini", "gemini-2.5-flash", request, attachments=(broken,))
    ok(opener.run())
    reopened = ok(app_support.start(draft=opener.query_params["draft"]))
    assert "cat.png" in texts(reopened, "warning") and "no preview" in texts(reopened, "warning")
    assert not reopened.get("imgs") and reopened.button(key="pg_send") is not None
    usable(reopened, emu)


@pytest.mark.parametrize("odd", [{"reasoning_effort": ["low"]},
                                 {"tool_choice": {"type": "function", "function": ["get_weather"]}},
                                 {"tool_choice": {"type": "allowed_tools", "allowed_tools": {"tools": 3}}}])
def test_the_route_switch_converts_odd_openai_bodies(app, emu, odd):
    ok(app.radio(key="pg_route").set_value("openai").run())
    set_json(app, {**body(app), **odd})
    ok(app.radio(key="pg_route").set_value("gemini").run())
    assert body(app)["contents"][-1]["parts"] == [{"text": body(app)["contents"][-1]["parts"][0]["text"]}]
    ok(app.radio(key="pg_route").set_value("openai").run())  # and back
    assert next(iter(odd)) in body(app)
    ok(app.radio(key="pg_route").set_value("gemini").run())
    usable(app, emu)


def _page(at: AppTest) -> str:
    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)
    return "".join(str(getattr(node, "proto", "")) for node in walk(at._tree))


@pytest.mark.parametrize("model", ["echo-401", "echo-html"])
def test_a_key_a_server_echoes_never_reaches_the_page(monkeypatch, model):
    key = "sk-echoed-0123456789abcdef"
    with serving(Hostile) as base:
        monkeypatch.setenv("COMETAPI_BASE_URL", base)
        monkeypatch.setenv("COMETAPI_KEY", key)
        at = ok(app_support.start())
        ok(at.selectbox(key="pg_model").set_value(model).run())
        ok(at.button(key="pg_send").click().run())
    page = _page(at)  # everything sent to the browser: the error, its raw body, the snippets
    assert "Raw error body" in page and "[redacted]" in page and key not in page


@pytest.mark.parametrize("case", ["deep nesting", "lone surrogate"])
def test_the_batch_page_names_a_body_beyond_the_limits(app, case):
    text, path, words = TYPED[case]
    at = ok(app.switch_page("pages/batch.py").run())
    ok(at.text_area(key="bat_body").set_value(text).run())
    errors = texts(at, "error")
    assert "Request body" in errors and words in errors
    assert at.text_area(key="bat_body").value == text
