"""Playground: pick a model and route, edit the request as a form or as JSON, send it, watch
the reply stream in, and copy the code for exactly that request."""

import streamlit as st

from comet import hints
from ui import code, connection, echo, editor, features, importer, layout, presets_view, runs, variables
from ui.shell import ensure_app

ensure_app()  # before drawing: see ui/shell.py

conn = connection.current()
state = editor.load_state()
catalog, catalog_note = connection.models(conn)
by_id = {m.id: m for m in catalog}

st.title("Playground")
st.caption(connection.where(conn))
editor.request_bar(state, catalog)
if catalog_note:
    st.caption(catalog_note)
editor.route_report(state)

request, answer = st.columns(2, gap="large")
with request:
    importer.box()
    presets_view.box(state)
    editor.tabs(state)
    variables.fields(state)
    problems = editor.check(state) + variables.problems(state)
    editor.show_problems(problems)
    last = runs.last("pg_result")
    send_col, stop_col, continue_col = st.columns(3)
    blocked = bool(problems) or state.json_error is not None
    send = send_col.button("Send", key="pg_send", type="primary", shortcut="Ctrl+Enter",
                           disabled=blocked, width="stretch")
    send = send or (st.session_state.pop(features.SEND_NOW, False) and not blocked)  # a function's answer
    if not problems and hints.empty_prompt(state.route, state.body):
        st.caption(hints.EMPTY_PROMPT)  # Send stays enabled: the service's answer is the user's to see
    stop_col.button("Stop", key="pg_stop", disabled=not send, width="stretch",
                    help="ends the run at once; the partial reply is kept and recorded")
    continue_col.button("Follow up", key="pg_continue", width="stretch",
                        disabled=send or not editor.can_continue(state, last),
                        on_click=editor.continue_from, args=("pg_result",),
                        help="adds the reply to the conversation as a model turn and opens a new "
                             "user turn for your next message (nothing is generated)")
    features.count_tokens(conn, state)

    st.subheader("Code")
    code.code_tabs(variables.filled(state), code.target(conn, key="pg_snippets_local"))

editor.save_draft(state)
echo.mark()  # after every widget the editor writes to: see ui/echo.py

layout.pin_beside("pg_answer")  # the reply stays in view beside a long form (issue 14)
with answer, st.container(key="pg_answer"):
    if send and runs.send(conn, variables.filled(state), by_id, key="pg_reply", result_key="pg_result"):
        st.rerun()  # redraw the buttons for a finished run (Continue on, Stop off)
    elif last:
        runs.show(last, key="pg_reply")
        features.function_answers(state, last, result_key="pg_result")
    else:
        st.caption("The reply appears here. Send with the button or Ctrl+Enter.")
