"""AppTest flows of the Batch page on the real stack (app.py, client, emulator, history): upload a
CSV, run, see the matrix and the per-target summary, Stop mid-run keeps the finished cells, and
the runs land in History under the batch id."""

from __future__ import annotations

import json
import time

import pytest
from app_support import APP, TIMEOUT, no_exception, texts
from streamlit.testing.v1 import AppTest

CSV = 'country,expected\nPortugal,Portugal\nPeru,Lima\n"Côte d\'Ivoire, the",Ivoire\n'


def open_batch() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    return no_exception(at.switch_page("pages/batch.py").run())


def upload(at: AppTest, text: str, name: str = "cases.csv") -> AppTest:
    return no_exception(at.file_uploader(key="bat_upload").set_value((name, text.encode(), "text/csv")).run())


def add_assertion(at: AppTest, kind: str, value: str = "") -> AppTest:
    at.selectbox(key="bat_assert_type").set_value(kind).run()
    at.text_input(key="bat_assert_value").set_value(value).run()
    return no_exception(at.button(key="bat_assert_add").click().run())


def frame(at: AppTest, column: str):
    """The table drawn with ``column`` (st.dataframe keeps no key in AppTest)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def until_finished(at: AppTest, limit_s: float = 60) -> AppTest:
    deadline = time.monotonic() + limit_s
    while not at.session_state["bat_run"].finished:
        assert time.monotonic() < deadline, "the batch did not finish"
        time.sleep(0.2)
        at.run()
    return no_exception(at.run())


def test_upload_a_csv_run_and_see_the_matrix_summary_and_history(on_emulator):
    from comet.store.history import History, default_path

    at = upload(open_batch(), CSV)
    table = at.session_state["bat_cases"]
    assert list(table.columns) == ["country", "expected"] and list(table["country"]) == [
        "Portugal", "Peru", "Côte d'Ivoire, the"]
    add_assertion(at, "contains", "{{expected}}")
    at = until_finished(no_exception(at.button(key="bat_go").click().run()))
    run = at.session_state["bat_run"]
    assert len(run.results) == 6 and run.total == 6
    matrix = frame(at, "OpenAI-compatible · gemini-2.5-flash")
    assert list(matrix.index) == [1, 2, 3]
    assert list(matrix.columns) == ["Gemini native · gemini-2.5-flash", "OpenAI-compatible · gemini-2.5-flash"]
    assert [c.split(" ")[0] for c in matrix.loc[1]] == ["PASS"] * 2 and [c.split(" ")[0] for c in matrix.loc[2]] == ["FAIL"] * 2
    summary = frame(at, "pass rate")
    assert list(summary["runs"]) == [3, 3] and list(summary["pass rate"]) == pytest.approx([2 / 3, 2 / 3])
    assert "4 passed, 2 failed, 0 errors" in texts(at, "info")
    details = frame(at, "why")
    assert "the reply does not contain 'Lima'" in set(details["why"])
    at.toggle(key="bat_failed_only").set_value(True).run()
    assert list(frame(at, "why")["case"]) == [2, 2]
    assert [b.label for b in at.get("download_button")] == ["Results (CSV)", "Results (JSON)", "Results (JUNIT)",
                                                             "Suite file"]
    with History(default_path()) as history:
        rows = history.query(group_id=run.batch_id, limit=None)
    assert len(rows) == 6


def test_stop_mid_run_keeps_the_finished_cells(on_emulator):
    rows = "country\n" + "\n".join(f"land {i}" for i in range(400)) + "\n"
    at = upload(open_batch(), rows)
    at.number_input(key="bat_concurrency").set_value(2).run()
    at = no_exception(at.button(key="bat_go").click().run())
    at = no_exception(at.button(key="bat_confirm_go").click().run())  # 800 requests: the page asks first
    run = at.session_state["bat_run"]
    while len(run.results) < 4:
        time.sleep(0.05)
        run.drain(0)
    at = no_exception(at.button(key="bat_stop").click().run())
    at = until_finished(at)
    kept = len(run.results)
    assert 4 <= kept < run.total and run.cancel.is_set()
    assert all(r.ok for r in run.results)
    assert len(frame(at, "why")) == kept
    assert any(f"{kept:,} of {run.total:,} runs (stopped)" in str(p.proto.text) for p in at.get("progress"))


def test_a_bad_suite_is_shown_and_nothing_is_sent(on_emulator):
    at = open_batch()
    at.text_area(key="bat_body").set_value('{"messages": [{"role": "user", "content": "{{country}}"}]}').run()
    on_emulator.clear()
    at = no_exception(at.button(key="bat_go").click().run())
    assert "$.request (for target Gemini native · gemini-2.5-flash)" in texts(at, "error")
    assert [q for q in on_emulator.received if q.method == "POST"] == []


def test_playground_variables_get_a_field_block_send_until_filled_and_fill_send_and_code(on_emulator):
    from app_support import open_code, set_json, start

    at = start()
    body = {"contents": [{"role": "user", "parts": [{"text": 'Capital of {{country}}? Say "{{style}}".'}]}]}
    at = no_exception(set_json(at, body))
    assert [f.label for f in at.text_input if f.key and f.key.startswith("pg_var_")] == ["{{country}}", "{{style}}"]
    assert "the variable {{country}} has no value" in texts(at, "warning")
    assert at.button(key="pg_send").disabled
    at.text_input(key="pg_var_country").set_value("Côte d'Ivoire").run()
    at = no_exception(at.text_input(key="pg_var_style").set_value('{{x}} "brief"').run())
    assert "has no value" not in texts(at, "warning") and not at.button(key="pg_send").disabled
    at = no_exception(open_code(at))
    assert "Capital of Côte d'Ivoire? Say \\\"{{x}} \\\"brief\\\"\\\"." in at.code[0].value  # curl: the filled body
    on_emulator.clear()
    at = no_exception(at.button(key="pg_send").click().run())
    sent = [q.json for q in on_emulator.received if q.method == "POST"]
    assert sent[-1]["contents"][0]["parts"][0]["text"] == 'Capital of Côte d\'Ivoire? Say "{{x}} "brief"".'
    state = at.session_state["pg_state"]
    assert state.to_draft()["variables"] == {"country": "Côte d'Ivoire", "style": '{{x}} "brief"'}
    assert "{{country}}" in json.dumps(state.body)  # the draft keeps the template


def test_batch_starts_from_the_playground_request_with_its_variables_as_columns(on_emulator):
    from app_support import set_json, start

    at = start()
    at = set_json(at, {"contents": [{"role": "user", "parts": [{"text": "Capital of {{country}}?"}]}]})
    at = no_exception(at.text_input(key="pg_var_country").set_value("Peru").run())
    at = no_exception(at.switch_page("pages/batch.py").run())
    at = no_exception(at.button(key="bat_from_playground").click().run())
    assert "Capital of {{country}}?" in at.text_area(key="bat_body").value
    assert list(at.session_state["bat_cases"]["country"]) == ["Peru"]


def test_history_exports_picked_runs_as_a_suite_and_compare_offers_it_too(on_emulator):
    from comet import Call, Client, Route, simple_body
    from comet.store.history import History, default_path

    with Client(on_emulator.base_url, "test-key") as client, History(default_path()) as history:
        ids = [history.save(client.send(Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", text))))
               for text in ("first prompt", "second prompt")]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at = no_exception(at.switch_page("pages/history.py").run())
    at = no_exception(at.multiselect(key="hist_suite_runs").set_value(ids).run())
    assert [b.label for b in at.get("download_button") if b.key == "hist_suite_download"] == ["Export as suite"]
    at = no_exception(at.switch_page("pages/compare.py").run())
    at = no_exception(at.button(key="cmp_run").click().run())
    assert [b.label for b in at.get("download_button") if b.key == "cmp_export_suite"] == ["Export as suite"]


def test_a_recorded_batch_reopens_from_history(on_emulator):
    at = upload(open_batch(), "country\nPortugal\nPeru\n")
    at = until_finished(no_exception(at.button(key="bat_go").click().run()))
    batch_id = at.session_state["bat_run"].batch_id
    at = no_exception(at.selectbox(key="bat_recorded").set_value(batch_id).run())
    rows = frame(at, "target · case")
    assert sorted(rows["target · case"]) == sorted(
        f"{route} · gemini-2.5-flash · case {n}" for n in (1, 2) for route in ("Gemini native", "OpenAI-compatible"))
    assert set(rows["status"]) == {"ok"}
    verdicts = {r.history_id: r for r in at.session_state["bat_run"].results}  # what the run itself said
    assert len(verdicts) == 4
    for _, row in rows.iterrows():
        result = next(r for r in verdicts.values() if r.target_name.startswith(
            "Gemini" if row["target · case"].startswith("Gemini") else "OpenAI") and
            row["target · case"].endswith(f"case {r.case.number}"))
        assert row["checks"] == ("PASS" if result.ok else "FAIL")
        assert json.loads(row["vars"]) == result.case.vars
    at = no_exception(at.button(key="bat_recorded_open").click().run())
    assert at.session_state["hist_group"] == batch_id


def test_compare_refuses_a_request_with_an_unfilled_variable(on_emulator):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at = no_exception(at.switch_page("pages/compare.py").run())
    at = no_exception(at.text_area(key="cmp_prompt").set_value("Capital of {{country}}?").run())
    on_emulator.clear()
    at = no_exception(at.button(key="cmp_run").click().run())
    assert "The variable {{country}} has no value" in texts(at, "error")
    assert [q for q in on_emulator.received if q.method == "POST"] == []


def test_the_default_batch_passes_on_the_emulator_and_a_picked_cell_opens_its_result(on_emulator):
    """The page as it opens (its request, case and default checks) is green in demo mode; the
    matrix says PASS in words, numbers read as everywhere else, and picking a cell shows that
    result's reply, variables and checks."""
    at = open_batch()
    at = until_finished(no_exception(at.button(key="bat_go").click().run()))
    run = at.session_state["bat_run"]
    assert run.results and all(r.ok and r.verdicts for r in run.results), [r.verdicts for r in run.results]
    matrix = frame(at, "OpenAI-compatible · gemini-2.5-flash")
    assert list(matrix.columns) == ["Gemini native · gemini-2.5-flash", "OpenAI-compatible · gemini-2.5-flash"]
    assert all(str(c).startswith("PASS · ") and str(c).endswith(" ms") for c in matrix.loc[1])
    summary = frame(at, "pass rate")
    assert all(str(v).endswith(" ms") for v in summary["p50"]) and "None" not in summary.to_string()
    assert not at.get("arrow_vega_lite_chart")  # the pass rate is in the table: no chart repeating it
    assert "None" not in frame(at, "why").to_string()
    at.session_state["bat_matrix"] = {"selection": {"rows": [], "columns": [],
                                                    "cells": [(0, "OpenAI-compatible · gemini-2.5-flash")]}}
    at = no_exception(at.run())
    picked = next(r for r in run.results if r.target == 1)
    assert picked.text in [c.value for c in at.code]
    assert "[**PASS**] · case 1 · OpenAI-compatible · gemini-2.5-flash" in texts(at, "markdown")
    variables, checks = (h.proto.body for h in at.get("html") if "bat-table" in h.proto.body)
    assert "<td>country</td><td>Portugal</td>" in variables
    assert checks.count(">PASS</td>") == len(picked.verdicts) and "FAIL" not in checks
    assert all(f"<td>{v.type}</td>" in checks for v in picked.verdicts)
