"""Compare: one request, run at once on up to six targets (route and model), side by side."""

import streamlit as st

from comet.runs.compare import pricer
from ui import compare_view as view, editor, spending
from ui.connection import current, listed_models
from ui.history_store import queued
from ui.shell import ensure_app

ensure_app()  # before drawing: see ui/shell.py

st.title("Compare")
st.caption("One request on up to six targets at once, each in its route's shape. Every run lands in History.")

conn = current()
catalog = listed_models(conn)

request, targets_column = st.columns(2, gap="large")  # room for the full route names
with request:
    call = view.request_editor()
    editor.mark(editor.COMPARE)  # after every widget the editor writes to: see ui/editor/echo.py
with targets_column:
    targets = view.target_picker([m.id for m in catalog])

go, stop = st.columns([1, 1])
if go.button("Compare", key="cmp_run", type="primary") and spending.allowed(conn, catalog):
    view.start(call, targets, conn.client(), history=queued(), price=pricer(catalog))
running = view.current() is not None and not view.current().finished
stop.button("Stop", key="cmp_stop", on_click=view.stop_current, disabled=not running)

view.show(view.current())
