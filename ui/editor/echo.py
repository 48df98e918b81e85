"""Telling a user's edit from a stale echo of a value the server has just written.

The editor keeps its widgets in step with one body: an edit in one widget (the prompt) makes the
server write the new values of the others (the JSON tab, the feature controls) into session
state. The browser learns those values only when that run's output reaches it. A message it
sends before then (a Send button released a tenth of a second after the prompt box lost focus,
so the blur and the click reach the server as two messages) still carries the *old* values of
those widgets; Streamlit reports each as a change and calls its ``on_change``, and the old JSON
text would overwrite the new prompt: the previous prompt would be sent.

Every server-side write goes through :func:`push`, which numbers it (a generation) and remembers
the value it replaced. A hidden widget drawn at the end of the page (:func:`mark`) carries the
latest generation to the browser, and every message back carries the generation that browser
has drawn. :func:`settle`, called first in every editor callback, puts back each value pushed
after that generation wherever the message holds the value the push replaced: the callback then
sees no change. A real edit (any other value) goes through as usual.

Each page keeps its own generations under its own prefix (:class:`~ui.editor.page.Page`), so
Playground, Compare and Batch are protected alike and never settle each other's widgets.
"""

from __future__ import annotations

import streamlit as st

from .page import Page


def _seen_key(page: Page) -> str:
    return page.key("echo_seen")  # the hidden widget: the generation this browser has drawn


def _pushed_key(page: Page) -> str:
    return page.key("echo_pushed")  # widget key -> {"value": last pushed, "before": [(generation, value replaced)]}


def _generation_key(page: Page) -> str:
    return page.key("echo_generation")


def push(page: Page, key: str, value) -> None:
    """Write ``value`` into widget ``key``, remembering the value the browser may still show."""
    ss = st.session_state
    if key in ss and ss[key] != value:
        generation = ss[_generation_key(page)] = ss.get(_generation_key(page), 0) + 1
        entry = ss.setdefault(_pushed_key(page), {}).setdefault(key, {"before": []})
        entry["before"].append((generation, ss[key]))
        entry["value"] = value
    ss[key] = value


def _seen(page: Page) -> int | None:
    try:
        return int(st.session_state.get(_seen_key(page)))
    except (TypeError, ValueError):
        return None


def settle(page: Page) -> None:
    """Undo what a message from a browser behind the server sent back of pushed values."""
    ss = st.session_state
    seen = _seen(page)
    if seen is None:
        return
    for key, entry in ss.get(_pushed_key(page), {}).items():
        unseen = [before for generation, before in entry["before"] if generation > seen]
        if unseen and key in ss and ss[key] == unseen[0] and ss[key] != entry["value"]:
            ss[key] = entry["value"]


def stale(page: Page, key: str, value) -> bool:
    """Whether ``value``, sent for ``key`` by a widget that is not ``key`` itself (the JSON code
    editor), is a value the server replaced in a push this browser has not drawn yet."""
    seen = _seen(page)
    entry = st.session_state.get(_pushed_key(page), {}).get(key)
    if seen is None or not entry or value == entry["value"]:
        return False
    return any(generation > seen and before == value for generation, before in entry["before"])


def mark(page: Page) -> None:
    """Draw the hidden generation widget (after every widget the editor writes to, so a browser
    that has drawn it has drawn every push before it), and forget the pushes this browser has
    caught up with."""
    ss = st.session_state
    generation = ss.get(_generation_key(page), 0)
    if _seen(page) in (None, generation):
        ss[_pushed_key(page)] = {}
    ss[_seen_key(page)] = str(generation)
    box = page.key("echo")
    with st.container(key=box):
        st.html(f"<style>.st-key-{box} {{ display: none; }}</style>")
        st.text_input("Editor generation", key=_seen_key(page), label_visibility="collapsed")
