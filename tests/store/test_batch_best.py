"""Who judges a select-best case of a stored batch, on SQLite and PostgreSQL
(comet.store.batch_best): of many workers claiming a complete case at once exactly one wins; a
judged case is never claimed again (until ``--resume --retry-errors`` runs its errored items
again); a claim of a killed process lapses at once, so the case waits for an idle pass; and a
database of the schema before the claims gains their table."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading

from test_batch_cap import SUITE, exchange

from comet.store import batch_best, open_store, postgres, sqlite
from comet.store.batch_queue import Queue

WAITS = {"assertions": [{"type": "select-best", "pass": False, "message": "not judged: waiting", "error": True}],
         "cost_usd": 0.001}
JUDGED = {"assertions": [{"type": "select-best", "pass": True, "message": "chosen"}], "cost_usd": 0.001}


def _finished_case(store, queue: Queue, batch_id: str, targets: int = 3) -> None:
    queue.submit(batch_id, SUITE, [(1, t, 1) for t in range(targets)])
    for item in queue.claim("w:1:a", targets, batch_id=batch_id):
        store.record_many([exchange()], group_ids=[batch_id], uids=[item.uid])
        assert queue.finish(item, WAITS, error=False)


def test_of_many_workers_claiming_a_complete_case_at_once_exactly_one_judges_it(history_url):
    with open_store(history_url) as store:
        queue = Queue(store)
        _finished_case(store, queue, "bat-b1")
        assert len(batch_best.case_results(queue, "bat-b1", 1, 1)) == 3
        start, won = threading.Barrier(8), []

        def claim(n: int) -> None:
            start.wait()
            won.append(batch_best.claim(queue, f"w:{n}:x", "bat-b1", 1, 1))

        threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(won) == [False] * 7 + [True]
        assert batch_best.waiting(queue, "not judged") == []  # a live claim: nobody else takes it
        batch_best.judged(queue, "bat-b1", 1, 1, [(t, JUDGED, False) for t in range(3)], 0.0005)
        assert batch_best.waiting(queue, "not judged") == []
        assert not batch_best.claim(queue, "w:9:x", "bat-b1", 1, 1)  # judged: never again
        info = queue.info("bat-b1")
        assert info["spent_usd"] == 3 * 0.001 + 0.0005 and info["progress"]["done"] == 3
        assert [r["assertions"][0]["pass"] for r in queue.results("bat-b1")] == [True] * 3
        queue.resume("bat-b1", retry_errors=True)  # its errored items would run again: judged anew then
        assert batch_best.claim(queue, "w:9:x", "bat-b1", 1, 1)


def test_a_claim_of_a_killed_process_lapses_so_the_case_waits_for_an_idle_pass(history_url):
    with open_store(history_url) as store:
        queue = Queue(store)
        _finished_case(store, queue, "bat-b2")
        _finished_case(store, queue, "bat-b3")
        assert batch_best.case_results(queue, "bat-b2", 1, 1) is not None
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        assert batch_best.claim(queue, f"{socket.gethostname()}:{gone.pid}:dead", "bat-b2", 1, 1)
        assert batch_best.waiting(queue, "not judged") == [("bat-b2", 1, 1), ("bat-b3", 1, 1)]
        assert batch_best.waiting(queue, "not judged", "bat-b3") == [("bat-b3", 1, 1)]
        assert batch_best.claim(queue, "w:2:b", "bat-b2", 1, 1)  # its claim lapsed: taken over, once
        assert not batch_best.claim(queue, "w:3:c", "bat-b2", 1, 1)
        assert batch_best.waiting(queue, "no such marker") == []


def test_a_database_of_the_earlier_schema_gains_the_claims_table(history_url):
    if history_url.startswith("sqlite"):
        db = sqlite3.connect(history_url.removeprefix("sqlite:///"), isolation_level=None)
        n = sqlite.MIGRATIONS.index(batch_best.migrate_sqlite)
        db.execute("BEGIN")
        for step in sqlite.MIGRATIONS[:n]:
            step(db)
        db.execute(f"PRAGMA user_version = {n}")
        db.execute("COMMIT")
        db.close()
    else:
        import psycopg

        with psycopg.connect(history_url, autocommit=True) as conn:
            n = postgres.MIGRATIONS.index(batch_best.POSTGRES_SQL)
            conn.execute("CREATE TABLE comet_schema (version INTEGER NOT NULL)")
            for step in postgres.MIGRATIONS[:n]:
                step(conn) if callable(step) else conn.execute(step)
            conn.execute("INSERT INTO comet_schema VALUES (%s)", (n,))
            assert conn.execute("SELECT to_regclass('batch_best')").fetchone()[0] is None
    with open_store(history_url) as store:
        queue = Queue(store)
        _finished_case(store, queue, "bat-b4", targets=2)
        assert batch_best.claim(queue, "w:1:a", "bat-b4", 1, 1)
        with queue._tx(write=True) as conn:  # the step runs again over today's schema: nothing changes
            if history_url.startswith("sqlite"):
                batch_best.migrate_sqlite(conn)
            else:
                conn.execute(batch_best.POSTGRES_SQL)
        assert queue.results("bat-b4")[0]["assertions"][0]["message"] == "not judged: waiting"
        assert not batch_best.claim(queue, "w:2:a", "bat-b4", 1, 1)
