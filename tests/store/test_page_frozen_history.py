"""The pages with a frozen PostgreSQL history (SIGSTOP of every process of a cluster of the test's
own: the kernel keeps its sockets open, so nothing on the wire says it is gone). The Playground keeps
drawing and sending within seconds, the banner says what waits, and the runs and the draft made
meanwhile are in the history once the server thaws (ui.recording's queue and writer thread)."""

from __future__ import annotations

import time

import psycopg
import pytest
from app_support import APP, no_exception, texts
from store_support import own_cluster
from streamlit.testing.v1 import AppTest

SECONDS = 2  # COMET_HISTORY_TIMEOUT: the store's own bound on a statement
PAGE_S = 3 * SECONDS + 8  # the first page after the freeze pays the store's bound once; slack for a busy machine
SEND_S = 8  # once the writer knows, a page waits for nothing the store holds


@pytest.fixture
def cluster(emulator, monkeypatch):
    monkeypatch.setenv("COMET_HISTORY_TIMEOUT", str(SECONDS))
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    with own_cluster() as made:
        monkeypatch.setenv("COMET_HISTORY_URL", made.url)
        yield made


def rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute(query).fetchall()


def timed(step):
    started = time.monotonic()
    at = no_exception(step())
    return at, time.monotonic() - started


def send(at: AppTest, prompt: str) -> tuple[AppTest, float, float]:
    """Type ``prompt`` and send it: the page, how long typing took, how long sending took."""
    at, typed = timed(lambda: at.text_area(key="pg_f_prompt").set_value(prompt).run())
    at, sent = timed(lambda: at.button(key="pg_send").click().run())
    shown = at.session_state["runs_results"]["pg_result"].value[0]
    assert shown.ok and shown.call.body["contents"][-1]["parts"][0]["text"] == prompt
    assert shown.text in texts(at.main, "markdown")  # the reply is on the page
    return at, typed, sent


def test_a_frozen_history_leaves_the_playground_drawing_and_sending_and_loses_nothing(cluster):
    at = no_exception(AppTest.from_file(APP, default_timeout=120).run())
    at, _, _ = send(at, "before the freeze")
    assert rows(cluster.url, "SELECT count(*) FROM runs") == [(1,)]
    cluster.freeze()
    try:
        at, typed, sent = send(at, "while frozen one")
        assert typed < PAGE_S and sent < SEND_S, (typed, sent)
        at, typed, sent = send(at, "while frozen two")
        assert typed < SEND_S and sent < SEND_S, (typed, sent)
        banner = texts(at, "warning")
        assert "History is off." in banner and "2 runs waiting" in banner and "sending still works" in banner
        other, took = timed(lambda: AppTest.from_file(APP, default_timeout=120).run())  # a new visitor
        assert took < SEND_S and "History is off." in texts(other, "warning"), took
    finally:
        cluster.thaw()
    deadline = time.monotonic() + 90
    while rows(cluster.url, "SELECT count(*) FROM runs") != [(3,)] and time.monotonic() < deadline:
        time.sleep(0.5)
    prompts = sorted(r[0] for r in rows(cluster.url, "SELECT prompt_preview FROM runs"))
    assert prompts == ["before the freeze", "while frozen one", "while frozen two"]
    draft = at.query_params["draft"]
    draft = draft[0] if isinstance(draft, list) else draft
    deadline = time.monotonic() + 30
    while "while frozen two" not in str(rows(cluster.url, f"SELECT data FROM drafts WHERE id = '{draft}'")):
        assert time.monotonic() < deadline, "the draft typed while frozen was not written after the thaw"
        time.sleep(0.5)
    at = no_exception(at.run())
    assert "History is off." not in texts(at, "warning")  # the writer got through: the banner goes
