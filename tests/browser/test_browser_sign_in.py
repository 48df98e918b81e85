"""Header mode in Chromium: Playwright's extra HTTP headers reach Streamlit's websocket, as an
authenticating proxy's would. No header, a wrong or missing proxy secret, or an address outside
the allow-list: one page and nothing else, whatever URL was opened, the emulator behind the app
receives nothing, and the websocket frames hold none of the stored prompts."""

from __future__ import annotations

import pytest
from browser_support import Server, browser_page, skip_without_browser, wait_idle

from comet import Call, Route, simple_body

skip_without_browser()

CANARY = "canary prompt 5be1 for signed-out eyes"
SECRET = "proxy-s3cret-b7"
PATHS = ("/", "/history", "/compare", "/batch", "/?draft=aaaaaaaaaaaa", "/history?share=eyJ2IjoxfQ")


@pytest.fixture(scope="module")
def emulator_behind():
    from comet.emulator import Emulator

    emu = Emulator(ttft_ms=1, chunk_ms=1).start()
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, emulator_behind):
    """The app in header mode with a key (on the emulator), a proxy secret and an allow-list;
    its history holds a run whose prompt is the canary."""
    from comet.http.client import Client
    from comet.store import open_store

    tmp = tmp_path_factory.mktemp("proxied")
    with Client(emulator_behind.base_url, "test-key") as client, open_store(tmp / "history.sqlite3") as store:
        store.record(client.send(Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", CANARY))))
    server = Server(tmp, COMET_AUTH="header", COMET_AUTH_PROXY_SECRET=SECRET,
                    COMET_ALLOWED_USERS="ana@team.example,@partner.example", COMET_ADMINS="boss@team.example",
                    COMETAPI_BASE_URL=emulator_behind.base_url, COMETAPI_KEY="test-key")
    yield server
    server.stop()


def _visit(browser, server, headers: dict, paths=PATHS, signed_in=False) -> tuple[list[str], bytes]:
    """Open each path with ``headers``; the titles shown and every websocket frame received."""
    frames: list[bytes] = []
    titles = []
    with browser_page(browser, 40_000, extra_http_headers=headers) as page:
        page.on("websocket", lambda ws: ws.on(
            "framereceived", lambda data: frames.append(data if isinstance(data, bytes) else data.encode())))
        for path in paths:
            page.goto(server.url + path)
            page.locator("h1").first.wait_for()
            wait_idle(page)
            for button in ("Send", "Compare", "Run"):  # if any were drawn, they would send
                if page.get_by_role("button", name=button).count():
                    page.get_by_role("button", name=button).first.click()
            titles.append(page.locator("h1").first.inner_text())
            assert page.locator('[data-testid="stSidebar"]').count() == (1 if signed_in else 0)
    return titles, b"".join(frames)


@pytest.mark.parametrize("headers, title", [
    ({}, "Refused"),  # with a proxy secret configured, no proxy at all is refused
    ({"X-Forwarded-Email": "ana@team.example"}, "Refused"),  # round the proxy: no secret
    ({"X-Forwarded-Email": "ana@team.example", "X-Comet-Proxy-Secret": "guess"}, "Refused"),
    ({"X-Forwarded-Email": "eve@elsewhere.example", "X-Comet-Proxy-Secret": SECRET}, "Not allowed"),
    ({"X-Comet-Proxy-Secret": SECRET}, "Sign-in needed"),
])
def test_a_session_without_an_allowed_identity_sees_one_page_and_nothing_is_sent(browser, proxied, emulator_behind,
                                                                                 headers, title):
    emulator_behind.clear()
    titles, frames = _visit(browser, proxied, headers)
    assert set(titles) == {title}
    assert CANARY.encode() not in frames
    assert SECRET.encode() not in frames
    assert emulator_behind.received == []


def test_an_allowed_person_gets_the_app_and_the_frames_can_hold_the_canary(browser, proxied, emulator_behind):
    titles, frames = _visit(browser, proxied, {"X-Forwarded-Email": "Ana@Team.example",
                                                "X-Comet-Proxy-Secret": SECRET}, paths=("/", "/history"), signed_in=True)
    assert titles == ["Playground", "History"]
    assert b"ana@team.example" in frames  # the name beside the sign-out place in the sidebar
    assert CANARY.encode() in frames  # the check above can see a prompt when one is sent
