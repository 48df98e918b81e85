"""What an edit on the Playground must redraw.

The request editor and the reply run as one Streamlit fragment, the workspace: an edit in it
(the prompt, a setting, the JSON) reruns the workspace only, not the top bar or the sidebar.
What the page draws outside it from the same value (the pickers, the route radio's lock while
the JSON does not parse, the route report, the draft in the URL) is summed up by
:func:`outside`; the full run remembers it (:func:`remember`), and a fragment run whose edit
changed it reruns the whole page (:func:`follow`), so nothing outside ever shows an older
request than the editor.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

DRAWN = "pg_drawn_outside"


def outside(state: Any) -> tuple:
    """What the page outside the workspace shows of ``state``: a new value means a full rerun."""
    return (state.route, state.model, state.stream, state.json_error is None, len(state.report), state.draft_id)


def remember(drawn: tuple) -> None:
    """In the full run: what the page outside the editor was drawn with."""
    st.session_state[DRAWN] = drawn


def follow(now: tuple) -> None:
    """At the end of the editor's fragment: rerun the whole page if its edit changed what is
    drawn outside it (in a full run the two are the same, and nothing happens)."""
    if st.session_state.get(DRAWN) != now:
        st.session_state[DRAWN] = now
        st.rerun()
