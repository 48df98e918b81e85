"""Under a reply that calls functions: one result per call, and "Send function response",
which appends the call and the results to the Playground's request as turns and sends it."""

from __future__ import annotations

from typing import Any

import streamlit as st

from comet.body import features

from . import editor
from .run import runner

ANSWER_SEND = "pg_fr_send"  # "Send function response": its callback edits the request, then sends
SEND_NOW = "pg_send_now"  # set by "Send function response"; the page sends on its next run


def _on_answer(result_key: str, count: int) -> None:
    before = editor.current().body  # first undoes a stale echo, before any widget is read
    ss = st.session_state
    result = runner.last(result_key)
    if result is None:
        return
    exchange = result[0]
    answers = [features.response_value(ss.get(f"pg_fr_{i}") or "") for i in range(count)]
    editor.edit(lambda s: features.answer_calls(s.route, s.body, exchange.reply, answers))
    if editor.current().body is not before:
        runner.forget(result_key)
        for i in range(count):
            ss.pop(f"pg_fr_{i}", None)
        ss[SEND_NOW] = True


def function_answers(state, result: Any, *, result_key: str) -> None:
    """Under a reply that calls functions: one result per call, then "Send function response"
    appends the call and the results as turns and sends the request again."""
    if not result:
        return
    exchange = result[0]
    reply = exchange.reply
    if reply is None or not reply.function_calls or exchange.call.route is not state.route \
            or state.json_error is not None:
        return
    st.markdown("**Answer with the function's result**")
    for i, call in enumerate(reply.function_calls):
        key = f"pg_fr_{i}"
        if key not in st.session_state:
            st.session_state[key] = '{"output": ""}'
        st.text_area(f"Result of {call.name}", key=key, height=80,
                     help="JSON (an object, or any value: it goes under \"output\"); plain text is sent as output")
    st.button("Send function response", key=ANSWER_SEND, type="primary", on_click=_on_answer,
              args=(result_key, len(reply.function_calls)),
              help="adds the call and its result as turns, then sends the request")
