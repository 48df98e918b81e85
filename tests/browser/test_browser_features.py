"""The Gemini-native features in a real browser (issue 6): upload an image, set a thinking
budget with thought summaries, switch Google Search grounding on, send on the Gemini route,
and find the thoughts, the sources and the answer on the page. ``streamlit run app.py`` as a
subprocess in demo mode, Playwright on Debian's chromium (the helpers of
tests/browser/test_browser_playground.py)."""

from __future__ import annotations

import json

import pytest
from browser_support import json_text
from snippet_golden import CAT
from test_browser_playground import button, expand, open_app, send_and_wait, type_prompt, wait_idle

pytestmark = pytest.mark.app_env(COMET_EMULATOR_TTFT_MS="5", COMET_EMULATOR_CHUNK_MS="5")


def test_image_thinking_budget_and_grounding_show_thoughts_sources_and_answer(page, server, tmp_path):
    image = tmp_path / "cat.png"
    image.write_bytes(CAT.data)
    open_app(page, server.url)
    assert page.get_by_role("radio", name="Gemini native").is_checked()

    expand(page, "Media")  # its controls are drawn once it is open
    page.locator(".st-key-pg_upload_0 input[type=file]").set_input_files(str(image))
    page.get_by_text("in the request as <attachment:cat.png>").wait_for()
    page.locator("[data-testid=stImage] img").first.wait_for(state="visible")  # the preview

    expand(page, "Thinking")
    page.get_by_text("Budget", exact=True).click()  # a custom budget: 1024, within 0 to 24576
    wait_idle(page)
    page.get_by_text("Include thoughts", exact=True).click()
    wait_idle(page)
    page.get_by_text("Google Search grounding", exact=True).click()
    wait_idle(page)
    type_prompt(page, "What is in this picture of Paris?")

    page.get_by_role("tab", name="JSON").click()
    sent = json.loads(json_text(page, "thinkingConfig"))
    assert sent["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 1024, "includeThoughts": True}
    assert sent["tools"] == [{"googleSearch": {}}]
    assert {"inlineData": {"mimeType": "image/png", "data": "<attachment:cat.png>"}} in sent["contents"][-1]["parts"]
    page.get_by_role("tab", name="Form").click()

    shown = send_and_wait(page, server)
    assert "I received an image (image/png" in shown  # the answer
    assert "Sources (Google Search grounding)" in shown and "example.com" in shown and "example.org" in shown
    assert page.locator(".st-key-pg_answer a[href^='https://example.com/search']").count() == 1
    assert "Searched for" in shown
    answer = page.locator(".st-key-pg_answer")
    answer.locator("[data-testid=stExpander] summary").filter(has_text="Thoughts").first.click()
    thoughts = answer.locator("[data-testid=stExpander]").filter(has_text="Thoughts").first.inner_text()
    assert "Planning the reply" in thoughts and "thinking tokens" in thoughts
    assert "check what the web sources say" in thoughts
    assert button(page, "pg_send").is_enabled()
