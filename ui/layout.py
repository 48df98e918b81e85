"""Page layout that Streamlit's widgets cannot express: CSS keyed to a container's key; and
:func:`folded`, an expander whose content is drawn only while it is open.

``pin_beside(key)`` keeps a column's container in view while the page scrolls beside it (the
Playground's reply column next to a long request form): it sticks under Streamlit's header and,
when taller than the window, scrolls on its own.
"""

from __future__ import annotations

import streamlit as st

HEADER = "3.75rem"  # Streamlit's fixed top bar


def pin_beside(key: str) -> None:
    """Pin the container ``st.container(key=key)`` to the top of the window while its column's
    neighbour scrolls (wide layouts only; on narrow screens the columns stack)."""
    # The keyed container sits in a layout wrapper as tall as itself; the wrapper is the child
    # of the column's full-height block, so the wrapper is what sticks.
    st.html(f"""<style>
@media (min-width: 768px) {{
  [data-testid="stLayoutWrapper"]:has(> .st-key-{key}) {{
    position: sticky; top: calc({HEADER} + 0.5rem); align-self: stretch; z-index: 1;
    max-height: calc(100vh - {HEADER} - 1rem); overflow-y: auto; overscroll-behavior: contain;
  }}
}}
</style>""")


def compact() -> None:
    """Less of Streamlit's padding above and below the page: a workspace shows more at once, and
    a pinned column (:func:`pin_beside`) stays whole at the bottom of the page."""
    st.html("<style>[data-testid=stMainBlockContainer] { padding-top: 3rem; padding-bottom: 1rem; }"
            " [data-testid=stMainBlockContainer] h1 { font-size: 1.75rem; padding: 0.25rem 0 0; }</style>")


def stick(key: str) -> None:
    """Keep the element keyed ``key`` in view at the top of the window while the page scrolls
    (the Playground's Stop, shown while a reply streams, however far down the form is)."""
    st.html(f"<style>.st-key-{key} {{ position: sticky; top: calc({HEADER} + 0.25rem); z-index: 3; }}</style>")


def hidden(key: str) -> None:
    """Hide the element keyed ``key`` (:func:`swap` shows it for one run)."""
    st.html(f"<style>.st-key-{key} {{ display: none; }}</style>")


def swap(hide: str, show: str) -> None:
    """For the rest of this run, hide the element keyed ``hide`` and show the one keyed ``show``
    in its place (the Playground's Send and Follow up give way to Stop while a reply streams)."""
    gone = f".st-key-{hide}, [data-testid=stLayoutWrapper]:has(> .st-key-{hide})"  # its wrapper too: no gap left
    st.html(f"<style>{gone} {{ display: none; }} .st-key-{show} {{ display: block !important; }}</style>")


def folded(label: str, key: str, *, expanded: bool = False):
    """An expander that reruns when opened or closed; the caller draws its content only while
    ``.open``, so a rerun does not redraw what is folded away. Its id includes the label: a new
    label starts it afresh at ``expanded``."""
    return st.expander(label, expanded=expanded, key=key, on_change="rerun")
