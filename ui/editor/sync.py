"""Keeping a page's widgets in step with its editor value.

Widgets are seeded from the value where Streamlit has none (first run, or back from another
page: widget state is dropped when a widget is not drawn). After an edit, :func:`sync_from_body`
refreshes exactly the widgets whose values the edit touched: the JSON box, the page's form
fields, on the Playground the feature controls (their values read by :func:`feature_values`)
and on the OpenAI route the model and stream that the body carries. Every write goes through
:func:`ui.editor.echo.push`, so a browser that has not drawn it yet cannot undo it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from comet import Route
from comet.body import features, form

from . import echo
from .page import PLAYGROUND, Page
from .value import EditorState, dump

# The Playground's feature controls (ui/editor/feature_sections.py draws them; their values come from the body).
THINK_MODE = "pg_think_mode"
SEARCH = "pg_search"
CODE_EXECUTION = "pg_code_execution"
URL_CONTEXT = "pg_url_context"
IMG_OUTPUT = "pg_img_output"  # ui/editor/image_controls.py
IMG_RATIO = "pg_img_ratio"
IMG_SIZE = "pg_img_size"
SCHEMA = "pg_schema"
SCHEMA_FIELD = "pg_schema_field"
SCHEMA_NAME = "pg_schema_name"
CALL_MODE = "pg_fn_mode"
ALLOWED = "pg_fn_allowed"  # "Only these functions"
SAFETY = "pg_safety_{}"
TURN_ROLE = "pg_turn_role_{}"
TURN_TEXT = "pg_turn_text_{}"
FN_NAME = "pg_fn_name_{}"
FN_DESC = "pg_fn_desc_{}"
FN_PARAMS = "pg_fn_params_{}"
ERRORS = "pg_feature_errors"  # widget key -> message, for text that does not parse (kept as typed)


# ---- one field's value in its widget -----------------------------------------------------------

def fits(spec: form.FieldSpec, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return spec.kind == "float" or float(value).is_integer()


def to_widget(spec: form.FieldSpec, value: Any) -> Any:
    if spec.kind == "list":
        return form.stop_text(value)
    if spec.kind == "float":
        return float(value) if fits(spec, value) and value is not None else None
    if spec.kind == "int":
        return int(value) if fits(spec, value) and value is not None else None
    if spec.kind == "choice":
        return value if value in spec.options else None
    return value


def from_widget(spec: form.FieldSpec, value: Any) -> Any:
    if spec.kind == "list":
        return form.parse_stop(value)
    return value


# ---- seeding and syncing ---------------------------------------------------------------------------

def widget_values(page: Page, state: EditorState) -> dict[str, Any]:
    """Every editor widget of ``page`` (but the feature controls) and its value from ``state``."""
    out: dict[str, Any] = {}
    for key, value in ((page.route, state.route.value), (page.model, state.model), (page.stream, state.stream)):
        if key:
            out[key] = value
    out[page.json] = state.json_text
    values = form.read(state.route, state.body)
    for name in page.form_fields(state.route):
        out[page.field_key(name)] = to_widget(form.SPECS[name], values[name])
    return out


def seed_widgets(page: Page, state: EditorState) -> None:
    """Give every editor widget of ``page`` its value from the state where Streamlit has none."""
    ss = st.session_state
    for key, value in widget_values(page, state).items():
        if key not in ss:
            ss[key] = value
    if page.features:
        seed_features(state)


def push_all(page: Page, state: EditorState) -> None:
    """Every editor widget of ``page`` to the state's value (a whole new request)."""
    for key, value in widget_values(page, state).items():
        echo.push(page, key, value)
    if page.features:
        sync_features(state, state.route, {}, fresh=True)


def sync_from_body(page: Page, state: EditorState, old_route: Route, old_body: dict[str, Any], *,
                   rewrite_json: bool = True, skip: str | None = None) -> None:
    """After the body changed: the JSON text (unless it is the source), and the widgets whose
    values the change touched. Widgets the change did not touch are left alone, so an edit the
    user made in the same rerun (another widget's pending value) is never overwritten; ``skip``
    names a widget that was the source and keeps its text as typed."""
    if rewrite_json:
        state.json_text = dump(state.body)
        echo.push(page, page.json, state.json_text)
    state.json_error = None
    same_route = old_route == state.route
    if page.wire_body and state.route == "openai":
        model = state.body.get("model")
        if isinstance(model, str) and model and not (same_route and model == old_body.get("model")):
            state.model = model
            echo.push(page, page.model, model)
        stream = state.body.get("stream") is True
        if not (same_route and stream == (old_body.get("stream") is True)):
            state.stream = stream
            echo.push(page, page.stream, stream)
    old = form.read(old_route, old_body) if same_route else {}
    new = form.read(state.route, state.body)
    for name in page.form_fields(state.route):
        if name not in old or old[name] != new[name]:
            echo.push(page, page.field_key(name), to_widget(form.SPECS[name], new[name]))
    if page.features:
        sync_features(state, old_route, old_body, skip=skip)


# ---- the Playground's feature controls -------------------------------------------------------------

def feature_values(r: Route, body: dict[str, Any]) -> dict[str, Any]:
    """Every feature control's value for ``body`` (widget key -> value)."""
    out: dict[str, Any] = {}
    where, schema = features.schema_of(r, body)
    out[SCHEMA] = "" if schema is None else dump(schema)
    out[CALL_MODE] = features.calling_mode(r, body)
    out[ALLOWED] = features.allowed_functions(r, body)
    if r is Route.GEMINI:
        budget = form.read(r, body)["thinking_budget"]
        out[THINK_MODE] = features.thinking_mode(budget)
        out[SEARCH] = features.has_search(r, body)
        out[CODE_EXECUTION] = features.code_execution.read(r, body)
        out[URL_CONTEXT] = features.url_context.read(r, body)
        image = features.images.read(r, body)
        out[IMG_OUTPUT], out[IMG_RATIO], out[IMG_SIZE] = image["output"], image["aspect_ratio"], image["image_size"]
        out[SCHEMA_FIELD] = where or features.SCHEMA_FIELDS[0]
        chosen = features.safety(body)
        for category in features.SAFETY_CATEGORIES:
            out[SAFETY.format(category)] = chosen.get(category)
    else:
        out[SCHEMA_NAME] = features.schema_name(body)
    for k, turn in enumerate(features.turns(r, body)):
        out[TURN_ROLE.format(k)] = turn.role
        out[TURN_TEXT.format(k)] = turn.text
    for k, fn in enumerate(features.functions(r, body)):
        out[FN_NAME.format(k)] = fn.name
        out[FN_DESC.format(k)] = fn.description
        out[FN_PARAMS.format(k)] = "" if fn.parameters is None else dump(fn.parameters)
    return out


def seed_features(state: EditorState) -> None:
    """Give each feature control its value from the body where Streamlit has none."""
    ss = st.session_state
    for key, value in feature_values(state.route, state.body).items():
        if key not in ss:
            ss[key] = value


def sync_features(state: EditorState, old_route: Route, old_body: dict[str, Any], *,
                  skip: str | None = None, fresh: bool = False) -> None:
    """After the body changed: refresh the controls whose values the change touched (all of
    them after a route switch, or ``fresh``); ``skip`` keeps the source widget's text as typed."""
    ss = st.session_state
    new = feature_values(state.route, state.body)
    old = feature_values(old_route, old_body) if old_route == state.route and not fresh else {}
    errors = ss.get(ERRORS) or {}
    for key, value in new.items():
        if key == skip:
            continue
        if key not in old or old[key] != value or key not in ss:
            echo.push(PLAYGROUND, key, value)
            errors.pop(key, None)
    ss[ERRORS] = errors
