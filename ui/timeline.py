"""The stream timeline chart (Altair / Vega-Lite, which Streamlit brings): one lane per run with
a tick per chunk, the gaps between chunks as bars (stalls in red), the first byte, first token
and end marked; below it the tokens per second over the run, on the same time axis (two charts
with one x domain: a Vega-Lite concat cannot stretch to the container's width). The data
is :func:`comet.runs.timeline.timeline`, so a run reopened from History draws the same chart."""

from __future__ import annotations

from typing import Sequence

import altair as alt
import streamlit as st

from comet import Exchange
from comet.runs.timeline import STALL_MS, Timeline, timeline

from .inert import inert

MARK_SHAPES = {"first byte": "triangle-right", "first token": "diamond", "end": "square"}
COLORS = {"chunk": "#4c78a8", "stall": "#e45756", "first byte": "#72b7b2", "first token": "#54a24b",
          "end": "#b279a2"}
RATE_HEIGHT = 120


def lane_height(runs: int) -> int:
    return max(60, 46 * runs)


def shown(exchange: Exchange | None) -> bool:
    """A timeline is drawn for streamed runs that received chunks."""
    return exchange is not None and exchange.call.stream and bool(exchange.timing.chunk_ms)


def charts(runs: Sequence[tuple[str, Timeline]]) -> tuple[alt.LayerChart, alt.Chart]:
    """The lanes (one per run) and the tokens-per-second line, both on one time axis (the same
    x domain, from the start to the last run's end)."""
    rows = [row for label, line in runs for row in line.records(label)]
    end = max([r["at_ms"] for r in rows] + [1.0])
    data = alt.Data(values=rows)
    x = alt.X("at_ms:Q", title="ms since the request started", scale=alt.Scale(domain=[0, end], nice=False))
    # both charts reserve the same room left of the plot, so their time axes line up
    extent = 70 if len(runs) == 1 else 220
    lane = alt.Y("target:N", title=None, axis=alt.Axis(labelLimit=extent - 10, minExtent=extent, maxExtent=extent))
    color = alt.Color("event:N", title=None, scale=alt.Scale(domain=list(COLORS), range=list(COLORS.values())),
                      legend=alt.Legend(orient="bottom"))
    tips = [alt.Tooltip("target:N", title="run"), alt.Tooltip("event:N"), alt.Tooltip("index:Q", title="chunk"),
            alt.Tooltip("at_ms:Q", title="at (ms)"), alt.Tooltip("gap_ms:Q", title="gap (ms)"),
            alt.Tooltip("tokens:Q", title="tokens"), alt.Tooltip("rate:Q", title="tokens/s")]
    is_chunk = alt.FieldOneOfPredicate(field="event", oneOf=["chunk", "stall"])
    base = alt.Chart(data)
    gaps = base.transform_filter(is_chunk).mark_bar(height=6, opacity=0.35).encode(
        x=alt.X("from_ms:Q"), x2="at_ms:Q", y=lane, color=color, tooltip=tips)
    ticks = base.transform_filter(is_chunk).mark_tick(thickness=2, size=18).encode(
        x=x, y=lane, color=color, tooltip=tips)
    marks = base.transform_filter(alt.FieldOneOfPredicate(field="event", oneOf=list(MARK_SHAPES))).mark_point(
        size=110, filled=True, yOffset=-12).encode(
        x=x, y=lane, color=color,
        shape=alt.Shape("event:N", scale=alt.Scale(domain=list(MARK_SHAPES), range=list(MARK_SHAPES.values())),
                        legend=None),
        tooltip=[alt.Tooltip("target:N", title="run"), alt.Tooltip("event:N"), alt.Tooltip("at_ms:Q", title="at (ms)")])
    lanes = alt.layer(gaps, ticks, marks).properties(height=lane_height(len(runs)), title="Chunk arrivals")
    rate = base.transform_filter("isValid(datum.rate)").mark_line(point=True).encode(
        x=x, y=alt.Y("rate:Q", title=None, axis=alt.Axis(minExtent=extent, maxExtent=extent)),
        color=alt.Color("target:N", title="run", legend=alt.Legend(orient="bottom", labelLimit=260)
                        if len(runs) > 1 else None),
        tooltip=tips).properties(height=RATE_HEIGHT, title="Tokens per second")
    return lanes, rate


def _draw(runs: Sequence[tuple[str, Timeline]], key: str) -> None:
    lanes, rate = charts(runs)
    # the heights again for Streamlit: with width="stretch" it would otherwise squeeze the plot
    legend = 60 if len(runs) > 1 else 0
    st.altair_chart(lanes, width="stretch", height=lane_height(len(runs)) + 150, key=f"{key}_lanes")
    st.altair_chart(rate, width="stretch", height=RATE_HEIGHT + 90 + legend, key=f"{key}_rate")


def _stall_ms(key: str) -> float:
    return float(st.number_input("Stall threshold (ms)", min_value=10, max_value=600_000, value=int(STALL_MS),
                                 step=100, key=f"{key}_stall", help="a gap between chunks longer than this "
                                 "is a stall, marked in red"))


def show(exchange: Exchange, *, key: str) -> None:
    """The timeline of one finished run, in an expander under its metrics, drawn only while
    it is open (``{key}_open``): Vega is the heaviest thing a rerun would otherwise redraw."""
    if not shown(exchange):
        return
    box = st.expander("Timeline", expanded=False, key=f"{key}_open", on_change="rerun")
    if not box.open:
        return
    with box:
        line = timeline(exchange, stall_ms=_stall_ms(key))
        st.caption(inert(line.summary()))
        _draw([("this run", line)], key)


def show_many(runs: Sequence[tuple[str, Exchange | None]], *, key: str) -> None:
    """Several runs (Compare's targets) on one time axis."""
    streams = [(label, ex) for label, ex in runs if ex is not None and shown(ex)]
    if not streams:
        return
    with st.expander("Timeline of the streams"):  # folded: the table, the diff and Export stay near
        stall_ms = _stall_ms(key)
        found = [(label, timeline(ex, stall_ms=stall_ms)) for label, ex in streams]
        st.caption(inert("  \n".join(f"**{label}**: {line.summary()}" for label, line in found)))
        _draw(found, key)
