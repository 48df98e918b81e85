"""Bringing requests in, in a real browser (Debian's chromium via Playwright, ``streamlit run
app.py`` in a subprocess): a curl command pasted into the Import box fills the editor, and the
page never shows the key written in it."""

from __future__ import annotations

import json

import pytest

from browser_support import Server, launch, skip_without_browser

pytestmark = pytest.mark.browser

playwright_api = skip_without_browser()
KEY = "sk-pasted-into-the-browser-0042"


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("import"))
    yield s
    s.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def wait_idle(page) -> None:
    page.wait_for_timeout(200)
    page.wait_for_function("() => document.querySelector('.stApp')"
                           ".getAttribute('data-test-script-state') !== 'running'")


def test_pasting_a_curl_command_fills_the_editor(page, server):
    request = {"model": "gemini-2.5-pro", "stream": True, "temperature": 0.4,
               "messages": [{"role": "user", "content": "Hello from a pasted command"}]}
    command = ("curl -sS -N https://api.cometapi.com/v1/chat/completions \\\n"
               f"  -H 'Authorization: Bearer {KEY}' \\\n  -d '{json.dumps(request)}'\n")
    page.goto(server.url)
    page.locator(".st-key-pg_send button").first.wait_for(timeout=60_000)  # a cold server on a busy machine
    page.get_by_text("Import a curl command").click()
    box = page.get_by_role("textbox", name="curl command")
    box.fill(command)
    box.press("Tab")
    wait_idle(page)
    page.locator(".st-key-pg_import button").first.click()
    page.get_by_text("Imported OpenAI-compatible · gemini-2.5-pro · stream").wait_for()
    wait_idle(page)
    assert page.get_by_label("Prompt", exact=True).input_value() == "Hello from a pasted command"
    assert page.get_by_role("radio", name="OpenAI-compatible").is_checked()
    page.get_by_role("tab", name="JSON").click()
    shown = json.loads(page.get_by_role("textbox", name="OpenAI-compatible request body").input_value())
    assert shown == request
    assert "dropped" in page.locator("[data-testid=stAlert]").all_inner_texts().__str__()
    assert KEY not in page.content()
    assert "draft=" in page.url  # the imported request is the draft: it survives a reload
    page.reload()
    page.locator(".st-key-pg_send button").first.wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_role("tab", name="JSON").click()
    again = json.loads(page.get_by_role("textbox", name="OpenAI-compatible request body").input_value())
    assert again == request
