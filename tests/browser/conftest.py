"""The browser lane's fixtures: Debian's chromium for each module, the app in demo mode started once
per distinct environment (``@pytest.mark.app_env(...)`` on a module names it), and a fresh page
(its own cookies and storage) for each test, or one for the module (``shared_page``)."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from browser_support import Server, browser_page, chromium

TIMEOUT_MS = int(os.environ.get("COMET_TEST_BROWSER_TIMEOUT_MS", "40000"))  # generous: a busy machine


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per test module (the test skips without it); closed
    before the next module, which may start a Playwright of its own."""
    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def app_servers(tmp_path_factory):
    """``streamlit run app.py`` by environment: the first test to ask for an environment starts its
    server, every later one shares it; all stop at the end of the run."""
    started: dict[tuple, Server] = {}

    def get(**env: str) -> Server:
        key = tuple(sorted(env.items()))
        if key not in started:
            started[key] = Server(tmp_path_factory.mktemp("app"), **env)
        return started[key]

    yield get
    for server in started.values():
        server.stop()


@pytest.fixture(scope="module")
def server(request, app_servers) -> Server:
    """The app in demo mode, in the environment of the module's ``app_env`` marker (none: defaults).
    Tests that share an environment share its server, its emulator and its history."""
    marker = request.node.get_closest_marker("app_env")
    return app_servers(**(marker.kwargs if marker else {}))


@contextmanager
def _page_for(node, browser):
    """A page in a fresh browser context, sized by the ``viewport`` marker if there is one."""
    marker = node.get_closest_marker("viewport")
    size = {"viewport": {"width": marker.args[0], "height": marker.args[1]}} if marker else {}
    with browser_page(browser, TIMEOUT_MS, accept_downloads=True, **size) as opened:
        yield opened


@pytest.fixture(scope="module")
def module_page(request, browser):
    """One page for all of a module's tests (``page`` in a module marked ``shared_page``)."""
    with _page_for(request.node, browser) as opened:
        yield opened


@pytest.fixture
def page(request, browser):
    """A page of the test's own; in a module marked ``shared_page``, the module's one page, where
    each test starts from what the one before left (a run still finishing, say)."""
    if request.node.get_closest_marker("shared_page"):
        yield request.getfixturevalue("module_page")
        return
    with _page_for(request.node, browser) as opened:
        yield opened
