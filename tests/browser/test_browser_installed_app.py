"""The installed app is the same app (issue 29): the wheel installed into a fresh venv, `comet
playground` started in a folder outside the checkout (no .streamlit/ there) with only a port and
headless mode, and the page loaded in Chromium. Nothing the browser asks for leaves loopback, and
the app's own .streamlit/config.toml is in effect: no Deploy button (minimal toolbar), the
theme's primary colour, usage statistics off."""

from __future__ import annotations

import socket
import subprocess
import time
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest
from browser_support import skip_without_browser, wait_idle
from package_support import ROOT, installed_venv

pytestmark = pytest.mark.slow
skip_without_browser()

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i:i + 2], 16) for i in (0, 2, 4)))


@pytest.fixture(scope="module")
def installed_app(tmp_path_factory):
    """`comet playground` from the installed wheel, in a folder of its own, until the module ends."""
    python, work, env = installed_venv(tmp_path_factory.mktemp("installed"))
    assert not (work / ".streamlit").exists() and not work.is_relative_to(ROOT)
    port = _free_port()
    env = {**env, "COMET_HISTORY_DB": str(work / "history.sqlite3")}
    log = open(work / "streamlit.log", "wb")
    app = subprocess.Popen([str(python.parent / "comet"), "playground", "--server.headless", "true",
                            "--server.port", str(port), "--server.address", "127.0.0.1"],
                           cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and app.poll() is None:
            try:
                if httpx2.get(f"{url}/_stcore/health", timeout=2).text == "ok":
                    break
            except httpx2.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail("comet playground did not start:\n" + (work / "streamlit.log").read_text())
        yield url, python
    finally:
        app.terminate()
        app.wait(timeout=20)
        log.close()


def test_the_installed_app_keeps_every_request_on_loopback_and_uses_its_config(installed_app, browser):
    url, python = installed_app
    assert CONFIG["browser"]["gatherUsageStats"] is False and CONFIG["client"]["toolbarMode"] == "minimal"
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="light")
    asked: list[str] = []
    context.on("request", lambda request: asked.append(request.url))
    # Anything bound elsewhere is recorded above, then stopped here: the test never reaches out.
    context.route(lambda u: urlsplit(u).scheme in ("http", "https", "ws", "wss")
                  and urlsplit(u).hostname not in LOCAL_HOSTS, lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{url}/compare")
        page.wait_for_selector('[data-testid="stBaseButton-primary"]')
        wait_idle(page)
        page.wait_for_timeout(3_000)  # time for anything sent after load (usage statistics)
        deploy = page.locator('[data-testid="stAppDeployButton"]').count()
        colour = page.locator('[data-testid="stBaseButton-primary"]').first.evaluate(
            "b => getComputedStyle(b).backgroundColor")
    finally:
        context.close()
    hosts = {urlsplit(u).hostname for u in asked if urlsplit(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts and hosts <= LOCAL_HOSTS, sorted(u for u in asked if urlsplit(u).hostname not in LOCAL_HOSTS)
    assert deploy == 0
    assert colour == _rgb(CONFIG["theme"]["light"]["primaryColor"])
    [shipped] = python.parent.parent.glob("lib/python*/site-packages/comet_app/.streamlit/config.toml")
    assert tomllib.loads(shipped.read_text(encoding="utf-8")) == CONFIG
