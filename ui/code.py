"""Code tabs: the snippet for a request in each of the five flavours, with a copy button."""

from __future__ import annotations

import streamlit as st

from comet import Call, CometError

from .connection import Connection, snippet_base_url
from .inert import inert

TABS = (("curl", "curl", "bash"), ("Python", "python", "python"), ("Python SDK", "python-sdk", "python"),
        ("Node", "node", "javascript"), ("Node SDK", "node-sdk", "javascript"))


def code_tabs(call: Call, base_url: str, *, key: str) -> None:
    """One tab per flavour; ``st.code`` gives each a copy button. The key is never in a
    snippet: every flavour reads it from ``COMETAPI_KEY``. Only the open tab's snippet is made
    and drawn (a tab switch reruns the page): a rerun then highlights one snippet, not five."""
    from comet.tools.snippets import render

    tabs = st.tabs([label for label, _, _ in TABS], key=key, on_change="rerun")
    for tab, (_, lang, highlight) in zip(tabs, TABS):
        if not tab.open:
            continue
        with tab:
            try:
                snippet = render(call, lang, base_url=base_url)
            except (CometError, ValueError) as err:  # e.g. a body this flavour cannot express
                st.warning(inert(f"No {lang} snippet for this request: {err}"))
                continue
            st.code(snippet.code, language=highlight, wrap_lines=True)  # no sideways scrolling in a half column
            for warning in snippet.warnings:
                st.caption(inert(f"⚠ {warning}"))


def target(conn: Connection, *, key: str) -> str:
    """The base URL snippets use. In demo mode a switch picks the service's address (the code
    to paste) or the emulator's (to try the snippet locally)."""
    if not conn.demo:
        return conn.base_url
    local = st.toggle("Snippets use the emulator's address", key=key,
                      help=f"off: {conn.service_url} (the code to paste); on: {conn.base_url}")
    return snippet_base_url(conn, local)
