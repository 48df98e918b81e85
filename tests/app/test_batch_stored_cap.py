"""The Batch page's cost cap on the stored batch, on the real stack (app, client, emulator, history):
Run with *Stop at cost (USD)* stores the cap with the batch; *Recorded batches* says the cap
stopped it (what it spent, the cap); Resume keeps the stored cap (nothing is sent), and Resume
with a higher *Cost cap for Resume* finishes the batch, every item once."""

from __future__ import annotations

import time

from app_support import no_exception, texts
from test_batch_page import open_batch, until_finished

CAP = 0.0015


def posts(emu) -> int:
    return sum(1 for q in emu.received if q.method == "POST")


def settled(at, queue, batch_id: str, check, limit_s: float = 60):
    """Rerun the page until ``check(info)`` holds for the stored batch (its writes land after the run)."""
    deadline = time.monotonic() + limit_s
    while not check(queue.info(batch_id)):
        assert time.monotonic() < deadline, queue.info(batch_id)
        time.sleep(0.2)
        at.run()
    return no_exception(at.run())


def test_resume_on_the_page_keeps_the_stored_cap_and_a_higher_cap_finishes_the_batch(on_emulator):
    from comet.store.batch_queue import Queue
    from comet.store.history import History, default_path

    at = open_batch()
    at.number_input(key="bat_n").set_value(1).run()
    at.number_input(key="bat_concurrency").set_value(1).run()
    at.number_input(key="bat_repeat").set_value(20).run()
    at = no_exception(at.number_input(key="bat_max_cost").set_value(CAP).run())
    at = until_finished(no_exception(at.button(key="bat_go").click().run()))
    run = at.session_state["bat_run"]
    finished = len(run.results)
    assert run.capped and run.total == 20 and 1 < finished < 20
    with History(default_path()) as history:
        queue = Queue(history)
        at = settled(at, queue, run.batch_id, lambda i: i["progress"]["finished"] == finished
                     and i["progress"]["pending"] == 20 - finished)
        info = queue.info(run.batch_id)
        assert info["max_cost_usd"] == CAP and info["capped"] and info["state"] == "stopped"

        at = no_exception(at.selectbox(key="bat_recorded").set_value(run.batch_id).run())
        said = texts(at, "warning")
        assert "Stopped: the batch spent $" in said and f"reaching its cost cap of $0.0015; {finished} of 20 runs" in said
        assert "raise the cost cap for Resume to go on" in said
        assert at.number_input(key=f"bat_stored_cap_{run.batch_id}").value == CAP

        on_emulator.clear()
        at = no_exception(at.button(key="bat_stored_resume").click().run())
        from ui.batch_stored_view import _WORKERS

        assert _WORKERS[run.batch_id].join(30)
        info = queue.info(run.batch_id)
        assert posts(on_emulator) == 0 and info["max_cost_usd"] == CAP and info["capped"]  # the cap was kept

        at.number_input(key=f"bat_stored_cap_{run.batch_id}").set_value(1.0).run()
        at = no_exception(at.button(key="bat_stored_resume").click().run())
        assert _WORKERS[run.batch_id].join(60)
        info = queue.info(run.batch_id)
        assert info["state"] == "done" and info["max_cost_usd"] == 1.0 and posts(on_emulator) == 20 - finished
        runs = history.query(group_id=run.batch_id, limit=None)
        kept = {r["run"] for r in queue.results(run.batch_id)}
    assert info["progress"]["done"] == 20 and len(runs) == 20 == len(kept)  # every item once, none twice
