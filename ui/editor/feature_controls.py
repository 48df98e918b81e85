"""The Gemini-native feature controls of the Playground's Form tab: the conversation's turns,
media, thinking, grounding, structured output, function calling and safety.

Every control here is a view of the same body as the form fields and the JSON tab: its value
is read from the body, seeded and refreshed by :mod:`ui.editor.sync` (which names the widget
keys), and its ``on_change`` writes back through :func:`ui.editor.callbacks.edit` with a
function of :mod:`comet.body.features`, changing only what was touched.
Widget keys carry the ``pg_`` prefix; per-item controls (turns, functions) are numbered in the
order the form shows them.

Media and the sections under the run settings are folded (:func:`ui.layout.folded`): their
controls are drawn only while open, so an edit elsewhere does not redraw them. When one opens,
its controls are seeded from the body like any other (:func:`ui.editor.sync.seed_features`).
Folded, they keep their state (``persist_state="page"``): text the body does not have yet (a
function being declared, a URL, a schema that does not parse), and what a sync wrote into them
while folded (Streamlit would otherwise drop a hidden widget's value for its last drawn one).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from comet import RequestError, Route
from comet.body import features, form
from comet.core import limits
from comet.core.call import MEDIA_TYPES, Attachment

from ..inert import inert
from ..layout import folded
from . import echo, fields, gemini_tools, image_controls
from .callbacks import current, edit, on_field
from .page import PLAYGROUND
from .sync import (ALLOWED, CALL_MODE, ERRORS, FN_DESC, FN_NAME, FN_PARAMS, SAFETY, SCHEMA, SCHEMA_FIELD, SCHEMA_NAME,
                   SEARCH, THINK_MODE, TURN_ROLE, TURN_TEXT)

THINKING_FIELDS = ("thinking_budget", "include_thoughts", "thinking_level", "reasoning_effort")
MEDIA_ERRORS = "pg_media_errors"
UPLOADS = "pg_upload_n"  # the uploader's generation: a new key empties it after each upload
SCHEMA_JSON_BEFORE = "pg_schema_json_before"  # was JSON output on before a schema turned it on?
SCHEMA_LABELS = {"responseJsonSchema": "JSON Schema (responseJsonSchema)",
                 "responseSchema": "OpenAPI subset (responseSchema)"}
MODE_LABELS = {None: "Model default", "dynamic": "Dynamic (-1)", "off": "Off (0)", "custom": "Budget"}


def _parsed(key: str) -> tuple[bool, Any]:
    """The JSON typed in a text widget: (True, value), (True, None) when empty, or (False, None)
    with the error kept for the widget, which keeps the text as typed."""
    text = (st.session_state.get(key) or "").strip()
    errors = st.session_state.setdefault(ERRORS, {})
    if not text:
        errors.pop(key, None)
        return True, None
    try:
        value = limits.loads(text)
    except RequestError as exc:  # invalid JSON (line, column) or beyond a limit (path, fix)
        p = exc.problems[0]
        said = f"Invalid JSON at line {p.line}, column {p.column}: {p.message.removeprefix('invalid JSON: ')}" \
            if p.line else f"Not accepted at `{p.path}`: {p.message}. Fix: {p.fix}"
        errors[key] = f"{said}. Your text is kept; the request changes when it parses."
        return False, None
    if not isinstance(value, dict):
        errors[key] = "The schema must be a JSON object ({...}). Your text is kept."
        return False, None
    errors.pop(key, None)
    return True, value


def _show_error(key: str) -> None:
    message = (st.session_state.get(ERRORS) or {}).get(key)
    if message:
        st.error(message)


# ---- the conversation ----------------------------------------------------------------------------

def _on_turn(k: int, index: int, what: str) -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    ss = st.session_state
    if what == "role":
        edit(lambda s: features.set_turn(s.route, s.body, index, role=ss[TURN_ROLE.format(k)]))
    elif what == "text":
        edit(lambda s: features.set_turn(s.route, s.body, index, text=ss[TURN_TEXT.format(k)] or ""),
              source=TURN_TEXT.format(k))
    elif what in ("up", "down"):
        edit(lambda s: features.move_turn(s.route, s.body, index, -1 if what == "up" else 1))
    elif what == "remove":
        edit(lambda s: features.remove_turn(s.route, s.body, index))


def conversation(state, disabled: bool) -> None:
    """The turns before the prompt: role, text, move up or down, remove; and "Add turn"."""
    route = state.route
    turns = features.turns(route, state.body)
    for k, turn in enumerate(turns):
        roles = list(features.ROLES[route]) + ([turn.role] if turn.role not in features.ROLES[route] else [])
        with st.chat_message("user" if turn.role == "user" else "assistant"):
            c1, c2, c3, c4 = st.columns([4, 1, 1, 1], vertical_alignment="bottom")
            c1.selectbox(f"Turn {k + 1} role", roles, key=TURN_ROLE.format(k), on_change=_on_turn,
                         args=(k, turn.index, "role"), disabled=disabled or not turn.editable,
                         label_visibility="collapsed")
            c2.button("↑", key=f"pg_turn_up_{k}", on_click=_on_turn, args=(k, turn.index, "up"),
                      disabled=disabled or k == 0, help="move this turn up")
            c3.button("↓", key=f"pg_turn_down_{k}", on_click=_on_turn, args=(k, turn.index, "down"),
                      disabled=disabled or k == len(turns) - 1, help="move this turn down")
            c4.button("✕", key=f"pg_turn_del_{k}", on_click=_on_turn, args=(k, turn.index, "remove"),
                      disabled=disabled, help="remove this turn")
            if turn.editable:
                st.text_area(f"Turn {k + 1} text", key=TURN_TEXT.format(k), on_change=_on_turn,
                             args=(k, turn.index, "text"), disabled=disabled, height=68,
                             label_visibility="collapsed")
            elif turn.text:
                st.text(turn.text)
            if turn.note:
                st.caption(turn.note)
    st.button("Add turn", key="pg_turn_add", disabled=disabled,
              on_click=lambda: edit(lambda s: features.add_turn(s.route, s.body)),
              help="a new turn before the prompt; roles alternate (user and model, or user and assistant)")


# ---- media -----------------------------------------------------------------------------------------

def _uploader_key() -> str:
    return f"pg_upload_{st.session_state.get(UPLOADS, 0)}"


def _on_upload(key: str) -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    ss = st.session_state
    state = current()
    errors = []
    for file in ss.get(key) or []:
        data = file.getvalue()
        mime, why = features.check_upload(file.name, data, file.type, state.attachments)
        if why:
            errors.append(why)
            continue
        same = next((a for a in state.attachments if a.sha256 == Attachment(file.name, mime, data).sha256
                     and a.mime_type == mime), None)
        attachment = same or Attachment(features.unique_name(file.name, [a.name for a in state.attachments]),
                                        mime, data)
        if same is None:
            state.attachments.append(attachment)
        edit(lambda s, a=attachment: features.attach(s.route, s.body, features.media_part(s.route, a)))
    ss[MEDIA_ERRORS] = errors
    ss[UPLOADS] = ss.get(UPLOADS, 0) + 1  # a fresh, empty uploader on the next run


def _on_detach(name: str) -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    state = current()
    state.attachments = [a for a in state.attachments if a.name != name]
    edit(lambda s: features.detach(s.route, s.body, name))


def _on_url() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    ss = st.session_state
    url = (ss.get("pg_url") or "").strip()
    if not url:
        return
    mime = ss.get("pg_url_mime")
    before = current().body
    edit(lambda s: features.attach(s.route, s.body, features.url_part(s.route, url, mime)))
    if current().body is not before:
        ss["pg_url"] = ""


def _on_remove_url(url: str) -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    edit(lambda s: features.remove_url(s.route, s.body, url))


def media(state, disabled: bool) -> None:
    """Attach images or PDFs (held beside the body, named by a placeholder in it) or a public
    file URL; previews of what is attached; errors before anything is sent."""
    ss = st.session_state
    route = state.route
    key = _uploader_key()
    with folded(f"Media ({len(state.attachments)} attached)" if state.attachments else "Media", "pg_open_media",
                expanded=bool(state.attachments)) as box:
        if not box.open:
            return
        st.file_uploader("Attach media", key=key, accept_multiple_files=True, on_change=_on_upload,
                         max_upload_size=20,  # MB: the inline limit, not Streamlit's default 200
                         args=(key,), disabled=disabled,
                         help="images (PNG, JPEG, WebP, GIF), PDF, audio (WAV, MP3, AIFF, AAC, Ogg, FLAC), "
                              "video (MP4, MPEG, MOV, WebM) or plain text, at most 20 MB inline in all; sent as "
                              "inlineData (Gemini), or a data URL, file or input_audio part (OpenAI-compatible: "
                              "images, PDF, WAV and MP3 only)")
        for why in ss.get(MEDIA_ERRORS) or []:
            st.error(why)
        used = {a.name for a in state.used_attachments()}
        for i, a in enumerate(state.attachments):
            size = f"{len(a.data) / 1024:,.1f} KB" if len(a.data) < 1e6 else f"{len(a.data) / 1e6:,.1f} MB"
            where = f"in the request as `{a.token}`" if a.name in used else \
                "not in the request (its placeholder is gone from the JSON)"
            broken = features.media.image_problem(a.data, a.mime_type)  # e.g. opened from a shared file
            if broken:
                st.warning(inert(f"**{a.name}** · {size}: no preview, the image cannot be read ({broken})"))
            elif a.mime_type.startswith("image/"):
                st.image(a.data, width=160, caption=f"{a.name} · {size}")
            else:
                st.markdown(inert(f"📄 **{a.name}** · {features.KINDS.get(a.mime_type, a.mime_type)} · {size}"))
            c1, c2 = st.columns([3, 1], vertical_alignment="center")
            c1.caption(where)
            c2.button("Remove", key=f"pg_att_del_{i}", on_click=_on_detach, args=(a.name,), disabled=disabled,
                      width="stretch")
        for i, url in enumerate(features.urls(route, state.body)):
            c1, c2 = st.columns([3, 1], vertical_alignment="center")
            c1.markdown(inert(f"🔗 `{url}`"))
            c2.button("Remove", key=f"pg_url_del_{i}", on_click=_on_remove_url, args=(url,), disabled=disabled,
                      width="stretch")
        st.text_input("Public file URL", key="pg_url", placeholder="https://…/photo.jpg", persist_state="page",
                      help="sent as fileData on the Gemini native route, as an image URL on the OpenAI route")
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.selectbox("Type", [None, *MEDIA_TYPES], key="pg_url_mime", placeholder="from the URL", persist_state="page",
                     format_func=lambda m: "from the URL" if m is None else m)
        c2.button("Add URL", key="pg_url_add", on_click=_on_url, disabled=disabled, width="stretch")


# ---- thinking, grounding, structured output, functions, safety --------------------------------------

def _on_think_mode() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    def change(s):
        spec = features.thinking_spec(s.model)
        current = form.read(s.route, s.body)["thinking_budget"]
        budget = features.budget_for_mode(st.session_state[THINK_MODE], current, spec)
        return form.apply(s.route, s.body, {"thinking_budget": budget})
    edit(change)


def _thinking(state, values_: dict[str, Any], disabled: bool) -> None:
    route = state.route
    with folded("Thinking", "pg_open_thinking") as box:
        if not box.open:
            return
        if route is Route.OPENAI:
            fields.draw("reasoning_effort", values_["reasoning_effort"], disabled, folded=True)
            st.caption("Chat Completions has no thought-summary switch; thoughts come back when the "
                       "model sends reasoning_content.")
            return
        spec = features.thinking_spec(state.model)
        budget, level = values_["thinking_budget"], values_["thinking_level"]
        if spec is None:
            st.caption(inert(f"{state.model or 'This model'}: thinking range unknown; every control is offered."))
        elif spec.kind == "budget":
            st.caption(inert(f"{state.model}: thinking budget {spec.budget_range()}; "
                             f"{'dynamic' if spec.default == 'dynamic' else 'off'} by default."))
        else:
            st.caption(inert(f"{state.model}: thinking levels {', '.join(spec.levels)} (default {spec.default})."))
        if spec is None or spec.kind == "budget" or budget is not None:
            modes = [None, "dynamic", "custom"]
            if spec is None or spec.can_disable or st.session_state.get(THINK_MODE) == "off":
                modes.insert(2, "off")
            st.radio("Thinking mode", modes, key=THINK_MODE, on_change=_on_think_mode, horizontal=True,
                     format_func=lambda m: MODE_LABELS[m], disabled=disabled, persist_state="page",
                     help="Gemini 2.5: generationConfig.thinkingConfig.thinkingBudget")
            fields.draw("thinking_budget", budget, disabled, folded=True,
                          help=f"tokens to think: {spec.budget_range()}" if spec else None)
        if spec is None or spec.kind == "level" or level is not None:
            levels = list(spec.levels) if spec and spec.kind == "level" else list(form.SPECS["thinking_level"].options)
            current = st.session_state.get(form_key("thinking_level"))
            if current and current not in levels:
                levels.append(current)
            st.selectbox("Thinking level", [None, *levels], key=form_key("thinking_level"),
                         on_change=on_field, args=(PLAYGROUND, "thinking_level"), disabled=disabled,
                         placeholder="Model default", persist_state="page",
                         format_func=lambda v: "Model default" if v is None else v,
                         help="Gemini 3: generationConfig.thinkingConfig.thinkingLevel")
        fields.draw("include_thoughts", values_["include_thoughts"], disabled, folded=True)


def form_key(name: str) -> str:
    return PLAYGROUND.field_key(name)


def _on_search() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    edit(lambda s: features.set_search(s.route, s.body, bool(st.session_state[SEARCH])))


def _on_schema() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    ok, schema = _parsed(SCHEMA)
    if not ok:
        return
    ss = st.session_state

    def change(s: Any) -> dict[str, Any]:
        had = features.schema_of(s.route, s.body)[1] is not None
        if schema is not None and not had:  # remember whether JSON output was on before
            ss[SCHEMA_JSON_BEFORE] = form.read(s.route, s.body)["json_output"]
        out = features.set_schema(
            s.route, s.body, schema, field=ss.get(SCHEMA_FIELD) if s.route == "gemini" else None,
            name=(ss.get(SCHEMA_NAME) or None) if s.route == "openai" else None)
        if schema is None and had and ss.pop(SCHEMA_JSON_BEFORE, True) is False:
            out = form.apply(s.route, out, {"json_output": False})  # the JSON mode it turned on goes too
        return out

    edit(change, source=SCHEMA)


def _on_schema_field() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    def change(s):
        _, schema = features.schema_of(s.route, s.body)
        if schema is None:
            return s.body  # only a preference until a schema is typed
        return features.set_schema(s.route, s.body, schema, field=st.session_state[SCHEMA_FIELD])
    edit(change)


def _on_schema_name() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    name = (st.session_state.get(SCHEMA_NAME) or "").strip()
    edit(lambda s: features.set_schema_name(s.body, name) if name else s.body)


def _structured(state, disabled: bool) -> None:
    route = state.route
    with folded("Structured output", "pg_open_structured") as box:
        if not box.open:
            return
        if route is Route.GEMINI:
            st.radio("Schema field", features.SCHEMA_FIELDS, key=SCHEMA_FIELD, on_change=_on_schema_field,
                     horizontal=True, format_func=SCHEMA_LABELS.get, disabled=disabled, persist_state="page")
        else:
            st.text_input("Schema name", key=SCHEMA_NAME, on_change=_on_schema_name, disabled=disabled,
                          placeholder=features.DEFAULT_SCHEMA_NAME, persist_state="page",
                          help="response_format.json_schema.name (letters, digits, _ and -)")
        st.text_area("JSON schema", key=SCHEMA, on_change=_on_schema, height=160, disabled=disabled,
                     persist_state="page",
                     placeholder='{"type": "object", "properties": {"answer": {"type": "string"}}, '
                                 '"required": ["answer"]}',
                     help="empty: no schema. A schema turns JSON output on; the reply is checked against it.")
        _show_error(SCHEMA)


def _on_function(k: int, what: str) -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    ss = st.session_state
    if what == "name":
        edit(lambda s: features.set_function(s.route, s.body, k, name=(ss[FN_NAME.format(k)] or "").strip()))
    elif what == "description":
        edit(lambda s: features.set_function(s.route, s.body, k, description=ss[FN_DESC.format(k)] or ""))
    elif what == "parameters":
        ok, params = _parsed(FN_PARAMS.format(k))
        if ok:
            edit(lambda s: features.set_function(s.route, s.body, k, parameters=params),
                  source=FN_PARAMS.format(k))
    elif what == "remove":
        edit(lambda s: features.remove_function(s.route, s.body, k))


def _on_add_function() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    ss = st.session_state
    name = (ss.get("pg_fn_new_name") or "").strip()
    if not name:
        ss.setdefault(ERRORS, {})["pg_fn_new_params"] = "Give the function a name first."
        return
    ok, params = _parsed("pg_fn_new_params")
    if not ok:
        return
    fn = features.Function(name, (ss.get("pg_fn_new_desc") or "").strip(), params)
    before = current().body
    edit(lambda s: features.add_function(s.route, s.body, fn))
    if current().body is not before:
        for key in ("pg_fn_new_name", "pg_fn_new_desc", "pg_fn_new_params"):
            ss[key] = ""


def _on_call_mode() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    edit(lambda s: features.set_calling_mode(s.route, s.body, st.session_state[CALL_MODE]))


def _on_allowed() -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    edit(lambda s: features.set_allowed_functions(s.route, s.body, st.session_state[ALLOWED]))


def _functions(state, disabled: bool) -> None:
    route = state.route
    declared = features.functions(route, state.body)
    with folded(f"Function calling ({len(declared)} declared)" if declared else "Function calling",
                "pg_open_functions", expanded=bool(declared)) as box:
        if not box.open:
            return
        for k, fn in enumerate(declared):
            with st.container(border=True):
                c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
                c1.text_input(f"Function {k + 1} name", key=FN_NAME.format(k), on_change=_on_function,
                              args=(k, "name"), disabled=disabled, persist_state="page")
                c2.button("Remove", key=f"pg_fn_del_{k}", on_click=_on_function, args=(k, "remove"),
                          disabled=disabled)
                st.text_input("Description", key=FN_DESC.format(k), on_change=_on_function,
                              args=(k, "description"), disabled=disabled, persist_state="page")
                st.text_area("Parameters (JSON Schema)", key=FN_PARAMS.format(k), on_change=_on_function,
                             args=(k, "parameters"), height=120, disabled=disabled, persist_state="page")
                _show_error(FN_PARAMS.format(k))
        st.markdown("**Declare a function**")
        c1, c2 = st.columns(2)
        c1.text_input("Name", key="pg_fn_new_name", placeholder="get_weather", disabled=disabled,
                      persist_state="page")
        c2.text_input("Description", key="pg_fn_new_desc", placeholder="The weather in a city now",
                      disabled=disabled, persist_state="page")
        st.text_area("Parameters", key="pg_fn_new_params", height=100, disabled=disabled, persist_state="page",
                     placeholder='{"type": "object", "properties": {"city": {"type": "string"}}, '
                                 '"required": ["city"]}')
        _show_error("pg_fn_new_params")
        st.button("Add function", key="pg_fn_add", on_click=_on_add_function, disabled=disabled)
        modes = features.GEMINI_MODES if route is Route.GEMINI else features.OPENAI_MODES
        current = st.session_state.get(CALL_MODE)
        options = [None, *modes] + ([current] if current and current not in modes else [])
        st.selectbox("Calling mode", options, key=CALL_MODE, on_change=_on_call_mode, disabled=disabled,
                     placeholder="Model default (auto)", persist_state="page",
                     format_func=lambda m: "Model default (auto)" if m is None else m,
                     help="toolConfig.functionCallingConfig.mode" if route is Route.GEMINI else "tool_choice")
        named = st.session_state.get(ALLOWED) or []
        st.multiselect("Only these functions", list(dict.fromkeys([fn.name for fn in declared if fn.name]
                                                                   + named)),
                       key=ALLOWED, on_change=_on_allowed, disabled=disabled or not declared, persist_state="page",
                       placeholder="any declared function",
                       help="toolConfig.functionCallingConfig.allowedFunctionNames (mode ANY)"
                       if route is Route.GEMINI else
                       "tool_choice naming a function (one: forced) or allowed_tools (several)")


def _on_safety(category: str) -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    edit(lambda s: features.set_safety(s.body, category, st.session_state[SAFETY.format(category)]))


def _safety(state, disabled: bool) -> None:
    with folded("Safety settings", "pg_open_safety") as box:
        if not box.open:
            return
        if state.route != "gemini":
            st.caption("Chat Completions has no safety settings: they are a Gemini native feature.")
            return
        cols = st.columns(2)
        for i, category in enumerate(features.SAFETY_CATEGORIES):
            key = SAFETY.format(category)
            current = st.session_state.get(key)
            options = [None, *features.SAFETY_THRESHOLDS] + (
                [current] if current and current not in features.SAFETY_THRESHOLDS else [])
            label = category.removeprefix("HARM_CATEGORY_").replace("_", " ").capitalize()
            if category.endswith("CIVIC_INTEGRITY"):
                label += " (deprecated)"
            cols[i % 2].selectbox(label, options, key=key, on_change=_on_safety, args=(category,),
                                  disabled=disabled, placeholder="Default (not sent)", persist_state="page",
                                  format_func=lambda t: "Default (not sent)" if t is None else t)


def sections(state, values_: dict[str, Any], disabled: bool) -> None:
    """Thinking, grounding, structured output, function calling and safety, under the settings."""
    _thinking(state, values_, disabled)
    image_controls.section(state, disabled)
    if state.route == "gemini":
        st.toggle("Google Search grounding", key=SEARCH, on_change=_on_search, disabled=disabled,
                  help='tools: [{"googleSearch": {}}]; the reply lists its sources')
    else:
        st.caption("Google Search grounding is a Gemini native feature (no Chat Completions field).")
    gemini_tools.switches(state, disabled)
    _structured(state, disabled)
    _functions(state, disabled)
    _safety(state, disabled)
