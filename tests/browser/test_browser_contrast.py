"""Contrast in both of Streamlit's themes, computed from the colours the page draws (WCAG 2's
relative luminance): a primary button's label against its fill, and the page's text against its
background, at least 4.5:1 each (issue 29)."""

from __future__ import annotations

import re

import pytest
from browser_support import skip_without_browser
from test_browser_playground import button

# the Playground's environment (tests/browser/test_browser_playground.py): the same server
pytestmark = pytest.mark.app_env(COMET_EMULATOR_TTFT_MS="20", COMET_EMULATOR_CHUNK_MS="60")

playwright_api = skip_without_browser()


def luminance(css: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_figures_follow_wcag():
    assert contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)") == pytest.approx(21)
    assert contrast("rgb(255, 255, 255)", "rgb(139, 140, 248)") == pytest.approx(2.91, abs=0.01)  # too pale


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_primary_buttons_and_text_read_at_4_5_to_1(browser, server, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(server.url)
        send = button(page, "pg_send")
        send.wait_for()
        label, fill = send.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
        text, ground = page.evaluate("""() => {
            const app = document.querySelector('[data-testid=stApp]');
            return [getComputedStyle(app).color, getComputedStyle(app).backgroundColor];
        }""")
        assert luminance(ground) < 0.2 if scheme == "dark" else luminance(ground) > 0.8  # the theme asked for
        assert contrast(label, fill) >= 4.5, (scheme, label, fill)
        assert contrast(text, ground) >= 4.5, (scheme, text, ground)
    finally:
        context.close()
