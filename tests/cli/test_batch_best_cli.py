"""``select-best`` in a stored batch, against the emulator as the judge, on SQLite and PostgreSQL:
``--submit`` then two ``--work --exit-when-idle`` workers judge every case once (the worker that
finishes its last item), with the verdicts, and the cost kept, as the batch run in one process
has them; a worker SIGKILLed while it asks the judge leaves the case waiting, and ``--resume``
judges it, once more."""

from __future__ import annotations

import json
import signal
import subprocess

import pytest
from queue_support import GEMINI, ROOT, comet, command, environ, rows, until
from test_batch_queue_cli import store_url  # noqa: F401  (the fixture: SQLite and PostgreSQL)

THREE = [GEMINI, {"route": "openai", "model": "gemini-2.5-flash"}, {"route": "gemini", "model": "gemini-2.5-pro"}]
CASES = 6


def best_suite(folder, cases: int) -> str:
    data = {"name": "best", "request": {**GEMINI, "body": {"contents": [{"role": "user", "parts": [
        {"text": "Say something about {{n}}"}]}]}},
            "targets": THREE, "cases": [{"vars": {"n": "x" * (i + 1)}} for i in range(cases)],
            "assert": [{"type": "icontains", "value": "{{n}}"}, {"type": "select-best", "value": "the most detailed"}]}
    path = folder / "best.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def judge_requests(emu) -> int:
    return sum(1 for q in list(emu.received) if q.method == "POST" and b"<criterion>" in q.body)


def verdicts(report: dict) -> list[tuple]:
    return [(r["case"], r["target"], [(a["type"], a["pass"], a.get("error", False), a["message"])
                                      for a in r["assertions"]]) for r in report["results"]]


def test_two_workers_judge_each_case_once_as_the_batch_in_one_process_does(store_url, make_emulator, tmp_path):
    emu = make_emulator(ttft_ms=20, chunk_ms=0)
    path = best_suite(tmp_path, CASES)
    in_process = json.loads(comet(path, "--format", "json", "--base-url", emu.base_url).stdout)
    emu.clear()
    batch_id = comet(path, "--submit", "--url", store_url, "--base-url", emu.base_url).stdout.strip()
    procs = [command("--work", "--exit-when-idle", "--url", store_url, "--concurrency", "3", "--base-url",
                     emu.base_url) for _ in range(2)]
    running = [subprocess.Popen(c, cwd=ROOT, env=environ(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for c in procs]
    for proc in running:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and "Traceback" not in err and "warning" not in err, err
    assert judge_requests(emu) == CASES  # one judge request a case
    done = comet("--results", batch_id, "--url", store_url, "--format", "json")
    report = json.loads(done.stdout)
    assert report["state"] == "done" and report["progress"]["done"] == 3 * CASES, report["progress"]
    for case in range(1, CASES + 1):
        best = [r["assertions"][1] for r in report["results"] if r["case"] == case]
        assert len(best) == 3 and sum(b["pass"] for b in best) == 1 and not any(b.get("error") for b in best)
        chosen = next(r["target"] for r in report["results"] if r["case"] == case and r["assertions"][1]["pass"])
        assert all(b["message"].startswith(f"{chosen} was chosen over this one: ") for b in best if not b["pass"])
    assert verdicts(report) == verdicts(in_process)  # the same verdicts, in the same document
    assert {k: report["summary"][k] for k in ("passed", "failed", "errors")} == \
        {k: in_process["summary"][k] for k in ("passed", "failed", "errors")} == {"passed": CASES, "failed": 2 * CASES,
                                                                                   "errors": 0}
    summary = report["summary"]
    assert summary["judge_cost_usd"] == pytest.approx(in_process["summary"]["judge_cost_usd"])  # once a case
    assert summary["judge_usage"] == in_process["summary"]["judge_usage"]
    [(spent,)] = rows(store_url, "SELECT spent_usd FROM batch_queue WHERE id = ?", batch_id)
    assert spent == pytest.approx(summary["run_cost_usd"] + summary["judge_cost_usd"])  # the judge counted once


def test_a_worker_killed_while_it_asks_the_judge_leaves_the_case_to_resume(store_url, make_emulator, tmp_path):
    emu = make_emulator(ttft_ms=1500, chunk_ms=0)  # the judge's request is in flight long enough to kill it
    batch_id = comet(best_suite(tmp_path, 1), "--submit", "--url", store_url, "--base-url", emu.base_url).stdout.strip()
    victim = subprocess.Popen(command("--work", "--exit-when-idle", "--url", store_url, "--concurrency", "3",
                                      "--base-url", emu.base_url), cwd=ROOT, env=environ(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    until(lambda: judge_requests(emu) == 1, seconds=60)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert rows(store_url, "SELECT count(*) FROM batch_items WHERE state IN ('done', 'error')")[0][0] == 3
    assert rows(store_url, "SELECT owner FROM batch_best")[0][0].split(":")[1] == str(victim.pid)  # its claim
    waiting = json.loads(comet("--results", batch_id, "--url", store_url, "--format", "json").stdout)
    assert all(r["assertions"][1]["message"].startswith("not judged") for r in waiting["results"])
    resumed = comet("--resume", batch_id, "--url", store_url, "--format", "json", "--base-url", emu.base_url)
    assert resumed.returncode == 1 and "Traceback" not in resumed.stderr, resumed.stderr  # two of three fail
    assert judge_requests(emu) == 2  # the killed one, and one more
    best = [r["assertions"][1] for r in json.loads(resumed.stdout)["results"]]
    assert sum(b["pass"] for b in best) == 1 and not any(b.get("error") for b in best)
    again = comet("--resume", batch_id, "--url", store_url, "--format", "json", "--base-url", emu.base_url)
    assert again.returncode == 1 and judge_requests(emu) == 2  # judged: not asked again


def test_a_recorded_batch_counts_each_case_judge_once_in_its_spend(store_url, make_emulator, tmp_path):
    """--record stores results already judged in this process: the stored spend (what a cost
    cap holds) counts each case's select-best judge once, not once for each of its targets."""
    emu = make_emulator(ttft_ms=1, chunk_ms=0)
    done = comet(best_suite(tmp_path, 3), "--record", "--url", store_url, "--format", "json", "--base-url", emu.base_url)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr  # two of three targets fail select-best
    summary = json.loads(done.stdout)["summary"]
    assert summary["judge_cost_usd"] > 0 and judge_requests(emu) == 3
    [(spent,)] = rows(store_url, "SELECT spent_usd FROM batch_queue")
    assert spent == pytest.approx(summary["run_cost_usd"] + summary["judge_cost_usd"])


def test_the_cost_cap_in_one_process_counts_the_select_best_judge(make_emulator, tmp_path):
    """A cap the runs alone stay under but runs and judges pass: the batch stops at it."""
    emu = make_emulator(ttft_ms=1, chunk_ms=0)
    path = best_suite(tmp_path, 6)
    full = json.loads(comet(path, "--format", "json", "--concurrency", "1", "--base-url", emu.base_url).stdout)
    runs, judges = full["summary"]["run_cost_usd"], full["summary"]["judge_cost_usd"]
    assert judges > 0
    cap = runs + judges / 2  # reached only when the judges count
    capped = comet(path, "--format", "json", "--concurrency", "1", "--max-cost-usd", repr(cap), "--base-url",
                   emu.base_url)
    assert capped.returncode == 1 and "Traceback" not in capped.stderr, capped.stderr
    assert len(json.loads(capped.stdout)["results"]) < 3 * 6, capped.stderr  # stopped before the end
    assert "cost cap" in capped.stderr
