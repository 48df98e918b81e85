"""The reproducibility stamp under a run, and a rerun beside the run it repeats
(:mod:`comet.runs.stamp`, :mod:`comet.runs.diff`)."""

from __future__ import annotations

import streamlit as st

import comet
from comet.core.exchange import Exchange
from comet.runs import stamp
from comet.runs.compare import diff_html
from comet.runs.diff import compare_rerun

from .inert import inert


def caption(exchange: Exchange) -> None:
    """One line: request hash, app version, served model and response id."""
    found = stamp.of(exchange, comet.__version__)
    st.caption(inert(f"Stamp: {found.line()}"), help=f"request hash (SHA-256 of route, model and the canonical "
                                                     f"body, attachments by content): {found.request_hash}")


def rerun_check(before: Exchange, after: Exchange) -> None:
    """Does the rerun repeat the same request, was it served by the same model, and how do the
    replies differ."""
    check = compare_rerun(before, after, comet.__version__)
    shown = st.success if check.same_request and not check.served_changed and check.same_reply else st.info
    shown(inert(f"Compared with the run it repeats: {check.summary()}."))  # the served models are the service's
    if not check.same_reply:
        with st.expander("Reply diff (struck through: only in the earlier run; underlined: only in the rerun)"):
            st.html(diff_html(check.diff))
