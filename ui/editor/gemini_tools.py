"""The Form tab's switches for Gemini's code execution and URL context tools (the body edits
live in :mod:`comet.body.features.code_execution` and :mod:`comet.body.features.url_context`)."""

from __future__ import annotations

import streamlit as st

from comet.body.features import code_execution, url_context

from . import echo
from ..inert import inert
from .callbacks import edit
from .page import PLAYGROUND
from .sync import CODE_EXECUTION, URL_CONTEXT


def _on_code_execution() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    edit(lambda s: code_execution.set(s.route, s.body, bool(st.session_state[CODE_EXECUTION])))


def _on_url_context() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    edit(lambda s: url_context.set(s.route, s.body, bool(st.session_state[URL_CONTEXT])))


def switches(state, disabled: bool) -> None:
    """The two switches on the Gemini route; on the OpenAI route, why there are none."""
    if state.route != "gemini":
        st.caption("Code execution and URL context are Gemini native tools (no Chat Completions field).")
        return
    st.toggle("Code execution", key=CODE_EXECUTION, on_change=_on_code_execution, disabled=disabled,
              help='tools: [{"codeExecution": {}}]; the reply shows the code the model ran and its output')
    st.toggle("URL context", key=URL_CONTEXT, on_change=_on_url_context, disabled=disabled,
              help='tools: [{"urlContext": {}}]; the model reads the pages whose URLs the prompt names')
    if url_context.read(state.route, state.body):
        named = url_context.urls(state.route, state.body)
        st.caption(inert("Pages to read: " + ", ".join(f"`{u}`" for u in named)) if named
                   else "Put the URLs to read (https://...) in the prompt.")
