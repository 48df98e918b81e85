"""The pages' writes to the history (runs and drafts), off the page's thread: one
:class:`comet.store.background.Writer` per store URL, shared by every session of this server.

A page queues its write and waits until it lands (a healthy store answers in milliseconds, so
History, a reload or another tab sees it at once), at most :data:`WAIT_S`; a store that is frozen or
gone costs the page one failed attempt (the store's own bound), and nothing while the writer knows
it is down. Queued writes land
when the store answers again; the banner (:func:`status`) says how many wait and how many were
dropped. No Streamlit here: :func:`keep` runs in a ``finally`` while Streamlit may be unwinding.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from comet.core.exchange import Exchange
from comet.store.background import Ticket, Writer

WAIT_S = 10.0  # the longest a page waits for its own write (it stays queued); a failed attempt ends the wait
_writers: dict[str, Writer] = {}
_lock = threading.Lock()


def writer_for(at: str, opener: Callable[[], Any], on_change: Callable[[str | None], None]) -> Writer:
    """The writer of the store at ``at`` (made on first use)."""
    with _lock:
        found = _writers.get(at)
        if found is None:
            found = _writers[at] = Writer(opener, on_change=on_change)
        return found


def down(at: str) -> bool:
    """Is the writer of ``at`` waiting for its store to answer again?"""
    found = _writers.get(at)
    return found is not None and found.down


def status(at: str) -> str | None:
    """What the banner adds about queued and dropped writes (None: nothing to say)."""
    found = _writers.get(at)
    if found is None:
        return None
    waiting, dropped = found.waiting, found.dropped
    said = []
    if waiting:
        said.append(f"{_count(waiting)} waiting: written when it answers again (sending still works)")
    if dropped:
        said.append(f"{_count(dropped)} not recorded: the queue holds at most {found.limit:,} writes")
    return "; ".join(said) + "." if said else None


def _count(kinds: Any) -> str:
    return " and ".join(f"{n:,} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(kinds.items()))


def settle(writer: Writer, ticket: Ticket) -> Any:
    """The ticket's value once written within :data:`WAIT_S`; None while it is still queued (not
    waited for once an attempt has failed: the store is down) or could not be written."""
    deadline = time.monotonic() + WAIT_S
    while not writer.down and not ticket.wait(0.05) and time.monotonic() < deadline:
        pass
    return ticket.value if ticket.done and ticket.error is None else None


def keep(writer: Writer, exchange: Exchange, *, wrap: Callable[[Any], Any], cost: float | None = None,
         group_id: str | None = None, label: str | None = None, uid: str | None = None) -> int | None:
    """Queue a run; its history id when written within :data:`WAIT_S`, else None (still queued)."""
    return settle(writer, writer.record(exchange, wrap=wrap, cost=cost, group_id=group_id, label=label, uid=uid))


class QueuedHistory:
    """What Compare and Batch record through (``record``, ``save_batch``): the queue, not the store."""

    def __init__(self, writer: Writer, wrap: Callable[[Any], Any]):
        self.writer, self.wrap = writer, wrap

    def record(self, exchange: Exchange, *, group_id: str | None = None, label: str | None = None,
               cost: float | None = None, uid: str | None = None) -> int | None:
        return keep(self.writer, exchange, wrap=self.wrap, cost=cost, group_id=group_id, label=label, uid=uid)

    def save_batch(self, batch_id: str, report: dict[str, Any]) -> None:
        ticket = self.writer.put("batch report", lambda store: store.save_batch(batch_id, report))
        settle(self.writer, ticket)
        if ticket.error is not None:  # the queue was full, or an error about this report: the page says so
            raise ticket.error


@dataclass
class DraftLine:
    """One tab's draft as the writer sees it: its id and the version this tab last wrote. The
    writer moves it to a new id when another tab saved the draft since (``moved_from``)."""

    draft_id: str
    version: int = 0
    moved_from: str | None = None


def save_draft(writer: Writer, line: DraftLine, data: dict[str, Any], attachments: Any, *,
               drafts: Callable[[Any], Any], new_id: Callable[[], str]) -> None:
    """Queue the tab's draft (the newest text replaces one still queued); wait for it briefly.
    ``drafts(store)`` is the store's drafts as this person saves them."""
    from comet.store.drafts import DraftConflict

    def write(store: Any) -> int:
        mine = drafts(store)
        try:
            line.version = mine.save(line.draft_id, data, attachments=attachments, base=line.version)
        except DraftConflict:  # another tab saved it since: this tab's edit becomes a new draft
            line.moved_from, line.draft_id = line.draft_id, new_id()
            line.version = mine.save(line.draft_id, data, attachments=attachments, base=0)
        return line.version

    settle(writer, writer.put("draft", write, key=f"draft:{id(line)}"))


def forget_all(timeout: float = 5.0) -> None:
    """Drop every writer once its queue is written (within ``timeout``): tests, between apps."""
    with _lock:
        found = list(_writers.values())
        _writers.clear()
    for one in found:
        one.drain(timeout)
