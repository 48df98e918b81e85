"""The request editor: model, route and stream controls, and the Form and JSON tabs over one body.

The canonical value is an :class:`EditorState` kept in session state under ``pg_state`` (not a
widget key, so it survives page moves; widget state does not) and saved as a draft keyed by
``?draft=`` in the URL (so it survives a reload). Widgets are seeded from it and every
widget's ``on_change`` writes back through :mod:`comet.form` (only the touched field),
:func:`comet.validate.parse_json` (the JSON tab) or :func:`comet.convert.convert` (route).
The JSON tab's text is kept exactly as typed; while it does not parse the form waits.

Uploaded media are held beside the body in ``EditorState.attachments`` (the body names them with
``<attachment:NAME>`` tokens, :mod:`comet.call`) and saved with the draft. The Gemini-native
feature sections (thinking, media, grounding, structured output, safety, turns, functions)
live in :mod:`ui.features` and sync through the same two functions as the form fields.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, fields
from typing import Any

import streamlit as st

from comet import Call, Problem, RequestError, Route, form, parse_json, rules, simple_body
from comet.call import Attachment, attachment_names
from comet.drafts import DraftConflict, new_id
from comet.models import ModelInfo
from comet.tally import with_stream_usage

from . import connection, echo, runs
from . import features as feature_ui

STATE = "pg_state"
SAVED = "pg_saved_draft"
VERSION = "pg_draft_version"  # the draft version this tab last read or wrote
DEFAULT_MODEL = "gemini-2.5-flash"
ROUTES = ("gemini", "openai")
FIELD_KEY = "pg_f_{}"


@dataclass
class EditorState:
    route: str = "gemini"
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
            state = cls(**known, draft_id=draft_id, attachments=list(attachments))
            Route.parse(state.route)
            return state
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
    _seed_widgets(state)
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
    state = EditorState(route=call.route.value, model=call.model, stream=call.stream,
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


def _seed_widgets(state: EditorState) -> None:
    """Give every editor widget its value from the state, where Streamlit has none (first run,
    or back from another page: widget state is dropped when a widget is not drawn)."""
    ss = st.session_state
    for key, value in (("pg_route", state.route), ("pg_model", state.model),
                       ("pg_stream", state.stream), ("pg_json", state.json_text)):
        if key not in ss:
            ss[key] = value
    if any(FIELD_KEY.format(name) not in ss for name in form.fields(state.route)):
        _sync_form(state, only_missing=True)
    feature_ui.seed(state)


def _sync_form(state: EditorState, only_missing: bool = False) -> None:
    values = form.read(state.route, state.body)
    for name in form.fields(state.route):
        key = FIELD_KEY.format(name)
        if not (only_missing and key in st.session_state):
            st.session_state[key] = _to_widget(form.SPECS[name], values[name])


def _sync_from_body(state: EditorState, old_route: str, old_body: dict[str, Any], *,
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
            echo.push(FIELD_KEY.format(name), _to_widget(form.SPECS[name], new[name]))
    feature_ui.sync(state, old_route, old_body, skip=skip)


def _fits(spec: form.FieldSpec, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return spec.kind == "float" or float(value).is_integer()


def _to_widget(spec: form.FieldSpec, value: Any) -> Any:
    if spec.kind == "list":
        return form.stop_text(value)
    if spec.kind == "float":
        return float(value) if _fits(spec, value) and value is not None else None
    if spec.kind == "int":
        return int(value) if _fits(spec, value) and value is not None else None
    if spec.kind == "choice":
        return value if value in spec.options else None
    return value


def _from_widget(spec: form.FieldSpec, value: Any) -> Any:
    if spec.kind == "list":
        return form.parse_stop(value)
    return value


# ---- callbacks ---------------------------------------------------------------------------------

def _state() -> EditorState:
    """The editor's state, for a callback: first undo what a browser behind the server sent
    back of values the server had just written (see :mod:`ui.echo`)."""
    echo.settle()
    return st.session_state[STATE]


def _on_field(name: str) -> None:
    state = _state()
    before = state.body
    value = _from_widget(form.SPECS[name], st.session_state[FIELD_KEY.format(name)])
    try:
        state.body = form.apply(state.route, before, {name: value})
    except form.FormConflict as err:
        st.session_state["pg_form_conflict"] = str(err)
        return
    st.session_state.pop("pg_form_conflict", None)
    _sync_from_body(state, state.route, before)


def _on_json() -> None:
    state = _state()
    state.json_text = st.session_state["pg_json"]
    try:
        body = parse_json(state.json_text, state.route)
    except RequestError as err:
        p = err.problems[0]
        state.json_error = {"message": p.message, "line": p.line, "column": p.column, "path": p.path, "fix": p.fix}
        return
    before, state.body = state.body, body
    _sync_from_body(state, state.route, before, rewrite_json=False)


def _on_model() -> None:
    state = _state()
    state.model = (st.session_state["pg_model"] or "").strip()
    if state.route == "openai" and state.json_error is None:
        before, state.body = state.body, Call(state.route, state.model, state.body, state.stream).body
        _sync_from_body(state, state.route, before)
    else:  # the thinking controls follow the model (a budget for 2.5, a level for 3)
        feature_ui.sync(state, state.route, state.body)


def _on_stream() -> None:
    state = _state()
    state.stream = bool(st.session_state["pg_stream"])
    if state.route == "openai" and state.json_error is None:  # usage in the stream: issue 14
        body = with_stream_usage(state.body, state.stream)
        before, state.body = state.body, Call(state.route, state.model, body, state.stream).body
        _sync_from_body(state, state.route, before)


def _on_route() -> None:
    from comet.convert import restore, convert

    state = _state()
    new, old = st.session_state["pg_route"], state.route
    if new == old:
        return
    if state.json_error is not None:  # the radio is disabled then; be safe anyway
        st.session_state["pg_route"] = old
        return
    conversion = convert(state.body, to=Route.parse(new), model=state.model)
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
    _sync_from_body(state, old, before)


def continue_from(result_key: str) -> None:
    """The Continue button: the last reply becomes a model turn, and a new user turn waits."""
    state = _state()
    from .runs import forget

    exchange = forget(result_key)[0]
    before, state.body = state.body, form.continue_with(state.route, state.body, exchange.text)
    _sync_from_body(state, state.route, before)


def can_continue(state: EditorState, result: Any) -> bool:
    return bool(result and result[0].text and result[0].call.route.value == state.route
                and state.json_error is None)


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
    c1.selectbox("Model", ids, key="pg_model", on_change=_on_model, accept_new_options=True,
                 format_func=lambda m: connection.model_label(m, by_id),
                 help="the live model list, Gemini first; type any other model ID and press Enter")
    c2.radio("Route", ROUTES, key="pg_route", on_change=_on_route, horizontal=True,
             format_func=lambda r: Route.parse(r).label, disabled=invalid,
             help="switching converts the request; switching back restores what did not carry over")
    c3.toggle("Stream", key="pg_stream", on_change=_on_stream)


def route_report(state: EditorState) -> None:
    """What the last route switch could not carry over (and that switching back restores)."""
    lost = [r for r in state.report if r["status"] != "mapped"]
    if not state.report:
        return
    label = Route.parse(state.route).label
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
    form_tab, json_tab = st.tabs(["Form", "JSON"])
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
        st.text_area(spec.label, key=FIELD_KEY.format(name), on_change=_on_field, args=(name,),
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
            _field(name, values[name], invalid)
    specific = [n for n in form.route_specific(state.route) if n not in feature_ui.THINKING_FIELDS]
    if specific:
        with st.expander(f"{Route.parse(state.route).label} settings"):
            for name in specific:
                _field(name, values[name], invalid)
    feature_ui.sections(state, values, invalid)


def _field(name: str, raw: Any, disabled: bool, *, help: str | None = None) -> None:
    spec = form.SPECS[name]
    common = dict(key=FIELD_KEY.format(name), on_change=_on_field, args=(name,),
                  help=spec.help if help is None else help, disabled=disabled)
    if spec.kind in ("float", "int") and not _fits(spec, raw):
        st.markdown(f"**{spec.label}**: `{json.dumps(raw)}` (not a {spec.kind}; edit it in the JSON tab)")
    elif spec.kind == "float":
        st.number_input(spec.label, value=None, step=spec.step, format="%g", placeholder="default", **common)
    elif spec.kind == "int":
        st.number_input(spec.label, value=None, step=int(spec.step or 1), placeholder="default", **common)
    elif spec.kind == "bool":
        st.toggle(spec.label, **common)
    elif spec.kind == "list":
        st.text_input(spec.label, placeholder="none", **common)
    elif spec.kind == "choice":
        st.selectbox(spec.label, (None,) + spec.options, format_func=lambda v: "(not set)" if v is None else v,
                     placeholder="(not set)", **common)
    else:
        st.text_input(spec.label, **common)


def json_editor(state: EditorState) -> None:
    label = f"{Route.parse(state.route).label} request body"
    st.text_area(label, key="pg_json", on_change=_on_json, height=360,
                 help="the route's own JSON; fields the form does not know are kept as typed")
    if state.json_error:
        e = state.json_error
        where = f"line {e['line']}, column {e['column']}" if e["line"] else f"`{e.get('path', '$')}`"
        if e["message"].startswith("invalid JSON"):
            st.error(f"Invalid JSON at {where}: {e['message'].removeprefix('invalid JSON: ')}. "
                     "Your text is kept as typed; the form waits until it parses.")
        else:  # beyond a limit of comet.limits: where, what and the fix
            st.error(f"Not accepted at {where}: {e['message']}. Fix: {e.get('fix', '')}. "
                     "Your text is kept as typed; the form waits until it is accepted.")


def check(state: EditorState) -> list[Problem]:
    """What would stop this request being sent, each with its fix (flagged before sending)."""
    return rules.problems(state.call())


def show_problems(found: list[Problem]) -> None:
    for p in found:
        st.warning(f"`{p.path}`: {p.message}.  \n**Fix:** {p.fix}")
