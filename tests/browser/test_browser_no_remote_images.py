"""Service text loads nothing from elsewhere (#27): a reply whose text and served-model name carry
remote images (markdown, a reference, raw <img>), and a provider error carrying one, are drawn in
Chromium without the browser asking any host but loopback, and with no <img> pointing elsewhere.
The upstream is tests/support/hostile_server.py on loopback; its images name a .invalid host."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_support import Server, browser_page, skip_without_browser, wait_idle
from hostile_server import REMOTE, Hostile
from loopback import serving

skip_without_browser()


@pytest.fixture
def upstream_app(tmp_path):
    with serving(Hostile) as base_url:
        server = Server(tmp_path, COMETAPI_KEY="test-key", COMETAPI_BASE_URL=base_url)
        try:
            yield server
        finally:
            server.stop()


def send(page, model: str, prompt: str) -> None:
    box = page.get_by_role("combobox", name="Model")
    box.click()
    box.fill(model)
    box.press("Enter")
    page.wait_for_function(
        "m => [...document.querySelectorAll('input[aria-label=Model]')].some(i => i.value.startsWith(m))", arg=model)
    wait_idle(page)
    prompt_box = page.get_by_label("Prompt", exact=True)
    prompt_box.fill(prompt)
    prompt_box.press("Tab")
    wait_idle(page)
    page.locator(".st-key-pg_send button").first.click()
    wait_idle(page)


def outside_images(page, app_url: str) -> list[str]:
    srcs = page.evaluate("() => [...document.querySelectorAll('img, source, video, audio, iframe')]"
                         ".map(e => e.src || e.srcset || '')")
    return [s for s in srcs if s and not s.startswith((app_url, "data:", "blob:"))]


def test_remote_images_in_a_reply_its_served_model_and_an_error_are_never_fetched(browser, upstream_app):
    asked: list[str] = []
    with browser_page(browser, 40_000) as page:
        page.on("request", lambda request: asked.append((request.url, request.frame.url if request.frame else "")))
        page.goto(upstream_app.url)
        page.locator(".st-key-pg_send button").first.wait_for()
        send(page, "remote-images", "show me a picture")
        page.get_by_text("A picture:").first.wait_for()
        page.get_by_text("image: pixel").first.wait_for()  # the image became a link to click
        page.wait_for_timeout(1_000)  # time for any image the page asked for
        assert outside_images(page, upstream_app.url) == []
        page.goto(upstream_app.url)  # a new session: its model box starts from the list again
        page.locator(".st-key-pg_send button").first.wait_for()
        send(page, "remote-images-error", "and an error")
        page.get_by_text("Bad request").first.wait_for()
        page.wait_for_timeout(1_000)
        assert outside_images(page, upstream_app.url) == []
    assert not [url for url, _ in asked if url.startswith(REMOTE)]
    hosts = {urlsplit(url).hostname for url, _ in asked if url.startswith("http")}
    assert hosts <= {"127.0.0.1", "localhost"}, sorted(hosts)
