"""Shared fixtures: one emulator per test run on loopback, user data under tmp_path, a canary key,
and a guard that fails any in-process attempt to reach a non-loopback address."""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

import pytest

# The support modules (app_support, loopback, ...) import by their bare names from every lane.
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

CANARY_KEY = "sk-canary-7f3c9e21-do-not-leak"

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and self.family in (socket.AF_INET, socket.AF_INET6):
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = host == "localhost"
        if not ok:
            raise OSError(f"tests never reach the internet: refused connection to {host}")
    return _real_connect(self, address)


socket.socket.connect = _loopback_only


@pytest.fixture(autouse=True)
def _isolate_user_data(tmp_path, monkeypatch):
    """Every test gets its own history database and starts with no key or base URL set."""
    monkeypatch.setenv("COMET_HISTORY_DB", str(tmp_path / "history.sqlite3"))
    monkeypatch.delenv("COMETAPI_KEY", raising=False)
    monkeypatch.delenv("COMETAPI_BASE_URL", raising=False)


@pytest.fixture(autouse=True)
def _app_stores_closed():
    """The stores an app under test opened (Streamlit caches them) close after the test, so no
    PostgreSQL pool outlives it, retrying a server that a later test stopped."""
    yield
    runs = sys.modules.get("ui.history_store")
    if runs is not None:
        runs._history.clear()  # its on_release closes each store


@pytest.fixture(scope="session")
def emulator():
    """The emulator, started once per test run (port 0) with small delays."""
    from comet.emulator import Emulator

    emu = Emulator(ttft_ms=2, chunk_ms=1).start()
    yield emu
    emu.stop()


@pytest.fixture
def make_emulator():
    """Start an emulator with its own settings (latency, envelopes); stopped after the test."""
    from comet.emulator import Emulator

    started = []

    def make(**options):
        emu = Emulator(**options).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def canary_key(monkeypatch):
    monkeypatch.setenv("COMETAPI_KEY", CANARY_KEY)
    return CANARY_KEY


# ---- history backends ----------------------------------------------------------------------------

POSTGRES_ENV = "COMET_TEST_POSTGRES_URL"  # set by .ci/run: a private PostgreSQL 15 cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def history_url(request, tmp_path):
    """A fresh, empty history store URL on each backend: a SQLite file, or a schema of its own
    in the test PostgreSQL database (dropped afterwards). PostgreSQL is skipped only when
    COMET_TEST_POSTGRES_URL is unset (.ci/run always sets it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'h.sqlite3'}"
        return
    from store_support import postgres_schema

    with postgres_schema() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per test module (the test skips without it)."""
    from browser_support import chromium

    with chromium() as b:
        yield b
