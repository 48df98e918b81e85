"""The History page's pieces: filters, one bounded page of runs, a chart, the selected run, export,
and the share link / request file.

Every number the page shows comes from SQL with the filters and the full-text search in the
WHERE clause, each over a bounded set: ``Store.count``, one page of
``Store.page(limit=PAGE_SIZE, offset=...)``, and the chart's ``Store.timings`` over at
most the newest ``CHART_RUNS`` matching runs. Nothing here loads the whole table, so the first
render costs the same at a hundred runs or a million. Exports run the filtered query only when a download is clicked.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from comet import Call, Route
from comet.runs import stats as timing_stats
from comet.store import STATUSES, Run, Store

from . import code, connection, reply, runs, stamp_view

PAGE_SIZE = 50
CHART_RUNS = 10_000  # the chart averages at most this many of the newest matching runs
SELECTED = "hist_selected"  # the run shown below the table (not a widget key: it survives paging)


# ---- filters -------------------------------------------------------------------------------------

def _first_page() -> None:
    st.session_state["hist_page"] = 1


def filters(history: Store) -> dict[str, Any]:
    """Search, route, model, status, dates (and a comparison) as ``Store.page`` keywords.
    The result is also kept in ``hist_filters``: what the export buttons export."""
    search = st.text_input("Search prompts and replies", key="hist_search", on_change=_first_page,
                           placeholder="words; the last one may be a prefix")
    c1, c2, c3, c4 = st.columns([1, 2, 1, 2])
    routes = c1.multiselect("Route", [r.value for r in Route], key="hist_route", on_change=_first_page,
                            format_func=lambda v: Route.parse(v).label)
    models = c2.multiselect("Model", history.models_seen(), key="hist_model", on_change=_first_page)
    statuses = c3.multiselect("Status", list(STATUSES), key="hist_status", on_change=_first_page)
    dates = c4.date_input("Dates (UTC)", value=(), key="hist_dates", on_change=_first_page)
    found: dict[str, Any] = {}
    if search.strip():
        found["search"] = search
    if routes:
        found["route"] = routes
    if models:
        found["model"] = models
    if statuses:
        found["status"] = statuses
    since, until = _date_range(dates)
    if since is not None:
        found["since"] = since
    if until is not None:
        found["until"] = until
    group = st.session_state.get("hist_group")
    if group:
        found["group_id"] = group
        left, right = st.columns([4, 1])
        left.info(f"Showing the runs of comparison `{group}`.")
        right.button("Show all runs", key="hist_group_clear", on_click=_set_group, args=(None,))
    st.session_state["hist_filters"] = found
    return found


def _date_range(value: Any) -> tuple[datetime | None, datetime | None]:
    days = [d for d in (value if isinstance(value, (tuple, list)) else [value]) if isinstance(d, date)]
    if not days:
        return None, None
    start, end = days[0], days[-1]
    since = datetime(start.year, start.month, start.day, tzinfo=timezone.utc)
    until = datetime(end.year, end.month, end.day, tzinfo=timezone.utc) + timedelta(days=1)
    return since, until


def _set_group(group_id: str | None) -> None:
    st.session_state["hist_group"] = group_id
    st.session_state["hist_page"] = 1


# ---- the table -----------------------------------------------------------------------------------

COLUMNS = {
    "id": st.column_config.NumberColumn("Run", format="%d", width="small"),
    "time": st.column_config.DatetimeColumn("Time (UTC)", format="YYYY-MM-DD HH:mm:ss"),
    # the columns people look for come first, where the table opens (issue 14)
    "prompt_preview": st.column_config.TextColumn("Prompt", width="medium"),
    "reply_preview": st.column_config.TextColumn("Reply", width="medium"),
    "comparison": st.column_config.TextColumn("Comparison", help="runs of one comparison share this id"),
    "label": st.column_config.TextColumn("Target", help="the comparison's target this run was"),
    "route": st.column_config.TextColumn("Route"),
    "model": st.column_config.TextColumn("Model"),
    "served_model": st.column_config.TextColumn("Served model"),
    "status": st.column_config.TextColumn("Status"),
    "finish_reason": st.column_config.TextColumn("Finish"),
    "input_tokens": st.column_config.NumberColumn("In", format="%d", help="input tokens"),
    "output_tokens": st.column_config.NumberColumn("Out", format="%d", help="output tokens (visible answer)"),
    "thinking_tokens": st.column_config.NumberColumn("Thinking", format="%d"),
    "cached_tokens": st.column_config.NumberColumn("Cached", format="%d", help="input tokens read from a cache"),
    "tool_use_prompt_tokens": st.column_config.NumberColumn(
        "Tool-use", format="%d", help="prompt tokens a built-in tool (search, URL context, code execution) added"),
    "cost": st.column_config.NumberColumn("Cost", format="$%.6f"),
    "ttft_ms": st.column_config.NumberColumn("TTFT", format="%.0f ms", help="time to first token"),
    "latency_ms": st.column_config.NumberColumn("Latency", format="%.0f ms"),
    "attempts": st.column_config.NumberColumn("Attempts", format="%d"),
}


def page_of_runs(history: Store, found: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The current page (at most ``PAGE_SIZE`` rows) and the number of matching runs."""
    total = history.count(**found)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if st.session_state.get("hist_page", 1) > pages:
        st.session_state["hist_page"] = pages
    page = st.session_state.get("hist_page", 1)
    rows = history.page(**found, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return rows, total


def table_frame(rows: list[dict[str, Any]]):
    """The page's rows as the table shows them (pandas, with datetimes)."""
    import pandas as pd

    df = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("time", "comparison")]
                      + ["created_at", "group_id"])
    df["time"] = pd.to_datetime(df["created_at"], unit="s", utc=True)
    df["comparison"] = df["group_id"]
    return df[list(COLUMNS)]


def _on_table_select() -> None:
    ids = st.session_state.get("hist_page_ids") or []
    rows = st.session_state["hist_table"].selection.rows
    if rows and rows[0] < len(ids):
        st.session_state[SELECTED] = ids[rows[0]]
        st.session_state["hist_run"] = ids[rows[0]]


def _on_pick() -> None:
    st.session_state[SELECTED] = st.session_state.get("hist_run")


def table(rows: list[dict[str, Any]], total: int) -> None:
    pages = max(1, math.ceil(total / PAGE_SIZE))
    first = (st.session_state.get("hist_page", 1) - 1) * PAGE_SIZE + 1
    matches = "run matches" if total == 1 else "runs match"
    st.caption(f"{total:,} {matches}; showing {first:,}–{first + len(rows) - 1:,}, newest first."
               if rows else f"{total:,} {matches}.")
    ids = [r["id"] for r in rows]
    st.session_state["hist_page_ids"] = ids
    if not rows:
        st.number_input("Page", key="hist_page", min_value=1, max_value=pages, step=1)
        st.info("No runs match. Runs from the Playground and Compare pages land here.")
        return
    st.dataframe(table_frame(rows), key="hist_table", hide_index=True, column_config=COLUMNS,
                 on_select=_on_table_select, selection_mode="single-row", width="stretch",
                 placeholder="–")  # an empty cell is a dash, not a grey "None"
    # under the table, clear of the toolbar that appears over its top right corner
    st.number_input("Page", key="hist_page", min_value=1, max_value=pages, step=1, width=160)
    by_id = {r["id"]: r for r in rows}
    if st.session_state.get("hist_run") not in by_id:
        st.session_state["hist_run"] = None
    st.selectbox("Run", ids, key="hist_run", on_change=_on_pick,
                 placeholder="select a run (or click a row)",
                 format_func=lambda i: _run_label(by_id[i]))


def _run_label(row: dict[str, Any]) -> str:
    when = datetime.fromtimestamp(row["created_at"], timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return f"#{row['id']} · {when} · {Route.parse(row['route']).label} · {row['model']} · " \
           f"{row['status']} · {(row['prompt_preview'] or '')[:50]}"


def chart(history: Store, found: dict[str, Any]) -> None:
    """p50 and p95 time to first token and latency per route and model, and cost per model, over
    every matching run (the newest ``CHART_RUNS`` of them when there are more), not just the page
    on screen. Labels are written out in full; the axis says what it measures."""
    samples = history.samples(**found, newest=CHART_RUNS)
    if not samples:
        return
    rows = timing_stats.by_target(samples)
    runs = len(samples)
    over = f"the newest {runs:,} matching runs" if runs >= CHART_RUNS else \
        f"{runs:,} matching run{'s' if runs != 1 else ''}"
    with st.expander(f"Latency and time to first token by route and model ({over})"):
        st.caption("p50: half the runs were at least this fast; p95: all but the slowest one in twenty.")
        st.altair_chart(_timing_chart(rows), width="stretch")
        st.dataframe(rows, hide_index=True, column_order=["target", "runs", "TTFT p50", "TTFT p95",
                                                           "Latency p50", "Latency p95"],
                     column_config={k: st.column_config.NumberColumn(k, format="%.1f ms")
                                    for k in ("TTFT p50", "TTFT p95", "Latency p50", "Latency p95")},
                     placeholder="–")
        costs = timing_stats.cost_by_model(samples)
        if costs:
            st.caption("Cost per model (runs with a known price)")
            st.dataframe(costs, hide_index=True, placeholder="–", column_config={
                "total": st.column_config.NumberColumn("Total", format="$%.6f"),
                "mean": st.column_config.NumberColumn("Per run", format="$%.6f")})


def _timing_chart(rows: list[dict[str, Any]]):
    """Grouped horizontal bars: for each route and model, TTFT and latency at p50 and p95."""
    import altair as alt

    long = [{"target": r["target"], "measure": m, "ms": r[m]} for r in rows
            for m in ("TTFT p50", "TTFT p95", "Latency p50", "Latency p95") if r[m] is not None]
    order = ["TTFT p50", "TTFT p95", "Latency p50", "Latency p95"]
    return alt.Chart(alt.Data(values=long)).mark_bar().encode(
        y=alt.Y("target:N", title=None, axis=alt.Axis(labelLimit=0)),  # never cut a label
        yOffset=alt.YOffset("measure:N", sort=order),
        x=alt.X("ms:Q", title="milliseconds"),
        color=alt.Color("measure:N", sort=order, title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["target:N", "measure:N", alt.Tooltip("ms:Q", format=",.1f")],
    ).properties(height=alt.Step(12))


# ---- export --------------------------------------------------------------------------------------

def export_data(history: Store, found: dict[str, Any], fmt: str) -> str:
    """The filtered table (all pages) as CSV or JSON; runs only when a download is clicked."""
    return history.export(fmt, **found)


def export_buttons(history: Store, found: dict[str, Any]) -> None:
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button("Export CSV", data=lambda: export_data(history, found, "csv"),
                       file_name="comet-history.csv", mime="text/csv", key="hist_export_csv",
                       on_click="ignore")
    c2.download_button("Export JSON", data=lambda: export_data(history, found, "json"),
                       file_name="comet-history.json", mime="application/json", key="hist_export_json",
                       on_click="ignore")


# ---- one run -------------------------------------------------------------------------------------

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
    st.caption(f"{when} · {call.route.label} · {call.model} · {run.status}"
               + (f" · comparison `{run.group_id}`" if run.group_id else ""))
    actions(history, run, conn)
    tab_reply, tab_request, tab_response, tab_code, tab_share = st.tabs(
        ["Reply", "Request", "Response", "Code", "Share"])
    with tab_reply:
        reply.show_exchange(exchange, key="hist_reply", cost=run.cost, show_request=False, show_raw=False)
    with tab_request:
        head, body = reply.request_lines(exchange)
        st.code(head, language="http")
        st.code(json.dumps(body, indent=2, ensure_ascii=False), language="json")
    with tab_response:
        raw = reply.raw_response(exchange)
        if raw is None:
            st.caption("No response body was recorded.")
        else:
            st.json(raw, expanded=2)
    with tab_code:
        code.code_tabs(call, code.target(conn, key="hist_snippets_local"), key="hist_code_tabs")
    with tab_share:
        share_controls(call, key=f"hist_share_{run_id}")


def _delete(history: Store, run_id: int) -> None:
    history.delete(run_id)
    st.session_state.pop(SELECTED, None)
    st.session_state.pop("hist_run", None)
    st.toast(f"Run #{run_id} deleted.")


def actions(history: Store, run: Run, conn: connection.Connection) -> None:
    call = run.exchange.call
    c1, c2, c3, c4 = st.columns(4)
    if c1.button("Open in Playground", key="hist_open", help="the editor filled exactly as this run was sent"):
        open_in_playground(call)
    rerun = c2.button("Rerun", key="hist_rerun", help=f"send it again to {conn.base_url}; recorded as a new run")
    if run.group_id:
        c3.button("Show its comparison", key="hist_show_group", on_click=_set_group, args=(run.group_id,))
    with c4.popover("Delete"):
        st.caption(f"Delete run #{run.id} for good?")
        st.button("Delete run", key="hist_delete", type="primary", on_click=_delete, args=(history, run.id))
    if rerun:
        catalog, _ = connection.models(conn)
        again = runs.send(conn, call, {m.id: m for m in catalog}, key="hist_rerun_view",
                          result_key="hist_rerun_result")
        if again:
            st.session_state["hist_rerun_of"] = run.id
            stamp_view.rerun_check(run.exchange, again)
            _recorded_as()
    elif st.session_state.get("hist_rerun_of") == run.id and runs.last("hist_rerun_result"):
        st.caption("The last rerun of this request:")
        runs.show(runs.last("hist_rerun_result"), key="hist_rerun_view")
        stamp_view.rerun_check(run.exchange, runs.last("hist_rerun_result")[0])
        _recorded_as()


def _recorded_as() -> None:
    """Which run the rerun was recorded as, and a way there."""
    new_id = runs.recorded("hist_rerun_result")
    if new_id is None:
        return
    note, go = st.columns([3, 1], vertical_alignment="center")
    note.success(f"Recorded as run #{new_id} (newest in the table).")
    go.button(f"Go to run #{new_id}", key="hist_goto_rerun", on_click=_go_to, args=(new_id,))


def _go_to(run_id: int) -> None:
    st.session_state[SELECTED] = run_id
    st.session_state["hist_page"] = 1  # the newest run is on the first page
    st.session_state["hist_run"] = run_id


# ---- reopening and sharing -----------------------------------------------------------------------

def open_in_playground(call: Call) -> None:
    from . import editor

    draft_id = editor.open_call(call)  # attachments included
    st.switch_page("pages/playground.py", query_params={"draft": draft_id})


SHARE_PATH = "/history"  # the History page's URL; it hands a shared request to the Playground


def open_share_link() -> None:
    """If the URL carries ``?share=TOKEN``, open that request in the Playground (this ends the
    script run). A link that cannot be read is reported and ignored."""
    token = st.query_params.get("share")
    if not token:
        return
    from comet.tools import share

    del st.query_params["share"]
    try:
        call = share.decode(token)
    except Exception as exc:  # a truncated or tampered link: say so, open nothing
        st.error(f"This share link cannot be opened: {exc}")
        return
    open_in_playground(call)


def share_link(call: Call) -> str:
    """A link that reopens ``call`` (not the key, not the reply) in the Playground. It points
    at the History page, which opens it in the Playground, so the Playground needs no change."""
    from comet.tools import share

    token = share.encode(call)
    url = getattr(st.context, "url", None) or ""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return f"{origin}{SHARE_PATH}?share={token}"


def share_controls(call: Call, *, key: str) -> None:
    from comet.tools import share

    try:
        link = share_link(call)
    except share.ShareError as exc:  # too large for a link: the file is the way
        st.caption(str(exc))
    else:
        st.caption("A link that opens this request in the Playground (no key, no reply):")
        st.code(link, language=None, wrap_lines=True)
    st.download_button("Download request JSON", data=share.to_file(call), file_name="comet-request.json",
                       mime="application/json", key=f"{key}_file", on_click="ignore")


def upload_request() -> None:
    """Open a request file (from "Download request JSON") in the Playground."""
    uploaded = st.file_uploader("Open a request file", type=["json"], key="hist_upload",
                                help="a file saved with Download request JSON")
    if uploaded is None:
        return
    from comet.tools import share

    try:
        call = share.from_file(uploaded.getvalue())
    except Exception as exc:
        st.error(f"This file is not a shared request: {exc}")
        return
    st.caption(f"{call.route.label} · {call.model}: {len(json.dumps(call.body)):,} characters of request")
    if st.button("Open it in the Playground", key="hist_upload_open"):
        open_in_playground(call)
