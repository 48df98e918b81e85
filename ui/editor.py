"""The request editor's drawing: model, route and stream controls, and the Form and JSON tabs.

The state they show and every edit they make are :mod:`ui.state`'s (the names the pages use,
such as :func:`load_state` and :func:`open_call`, are re-exported here); one form field is
drawn by :mod:`ui.fields`, the Gemini-native feature sections by :mod:`ui.features`. Uploaded
media are held beside the body in ``EditorState.attachments`` (the body names them with
``<attachment:NAME>`` tokens, :mod:`comet.core.call`) and saved with the draft.
"""

from __future__ import annotations

import streamlit as st

from comet import Problem, Route
from comet.body import form, rules
from comet.http.models import ModelInfo

from . import connection, features as feature_ui, fields
# What the pages call, kept under the editor's name.
from .state import (FIELD_KEY, ROUTES, EditorState, can_continue, continue_from, load_state, on_field,  # noqa: F401
                    on_json, on_model, on_route, on_stream, open_call, save_draft)

# ---- drawing -----------------------------------------------------------------------------------

def request_bar(state: EditorState, catalog: list[ModelInfo]) -> None:
    """Model picker, route choice and the stream switch, on one row."""
    by_id = {m.id: m for m in catalog}
    ids = [m.id for m in catalog]
    if state.model and state.model not in by_id:
        ids.append(state.model)
    ids = connection.sort_models(ids)
    invalid = state.json_error is not None
    c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
    c1.selectbox("Model", ids, key="pg_model", on_change=on_model, accept_new_options=True,
                 format_func=lambda m: connection.model_label(m, by_id),
                 help="the live model list, Gemini first; type any other model ID and press Enter")
    c2.radio("Route", ROUTES, key="pg_route", on_change=on_route, horizontal=True,
             format_func=lambda r: Route.parse(r).label, disabled=invalid,
             help="switching converts the request; switching back restores what did not carry over")
    c3.toggle("Stream", key="pg_stream", on_change=on_stream)


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
        st.table([{"field": r["field"], "status": r["status"], "as": r["target"] or "–", "why": r["note"]}
                  for r in state.report])


def tabs(state: EditorState) -> None:
    # Keyed and tracked: a route switch adds a report above, which would otherwise remount the
    # tabs on the Form tab while the user is in the JSON tab.
    form_tab, json_tab = st.tabs(["Form", "JSON"], key="pg_tabs", on_change="rerun")
    with form_tab:
        form_fields(state)
    with json_tab:
        json_editor(state)


def form_fields(state: EditorState) -> None:
    invalid = state.json_error is not None
    if invalid:
        st.info("The JSON tab does not parse; the form waits until it does.")
    if st.session_state.get("pg_form_conflict"):
        st.warning(st.session_state["pg_form_conflict"])
    feature_ui.conversation(state, invalid)
    for name in ("prompt", "system"):
        spec = form.SPECS[name]
        st.text_area(spec.label, key=FIELD_KEY.format(name), on_change=on_field, args=(name,),
                     disabled=invalid, height=140 if name == "prompt" else 80,
                     placeholder="Ask anything…" if name == "prompt" else "optional")
        if name == "prompt":
            feature_ui.media(state, invalid)
    values = form.read(state.route, state.body)
    settings = [n for n in form.fields(state.route) if n not in ("prompt", "system")]
    common = [n for n in settings if n in form.COMMON]
    cols = st.columns(2)
    for i, name in enumerate(common):
        with cols[i % 2]:
            fields.draw(name, values[name], invalid)
    specific = [n for n in form.route_specific(state.route) if n not in feature_ui.THINKING_FIELDS]
    if specific:
        with st.expander(f"{state.route.label} settings"):
            for name in specific:
                fields.draw(name, values[name], invalid)
    feature_ui.sections(state, values, invalid)


def json_editor(state: EditorState) -> None:
    label = f"{state.route.label} request body"
    st.text_area(label, key="pg_json", on_change=on_json, height=360,
                 help="the route's own JSON; fields the form does not know are kept as typed")
    if state.json_error:
        e = state.json_error
        where = f"line {e['line']}, column {e['column']}" if e["line"] else f"`{e.get('path', '$')}`"
        if e["message"].startswith("invalid JSON"):
            st.error(f"Invalid JSON at {where}: {e['message'].removeprefix('invalid JSON: ')}. "
                     "Your text is kept as typed; the form waits until it parses.")
        else:  # beyond a limit of comet.core.limits: where, what and the fix
            st.error(f"Not accepted at {where}: {e['message']}. Fix: {e.get('fix', '')}. "
                     "Your text is kept as typed; the form waits until it is accepted.")


def check(state: EditorState) -> list[Problem]:
    """What would stop this request being sent, each with its fix (flagged before sending)."""
    return rules.problems(state.call())


def show_problems(found: list[Problem]) -> None:
    for p in found:
        st.warning(f"`{p.path}`: {p.message}.  \n**Fix:** {p.fix}")
