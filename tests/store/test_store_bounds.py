"""A PostgreSQL store cannot hang its caller: a frozen server (SIGSTOP of all its processes: the
kernel keeps its sockets open, so nothing on the wire says it is gone), a statement stuck on a
lock, and the TCP settings every connection carries. Each test has a cluster of its own to freeze."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any, Callable
from urllib.parse import urlsplit

import psycopg
import pytest
from store_support import own_cluster

from comet import Call, Route, simple_body
from comet.core.errors import ConfigError
from comet.core.exchange import Exchange, Reply, Timing
from comet.store import open_store, redact

SECONDS = 2  # COMET_HISTORY_TIMEOUT for these tests: a frozen server must be an error within a few seconds
WITHIN = 3 * SECONDS + 3  # a checkout's check, then the pool's own wait, and some slack for a busy machine


def exchange(prompt: str = "kept") -> Exchange:
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body(Route.GEMINI, prompt))
    return Exchange(call, "https://api.cometapi.com", 200, Reply(text="ok", finish_reason="stop"), None,
                    Timing(started_at=1_790_000_000.0, latency_ms=5.0))


@pytest.fixture
def cluster(monkeypatch):
    monkeypatch.setenv("COMET_HISTORY_TIMEOUT", str(SECONDS))
    with own_cluster() as made:
        yield made


def outcome(call: Callable[[], Any], limit: float) -> tuple[Any, float]:
    """What ``call`` returned or raised, and how long it took; a call still waiting after
    ``limit`` seconds fails the test (in a thread, so the test itself never hangs)."""
    done: dict[str, Any] = {}

    def run() -> None:
        started = time.monotonic()
        try:
            done["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            done["value"] = exc
        done["took"] = time.monotonic() - started

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit)
    assert "took" in done, f"still waiting after {limit} s"
    return done["value"], done["took"]


def assert_store_error(found: Any, url: str) -> None:
    assert isinstance(found, ConfigError), repr(found)
    text = str(found)
    assert "cannot be used" in text and redact(url) in text and urlsplit(url).password not in text
    assert "COMET_HISTORY_TIMEOUT" in text and "COMET_HISTORY_TIMEOUT" in found.fix


def test_a_frozen_server_is_the_stores_error_within_seconds_and_it_recovers(cluster):
    store = open_store(cluster.url)
    try:
        store.record(exchange())
        cluster.freeze()
        try:
            for call in (store.count, lambda: store.record(exchange("while frozen")),
                         lambda: store.drafts.load("d-frozen"), lambda: open_store(cluster.url)):
                found, took = outcome(call, WITHIN + 10)
                assert_store_error(found, cluster.url)
                assert took < WITHIN, took
        finally:
            cluster.thaw()
        found, _ = outcome(store.count, 30)  # the broken connections were dropped: the store works again
        assert found == 1
    finally:
        store.close()


def test_a_server_frozen_mid_read_ends_the_read(cluster):
    store = open_store(cluster.url)
    try:
        store.record_many([exchange(f"run {i}") for i in range(2_500)])  # more than one fetch of the export
        rows = store.export_rows()
        assert next(rows)["prompt"] == "run 2499"
        cluster.freeze()
        try:
            found, took = outcome(lambda: sum(1 for _ in rows), WITHIN + 10)
        finally:
            cluster.thaw()
        assert_store_error(found, cluster.url)
        assert took < WITHIN, took
    finally:
        store.close()


def test_a_statement_stuck_on_a_lock_ends_at_the_statement_timeout(cluster):
    store = open_store(cluster.url)
    try:
        store.drafts.save("d-locked", {"model": "a"})
        with psycopg.connect(cluster.url) as holder:  # another writer holds the draft's row
            holder.execute("SELECT 1 FROM drafts WHERE id = 'd-locked' FOR UPDATE")
            found, took = outcome(lambda: store.drafts.save("d-locked", {"model": "b"}), WITHIN + 10)
        assert_store_error(found, cluster.url)
        assert "statement timeout" in str(found)  # the live server's own answer, before the client gives up
        assert SECONDS - 0.5 < took < SECONDS + 2, took
        assert store.drafts.read("d-locked") == ({"model": "a"}, 1)
    finally:
        store.close()


def test_every_connection_carries_keepalives_and_a_tcp_user_timeout(cluster):
    store = open_store(cluster.url)
    try:
        with store._pool.connection() as conn:  # the pool's own connection: what every store call uses
            sock = socket.socket(fileno=os.dup(conn.pgconn.socket))
            try:
                assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 10
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == SECONDS * 1000
            finally:
                sock.close()
            assert conn.execute("SHOW statement_timeout").fetchone()[0] == f"{SECONDS}s"
    finally:
        store.close()


def test_the_urls_own_settings_win_and_a_bad_timeout_is_refused(cluster, monkeypatch):
    url = f"{cluster.url}?options=-c%20statement_timeout%3D7000&keepalives_idle=42"
    store = open_store(url)
    try:
        with store._pool.connection() as conn:
            assert conn.execute("SHOW statement_timeout").fetchone()[0] == "7s"
            sock = socket.socket(fileno=os.dup(conn.pgconn.socket))
            try:
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 42
            finally:
                sock.close()
    finally:
        store.close()
    monkeypatch.setenv("COMET_HISTORY_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="COMET_HISTORY_TIMEOUT = 'soon' is not a number of seconds"):
        open_store(cluster.url)
