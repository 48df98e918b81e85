"""How big a batch the Batch page takes: an upload over :data:`ROW_LIMIT` cases is refused with the
reason before it is read into the table, and a Run of more than :data:`CONFIRM_ABOVE` requests
first shows what it may cost (:mod:`comet.runs.batch.estimate`) and waits for a second click.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Mapping

import streamlit as st

from comet.runs.batch import MAX_REQUESTS, SuiteError, parse, plan
from comet.runs.batch.estimate import estimate

from .inert import inert

ROW_LIMIT = MAX_REQUESTS  # a batch plans at most this many requests, so no more cases than that
CONFIRM_ABOVE = 200  # requests: a run this big asks first (a minute of a 429-free service at 8 in flight)
PENDING = "bat_confirm"  # the suite waiting for its second click, and what it may cost


def rows_over_limit(text: str, name: str) -> str | None:
    """Why an upload of ``text`` is refused (too many rows), counted without building the rows."""
    if name.lower().endswith(".jsonl"):
        count = sum(1 for line in text.splitlines() if line.strip())
    else:
        count = max(sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1, 0)  # less the header
    if count <= ROW_LIMIT:
        return None
    return (f"{name}: {count:,} rows, over the limit of {ROW_LIMIT:,} cases (a batch plans at most "
            f"{MAX_REQUESTS:,} requests, cases x targets). Nothing was read: split the file into smaller ones.")


def run_requested(clicked: bool, data: dict | None, catalog: Mapping[str, Any]) -> dict | None:
    """The suite to start now. Run with a small suite: the suite. Run with one of more than
    :data:`CONFIRM_ABOVE` requests: nothing yet; a box below says how many and what they may
    cost, and its **Run N requests** returns the suite (if it is still the one on the page)."""
    ss = st.session_state
    if clicked and data is not None:
        try:
            suite = parse(data)
            planned = plan(suite)
        except SuiteError:
            return data  # start() says what is wrong, and sends nothing
        found = estimate(suite, planned, catalog)
        if found.requests <= CONFIRM_ABOVE:
            ss.pop(PENDING, None)
            return data
        ss[PENDING] = (data, found)
    return _confirm_box(data)


def _confirm_box(data: dict | None) -> dict | None:
    ss = st.session_state
    if PENDING not in ss:
        return None
    pending, found = ss[PENDING]
    if pending != data:  # the cases, targets or request changed since: Run asks again
        ss.pop(PENDING)
        return None
    with st.container(border=True, key="bat_confirm_box"):
        st.warning(inert(f"This batch sends **{found.requests:,} requests**. Estimated cost: {found.sentence()}. "
                         "Run it?"), icon=":material/payments:")
        yes, no = st.columns(2)
        if yes.button(f"Run {found.requests:,} requests", key="bat_confirm_go", type="primary"):
            ss.pop(PENDING)
            return pending
        if no.button("Cancel", key="bat_confirm_cancel"):
            ss.pop(PENDING)
            st.rerun()
    return None
