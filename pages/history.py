"""History: every run, filtered and searched in SQL one bounded page at a time; reopen, rerun,
delete, export and share."""

import streamlit as st

from ui import connection, history_store, history_table as view, run_details, run_diff, sharing, suite_export
from ui.shell import ensure_app

ensure_app()  # before drawing: see ui/shell.py

sharing.open_share_link()  # a shared request's link lands here and goes on to the Playground

st.title("History")
history = history_store.history()
if history is None:  # the banner above says why; the share link above still worked
    st.stop()
st.caption(f"Runs are kept in `{history.location}`.")  # a URL shows without its password

with history_store.store_errors():  # the store going away mid-page: a message, not a traceback
    found = view.filters(history)
    rows, total = view.page_of_runs(history, found)
    selected = st.session_state.get(view.SELECTED)
    # list and detail: a selected run opens beside the list, which keeps its place
    listing, detail = st.columns([3, 2], gap="medium") if selected is not None else (st.container(), None)
    with listing:
        view.table(rows, total)
        run_diff.section(history, rows)
        suite_export.history_section(history, rows)
        view.chart(history, found)
        view.export_buttons(history, found)
    if detail is None:
        st.caption("Select a run to see its request, response and code, and to reopen, rerun, share or delete it.")
    else:
        with detail, st.container(key="hist_detail"):
            st.button("Close", key="hist_close", on_click=view.close_run, icon=":material/close:")
            run_details.details(history, selected, connection.current())

with st.expander("Open a shared request file"):
    sharing.upload_request()
