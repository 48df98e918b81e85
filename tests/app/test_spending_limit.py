"""The spending limit in the app: once the person's spend in the window has reached
COMET_USER_BUDGET_USD, Send, Compare, Batch and Check setup are refused before anything is sent,
saying spent, limit and when the oldest spend leaves the window; a key typed in the sidebar sends
anyway; below the limit a send goes out. The Usage page shows the person's own spend."""

from __future__ import annotations


import pytest
from app_support import no_exception, start, texts

from comet import Call, Route, simple_body
from comet.core.identity import os_login
from comet.store import open_store


@pytest.fixture
def deployment(make_emulator, monkeypatch):
    """The deployment's key on an emulator standing in for CometAPI, a limit of 10 cents, and
    this person's run costing 12 cents just now."""
    from comet.http.client import Client

    emu = make_emulator(ttft_ms=1, chunk_ms=1)
    monkeypatch.setenv("COMETAPI_BASE_URL", emu.base_url)
    monkeypatch.setenv("COMETAPI_KEY", "team-key")
    monkeypatch.setenv("COMET_USER_BUDGET_USD", "0.10")
    with Client(emu.base_url, "team-key") as client, open_store() as store:
        store.record(client.send(Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "spent"))),
                     cost=0.12, created_by=os_login())
    emu.clear()
    return emu


def _sent(emu) -> list[str]:
    return [r.path for r in emu.received if not r.path.rstrip("/").endswith("models")]


def _errors(at) -> str:
    return texts(at, "error")


def test_over_the_limit_nothing_is_sent_from_any_page(deployment):
    at = no_exception(start())
    at.text_area(key="pg_f_prompt").set_value("one more").run()
    no_exception(at.button(key="pg_send").click().run())
    said = _errors(at)
    assert "Spending limit reached" in said and "$0.1200" in said and "$0.10" in said
    assert "leaves the 24-hour window at" in said and "(in 23 h" in said
    at = no_exception(at.switch_page("pages/compare.py").run())
    no_exception(at.button(key="cmp_run").click().run())
    assert "Spending limit reached" in _errors(at)
    at = no_exception(at.switch_page("pages/batch.py").run())
    if not at.button(key="bat_go").disabled:
        no_exception(at.button(key="bat_go").click().run())
        assert "Spending limit reached" in _errors(at)
    assert _sent(deployment) == []


def test_a_key_typed_in_the_sidebar_is_not_limited(deployment):
    at = no_exception(start())
    at.session_state["conn_key"] = "my-own-key"  # the sidebar's password field (AppTest loses a typed one on a rerun)
    at.text_area(key="pg_f_prompt").set_value("on my own key").run()
    assert "key from this session" in texts(at, "caption")
    no_exception(at.button(key="pg_send").click().run())
    assert "Spending limit reached" not in _errors(at)
    assert len(_sent(deployment)) == 1


def test_below_the_limit_a_send_goes_out_and_usage_shows_it(deployment, monkeypatch):
    monkeypatch.setenv("COMET_USER_BUDGET_USD", "5")
    at = no_exception(start())
    at.text_area(key="pg_f_prompt").set_value("within the limit").run()
    no_exception(at.button(key="pg_send").click().run())
    assert len(_sent(deployment)) == 1
    at = no_exception(at.switch_page("pages/usage.py").run())
    (table,) = [d.value for d in at.dataframe]
    assert set(table["person"]) == {os_login()} and table["runs"].sum() == 2
    assert [m.value for m in at.metric][0].startswith("$0.12")


def test_a_misspelt_limit_refuses_rather_than_lifting_the_limit(deployment, monkeypatch):
    monkeypatch.setenv("COMET_USER_BUDGET_USD", "ten")
    at = no_exception(start())
    at.text_area(key="pg_f_prompt").set_value("x").run()
    no_exception(at.button(key="pg_send").click().run())
    assert "COMET_USER_BUDGET_USD = 'ten'" in _errors(at) and _sent(deployment) == []


def _setup_check():
    from ui import connection, setup_check

    setup_check._dialog(connection.current())


def test_check_setup_is_refused_over_the_limit_and_sends_nothing(deployment):
    from streamlit.testing.v1 import AppTest

    at = no_exception(AppTest.from_function(_setup_check, default_timeout=60).run())
    no_exception(at.button(key="setup_run").click().run())
    assert "Spending limit reached" in _errors(at) and not at.dataframe
    assert _sent(deployment) == []
