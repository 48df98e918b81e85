"""A stored batch's cost cap in the store, on SQLite and PostgreSQL (comet.store.batch_queue): each
result written adds its cost (its judges' included) to the batch's spend once, the result that
reaches the cap stops every claim of the batch's items, a resume keeps the cap or takes a new one;
and a database of the schema before the cap gains its columns, counting what its batches spent."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from comet.core.call import Call, Route
from comet.core.exchange import Exchange, Timing
from comet.store import open_store, postgres, sqlite
from comet.store.batch_queue import Queue, migrate_cap_postgres, migrate_cap_sqlite

SUITE = {"name": "s", "request": {"route": "gemini", "model": "gemini-2.5-flash",
                                  "body": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}}}
RESULT = {"ok": True, "cost_usd": 0.001, "judge_cost_usd": 0.0005}  # an item: $0.0015 with its judge


def exchange() -> Exchange:
    call = Call(Route.GEMINI, "gemini-2.5-flash", SUITE["request"]["body"])
    return Exchange(call=call, base_url="http://127.0.0.1:9", status=200, reply=None, error=None,
                    timing=Timing(started_at=time.time()))


def finished(store, queue: Queue, owner: str, n: int) -> list:
    items = queue.claim(owner, n)
    for item in items:
        store.record_many([exchange()], group_ids=[item.batch_id], uids=[item.uid])
        assert queue.finish(item, RESULT, error=False)
    return items


def test_the_result_that_reaches_the_cap_stops_every_claim_and_a_resume_keeps_or_raises_it(history_url):
    with open_store(history_url) as store:
        queue = Queue(store)
        queue.submit("bat-c1", SUITE, [(c, 0, 1) for c in range(1, 9)], max_cost_usd=0.004)
        first = finished(store, queue, "w:1:a", 2)
        assert queue.info("bat-c1")["state"] == "running" and not queue.info("bat-c1").get("capped")
        in_flight = queue.claim("w:1:b", 1)  # claimed before the cap is reached: it finishes and counts
        finished(store, queue, "w:1:a", 1)  # $0.0045: at the cap
        assert queue.claim("w:1:c", 8) == [] and queue.idle()  # no worker anywhere claims its items now
        store.record_many([exchange()], group_ids=["bat-c1"], uids=[in_flight[0].uid])
        assert queue.finish(in_flight[0], RESULT, error=False)
        assert not queue.finish(first[0], RESULT, error=False)  # written once, counted once
        info = queue.info("bat-c1")
        assert info["spent_usd"] == pytest.approx(0.006) and info["state"] == "stopped" and info["capped"]
        assert info["reason"] == "stopped: the batch spent $0.006, reaching its cost cap of $0.004; 4 of 8 runs " \
                                 "finished, 4 were not started"
        assert [b.get("capped") for b in queue.listing()] == [True]

        assert queue.resume("bat-c1") == 0 and queue.claim("w:1:d", 8) == []  # Resume keeps the stored cap
        assert queue.resume("bat-c1", retry_errors=True) == 0 and queue.claim("w:1:d", 8) == []
        assert queue.info("bat-c1")["max_cost_usd"] == 0.004
        queue.resume("bat-c1", max_cost_usd=0.008)  # a higher cap: the batch goes on until it reaches that
        assert [len(finished(store, queue, "w:1:e", 1)) for _ in range(3)] == [1, 1, 0]
        assert queue.info("bat-c1")["progress"]["pending"] == 2
        queue.resume("bat-c1", max_cost_usd=1.0)
        finished(store, queue, "w:1:f", 8)
        info = queue.info("bat-c1")
        assert info["state"] == "done" and "reason" not in info and info["spent_usd"] == pytest.approx(0.012)


def test_a_batch_without_a_cap_counts_its_spend_and_never_stops_for_it(history_url):
    with open_store(history_url) as store:
        queue = Queue(store)
        queue.submit("bat-c2", SUITE, [(c, 0, 1) for c in range(1, 4)])
        assert len(finished(store, queue, "w:2:a", 3)) == 3
        info = queue.info("bat-c2")
        assert info["state"] == "done" and info["max_cost_usd"] is None and info["spent_usd"] == pytest.approx(0.0045)


def _earlier_schema(history_url: str) -> None:
    """A database migrated up to the step before the cap's, holding a batch with two finished items."""
    items = [("bat-old", 1, json.dumps(RESULT)), ("bat-old", 2, json.dumps({"cost_usd": 0.002})),
             ("bat-old", 3, None)]
    if history_url.startswith("sqlite"):
        db = sqlite3.connect(history_url.removeprefix("sqlite:///"), isolation_level=None)
        n = sqlite.MIGRATIONS.index(migrate_cap_sqlite)
        db.execute("BEGIN")
        for step in sqlite.MIGRATIONS[:n]:
            step(db)
        db.execute(f"PRAGMA user_version = {n}")
        execute = db.execute
    else:
        import psycopg

        conn = psycopg.connect(history_url, autocommit=True)
        n = postgres.MIGRATIONS.index(migrate_cap_postgres)
        conn.execute("CREATE TABLE comet_schema (version INTEGER NOT NULL)")
        for step in postgres.MIGRATIONS[:n]:
            step(conn) if callable(step) else conn.execute(step)
        conn.execute("INSERT INTO comet_schema VALUES (%s)", (n,))
        db, execute = conn, lambda sql, params=(): conn.execute(sql.replace("?", "%s"), params)
    execute("INSERT INTO batch_queue (id, created_at, name, suite_json, total) VALUES ('bat-old', 1, 's', ?, 3)",
            (json.dumps(SUITE),))
    for batch_id, case, result in items:
        execute("INSERT INTO batch_items (batch_id, case_no, target, rep, state, result_json) VALUES (?, ?, 0, 1, ?, ?)",
                (batch_id, case, "done" if result else "pending", result))
    if history_url.startswith("sqlite"):
        db.execute("COMMIT")
    db.close()


def test_a_database_of_the_earlier_schema_gains_the_cap_and_counts_what_its_batches_spent(history_url):
    _earlier_schema(history_url)
    with open_store(history_url) as store:
        queue = Queue(store)
        info = queue.info("bat-old")
        assert info["spent_usd"] == pytest.approx(0.0035) and info["max_cost_usd"] is None and info["state"] == "running"
        queue.resume("bat-old", max_cost_usd=0.003)  # already spent past it: nothing more starts
        assert queue.claim("w:3:a", 5) == [] and queue.info("bat-old")["capped"]
    again = (migrate_cap_sqlite if history_url.startswith("sqlite") else migrate_cap_postgres)
    with open_store(history_url) as store:  # the step runs again over today's schema: nothing changes
        with Queue(store).store._tx(write=True) as conn:
            if history_url.startswith("sqlite"):
                again(conn)
            else:
                again(_Tuples(conn))
        assert Queue(store).info("bat-old")["spent_usd"] == pytest.approx(0.0035)


class _Tuples:
    """A pooled PostgreSQL connection whose rows are tuples, as the migration's connection gives."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql, params=()):
        from psycopg.rows import tuple_row

        cur = self.conn.cursor(row_factory=tuple_row)
        return cur.execute(sql, params)
