"""What every page needs before it draws anything."""

from __future__ import annotations

import gc
import sys

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_app() -> None:
    """Run the page inside ``app.py``'s navigation, even on a fresh server; keep the imports out of
    the garbage collector's way (:func:`freeze_imports`); then say so at the top of the page if the
    history store cannot be used.

    A ``pages/`` folder beside ``app.py`` makes Streamlit 1.67 start in its old multipage mode
    until ``app.py`` has called ``st.navigation`` once: a first request for ``/compare`` would
    run that page alone, without the shared sidebar. Leaving that mode and rerunning sends the
    same page through ``app.py``. Once per session is enough (and AppTest resets the flag on
    every run, where a rerun each time would swallow every click).
    """
    if PagesManager.uses_pages_directory and not st.session_state.get("_shell_rerun"):
        st.session_state["_shell_rerun"] = True
        PagesManager.uses_pages_directory = False
        st.rerun()
    freeze_imports()
    from . import auth, history_store

    if auth.WHO not in st.session_state:
        auth.gate()  # a page run without app.py (it always gates first) still shows nothing unsigned

    history_store.history_banner()  # a history store that cannot be used: say why; sending still works


_modules_frozen = 0  # len(sys.modules) at the last freeze


def freeze_imports() -> None:
    """Leave what imports made (modules, classes, functions: they live as long as the process)
    out of the garbage collector's walks, whenever more modules have been imported.

    Objects alive at a freeze are never collected as cycles afterwards (reference counting still
    frees them); a freeze happens only when the set of modules grows, so there are a bounded few."""
    global _modules_frozen
    if len(sys.modules) > _modules_frozen:
        _modules_frozen = len(sys.modules)
        gc.collect()
        gc.freeze()  # Streamlit collects all generations after every run (runner.postScriptGC): it then walks only what runs made
