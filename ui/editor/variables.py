"""An editor's ``{{variables}}``: a field per variable the request uses, values kept in the editor
value (``EditorState.variables``, on the Playground saved with the draft), and the filled request
that Send, the code tabs and Compare use. Finding and filling is :mod:`comet.body.variables`;
an unfilled variable is a problem shown with the others, so nothing is sent until it has a value."""

from __future__ import annotations

from typing import Any

import streamlit as st

from comet import Call
from comet.body.variables import fill, missing, names
from comet.core.errors import Problem

from .callbacks import current
from .page import PLAYGROUND, Page


def _key(page: Page, name: str) -> str:
    return page.key(f"var_{name}")


def _on_value(page: Page, name: str) -> None:
    current(page).variables[name] = st.session_state[_key(page, name)]


def fields(state: Any, page: Page = PLAYGROUND) -> None:
    """One text field per variable in the body, in order of first appearance."""
    found = names(state.body)
    if not found:
        return
    st.markdown("**Variables**")
    for name in found:
        key = _key(page, name)
        if key not in st.session_state:
            st.session_state[key] = state.variables.get(name, "")
        st.text_input(f"{{{{{name}}}}}", key=key, on_change=_on_value, args=(page, name),
                      help="filled into the request wherever {{" + name + "}} appears, for Send, "
                      "the code and Compare")


def _values(state: Any) -> dict[str, str]:
    """Variables with a value ("" counts as none: an empty field is not a value yet)."""
    return {k: v for k, v in state.variables.items() if v}


def unfilled_names(state: Any) -> list[str]:
    """The variables of the body that have no value yet."""
    return missing(state.body, _values(state))


def problems(state: Any) -> list[Problem]:
    return [Problem(state.route.value, f"{{{{{name}}}}}", f"the variable {{{{{name}}}}} has no value",
                    f"type its value in the {{{{{name}}}}} field under Variables")
            for name in unfilled_names(state)]


def unfilled(body: Any) -> list[str]:
    """The variables a body still has (for a page that sends a body as written)."""
    return names(body)


def filled(state: Any) -> Call:
    """The request with every variable filled; as written while one has no value (the problem
    is shown and Send waits)."""
    call = state.call()
    values = _values(state)
    if missing(call.body, values):
        return call
    return Call(call.route, call.model, fill(call.body, values), stream=call.stream, attachments=call.attachments)
