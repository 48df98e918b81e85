"""What every page needs before it draws anything."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_app() -> None:
    """Run the page inside ``app.py``'s navigation, even on a fresh server; then say so at the
    top of the page if the history store cannot be used.

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
    from . import auth, history_store

    if auth.WHO not in st.session_state:
        auth.gate()  # a page run without app.py (it always gates first) still shows nothing unsigned

    history_store.history_banner()  # a history store that cannot be used: say why; sending still works
