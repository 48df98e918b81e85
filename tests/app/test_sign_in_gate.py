"""The sign-in gate in AppTest (which sends no request headers, like a visitor who went round
the proxy): in header or oidc mode such a session sees one page and nothing else, whatever it
opened, and nothing is sent; a misspelt COMET_AUTH shuts the app rather than opening it."""

from __future__ import annotations

import pytest
from app_support import no_exception, start

from comet import Call, Route, simple_body

CANARY = "canary prompt 7f3a never shown signed out"


def _everything_shown(at) -> str:
    kinds = ("title", "markdown", "caption", "info", "warning", "error", "success", "text", "code", "json",
             "text_area", "text_input", "dataframe", "selectbox")
    shown = []
    for kind in kinds:
        for element in getattr(at, kind):
            shown.append(str(getattr(element, "value", "")))
            shown.append(str(getattr(element, "label", "")))
    return "\n".join(shown)


@pytest.fixture
def behind_proxy(make_emulator, monkeypatch):
    """A deployment with a key, an emulator standing in for CometAPI, a history holding a canary."""
    from comet.http.client import Client
    from comet.store import open_store

    emu = make_emulator(ttft_ms=1, chunk_ms=1)
    monkeypatch.setenv("COMETAPI_BASE_URL", emu.base_url)
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    with Client(emu.base_url, "test-key") as client, open_store() as store:
        store.record(client.send(Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", CANARY))))
    emu.clear()
    return emu


@pytest.mark.parametrize("mode", ["header", "oidc"])
@pytest.mark.parametrize("query", [{}, {"draft": "x" * 12}, {"share": "eyJ2IjoxfQ"}])
def test_without_an_identity_only_the_sign_in_page_shows_and_nothing_is_sent(behind_proxy, monkeypatch, mode, query):
    monkeypatch.setenv("COMET_AUTH", mode)
    at = no_exception(start(**query))
    assert len(at.sidebar.children) == 0
    assert [t.value for t in at.title] == ["Sign-in needed" if mode == "header" else "Comet Playground"]
    assert CANARY not in _everything_shown(at)
    assert not at.selectbox and not at.text_area and not at.dataframe  # no model list, no editor, no History
    if mode == "oidc":
        assert [b.label for b in at.button] == ["Sign in"]
        no_exception(at.button(key="auth_sign_in").click().run())  # no [auth] section: said, not raised
        assert "Sign-in could not start" in _everything_shown(at)
    assert behind_proxy.received == []


def test_none_mode_is_the_app_as_before(behind_proxy, monkeypatch):
    monkeypatch.delenv("COMET_AUTH", raising=False)
    at = no_exception(start())
    assert [t.value for t in at.title] == ["Playground"]
    assert len(at.sidebar.children) > 0


def test_a_misspelt_mode_shuts_the_app_and_says_the_fix(behind_proxy, monkeypatch):
    monkeypatch.setenv("COMET_AUTH", "hedaer")
    at = no_exception(start())
    assert [t.value for t in at.title] == ["Sign-in is misconfigured"]
    assert "none, header or oidc" in at.info[0].value
    assert len(at.sidebar.children) == 0 and behind_proxy.received == []


def test_demo_mode_signed_out_starts_no_emulator(monkeypatch):
    """No key (demo mode) and no identity: the built-in emulator is never started for the session."""
    import comet.emulator as emulators
    from ui import connection

    monkeypatch.setattr(emulators, "_shared", None)  # as in a fresh server process; restored afterwards
    connection.emulator.clear()  # nor cached by an earlier test in this process
    monkeypatch.setenv("COMET_AUTH", "header")
    for query in ({}, {"share": "eyJ2IjoxfQ"}):
        at = no_exception(start(**query))
        assert [t.value for t in at.title] == ["Sign-in needed"]
    assert emulators._shared is None
