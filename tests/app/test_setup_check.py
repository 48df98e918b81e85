"""The sidebar's *Check setup* dialog, run by AppTest on the app's own connection: the matrix, the
setup rows and each failure's fix in the guide's words; the key never on the page.

AppTest 1.67 drops the main script's sidebar on reruns under st.navigation (tests/app/test_app.py), so
the dialog is opened here from a small script of its own; the browser test opens it from the
sidebar."""

from __future__ import annotations

from app_support import TIMEOUT, no_exception, texts
from streamlit.testing.v1 import AppTest


def _script():
    from ui import connection, setup_check

    setup_check._dialog(connection.current())


def _open(models: str) -> AppTest:
    at = no_exception(AppTest.from_function(_script, default_timeout=TIMEOUT).run())
    at.text_input(key="setup_models").set_value(models)
    return no_exception(at.button(key="setup_run").click().run())


def test_demo_mode_checks_the_emulator_and_shows_the_matrix():
    at = _open("gemini-2.5-flash, gpt-5.1")
    assert "Demo mode: this checks the local emulator" in texts(at, "caption")
    assert "Base URL: this machine" in texts(at, "success")
    assert "API key: accepted" in texts(at, "success")
    grid = at.dataframe[0].value
    assert list(grid["Model"]) == ["gemini-2.5-flash", "gpt-5.1"]
    assert grid["Gemini native"][0].startswith("✅ works")
    assert grid["OpenAI-compatible"][1].startswith("✅ works")
    assert grid["Gemini native"][1].startswith("❌ not on this route")
    fixes = texts(at, "markdown")
    assert ("**gpt-5.1 on Gemini native: not on this route.** Confirm that the model ID is available "
            "to your account and supports the route you are calling.") in fixes
    assert "Spent " in texts(at, "caption") and "1 check failed" in texts(at, "caption")


def test_refused_key_says_so_with_the_fix_and_never_shows_the_key(emulator, monkeypatch):
    monkeypatch.setenv("COMETAPI_KEY", "refused-key-canary-31f9")
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url + "/v1")
    at = _open("gemini-2.5-flash")
    assert "API key: key refused" in texts(at, "error")
    assert "Base URL: ends in /v1" in texts(at, "warning")
    assert "https://api.cometapi.com/v1" in texts(at, "markdown")
    assert "CometAPI API key stored in COMETAPI_KEY" in texts(at, "markdown")
    shown = "\n".join(texts(at, kind) for kind in ("markdown", "caption", "error", "warning", "success", "code"))
    assert "refused-key-canary-31f9" not in shown


def test_count_tokens_is_reported_offered_or_not(make_emulator, monkeypatch):
    """The optional endpoints are a row of their own: offered (a success), or not offered (a
    warning that says what the app does instead), and the check still passes."""
    at = _open("gemini-2.5-flash")  # demo mode: the emulator offers it
    assert "countTokens: offered" in texts(at, "success")
    off = make_emulator(ttft_ms=0, count_tokens=False)
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    monkeypatch.setenv("COMETAPI_BASE_URL", off.base_url)
    at = _open("gemini-2.5-flash")
    assert "countTokens: not offered" in texts(at, "warning")
    assert "marked est." in texts(at, "markdown") and "Every check passed" in texts(at, "caption")
