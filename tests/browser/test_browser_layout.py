"""The pages as a new user meets them (issue 14), in a real browser: the reply stays in view
beside the form while it streams (1440x900 and 1280x720), a streamed OpenAI-compatible run shows
its tokens and cost, a stopped run shows its output count as unknown and its cost as partial,
and the sidebar's Check setup opens its matrix."""

from __future__ import annotations

import re

import pytest
from browser_support import json_code, json_text, skip_without_browser
from playwright.sync_api import expect
from test_browser_playground import button, pick_route, reply_text, send_and_wait, type_prompt

# the Playground's environment (tests/browser/test_browser_playground.py): the same server
pytestmark = pytest.mark.app_env(COMET_EMULATOR_TTFT_MS="20", COMET_EMULATOR_CHUNK_MS="60")

playwright_api = skip_without_browser()


def open_page(browser, url: str, width: int = 1400, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)  # a busy machine is slow; nothing here is a timing test
    page.goto(url)
    button(page, "pg_send").wait_for(timeout=120_000)
    page.get_by_label("Prompt", exact=True).wait_for()
    return context, page


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["height"] > 0 and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= height



def metric(page, label: str) -> str:
    """A value from the metrics tables under the reply."""
    for table in page.locator(".st-key-pg_answer table").all():
        heads = [h.inner_text().strip() for h in table.locator("th").all()]
        if label in heads:
            return table.locator("td").nth(heads.index(label)).inner_text().strip()
    raise AssertionError(f"no metric {label!r}")


@pytest.mark.parametrize("width, height", [(1440, 900), (1280, 720)])
def test_reply_and_send_are_both_in_view_while_streaming(browser, server, width, height):
    context, page = open_page(browser, server.url, width, height)
    try:
        type_prompt(page, "A long story please [[chunks=150]]")
        page.evaluate("document.querySelector('[data-testid=stMain]').scrollTo(0, 1e6)")  # the end of the page
        assert page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop") > 0
        send = button(page, "pg_send")
        assert in_view(page, send), send.bounding_box()  # at the top of the pinned reply column
        send.click()
        page.get_by_text("Streaming…").first.wait_for()
        page.wait_for_timeout(800)
        answer = page.locator(".st-key-pg_answer").first
        stop = button(page, "pg_stop")  # in Send's place while the reply streams
        assert in_view(page, stop), stop.bounding_box()
        assert in_view(page, answer), answer.bounding_box()
        words = page.locator(".st-key-pg_answer [data-testid=stMarkdown]").first  # the reply, not a button label
        assert in_view(page, words) and len(words.inner_text().split()) >= 3
        stop.click()  # stay in view after the run too
        page.get_by_text("Stopped.").wait_for()
        expect(send).to_be_visible()  # back in Stop's place once the page is redrawn
        assert in_view(page, answer) and in_view(page, send), send.bounding_box()
    finally:
        context.close()


@pytest.mark.parametrize("width, height", [(1440, 900), (1280, 720)])
def test_every_metric_of_a_reply_fits_its_column(browser, server, width, height):
    """The metrics tables under a reply stay inside the reply column: no cell cut off at its edge
    (the cost, the last of a row, is the one that was)."""
    context, page = open_page(browser, server.url, width, height)
    try:
        type_prompt(page, "Fit the numbers please")
        send_and_wait(page, server)
        column = page.locator(".st-key-pg_answer").first.bounding_box()
        cells = page.locator(".st-key-pg_answer table th, .st-key-pg_answer table td").all()
        assert len(cells) >= 18  # nine metrics or more, each a label and a value
        for cell in cells:
            box = cell.bounding_box()
            assert box["x"] + box["width"] <= column["x"] + column["width"] + 1, (cell.inner_text(), box, column)
        assert metric(page, "Cost").startswith("$")
    finally:
        context.close()


def test_the_reply_text_does_not_move_when_its_stream_ends(browser, server):
    """The streamed words stay where they were drawn when the stream ends and the finished reply
    (metrics, stamp) is drawn: the text's first line does not jump."""
    context, page = open_page(browser, server.url, 1440, 900)
    try:
        type_prompt(page, "Stay where you are please [[chunks=40]]")
        page.evaluate("""() => { window.__tops = [];
          const look = () => { const words = [...document.querySelectorAll('.st-key-pg_answer [data-testid=stMarkdown]')]
              .find(m => !/^(Streaming|Waiting|The reply|Stopped)/.test(m.innerText.trim())
                        && m.innerText.trim().split(/\\s+/).length >= 3);  // the reply's words, not the status line
            if (words) window.__tops.push(Math.round(words.getBoundingClientRect().top));
            window.__look = requestAnimationFrame(look); };
          window.__look = requestAnimationFrame(look); }""")
        send_and_wait(page, server)
        page.wait_for_timeout(500)
        tops = page.evaluate("() => { cancelAnimationFrame(window.__look); return window.__tops; }")
        streamed = [t for t in tops if t > 0]  # 0: the live reply gone, the finished one not yet drawn
        assert len(streamed) > 10, tops
        assert max(streamed) - min(streamed) <= 1, sorted(set(streamed), key=streamed.index)
    finally:
        context.close()


def test_streamed_openai_run_shows_tokens_and_cost(browser, server):
    context, page = open_page(browser, server.url)
    try:
        pick_route(page, "OpenAI-compatible")
        page.get_by_role("tab", name="JSON").click()
        body = json_text(page, '"include_usage"')
        assert '"include_usage": true' in body
        page.get_by_role("tab", name="Form").click()
        type_prompt(page, "Count my tokens [[chunks=6]]")
        send_and_wait(page, server)
        assert re.fullmatch(r"[\d,]+", metric(page, "Input tokens"))
        assert re.fullmatch(r"[\d,]+", metric(page, "Output tokens"))
        assert metric(page, "Cost").startswith("$")
    finally:
        context.close()


def test_stopped_run_shows_output_unknown_and_cost_partial(browser, server):
    context, page = open_page(browser, server.url)
    try:
        type_prompt(page, "A long one please [[chunks=200]]")
        button(page, "pg_send").click()
        page.get_by_text("Streaming…").first.wait_for()
        page.wait_for_timeout(1000)
        button(page, "pg_stop").click()
        page.get_by_text("Stopped.").wait_for(timeout=8_000)
        page.get_by_text("Output tokens").first.wait_for()
        output = metric(page, "Output tokens")
        assert re.fullmatch(r"unknown \(~[\d,]+ est\.\)", output), output
        assert "0" != output
        cost = metric(page, "Cost")
        assert re.fullmatch(r"≥ \$\d+\.\d{6} \(partial\)", cost), cost
        assert "was stopped before the service counted the output tokens" in reply_text(page)
    finally:
        context.close()


def test_check_setup_opens_the_matrix_from_the_sidebar(browser, server):
    context, page = open_page(browser, server.url)
    try:
        page.locator(".st-key-setup_open button").first.click()  # Streamlit also draws a hidden copy
        dialog = page.get_by_role("dialog")
        box = dialog.get_by_role("textbox", name="Models to try (comma-separated)")
        box.fill("gemini-2.5-flash, gpt-5.1")
        box.press("Tab")
        dialog.locator(".st-key-setup_run button").first.click()
        dialog.get_by_text("API key: accepted").wait_for()
        dialog.get_by_text("Spent ").first.wait_for()  # the last line: everything above is drawn
        text = dialog.inner_text()
        assert "not on this route" in text and "Confirm that the model ID is available" in text
    finally:
        context.close()


def test_switching_the_route_on_the_json_tab_stays_on_the_json_tab(browser, server):
    context, page = open_page(browser, server.url)
    try:
        page.get_by_role("tab", name="JSON").click()
        assert '"contents"' in json_text(page)
        pick_route(page, "OpenAI-compatible")
        assert json_code(page).is_visible() and '"messages"' in json_text(page, '"messages"')
        assert page.get_by_role("tab", name="JSON", selected=True).count() == 1
    finally:
        context.close()


def test_six_targets_stay_readable_and_every_column_is_complete_after_stop(browser, server):
    context, page = open_page(browser, server.url, 1440, 900)
    try:
        page.goto(server.url + "/compare")
        page.locator(".st-key-cmp_run button").first.wait_for(timeout=120_000)
        targets = page.get_by_label("Targets")
        targets.fill("6")
        targets.press("Enter")
        page.get_by_label("Model 6").wait_for()
        route = page.locator(".st-key-cmp_route_1").first
        assert route.bounding_box()["width"] >= 190  # room for "OpenAI-compatible", not "OpenAI-co"
        prompt = page.get_by_label("Prompt", exact=True)
        prompt.fill("Six at once [[chunks=300]]")
        prompt.press("Tab")
        page.wait_for_timeout(500)
        page.locator(".st-key-cmp_run button").first.click()
        lanes = [page.locator(f".st-key-cmp_lane_{i}").first for i in range(6)]
        page.wait_for_function("() => [0,1,2,3,4,5].every(i => (document.querySelector('.st-key-cmp_lane_' + i)"
                               " || {}).innerText?.includes('bravo'))")
        boxes = page.evaluate("() => [0,1,2,3,4,5].map(i => { const r = document.querySelector("
                              "'.st-key-cmp_lane_' + i).getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width}; })")
        assert min(b["w"] for b in boxes) >= 280, boxes  # a third of the page, not a sixth (one moment)
        assert len({round(b["y"]) for b in boxes}) == 2 and len({round(b["x"]) for b in boxes}) == 3, boxes
        page.locator(".st-key-cmp_stop button").first.click()
        page.get_by_text("6 of 6 targets did not finish").wait_for()
        for lane in lanes:  # each column completes without any further interaction: the browser
            for part in ("Stopped", "alpha bravo", "Attempts"):  # may paint the summary a frame first
                expect(lane).to_contain_text(part, timeout=15_000)
    finally:
        context.close()



def test_the_history_table_shows_prompt_and_reply_in_view_and_blank_cells_blank(browser, server):
    """Item 7: the columns people look for are on screen at 1440x900, not off to the right. The
    grid draws to a canvas, but it keeps an accessible table of the cells it has drawn: only the
    columns in view (the grid is virtualised), so those are the ones the test reads."""
    context, page = open_page(browser, server.url, 1440, 900)
    try:
        type_prompt(page, "Which columns are in view?")
        send_and_wait(page, server)
        page.goto(server.url + "/history")
        grid = page.locator('[data-testid="stDataFrame"]').first  # the runs table comes first
        grid.wait_for()
        grid.scroll_into_view_if_needed()
        headers = grid.locator("canvas table thead th")
        headers.first.wait_for(state="attached")
        shown = headers.all_inner_texts()
        total = int(grid.locator("canvas table").first.get_attribute("aria-colcount"))
        assert total > len(shown), (total, shown)  # virtualised: what is drawn is what is in view
        assert shown[:3] == ["Time (UTC)", "Prompt", "Reply"], shown  # the run's id is a rare column now
        newest = dict(zip(shown, grid.locator("canvas table tbody tr").first.locator("td").all_inner_texts()))
        assert newest["Prompt"] == "Which columns are in view?"
        assert newest["Reply"].startswith("gemini-2.5-flash here")
        assert newest["Group"] == "" and "None" not in newest.values(), newest  # a run of no comparison
    finally:
        context.close()
