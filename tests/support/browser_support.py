"""What the real-browser tests share: ``streamlit run app.py`` in a subprocess on a free
port, and Debian's chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run app.py`` on a free port with its own environment and log file."""

    def __init__(self, tmp: Path, port: int | None = None, **env: str):
        self.port = port or _free_port()  # a port chosen beforehand: an OIDC redirect URI names it
        self.url = f"http://127.0.0.1:{self.port}"
        self.history = tmp / "history.sqlite3"
        self.log = tmp / "streamlit.log"
        environ = {k: v for k, v in os.environ.items() if k not in ("COMETAPI_KEY", "COMETAPI_BASE_URL")}
        environ.update(COMET_HISTORY_DB=str(self.history), PYTHONUNBUFFERED="1", **env)
        self._log = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=environ, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("streamlit did not start:\n" + self.log.read_text())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()



def skip_without_browser():
    """Skip the calling test module when Playwright or Debian's chromium is missing."""
    api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed", allow_module_level=True)
    return api


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


@contextmanager
def chromium():
    """Debian's chromium, started through Playwright and closed afterwards (skips without it)."""
    api = skip_without_browser()
    with api.sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser
        finally:
            browser.close()


def wait_idle(page) -> None:
    """Let the rerun an action started begin, then wait for the script to finish."""
    page.wait_for_timeout(200)
    page.wait_for_function("() => document.querySelector('.stApp')"
                           ".getAttribute('data-test-script-state') !== 'running'")


def open_playground(page, url: str) -> None:
    """The Playground, once its Send button is drawn and the script is idle."""
    page.goto(url)
    page.locator(".st-key-pg_send button").first.wait_for(timeout=60_000)  # a cold server on a busy machine
    wait_idle(page)


def fill(page, label: str, text: str) -> None:
    """Type ``text`` into the text field ``label`` and leave it (Streamlit applies a field on blur)."""
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Tab")
    wait_idle(page)


def json_code(page):
    """The Playground's JSON code editor (an Ace editor in the component's frame), once drawn."""
    editor = page.frame_locator("iframe[title*='comet_json_editor']").locator(".ace_editor")
    editor.wait_for()
    return editor


def json_text(page, containing: str = "") -> str:
    """The text the Playground's JSON code editor shows (the JSON tab must be open), once it
    contains ``containing``: the editor takes a redrawn page's text a moment after the page."""
    editor = json_code(page)
    editor.evaluate("(e, s) => new Promise(ok => { const t = setInterval(() => "
                    "{ if (e.env.editor.getValue().includes(s)) { clearInterval(t); ok(); } }, 50); })", containing)
    return editor.evaluate("e => e.env.editor.getValue()")


def pick(page, label: str, option) -> None:
    """Open the select box ``label`` and choose ``option`` (a name or a pattern); a rerun that
    redraws the box while it opens closes its list again, so open it again until the option
    shows (three tries)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box, choice = page.get_by_role("combobox", name=label), page.get_by_role("option", name=option).first
    for attempt in range(3):
        box.click()
        try:
            choice.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            wait_idle(page)
    choice.click()
    wait_idle(page)


@contextmanager
def browser_page(browser, timeout_ms: int = 15_000, **options):
    """A page in a fresh browser context (its own cookies and storage), closed afterwards."""
    context = browser.new_context(**{"viewport": {"width": 1400, "height": 1100}, **options})
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    try:
        yield page
    finally:
        context.close()
