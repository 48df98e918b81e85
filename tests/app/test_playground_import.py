"""AppTest: the Playground's Import box fills the editor from a pasted curl command; a key in
the command never reaches the page; a bad command leaves the editor as it was."""

from __future__ import annotations

import json

from app_support import body, no_exception, texts

KEY = "AIzaSy-pasted-literal-key-42"
GEMINI = "https://api.cometapi.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"
REQUEST = {"contents": [{"role": "user", "parts": [{"text": "imported prompt"}]}],
           "generationConfig": {"temperature": 0.3}}


def paste(at, command: str):
    at.text_area(key="pg_import_text").set_value(command).run()
    return no_exception(at.button(key="pg_import").click().run())


def page_text(at) -> str:
    kinds = ("markdown", "caption", "code", "success", "warning", "error", "info", "text_area", "text_input")
    return "\n".join(texts(at, k) for k in kinds)


def test_a_pasted_curl_command_fills_the_editor(app):
    command = (f"curl -sSN '{GEMINI}' \\\n  -H 'x-goog-api-key: {KEY}' \\\n"
               f"  --data-binary @- <<'JSON'\n{json.dumps(REQUEST, indent=2)}\nJSON\n")
    at = paste(app, command)
    assert body(at) == REQUEST
    assert at.text_area(key="pg_f_prompt").value == "imported prompt"
    assert at.number_input(key="pg_f_temperature").value == 0.3
    assert at.selectbox(key="pg_model").value == "gemini-2.5-pro"
    assert at.radio(key="pg_route").value == "gemini"
    assert at.toggle(key="pg_stream").value is True
    assert "Imported Gemini native · gemini-2.5-pro · stream" in texts(at, "success")
    assert "x-goog-api-key header was dropped" in texts(at, "warning")
    assert KEY not in page_text(at)  # the box is emptied, the warning names no key
    assert at.text_area(key="pg_import_text").value in ("", None)


def test_an_openai_command_switches_the_route(app):
    request = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "from openai"}]}
    at = paste(app, f"curl https://api.cometapi.com/v1/chat/completions -d '{json.dumps(request)}'")
    assert at.radio(key="pg_route").value == "openai"
    assert body(at) == request
    assert at.toggle(key="pg_stream").value is False


def test_a_bad_command_leaves_the_editor_and_says_what_to_fix(app):
    app.text_area(key="pg_f_prompt").set_value("my draft").run()
    before = body(app)
    at = paste(app, "curl https://api.cometapi.com/v1/embeddings -d '{}'")
    assert "neither route" in texts(at, "error") and "Fix:" in texts(at, "error")
    assert body(at) == before
    assert at.text_area(key="pg_import_text").value.startswith("curl")  # kept, to be corrected
