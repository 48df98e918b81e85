"""The Playground's editor value as a draft: kept in session state under ``pg_state`` and saved
in the draft store keyed by ``?draft=`` in the URL, so it survives a page move and a reload.
History's "Open in Playground", a share link, a preset and a curl import all arrive through
:func:`open_call`.
"""

from __future__ import annotations

import copy

import streamlit as st

from comet import Call
from comet.store.drafts import DraftIdError, is_id, new_id

from .. import history_store, recording
from .page import PLAYGROUND
from .sync import seed_widgets
from .value import EditorState

SAVED = "pg_saved_draft"
VERSION = "pg_draft_version"  # the draft version this tab last read or wrote
LINE = "pg_draft_line"  # this tab's draft as the writer's thread sees it (ui.recording.DraftLine)
MOVED = "pg_draft_moved"  # what the page says after another tab's save moved this tab's edit


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
    """Save the draft over the version this tab read, through the history's writer (a store that
    is frozen or gone never holds the page; the draft lands when it answers again). If another tab
    (or replica) saved it since, this tab's edit becomes a new draft, and the page says so."""
    ss = st.session_state
    data = state.to_draft()
    if ss.get(SAVED) != data:
        ss.pop(MOVED, None)  # said until the next edit (the page may rerun at once for the new id)
        _queue(_line(state), data, state.attachments)
        ss[SAVED] = copy.deepcopy(data)
    moved = ss[LINE].moved_from if LINE in ss else None
    if moved:  # the writer met another tab's save: this tab's edit went to a new draft
        ss[LINE].moved_from, state.draft_id = None, ss[LINE].draft_id
        st.query_params["draft"] = state.draft_id
        ss[MOVED] = (f"This draft was changed in another tab (`?draft={moved}`). Your edits are kept as a "
                     f"new draft, `?draft={state.draft_id}`, so neither tab loses its work.")
    if ss.get(MOVED):
        st.warning(ss[MOVED], icon=":material/call_split:")


def _line(state: EditorState) -> recording.DraftLine:
    """This tab's draft for the writer, made anew when the editor holds another draft."""
    ss = st.session_state
    line = ss.get(LINE)
    if line is None or (line.draft_id != state.draft_id and not line.moved_from):
        line = ss[LINE] = recording.DraftLine(state.draft_id, ss.get(VERSION, 0))
    return line


def _queue(line: recording.DraftLine, data: dict, attachments: list) -> None:
    wrap = history_store.attributed()
    recording.save_draft(history_store.writer(), line, data, attachments,
                         drafts=lambda store: wrap(store).drafts, new_id=new_id)


def open_call(call: Call) -> str:
    """Make ``call`` the Playground's request, as a new draft (History's "open in Playground",
    a share link), attachments included. Call it from a callback or before ``st.switch_page``;
    returns the draft id to put in the Playground's URL."""
    state = EditorState.of(call, draft_id=new_id())
    ss = st.session_state
    for key in [k for k in ss if isinstance(k, str) and k.startswith(PLAYGROUND.prefix)]:
        del ss[key]  # the editor's widgets reseed from the new state when their keys are gone
    ss[VERSION] = 0
    _queue(_line(state), state.to_draft(), state.attachments)
    ss[PLAYGROUND.state] = state
    ss[SAVED] = state.to_draft()
    ss["pg_reply_stale"] = True  # a reply still shown is to the request this one replaced
    return state.draft_id
