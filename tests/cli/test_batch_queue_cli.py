"""Stored batches from the command line, against the emulator: a ``--record`` batch killed with
SIGKILL mid-run and resumed ends with every item done exactly once (SQLite and PostgreSQL);
``--retry-errors`` sends only the errored items again; ``--submit``, ``--work`` and ``--results``;
bad combinations exit 2."""

from __future__ import annotations

import json
import signal
import subprocess

import pytest
from queue_support import GEMINI, ROOT, comet, command, environ, exactly_once, rows, until, write_suite


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "h.sqlite3")
        return
    from store_support import postgres_schema

    with postgres_schema() as url:
        yield url


def test_a_batch_killed_mid_run_resumes_with_every_item_done_exactly_once(store_url, make_emulator, tmp_path):
    emu = make_emulator(ttft_ms=120, chunk_ms=0)
    path = write_suite(tmp_path, cases=30)
    proc = subprocess.Popen(command(str(path), "--record", "--url", store_url, "--concurrency", "4",
                                    "--base-url", emu.base_url), cwd=ROOT, env=environ(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    until(lambda: rows(store_url, "SELECT count(*) FROM runs")[0][0] >= 6)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    batch_id = rows(store_url, "SELECT id FROM batch_queue")[0][0]
    before = rows(store_url, "SELECT count(*) FROM runs WHERE group_id = ?", batch_id)[0][0]
    assert 6 <= before < 30  # the kill landed mid-run
    resumed = comet("--resume", batch_id, "--url", store_url, "--format", "json", "--base-url", emu.base_url)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["state"] == "done" and report["progress"]["done"] == 30 and report["summary"]["passed"] == 30
    assert sorted(r["case"] for r in report["results"]) == list(range(1, 31))
    exactly_once(store_url, batch_id, 30)  # no duplicate run, none missing
    assert "Traceback" not in resumed.stderr


def test_retry_errors_reruns_only_the_errored_items(make_emulator, tmp_path):
    emu = make_emulator(ttft_ms=1, chunk_ms=0)
    url = str(tmp_path / "h.sqlite3")
    path = write_suite(tmp_path, cases=3, targets=(GEMINI, {"route": "gemini", "model": "fault-html"}))
    first = comet(str(path), "--record", "--url", url, "--format", "json", "--base-url", emu.base_url)
    assert first.returncode == 1 and json.loads(first.stdout)["summary"]["errors"] == 3, first.stderr
    batch_id = rows(url, "SELECT id FROM batch_queue")[0][0]
    emu.clear()
    again = comet("--resume", batch_id, "--url", url, "--format", "json", "--base-url", emu.base_url)
    assert again.returncode == 1 and not [q for q in emu.received if q.method == "POST"]  # nothing left to run
    retried = comet("--resume", batch_id, "--retry-errors", "--url", url, "--format", "json",
                    "--base-url", emu.base_url)
    sent = [q.path for q in emu.received if q.method == "POST"]
    assert len(sent) == 3 and all("fault-html" in p for p in sent), sent
    report = json.loads(retried.stdout)
    assert retried.returncode == 1 and report["progress"] | {"done": 3, "error": 3} == report["progress"]
    assert rows(url, "SELECT count(*) FROM runs WHERE group_id = ?", batch_id)[0][0] == 9  # 6, then 3 again
    assert sorted(rows(url, "SELECT state, round_no FROM batch_items WHERE batch_id = ?", batch_id)) == \
        [("done", 0)] * 3 + [("error", 1)] * 3


def test_submit_stores_without_sending_then_a_worker_runs_it_and_results_show_it(make_emulator, tmp_path):
    emu = make_emulator(ttft_ms=1, chunk_ms=0)
    url = str(tmp_path / "h.sqlite3")
    submitted = comet(str(write_suite(tmp_path, cases=4)), "--submit", "--repeat", "2", "--url", url,
                      "--base-url", emu.base_url)
    batch_id = submitted.stdout.strip()
    assert submitted.returncode == 0 and batch_id.startswith("bat-"), submitted.stderr
    assert "8 requests (4 cases x 1 target" in submitted.stderr and "cost about $" in submitted.stderr
    assert not emu.received  # nothing sent
    waiting = json.loads(comet("--results", batch_id, "--url", url, "--format", "json").stdout)
    assert waiting["state"] == "running" and waiting["progress"]["pending"] == 8 and waiting["results"] == []
    worker = comet("--work", "--exit-when-idle", "--url", url, "--concurrency", "3", "--base-url", emu.base_url)
    assert worker.returncode == 0 and "8 items finished" in worker.stderr, worker.stderr
    done = comet("--results", batch_id, "--url", url, "--format", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["state"] == "done" and report["summary"]["passed"] == 8
    assert sorted((r["case"], r["repeat"]) for r in report["results"]) == [(c, k) for c in range(1, 5) for k in (1, 2)]
    junit = comet("--results", batch_id, "--url", url, "--format", "junit")
    assert junit.returncode == 0 and junit.stdout.startswith("<?xml")


@pytest.mark.parametrize("args, said", [
    (("--work", "--resume", "bat-1"), "--work and --resume cannot go together"),
    (("--retry-errors",), "no SUITE.json"),
    (("--results", "bat-nothere"), "no stored batch 'bat-nothere'"),
    (("--work", "x.json"), "--work takes no SUITE.json"),
    (("--exit-when-idle", "--results", "bat-1"), "--exit-when-idle goes with --work"),
])
def test_bad_combinations_exit_2_with_a_fix(args, said, tmp_path):
    r = comet(*args, "--url", str(tmp_path / "h.sqlite3"))
    assert r.returncode == 2 and f"error: {said}" in r.stderr and "fix: " in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
