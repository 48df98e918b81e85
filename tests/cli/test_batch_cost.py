"""Cost before and during a batch: ``--dry-run`` prints the number of requests and the estimate
(nothing generated), ``--max-cost-usd X`` starts no new run once the batch has spent X (exit 1,
the partial results reported), and bad caps exit 2 naming the flag."""

from __future__ import annotations

import json

import pytest
from test_batch_cli import batch, suite

from comet.core.call import Route
from comet.http.client import Client
from comet.runs.batch import parse, plan, with_repeat
from comet.runs.batch.estimate import preview

BODY = {"contents": [{"role": "user", "parts": [{"text": "Capital of {{country}}?"}]}],
        "generationConfig": {"maxOutputTokens": 50}}
CASES = [{"vars": {"country": "Peru"}}, {"vars": {"country": "Chad"}}]


def answers(emulator) -> int:
    return sum(1 for r in emulator.received if r.path.endswith((":generateContent", "/chat/completions")))


def test_dry_run_prints_the_requests_and_their_estimate_and_sends_nothing(emulator, tmp_path):
    path = suite(tmp_path, cases=CASES, request={"route": "gemini", "model": "gemini-2.5-flash", "body": BODY})
    emulator.clear()
    r = batch(str(path), "--dry-run", "--repeat", "3", base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    assert answers(emulator) == 0 and any(q.path.endswith(":countTokens") for q in emulator.received)
    data = json.loads(path.read_text(encoding="utf-8"))
    planned_suite = with_repeat(parse(data), 3)
    with Client(emulator.base_url, "sk-batch-test") as client:
        expected = preview(planned_suite, plan(planned_suite), {m.id: m for m in client.models()},
                           lambda call: client.count_tokens(call) if call.route is Route.GEMINI else None)
    assert r.stdout == expected + "\n"
    assert r.stdout.startswith("12 requests (2 cases x 2 targets x 3 runs); cost about $")
    assert "and up to 600 output tokens" in r.stdout  # 12 replies at the request's maxOutputTokens 50


def test_max_cost_usd_stops_starting_runs_and_exits_1_with_the_partial_results(emulator, tmp_path):
    path = suite(tmp_path, cases=CASES[:1], targets=[{"route": "gemini", "model": "gemini-2.5-flash"}])
    one = json.loads(batch(str(path), "--format", "json", base_url=emulator.base_url).stdout)["results"][0]["cost_usd"]
    emulator.clear()
    r = batch(str(path), "--repeat", "20", "--concurrency", "1", "--max-cost-usd", str(one * 2.5), "--format", "json",
              base_url=emulator.base_url)
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert [x["repeat"] for x in out["results"]] == [1, 2, 3] and answers(emulator) == 3  # 2 runs < cap <= 3 runs
    assert "; 3 of 20 runs finished, 17 were not started" in r.stderr
    assert "stopped: the batch spent $" in r.stderr and "reaching its cost cap of $" in r.stderr


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf"])
def test_a_bad_cost_cap_exits_2_naming_the_flag(emulator, tmp_path, value):
    emulator.clear()
    r = batch(str(suite(tmp_path, cases=CASES)), f"--max-cost-usd={value}", base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"error: --max-cost-usd: the cost cap is a positive number of US dollars, not '{value}'")
    assert answers(emulator) == 0


def test_a_cost_cap_on_a_target_without_a_price_exits_2(emulator, tmp_path):
    emulator.clear()
    path = suite(tmp_path, cases=CASES, targets=[{"route": "gemini", "model": "fault-rate-limit-once"}])
    r = batch(str(path), "--max-cost-usd", "1", base_url=emulator.base_url)
    assert r.returncode == 2 and "--max-cost-usd: no price for fault-rate-limit-once" in r.stderr
    assert answers(emulator) == 0


def test_dry_run_counts_input_where_the_service_offers_it_else_estimates(emulator, tmp_path):
    path = suite(tmp_path, cases=CASES, targets=[{"route": "gemini", "model": "gemini-2.5-flash"}],
                 request={"route": "gemini", "model": "gemini-2.5-flash", "body": BODY})
    try:
        emulator.count_tokens = True
        counted = batch(str(path), "--dry-run", base_url=emulator.base_url)
        emulator.count_tokens = False  # :countTokens answers 404: a service that does not offer it
        estimated = batch(str(path), "--dry-run", base_url=emulator.base_url)
    finally:
        emulator.count_tokens = True
    assert counted.returncode == 0 == estimated.returncode, counted.stderr + estimated.stderr
    assert counted.stdout.startswith("2 requests (2 cases x 1 target); cost about $") and "(counted: " in counted.stdout
    assert "(est.: " in estimated.stdout and counted.stdout.split("(", 2)[2] != estimated.stdout.split("(", 2)[2]


def test_submit_prints_the_requests_and_their_estimate_on_stderr_and_sends_nothing(emulator, tmp_path):
    path = suite(tmp_path, cases=CASES, request={"route": "gemini", "model": "gemini-2.5-flash", "body": BODY})
    emulator.clear()
    r = batch(str(path), "--submit", "--repeat", "2", "--url", str(tmp_path / "h.sqlite3"), base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("bat-") and len(r.stdout.splitlines()) == 1  # stdout: the id alone
    line = next(x for x in r.stderr.splitlines() if " requests (" in x)
    assert line.startswith("8 requests (2 cases x 2 targets x 2 runs); cost about $") and "up to 400 output" in line
    assert line.endswith("(built-in price list)") and emulator.received == []


@pytest.mark.parametrize("mode", [("--work", "--exit-when-idle"), ("--results", "bat-1")])
def test_a_cost_cap_on_a_worker_or_a_report_is_refused_not_ignored(emulator, tmp_path, mode):
    r = batch("--url", str(tmp_path / "h.sqlite3"), "--max-cost-usd", "1", *mode, base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert r.stderr.startswith(f"error: --max-cost-usd does not go with {mode[0]}: the cost cap belongs to a batch")
    assert "give --max-cost-usd with --submit, or with --resume BATCH_ID to set a new cap" in r.stderr
    assert not (tmp_path / "h.sqlite3").exists()  # refused before the store is opened
