"""The Playground's prompt library (it was the Presets box): pick a prompt and a version or a label,
load it, save the request as a new version with a message ("Save" adds a version to the loaded
prompt, "Save as" names a new one), see the version list, move a label, diff two versions, try the
built-in examples, and export or import the whole library as one file.

Prompts live in the history store (:mod:`comet.store.prompts`), so everyone on a shared store sees
the same ones; every version is immutable and says who saved it. Loading goes through
:func:`ui.editor.open_call`, as History's "Open in Playground" does, and remembers where the request
came from (:data:`ORIGIN`): the box then says ``capitals v4``, and "modified" once the request is
edited; a Send records the prompt and version with the run (:func:`tagged`). Widget keys start with
``pst_`` (not ``pg_``): loading clears the editor's widgets, not these.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from comet import CometError
from comet.core.call import Call, Origin
from comet.runs.stamp import request_hash
from comet.store.presets import BUILTINS, PresetError
from comet.store.prompts import PromptError, Ref, Version, dumps, loads

from . import history_store, prompt_versions

NOTES = "pst_notes"  # what the last action said: ("ok" | "error", text)
ORIGIN = "pst_origin"  # the loaded version: {"prompt", "version", "hash" (of the request as loaded), "draft"}
_BUILTIN = {f"builtin:{p.name}": p for p in BUILTINS}


def _say(kind: str, text: str) -> None:
    st.session_state[NOTES] = (kind, text)


def _refused(err: CometError, prefix: str = "") -> None:
    """Say why beside the buttons; a store that cannot be used (a locked or damaged file, a frozen
    server: the store's ConfigError) also turns the history off, so the banner says it too."""
    if not isinstance(err, PresetError):  # PromptError, NotYours: the input's fault, not the store's
        history_store.turn_off(history_store.url(), str(err))
    _say("error", prefix + str(err))


def _store():
    """The history store prompts live in; PromptError while it cannot be used (the banner says why)."""
    store = history_store.history()
    if store is None:
        raise PromptError("the history store cannot be used, so the prompt library is off until it is fixed")
    return store


# ---- where the request came from ------------------------------------------------------------------

def loaded(state: Any) -> Origin | None:
    """The version the editor's request came from, ``modified`` once edited; None when it came from
    elsewhere (a new draft, History, a curl import, an example)."""
    found = st.session_state.get(ORIGIN)
    if not found or found.get("draft") != state.draft_id:
        return None
    try:
        same = request_hash(state.call()) == found["hash"]
    except CometError:  # a body that does not build a Call (the JSON tab mid-edit): edited
        same = False
    return Origin(found["prompt"], found["version"], modified=not same)


def tagged(state: Any, call: Call) -> Call:
    """``call`` (the request about to be sent) marked with the version it came from, if any."""
    origin = loaded(state)
    return call if origin is None else call.replace(origin=origin)


def _remember(version: Version) -> None:
    from . import editor

    state = editor.load_state()
    st.session_state[ORIGIN] = {"prompt": version.name, "version": version.version,
                                "hash": request_hash(state.call()), "draft": state.draft_id}


# ---- actions ------------------------------------------------------------------------------------

def picked_version() -> Version | None:
    """The version the pickers name (a saved prompt's number or label, or its newest)."""
    pick = st.session_state.get("pst_pick") or ""
    if not pick.startswith("saved:"):
        return None
    which = st.session_state.get("pst_version") or "latest"
    kind, _, value = which.partition(":")
    ref = Ref(pick.removeprefix("saved:"), version=int(value) if kind == "v" else None,
              label=value if kind == "label" else None)
    return _store().resolve_prompt(ref)


def _load() -> None:
    from . import editor

    pick = st.session_state.get("pst_pick")
    try:
        if pick in _BUILTIN:
            editor.open_call(_BUILTIN[pick].call())
            st.session_state.pop(ORIGIN, None)
            _say("ok", f"Loaded “{_BUILTIN[pick].name}”. {_BUILTIN[pick].note}")
            return
        version = picked_version()
    except CometError as err:
        _refused(err)
        return
    if version is None:
        _say("error", "Pick a prompt to load.")
        return
    editor.open_call(version.call())
    editor.load_state().variables.update(version.variables)  # its kept values fill the variables' fields
    _remember(version)
    _say("ok", f"Loaded {version.name} v{version.version}." + (f" {version.message}" if version.message else ""))


def _save(state: Any, as_new: bool) -> None:
    """Save the request as a new version: of the loaded prompt ("Save"), or of the name typed under
    "Save as"; never over one."""
    if state.json_error is not None:
        _say("error", "The JSON tab does not parse, so there is no request to save; correct it first.")
        return
    origin = loaded(state)
    name = (st.session_state.get("pst_name") or "") if as_new else (origin.prompt if origin else "")
    if not as_new and not name:
        _say("error", "No prompt is loaded: load one to add a version to it, or type a name under Save as.")
        return
    try:
        made = _store().save_prompt(name, state.call(), message=st.session_state.get("pst_message") or "",
                                    variables=dict(state.variables))
    except CometError as err:  # PromptError (the name), or the store's own
        _refused(err)
        return
    _remember(made)
    st.session_state.update(pst_pick=f"saved:{made.name}", pst_version="latest", pst_message="")
    _say("ok", f"Saved {made.name} v{made.version}." + (f" {made.message}" if made.message else ""))


def _move_label() -> None:
    label = (st.session_state.get("pst_label") or "").strip("\n")
    try:
        version = picked_version()
        if version is None:
            raise PromptError("pick a saved prompt and the version the label should point at")
        move = _store().label_prompt(version.name, version.version, label)
    except CometError as err:
        _refused(err)
        return
    came = f"from v{move.from_version} " if move.from_version else ""
    _say("ok", f"Moved “{move.label}” {came}to v{move.to_version} of {move.name}.")


def _import() -> None:
    upload = st.session_state.get("pst_upload")
    if upload is None:
        _say("error", "Choose a prompts file first.")
        return
    try:
        entries = loads(upload.getvalue())
        added = _store().import_prompts(entries)
    except CometError as err:
        _refused(err, "This file cannot be imported: ")
        return
    count = sum(len(v) for v in added.values())
    _say("ok", f"Imported {len(entries)} prompt{'s' if len(entries) != 1 else ''}: {count} new "
               f"version{'s' if count != 1 else ''}" + (f" ({', '.join(sorted(added))})" if added else "") + ".")


# ---- drawing ------------------------------------------------------------------------------------

def box(state: Any) -> None:
    """The Prompt library expander, above the editor, and where the request came from."""
    notes = st.session_state.pop(NOTES, None)
    origin = loaded(state)
    if origin is not None:
        with st.container(key="pst_origin_line"):
            st.caption(f"From **{origin.prompt} v{origin.version}**" + (" · modified" if origin.modified else ""))
    store, saved = history_store.history(), []
    if store is not None:
        with history_store.store_errors():
            saved = store.prompts()
    options = [f"saved:{p.name}" for p in saved] + list(_BUILTIN)
    if st.session_state.get("pst_pick") not in options:
        st.session_state["pst_pick"] = None
    # keyed and tracked: the box stays as the user left it (open after a save), never refolded
    with st.expander("Prompt library", key="pst_box", on_change="rerun"):
        if notes:
            (st.success if notes[0] == "ok" else st.error)(notes[1])
        _pickers(saved, origin)
        st.divider()
        _save_row(origin)
        pick = st.session_state.get("pst_pick") or ""
        if pick.startswith("saved:") and store is not None:
            prompt_versions.manage(store, pick.removeprefix("saved:"), _move_label)
        _files(store, bool(saved))


def _pickers(saved: list, origin: Origin | None) -> None:
    latest = {f"saved:{p.name}": p for p in saved}
    left, mid, right = st.columns([3, 2, 1], vertical_alignment="bottom")
    left.selectbox("Saved prompt", list(latest) + list(_BUILTIN), key="pst_pick", placeholder="saved prompts, then examples",
                   format_func=lambda v: v.split(":", 1)[1] + (f" · v{latest[v].latest}" if v in latest else ""))
    pick = st.session_state.get("pst_pick") or ""
    choices = ["latest"]
    if pick in latest:
        prompt = latest[pick]
        choices += [f"label:{k}" for k in sorted(prompt.labels)] + [f"v:{n}" for n in range(prompt.latest, 0, -1)]
    if st.session_state.get("pst_version") not in choices:
        st.session_state["pst_version"] = "latest"
    labels = latest[pick].labels if pick in latest else {}
    mid.selectbox("Version", choices, key="pst_version", disabled=pick not in latest,
                  format_func=lambda v: "newest" if v == "latest" else f"v{v[2:]}" if v.startswith("v:")
                  else f"{v[6:]} (v{labels.get(v[6:])})")
    right.button("Load", key="pst_load", on_click=_load, width="stretch",
                 help="replaces the request in the editor with this version's")


def _save_row(origin: Origin | None) -> None:
    from . import editor

    state = editor.load_state()
    st.text_input("Message", key="pst_message", placeholder="what changed in this version (optional)")
    c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
    c1.button("Save", key="pst_save", on_click=_save, args=(state, False), disabled=origin is None, width="stretch",
              help=f"adds a version to {origin.prompt}" if origin else "load a saved prompt first; or Save as")
    c2.text_input("Save as", key="pst_name", placeholder="a name for a new prompt")
    c3.button("Save as", key="pst_save_as", on_click=_save, args=(state, True), width="stretch",
              help="saves the request as it is now (route, model, stream, body, attachments, variables) as a "
                   "new version of the prompt of that name; nothing is ever overwritten")


def _files(store: Any, any_saved: bool) -> None:
    c1, c2 = st.columns(2, vertical_alignment="bottom")
    # made on the click, off the script (every version of every prompt): a rerun reads none of them
    c1.download_button("Export prompts", data=lambda: dumps(store.prompt_entries()) if store is not None else "",
                       file_name="comet-prompts.json", mime="application/json",
                       key="pst_export", disabled=not any_saved, on_click="ignore",
                       help="every prompt with every version and label, as one file")
    # the file picker is drawn only on demand: the editor's media picker stays the page's only one
    if not c2.toggle("Import a prompts file", key="pst_show_upload"):
        return
    st.file_uploader("Import prompts", type=["json"], key="pst_upload",
                     help="a file made with Export prompts (or an older presets file); "
                          "each version not held yet is added, nothing is overwritten")
    if st.session_state.get("pst_upload") is not None:
        st.button("Import these prompts", key="pst_import", on_click=_import)
