"""AppTest on the real stack (app.py, client, emulator, store): the stamp under a run, a rerun
from History compared with the run it repeats, and any two History runs diffed (metrics side by
side, word diff, structural JSON diff)."""

from __future__ import annotations

import json

import pytest
from app_support import APP, TIMEOUT, no_exception, texts
from streamlit.testing.v1 import AppTest

import comet
from comet import Call, Route, simple_body
from comet.runs.stamp import request_hash


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    return no_exception(at.switch_page(page).run())


def store():
    from comet.store import default_path, open_store

    return open_store(default_path())


def record(emulator, *calls: Call) -> list[int]:
    from comet.http.client import Client

    s = store()
    with Client(emulator.base_url, "test-key") as client:
        return [s.record(client.send(c)) for c in calls]


def test_the_stamp_shows_under_a_playground_run(on_emulator):
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    at.text_area(key="pg_f_prompt").set_value("stamp this run").run()
    at = no_exception(at.button(key="pg_send").click().run())
    (row,) = store().page()
    shown = texts(at.main, "caption")
    assert f"request {row['request_hash'][:12]}" in shown
    assert f"app {comet.__version__}" in shown and f"served {row['served_model']}" in shown
    assert f"response id {row['response_id']}" in shown


def test_a_rerun_compares_itself_with_the_run_it_repeats(on_emulator):
    (run_id,) = record(on_emulator, Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "once more")))
    at = open_page("pages/history.py")
    at = no_exception(at.selectbox(key="hist_run").set_value(run_id).run())
    at = no_exception(at.button(key="hist_rerun").click().run())
    rows = store().page()
    assert len(rows) == 2 and rows[0]["request_hash"] == rows[1]["request_hash"]
    said = texts(at.main, "success")
    assert "Compared with the run it repeats: same request; same served model" in said
    assert "identical reply" in said


def frame(at: AppTest, first_column: str):
    """The dataframe on the page whose first column is ``first_column``."""
    (found,) = [d.value for d in at.dataframe if list(d.value.columns)[:1] == [first_column]]
    return found


def diff(at: AppTest, a: int, b: int) -> AppTest:
    at.selectbox(key="hist_diff_a").set_value(a).run()
    return no_exception(at.selectbox(key="hist_diff_b").set_value(b).run())


def test_two_text_runs_show_metrics_side_by_side_and_a_word_diff(on_emulator):
    a, b = record(on_emulator, Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "red apples")),
                  Call(Route.OPENAI, "gemini-2.5-pro", simple_body("openai", "green apples")))
    at = diff(open_page("pages/history.py"), a, b)
    table = frame(at, "metric")
    by_metric = {r["metric"]: r for r in table.to_dict("records")}
    assert by_metric["Model"][f"A (#{a})"] == "gemini-2.5-flash"
    assert by_metric["Model"][f"B (#{b})"] == "gemini-2.5-pro"
    assert by_metric["Route"]["difference"] == "differs"
    assert "the same, word by word" in texts(at.main, "markdown")
    shown = "".join(str(h.proto.body) for h in at.get("html"))
    assert "<del" in shown and "<ins" in shown and "red" in shown and "green" in shown


def test_two_json_runs_show_a_structural_diff_with_paths(on_emulator):
    def structured(prompt: str, schema: dict) -> Call:
        body = simple_body("gemini", prompt)
        body["generationConfig"] = {"responseMimeType": "application/json", "responseJsonSchema": schema}
        return Call(Route.GEMINI, "gemini-2.5-flash", body)

    a, b = record(on_emulator,
                  structured("one", {"type": "object", "properties": {"name": {"type": "string"},
                                                                      "age": {"type": "integer"}}}),
                  structured("two", {"type": "object", "properties": {"name": {"type": "string"},
                                                                      "tags": {"type": "array"}}}))
    at = diff(open_page("pages/history.py"), a, b)
    changes = {r["path"]: r["change"] for r in frame(at, "path").to_dict("records")}
    assert changes.get("$.age") == "removed" and changes.get("$.tags") == "added"
    assert "JSON replies:" in texts(at.main, "markdown")


# ---- the prompt library (was: presets) --------------------------------------------------------------

def test_save_reload_and_load_a_prompt(on_emulator):
    from app_support import body

    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    at.text_area(key="pg_f_prompt").set_value("the request that worked").run()
    at.number_input(key="pg_f_temperature").set_value(0.4).run()
    saved_body = body(at)
    at.text_input(key="pst_name").set_value("Worked once").run()
    at.text_input(key="pst_message").set_value("keep this").run()
    at = no_exception(at.button(key="pst_save_as").click().run())
    assert "Saved Worked once v1. keep this" in texts(at.main, "success")
    (kept,) = store().prompt_versions("Worked once")
    assert kept.message == "keep this" and kept.body == saved_body

    fresh = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())  # a new session: a reload
    assert fresh.text_area(key="pg_f_prompt").value != "the request that worked"
    fresh.selectbox(key="pst_pick").set_value("saved:Worked once").run()
    fresh = no_exception(fresh.button(key="pst_load").click().run())
    assert body(fresh) == saved_body
    assert fresh.text_area(key="pg_f_prompt").value == "the request that worked"
    assert fresh.number_input(key="pg_f_temperature").value == 0.4
    assert "Loaded Worked once v1. keep this" in texts(fresh.main, "success")


def test_a_builtin_example_loads_and_is_no_saved_prompt(on_emulator):
    from app_support import body

    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    at.selectbox(key="pst_pick").set_value("builtin:Example: Grounded answer").run()
    at = no_exception(at.button(key="pst_load").click().run())
    assert body(at)["tools"] == [{"googleSearch": {}}]
    assert at.radio(key="pg_route").value == "gemini"
    assert not [c for c in at.main.caption if c.value.startswith("From ")]  # not from a saved prompt
    assert at.button(key="pst_save").disabled  # Save adds to a loaded prompt only; an example stays read-only


def test_a_presets_file_is_imported_and_a_bad_one_is_explained(on_emulator):
    from comet.store.presets import Preset, dumps

    shared = [Preset.of("From a colleague", Call(Route.GEMINI, "gemini-2.5-pro", simple_body("gemini", "hi")), "n")]
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    assert not [u for u in at.get("file_uploader") if u.key == "pst_upload"]  # drawn on demand only
    at = no_exception(at.toggle(key="pst_show_upload").set_value(True).run())
    (upload,) = [u for u in at.file_uploader if u.key == "pst_upload"]
    upload.set_value(("presets.json", dumps(shared).encode(), "application/json")).run()
    at = no_exception(at.button(key="pst_import").click().run())
    assert "Imported 1 prompt: 1 new version (From a colleague)." in texts(at.main, "success")
    (kept,) = store().prompt_versions("From a colleague")
    assert kept.call() == shared[0].call() and kept.message == "n"
    (upload,) = [u for u in at.file_uploader if u.key == "pst_upload"]
    upload.set_value(("bad.json", b'{"presets": [{"name": "x", "route": "bard"}]}', "application/json")).run()
    at = no_exception(at.button(key="pst_import").click().run())
    assert 'cannot be imported: preset 1: "route" must be "gemini" or "openai"' in texts(at.main, "error")
