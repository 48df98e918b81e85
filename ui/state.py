"""The Playground editor's state and every edit to it: one module owns both.

The canonical value is an :class:`EditorState` kept in session state under ``pg_state`` (not a
widget key, so it survives page moves; widget state does not) and saved as a draft keyed by
``?draft=`` in the URL (so it survives a reload). Widgets are seeded from it, and every
widget's ``on_change`` writes back through :mod:`comet.body.form` (only the touched field),
:func:`comet.body.validate.parse_json` (the JSON tab), :func:`comet.body.convert.convert` (route) or
:func:`edit` (the feature controls of :mod:`ui.features`, through :mod:`comet.body.features`). After
each change :func:`sync_from_body` refreshes exactly the widgets whose values it touched: form
fields, feature controls (their values read by :func:`feature_values`), and on the OpenAI route
the model and stream that the body carries. The JSON tab's text is kept exactly as typed; while
it does not parse the form waits.

Drawing is elsewhere: :mod:`ui.editor` (request bar, Form and JSON tabs), :mod:`ui.fields` (one
form field) and :mod:`ui.features` (the feature sections) import this module; it imports none
of them.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, fields
from typing import Any, Callable

import streamlit as st

from comet import Call, RequestError, Route, parse_json, simple_body
from comet.body import features, form
from comet.body.features import FormConflict
from comet.core.call import Attachment, attachment_names
from comet.runs.tally import with_stream_usage
from comet.store.drafts import DraftConflict, new_id

from . import echo, runs

STATE = "pg_state"
SAVED = "pg_saved_draft"
VERSION = "pg_draft_version"  # the draft version this tab last read or wrote
DEFAULT_MODEL = "gemini-2.5-flash"
ROUTES = ("gemini", "openai")
FIELD_KEY = "pg_f_{}"

# The feature controls' widget keys (ui/features.py draws them; their values come from the body).
THINK_MODE = "pg_think_mode"
SEARCH = "pg_search"
CODE_EXECUTION = "pg_code_execution"
URL_CONTEXT = "pg_url_context"
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
MEDIA_ERRORS = "pg_media_errors"
UPLOADS = "pg_upload_n"  # the uploader's generation: a new key empties it after each upload
SEND_NOW = "pg_send_now"  # set by "Send function response"; the page sends on its next run
COUNT = "pg_count_result"


@dataclass
class EditorState:
    route: Route = Route.GEMINI  # a draft's "gemini" is parsed in __post_init__
    model: str = DEFAULT_MODEL
    stream: bool = True
    body: dict[str, Any] = field(default_factory=lambda: simple_body("gemini", ""))
    json_text: str = ""  # the JSON tab, exactly as typed
    json_error: dict[str, Any] | None = None  # {message, line, column} while it does not parse
    leftover: dict[str, Any] = field(default_factory=dict)  # route -> what switching away lost
    report: list[dict[str, Any]] = field(default_factory=list)  # the last route switch
    draft_id: str = ""
    attachments: list[Attachment] = field(default_factory=list)  # uploaded media, by name
    variables: dict[str, str] = field(default_factory=dict)  # {{name}} -> value (ui/variables.py)

    def __post_init__(self) -> None:
        self.route = Route.parse(self.route)  # the edge: drafts and widgets hold the name
        if not self.json_text:
            self.json_text = dump(self.body)
        self.attachments = list(self.attachments or ())

    def used_attachments(self) -> tuple[Attachment, ...]:
        """The attachments the body names (an attachment whose placeholder was deleted in the
        JSON tab is kept here, but not sent)."""
        named = set(attachment_names(self.body))
        return tuple(a for a in self.attachments if a.name in named)

    def call(self) -> Call:
        """The request as it stands (the JSON wins over the pickers on the OpenAI route)."""
        return Call.from_body(self.route, self.body, model=self.model, stream=self.stream,
                              attachments=self.used_attachments())

    def to_draft(self) -> dict[str, Any]:
        """JSON for the draft store; the attachments' bytes are saved beside it (by name and
        SHA-256 here, so a changed file counts as a change)."""
        data = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)
                if f.name not in ("draft_id", "attachments")}
        data["attachments"] = [{"name": a.name, "mime_type": a.mime_type, "sha256": a.sha256}
                               for a in self.attachments]
        return data

    @classmethod
    def from_draft(cls, data: dict[str, Any], draft_id: str,
                   attachments: list[Attachment] | tuple[Attachment, ...] = ()) -> "EditorState":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__
                 and k not in ("draft_id", "attachments")}
        try:
            return cls(**known, draft_id=draft_id, attachments=list(attachments))
        except (TypeError, ValueError):  # a draft from an older shape: start afresh
            return cls(draft_id=draft_id)


def dump(body: Any) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False)


# ---- state, widgets and drafts -------------------------------------------------------------------

def load_state() -> EditorState:
    """This session's editor state: from session state, else the draft named in the URL, else new."""
    ss = st.session_state
    state = ss.get(STATE)
    if state is None:
        draft_id = st.query_params.get("draft")
        store = runs.drafts()
        data, ss[VERSION] = store.read(draft_id) if draft_id else (None, 0)
        state = (EditorState.from_draft(data, draft_id, store.attachments(draft_id)) if data
                 else EditorState(draft_id=draft_id or new_id()))
        ss[STATE] = state
        ss[SAVED] = state.to_draft()
    if st.query_params.get("draft") != state.draft_id:
        st.query_params["draft"] = state.draft_id
    seed_widgets(state)
    return state


def save_draft(state: EditorState) -> None:
    """Save the draft over the version this tab read. If another tab (or replica) saved it
    since, this tab's edit becomes a new draft, and the page says so: nothing is overwritten."""
    ss = st.session_state
    data = state.to_draft()
    if ss.get(SAVED) == data:
        return
    store = runs.drafts()
    try:
        ss[VERSION] = store.save(state.draft_id, data, attachments=state.attachments, base=ss.get(VERSION, 0))
    except DraftConflict:
        other, state.draft_id = state.draft_id, new_id()
        ss[VERSION] = store.save(state.draft_id, data, attachments=state.attachments, base=0)
        st.query_params["draft"] = state.draft_id
        st.warning(f"This draft was changed in another tab (`?draft={other}`). Your edits are kept as a "
                   f"new draft, `?draft={state.draft_id}`, so neither tab loses its work.",
                   icon=":material/call_split:")
    ss[SAVED] = copy.deepcopy(data)


def open_call(call: Call) -> str:
    """Make ``call`` the Playground's request, as a new draft (History's "open in Playground",
    a share link), attachments included. Call it from a callback or before ``st.switch_page``;
    returns the draft id to put in the Playground's URL."""
    state = EditorState(route=call.route, model=call.model, stream=call.stream,
                        body=copy.deepcopy(call.body), draft_id=new_id(),
                        attachments=list(call.attachments))
    version = runs.drafts().save(state.draft_id, state.to_draft(), attachments=state.attachments, base=0)
    ss = st.session_state
    for key in [k for k in ss if isinstance(k, str) and k.startswith("pg_")]:
        del ss[key]  # the editor's widgets reseed from the new state when their keys are gone
    ss[VERSION] = version
    ss[STATE] = state
    ss[SAVED] = state.to_draft()
    return state.draft_id


def seed_widgets(state: EditorState) -> None:
    """Give every editor widget its value from the state, where Streamlit has none (first run,
    or back from another page: widget state is dropped when a widget is not drawn)."""
    ss = st.session_state
    for key, value in (("pg_route", state.route.value), ("pg_model", state.model),
                       ("pg_stream", state.stream), ("pg_json", state.json_text)):
        if key not in ss:
            ss[key] = value
    if any(FIELD_KEY.format(name) not in ss for name in form.fields(state.route)):
        _sync_form(state, only_missing=True)
    seed_features(state)


def _sync_form(state: EditorState, only_missing: bool = False) -> None:
    values = form.read(state.route, state.body)
    for name in form.fields(state.route):
        key = FIELD_KEY.format(name)
        if not (only_missing and key in st.session_state):
            st.session_state[key] = to_widget(form.SPECS[name], values[name])


def sync_from_body(state: EditorState, old_route: Route, old_body: dict[str, Any], *,
                    rewrite_json: bool = True, skip: str | None = None) -> None:
    """After the body changed: the JSON text (unless it is the source), and the widgets whose
    values the change touched: form fields, feature controls, and on the OpenAI route the model
    and stream that the body carries. Widgets the change did not touch are left alone, so an
    edit the user made in the same rerun (another widget's pending value) is never
    overwritten; ``skip`` names a widget that was the source and keeps its text as typed."""
    ss = st.session_state
    if rewrite_json:
        state.json_text = dump(state.body)
        echo.push("pg_json", state.json_text)
    state.json_error = None
    same_route = old_route == state.route
    if state.route == "openai":
        model = state.body.get("model")
        if isinstance(model, str) and model and not (same_route and model == old_body.get("model")):
            state.model = model
            echo.push("pg_model", model)
        stream = state.body.get("stream") is True
        if not (same_route and stream == (old_body.get("stream") is True)):
            state.stream = stream
            echo.push("pg_stream", stream)
    old = form.read(old_route, old_body) if same_route else {}
    new = form.read(state.route, state.body)
    for name in form.fields(state.route):
        if name not in old or old[name] != new[name]:
            echo.push(FIELD_KEY.format(name), to_widget(form.SPECS[name], new[name]))
    sync_features(state, old_route, old_body, skip=skip)


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


# ---- callbacks ---------------------------------------------------------------------------------

def current() -> EditorState:
    """The editor's state, for a callback: first undo what a browser behind the server sent
    back of values the server had just written (see :mod:`ui.echo`)."""
    echo.settle()
    return st.session_state[STATE]


def on_field(name: str) -> None:
    state = current()
    before = state.body
    value = from_widget(form.SPECS[name], st.session_state[FIELD_KEY.format(name)])
    try:
        state.body = form.apply(state.route, before, {name: value})
    except form.FormConflict as err:
        st.session_state["pg_form_conflict"] = str(err)
        return
    st.session_state.pop("pg_form_conflict", None)
    sync_from_body(state, state.route, before)


def on_json() -> None:
    state = current()
    state.json_text = st.session_state["pg_json"]
    try:
        body = parse_json(state.json_text, state.route)
    except RequestError as err:
        p = err.problems[0]
        state.json_error = {"message": p.message, "line": p.line, "column": p.column, "path": p.path, "fix": p.fix}
        return
    before, state.body = state.body, body
    sync_from_body(state, state.route, before, rewrite_json=False)


def on_model() -> None:
    state = current()
    state.model = (st.session_state["pg_model"] or "").strip()
    if state.route == "openai" and state.json_error is None:
        before, state.body = state.body, Call(state.route, state.model, state.body, state.stream).body
        sync_from_body(state, state.route, before)
    else:  # the thinking controls follow the model (a budget for 2.5, a level for 3)
        sync_features(state, state.route, state.body)


def on_stream() -> None:
    state = current()
    state.stream = bool(st.session_state["pg_stream"])
    if state.route == "openai" and state.json_error is None:  # usage in the stream: issue 14
        body = with_stream_usage(state.body, state.stream)
        before, state.body = state.body, Call(state.route, state.model, body, state.stream).body
        sync_from_body(state, state.route, before)


def on_route() -> None:
    from comet.body.convert import convert, restore

    state = current()
    new, old = Route.parse(st.session_state["pg_route"]), state.route
    if new == old:
        return
    if state.json_error is not None:  # the radio is disabled then; be safe anyway
        st.session_state["pg_route"] = old.value
        return
    conversion = convert(state.body, to=new, model=state.model)
    body = conversion.body
    kept = state.leftover.pop(new, None)
    if kept:
        body = restore(body, kept)
    if conversion.leftover:
        state.leftover[old] = conversion.leftover
    state.report = [{"field": r.field, "status": r.status, "target": r.target, "note": r.note}
                    for r in conversion.report]
    before, state.route = state.body, new
    if new == "openai":
        body = Call(new, state.model, with_stream_usage(body, True) if state.stream else body, state.stream).body
    state.body = body
    sync_from_body(state, old, before)


def continue_from(result_key: str) -> None:
    """The Continue button: the last reply becomes a model turn, and a new user turn waits."""
    state = current()
    from .runs import forget

    exchange = forget(result_key)[0]
    before, state.body = state.body, form.continue_with(state.route, state.body, exchange.text)
    sync_from_body(state, state.route, before)


def can_continue(state: EditorState, result: Any) -> bool:
    return bool(result and result[0].text and result[0].call.route is state.route
                and state.json_error is None)


# ---- the feature controls' values -----------------------------------------------------------------

# ---- values, seeding and syncing -------------------------------------------------------------------

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


def seed_features(state) -> None:
    """Give each feature control its value from the body where Streamlit has none."""
    ss = st.session_state
    for key, value in feature_values(state.route, state.body).items():
        if key not in ss:
            ss[key] = value


def sync_features(state, old_route: Route, old_body: dict[str, Any], *, skip: str | None = None) -> None:
    """After the body changed: refresh the controls whose values the change touched (all of
    them after a route switch); ``skip`` keeps the source widget's text as typed."""
    ss = st.session_state
    new = feature_values(state.route, state.body)
    old = feature_values(old_route, old_body) if old_route == state.route else {}
    errors = ss.get(ERRORS) or {}
    for key, value in new.items():
        if key == skip:
            continue
        if key not in old or old[key] != value or key not in ss:
            echo.push(key, value)
            errors.pop(key, None)
    ss[ERRORS] = errors


def edit(change: Callable[[Any], dict[str, Any]], *, source: str | None = None) -> None:
    """Apply ``change`` (state -> new body) and sync; a FormConflict is shown, not raised."""
    state = current()
    before = state.body
    try:
        state.body = change(state)
    except FormConflict as err:
        st.session_state["pg_form_conflict"] = str(err)
        return
    st.session_state.pop("pg_form_conflict", None)
    sync_from_body(state, state.route, before, skip=source)
