"""Compare and History in a real browser: ``streamlit run app.py`` in demo mode, driven by
Playwright on Debian's chromium. What AppTest cannot see: both columns filling at the same
time, the History table as the browser draws it, and the CSV file a click downloads."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest
from browser_support import Server, skip_without_browser, wait_idle

# chunks slow enough to watch two columns fill together
pytestmark = [pytest.mark.app_env(COMET_EMULATOR_TTFT_MS="20", COMET_EMULATOR_CHUNK_MS="40"),
              pytest.mark.viewport(1500, 1100), pytest.mark.shared_page]

playwright_api = skip_without_browser()


def visit(page, server: Server, path: str) -> None:
    """Open a page of the app. The first visit of the module goes straight to a page URL of a
    fresh server, which must still run inside app.py (its sidebar says where requests go)."""
    page.goto(server.url + path)
    page.get_by_text("Demo · emulator").first.wait_for()  # the sidebar's status chip
    wait_idle(page)


def type_prompt(page, text: str) -> None:
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill(text)
    prompt.press("Tab")  # commit the text area (Streamlit applies it on blur)
    wait_idle(page)
    assert prompt.input_value() == text


def lane_text(page, i: int) -> str:
    return page.locator(f".st-key-cmp_lane_{i}").inner_text()


def test_a_comparison_of_the_two_routes_streams_side_by_side(server, page):
    visit(page, server, "/compare")
    type_prompt(page, "Side by side please [[chunks=60]]")
    page.locator(".st-key-cmp_run button").first.click()
    # both columns hold streamed text at the same moment, before either has finished
    both = None
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        a, b = lane_text(page, 0), lane_text(page, 1)
        if "bravo" in a and "bravo" in b and "Attempts" not in a + b:  # the emulator's words: alpha bravo ...
            both = (a, b)
            break
        time.sleep(0.05)
    assert both, "the two columns never streamed at the same time"
    assert "Gemini native · gemini-2.5-flash" in both[0]
    assert "OpenAI-compatible · gemini-2.5-flash" in both[1]
    summary = page.get_by_text("Fastest first token:")
    summary.wait_for()
    for i in (0, 1):
        final = lane_text(page, i)
        assert "Finish" in final and "Attempts" in final
        assert len(final.split("Finish")[0].split()) > 60  # the whole reply: 60 words and the label


def test_the_history_page_shows_the_rows_and_the_csv_holds_them(server, page):
    visit(page, server, "/history")
    page.get_by_text("2 runs match").wait_for()  # the comparison of the first test
    grid = page.locator('[data-testid="stDataFrame"]').first  # the runs table; the chart's tables follow
    grid.wait_for()
    with page.expect_download() as info:
        page.locator(".st-key-hist_export_csv button").first.click()
    data = Path(info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == 2
    assert {r["route"] for r in rows} == {"gemini", "openai"}
    assert all("Side by side please" in r["prompt"] for r in rows)
    assert rows[0]["group_id"] and rows[0]["group_id"] == rows[1]["group_id"]
    assert "sk-" not in data and "Bearer" not in data


def test_stop_ends_every_column_and_keeps_the_partial_text(server, page):
    visit(page, server, "/compare")
    type_prompt(page, "A long one [[chunks=400]]")
    page.locator(".st-key-cmp_run button").first.click()
    page.wait_for_function("() => ['cmp_lane_0', 'cmp_lane_1'].every(k => "
                           "(document.querySelector('.st-key-' + k) || {}).innerText?.includes('bravo'))")
    t0 = time.monotonic()
    page.locator(".st-key-cmp_stop button").first.click()
    page.get_by_text("2 of 2 targets did not finish").wait_for()
    assert time.monotonic() - t0 < 8  # 400 chunks would take 16 s
    for i in (0, 1):
        text = lane_text(page, i)
        assert "Stopped" in text and "alpha bravo" in text


def test_a_share_link_opens_the_request_in_the_playground(server, page):
    from comet import Call, Route, simple_body
    from comet.tools import share

    call = Call(Route.OPENAI, "gemini-2.5-pro", simple_body("openai", "opened from a link"), stream=True)
    page.goto(server.url + "/history?share=" + share.encode(call))
    page.wait_for_url(re.compile(r"/\?draft="), timeout=60_000)  # the Playground is the app's root page
    expect = playwright_api.expect
    # the Playground draws the editor after the redirect: wait for it as long as for the redirect
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("opened from a link", timeout=60_000)
    expect(page.locator("input[aria-label=Model]").first).to_have_value(re.compile("^gemini-2.5-pro"))
