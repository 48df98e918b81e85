"""One form field, drawn from its :class:`comet.body.form.FieldSpec`.

The Playground's Form tab and the Thinking section of :mod:`ui.editor.feature_controls` draw
fields with :func:`draw`; each writes back through :func:`ui.editor.callbacks.on_field`.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from comet.body import form

from ..inert import inert
from .callbacks import on_field
from .page import PLAYGROUND, Page
from .sync import fits


def draw(name: str, raw: Any, disabled: bool, *, help: str | None = None, page: Page = PLAYGROUND,
         folded: bool = False) -> None:
    """``folded``: the field is in a folded section (:func:`ui.layout.folded`), and keeps its value while folded."""
    spec = form.SPECS[name]
    common = dict(key=page.field_key(name), on_change=on_field, args=(page, name),
                  help=spec.help if help is None else help, disabled=disabled,
                  persist_state="page" if folded else None)
    if spec.kind in ("float", "int") and not fits(spec, raw):
        st.markdown(inert(f"**{spec.label}**: `{json.dumps(raw)}` (not a {spec.kind}; edit it in the JSON tab)"))
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
