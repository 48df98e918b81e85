"""The history store the pages share (runs, drafts, presets, batches): opened once per URL,
turned off for a while when it cannot be used (sending still works; the banner says why).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

import streamlit as st

from comet import CometError
from comet.store.owners import Owned, OwnedDrafts

from . import auth, recording

RETRY_S = 30.0  # a store that could not be opened is tried again after this long
_failed: dict[str, tuple[float, str]] = {}  # url -> (when, message without password)


def _release(store) -> None:
    """A store leaving the cache closes (a PostgreSQL store's pool ends its threads)."""
    store.close()


@st.cache_resource(show_spinner=False, on_release=_release)
def _history(url: str):
    from comet.store import open_store

    return open_store(url)


@st.cache_resource(show_spinner=False)
def _local_drafts():
    from comet.store.drafts import Drafts

    return Drafts(":memory:")  # while the configured store cannot be used: drafts for this process


def url() -> str:
    """The configured store's URL (a password in it is never shown)."""
    from comet.store import history_url

    return history_url(st.secrets)


def history():
    """The configured store (:class:`comet.store.Store`): ``COMET_HISTORY_URL`` from the
    environment or ``st.secrets``, else ``COMET_HISTORY_DB`` or the per-user file. None while
    it cannot be used: sending still works and :func:`history_banner` says why."""
    at = url()
    failed = _failed.get(at)
    if failed and time.monotonic() - failed[0] < RETRY_S or recording.down(at):  # reads would wait on it
        return None
    try:
        store = _history(at)
    except CometError as err:  # unreachable, wrong password, schema newer than this app
        turn_off(at, str(err))
        return None
    _failed.pop(at, None)
    return Owned(store, auth.who())  # every write attributed; deletes refused unless one's own


def writer():
    """The configured store's writer (:mod:`ui.recording`): the pages' runs and drafts queue there,
    so a store that is frozen or gone never holds a page; its problem is the banner's."""
    at = url()

    def said(problem: str | None) -> None:
        turn_off(at, problem) if problem else _failed.pop(at, None)

    return recording.writer_for(at, lambda: _history(at), said)


def attributed():
    """``wrap(store)``: the store as this session's person writes to it (runs and drafts
    attributed), for the writes the writer's thread makes later."""
    person = auth.who()
    return lambda store: Owned(store, person)


def queued():
    """What Compare and Batch record their runs through: the writer's queue, not the store."""
    return recording.QueuedHistory(writer(), attributed())


def turn_off(at: str, message: str) -> None:
    """The store at ``at`` failed: say ``message`` in the banner and leave it off for a while."""
    _failed[at] = (time.monotonic(), message)


def history_problem() -> str | None:
    """Why the history is off (the URL without its password), and what waits to be written; or None."""
    history()
    failed, waiting = _failed.get(url()), recording.status(url())
    return " ".join(said for said in (failed and failed[1], waiting) if said) or None


def history_banner() -> None:
    problem = history_problem()
    if problem:
        st.warning(f"**History is off.** {problem}", icon=":material/database_off:")


@contextmanager
def store_errors() -> Iterator[None]:
    """Around drawing from the store: if it goes away (a ConfigError naming the URL without its
    password), say so where the drawing stopped and turn the history off for a while."""
    try:
        yield
    except CometError as err:
        turn_off(url(), str(err))
        st.error(f"**History is off.** {err}")


def drafts():
    """The drafts of the configured store (this process's own while it cannot be used)."""
    store, local = history(), OwnedDrafts(_local_drafts(), auth.who())
    return _OrLocal(store.drafts, local, url()) if store is not None else local


class _OrLocal:
    """The store's drafts as the page reads them: a call that finds the store unusable (frozen,
    gone, a broken file) turns the history off, so the banner says why, and this process's own
    drafts answer instead of a traceback."""

    def __init__(self, drafts, local, at: str):
        self._drafts, self._local, self._at = drafts, local, at

    def __getattr__(self, name: str):
        found = getattr(self._drafts, name)
        if not callable(found):
            return found

        def call(*args, **kw):
            try:
                return found(*args, **kw)
            except CometError as err:
                turn_off(self._at, str(err))
                return getattr(self._local, name)(*args, **kw)
        return call
