"""Running a request from a page: send, stream into the page, record, and keep the last run.

Every run that reaches the wire is saved to history (failed and stopped runs too), through the
queue of :mod:`ui.recording` (off the page's thread); the key is never part of an
:class:`~comet.core.exchange.Exchange`, so it cannot reach a history row.
"""

from __future__ import annotations

import threading
from typing import Any

import streamlit as st

from comet import Call, CometError, Exchange
from comet.http import tracing
from comet.http.models import ModelInfo
from comet.runs.tally import tally

from .. import history_store, recording
from ..connection import Connection
from . import finished, live


def cost_of(exchange: Exchange, catalog: dict[str, ModelInfo]) -> float | None:
    """The run's cost; for a run that ended before its output was counted, the part that is
    known (the metrics mark it partial)."""
    if exchange.reply is None:
        return None
    return tally(exchange, catalog.get(exchange.call.model)).cost


def send(conn: Connection, call: Call, catalog: dict[str, ModelInfo], *, key: str,
         result_key: str) -> Exchange | None:
    """Send ``call``, stream it into the page, record it, keep it under ``result_key``.

    Returns the Exchange, or None when nothing was sent (the request failed its checks).
    If Streamlit interrupts the run (Stop), the partial Exchange is recorded and kept all the
    same, and the next run shows it.
    """
    from comet import CancelToken

    holder = st.empty()
    cancel = CancelToken()
    results = _results()
    results.pop(result_key, None)
    if not _within_limit(conn, catalog, holder):
        return None
    try:
        with tracing.scope(price=lambda exchange: cost_of(exchange, catalog)):  # the run's span says its cost
            events = conn.client().stream(call, cancel, reader_thread=False)  # run_live's thread reads
    except CometError as err:  # nothing was sent: RequestError or ConfigError
        with holder.container():
            finished.show_comet_error(err, key=f"{key}_pre")
        return None

    # Streamlit starts the next run (the one Stop asked for) on a new thread while this one
    # unwinds, so the result is a pending value the next run waits for (see last()).
    pending = results[result_key] = _Pending()
    writer, wrap = history_store.writer(), history_store.attributed()  # now: done() must not call into Streamlit

    def done(exchange: Exchange) -> None:
        # Runs in a finally while Streamlit may be unwinding the script: no drawing, and no
        # st.session_state assignment (it can raise the rerun again); plain Python only.
        price = cost_of(exchange, catalog)
        try:  # queued: a frozen or gone store holds this page at most recording.WAIT_S, once
            pending.run_id = recording.keep(writer, exchange, wrap=wrap, cost=price)
        finally:
            pending.finish((exchange, price))

    exchange = live.run_live(events, cancel, holder.container(), call, conn.base_url, on_done=done,
                             plain_key=f"{key}_plain")
    with holder.container():
        finished.show_exchange(exchange, key=key, cost=pending.value[1])
    return exchange


def _within_limit(conn: Connection, catalog: dict[str, ModelInfo], holder) -> bool:
    """The spending limit (ui/spending.py), checked before anything is sent; refused: said in ``holder``."""
    from .. import spending

    with holder.container():
        return spending.allowed(conn, catalog)


class _Pending:
    """A run's result, set by the thread that ran it (possibly after the next run started)."""

    def __init__(self) -> None:
        self.value: tuple[Exchange, float | None] | None = None
        self.run_id: int | None = None  # the history row it was recorded as
        self._done = threading.Event()

    def finish(self, value: tuple[Exchange, float | None]) -> None:
        self.value = value
        self._done.set()

    def wait(self, timeout: float) -> tuple[Exchange, float | None] | None:
        self._done.wait(timeout)
        return self.value


def _results() -> dict[str, _Pending]:
    return st.session_state.setdefault("runs_results", {})


def last(result_key: str) -> tuple[Exchange, float | None] | None:
    """The last run kept under ``result_key`` (Exchange and cost), or None. A run that is
    still being stopped on another thread is waited for, briefly."""
    pending = _results().get(result_key)
    return pending.wait(live.STOP_WAIT_S + 1) if pending else None


def recorded(result_key: str) -> int | None:
    """The history id the last run under ``result_key`` was recorded as (None: not recorded)."""
    return last(result_key) and _results()[result_key].run_id


def forget(result_key: str) -> tuple[Exchange, float | None] | None:
    pending = _results().pop(result_key, None)
    return pending.value if pending else None


def show(result: tuple[Exchange, float | None], *, key: str, on_edit: Any = None) -> None:
    """A finished run; ``on_edit`` (the Playground's) offers **Edit this image** under each image."""
    exchange, price = result
    finished.show_exchange(exchange, key=key, cost=price, on_edit=on_edit)
