"""The Playground's Import box: paste a curl command, and the editor holds that request.

The command is read by :mod:`comet.tools.curl_import` (never run; files are not read here). A good
command replaces the editor's request through :func:`ui.editor.open_call`, as History's "Open in
Playground" does, so the draft in the URL, the form and the JSON tab all follow. A key written
into the command is dropped; the box is emptied on success, so the pasted key does not stay on
the page. A bad command leaves the editor as it was and says what to fix.
"""

from __future__ import annotations

import streamlit as st

from comet.core.errors import CometError
from comet.tools.curl_import import parse

from .inert import inert

TEXT = "pg_import_text"  # a pg_ key: open_call clears it with the editor's other widgets
NOTES = "imp_notes"  # what the last import said: ("ok" | "error", lines); survives open_call


def _on_import() -> None:
    from . import editor

    text = st.session_state.get(TEXT) or ""
    try:
        found = parse(text, cwd=None)
    except CometError as err:
        st.session_state[NOTES] = ("error", [str(err), f"Fix: {err.fix}"])
        return
    editor.open_call(found.call())
    st.session_state[TEXT] = ""  # set, not just dropped: the browser keeps a dropped widget's text
    label = f"{found.route.label} · {found.model or 'no model'}" + (" · stream" if found.stream else "")
    st.session_state[NOTES] = ("ok", [f"Imported {label}."] + list(found.warnings))


def box() -> None:
    """An expander with the paste area and the Import button, and what the last import said."""
    notes = st.session_state.pop(NOTES, None)  # said once, under the import that caused it
    with st.expander("Import a curl command", expanded=bool(notes)):
        st.text_area("curl command", key=TEXT, height=140,
                     placeholder="curl https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent "
                                 "-H 'Content-Type: application/json' -d '{\"contents\": [...]}'",
                     help="from the docs, a colleague, the browser's Copy as cURL or the Code tab; "
                          "a key written in it is dropped, never kept")
        st.button("Import", key="pg_import", on_click=_on_import,
                  help="replaces the request in the editor with the command's")
        if notes:
            kind, lines = notes
            if kind == "error":
                st.error(inert(f"{lines[0]}  \n**{lines[1]}**"))
            else:
                st.success(inert(lines[0]))
                for line in lines[1:]:
                    st.warning(inert(line))
