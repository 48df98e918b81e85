"""The Playground's first screen as a workspace, at 1280x720 in Chromium (issue 29): what decides
a Send is in view without scrolling, a variable's field sits beside the prompt with Send's reason
in view, a sample prompt to start from, the Prompt library box stays open after a save, and a reply under
a newly imported request is marked as an earlier request's."""

from __future__ import annotations

import pytest
from browser_support import Server, browser_page, chromium, wait_idle
from test_browser_playground import button, open_app, send_and_wait, type_prompt

WIDTH, HEIGHT = 1280, 720


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app in demo mode, for this module's tests."""
    server = Server(tmp_path_factory.mktemp("workspace"), COMET_EMULATOR_TTFT_MS="5", COMET_EMULATOR_CHUNK_MS="5")
    yield server
    server.stop()


@pytest.fixture
def tab():
    with chromium() as browser, browser_page(browser, 40_000, viewport={"width": WIDTH, "height": HEIGHT}) as page:
        yield page


def in_view(page, locator) -> bool:
    """Wholly inside the window, with the page not scrolled."""
    box = locator.bounding_box()
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT and box["x"] + box["width"] <= WIDTH


def scrolled(page) -> int:
    return page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop")


def test_prompt_send_model_and_route_are_on_the_first_screen(tab, app):
    page = open_app(tab, app.url)
    assert scrolled(page) == 0
    for what in (page.get_by_label("Prompt", exact=True), button(page, "pg_send"),
                 page.get_by_role("combobox", name="Model"), page.get_by_role("radio", name="OpenAI-compatible"),
                 page.get_by_role("radio", name="Gemini native"), button(page, "pg_get_code")):
        assert in_view(page, what), what
    assert "Type a prompt first" in page.inner_text("body")
    button(page, "pg_sample").click()  # a sample to start from, with its variable filled
    wait_idle(page)
    page.locator(".st-key-pg_send button:not([disabled])").first.wait_for()
    assert "{{topic}}" in page.get_by_label("Prompt", exact=True).input_value()
    assert page.get_by_role("textbox", name="{{topic}}").input_value() == "how rainbows form"


def test_a_variables_field_and_send_blocked_reason_are_in_view_together(tab, app):
    page = open_app(tab, app.url)
    type_prompt(page, "What is the capital of {{country}}?")
    field = page.get_by_role("textbox", name="{{country}}")
    reason = page.locator(".st-key-pg_blocked")
    reason.wait_for()
    assert "Fill {{country}}" in reason.inner_text()
    assert button(page, "pg_send").is_disabled()
    assert scrolled(page) == 0 and in_view(page, field) and in_view(page, reason)
    field.fill("Peru")
    field.press("Tab")
    wait_idle(page)
    page.locator(".st-key-pg_send button:not([disabled])").first.wait_for()
    assert reason.count() == 0


def test_a_reply_under_a_newly_imported_request_is_marked_and_the_library_stays_open_after_a_save(tab, app):
    page = open_app(tab, app.url)
    type_prompt(page, "First question [[chunks=3]]")
    send_and_wait(page, app)
    assert "earlier request" not in page.locator(".st-key-pg_answer").inner_text()
    page.get_by_text("Import a curl command").click()
    box = page.get_by_role("textbox", name="curl command")
    box.fill("curl https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent "
             "-d '{\"contents\": [{\"parts\": [{\"text\": \"Imported question\"}]}]}'")
    box.press("Tab")
    wait_idle(page)
    page.locator(".st-key-pg_import button").first.click()
    page.get_by_text("Imported Gemini native").wait_for()
    wait_idle(page)
    assert "This reply is to an earlier request" in page.locator(".st-key-pg_answer").inner_text()
    send_and_wait(page, app)
    assert "earlier request" not in page.locator(".st-key-pg_answer").inner_text()

    page.locator("[data-testid=stExpander] summary").filter(has_text="Prompt library").first.click()
    wait_idle(page)
    name = page.get_by_role("textbox", name="Save as")
    name.fill("kept open")
    name.press("Tab")
    wait_idle(page)
    page.locator(".st-key-pst_save_as button").first.click()
    page.get_by_text("Saved kept open v1.").wait_for()
    wait_idle(page)
    page.wait_for_timeout(500)
    assert page.get_by_role("textbox", name="Save as").is_visible()  # the box did not fold
