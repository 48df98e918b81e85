"""The Batch page on the stored batch (:mod:`comet.store.batch_queue`): Run stores the batch and
this app server's threads run it, whoever watches (a closed tab does not stop it); *Recorded
batches* shows any stored batch's state and progress, on any replica, with **Stop** (what has not
started is cancelled, what finished stays), **Resume** and **Retry errors** (this server's worker
threads finish it). A batch its cost cap stopped says so (what it spent, the cap); *Cost cap for
Resume* starts at the stored cap, which a resume keeps unless it is raised there."""

from __future__ import annotations

import threading
from typing import Any, Callable

import streamlit as st

from comet.store.batch_queue import Queue
from comet.store.batch_queue_local import Recording
from comet.store.batch_queue_work import Worker

from .inert import inert

_WORKERS: dict[str, Worker] = {}  # batch id -> the worker this server runs for it (Resume)
_LOCK = threading.Lock()


def record(run: Any, store: Any, writer: Any) -> Recording | None:
    """Store ``run`` before it starts and keep its results on its items as they finish (through
    the page's writer, after each run's own write); None, and a warning, when the store refuses."""
    if store is None:
        return None
    person = getattr(getattr(store, "person", None), "email", "") or ""

    def write(job: Callable[[Queue], Any]) -> None:
        writer.put("batch item", lambda base: job(Queue(base)))

    try:
        recording = Recording(store, run, run.suite, created_by=person, write=write, drain=True)
    except Exception as exc:  # the store is down: the batch runs, unstored
        st.warning(inert(f"the batch is not stored, so it cannot be resumed if this server stops: {exc}"))
        return None
    run.recorder = recording
    return recording


def stop(run: Any) -> None:
    """Stop ``run`` here and in the store: what has not started is cancelled, and can be resumed."""
    run.stop()
    recording = getattr(run, "recorder", None)
    if recording is not None:
        try:
            recording.queue.stop(run.batch_id)
        except Exception:  # the store is down: the run stopped here, its leases run out
            pass


def listing(store: Any) -> dict[str, dict[str, Any]]:
    """The stored batches, newest first, each as :meth:`Queue.info` describes it."""
    if store is None:
        return {}
    try:
        return {b["id"]: b for b in Queue(store).listing(limit=50)}
    except Exception:  # a store without the tables yet, or down: the page shows History's batches
        return {}


def label(info: dict[str, Any] | None) -> str:
    if info is None:
        return ""
    p = info["progress"]
    return f" · {info['state']}{' by its cost cap' if info.get('capped') else ''}, {p['finished']:,} of {p['total']:,}"


def panel(store: Any, batch_id: str, client: Callable[[], Any], price: Any) -> None:
    """A stored batch's state, progress and buttons (redrawn every second while it runs)."""
    queue = Queue(store)
    if queue.info(batch_id) is None:
        return

    @st.fragment(run_every=1.0)
    def live() -> None:
        info = queue.info(batch_id)
        p = info["progress"]
        working = batch_id in _WORKERS and _WORKERS[batch_id].running
        st.progress(p["finished"] / p["total"] if p["total"] else 1.0,
                    text=f"{info['state']}: {p['finished']:,} of {p['total']:,} finished ({p['error']:,} errors, "
                         f"{p['cancelled']:,} cancelled, {p['running']:,} running)"
                         + ("; this server is working on it" if working else ""))
        if info.get("capped"):
            said = info["reason"][0].upper() + info["reason"][1:]
            st.warning(inert(f"{said}; raise the cost cap for Resume to go on"), icon=":material/savings:")
        cap_key = f"bat_stored_cap_{batch_id}"
        st.number_input("Cost cap for Resume (USD)", key=cap_key, min_value=0.0, step=0.01, format="%.4f",
                        value=float(info.get("max_cost_usd") or 0.0),
                        help="Resume and Retry errors start no new item once the batch has spent this much; it "
                             "starts as the cap stored with the batch (0: the stored cap stays, if any)")
        stop_col, resume_col, retry_col = st.columns(3)
        stop_col.button("Stop", key="bat_stored_stop", disabled=info["state"] != "running",
                        on_click=_stop, args=(queue, batch_id))
        resume_col.button("Resume", key="bat_stored_resume", disabled=info["state"] == "done" or working,
                          on_click=_resume_here, args=(store, batch_id, client, price, False, cap_key))
        retry_col.button("Retry errors", key="bat_stored_retry", disabled=not p["error"] or working,
                         on_click=_resume_here, args=(store, batch_id, client, price, True, cap_key))

    live()


def _stop(queue: Queue, batch_id: str) -> None:
    """Cancel what has not started; a worker here finishes its items in flight, then finds the
    stopped batch idle and ends; a run started on the Batch page (here or on another replica)
    sees the state within a second and stops."""
    queue.stop(batch_id)


def _resume_here(store: Any, batch_id: str, client: Callable[[], Any], price: Any, retry_errors: bool,
                 cap_key: str) -> None:
    cap = st.session_state.get(cap_key)
    _resume(store, batch_id, client, price, retry_errors, float(cap) if cap and cap > 0 else None)


def _resume(store: Any, batch_id: str, client: Callable[[], Any], price: Any, retry_errors: bool,
            max_cost_usd: float | None = None) -> Worker | None:
    """Open the batch again (with ``max_cost_usd`` its new cost cap, else the stored one stays)
    and run what is left on this server's threads; the worker, or None when one runs already."""
    queue = Queue(store)
    queue.resume(batch_id, retry_errors=retry_errors, max_cost_usd=max_cost_usd)
    queue.reclaim_gone()
    with _LOCK:
        worker = _WORKERS.get(batch_id)
        if worker is not None and worker.running:
            return None
        _WORKERS[batch_id] = Worker(store, client(), concurrency=8, batch_id=batch_id, until_idle=True,
                                    price=price).start()
        return _WORKERS[batch_id]


def results(store: Any, batch_id: str) -> dict[str, Any] | None:
    """What a stored batch's finished items say, shaped as the document History keeps at the end."""
    try:
        found = Queue(store).results(batch_id)
    except Exception:
        return None
    if not found:
        return None
    return {"results": found, "summary": {
        "passed": sum(1 for r in found if r.get("ok")),
        "failed": sum(1 for r in found if not r.get("ok") and not r.get("error")),
        "errors": sum(1 for r in found if r.get("error"))}}
