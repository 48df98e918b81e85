"""A stored batch's cost cap from the command line, against the emulator, on SQLite and PostgreSQL:
``--submit --max-cost-usd X`` stores the cap and every ``--work`` process stops claiming the
batch's items once the spend recorded for it reaches X (what was in flight finishes and counts);
``--results`` says the cap stopped it; ``--resume ID --max-cost-usd Y`` (higher) finishes it,
every item once; ``--record --max-cost-usd`` stores the cap and a plain ``--resume`` keeps it;
an unpriced target or a bad value exits 2 with nothing sent or stored."""

from __future__ import annotations

import json

import pytest
from queue_support import GEMINI, comet, exactly_once, rows, started, write_suite
from test_batch_queue_cli import store_url  # noqa: F401  (the fixture: SQLite and PostgreSQL)

from comet.core.formats import usd

CASES = 30
WORKERS, CONCURRENCY = 2, 2  # at most 4 items in flight at once


def posts(emu) -> int:
    return sum(1 for q in emu.received if q.method == "POST")


def one_cost(emu, tmp_path) -> float:
    """What one item of :func:`write_suite`'s suite costs, run here (not stored)."""
    path = write_suite(tmp_path, cases=1, name="one")
    done = comet(str(path), "--format", "json", "--base-url", emu.base_url)
    return json.loads(done.stdout)["results"][0]["cost_usd"]


def item_costs(url: str, batch_id: str) -> list[float]:
    found = rows(url, "SELECT result_json FROM batch_items WHERE batch_id = ? AND result_json IS NOT NULL", batch_id)
    return [json.loads(text)["cost_usd"] for (text,) in found]


def test_workers_stop_claiming_at_the_stored_cap_and_a_higher_cap_finishes_the_batch(store_url, make_emulator,
                                                                                     tmp_path):
    emu = make_emulator(ttft_ms=40, chunk_ms=0)
    cap = one_cost(emu, tmp_path) * 3.5
    submitted = comet(str(write_suite(tmp_path, cases=CASES)), "--submit", "--max-cost-usd", str(cap),
                      "--url", store_url, "--base-url", emu.base_url)
    assert submitted.returncode == 0, submitted.stderr
    batch_id = submitted.stdout.strip()
    procs = [started("--work", "--exit-when-idle", "--url", store_url, "--concurrency", str(CONCURRENCY),
                     "--base-url", emu.base_url) for _ in range(WORKERS)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and "Traceback" not in err, err

    [(state, stored_cap, spent)] = rows(store_url, "SELECT state, max_cost_usd, spent_usd FROM batch_queue")
    costs = item_costs(store_url, batch_id)
    assert state == "capped" and stored_cap == pytest.approx(cap)
    assert spent == pytest.approx(sum(costs))  # the spend is the finished items' costs
    assert cap <= spent < cap + WORKERS * CONCURRENCY * max(costs)  # past the cap by what was in flight at most
    pending = rows(store_url, "SELECT count(*) FROM batch_items WHERE batch_id = ? AND state = 'pending'", batch_id)
    assert pending[0][0] == CASES - len(costs) > 0 and posts(emu) == 1 + len(costs)  # nothing started past the cap

    said = comet("--results", batch_id, "--url", store_url, "--format", "json")
    report = json.loads(said.stdout)
    assert said.returncode == 1 and report["state"] == "stopped", said.stderr
    assert report["reason"].startswith(f"stopped: the batch spent {usd(spent)}, reaching its cost cap of {usd(cap)}; ")
    assert f"{len(costs)} of {CASES} runs finished, {CASES - len(costs)} were not started" in report["reason"]
    assert f"resume with python -m comet batch --resume {batch_id} --max-cost-usd Y" in said.stderr

    resumed = comet("--resume", batch_id, "--max-cost-usd", str(cap * 100), "--url", store_url, "--format", "json",
                    "--base-url", emu.base_url)
    assert resumed.returncode == 0 and json.loads(resumed.stdout)["state"] == "done", resumed.stderr
    exactly_once(store_url, batch_id, CASES)  # every item done, none twice
    assert posts(emu) == 1 + CASES


def test_a_recorded_batch_keeps_its_cap_through_a_plain_resume(store_url, make_emulator, tmp_path):
    emu = make_emulator(ttft_ms=1, chunk_ms=0)
    cap = one_cost(emu, tmp_path) * 2.5
    path = write_suite(tmp_path, cases=10)
    capped = comet(str(path), "--record", "--concurrency", "1", "--max-cost-usd", str(cap), "--url", store_url,
                   "--format", "json", "--base-url", emu.base_url)
    [(batch_id, stored_cap)] = rows(store_url, "SELECT id, max_cost_usd FROM batch_queue")
    assert capped.returncode == 1 and len(json.loads(capped.stdout)["results"]) == 3, capped.stderr
    assert stored_cap == pytest.approx(cap)
    assert f"7 were not started; resume with python -m comet batch --resume {batch_id} --max-cost-usd Y" in capped.stderr

    emu.clear()
    kept = comet("--resume", batch_id, "--url", store_url, "--format", "json", "--base-url", emu.base_url)
    report = json.loads(kept.stdout)
    assert kept.returncode == 1 and report["state"] == "stopped" and report["progress"]["pending"] == 7, kept.stderr
    assert report["max_cost_usd"] == pytest.approx(cap) and posts(emu) == 0  # the cap held: nothing sent
    assert "3 of 10 runs finished, 7 were not started" in report["reason"]

    raised = comet("--resume", batch_id, "--max-cost-usd", str(cap * 10), "--url", store_url, "--format", "json",
                   "--base-url", emu.base_url)
    assert raised.returncode == 0 and json.loads(raised.stdout)["state"] == "done", raised.stderr
    assert rows(store_url, "SELECT max_cost_usd FROM batch_queue")[0][0] == pytest.approx(cap * 10)
    exactly_once(store_url, batch_id, 10)


def test_submit_with_a_cap_on_a_target_without_a_price_exits_2_and_stores_nothing(make_emulator, tmp_path):
    emu = make_emulator(ttft_ms=1, chunk_ms=0)
    path = write_suite(tmp_path, cases=2, targets=(GEMINI, {"route": "gemini", "model": "fault-rate-limit-once"}))
    r = comet(str(path), "--submit", "--max-cost-usd", "1", "--url", str(tmp_path / "h.sqlite3"),
              "--base-url", emu.base_url)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("error: --max-cost-usd: no price for fault-rate-limit-once, so its spend cannot be "
                               "counted")
    assert not (tmp_path / "h.sqlite3").exists() and emu.received == []


@pytest.mark.parametrize("value", ["0", "-0.5", "abc", "nan"])
def test_a_bad_cap_with_submit_or_resume_exits_2_naming_the_flag(make_emulator, tmp_path, value):
    emu = make_emulator(ttft_ms=1, chunk_ms=0)
    url = str(tmp_path / "h.sqlite3")
    submitted = comet(str(write_suite(tmp_path, cases=2)), "--submit", "--url", url, "--base-url", emu.base_url)
    batch_id = submitted.stdout.strip()
    for args in ((str(write_suite(tmp_path, cases=2, name="other")), "--submit"), ("--resume", batch_id)):
        r = comet(*args, f"--max-cost-usd={value}", "--url", url, "--base-url", emu.base_url)
        assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.startswith(f"error: --max-cost-usd: the cost cap is a positive number of US dollars, "
                                   f"not '{value}'")
    assert rows(url, "SELECT id, max_cost_usd FROM batch_queue") == [(batch_id, None)]  # nothing stored, none changed
    assert rows(url, "SELECT count(*) FROM batch_items WHERE state = 'pending'")[0][0] == 2 and emu.received == []
