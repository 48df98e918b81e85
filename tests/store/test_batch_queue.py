"""The stored batch's tables on SQLite and PostgreSQL (comet.store.batch_queue): claims that never
hand one item to two workers, leases that expire, one result an item however many finish it,
Stop and Resume, and the shared rate-limit hold keyed by a hash of the key."""

from __future__ import annotations

import threading
import time

from store_support import stored_bytes

from comet.core.call import Call, Route
from comet.core.exchange import Exchange, Timing
from comet.store import open_store
from comet.store.batch_queue import Item, Queue

SUITE = {"name": "s", "request": {"route": "gemini", "model": "gemini-2.5-flash",
                                  "body": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}}}


def exchange() -> Exchange:
    call = Call(Route.GEMINI, "gemini-2.5-flash", SUITE["request"]["body"])
    return Exchange(call=call, base_url="http://127.0.0.1:9", status=200, reply=None, error=None,
                    timing=Timing(started_at=time.time()))


def submitted(store, n: int, batch_id: str = "bat-q1") -> Queue:
    queue = Queue(store)
    queue.submit(batch_id, SUITE, [(c, 0, 1) for c in range(1, n + 1)])
    return queue


def test_racing_claims_share_the_items_out_without_overlap(history_url):
    with open_store(history_url) as store:
        queue = submitted(store, 40)
        taken: dict[str, list] = {}

        def claim(owner: str) -> None:
            mine = taken.setdefault(owner, [])
            while batch := queue.claim(owner, 3):
                mine.extend(i.key for i in batch)

        threads = [threading.Thread(target=claim, args=(f"w{n}",)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        every = [k for keys in taken.values() for k in keys]
        assert len(every) == 40 and len(set(every)) == 40
        assert queue.info("bat-q1")["progress"]["running"] == 40


def test_an_expired_lease_returns_the_item_and_one_result_is_kept(history_url):
    with open_store(history_url) as store:
        queue = submitted(store, 1)
        [first] = queue.claim("elsewhere:1:a", 1, lease=0.3)
        assert queue.claim("here:2:b", 1) == []  # leased
        time.sleep(0.4)
        [second] = queue.claim("here:2:b", 1)
        assert second.key == first.key and second.attempts == 2
        assert not queue.finish(second, {"text": "x"}, error=False)  # no run with its uid yet: not finished
        run_id = store.record_many([exchange()], group_ids=["bat-q1"], uids=[second.uid])[0]
        assert store.record_many([exchange()], group_ids=["bat-q1"], uids=[first.uid]) == [None]  # same item: one run
        assert queue.finish(second, {"text": "second"}, error=False)
        assert not queue.finish(first, {"text": "first"}, error=False)  # the slower worker changes nothing
        assert queue.results("bat-q1") == [{"text": "second"}] and queue.run_id(first.uid) == run_id
        assert queue.info("bat-q1")["state"] == "done" and queue.idle()


def test_stop_cancels_what_has_not_started_and_resume_brings_it_back(history_url):
    with open_store(history_url) as store:
        queue = submitted(store, 5)
        running = queue.claim("w:1:a", 2)
        assert queue.stop("bat-q1") == 3 and queue.claim("w:1:b", 5) == []
        info = queue.info("bat-q1")
        assert info["state"] == "stopped" and info["progress"]["cancelled"] == 3 and info["progress"]["running"] == 2
        for item in running:
            store.record_many([exchange()], uids=[item.uid])
            queue.finish(item, {"ok": False}, error=True)
        assert queue.resume("bat-q1") == 3 and queue.info("bat-q1")["state"] == "running"
        assert len(queue.claim("w:1:c", 10)) == 3
        assert queue.resume("bat-q1", retry_errors=True) == 2
        again = queue.claim("w:1:d", 10)
        assert [i.round_no for i in again] == [1, 1] and {i.uid for i in again}.isdisjoint({i.uid for i in running})
        assert [b["id"] for b in queue.listing()] == ["bat-q1"]


def test_the_rate_limit_hold_is_shared_and_keyed_by_a_hash(history_url, canary_key):
    from comet.http.client import Client

    with open_store(history_url) as store, Client("http://127.0.0.1:9", canary_key) as client:
        queue = Queue(store)
        later = time.time() + 30
        queue.hold(client.key_id, later)
        queue.hold(client.key_id, later - 10)  # an earlier end does not shorten the hold
        assert queue.held_until(client.key_id) == later and queue.held_until("another key") == 0.0
        assert canary_key.encode() not in stored_bytes(store)
