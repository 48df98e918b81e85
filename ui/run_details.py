"""The History page's selected run: its reply, request, response, code and share link, drawn from
the Exchange the store gives back, and what can be done with it (reopen, rerun, delete)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import streamlit as st

from comet import CometError
from comet.store import Run, Store
from comet.store.owners import NotYours

from . import code, connection, history_store, judge_view, stamp_view
from .history_table import SELECTED, group_name, set_group
from .inert import inert
from .run import finished, runner
from .sharing import open_in_playground, share_controls

REFUSED = "hist_delete_refused"  # why the last delete was refused (someone else's run)


def details(history: Store, run_id: int, conn: connection.Connection) -> None:
    """The selected run, drawn by the Playground's reply renderer from the Exchange the store
    gives back: reply, request, response and code, and what can be done with it."""
    run = history.get(run_id)
    if run is None:
        st.session_state.pop(SELECTED, None)
        st.warning(f"Run #{run_id} no longer exists.")
        return
    exchange, call = run.exchange, run.exchange.call
    when = datetime.fromtimestamp(run.created_at, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    st.subheader(f"Run #{run_id}")
    st.caption(inert(f"{when} · {call.route.label} · {call.model} · {run.status}"
                     + (f" · {group_name(run.group_id).replace(' ', ' `', 1)}`" if run.group_id else "")
                     + f" · by {run.created_by or 'unknown'}"))
    actions(history, run, conn)
    tab_reply, tab_request, tab_response, tab_code, tab_share = st.tabs(
        ["Reply", "Request", "Response", "Code", "Share"])
    with tab_reply:
        finished.show_exchange(exchange, key="hist_reply", cost=run.cost, show_request=False, show_raw=False)
        judge_view.run_panel(history, run_id)  # its rating, and what judges said of it
    with tab_request:
        head, body = finished.request_lines(exchange)
        st.code(head, language="http")
        st.code(json.dumps(body, indent=2, ensure_ascii=False), language="json")
    with tab_response:
        raw = finished.raw_response(exchange)
        if raw is None:
            st.caption("No response body was recorded.")
        else:
            st.json(raw, expanded=2)
    with tab_code:
        code.code_tabs(call, code.target(conn, key="hist_snippets_local"), key="hist_code_tabs")
    with tab_share:
        share_controls(call, key=f"hist_share_{run_id}")


def _delete(history: Store, run_id: int) -> None:
    try:
        history.delete(run_id)
    except NotYours as err:  # someone else's run: said beside the button, the run stays
        st.session_state[REFUSED] = str(err)
        return
    except CometError as err:  # the store cannot be used (a locked file, a frozen server): the banner too
        history_store.turn_off(history_store.url(), str(err))
        st.session_state[REFUSED] = str(err)
        return
    st.session_state.pop(SELECTED, None)
    st.session_state.pop("hist_run", None)
    st.toast(f"Run #{run_id} deleted.")


def actions(history: Store, run: Run, conn: connection.Connection) -> None:
    call = run.exchange.call
    c1 = c2 = c3 = c4 = st.container(horizontal=True)  # labels in full, wrapping in the narrow run panel
    if c1.button("Open in Playground", key="hist_open", help="the editor filled exactly as this run was sent"):
        open_in_playground(call)
    rerun = c2.button("Rerun", key="hist_rerun", help=f"send it again to {conn.base_url}; recorded as a new run")
    if run.group_id:
        c3.button(f"Show its {group_name(run.group_id).split()[0]}", key="hist_show_group", on_click=set_group,
                  args=(run.group_id,))
    with c4.popover("Delete"):
        st.caption(f"Delete run #{run.id} for good?")
        st.button("Delete run", key="hist_delete", type="primary", on_click=_delete, args=(history, run.id))
    if st.session_state.get(REFUSED):
        st.error(st.session_state.pop(REFUSED), icon=":material/block:")
    if rerun or (st.session_state.get("hist_rerun_of") == run.id and runner.last("hist_rerun_result")):
        _rerun(run, conn, send=rerun)


def _rerun(run: Run, conn: connection.Connection, *, send: bool) -> None:
    """The rerun, labelled, beside the original's reply, then how the two compare."""
    with st.container(border=True, key="hist_rerun_box"):
        st.markdown(f"**Rerun of run #{run.id}**")
        original, again = st.columns(2)
        original.caption(f"Original · run #{run.id}")
        original.markdown(inert(run.exchange.text) or "–")
        again.caption("Rerun · sent just now" if send else "Rerun")
        with again:
            if send:
                catalog, _ = connection.models(conn)
                found = runner.send(conn, run.exchange.call, {m.id: m for m in catalog}, key="hist_rerun_view",
                                    result_key="hist_rerun_result")
                if not found:
                    return
                st.session_state["hist_rerun_of"] = run.id
            else:
                runner.show(runner.last("hist_rerun_result"), key="hist_rerun_view")
        stamp_view.rerun_check(run.exchange, runner.last("hist_rerun_result")[0])
        _recorded_as()


def _recorded_as() -> None:
    """Which run the rerun was recorded as, and a way there."""
    new_id = runner.recorded("hist_rerun_result")
    if new_id is None:
        return
    note, go = st.columns([3, 1], vertical_alignment="center")
    note.success(f"Recorded as run #{new_id} (newest in the table).")
    go.button(f"Go to run #{new_id}", key="hist_goto_rerun", on_click=_go_to, args=(new_id,))


def _go_to(run_id: int) -> None:
    st.session_state[SELECTED] = run_id
    st.session_state["hist_page"] = 1  # the newest run is on the first page
    st.session_state["hist_run"] = run_id
