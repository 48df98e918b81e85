"""The app lane's fixtures: app.py started by AppTest on an emulator, and a history with runs."""

from __future__ import annotations

import pytest
from app_support import no_exception, start

from comet import Call, Route, simple_body


@pytest.fixture
def app(on_emulator):
    """The app on the session emulator, as if a key were configured."""
    return no_exception(start())


@pytest.fixture
def fast_app(make_emulator, monkeypatch):
    """A fast emulator: its fault delays scale down with ttft (fault-slow waits 30 ms)."""
    emu = make_emulator(ttft_ms=0.02, chunk_ms=0.5)
    monkeypatch.setenv("COMETAPI_BASE_URL", emu.base_url)
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    return no_exception(start())


@pytest.fixture
def seeded(on_emulator):
    """Four real runs from the emulator in the app's history: two prompts, both routes, two models."""
    from comet.http.client import Client
    from comet.store.history import History, default_path

    h = History(default_path())
    calls = [Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "alpha apples orchard")),
             Call(Route.OPENAI, "gemini-2.5-flash", simple_body("openai", "alpha apples cider"), stream=True),
             Call(Route.GEMINI, "gemini-2.5-pro", simple_body("gemini", "beta bananas bread"), stream=True),
             Call(Route.OPENAI, "gemini-2.5-pro", simple_body("openai", "beta bananas split"))]
    with Client(on_emulator.base_url, "test-key") as client:
        ids = [h.save(client.send(c)) for c in calls]
    return h, ids
