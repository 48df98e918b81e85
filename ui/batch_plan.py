"""The Batch page's repeat and cost fields: *Repeat each case* (the suite's ``"repeat"``), *Stop at
cost (USD)* (``--max-cost-usd``), the line above Run that says how many requests the batch sends
and what they may cost (:func:`comet.runs.batch.estimate.preview`, the same line as
``batch --dry-run``), and what the page says when the cost cap stopped a batch."""

from __future__ import annotations

from typing import Any, Mapping

import streamlit as st

from comet.runs.batch import MAX_REPEAT, SuiteError, parse, plan
from comet.runs.batch.estimate import preview
from comet.runs.batch.spend import stopped

from .inert import inert


def fields() -> tuple[int, float | None]:
    """The repeat (1 to :data:`MAX_REPEAT`) and the cost cap in dollars (None: no cap)."""
    c1, c2 = st.columns(2)
    repeat = c1.number_input("Repeat each case", key="bat_repeat", min_value=1, max_value=MAX_REPEAT, value=1,
                             step=1, help="run every case this many times on every target: the matrix shows "
                                          "its pass rate, and a case that passed only sometimes is FLAKY")
    cap = c2.number_input("Stop at cost (USD)", key="bat_max_cost", min_value=0.0, value=0.0, step=0.01,
                          format="%.4f", help="start no new run once the batch's runs have cost this much "
                                              "(0: no limit); what finished stays")
    return int(repeat), (float(cap) if cap and cap > 0 else None)


def with_repeat(data: dict | None, repeat: int) -> dict | None:
    """The page's suite with its repeat (left out at 1, as a suite file would)."""
    if data is None or repeat <= 1:
        return data
    return {**data, "repeat": repeat}


def say_cost(data: dict | None, catalog: Mapping[str, Any]) -> None:
    """``12 requests (2 cases x 2 targets x 3 runs); cost about $0.01 (est.: ...)`` above Run;
    nothing while the suite cannot run (Run says why)."""
    if data is None:
        return
    try:
        suite = parse(data)
        line = preview(suite, plan(suite), catalog)
    except SuiteError:
        return
    st.caption(inert(line), help="input at about 4 characters a token (est.), every reply at the request's "
                                 "maximum output tokens (else 1,000), priced by the model list")


def say_stopped(run: Any) -> None:
    """When the cost cap stopped the batch: what it spent and what was not started."""
    if getattr(run, "capped", False):
        said = stopped(run.spent, run.max_cost_usd, len(run.results), run.total)
        st.warning(inert(said[0].upper() + said[1:]), icon=":material/savings:")
