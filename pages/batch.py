"""Batch: one request over a table of cases, on up to six targets, with assertions."""

import streamlit as st

from comet.runs.compare import pricer
from ui import batch_bounds, batch_plan, batch_view as view, editor, prompt_versions, spending
from ui.connection import current, listed_models
from ui.history_store import history, queued, store_errors, writer
from ui.shell import ensure_app

ensure_app()  # before drawing: see ui/shell.py

st.title("Batch")
st.caption("Write {{name}} where a case's value goes: every case runs on every target, each check says PASS or "
           "FAIL and why, and the runs land in History under one batch id.")

conn = current()
catalog = listed_models(conn)

left, right = st.columns([3, 2], gap="large")
with left:
    call, variables = view.request_editor()
    editor.mark(editor.BATCH)  # after every widget the editor writes to: see ui/editor/echo.py
    st.subheader("Cases")
    cases = view.cases_editor(variables)
with right:
    st.subheader("Targets")
    targets = view.target_picker([m.id for m in catalog], call)
    versions: list = []
    with store_errors():
        versions = prompt_versions.batch_targets(history())  # saved prompt versions, in place of the targets
    concurrency = st.number_input("Requests in flight", key="bat_concurrency", min_value=1, max_value=32, value=8)
    repeat, max_cost = batch_plan.fields()
st.subheader("Assertions (every case)")
asserts = view.assertion_picker()  # full width: the type and value read whole

suite = view.suite_data(call, targets, cases, asserts) if call is not None else None
if suite is not None and versions:
    suite = {**suite, "targets": versions}
data = batch_plan.with_repeat(suite, repeat)
batch_plan.say_cost(data, {m.id: m for m in catalog})  # how many requests, and what they may cost
go, stop = st.columns([1, 1])
# a run of more than batch_bounds.CONFIRM_ABOVE requests shows its cost estimate and asks first
todo = batch_bounds.run_requested(go.button("Run", key="bat_go", type="primary", disabled=data is None), data,
                                  {m.id: m for m in catalog})
if todo is not None and spending.allowed(conn, catalog):
    view.start(todo, conn.client(), history=queued(), price=pricer(catalog), concurrency=int(concurrency),
               max_cost_usd=max_cost, store=history(), writer=writer())  # stored: any replica sees it
running = view.current() is not None and not view.current().finished
stop.button("Stop", key="bat_stop", on_click=view.stop_current, disabled=not running)

view.show(view.current(), data)
with store_errors():  # a store that breaks mid-read: a message where it stopped, never a traceback
    view.recorded(history(), conn.client, pricer(catalog))
