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


def ended(procs: list) -> None:
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0 and "Traceback" not in err, err


@pytest.mark.parametrize("count", [2, 3])
def test_workers_one_of_them_killed_finish_every_item_exactly_once(count, pg_url, make_emulator, tmp_path):
    emu = make_emulator(ttft_ms=150, chunk_ms=0)
    batch_id = comet(str(write_suite(tmp_path, cases=CASES)), "--submit", "--url", pg_url).stdout.strip()
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
    emu = make_emulator(ttft_ms=100, chunk_ms=0, time_scale=2.0)  # fault-rate-limit-once asks for 2 s
    limited = write_suite(tmp_path, cases=1, targets=({"route": "gemini", "model": "fault-rate-limit-once"},),
                          name="limited")
    first = comet(str(limited), "--submit", "--url", pg_url).stdout.strip()  # the oldest batch: claimed first
    second = comet(str(write_suite(tmp_path, cases=40, name="plain")), "--submit", "--url", pg_url).stdout.strip()
    procs = workers(2, pg_url, emu.base_url, concurrency=2)
    posts = lambda: sum(1 for q in emu.received if q.method == "POST")  # noqa: E731
    until(lambda: any("fault-rate-limit-once" in q.path for q in emu.received))
    time.sleep(0.5)  # requests in flight at the 429 end, and each worker has read the hold
    held = posts()
    time.sleep(0.8)  # well before the hold's end: the 429's own retry comes 2 s after it
    assert posts() == held  # neither worker sent anything while the hold lasted
    ended(procs)
    for batch_id, total in ((first, 1), (second, 40)):
        exactly_once(pg_url, batch_id, total)
    [(key_hash, until_s)] = rows(pg_url, "SELECT key_hash, until FROM batch_holds")
    assert "sk-queue-test" not in key_hash and len(key_hash) == 24 and until_s > time.time() - 60
