"""Playground: pick a model and route, edit the request as a form or as JSON, send it, watch
the reply stream in, and copy the code for exactly that request."""

from functools import partial

import streamlit as st

from ui import code, connection, editor, function_answers, importer, judge_view, layout, presets_view, token_count
from ui.editor import gate, image_controls, regions, variables
from ui.run import runner
from ui.shell import ensure_app

ensure_app()  # before drawing: see ui/shell.py


def request_editor(conn: connection.Connection) -> None:
    """The Form and JSON tabs, the variables, the problems and the token count."""
    state = editor.load_state()
    if variables.unfilled(state.body):  # the variables' fields beside the prompt, in view with it
        tabs, fields = st.columns([3, 1.4])
        with fields:
            variables.fields(state)
    else:
        tabs = st.container()
    with tabs:
        editor.tabs(state)
    editor.show_problems(gate.problems(state))
    token_count.count_tokens(conn, state)
    editor.save_draft(state)
    editor.mark(editor.PLAYGROUND)  # after every widget the editor writes to: see ui/editor/echo.py


@st.fragment
def workspace(conn: connection.Connection, by_id: dict) -> None:
    """The request editor and, beside it, Send and the reply.

    A fragment: an edit reruns the editor and the reply only, not the top bar or the sidebar,
    and the code is drawn only when its dialog is open (issue 29). Send lives in the same
    fragment as the fields: a click in one fragment that reaches the server while another
    fragment's run (a prompt box's blur) is going is dropped by Streamlit, so the prompt a
    click commits and the click itself must rerun one fragment. An edit that changes what is
    drawn outside (the pickers, the route report) reruns the whole page (ui/editor/regions.py)."""
    request, panel, answer = st.columns([4, 2.2, 3.8], gap="medium")
    with panel, st.container(key="pg_settings"):  # drawn before the editor: its echo mark comes last
        editor.settings(editor.load_state())
    with request:
        request_editor(conn)
    layout.pin_beside("pg_answer")  # the reply stays in view beside a long form (issue 14)
    with answer, st.container(key="pg_answer"):
        reply_panel(conn, by_id)
    regions.follow(drawn_outside(editor.load_state()))


def drawn_outside(state) -> tuple:
    """What the page draws outside the workspace: the editor's part, and the line that says which
    saved prompt's version the request came from and whether it is modified (ui/presets_view.py)."""
    return (*regions.outside(state), presets_view.loaded(state))


@st.dialog("Get code", width="large")
def get_code(conn: connection.Connection) -> None:
    """The code for exactly this request, drawn only while the dialog is open."""
    state = editor.load_state()
    code.code_tabs(variables.filled(state), code.target(conn, key="pg_snippets_local"), key="pg_code_tabs")


def reply_panel(conn: connection.Connection, by_id: dict) -> None:
    """Send, Follow up and the reply, at the top of the reply column.

    Send reruns the workspace only, so while the first token is on its way the browser has only
    the editor and the reply to draw, not the top bar and the sidebar (issue 14: the first token
    on the page within 50 ms of leaving the server). A button that edits the request (Follow up,
    a function's answer) reruns the whole page, so the editor shows the new turns. Stop is
    outside (see below)."""
    state = editor.load_state()
    blocked = bool(gate.reasons(state))
    last = runner.last("pg_result")
    ss = st.session_state
    if ss.get("pg_continue") or ss.get(function_answers.ANSWER_SEND) or ss.pop(image_controls.EDITED, False):
        st.rerun()  # their callbacks changed the request: the editor must show it
    with st.container(key="pg_buttons"):
        send_col, continue_col = st.columns(2)
        send = send_col.button("Send", key="pg_send", type="primary", shortcut="Ctrl+Enter",
                               disabled=blocked, width="stretch")
        send = send or (ss.pop(function_answers.SEND_NOW, False) and not blocked)  # a function's answer
        continue_col.button("Follow up", key="pg_continue", width="stretch",
                            disabled=send or not editor.can_continue(state, last),
                            on_click=editor.continue_from, args=("pg_result",),
                            help="adds the reply to the conversation as a model turn and opens a "
                                 "new user turn for your next message (nothing is generated)")
    reasons = gate.reasons(state)
    if reasons:  # why Send is greyed out, where the eye is: at Send
        with st.container(key="pg_blocked"):
            st.caption("**Send is blocked:** " + "; ".join(reasons))
    if send:
        ss.pop("pg_reply_stale", None)
        ss.pop(image_controls.EDIT_NOTE, None)
        layout.swap("pg_buttons", "pg_stop")  # Stop takes the buttons' place while the reply streams
        # the last run's reply goes at once, not when the new stream has drawn over it
        st.html("<style>.st-key-pg_answer [data-stale=true] { display: none; }</style>")
        call = presets_view.tagged(state, variables.filled(state))  # a loaded prompt's version goes with the run
        if runner.send(conn, call, by_id, key="pg_reply", result_key="pg_result"):
            st.rerun()  # the whole page: Stop off, Follow up on, History and the code up to date
    elif last:
        if ss.get("pg_reply_stale"):
            st.warning("This reply is to an earlier request: the one in the editor was imported or "
                       "loaded since. Send to answer it.", icon=":material/history:")
        runner.show(last, key="pg_reply", on_edit=partial(image_controls.edit_image, "pg_result"))
        judge_view.rate_reply("pg_result")  # good / bad on the reply, kept with its run in History
        function_answers.function_answers(state, last, result_key="pg_result")
    elif ss.get(image_controls.EDIT_NOTE):
        st.info(ss[image_controls.EDIT_NOTE], icon=":material/edit:")
    else:
        st.caption("The reply appears here. Send with the button or Ctrl+Enter.")


conn = connection.current()
state = editor.load_state()
catalog, catalog_note = connection.models(conn)
by_id = {m.id: m for m in catalog}

regions.remember(drawn_outside(state))
layout.compact()
st.title("Playground")
st.caption(connection.where(conn))
bar, code_button = st.columns([6, 1], vertical_alignment="bottom")  # the top bar: what decides a Send
with bar:
    editor.request_bar(state, catalog)
code_button.button("Get code", key="pg_get_code", on_click=st.session_state.update,
                   kwargs={"pg_code_open": True}, width="stretch",
                   help="curl, Python and Node for exactly this request, with a copy button")
if st.session_state.pop("pg_code_open", False):  # a callback's flag: a click outlives the shell's first rerun
    get_code(conn)
if catalog_note:
    st.caption(catalog_note)
editor.route_report(state)
saved, imported = st.columns(2)
with saved:
    presets_view.box(state)
with imported:
    importer.box()
# Outside the workspace: a click here reruns the whole page, which ends a run in progress at once
# (a click inside a fragment waits for the fragment's run to end). Shown only while a reply
# streams, in place of Send and Follow up.
layout.hidden("pg_stop")
layout.stick("pg_stop")
st.button("Stop", key="pg_stop", width="stretch")  # no tooltip: Stop vanishes under the pointer, which left one stuck
workspace(conn, by_id)
