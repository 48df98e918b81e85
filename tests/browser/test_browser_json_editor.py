"""The Playground's JSON tab in a real browser: a code editor (streamlit-code-editor's Ace) with
line numbers, whose JSON error is marked on its line, and whose edits reach the form and the
request as a typed edit does (ui/editor/code_box.py)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from browser_support import Server, browser_page, chromium, json_code, json_text, wait_idle
from test_browser_playground import open_app, pick_route


@pytest.fixture(scope="module")
def editor_app(tmp_path_factory):
    """The app in demo mode, for this module's tests."""
    server = Server(tmp_path_factory.mktemp("json_editor"))
    yield server
    server.stop()


@pytest.fixture
def tab():
    with chromium() as browser, browser_page(browser, 40_000) as page:
        yield page


def open_json_tab(page):
    page.get_by_role("tab", name="JSON").click()
    wait_idle(page)
    return json_code(page)


def leave_editor(page) -> None:
    """Blur the editor (the editor commits its text then), and wait for the rerun."""
    page.get_by_role("tab", name="JSON").click()
    wait_idle(page)


def type_at_end(page, editor, text: str) -> None:
    editor.locator(".ace_content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def gutter(editor) -> list[str]:
    return [t.strip() for t in editor.locator(".ace_gutter-cell").all_inner_texts()]


def test_the_json_tab_shows_line_numbers_and_marks_an_errors_line(tab, editor_app):
    page = tab
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    # anything bound off the machine is seen here, then aborted before it leaves
    page.route(lambda url: urlsplit(url).hostname not in ("127.0.0.1", "localhost"), lambda route: route.abort())
    open_app(page, editor_app.url)
    editor = open_json_tab(page)
    lines = json_text(page).splitlines()
    assert gutter(editor)[:len(lines)] == [str(n) for n in range(1, len(lines) + 1)]
    font = editor.evaluate("e => getComputedStyle(e).fontFamily")
    assert "monospace" in font

    type_at_end(page, editor, ",")  # "}," : extra data after the body, on its last line
    leave_editor(page)
    page.get_by_text("Request body").first.wait_for()
    said = page.locator("[data-testid=stAlert]").filter(has_text="Request body").first.inner_text()
    last = len(lines)
    assert f"line {last}, column 2" in said
    marked = editor.locator(".ace_gutter-cell.ace_error")
    marked.wait_for()
    assert [t.strip() for t in marked.all_inner_texts()] == [str(last)]  # the gutter marks that line
    assert editor.locator(".comet-json-error-line").count() == 1  # and the line itself is tinted
    assert page.locator(".st-key-pg_send button").first.is_disabled()

    type_at_end(page, editor, "")
    page.keyboard.press("Backspace")  # fixed: the mark goes, Send comes back
    leave_editor(page)
    page.locator(".st-key-pg_send button:not([disabled])").first.wait_for()
    assert editor.locator(".ace_gutter-cell.ace_error").count() == 0
    assert editor.locator(".comet-json-error-line").count() == 0
    # the editor's theme fetches nothing (the package's own themes ask Google for a font)
    assert {urlsplit(url).hostname for url in asked if url.startswith("http")} <= {"127.0.0.1", "localhost"}


def test_an_edit_in_the_code_editor_reaches_the_form_and_a_route_switch_reaches_the_editor(tab, editor_app):
    page = tab
    open_app(page, editor_app.url)
    editor = open_json_tab(page)
    editor.locator(".ace_content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    body = {"contents": [{"role": "user", "parts": [{"text": "typed in the code editor"}]}],
            "cachedContent": "kept as typed"}
    page.keyboard.insert_text(json.dumps(body, indent=2))
    leave_editor(page)
    page.get_by_role("tab", name="Form").click()
    wait_idle(page)
    assert page.get_by_label("Prompt", exact=True).input_value() == "typed in the code editor"

    pick_route(page, "OpenAI-compatible")
    open_json_tab(page)
    sent = json.loads(json_text(page, '"messages"'))
    assert sent["messages"] == [{"role": "user", "content": "typed in the code editor"}]
