"""A sample prompt to start from, offered while the Playground's prompt is empty: it shows
what a {{variable}} does (a field beside the prompt, filled into Send, the code and Compare)."""

from __future__ import annotations

import streamlit as st

from . import echo
from .callbacks import on_field
from .page import PLAYGROUND

PROMPT = "Explain {{topic}} to a curious ten-year-old in three short sentences."
TOPIC = "how rainbows form"


def _use() -> None:
    key = PLAYGROUND.field_key("prompt")
    echo.push(PLAYGROUND, key, PROMPT)  # pushed: a browser behind cannot send the empty box back over it
    on_field(PLAYGROUND, "prompt")
    st.session_state[PLAYGROUND.state].variables.setdefault("topic", TOPIC)


def offer() -> None:
    """The button that puts the sample in the prompt box."""
    st.button("Start from a sample prompt", key="pg_sample", on_click=_use, icon=":material/lightbulb:",
              help=f"“{PROMPT}”, with {{{{topic}}}} set to “{TOPIC}”")
