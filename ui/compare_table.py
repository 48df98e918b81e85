"""Compare's metrics as one table under the replies: a column per target in the lanes' order,
a row per measure (time to first token, latency, tokens, cost), the best of each row marked, and
each cell's difference to a baseline column the reader picks."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import streamlit as st

from comet.core import formats
from comet.core.exchange import Exchange

# (row, what it reads from a run and its cost, how a value reads, how a difference reads)
MEASURES: tuple[tuple[str, Callable[[Exchange, Any], Any], Callable, Callable], ...] = (
    ("Time to first token", lambda ex, _: ex.timing.ttft_ms, formats.ms, formats.delta_ms),
    ("Latency", lambda ex, _: ex.timing.latency_ms, formats.ms, formats.delta_ms),
    ("Input tokens", lambda ex, _: ex.reply and ex.reply.usage.input_tokens, formats.count, formats.delta_count),
    ("Output tokens", lambda ex, _: ex.reply and ex.reply.usage.output_tokens, formats.count, formats.delta_count),
    ("Cost", lambda _, cost: cost, formats.usd, formats.delta_usd),
)
STYLE = ("<style>.cmp-metrics{border-collapse:collapse;width:100%;table-layout:fixed}"
         ".cmp-metrics th,.cmp-metrics td{padding:4px 8px;text-align:right;border-bottom:1px solid rgba(128,128,128,.25)}"
         ".cmp-metrics th:first-child,.cmp-metrics td:first-child{text-align:left}"
         ".cmp-metrics .best{background:rgba(33,195,84,.22);font-weight:600}"
         ".cmp-metrics small{opacity:.75;display:block}</style>")


@dataclass(frozen=True)
class Cell:
    text: str
    delta: str = ""  # to the baseline column ("" in the baseline itself, or when either is unknown)
    best: bool = False


@dataclass(frozen=True)
class Row:
    name: str
    cells: tuple[Cell, ...]


def rows(exchanges: Sequence[Exchange | None], costs: Sequence[float | None], baseline: int = 0) -> list[Row]:
    """The table's rows. Only finished, successful runs take part in "best" (as in the summary);
    a row whose values are all equal marks none."""
    found = []
    for name, read, shown, difference in MEASURES:
        values = [read(ex, cost) if ex is not None and ex.ok else None for ex, cost in zip(exchanges, costs)]
        present = [v for v in values if v is not None]
        low = min(present) if len(set(present)) > 1 else None
        base = values[baseline] if 0 <= baseline < len(values) else None
        found.append(Row(name, tuple(
            Cell(shown(v), difference(v - base) if i != baseline and v is not None and base is not None else "",
                 v is not None and v == low)
            for i, v in enumerate(values))))
    return found


def _cell(c: Cell) -> str:
    mark = ' class="best"' if c.best else ""
    delta = f"<small>{html.escape(c.delta)}</small>" if c.delta else ""
    return f"<td{mark}>{html.escape(c.text)}{delta}</td>"


def table_html(labels: Sequence[str], found: Sequence[Row], baseline: int) -> str:
    head = "".join(f"<th>{html.escape(label)}{' (baseline)' if i == baseline else ''}</th>"
                   for i, label in enumerate(labels))
    body = "".join(
        f"<tr><td>{html.escape(row.name)}</td>{''.join(_cell(c) for c in row.cells)}</tr>" for row in found)
    return f'{STYLE}<table class="cmp-metrics"><tr><th></th>{head}</tr>{body}</table>'


def show(labels: Sequence[str], exchanges: Sequence[Exchange | None], costs: Sequence[float | None]) -> None:
    """The table, with the baseline picker when there is more than one target."""
    baseline = 0
    if len(labels) > 1:
        baseline = st.selectbox("Baseline", range(len(labels)), key="cmp_baseline", format_func=lambda i: labels[i],
                                help="each cell also shows its difference to this column")
        baseline = baseline if baseline is not None and baseline < len(labels) else 0
    st.html(table_html(labels, rows(exchanges, costs, baseline), baseline))
