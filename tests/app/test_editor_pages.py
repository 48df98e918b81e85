"""The one request editor on its three pages (Playground, Compare, Batch), driven with AppTest:
each page's JSON box is protected alike against a browser's stale echo, and says a JSON error
the same way.

A stale echo: the server has just rewritten the JSON box (after a prompt was typed, or a request
was copied in), and the browser's next message, sent before it drew that run, still carries the
box's old text and the old editor generation (ui/editor/echo.py). AppTest plays that browser by
setting both widgets back before the run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import pytest
from app_support import APP, TIMEOUT, no_exception, texts
from streamlit.testing.v1 import AppTest

from comet import RequestError, Route, parse_json
from comet.body.hints import error_sentence


def _type_prompt(key: str) -> Callable[[AppTest], AppTest]:
    return lambda at: at.text_area(key=key).set_value("a prompt typed just now").run()


def _start_from_playground(at: AppTest) -> AppTest:
    return at.button(key="bat_from_playground").click().run()


@dataclass(frozen=True)
class Page:
    path: str | None  # None: the Playground, app.py's default page
    json: str  # the JSON box's widget key
    seen: str  # the hidden widget carrying the generation the browser has drawn
    state: str  # the editor value's session key
    rewrite: Callable[[AppTest], AppTest]  # an edit after which the server rewrites the JSON box


PAGES = {
    "playground": Page(None, "pg_json", "pg_echo_seen", "pg_state", _type_prompt("pg_f_prompt")),
    "compare": Page("pages/compare.py", "cmp_json", "cmp_echo_seen", "cmp_state", _type_prompt("cmp_prompt")),
    "batch": Page("pages/batch.py", "bat_body", "bat_echo_seen", "bat_state", _start_from_playground),
}


def open_page(page: Page) -> AppTest:
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    return no_exception(at.switch_page(page.path).run()) if page.path else at


def json_box(at: AppTest, page: Page) -> str:
    return at.text_area(key=page.json).value


def generation(at: AppTest, page: Page) -> str:
    return at.text_input(key=page.seen).value


@pytest.mark.parametrize("name", PAGES)
def test_a_stale_echo_of_the_json_box_loses_to_the_newer_text(name):
    page = PAGES[name]
    at = open_page(page)
    old_text, old_generation = json_box(at, page), generation(at, page)
    at = no_exception(page.rewrite(at))
    new_text = json_box(at, page)
    assert new_text != old_text and int(generation(at, page)) > int(old_generation)

    at.text_area(key=page.json).set_value(old_text)  # the browser has not drawn the rewrite yet
    at.text_input(key=page.seen).set_value(old_generation)
    at = no_exception(at.run())
    assert json_box(at, page) == new_text
    assert at.session_state[page.state].body == json.loads(new_text)

    typed = json.dumps({"contents": [{"role": "user", "parts": [{"text": "typed over it"}]}]}, indent=2)
    at.text_area(key=page.json).set_value(typed)  # a real edit from the same browser still wins
    at.text_input(key=page.seen).set_value(old_generation)
    at = no_exception(at.run())
    assert json_box(at, page) == typed
    assert at.session_state[page.state].body == json.loads(typed)


BAD = '{\n  "contents": [\n    {"parts": [{"text": "hi"}]},\n  ]\n}'  # a trailing comma


@pytest.mark.parametrize("name", PAGES)
def test_a_json_error_is_said_the_same_way_on_every_page(name):
    with pytest.raises(RequestError) as raised:
        parse_json(BAD, Route.GEMINI)
    info = raised.value.info()
    page = PAGES[name]
    at = open_page(page)
    at = no_exception(at.text_area(key=page.json).set_value(BAD).run())
    said = [e.value for e in at.error if "Request body" in e.value]
    assert said == ["**Request body** (line 4, column 3): "
                    + error_sentence(info.kind, info.status, info.message, info.request_id)]
    assert f"**Fix:** {info.fix}" in texts(at, "markdown")
    assert json_box(at, page) == BAD  # kept as typed
    assert at.session_state[page.state].json_error["line"] == 4
