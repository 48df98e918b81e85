"""The Playground's Presets: save the request under a name (with a note), load, rename and
delete saved ones, try the built-in examples, and export or import them as a JSON file.

Presets live in the history store (:meth:`comet.store.Store.presets` and friends), so everyone
on a shared store sees the same ones. Loading goes through :func:`ui.editor.open_call`, as
History's "Open in Playground" does. Widget keys start with ``pst_`` (not ``pg_``): loading
clears the editor's widgets, not these.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from comet import CometError
from comet.store.presets import BUILTINS, Preset, PresetError, dumps, loads

from . import history_store

NOTES = "pst_notes"  # what the last action said: ("ok" | "error", text)
_BUILTIN = {f"builtin:{p.name}": p for p in BUILTINS}


def _say(kind: str, text: str) -> None:
    st.session_state[NOTES] = (kind, text)


def _refused(err: CometError, prefix: str = "") -> None:
    """Say why beside the buttons; a store that cannot be used (a locked or damaged file, a frozen
    server: the store's ConfigError) also turns the history off, so the banner says it too."""
    if not isinstance(err, PresetError):
        history_store.turn_off(history_store.url(), str(err))
    _say("error", prefix + str(err))


def _store():
    """The history store presets live in; PresetError while it cannot be used (the banner says why)."""
    store = history_store.history()
    if store is None:
        raise PresetError("the history store cannot be used, so saved presets are off until it is fixed")
    return store


def _choice(value: str | None) -> Preset | None:
    if not value:
        return None
    if value in _BUILTIN:
        return _BUILTIN[value]
    return _store().preset(value.removeprefix("saved:"))


def _save(state: Any) -> None:
    if state.json_error is not None:
        _say("error", "The JSON tab does not parse, so there is no request to save; correct it first.")
        return
    try:
        preset = Preset.of(st.session_state.get("pst_name") or "", state.call(), st.session_state.get("pst_note") or "")
        replaced = _store().save_preset(preset)
    except CometError as err:  # PresetError (the name, someone else's), or the store's own
        _refused(err)
        return
    st.session_state["pst_pick"] = f"saved:{preset.name}"
    _say("ok", f"{'Replaced' if replaced else 'Saved'} preset “{preset.name}”.")


def _load() -> None:
    from . import editor

    try:
        preset = _choice(st.session_state.get("pst_pick"))
    except CometError as err:
        _refused(err)
        return
    if preset is None:
        _say("error", "Pick a preset to load.")
        return
    editor.open_call(preset.call())
    _say("ok", f"Loaded “{preset.name}”." + (f" {preset.note}" if preset.note else ""))


def _rename() -> None:
    pick = st.session_state.get("pst_pick") or ""
    new = st.session_state.get("pst_new_name") or ""
    try:
        if not _store().rename_preset(pick.removeprefix("saved:"), new):
            raise PresetError("that preset no longer exists")
    except CometError as err:
        _refused(err)
        return
    st.session_state["pst_pick"] = f"saved:{' '.join(new.split())}"
    _say("ok", f"Renamed to “{' '.join(new.split())}”.")


def _delete() -> None:
    name = (st.session_state.get("pst_pick") or "").removeprefix("saved:")
    try:
        _store().delete_preset(name)
    except CometError as err:
        _refused(err)
        return
    st.session_state["pst_pick"] = None
    _say("ok", f"Deleted preset “{name}”.")


def _import() -> None:
    upload = st.session_state.get("pst_upload")
    if upload is None:
        _say("error", "Choose a presets file first.")
        return
    try:
        found = loads(upload.getvalue())
        store = _store()
        replaced = [p.name for p in found if store.save_preset(p)]
    except CometError as err:  # NotYours too: a name that is someone else's preset; or the store's own
        _refused(err, "This file cannot be imported: ")
        return
    _say("ok", f"Imported {len(found)} preset{'s' if len(found) != 1 else ''}"
               + (f" (replaced: {', '.join(replaced)})" if replaced else "") + ".")


def box(state: Any) -> None:
    """The Presets expander, above the editor."""
    notes = st.session_state.pop(NOTES, None)
    store, saved = history_store.history(), []
    if store is not None:
        with history_store.store_errors():
            saved = store.presets()
    options = [f"saved:{p.name}" for p in saved] + list(_BUILTIN)
    if st.session_state.get("pst_pick") not in options:
        st.session_state["pst_pick"] = None
    notes_by = {f"saved:{p.name}": p.note for p in saved} | {k: p.note for k, p in _BUILTIN.items()}
    # keyed and tracked: the box stays as the user left it (open after a save), never refolded
    with st.expander("Presets", key="pst_box", on_change="rerun"):
        if notes:
            (st.success if notes[0] == "ok" else st.error)(notes[1])
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        left.selectbox("Preset", options, key="pst_pick", placeholder="saved presets, then examples",
                       format_func=lambda v: v.split(":", 1)[1] + (f" · {notes_by[v]}" if notes_by.get(v) else ""))
        right.button("Load", key="pst_load", on_click=_load, width="stretch",
                     help="replaces the request in the editor with the preset's")
        pick = st.session_state.get("pst_pick") or ""
        if pick.startswith("saved:"):
            _manage()
        st.divider()
        c1, c2 = st.columns(2)
        c1.text_input("Save as", key="pst_name", placeholder="a name for the current request")
        c2.text_input("Note", key="pst_note", placeholder="optional")
        st.button("Save preset", key="pst_save", on_click=_save, args=(state,),
                  help="saves the request as it is now (route, model, stream, body, attachments); "
                       "the same name replaces that preset")
        _files(saved)


def _manage() -> None:
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    c1.text_input("New name", key="pst_new_name", placeholder="rename the picked preset")
    c2.button("Rename", key="pst_rename", on_click=_rename, width="stretch")
    c3.button("Delete", key="pst_delete", on_click=_delete, width="stretch")


def _files(saved: list[Preset]) -> None:
    c1, c2 = st.columns(2, vertical_alignment="bottom")
    c1.download_button("Export presets", data=dumps(saved), file_name="comet-presets.json",
                       mime="application/json", key="pst_export", disabled=not saved, on_click="ignore")
    # the file picker is drawn only on demand: the editor's media picker stays the page's only one
    if not c2.toggle("Import a presets file", key="pst_show_upload"):
        return
    st.file_uploader("Import presets", type=["json"], key="pst_upload",
                     help="a file made with Export presets; a preset of the same name is replaced")
    if st.session_state.get("pst_upload") is not None:
        st.button("Import these presets", key="pst_import", on_click=_import)
