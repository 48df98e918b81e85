"""``COMET_AUTH=oidc`` against a real OpenID Connect provider: oidc-provider from npm (tests/node),
started here on loopback with its development login form. Chromium signs in through it, sees its
name in the sidebar, sends (the run is attributed to its email), signs out and is back at the
sign-in page; an address outside the allow-list is not let in."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import Server, _free_port, browser_page, skip_without_browser, wait_idle

from comet import Call, Route, simple_body

playwright_api = skip_without_browser()

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
CLIENT_ID = "comet-playground"


def _wait_for(url: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("the OpenID provider did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.2)


@pytest.fixture(scope="module")
def provider_and_app(tmp_path_factory):
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("node or tests/node's oidc-provider is missing (npm ci in tests/node)")
    tmp = tmp_path_factory.mktemp("oidc")
    op_port, app_port = _free_port(), _free_port()
    redirect = f"http://127.0.0.1:{app_port}/oauth2callback"
    client_secret, cookie_secret = secrets.token_hex(16), secrets.token_hex(16)
    log = tmp / "provider.log"
    with open(log, "wb") as out:
        op = subprocess.Popen([node, "oidc_provider.mjs", str(op_port), redirect, client_secret,
                               json.dumps({"ana@team.example": "Ana Example"})], cwd=NODE_DIR, stdout=out,
                              stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{op_port}"
    try:
        _wait_for(issuer + "/.well-known/openid-configuration", log)
        (tmp / ".streamlit").mkdir()
        (tmp / ".streamlit" / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "{redirect}"\n'
            f'cookie_secret = "{cookie_secret}"\n'
            f'client_id = "{CLIENT_ID}"\n'
            f'client_secret = "{client_secret}"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
            # Streamlit asks for prompt=select_account, which oidc-provider (like many) does not know
            'client_kwargs = { prompt = "login" }\n', encoding="utf-8")
        # HOME: Streamlit reads ~/.streamlit/secrets.toml, so the test's secrets stay out of the repository
        app = Server(tmp, port=app_port, HOME=str(tmp), COMET_AUTH="oidc", COMET_ALLOWED_USERS="@team.example")
        try:
            yield app, (client_secret, cookie_secret)
        finally:
            app.stop()
    finally:
        op.terminate()
        op.wait(timeout=10)


def _sign_in(page, app, email: str, start: str = "/") -> None:
    page.goto(app.url + start)
    page.get_by_role("button", name="Sign in").click()
    page.locator('input[name="login"]').fill(email)  # the provider's own login form
    page.locator('input[name="password"]').fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(app.url + "/**")


def test_sign_in_see_the_name_send_and_sign_out(browser, provider_and_app):
    from comet.store import open_store

    app, secret_values = provider_and_app
    with browser_page(browser, 40_000) as page:
        page.goto(app.url + "/?draft=aaaaaaaaaaaa")
        page.get_by_role("button", name="Sign in").wait_for()
        assert page.locator('[data-testid="stSidebar"]').count() == 0
        _sign_in(page, app, "ana@team.example")
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Ana Example").wait_for()
        prompt = page.get_by_label("Prompt", exact=True)
        prompt.fill("signed in through OpenID Connect")
        prompt.press("Tab")
        wait_idle(page)
        page.locator(".st-key-pg_send button").first.click()
        with open_store(app.history) as store:
            deadline = time.monotonic() + 30
            while not store.page(search="OpenID"):
                assert time.monotonic() < deadline, "the run was not recorded"
                time.sleep(0.1)
            assert store.page(search="OpenID")[0]["created_by"] == "ana@team.example"
        html = page.content()
        sidebar.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="Sign in").wait_for()
        wait_idle(page)
        assert page.locator('[data-testid="stSidebar"]').count() == 0
        page.goto(app.url + "/history")  # the cookie is gone: a reload is signed out too
        page.get_by_role("button", name="Sign in").wait_for()
    for value in secret_values:  # neither the client secret nor the cookie secret reaches a page or the log
        assert value not in html and value not in app.log.read_text(errors="replace")


def test_an_address_outside_the_allow_list_is_not_let_in(browser, provider_and_app):
    app, _ = provider_and_app
    with browser_page(browser, 40_000) as page:
        _sign_in(page, app, "eve@elsewhere.example")
        page.get_by_role("heading", name="Not allowed").wait_for()
        assert page.locator('[data-testid="stSidebar"]').count() == 0
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="Sign in").wait_for()


def test_a_share_link_opened_signed_out_opens_once_signed_in(browser, provider_and_app):
    from comet.tools import share

    app, _ = provider_and_app
    token = share.encode(Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "shared before sign-in")))
    with browser_page(browser, 40_000) as page:
        page.goto(f"{app.url}/history?share={token}")
        page.get_by_role("button", name="Sign in").wait_for()
        assert "shared before sign-in" not in page.content()
        _sign_in(page, app, "ana@team.example", start=f"/history?share={token}")
        playwright_api.expect(page.get_by_label("Prompt", exact=True)).to_have_value("shared before sign-in",
                                                                                     timeout=30_000)
