"""The History page's table of runs: filters, one bounded page of runs, the chart and the export.

Every number the page shows comes from SQL with the filters and the full-text search in the
WHERE clause, each over a bounded set: ``Store.count``, one page of
``Store.page(limit=PAGE_SIZE, offset=...)``, and the chart's ``Store.timings`` over at
most the newest ``CHART_RUNS`` matching runs. Nothing here loads the whole table, so the first
render costs the same at a hundred runs or a million. Exports run the filtered query only when a download is clicked.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone
from typing import Any

import streamlit as st

from comet import Route
from comet.core import formats
from comet.runs import stats as timing_stats
from comet.store import STATUSES, Store

from . import prompt_versions

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
    if st.toggle("Hide batch runs", key="hist_no_batches", on_change=_first_page,
                 help="runs of Batch pages and comet batch --record (their group is a batch)"):
        found["no_batches"] = True
    ratings = st.multiselect("Rating", ["good", "bad"], key="hist_rating", on_change=_first_page,
                             help="runs whose latest rating is this")
    if ratings:
        found["rating"] = ratings
    person = _by_filter(history)
    if person is not None:
        found["created_by"] = person
    found.update(prompt_versions.history_filter(history, _first_page))  # saved prompt and version
    group = st.session_state.get("hist_group")
    if group:
        found["group_id"] = group
        left, right = st.columns([4, 1])
        left.info(f"Showing the runs of {group_name(group).replace(' ', ' `', 1)}`.")
        right.button("Show all runs", key="hist_group_clear", on_click=set_group, args=(None,))
    st.session_state["hist_filters"] = found
    return found


def _by_filter(history: Store) -> str | None:
    """Mine / Everyone / a person, when people sign in (``none`` mode: one person, no filter)."""
    from comet.store.owners import people

    from . import auth

    if auth.settings().mode == "none":
        return None
    me = auth.who().email
    options = ["Everyone", "Mine", *(p for p in people(history) if p != me)]
    pick = st.selectbox("By", options, key="hist_by", on_change=_first_page,
                        format_func=lambda p: p or "unknown (before sign-in)")
    return None if pick == "Everyone" else me if pick == "Mine" else pick


def _date_range(value: Any) -> tuple[datetime | None, datetime | None]:
    days = [d for d in (value if isinstance(value, (tuple, list)) else [value]) if isinstance(d, date)]
    if not days:
        return None, None
    start, end = days[0], days[-1]
    since = datetime(start.year, start.month, start.day, tzinfo=timezone.utc)
    until = datetime(end.year, end.month, end.day, tzinfo=timezone.utc) + timedelta(days=1)
    return since, until


def set_group(group_id: str | None) -> None:
    """Show only the runs of one comparison or batch (None: every run)."""
    st.session_state["hist_group"] = group_id
    st.session_state["hist_page"] = 1


# ---- the table -----------------------------------------------------------------------------------

COLUMNS = {
    "id": st.column_config.NumberColumn("Run", format="%d", width="small"),
    "time": st.column_config.DatetimeColumn("Time (UTC)", format="YYYY-MM-DD HH:mm:ss"),
    # the columns people look for come first, where the table opens (issue 14)
    "prompt_preview": st.column_config.TextColumn("Prompt", width="medium"),
    "reply_preview": st.column_config.TextColumn("Reply", width="medium"),
    "created_by": st.column_config.TextColumn("By", help="who sent it; empty: from before sign-in"),
    "group": st.column_config.TextColumn("Group", help="the comparison or batch this run was part of"),
    "target": st.column_config.TextColumn("Target"),
    "label": st.column_config.TextColumn("Label", help="its target (and case) in a comparison or batch"),
    "route": st.column_config.TextColumn("Route"),
    "prompt_name": st.column_config.TextColumn("Saved prompt", help="the prompt of the library it was sent from"),
    "prompt_version": st.column_config.NumberColumn("Version", format="v%d", help="the prompt's version"),
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
    "rating": st.column_config.TextColumn("Rating", help="the latest person's rating: good or bad"),
    "rating_comment": st.column_config.TextColumn("Rating comment"),
}


# what the table opens on; the rest is one pick away under Columns
SHOWN = ["time", "prompt_preview", "reply_preview", "created_by", "group", "target", "status", "output_tokens",
         "cost", "latency_ms"]


def group_name(group_id: Any) -> str | None:
    """A run's group as the table names it: ``comparison cmp-...`` or ``batch bat-...``."""
    if not isinstance(group_id, str) or not group_id:
        return None
    return f"{'batch' if group_id.startswith('bat-') else 'comparison'} {group_id}"


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

    df = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("time", "group", "target")]
                      + ["created_at", "group_id"])
    df["time"] = pd.to_datetime(df["created_at"], unit="s", utc=True)
    df["group"] = df["group_id"].map(group_name)
    df["target"] = [formats.target(route, model) for route, model in zip(df["route"], df["model"])]
    return df[list(COLUMNS)]


def _on_table_select() -> None:
    ids = st.session_state.get("hist_page_ids") or []
    picked = st.session_state["hist_table"].selection
    rows = picked.rows or [row for row, _ in picked.get("cells") or ()]  # a click on any cell picks its run
    if rows and rows[0] < len(ids):
        st.session_state[SELECTED] = ids[rows[0]]
        st.session_state["hist_run"] = ids[rows[0]]


def close_run() -> None:
    """Close the run panel: the list takes the page's width again."""
    st.session_state[SELECTED] = None
    st.session_state["hist_run"] = None


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
    shown = [c for c in st.session_state.get("hist_columns") or SHOWN if c in COLUMNS]
    st.dataframe(table_frame(rows), key="hist_table", hide_index=True, column_config=COLUMNS,
                 on_select=_on_table_select, selection_mode=["single-row", "single-cell"], width="stretch",
                 column_order=shown,
                 placeholder="–")  # an empty cell is a dash, not a grey "None"
    # under the table, clear of the toolbar that appears over its top right corner
    page_box, columns_box = st.columns([1, 3], vertical_alignment="bottom")
    page_box.number_input("Page", key="hist_page", min_value=1, max_value=pages, step=1, width=160)
    with columns_box.popover("Columns"):
        st.multiselect("Columns shown", list(COLUMNS), default=SHOWN, key="hist_columns",
                       format_func=lambda c: COLUMNS[c].get("label") or c)
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
    from . import judge_view

    judge_view.agreement(history, group_id=found.get("group_id"), key="hist_agreement")  # judges vs ratings
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
