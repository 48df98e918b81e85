"""The Playground in a real browser: ``streamlit run app.py`` as a subprocess, driven by
Playwright on Debian's chromium. What AppTest cannot see: typing, the combobox, Ctrl+Enter,
a reply streaming in, Stop pressed mid-stream, and the HTML that actually reaches a browser."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from browser_support import Server, skip_without_browser, wait_idle
from browser_support import json_text as code_text  # the test has a json_text of its own
from keys import CANARY_KEY

from comet.store.history import History

# demo mode (no key), with chunks slow enough to press Stop mid-stream
pytestmark = pytest.mark.app_env(COMET_EMULATOR_TTFT_MS="20", COMET_EMULATOR_CHUNK_MS="60")

playwright_api = skip_without_browser()


def open_app(page, url: str):
    page.goto(url)
    button(page, "pg_send").wait_for()
    return page


def button(page, key: str):
    """A page button by its widget key (Streamlit's own toolbar has a "Stop" button too)."""
    return page.locator(f".st-key-{key} button").first  # Streamlit also draws a hidden copy


def pick_model(page, model: str) -> None:
    box = page.get_by_role("combobox", name="Model")
    box.click()
    box.fill(model)
    box.press("Enter")
    page.wait_for_function(
        "m => [...document.querySelectorAll('input[aria-label=Model]')].some(i => i.value.startsWith(m))", arg=model)
    wait_idle(page)


def pick_route(page, label: str) -> None:
    page.get_by_text(label, exact=True).click()
    page.get_by_role("radio", name=label).wait_for(state="attached")
    page.wait_for_function("l => [...document.querySelectorAll('input[type=radio]')]"
                           ".some(r => r.checked && r.closest('label').innerText.includes(l))", arg=label)
    wait_idle(page)


def type_prompt(page, text: str) -> None:
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill(text)
    prompt.press("Tab")  # commit the text area (Streamlit applies it on blur)
    wait_idle(page)


def open_code(page):
    """Open the Get code dialog and return it (the code is drawn only while it is open)."""
    button(page, "pg_get_code").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("[data-testid=stCode]").first.wait_for()
    return dialog


def expand(page, label: str) -> None:
    """Open the expander labelled ``label`` and wait for what it draws."""
    page.locator("[data-testid=stExpander] summary").filter(has_text=label).first.click()
    wait_idle(page)


def reply_text(page) -> str:
    return page.locator(".st-key-pg_answer").inner_text()


def send_and_wait(page, server: Server, send=None) -> str:
    """Send (by the button, or ``send``) and wait until the run is recorded and drawn."""
    before = len(history_rows(server.history))
    (send or button(page, "pg_send").click)()
    deadline = time.monotonic() + 20
    while len(history_rows(server.history)) == before:
        assert time.monotonic() < deadline, "the run was not recorded"
        time.sleep(0.05)
    wait_drawn(page)
    return reply_text(page)


def wait_drawn(page) -> None:
    """Wait until a finished run is drawn whole: its metrics shown and Stop gone again (it is
    shown only while a reply streams)."""
    page.wait_for_function(
        "() => { const a = document.querySelector('.st-key-pg_answer');"
        " const stop = document.querySelector('.st-key-pg_stop button');"
        " return a && stop && stop.offsetParent === null && a.innerText.includes('Served model')"
        " && !a.innerText.includes('Waiting for the first token') && !a.innerText.includes('Streaming…'); }")


def history_rows(path: Path) -> list:
    from comet.store.history import History

    return list(History(str(path)).query())


def test_send_on_gemini_streams_the_reply_and_shows_the_snippet(page, server):
    open_app(page, server.url)
    assert page.get_by_text("Demo · emulator").first.is_visible()  # the sidebar's status chip
    pick_model(page, "gemini-2.5-pro")
    pick_route(page, "Gemini native")
    type_prompt(page, "Tell me about streams [[chunks=30]]")
    text = send_and_wait(page, server, lambda: (button(page, "pg_send").click(),
                                               page.get_by_text("Streaming…").first.wait_for()))  # in pieces
    assert "TTFT" in text and "Served model" in text
    assert len(re.findall(r"\w+", text.split("Finish")[0])) >= 20
    code = open_code(page).locator("[data-testid=stCode]").first.inner_text()
    assert "https://api.cometapi.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse" in code
    assert "$COMETAPI_KEY" in code


def test_send_on_openai_with_a_typed_model_id(page, server):
    open_app(page, server.url)
    pick_route(page, "OpenAI-compatible")
    pick_model(page, "my-own-model-id")
    page.get_by_role("tab", name="JSON").click()
    json_text = code_text(page, '"my-own-model-id"')
    assert '"model": "my-own-model-id"' in json_text
    page.get_by_role("tab", name="Form").click()
    type_prompt(page, "Hello from the other route")
    shown = send_and_wait(page, server)
    # the emulator does not know the model: the error is shown with its fix, and the app lives on
    assert "not_found" in shown and "Fix:" in shown
    pick_model(page, "gemini-2.5-flash")
    shown = send_and_wait(page, server, lambda: page.keyboard.press("Control+Enter"))  # the shortcut
    assert "gemini-2.5-flash" in shown and "not_found" not in shown
    dialog = open_code(page)
    dialog.get_by_role("tab", name="Python SDK").click()
    sdk = dialog.locator("[data-testid=stCode]").filter(has_text="OpenAI(").first.inner_text()
    assert "https://api.cometapi.com/v1" in sdk and "gemini-2.5-flash" in sdk


def test_stop_mid_stream_keeps_and_records_the_partial_text(page, server):
    from comet.store.history import History

    open_app(page, server.url)
    type_prompt(page, "A long one please [[chunks=200]]")  # 200 chunks, 60 ms apart: 12 s
    before = len(history_rows(server.history))
    button(page, "pg_send").click()
    page.get_by_text("Streaming…").first.wait_for()
    page.wait_for_timeout(1000)
    button(page, "pg_stop").click()
    page.get_by_text("Stopped.").wait_for(timeout=5_000)
    shown = reply_text(page)
    rows = history_rows(server.history)
    assert len(rows) == before + 1 and rows[0]["status"] == "stopped"
    run = History(str(server.history)).get(rows[0]["id"])
    words = run["reply"].split()
    assert 5 < len(words) < 150  # partial: well short of the 200 chunks
    assert " ".join(words[:5]) in shown  # the partial text stays on the page

    # and before the first byte: fault-slow is silent for 30 s
    pick_model(page, "fault-slow")
    button(page, "pg_send").click()
    page.get_by_text("Waiting for the first token").first.wait_for()
    started = time.monotonic()
    button(page, "pg_stop").click()
    page.get_by_text("Stopped.").wait_for(timeout=5_000)
    assert time.monotonic() - started < 5
    rows = history_rows(server.history)
    assert len(rows) == before + 2 and rows[0]["status"] == "stopped" and rows[0]["model"] == "fault-slow"


def test_canary_key_is_nowhere_in_html_snippets_history_or_logs(browser, emulator, tmp_path):
    server = Server(tmp_path, COMETAPI_KEY=CANARY_KEY, COMETAPI_BASE_URL=emulator.base_url)
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        open_app(page, server.url)
        assert page.get_by_text(f"Requests go to {emulator.base_url}").first.is_visible()
        type_prompt(page, "hello with a real key")
        button(page, "pg_send").click()
        page.get_by_text("Served model").wait_for()
        pick_model(page, "fault-html")
        button(page, "pg_send").click()
        page.get_by_text("Raw error body").wait_for(timeout=20_000)
        pick_route(page, "OpenAI-compatible")
        pick_model(page, "gemini-2.5-flash")
        button(page, "pg_send").click()
        page.get_by_text("Served model").wait_for()
        for label in ("Request", "Raw response (chunks with arrival times)"):
            page.get_by_text(label, exact=True).first.click()
        html = page.content()
        snippets = []
        dialog = open_code(page)
        for tab in ("curl", "Python", "Python SDK", "Node", "Node SDK"):
            dialog.get_by_role("tab", name=tab, exact=True).click()
            snippets.append(dialog.locator("[data-testid=stCode]").filter(has_text="COMETAPI_KEY").first.inner_text())
            html += page.content()
    finally:
        context.close()
        server.stop()
    assert "Bearer" in html and all("COMETAPI_KEY" in s for s in snippets)
    assert CANARY_KEY not in html
    assert not any(CANARY_KEY in s for s in snippets)
    assert CANARY_KEY not in server.log.read_text()
    dbs = list(tmp_path.glob("*.sqlite3*"))
    assert any(p.name.startswith("history") for p in dbs)
    for db in dbs:
        assert CANARY_KEY.encode() not in db.read_bytes(), db.name
    assert len(history_rows(server.history)) == 3


def _wait_recorded(server: Server, before: int) -> dict:
    deadline = time.monotonic() + 20
    while len(rows := history_rows(server.history)) == before:
        assert time.monotonic() < deadline, "the run was not recorded"
        time.sleep(0.05)
    assert len(rows) == before + 1, "one Send, one run"
    return rows[0]


@pytest.mark.parametrize("how", ["instant click", "held click", "Ctrl+Enter"])
def test_send_sends_exactly_what_is_in_the_prompt_box(page, server, how):
    """Type, then Send at once, with no pause to let the box commit: the run (on the wire and in
    History) has the new prompt every time, and the box keeps it. A hand holds the mouse button
    for about a tenth of a second, so the box's blur and the click reach the server as two
    messages; Ctrl+Enter is pressed inside the box, before any blur."""
    open_app(page, server.url)
    prompt = page.get_by_label("Prompt", exact=True)
    for i in range(6):
        text = f"{how} number {i}: the {['cat', 'dog', 'owl', 'elk', 'yak', 'emu'][i]} runs"
        before = len(history_rows(server.history))
        prompt.fill(text)  # no Tab: the click (or the shortcut) is what commits the box
        if how == "Ctrl+Enter":
            prompt.press("Control+Enter")
        else:
            button(page, "pg_send").click(delay=120 if how == "held click" else 0)
        row = _wait_recorded(server, before)
        run = History(str(server.history)).get(row["id"])
        assert run["prompt"] == text
        assert text in json.dumps(run["request"])  # what went on the wire
        wait_drawn(page)  # the run's last redraw too: the next prompt is typed after it, as by a hand
        assert prompt.input_value() == text
