"""Every edit to an editor value, as widget callbacks: one set for Playground, Compare and Batch.

Each callback names its page (:class:`~ui.editor.page.Page`), first undoes what a browser behind
the server sent back of values the server had just written (:func:`current`, see
:mod:`ui.editor.echo`), then writes through :mod:`comet.body.form` (only the touched field),
:func:`comet.body.validate.parse_json` (the JSON box), :func:`comet.body.convert.convert` (the
Playground's route switch) or :func:`edit` (the Playground's feature controls), and refreshes the
widgets the edit touched (:func:`ui.editor.sync.sync_from_body`). The JSON box keeps its text
exactly as typed; while it does not parse the form waits.
"""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from comet import Call, RequestError, Route, parse_json
from comet.body import form
from comet.body.features import FormConflict
from comet.runs.tally import with_stream_usage

from . import echo
from .page import PLAYGROUND, Page
from .sync import from_widget, push_all, seed_widgets, sync_features, sync_from_body
from .value import EditorState, json_error


def current(page: Page = PLAYGROUND) -> EditorState:
    """The page's editor value, for a callback: first undo what a browser behind the server sent
    back of values the server had just written (see :mod:`ui.editor.echo`)."""
    echo.settle(page)
    return st.session_state[page.state]


def load(page: Page, default: EditorState) -> EditorState:
    """This session's editor value of ``page`` (``default`` the first time), its widgets seeded.
    The Playground's value comes from its draft instead (:func:`ui.editor.drafts.load_state`)."""
    ss = st.session_state
    state = ss.get(page.state)
    if state is None:
        state = ss[page.state] = default
    seed_widgets(page, state)
    return state


def replace(page: Page, state: EditorState) -> None:
    """Make ``state`` the editor value of ``page`` (Compare and Batch: "Start from the Playground's
    request"); every widget shows it, and a browser behind cannot undo it."""
    echo.settle(page)
    st.session_state[page.state] = state
    st.session_state.pop(page.key("form_conflict"), None)
    push_all(page, state)


def playground() -> EditorState | None:
    """The Playground's editor value, for a page that starts from its request (None until the
    Playground has been opened in this session)."""
    return st.session_state.get(PLAYGROUND.state)


def _conflict(page: Page, err: FormConflict | None) -> None:
    if err is None:
        st.session_state.pop(page.key("form_conflict"), None)
    else:
        st.session_state[page.key("form_conflict")] = str(err)


def conflict(page: Page) -> str | None:
    """Why the last form edit could not be made (a field whose parent is not an object)."""
    return st.session_state.get(page.key("form_conflict"))


def on_field(page: Page, name: str) -> None:
    state = current(page)
    before = state.body
    value = from_widget(form.SPECS[name], st.session_state[page.field_key(name)])
    try:
        state.body = form.apply(state.route, before, {name: value})
    except FormConflict as err:
        _conflict(page, err)
        return
    _conflict(page, None)
    sync_from_body(page, state, state.route, before)


def on_json(page: Page) -> None:
    state = current(page)
    state.json_text = st.session_state[page.json]
    try:
        body = parse_json(state.json_text, state.route)
    except RequestError as err:
        state.json_error = json_error(err)
        return
    before, state.body = state.body, body
    sync_from_body(page, state, state.route, before, rewrite_json=False)


def on_model(page: Page) -> None:
    state = current(page)
    state.model = (st.session_state[page.model] or "").strip()
    if page.wire_body and state.route == "openai" and state.json_error is None:
        before, state.body = state.body, Call(state.route, state.model, state.body, state.stream).body
        sync_from_body(page, state, state.route, before)
    elif page.features:  # the thinking controls follow the model (a budget for 2.5, a level for 3)
        sync_features(state, state.route, state.body)


def on_stream(page: Page) -> None:
    state = current(page)
    state.stream = bool(st.session_state[page.stream])
    if page.wire_body and state.route == "openai" and state.json_error is None:  # usage in the stream: issue 14
        body = with_stream_usage(state.body, state.stream)
        before, state.body = state.body, Call(state.route, state.model, body, state.stream).body
        sync_from_body(page, state, state.route, before)


def on_route(page: Page) -> None:
    state = current(page)
    new, old = Route.parse(st.session_state[page.route]), state.route
    if new == old:
        return
    if not page.wire_body:  # a template kept as written: the route only says how to send it
        state.route = new
        if state.json_error is not None:  # its message names the route
            on_json(page)
        return
    if state.json_error is not None:  # the radio is disabled then; be safe anyway
        st.session_state[page.route] = old.value
        return
    _convert(page, state, new)


def _convert(page: Page, state: EditorState, new: Route) -> None:
    """Switch the route of a wire body: convert it, keeping what did not carry over to restore."""
    from comet.body.convert import convert, restore

    old = state.route
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
    sync_from_body(page, state, old, before)


def edit(change: Callable[[Any], dict[str, Any]], *, source: str | None = None, page: Page = PLAYGROUND) -> None:
    """Apply ``change`` (state -> new body) and sync; a FormConflict is shown, not raised."""
    state = current(page)
    before = state.body
    try:
        state.body = change(state)
    except FormConflict as err:
        _conflict(page, err)
        return
    _conflict(page, None)
    sync_from_body(page, state, state.route, before, skip=source)


def continue_from(result_key: str) -> None:
    """The Playground's Follow up: the last reply becomes a model turn, and a new user turn waits."""
    from ..run.runner import forget

    state = current(PLAYGROUND)
    exchange = forget(result_key)[0]
    before, state.body = state.body, form.continue_with(state.route, state.body, exchange.text)
    sync_from_body(PLAYGROUND, state, state.route, before)


def can_continue(state: EditorState, result: Any) -> bool:
    return bool(result and result[0].text and result[0].call.route is state.route
                and state.json_error is None)
