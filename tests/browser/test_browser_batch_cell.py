"""A Batch result opened from its cell in a real browser: the page's own request, case and
default checks run on the emulator (every cell PASS), and a click on a cell of the matrix (a
canvas grid) opens that result's reply, variables and checks under it."""

from __future__ import annotations

import os

import pytest
from browser_support import skip_without_browser, wait_idle

pytestmark = pytest.mark.viewport(1400, 1100)

skip_without_browser()
SHOTS = os.environ.get("COMET_TEST_SHOTS")  # a folder: keep a screenshot of the opened result


def test_a_click_on_a_cell_opens_its_reply_variables_and_checks(server, page):
    page.goto(server.url + "/batch")
    page.locator(".st-key-bat_go button").first.wait_for()
    wait_idle(page)
    page.locator(".st-key-bat_go button").first.click()
    page.get_by_text("2 passed, 0 failed, 0 errors").wait_for(timeout=60_000)
    wait_idle(page)
    grid = page.locator(".st-key-bat_matrix")
    grid.scroll_into_view_if_needed()
    assert page.locator(".st-key-bat_result").count() == 0
    box = grid.locator("canvas").first.bounding_box()  # the grid itself, under its toolbar
    # the header row, then case 1; the last column is the second target (OpenAI-compatible)
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + 35 + 17)
    result = page.locator(".st-key-bat_result")
    result.wait_for()
    text = result.inner_text()
    assert "PASS" in text and "case 1" in text and "OpenAI-compatible · gemini-2.5-flash" in text
    assert "Portugal" in text and "finish-reason" in text and "max-latency-ms" in text
    assert "You wrote" in text  # the emulator's reply
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "batch-cell.png"), full_page=True)
