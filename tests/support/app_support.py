"""What the AppTest modules share: the app's path, a timeout, and small readers and writers of
a run of the page."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60


def start(**query) -> AppTest:
    """app.py run once, with these query parameters."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    return at.run()


def start_on(emulator, monkeypatch, **query) -> AppTest:
    """app.py run once against ``emulator``, reached through the environment only
    (COMETAPI_BASE_URL, COMETAPI_KEY), with no exception."""
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    return no_exception(start(**query))


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def body(at: AppTest) -> dict:
    """The Playground's request body, as its JSON tab shows it."""
    return json.loads(at.text_area(key="pg_json").value)


def set_json(at: AppTest, value) -> AppTest:
    """Type ``value`` (text as is, anything else as indented JSON) into the JSON tab."""
    text = value if isinstance(value, str) else json.dumps(value, indent=2)
    return at.text_area(key="pg_json").set_value(text).run()


def open_code(at: AppTest) -> AppTest:
    """Open the Playground's Get code dialog (its snippets are drawn only while it is open)."""
    return at.button(key="pg_get_code").click().run()


SECTIONS = ("pg_open_media", "pg_open_route_settings", "pg_open_thinking", "pg_open_structured", "pg_open_functions",
            "pg_open_safety")


def open_sections(at: AppTest, *keys: str) -> AppTest:
    """Open the Playground's folded sections (all, or ``keys``), as clicks would: their controls
    are drawn only while open."""
    for key in keys or SECTIONS:
        at.session_state[key] = True
    return at.run()


def texts(at: AppTest, kind: str) -> str:
    return "\n".join(str(e.value) for e in getattr(at, kind))
