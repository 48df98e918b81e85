"""The Batch page's repeat and cost fields on the real stack (app, client, emulator): *Repeat each
case* runs every case N times and the matrix cell shows its pass rate (FLAKY for a target that
fails one time in three: the emulator's ``[[fail=1/3]]``); the line above Run says the requests
and their estimated cost; *Stop at cost (USD)* starts no new run once the batch has spent it."""

from __future__ import annotations

import json

from app_support import no_exception, texts
from test_batch_page import add_assertion, frame, open_batch, until_finished

GEMINI, OPENAI = "Gemini native · gemini-2.5-flash", "OpenAI-compatible · gemini-2.5-flash"
FLAKY = {"contents": [{"role": "user", "parts": [{"text": "Capital of {{country}}? [[fail=1/3]]"}]}]}


def test_repeat_shows_the_pass_rate_in_the_matrix_cell_and_the_cost_line(on_emulator):
    at = open_batch()
    at.text_area(key="bat_body").set_value(json.dumps(FLAKY)).run()
    at = add_assertion(at, "icontains", "{{country}}")
    assert "\n2 requests (1 case x 2 targets); cost about $" in "\n" + texts(at, "caption")
    at = no_exception(at.number_input(key="bat_repeat").set_value(3).run())
    line = next(t for t in texts(at, "caption").splitlines() if " requests (" in t)
    assert line.startswith("6 requests (1 case x 2 targets x 3 runs); cost about $") and "(est.: " in line
    on_emulator.clear()
    at = until_finished(no_exception(at.button(key="bat_go").click().run()))
    run = at.session_state["bat_run"]
    assert run.total == 6 and sorted((r.target, r.repeat) for r in run.results) == [
        (t, k) for t in (0, 1) for k in (1, 2, 3)]
    matrix = frame(at, OPENAI)
    assert list(matrix.loc[1]) == ["FLAKY · 2/3 (67%)", "FLAKY · 2/3 (67%)"]
    assert "4 passed, 2 failed, 0 errors, 2 flaky" in texts(at, "info")
    assert list(frame(at, "why")["run"]) == [1, 2, 3, 1, 2, 3]
    at = no_exception(at.toggle(key="bat_failed_only").set_value(True).run())  # a flaky case keeps every run
    assert list(frame(at, OPENAI).loc[1]) == ["FLAKY · 2/3 (67%)", "FLAKY · 2/3 (67%)"]
    at = no_exception(at.toggle(key="bat_failed_only").set_value(False).run())
    at.session_state["bat_matrix"] = {"selection": {"rows": [], "columns": [], "cells": [(0, GEMINI)]}}
    at = no_exception(at.run())  # a flaky cell opens the run that failed
    assert f"\n:red[**FAIL**] · case 1 · run " in "\n" + texts(at, "markdown")


def test_stop_at_cost_starts_no_new_run_once_the_batch_has_spent_it(on_emulator):
    at = open_batch()
    at.number_input(key="bat_n").set_value(1).run()
    at.number_input(key="bat_concurrency").set_value(1).run()
    at.number_input(key="bat_repeat").set_value(20).run()
    at = no_exception(at.number_input(key="bat_max_cost").set_value(0.0015).run())
    on_emulator.clear()
    at = until_finished(no_exception(at.button(key="bat_go").click().run()))
    run = at.session_state["bat_run"]
    one = run.results[0].cost_usd
    assert run.capped and 1 < len(run.results) == -(-0.0015 // one) < 20  # runs until the spend reaches the cap
    assert sum(1 for q in on_emulator.received if q.method == "POST") == len(run.results)
    said = texts(at, "warning")
    assert "Stopped: the batch spent $" in said and f"{len(run.results)} of 20 runs finished" in said
