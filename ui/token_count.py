"""The Playground's "Count tokens": Gemini's ``:countTokens`` for the request as it stands,
before sending, shown until the request changes. Where the service does not offer it (a 404),
or on the OpenAI-compatible route (no such endpoint), it says so and shows an estimate marked
*est.* (:mod:`comet.runs.tokens`)."""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from comet import CometError
from comet.runs import tokens

from .run import finished

COUNT = "pg_count_result"


def _count_key(state) -> str:
    text = json.dumps([state.model, state.body, [a.sha256 for a in state.used_attachments()]], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def count_tokens(conn, state) -> None:
    """"Count tokens" (Gemini ``:countTokens``, else an estimate) for the request as it stands."""
    ss = st.session_state
    gemini = state.route == "gemini"
    clicked = st.button("Count tokens", key="pg_count", disabled=state.json_error is not None,
                        help="countTokens on the Gemini native route: the prompt's tokens, before sending; "
                             "an estimate (est.) where the service does not offer it" if gemini else
                             "an estimate (est.): Chat Completions has no token-count endpoint")
    key = _count_key(state)
    if clicked:
        try:  # the client resolves the placeholders: the count covers the media too
            found = tokens.count(conn.client(), state.call())
            ss[COUNT] = {"key": key, "tokens": found.tokens, "estimated": found.estimated, "why": found.why}
        except CometError as err:
            ss[COUNT] = {"key": key, "error": err.info()}
    shown = ss.get(COUNT)
    if not shown or shown.get("key") != key:
        return
    if "tokens" not in shown:
        finished.show_error(shown["error"], key="pg_count_err")
    elif shown.get("estimated"):
        st.caption(f"**≈ {shown['tokens']:,} input tokens** *est.* ({shown['why']}: about four characters a "
                   "token, media by their documented token cost)")
    else:
        st.caption(f"**{shown['tokens']:,} input tokens** (countTokens, for the request as it stands)")
