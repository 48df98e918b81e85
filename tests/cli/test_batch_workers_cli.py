"""Several ``python -m comet batch --work`` processes on one PostgreSQL batch, against the emulator:
one SIGKILLed mid-run, the others finish the batch with every item exactly once; and a 429 one
worker meets holds every worker on the key, through the store."""

from __future__ import annotations

import time

import pytest
from queue_support import comet, exactly_once, rows, started, until, write_suite
from store_support import postgres_schema

CASES = 48


@pytest.fixture
def pg_url():
    with postgres_schema() as url:
        yield url


def workers(n: int, url: str, base_url: str, concurrency: int = 4) -> list:
    return [started("--work", "--exit-when-idle", "--url", url, "--concurrency", str(concurrency),
                    "--base-url", base_url) for _ in range(n)]


def watch(emu, procs: list) -> list[tuple[float, list[str]]]:
    """(when, the paths of the POSTs that arrived since the last look) until the workers end."""
    seen, count = [], 0
    while any(p.poll() is None for p in procs):
        posts = [q.path for q in list(emu.received) if "generateContent" in q.path]
        if len(posts) > count:
            seen.append((time.monotonic(), posts[count:]))
            count = len(posts)
        time.sleep(0.01)
    return seen


def ended(procs: list) -> None:
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0 and "Traceback" not in err, err


@pytest.mark.parametrize("count", [2, 3])
def test_workers_one_of_them_killed_finish_every_item_exactly_once(count, pg_url, make_emulator, tmp_path):
    emu = make_emulator(ttft_ms=150, chunk_ms=0)
    batch_id = comet(str(write_suite(tmp_path, cases=CASES)), "--submit", "--url", pg_url, "--base-url", emu.base_url).stdout.strip()
    procs = workers(count, pg_url, emu.base_url)
    victim, others = procs[0], procs[1:]

    def victim_busy() -> bool:
        held = rows(pg_url, "SELECT count(*) FROM batch_items WHERE state = 'running' AND lease_owner LIKE ?",
                    f"%:{victim.pid}:%")[0][0]
        return held > 0 and rows(pg_url, "SELECT count(*) FROM batch_items WHERE state = 'done'")[0][0] >= 6

    until(victim_busy)
    victim.kill()
    victim.communicate(timeout=30)
    left = rows(pg_url, "SELECT count(*) FROM batch_items WHERE state <> 'done'")[0][0]
    ended(others)
    assert left > 0  # the kill landed mid-run
    exactly_once(pg_url, batch_id, CASES)
    assert max(a for (a,) in rows(pg_url, "SELECT attempts FROM batch_items")) >= 2  # the victim's items ran again


def test_a_rate_limit_one_worker_meets_holds_every_worker(pg_url, make_emulator, tmp_path):
    from comet.store import open_store
    from comet.store.batch_queue import Queue

    emu = make_emulator(ttft_ms=100, chunk_ms=0, time_scale=2.0)  # fault-rate-limit-once asks for 2 s
    limited = write_suite(tmp_path, cases=1, targets=({"route": "gemini", "model": "fault-rate-limit-once"},),
                          name="limited")
    first = comet(str(limited), "--submit", "--url", pg_url, "--base-url", emu.base_url).stdout.strip()
    second = comet(str(write_suite(tmp_path, cases=60, name="plain")), "--submit", "--url", pg_url,
                   "--base-url", emu.base_url).stdout.strip()
    with open_store(pg_url) as store:
        queue = Queue(store)
        queue.stop(first)  # held back until both workers are busy with the plain batch
        procs = workers(2, pg_url, emu.base_url, concurrency=2)
        until(lambda: all(rows(pg_url, "SELECT count(*) FROM batch_items WHERE lease_owner LIKE ?",
                               f"%:{p.pid}:%")[0][0] for p in procs))
        queue.resume(first)  # the oldest batch: claimed next
        seen = watch(emu, procs)
    faulted = min(t for t, paths in seen if any("fault-rate-limit-once" in p for p in paths))
    quiet = [later - t for (t, _), (later, _) in zip(seen, seen[1:]) if t >= faulted]
    # 4 threads sending 100 ms requests leave no second without one, unless held: the 429 asked
    # for 2 s, and neither worker sent anything for most of it
    assert max(quiet) >= 1.2, quiet
    ended(procs)
    for batch_id, total in ((first, 1), (second, 60)):
        exactly_once(pg_url, batch_id, total)
    [(key_hash, until_s)] = rows(pg_url, "SELECT key_hash, until FROM batch_holds")
    assert "sk-queue-test" not in key_hash and len(key_hash) == 24 and until_s > time.time() - 60
