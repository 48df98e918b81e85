"""Shared fixtures: one emulator per test run on loopback, a client and an app environment on it,
user data under tmp_path, a canary key, the history backends, and a guard that fails any
in-process attempt to reach a non-loopback address. Each test is marked with its lane (the folder
it sits in: unit, loopback, cli, store, app, browser), so ``pytest -m unit`` picks a lane too."""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
LANES = ("unit", "loopback", "cli", "store", "app", "browser")
LONGEST_FIRST = ("browser", "cli", "loopback", "store", "app", "unit")  # lanes by their longest groups

# The support modules (app_support, loopback, ...) import by their bare names from every lane.
sys.path.insert(0, str(TESTS / "support"))

from keys import CANARY_KEY, TEST_KEY  # found through the line above


def _lane(item) -> str | None:
    lane = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else None
    return lane if lane in LANES else None


def _group(item, browser_files: list[Path]) -> str | None:
    """A file's tests share a group, unless they are marked ``independent`` (none: xdist spreads
    them); the browser files form two groups (alternate files by name), so at most two browser
    tests run at once however many workers there are."""
    if item.get_closest_marker("independent"):
        return None
    if _lane(item) == "browser":
        return f"browser-{browser_files.index(item.path) % 2}"
    return item.path.name


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Mark every test with its lane, the folder under tests/ it sits in, and its xdist group:
    under ``--dist loadgroup`` (pytest.ini) a group's tests run on one worker, one at a time, so a
    module's fixtures run once. Workers order the lanes with the longest groups first, the order
    xdist hands them out in under --no-loadscope-reorder, so no long group starts last."""
    browser_files = sorted({item.path for item in items if _lane(item) == "browser"})
    for item in items:
        lane = _lane(item)
        if lane:
            item.add_marker(lane)
        group = _group(item, browser_files)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    if hasattr(config, "workerinput"):  # an xdist worker; the order within a lane stays as collected
        items.sort(key=lambda item: LONGEST_FIRST.index(_lane(item)) if _lane(item) else len(LONGEST_FIRST))


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
    for name in ("COMET_OTEL_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                 "COMET_OTEL_CAPTURE_CONTENT"):  # tracing only where a test turns it on, to its own receiver
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _app_stores_closed():
    """The stores an app under test opened (Streamlit caches them) close after the test, so no
    PostgreSQL pool outlives it, retrying a server that a later test stopped."""
    yield
    recording = sys.modules.get("ui.recording")
    if recording is not None:
        recording.forget_all()  # the pages' queued writes land first, and no writer outlives its test
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
def client(emulator):
    """A Client on the session emulator with a short backoff: real retries, short waits."""
    from comet.http.client import Client, RetryPolicy

    with Client(emulator.base_url, TEST_KEY, retry=RetryPolicy(attempts=3, base_s=0.001, cap_s=0.01, jitter=0)) as c:
        yield c


@pytest.fixture
def on_emulator(emulator, monkeypatch):
    """The app's environment pointed at the session emulator, as if a key were configured."""
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    return emulator


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
