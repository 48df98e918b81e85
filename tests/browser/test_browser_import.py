"""Bringing requests in and keeping them, in a real browser (Debian's chromium via Playwright,
``streamlit run app.py`` in a subprocess): a pasted curl command fills the editor (and the key
in it never shows); a prompt is saved, survives a reload and loads; two History runs are picked
and diffed; the JSON export carries each run's reproducibility stamp."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser_support import fill, json_text, open_playground, pick, skip_without_browser, wait_idle

import comet
from comet import Call, Route, simple_body
from comet.runs.stamp import request_hash

playwright_api = skip_without_browser()
KEY = "sk-pasted-into-the-browser-0042"


def click(page, key: str) -> None:
    page.locator(f".st-key-{key} button").first.click()
    wait_idle(page)


def json_tab(page, label: str) -> dict:
    page.get_by_role("tab", name="JSON").click()
    return json.loads(json_text(page, '"messages"' if label.startswith("OpenAI") else '"contents"'))


def test_pasting_a_curl_command_fills_the_editor(page, server):
    request = {"model": "gemini-2.5-pro", "stream": True, "temperature": 0.4,
               "messages": [{"role": "user", "content": "Hello from a pasted command"}]}
    command = ("curl -sS -N https://api.cometapi.com/v1/chat/completions \\\n"
               f"  -H 'Authorization: Bearer {KEY}' \\\n  -d '{json.dumps(request)}'\n")
    open_playground(page, server.url)
    page.get_by_text("Import a curl command").click()
    fill(page, "curl command", command)
    page.locator(".st-key-pg_import button").first.click()
    page.get_by_text("Imported OpenAI-compatible · gemini-2.5-pro · stream").wait_for()
    wait_idle(page)
    # the import's notes are said once: read them before the JSON tab's click reruns the page
    assert "dropped" in " ".join(page.locator("[data-testid=stAlert]").all_inner_texts())
    assert page.get_by_label("Prompt", exact=True).input_value() == "Hello from a pasted command"
    assert page.get_by_role("radio", name="OpenAI-compatible").is_checked()
    assert json_tab(page, "OpenAI-compatible") == request
    assert KEY not in page.content()
    assert "draft=" in page.url  # the imported request is the draft: it survives a reload
    page.reload()
    page.locator(".st-key-pg_send button").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert json_tab(page, "OpenAI-compatible") == request


def test_a_prompt_is_saved_survives_a_reload_and_loads(page, server):
    open_playground(page, server.url)
    fill(page, "Prompt", "A request worth keeping")
    saved = json_tab(page, "Gemini native")
    page.get_by_role("tab", name="Form").click()
    page.get_by_text("Prompt library", exact=True).click()
    fill(page, "Save as", "Keeper")
    fill(page, "Message", "from the browser")
    click(page, "pst_save_as")
    page.get_by_text("Saved Keeper v1. from the browser").wait_for()

    open_playground(page, server.url)  # no draft in the URL: a fresh, empty request
    assert page.get_by_label("Prompt", exact=True).input_value() == ""
    page.get_by_text("Prompt library", exact=True).click()
    pick(page, "Saved prompt", "Keeper · v1")
    click(page, "pst_load")
    page.get_by_text("Loaded Keeper v1. from the browser").wait_for()
    assert page.get_by_label("Prompt", exact=True).input_value() == "A request worth keeping"
    assert json_tab(page, "Gemini native") == saved


@pytest.fixture(scope="module")
def two_runs(server, emulator):
    """Two real runs from the test emulator, recorded in the app's history store."""
    from comet.http.client import Client
    from comet.store import open_store

    store = open_store(server.history)
    with Client(emulator.base_url, "test-key") as client:
        exchanges = [client.send(Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "crimson river"))),
                     client.send(Call(Route.GEMINI, "gemini-2.5-pro", simple_body("gemini", "silver river")))]
    ids = [store.record(ex) for ex in exchanges]
    store.close()
    return ids, exchanges


def test_two_history_runs_are_picked_and_diffed(page, server, two_runs):
    (a, b), _ = two_runs
    page.goto(server.url + "/history")
    page.get_by_text("Diff two runs").wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_text("Diff two runs").click()
    pick(page, "Run A", re.compile(rf"^#{a} ·"))
    pick(page, "Run B", re.compile(rf"^#{b} ·"))
    page.get_by_text("Metrics", exact=True).wait_for()
    assert page.get_by_text(re.compile(r"Replies: \d+% the same, word by word")).is_visible()
    page.locator("del").first.wait_for()  # the word diff is drawn after its caption
    page.locator("ins").first.wait_for()
    deleted = " ".join(page.locator("del").all_inner_texts())
    inserted = " ".join(page.locator("ins").all_inner_texts())
    assert "crimson" in deleted and "silver" in inserted


def test_the_json_export_carries_each_runs_stamp(page, server, two_runs):
    ids, exchanges = two_runs
    page.goto(server.url + "/history")
    page.locator(".st-key-hist_export_json button").first.wait_for(timeout=60_000)
    wait_idle(page)
    with page.expect_download() as info:
        page.locator(".st-key-hist_export_json button").first.click()
    rows = {r["id"]: r for r in json.loads(Path(info.value.path()).read_text(encoding="utf-8"))}
    for run_id, exchange in zip(ids, exchanges):
        row = rows[run_id]
        assert row["request_hash"] == request_hash(exchange.call)
        assert row["app_version"] == comet.__version__
        assert row["served_model"] == exchange.reply.model_version
        assert row["response_id"] == exchange.reply.response_id
