"""Batch results as a reader meets them: a case x target matrix of PASS / FAIL / ERROR in
coloured words (an emoji alone is a tofu box without an emoji font), and the result a click on a
cell (or a row of the details) picks: its reply, variables and checks. When the batch repeats its
cases, a cell is the case's runs on that target: its pass rate (``FLAKY · 2/3 (67%)``)."""

from __future__ import annotations

import html
import json
from functools import partial
from typing import Any, Sequence

import pandas as pd
import streamlit as st

from comet.core import formats
from comet.runs.batch import Result

from . import judge_view
from .inert import inert

COLOURS = {"PASS": "#1a7f37", "FAIL": "#cf222e", "ERROR": "#b35900",
           "FLAKY": "#8250df"}  # 4.5:1 on white; readable on dark


def verdict(r: Result) -> str:
    return "ERROR" if r.errored else "PASS" if r.ok else "FAIL"


def label(r: Result, labels: Sequence[str]) -> str:
    """The result's target as people read it (``labels`` holds them in plan order)."""
    return labels[r.target] if r.target < len(labels) else r.target_name


def cell(r: Result) -> str:
    if r.error is not None:
        return f"ERROR · {r.error.kind}"
    return f"{verdict(r)} · {formats.ms(r.latency_ms)}"


def rate_cell(runs: Sequence[Result]) -> str:
    """A case's runs on one target: ``PASS · 3/3 (100%)``, ``FLAKY · 2/3 (67%)`` (some passed, some
    not), ``FAIL · 0/3 (0%)``, or ``ERROR`` when every run errored."""
    passed = sum(1 for r in runs if r.ok)
    word = ("PASS" if passed == len(runs) else "FLAKY" if passed else
            "ERROR" if all(r.errored for r in runs) else "FAIL")
    return f"{word} · {passed}/{len(runs)} ({passed / len(runs):.0%})"


def failing(results: Sequence[Result]) -> set[tuple[int, int]]:
    """(case number, target index) of every case with a run that did not pass on that target:
    *Failed only* keeps all of its runs, so its cell still shows its pass rate."""
    return {(r.case.number, r.target) for r in results if not r.ok}


def _cells(results: Sequence[Result], labels: Sequence[str]) -> list[dict[str, Any]]:
    """A cell per case and target: the one result, or the pass rate of its repeats."""
    groups: dict[tuple[int, int], list[Result]] = {}
    for r in results:
        groups.setdefault((r.case.number, r.target), []).append(r)
    repeated = any(r.repeat > 1 for r in results)
    return [{"case": runs[0].case.number, "target": label(runs[0], labels),
             "result": rate_cell(runs) if repeated else cell(runs[0])} for runs in groups.values()]


def _colour(value: Any) -> str:
    word = str(value).split(" ", 1)[0]
    return f"color: {COLOURS[word]}; font-weight: 600" if word in COLOURS else ""


def grid(results: Sequence[Result], labels: Sequence[str]) -> pd.DataFrame:
    """Case (rows, by number) x target (columns, in plan order), one cell a result."""
    frame = pd.DataFrame(_cells(results, labels))
    table = frame.pivot_table(index="case", columns="target", values="result", aggfunc="first")
    table = table[[name for name in dict.fromkeys(labels) if name in table.columns]]
    table.columns.name = None
    return table.fillna(formats.EMPTY)


def details_rows(results: Sequence[Result], labels: Sequence[str]) -> list[dict[str, Any]]:
    rows, repeated = [], any(r.repeat > 1 for r in results)
    for r in results:
        why = (f"{r.error.kind}: {r.error.message}" if r.error else
               "; ".join(v.message for v in r.verdicts if not v.passed))
        rows.append({"case": r.case.number, **({"run": r.repeat} if repeated else {}), "target": label(r, labels),
                     "result": verdict(r),
                     "reply": " ".join(r.text.split())[:120], "latency": formats.ms(r.latency_ms),
                     "cost": formats.usd(r.cost_usd), "why": why or formats.EMPTY,
                     "vars": json.dumps(r.case.vars, ensure_ascii=False)})
    return rows


def _picked(key: str) -> dict[str, Any]:
    state = st.session_state.get(key)
    return dict((state or {}).get("selection") or {})


def _remember(key: str) -> None:
    st.session_state["bat_picked_from"] = key  # the table picked in last: its pick is the one shown


def draw(results: Sequence[Result], labels: Sequence[str]) -> None:
    """The matrix and the details table; a cell or a row picked in either opens its result below."""
    ordered = sorted(results, key=lambda r: (r.case.number, r.target, r.repeat))
    table = grid(ordered, labels)
    st.caption("Click a cell (or a row below) for its reply, variables and checks.")
    st.dataframe(table.style.map(_colour), width="stretch", key="bat_matrix", selection_mode="single-cell",
                 on_select=partial(_remember, "bat_matrix"))
    st.dataframe(pd.DataFrame(details_rows(ordered, labels)), hide_index=True, width="stretch", key="bat_details",
                 on_select=partial(_remember, "bat_details"), selection_mode="single-row")
    chosen = _chosen(ordered, table, labels)
    if chosen is not None:
        show_result(chosen, labels, any(r.repeat > 1 for r in ordered))


def _chosen(ordered: Sequence[Result], table: pd.DataFrame, labels: Sequence[str]) -> Result | None:
    """The result the latest pick names: a matrix cell or a details row."""
    if st.session_state.get("bat_picked_from", "bat_matrix") == "bat_matrix":
        cells = _picked("bat_matrix").get("cells") or []
        if cells and 0 <= cells[0][0] < len(table.index):
            row, column = cells[0]
            runs = [r for r in ordered if r.case.number == table.index[row] and label(r, labels) == column]
            return next((r for r in runs if not r.ok), runs[0] if runs else None)  # a repeat that failed, first
        return None
    rows = _picked("bat_details").get("rows") or []
    return ordered[rows[0]] if rows and 0 <= rows[0] < len(ordered) else None


def show_result(r: Result, labels: Sequence[str], repeated: bool = False) -> None:
    """One result: verdict, reply, variables and every check (failed first)."""
    with st.container(border=True, key="bat_result"):
        word = verdict(r)
        colour = {"PASS": "green", "FAIL": "red"}.get(word, "orange")
        run = f" · run {r.repeat}" if repeated else ""
        st.markdown(inert(f":{colour}[**{word}**] · case {r.case.number}{run} · "
                          f"{label(r, labels)} · {formats.ms(r.latency_ms)} · {formats.usd(r.cost_usd)}"))
        reply, side = st.columns([3, 2])
        with reply:
            if r.error is not None:
                st.error(inert(f"{r.error.kind}: {r.error.message}"))
            st.caption("Reply")
            st.code(r.text or formats.EMPTY, language=None, wrap_lines=True)
        with side:
            st.caption("Variables")
            st.html(html_table(("variable", "value"), [(k, str(v)) for k, v in r.case.vars.items()]))
            st.caption("Checks (failed first)")
            st.html(html_table(("check", "result", "why"), [
                (v.type, "ERROR" if v.error else "PASS" if v.passed else "FAIL", v.message)
                for v in sorted(r.verdicts, key=lambda v: v.passed)]))
            judge_view.result_extras(r)  # the judge's prompt and reply; a rating of the run


def html_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A small table as escaped HTML text (a reply's or a variable's text is never markup here)."""
    def cell(value: str) -> str:
        colour = COLOURS.get(value)
        style = f' style="color:{colour};font-weight:600"' if colour else ""
        return f"<td{style}>{html.escape(value)}</td>"

    rows = rows or [[formats.EMPTY] * len(head)]
    return ('<table class="bat-table" style="width:100%;border-collapse:collapse;text-align:left">'
            + "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows) + "</table>")
