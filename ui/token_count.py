"""The Playground's "Count tokens": Gemini's ``:countTokens`` for the request as it stands,
before sending, shown until the request changes."""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from comet import CometError

from .run import finished

COUNT = "pg_count_result"


def _count_key(state) -> str:
    text = json.dumps([state.model, state.body, [a.sha256 for a in state.used_attachments()]], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def count_tokens(conn, state) -> None:
    """"Count tokens" (Gemini ``:countTokens``) for the request as it stands, before sending."""
    ss = st.session_state
    gemini = state.route == "gemini"
    clicked = st.button("Count tokens", key="pg_count", disabled=not gemini or state.json_error is not None,
                        help="countTokens on the Gemini native route: the prompt's tokens, before sending"
                        if gemini else "the Gemini native route only")
    key = _count_key(state)
    if clicked:
        try:  # the client resolves the placeholders: the count covers the media too
            tokens = conn.client().count_tokens(state.call())
            ss[COUNT] = {"key": key, "tokens": tokens}
        except CometError as err:
            ss[COUNT] = {"key": key, "error": err.info()}
    shown = ss.get(COUNT)
    if not shown or shown.get("key") != key:
        return
    if "tokens" in shown:
        st.caption(f"**{shown['tokens']:,} input tokens** (countTokens, for the request as it stands)")
    else:
        finished.show_error(shown["error"], key="pg_count_err")
