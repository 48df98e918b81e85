"""The Playground's editor value as a draft: kept in session state under ``pg_state`` and saved
in the draft store keyed by ``?draft=`` in the URL, so it survives a page move and a reload.
History's "Open in Playground", a share link, a preset and a curl import all arrive through
:func:`open_call`.
"""

from __future__ import annotations

import copy

import streamlit as st

from comet import Call
from comet.store.drafts import DraftConflict, DraftIdError, is_id, new_id

from .. import history_store
from .page import PLAYGROUND
from .sync import seed_widgets
from .value import EditorState

SAVED = "pg_saved_draft"
VERSION = "pg_draft_version"  # the draft version this tab last read or wrote


def load_state() -> EditorState:
    """The Playground's editor value: from session state, else the draft named in the URL, else new."""
    ss = st.session_state
    state = ss.get(PLAYGROUND.state)
    if state is None:
        draft_id = st.query_params.get("draft")
        if draft_id and not is_id(draft_id):  # refused before any store sees it: a new draft instead
            # the id is not echoed: it is the link's text, and the warning is markdown
            st.warning(f"The link's `?draft=` is not a draft id: {DraftIdError.RULE}. This is a new draft.",
                       icon=":material/link_off:")
            draft_id = None
        store = history_store.drafts()
        data, ss[VERSION] = store.read(draft_id) if draft_id else (None, 0)
        files = store.attachments(draft_id) if data else []
        if data and not store.mine(draft_id):  # someone else's link: a copy of their draft, this person's own
            draft_id = new_id()
            ss[VERSION] = store.save(draft_id, data, attachments=files, base=0)
        state = (EditorState.from_draft(data, draft_id, files) if data
                 else EditorState(draft_id=draft_id or new_id()))
        ss[PLAYGROUND.state] = state
        ss[SAVED] = state.to_draft()
    if st.query_params.get("draft") != state.draft_id:
        st.query_params["draft"] = state.draft_id
    seed_widgets(PLAYGROUND, state)
    return state


def save_draft(state: EditorState) -> None:
    """Save the draft over the version this tab read. If another tab (or replica) saved it
    since, this tab's edit becomes a new draft, and the page says so: nothing is overwritten."""
    ss = st.session_state
    data = state.to_draft()
    if ss.get(SAVED) == data:
        return
    store = history_store.drafts()
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
    state = EditorState.of(call, draft_id=new_id())
    version = history_store.drafts().save(state.draft_id, state.to_draft(), attachments=state.attachments, base=0)
    ss = st.session_state
    for key in [k for k in ss if isinstance(k, str) and k.startswith(PLAYGROUND.prefix)]:
        del ss[key]  # the editor's widgets reseed from the new state when their keys are gone
    ss[VERSION] = version
    ss[PLAYGROUND.state] = state
    ss[SAVED] = state.to_draft()
    return state.draft_id
