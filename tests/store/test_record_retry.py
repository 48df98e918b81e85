"""``--record`` when the PostgreSQL history fails mid-command (``python -m comet batch`` and ``send``
in subprocesses, a cluster of the test's own): writes are retried with backoff, a server back
within the outage keeps every run, and runs that still cannot be kept are counted honestly and
make the command exit 1, never "recorded"."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from store_support import own_cluster

ROOT = Path(__file__).resolve().parents[2]
CASES = 40


@pytest.fixture
def cluster():
    with own_cluster() as made:
        yield made


def command(*args: str, url: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMETAPI_", "COMET_HISTORY"))}
    env.update(COMETAPI_KEY="sk-record-test", COMET_HISTORY_URL=url, COMET_HISTORY_TIMEOUT="1")
    return subprocess.Popen([sys.executable, "-m", "comet", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def batch(tmp_path: Path, url: str, base_url: str) -> subprocess.Popen:
    suite = {"name": "outage", "request": {"route": "gemini", "model": "gemini-2.5-flash",
                                           "body": {"contents": [{"role": "user", "parts": [{"text": "n {{n}}"}]}]}},
             "targets": [{"route": "gemini", "model": "gemini-2.5-flash"}],
             "cases": [{"vars": {"n": str(i)}} for i in range(CASES)]}
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(suite), encoding="utf-8")
    return command("batch", str(path), "--record", "--concurrency", "2", "--format", "json",
                   "--base-url", base_url, url=url)


def stored(url: str) -> int:
    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute("SELECT count(*) FROM runs").fetchone()[0]


def when_stored(url: str, at_least: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if (found := stored(url)) >= at_least:
                return found
        except psycopg.errors.UndefinedTable:  # the command has not made its tables yet
            pass
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} runs stored after 60 s")


def finished(process: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"the command was still running after 150 s: {err[-2000:]}") from None
    return process.returncode, out, err


def test_a_server_gone_for_good_mid_batch_is_an_honest_count_and_exit_1(cluster, make_emulator, tmp_path):
    emulator = make_emulator(ttft_ms=150)
    process = batch(tmp_path, cluster.url, emulator.base_url)
    when_stored(cluster.url, 4)
    cluster.stop()
    code, out, err = finished(process)
    cluster.restart()
    kept = stored(cluster.url)
    assert code == 1, err
    assert len(json.loads(out)["results"]) == CASES  # the report is whole: only the recording failed
    lost = re.search(r"error: (\d+) of (\d+) runs were not recorded in history \((.+)\)", err)
    assert lost, err
    assert (int(lost.group(1)), int(lost.group(2))) == (CASES - kept, CASES) and 4 <= kept < CASES
    assert "cannot be used" in lost.group(3) and "recorded in history as batch" not in err
    assert cluster.url.split(":")[2].split("@")[0] not in err  # the password
    assert "Traceback" not in err and "error connecting" not in err


def test_a_server_back_within_the_outage_keeps_every_run(cluster, make_emulator, tmp_path):
    emulator = make_emulator(ttft_ms=150)
    process = batch(tmp_path, cluster.url, emulator.base_url)
    when_stored(cluster.url, 4)
    cluster.stop()
    time.sleep(12)  # longer than a pool checkout waits, and than one write's own retries
    cluster.restart()
    code, out, err = finished(process)
    assert code == 0, err
    batch_id = re.search(r"recorded in history as batch (bat-[0-9a-f]+)", err).group(1)
    with psycopg.connect(cluster.url) as conn:
        assert conn.execute("SELECT count(*) FROM runs WHERE group_id = %s", (batch_id,)).fetchone()[0] == CASES
        kept = json.loads(conn.execute("SELECT report_json FROM batches WHERE id = %s", (batch_id,)).fetchone()[0])
    assert len(kept["results"]) == CASES
    assert "Traceback" not in err and "error connecting" not in err


def test_send_record_says_the_run_was_not_recorded_and_exits_1(cluster, make_emulator):
    emulator = make_emulator(ttft_ms=3000)
    process = command("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--prompt", "hi", "--record",
                      "--base-url", emulator.base_url, url=cluster.url)
    deadline = time.monotonic() + 30
    while not emulator.received and time.monotonic() < deadline:  # the store is open, the request is out
        time.sleep(0.02)
    cluster.stop()
    code, out, err = finished(process)
    assert code == 1, err
    assert json.loads(out)["ok"] is True  # the run itself worked: the JSON says so
    assert "error: 1 of 1 runs was not recorded in history (the history database postgresql://" in err
    assert "Traceback" not in err
