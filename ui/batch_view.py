"""The Batch page's pieces: the request with its variables, the cases table, targets,
assertions, the run with its progress and Stop, the results matrix, the per-target summary and
the downloads. Every rule lives in :mod:`comet.runs.batch`; here is only drawing.

A running :class:`~comet.runs.batch.Batch` is kept in ``st.session_state["bat_run"]``. It runs in
its own threads, so the page never blocks on it: while it runs, a fragment redraws the progress
every half second, and any rerun (Stop, a filter, returning to the page) draws what finished so
far.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

import pandas as pd
import streamlit as st

from comet import Call, CometError, Route, simple_body
from comet.body.variables import names
from comet.core import formats, limits
from comet.runs.batch import (ASSERTION_TYPES, Batch, Result, SuiteError, counts, keep, parse, per_target, plan,
                              read_dataset, render, summary, target_name)
from comet.runs.compare import DEFAULT_TARGETS, MAX_TARGETS, Target
from comet.store.prompts_sql import suite_resolver

from . import batch_bounds, batch_matrix, batch_plan, batch_stored_view, editor, history_table, judge_view
from .inert import inert

WINDOW = 200  # rows of the results drawn at once, whatever the batch's size
PAGE = editor.BATCH
ROUTES = [r.value for r in Route]
NO_VALUE = {"json-valid"}
# checks any route and model meet, the emulator included: a first run is green, and shows what a check says
DEFAULT_CHECKS = ({"type": "finish-reason", "value": "stop"}, {"type": "max-latency-ms", "value": 30000})


def _state() -> Any:
    return st.session_state


# ---- the request -------------------------------------------------------------------------------

def set_request(call: Call, values: dict[str, str] | None = None) -> None:
    """Make ``call`` the request; ``values`` (the Playground's variables) become the first case."""
    s = _state()
    editor.replace(PAGE, editor.EditorState.of(call, variables=dict(values or {})))
    used = names(call.body)
    if used and values is not None:
        s["bat_cases"] = pd.DataFrame({v: pd.Series([values.get(v, "")], dtype="string") for v in used})
        s["bat_cases_version"] = s.get("bat_cases_version", 0) + 1


def _from_playground() -> None:
    played = editor.playground()
    if played is not None:
        set_request(played.call(), played.variables)


def request_editor() -> tuple[Call | None, list[str]]:
    """Route, model and the body as JSON with ``{{variables}}``; returns the request (None while
    the JSON is invalid) and its variable names."""
    state = editor.load(PAGE, editor.EditorState.of(Call(
        Route.GEMINI, DEFAULT_TARGETS[0].model, simple_body(Route.GEMINI, "What is the capital of {{country}}?"))))
    if editor.playground() is not None:
        st.button("Start from the Playground's request", key="bat_from_playground", on_click=_from_playground,
                  help="copy the Playground's request; its {{variables}} become columns")
    c1, c2, c3 = st.columns([1, 2, 1])
    c1.selectbox("Route", ROUTES, key=PAGE.route, on_change=editor.on_route, args=(PAGE,),
                 format_func=lambda v: Route.parse(v).label)
    c2.text_input("Model", key=PAGE.model, on_change=editor.on_model, args=(PAGE,))
    c3.toggle("Stream", key=PAGE.stream, on_change=editor.on_stream, args=(PAGE,))
    editor.json_box(PAGE, "Request body (JSON); write {{name}} where a case's value goes", height=180)
    if state.json_error is not None:  # invalid JSON, or beyond a limit: where, what and the fix
        editor.json_error(state, key="bat_body_err")
        return None, []
    variables = names(state.body)
    st.caption("Variables: " + (", ".join(f"`{{{{{v}}}}}`" for v in variables) if variables
                                else "none (add {{name}} to a string to vary it per case)"))
    return Call(state.route, state.model, state.body, stream=state.stream), variables


# ---- cases -------------------------------------------------------------------------------------

def _upload() -> None:
    s = _state()
    file = s.get("bat_upload")
    if file is None:
        return
    try:
        text = file.getvalue().decode("utf-8-sig")
        refused = batch_bounds.rows_over_limit(text, file.name)
        if refused:  # said with the reason; the table keeps the cases it had
            s["bat_upload_error"] = refused
            return
        rows = read_dataset(text, file.name)
    except (SuiteError, UnicodeDecodeError) as exc:
        s["bat_upload_error"] = f"{file.name}: {exc}"
        return
    s.pop("bat_upload_error", None)
    s["bat_cases"] = pd.DataFrame([values for _, values in rows]).astype("string").fillna("")
    s["bat_cases_version"] = s.get("bat_cases_version", 0) + 1  # a fresh table widget


def cases_editor(variables: Sequence[str]) -> list[dict[str, str]]:
    """The cases as an editable table, one column per variable (plus any columns uploaded,
    e.g. ``expected`` for an assertion's ``{{expected}}``)."""
    s = _state()
    table = s.get("bat_cases")
    if table is None:
        table = pd.DataFrame({v: pd.Series(["Portugal"] if v == "country" else [""], dtype="string")
                              for v in variables or ["note"]})
    for v in variables:
        if v not in table.columns:
            table[v] = pd.Series([""] * len(table), dtype="string")
    s["bat_cases"] = table
    st.file_uploader("Cases from a CSV or JSONL file (a column or key per variable)", type=["csv", "jsonl"],
                     key="bat_upload", on_change=_upload)
    if s.get("bat_upload_error"):
        st.error(inert(s["bat_upload_error"]))
    edited = st.data_editor(table, num_rows="dynamic", width="stretch", hide_index=True,
                            key=f"bat_cases_table_{s.get('bat_cases_version', 0)}")
    rows = [{k: ("" if pd.isna(v) else str(v)) for k, v in row.items()} for row in edited.to_dict("records")]
    rows = [row for row in rows if any(value != "" for value in row.values())]
    st.caption(f"{len(rows)} case(s)")
    return rows


# ---- targets and assertions --------------------------------------------------------------------

def target_picker(model_ids: Sequence[str], request: Call | None) -> list[Target]:
    s = _state()
    n = st.number_input("Targets", key="bat_n", min_value=1, max_value=MAX_TARGETS, value=2, step=1)
    targets = []
    for i in range(int(n)):
        default = DEFAULT_TARGETS[i % len(DEFAULT_TARGETS)]
        s.setdefault(f"bat_route_{i}", default.route.value)
        s.setdefault(f"bat_model_{i}", request.model if request and request.model else default.model)
        options = list(dict.fromkeys([*model_ids, s[f"bat_model_{i}"]]))
        c1, c2 = st.columns([1, 2])
        c1.selectbox(f"Route {i + 1}", ROUTES, key=f"bat_route_{i}", format_func=lambda v: Route.parse(v).label)
        c2.selectbox(f"Model {i + 1}", options, key=f"bat_model_{i}", accept_new_options=True)
        targets.append(Target(s[f"bat_route_{i}"], s[f"bat_model_{i}"]))
    return targets


def _add_assertion() -> None:
    s = _state()
    kind, text = s["bat_assert_type"], s.get("bat_assert_value", "")
    value: Any = None if kind in NO_VALUE else text
    if kind.startswith("max-") or kind == "json-schema":
        try:
            value = limits.loads(text)
        except CometError:
            s["bat_assert_error"] = f"{kind} needs " + ("a number" if kind.startswith("max-") else "a JSON schema")
            return
    s.pop("bat_assert_error", None)
    s.setdefault("bat_asserts", []).append({"type": kind} if value is None else {"type": kind, "value": value})
    s["bat_assert_value"] = ""


def assertion_picker() -> list[dict[str, Any]]:
    """Assertions for every case, added from the list; text values may use ``{{variables}}``."""
    s = _state()
    asserts: list[dict[str, Any]] = s.setdefault("bat_asserts", [dict(c) for c in DEFAULT_CHECKS])
    c1, c2, c3 = st.columns([2, 5, 1], vertical_alignment="bottom")
    c1.selectbox("Assertion", ASSERTION_TYPES, key="bat_assert_type")
    c2.text_input("Value (text, {{variable}}, a number, or a JSON schema)", key="bat_assert_value")
    c3.button("Add", key="bat_assert_add", on_click=_add_assertion)
    if s.get("bat_assert_error"):
        st.error(inert(s["bat_assert_error"]))
    for i, item in enumerate(list(asserts)):
        c1, c2, c3 = st.columns([2, 5, 1], vertical_alignment="center")
        c1.markdown(f"`{item['type']}`")
        c2.code(json.dumps(item["value"], ensure_ascii=False) if "value" in item else formats.EMPTY, language=None)
        if c3.button("Remove", key=f"bat_assert_rm_{i}"):
            asserts.pop(i)
            st.rerun()
    return list(asserts)


def suite_data(call: Call, targets: Sequence[Target], cases: Sequence[dict], asserts: Sequence[dict]) -> dict:
    """The page's inputs as a suite file (what Download suite writes and the run checks)."""
    return {"name": _state().get("bat_name") or "batch",
            "request": {"route": call.route.value, "model": call.model, "stream": call.stream, "body": call.body},
            "targets": [{"route": t.route.value, "model": t.model} for t in targets],
            "cases": [{"vars": dict(row)} for row in cases], "assert": list(asserts)}


# ---- running -----------------------------------------------------------------------------------

def start(data: dict, client: Any, *, history: Any, price: Any, concurrency: int,
          max_cost_usd: float | None = None, store: Any = None, writer: Any = None) -> Batch | None:
    """Check the suite (errors shown, nothing sent) and start it; a running batch is stopped.
    With ``store`` the batch is stored first and its results kept there as they finish
    (:mod:`ui.batch_stored_view`), by threads of this server: closing the tab does not stop it."""
    s = _state()
    previous = s.get("bat_run")
    if previous is not None and not previous.finished:
        previous.stop()
    try:
        suite = parse(data, prompts=suite_resolver(history) if history is not None else None)  # saved prompts
        run = Batch(suite, plan(suite), client, concurrency=concurrency, history=history, price=price,
                    max_cost_usd=max_cost_usd)
    except SuiteError as exc:
        st.error(inert(f"{exc.where}: {exc.message}" + (f". Fix: {exc.fix}" if exc.fix else "")))
        return None
    batch_stored_view.record(run, store, writer)
    s["bat_run"] = run.start()
    return run


def current() -> Batch | None:
    return _state().get("bat_run")


def stop_current() -> None:
    run = current()
    if run is not None:
        batch_stored_view.stop(run)


def progress(run: Batch) -> None:
    """Collect what finished and draw the bar; when the batch is done, redraw the whole page."""
    if getattr(run, "recorder", None) is None:  # a stored batch's own thread collects its results
        run.drain(0)
    done = len(run.results)
    label = f"{done:,} of {run.total:,} runs"
    if run.finished:
        label += " (stopped)" if run.cancel.is_set() and done < run.total else " done"
    st.progress(done / run.total if run.total else 1.0, text=label)


@st.fragment(run_every=0.5)
def live(run: Batch) -> None:
    """While the batch runs: the bar, the summary and the matrix so far, every half second."""
    progress(run)
    if run.finished:
        st.rerun(scope="app")
    summary_table(run)
    matrix(run)


# ---- results -----------------------------------------------------------------------------------

def matrix(run: Batch) -> None:
    """Case x target, filtered, drawn a window of results at a time."""
    labels = [p.target.label for p in run.planned]
    c1, c2, c3 = st.columns([1, 2, 1])
    failed_only = c1.toggle("Failed only", key="bat_failed_only")
    shown = c2.multiselect("Targets shown", list(dict.fromkeys(labels)), default=list(dict.fromkeys(labels)),
                           key="bat_shown")
    failing = batch_matrix.failing(run.results) if failed_only else None  # a flaky case keeps all its runs
    results = sorted((r for r in run.results if batch_matrix.label(r, labels) in shown
                      and (failing is None or (r.case.number, r.target) in failing)),
                     key=lambda r: (r.case.number, r.target, r.repeat))
    pages = max(1, -(-len(results) // WINDOW))
    page = c3.number_input("Page", key="bat_page", min_value=1, max_value=pages, value=1, step=1)
    window = results[(int(page) - 1) * WINDOW:int(page) * WINDOW]
    st.caption(f"{len(results):,} result(s); rows {(int(page) - 1) * WINDOW + 1 if results else 0}-"
               f"{(int(page) - 1) * WINDOW + len(window)} shown")
    if window:
        batch_matrix.draw(window, labels)


def summary_table(run: Batch) -> None:
    """Per target: runs, pass rate, p50 and p95 latency, tokens and cost, read as everywhere."""
    stats = per_target(run.results, [target_name(p) for p in run.planned])
    table = pd.DataFrame([{"target": p.target.label, "runs": t.runs, "pass rate": t.pass_rate,
                           "p50": formats.ms(t.p50_ms), "p95": formats.ms(t.p95_ms), "tokens": formats.count(t.tokens),
                           "cost": formats.usd(t.cost_usd)} for p, t in zip(run.planned, stats)])
    st.dataframe(table, hide_index=True, width="stretch", key="bat_summary",
                 column_config={"pass rate": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent")})


def downloads(run: Batch, data: dict | None) -> None:
    head = summary(run.results, len(run.suite.cases), len(run.planned), run.wall_ms)
    names_ = [target_name(p) for p in run.planned]
    cols = st.columns(4)
    for col, (fmt, ext, mime) in zip(cols, [("csv", "csv", "text/csv"), ("json", "json", "application/json"),
                                            ("junit", "xml", "application/xml")]):
        col.download_button(f"Results ({fmt.upper()})", render(fmt, run.suite.name, run.results, head, names_),
                            file_name=f"batch-results.{ext}", mime=mime, key=f"bat_dl_{fmt}")
    suite = data if data is not None else run.suite.to_dict()
    cols[3].download_button("Suite file", json.dumps(suite, indent=2, ensure_ascii=False),
                            file_name="suite.json", mime="application/json", key="bat_dl_suite")


def show(run: Batch | None, data: dict | None) -> None:
    if run is None:
        return
    if not run.finished:
        live(run)
    else:
        progress(run)
        _keep_once(run)
        head = summary(run.results, len(run.suite.cases), len(run.planned), run.wall_ms)
        st.info(f"{counts(head)}; "
                f"batch `{run.batch_id}` is in History.")
        batch_plan.say_stopped(run)
        for problem in run.save_errors[:3]:
            st.warning(inert(problem))
        summary_table(run)
        judge_view.batch_summary(run)  # the judges' cost apart, and their agreement with people
        matrix(run)
    downloads(run, data)


# ---- batches recorded in History ---------------------------------------------------------------

def _keep_once(run: Batch) -> None:
    """Save a finished batch's verdicts and case variables beside its runs, once per batch."""
    kept = _state().setdefault("bat_kept", set())
    if run.history is None or run.batch_id in kept:
        return
    kept.add(run.batch_id)
    problem = keep(run)
    if problem:
        run.save_errors.append(problem)


def _checks(result: dict[str, Any] | None) -> tuple[str, str, str]:
    """(verdict, why, vars) of one stored result, for the reopened batch's table."""
    if result is None:
        return "", "", ""
    failed = [a["message"] for a in result.get("assertions") or () if not a.get("pass")]
    error = result.get("error")
    verdict = "ERROR" if error else "PASS" if result.get("ok") else "FAIL"
    why = f"{error['kind']}: {error['message']}" if error else "; ".join(failed)
    return verdict, why, json.dumps(result.get("vars") or {}, ensure_ascii=False)


def recorded(history: Any, client: Any = None, price: Any = None) -> None:
    """Reopen a batch: a stored one's state and progress with Stop, Resume and Retry errors
    (``client()`` makes the client a resume runs on), and its runs (target and case, status,
    reply, latency, cost), with a button that shows them on the History page. Nothing while the
    history is off."""
    if history is None:
        return
    stored = batch_stored_view.listing(history)
    runs = {g["group_id"]: g["runs"] for g in history.groups(limit=200) if str(g["group_id"]).startswith("bat-")}
    ids = list(dict.fromkeys([*stored, *runs]))
    if not ids:
        return
    with st.expander("Recorded batches", expanded=st.session_state.get("bat_recorded") is not None):
        picked = st.selectbox("Batch", ids, index=None, key="bat_recorded", placeholder="pick a batch",
                              format_func=lambda b: b + (batch_stored_view.label(stored.get(b))
                                                         or f" · {runs.get(b, 0)} runs"))
        if picked is None:
            return
        if picked in stored and client is not None:
            batch_stored_view.panel(history, picked, client, price)
        rows = history.page(group_id=picked, limit=None)
        ok = sum(1 for r in rows if r["status"] == "ok")
        report = history.batch(picked) or batch_stored_view.results(history, picked)
        by_run = {r.get("run"): r for r in report["results"]} if report else {}
        note = (f"; checks: {report['summary']['passed']} passed, {report['summary']['failed']} failed, "
                f"{report['summary']['errors']} errors" if report else
                " (no verdicts were kept for this batch: it was recorded before they were)")
        st.caption(f"{len(rows)} runs: {ok} answered, {len(rows) - ok} failed or stopped{note}")
        table = []
        for r in rows[:WINDOW]:
            verdict, why, case_vars = _checks(by_run.get(r["id"]))
            table.append({"target · case": r["label"], "checks": verdict, "why": why, "vars": case_vars,
                          "status": r["status"], "finish": r["finish_reason"] or formats.EMPTY,
                          "reply": r["reply_preview"] or "", "latency": formats.ms(r["latency_ms"]),
                          "cost": formats.usd(r["cost"])})
        st.dataframe(table, hide_index=True, width="stretch", key="bat_recorded_rows")
        if st.button("Show in History", key="bat_recorded_open", on_click=history_table.set_group, args=(picked,)):
            st.switch_page("pages/history.py")
