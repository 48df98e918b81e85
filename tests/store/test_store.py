"""The store gives back the Exchange the client produced, and the History page draws it with the
Playground's reply renderer (grounding, function calls, schema verdict)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from app_support import APP, TIMEOUT, no_exception, texts
from streamlit.testing.v1 import AppTest

from comet import Call, Route, simple_body
from comet.core.exchange import Exchange, Reply, Timing
from comet.store import Run, SQLiteStore, Store, open_store
from comet.store.sqlite import MIGRATIONS

SEARCH = {"contents": [{"role": "user", "parts": [{"text": "Who designed the Eiffel Tower?"}]}],
          "tools": [{"googleSearch": {}}]}
WEATHER = {"name": "get_weather", "description": "Weather in a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
FUNCTION = {"contents": [{"role": "user", "parts": [{"text": "Weather in Oslo?"}]}],
            "tools": [{"functionDeclarations": [WEATHER]}],
            "toolConfig": {"functionCallingConfig": {"mode": "ANY"}}}
SCHEMA = {"type": "object", "properties": {"colour": {"type": "string"}}, "required": ["colour"]}
STRUCTURED = {"contents": [{"role": "user", "parts": [{"text": "Name a colour"}]}],
              "generationConfig": {"responseMimeType": "application/json", "responseJsonSchema": SCHEMA}}


def calls() -> list[Call]:
    plain = [Call(route, "gemini-2.5-flash", simple_body(route, "Say hi to the store"), stream=stream)
             for route in (Route.GEMINI, Route.OPENAI) for stream in (False, True)]
    features = [Call(Route.GEMINI, "gemini-2.5-flash", body, stream=stream)
                for body in (SEARCH, FUNCTION, STRUCTURED) for stream in (False, True)]
    faults = [Call(Route.GEMINI, model, simple_body("gemini", "fail"), stream=True)
              for model in ("fault-server-error", "fault-drop-stream", "fault-rate-limit")]
    return plain + features + faults


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "h.sqlite3")
    yield opened
    opened.close()


def test_a_sqlite_store_is_a_store(store):
    assert isinstance(store, Store) and isinstance(store, SQLiteStore)


def test_every_stored_run_rebuilds_the_exchange_the_client_produced(emulator, store, canary_key):
    from comet.http.client import Client, RetryPolicy

    with Client(emulator.base_url, canary_key, retry=RetryPolicy(attempts=1)) as client:
        runs = [client.send(call) for call in calls()]
    assert runs[4].reply.grounding and runs[6].reply.function_calls and not runs[-1].ok  # the cases hold
    ids = [store.record(ex, group_id="g", label=f"t{i}", cost=0.001 * i) for i, ex in enumerate(runs)]
    back = [store.get(i) for i in ids]
    assert [r.exchange for r in back] == runs
    assert [(r.id, r.group_id, r.label, r.cost) for r in back] == [
        (i, "g", f"t{n}", 0.001 * n) for n, i in enumerate(ids)]
    assert back[0].exchange.base_url == emulator.base_url and back[0].status == "ok"
    assert back[-1].status == "error" and back[-1].created_at == runs[-1].timing.started_at
    assert store.get(max(ids) + 1) is None


def test_the_base_url_is_kept_without_user_or_password(store):
    call = Call(Route.GEMINI, "m", simple_body("gemini", "hi"))
    ex = Exchange(call, "https://user:secret@proxy.example.com:8443/comet", 200, Reply(text="ok"), None,
                  Timing(started_at=1.0, ttfb_ms=12.5))
    back = store.get(store.record(ex)).exchange
    assert back.base_url == "https://proxy.example.com:8443/comet" and back.timing.ttfb_ms == 12.5
    assert back == Exchange(call, "https://proxy.example.com:8443/comet", 200, Reply(text="ok"), None,
                            Timing(started_at=1.0, ttfb_ms=12.5))
    on_disk = b"".join(p.read_bytes() for p in Path(store.path).parent.glob(Path(store.path).name + "*"))
    assert b"secret" not in on_disk and b"proxy.example.com" in on_disk


def test_a_run_stored_before_the_exchange_was_comes_back_with_what_was_kept(tmp_path):
    path = tmp_path / "v3.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:3]:
        step(db)
    db.execute("PRAGMA user_version = 3")
    db.execute("INSERT INTO runs (id, created_at, route, model, host, status, http_status, finish_reason, "
               "attempts, stream) VALUES (1, 5.0, 'gemini', 'm', '127.0.0.1:9', 'ok', 200, 'stop', 1, 0)")
    db.execute("INSERT INTO run_details (run_id, prompt, reply, thoughts, request_json) VALUES "
               "(1, 'old', 'an old reply', '', '{\"contents\": []}')")
    db.close()
    with SQLiteStore(path) as store:
        run = store.get(1)
    assert run == Run(1, Exchange(Call(Route.GEMINI, "m", {"contents": []}), "http://127.0.0.1:9", 200,
                                  Reply(text="an old reply", finish_reason="stop"), None, Timing(started_at=5.0)))


# ---- one renderer everywhere -----------------------------------------------------------------------

def shown_run(emulator, body: dict) -> tuple[AppTest, Exchange]:
    from comet.http.client import Client
    from comet.store import default_path

    with Client(emulator.base_url, "test-key") as client:
        ex = client.send(Call(Route.GEMINI, "gemini-2.5-flash", body))
    run_id = open_store(default_path()).record(ex)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at = no_exception(at.switch_page("pages/history.py").run())
    return no_exception(at.selectbox(key="hist_run").set_value(run_id).run()), ex


def test_history_shows_grounding_sources(on_emulator):
    at, ex = shown_run(on_emulator, SEARCH)
    shown = texts(at.main, "markdown")
    assert "**Sources** (Google Search grounding)" in shown
    first = ex.reply.grounding["groundingChunks"][0]["web"]
    assert first["uri"] in shown
    assert "Searched for: " in texts(at, "caption")


def test_history_shows_function_calls(on_emulator):
    at, ex = shown_run(on_emulator, FUNCTION)
    assert "**Function call** `get_weather`" in texts(at.main, "markdown")
    assert ex.reply.function_calls[0].args["city"] in texts(at, "json")


def test_history_shows_the_schema_verdict(on_emulator):
    at, _ = shown_run(on_emulator, STRUCTURED)
    assert "Valid: the reply matches the schema." in texts(at, "success")


def test_history_request_tab_uses_the_stored_base_url(on_emulator):
    at, _ = shown_run(on_emulator, STRUCTURED)
    assert f"POST {on_emulator.base_url}/v1beta/models/gemini-2.5-flash:generateContent" in texts(at, "code")
