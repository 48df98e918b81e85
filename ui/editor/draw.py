"""Drawing an editor: the JSON box and its one error display (every page), and the Playground's
request bar (model, route, stream), route report and Form and JSON tabs.

The value they show and every edit they make belong to :mod:`ui.editor.callbacks`; one form field is
drawn by :mod:`ui.editor.fields`, the Gemini-native feature sections by
:mod:`ui.editor.feature_controls`. Uploaded media are held beside the body in
``EditorState.attachments`` (the body names them with ``<attachment:NAME>`` tokens,
:mod:`comet.core.call`) and saved with the draft.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from comet import ErrorInfo, Problem, Route
from comet.body import form, hints, rules
from comet.http.models import ModelInfo

from .. import connection
from ..run.finished import show_error
from . import feature_controls, fields, sample
from .code_box import code_box
from ..inert import inert, inert_rows
from ..layout import folded
from .callbacks import conflict, on_field, on_json, on_model, on_route, on_stream
from .page import PLAYGROUND, Page
from .value import EditorState

ROUTES = tuple(r.value for r in Route)


# ---- every page: the JSON box and its error --------------------------------------------------------

def json_box(page: Page, label: str, **options: Any) -> None:
    """The page's JSON box: its text is kept exactly as typed; the body changes when it parses."""
    st.text_area(label, key=page.json, on_change=on_json, args=(page,), **options)


def json_error(state: EditorState, *, key: str) -> None:
    """Why the JSON box's text is refused, the same way on every page: the reply's error view
    (sentence and fix), led by where: line and column, or the JSON path."""
    e = state.json_error
    if not e:
        return
    where = f"line {e['line']}, column {e['column']}" if e.get("line") else f"`{e.get('path') or '$'}`"
    info = ErrorInfo(kind=e.get("kind") or "bad_input", message=e["message"], fix=e.get("fix") or "")
    show_error(info, key=key, lead=f"**Request body** ({where}): ")


def form_conflict(page: Page) -> None:
    """Why the last form edit could not be made, where the form is."""
    said = conflict(page)
    if said:
        st.warning(inert(said))


# ---- the Playground ----------------------------------------------------------------------------

def request_bar(state: EditorState, catalog: list[ModelInfo]) -> None:
    """Model picker, route choice and the stream switch, on one row."""
    by_id = {m.id: m for m in catalog}
    ids = [m.id for m in catalog]
    if state.model and state.model not in by_id:
        ids.append(state.model)
    ids = connection.sort_models(ids)
    invalid = state.json_error is not None
    c1, c2, c3 = st.columns([3, 3, 1], vertical_alignment="bottom")
    c1.selectbox("Model", ids, key=PLAYGROUND.model, on_change=on_model, args=(PLAYGROUND,), accept_new_options=True,
                 format_func=lambda m: connection.model_label(m, by_id),
                 help="the live model list, Gemini first; type any other model ID and press Enter")
    c2.radio("Route", ROUTES, key=PLAYGROUND.route, on_change=on_route, args=(PLAYGROUND,), horizontal=True,
             format_func=lambda r: Route.parse(r).label, disabled=invalid,
             help="switching converts the request; switching back restores what did not carry over")
    c3.toggle("Stream", key=PLAYGROUND.stream, on_change=on_stream, args=(PLAYGROUND,))


def route_report(state: EditorState) -> None:
    """What the last route switch could not carry over (and that switching back restores)."""
    lost = [r for r in state.report if r["status"] != "mapped"]
    if not state.report:
        return
    label = state.route.label
    if not lost:
        st.caption(f"Converted to {label}: every field carried over.")
        return
    dropped = [r["field"] for r in lost if r["status"] == "dropped"]
    approx = [r["field"] for r in lost if r["status"] == "approximated"]
    parts = []
    if dropped:
        parts.append("not carried over: " + ", ".join(f"`{f}`" for f in dropped))
    if approx:
        parts.append("approximated: " + ", ".join(f"`{f}`" for f in approx))
    with st.expander(f"Converted to {label}; " + "; ".join(parts) + ". Switching back restores them."):
        st.table(inert_rows([{"field": r["field"], "status": r["status"], "as": r["target"] or "–", "why": r["note"]}
                             for r in state.report]))


def tabs(state: EditorState) -> None:
    # Keyed and tracked: a route switch adds a report above, which would otherwise remount the
    # tabs on the Form tab while the user is in the JSON tab.
    form_tab, json_tab = st.tabs(["Form", "JSON"], key="pg_tabs", on_change="rerun")
    with form_tab:
        form_fields(state)
    with json_tab:
        json_editor(state, code=json_tab.open is not False)


def form_fields(state: EditorState) -> None:
    invalid = state.json_error is not None
    if invalid:
        st.info("The JSON tab does not parse; the form waits until it does.")
    form_conflict(PLAYGROUND)
    feature_controls.conversation(state, invalid)
    for name in ("prompt", "system"):
        spec = form.SPECS[name]
        st.text_area(spec.label, key=PLAYGROUND.field_key(name), on_change=on_field, args=(PLAYGROUND, name),
                     disabled=invalid, height=140 if name == "prompt" else 80,
                     placeholder="Ask anything…" if name == "prompt" else "optional")
        if name == "prompt":
            empty_prompt_note(state)
            feature_controls.media(state, invalid)


def settings(state: EditorState) -> None:
    """The run settings, a dense side panel beside the prompt: the common fields, the route's
    own, and the Gemini feature sections (each a row of toggles or a folded section)."""
    invalid = state.json_error is not None
    st.markdown("**Run settings**")
    values = form.read(state.route, state.body)
    for name in (n for n in form.fields(state.route) if n in form.COMMON and n not in ("prompt", "system")):
        fields.draw(name, values[name], invalid)
    specific = [n for n in form.route_specific(state.route) if n not in feature_controls.THINKING_FIELDS]
    if specific:
        with folded(f"{state.route.label} settings", "pg_open_route_settings") as box:
            for name in specific if box.open else ():
                fields.draw(name, values[name], invalid, folded=True)
    feature_controls.sections(state, values, invalid)


def empty_prompt_note(state: EditorState) -> None:
    """Under an empty prompt: why Send would get nothing useful (Send stays enabled: the
    service's answer is the user's to see), and a sample prompt to start from."""
    if state.json_error is None and hints.empty_prompt(state.route, state.body):
        st.caption(hints.EMPTY_PROMPT)
        sample.offer()


def json_editor(state: EditorState, *, code: bool = True) -> None:
    """The JSON tab. The code editor is drawn only while the tab is open: an edit on the Form
    tab then does not redraw it (issue 29); the plain box is always there (AppTest drives it)."""
    if code:
        code_box(PLAYGROUND, state)
    json_error(state, key="pg_json_err")
    with st.expander("Plain text"):  # the same text: for pasting a very large body, or a screen reader
        json_box(PLAYGROUND, f"{state.route.label} request body", height=360,
                 help="the route's own JSON; fields the form does not know are kept as typed")


def check(state: EditorState) -> list[Problem]:
    """What would stop this request being sent, each with its fix (flagged before sending)."""
    return rules.problems(state.call())


def show_problems(found: list[Problem]) -> None:
    for p in found:
        st.warning(inert(f"`{p.path}`: {p.message}.  \n**Fix:** {p.fix}"))
