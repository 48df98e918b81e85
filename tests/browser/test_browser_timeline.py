"""The stream timeline in a real browser (Debian's chromium via Playwright, ``streamlit run
app.py`` in demo mode): Vega-Lite draws the chart under a Playground reply, under the same run
reopened in History, and Compare's targets on one time axis. What AppTest cannot see: that the
browser renders the spec (axes titled, one lane per target, a visible drawing)."""

from __future__ import annotations

import os
import re

import pytest
from browser_support import pick, skip_without_browser, wait_idle

pytestmark = [pytest.mark.app_env(COMET_EMULATOR_TTFT_MS="30", COMET_EMULATOR_CHUNK_MS="25"),
              pytest.mark.viewport(1500, 1200), pytest.mark.shared_page]

playwright_api = skip_without_browser()
SHOTS = os.environ.get("COMET_TIMELINE_SHOTS")  # a folder: keep screenshots of each chart to look at


def open_timeline(page, label: str, name: str):
    """Expand the timeline expander and wait for Vega to draw; returns the expander."""
    box = page.locator('[data-testid="stExpander"]').filter(has=page.get_by_text(label, exact=True)).last
    if box.locator("details[open]").count() == 0 and box.get_attribute("open") is None:
        summary = box.locator("summary").first
        if summary.get_attribute("aria-expanded") != "true":
            summary.click()
    chart = box.locator(".vega-embed").first  # the lanes; the tokens per second are below
    chart.wait_for()
    page.wait_for_function("el => { const c = el.querySelector('.marks');"
                           " return c && c.getBoundingClientRect().width > 200 && c.getBoundingClientRect().height > 60; }",
                           arg=chart.element_handle())
    if SHOTS:
        box.screenshot(path=os.path.join(SHOTS, f"{name}.png"))
    return box


def run_prompt(page, url: str, button: str, text: str) -> None:
    """Open the page, type the prompt and press its run button."""
    page.goto(url)
    page.locator(f".st-key-{button} button").first.wait_for()
    wait_idle(page)
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill(text)
    prompt.press("Tab")  # commit the text area (Streamlit applies it on blur)
    wait_idle(page)
    page.locator(f".st-key-{button} button").first.click()


def summary(text: str) -> str:
    return re.search(r"\d+ chunks · first byte .*? tokens/s", text).group(0)


def test_playground_then_history_show_the_timeline(server, page):
    run_prompt(page, server.url, "pg_send", "Draw my stream [[chunks=15]]")
    page.wait_for_function("() => (document.querySelector('.st-key-pg_answer') || {}).innerText?.includes('Served model')")
    wait_idle(page)
    box = open_timeline(page, "Timeline", "playground")
    caption = box.inner_text()
    assert re.search(r"15 chunks · first byte \d+ ms · first token \d+ ms · end \d+ ms · \d+ stalls? over 500 ms", caption)
    for drawn in ("Chunk arrivals", "this run", "ms since the request started", "Tokens per second"):
        assert drawn in caption  # Vega draws its titles and axes as SVG text

    page.goto(server.url + "/history")
    page.get_by_text("1 run matches").or_(page.get_by_text("1 runs match")).first.wait_for()
    pick(page, "Run", re.compile("gemini"))
    reopened = open_timeline(page, "Timeline", "history")
    assert summary(reopened.inner_text()) == summary(caption)  # the same stored times: the same numbers


def test_compare_puts_both_targets_on_one_time_axis(server, page):
    run_prompt(page, server.url + "/compare", "cmp_run", "Race me [[chunks=10]]")
    page.get_by_text("Fastest first token:").wait_for()
    wait_idle(page)
    box = open_timeline(page, "Timeline of the streams", "compare")
    text = box.inner_text()
    assert re.search(r"Gemini native · gemini-2\.5-flash: 10 chunks · first byte \d+ ms", text)
    # OpenAI's stream adds the role chunk, the finish chunk and the usage chunk
    assert re.search(r"OpenAI-compatible · gemini-2\.5-flash: 13 chunks · first byte \d+ ms", text)
    assert box.locator(".vega-embed").count() == 2  # the lanes and the tokens per second
