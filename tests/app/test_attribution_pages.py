"""Attribution in the app, in ``none`` mode (one person, the OS login name): a sent run, a
comparison's runs and a preset record who made them, History shows them under By, and a draft
link someone else made opens as a copy of one's own (the original untouched)."""

from __future__ import annotations

import pytest
from app_support import body, no_exception, start

from comet import Call, Route, simple_body
from comet.core.identity import Identity, os_login
from comet.store import open_store
from comet.store.owners import Owned


@pytest.fixture
def on_emulator(emulator, monkeypatch):
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    return emulator


def test_runs_and_comparisons_are_the_os_login_names_and_history_shows_by(on_emulator):
    app = no_exception(start())
    app.text_area(key="pg_f_prompt").set_value("sent by me").run()
    no_exception(app.button(key="pg_send").click().run())
    at = no_exception(app.switch_page("pages/compare.py").run())
    at.text_area(key="cmp_prompt").set_value("compared by me").run()
    no_exception(at.button(key="cmp_run").click().run())
    with open_store() as store:
        rows = store.page()
    assert len(rows) >= 2 and {r["created_by"] for r in rows} == {os_login()}
    at = no_exception(at.switch_page("pages/history.py").run())
    table = at.dataframe[0].value
    assert "created_by" in table.columns and set(table["created_by"]) == {os_login()}
    assert not [s for s in at.selectbox if s.label == "By"]  # one person: no Mine / Everyone filter


def test_a_draft_someone_else_made_opens_as_a_copy_of_ones_own(on_emulator):
    with open_store() as store:
        theirs = Owned(store, Identity("ana@team.example")).drafts
        state = {"route": "gemini", "model": "gemini-2.5-flash", "stream": False,
                 "body": simple_body("gemini", "ana's draft"), "json_text": ""}
        theirs.save("anasdraft01", state, base=0)
        before = store.drafts.read("anasdraft01")
    at = no_exception(start(draft="anasdraft01"))
    assert body(at) == state["body"]
    copy_id = at.query_params["draft"]
    copy_id = copy_id[0] if isinstance(copy_id, list) else copy_id
    assert copy_id != "anasdraft01"
    with open_store() as store:
        assert store.drafts.read("anasdraft01") == before  # the original untouched
        data, _ = store.drafts.read(copy_id)
        assert data["created_by"] == os_login() and data["body"] == state["body"]
