"""``python -m comet doctor`` against the emulator, in a subprocess: every check green; a key the
service refuses; a model served on one route only; an unknown model; a base URL ending in /v1.
Plus the pure base-URL check and the page's matrix."""

from __future__ import annotations

import json

import pytest
from cli_support import comet, emulator_process

from comet.tools import doctor


def checks(result) -> dict[tuple[str, str | None], dict]:
    report = json.loads(result.stdout)
    return {(c["subject"], c["route"]): c for c in report["checks"]}


def test_all_green_exits_0_and_says_what_it_spent(emulator):
    emulator.clear()
    r = comet("doctor", "--model", "gemini-2.5-flash", "gemini-2.5-pro", "--base-url", emulator.base_url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Every check passed." in r.stdout
    lines = r.stdout.splitlines()
    for model in ("gemini-2.5-flash", "gemini-2.5-pro"):
        rows = [line for line in lines if line.startswith(model + " ")]
        assert len(rows) == 2 and all("ok: works" in row for row in rows), rows
    assert any(line.startswith("API key") and "ok: accepted" in line for line in lines)
    # one GET /v1/models and one one-token request per model and route, nothing else
    sent = [(x.method, x.path) for x in emulator.received]
    assert sorted(sent) == sorted([("GET", "/v1/models")] + [("POST", "/v1/chat/completions")] * 2 + [
        ("POST", "/v1beta/models/gemini-2.5-flash:generateContent"),
        ("POST", "/v1beta/models/gemini-2.5-pro:generateContent"),
        ("POST", "/v1beta/models/gemini-2.5-flash:countTokens")])  # the optional endpoint, asked once
    assert any(line.startswith("countTokens ") and "ok: offered" in line for line in lines)
    posts = [x.json for x in emulator.received if x.method == "POST" and not x.path.endswith(":countTokens")]
    assert all((p.get("generationConfig") or {}).get("maxOutputTokens") == 1
               or p.get("max_completion_tokens") == 1 for p in posts)
    assert "Spent " in lines[-2] and " tokens on 4 one-token requests." in lines[-2]


def test_json_format_has_every_check_and_the_tokens(emulator):
    r = comet("doctor", "--format", "json", "--base-url", emulator.base_url)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["requests"] == 2
    rows = checks(r)
    assert set(rows) == {("Base URL", None), ("API key", None), ("gemini-2.5-flash", "gemini"),
                         ("gemini-2.5-flash", "openai"), ("countTokens", None)}
    assert report["endpoints"] == {"countTokens": True} and rows["countTokens", None]["status"] == "ok"
    probes = [rows["gemini-2.5-flash", "gemini"], rows["gemini-2.5-flash", "openai"]]
    assert all(p["status"] == "ok" and p["outcome"] == "works" and p["latency_ms"] > 0 for p in probes)
    assert report["tokens"] == sum(p["tokens"] for p in probes) > 0


def test_refused_key_fails_every_check_with_the_key_fix(emulator):
    r = comet("doctor", "--format", "json", "--base-url", emulator.base_url, key="refused-by-the-service")
    assert r.returncode == 1
    rows = checks(r)
    for where in (("API key", None), ("gemini-2.5-flash", "gemini"), ("gemini-2.5-flash", "openai")):
        assert rows[where]["status"] == "fail" and rows[where]["outcome"] == "key refused", rows[where]
        assert "CometAPI API key stored in COMETAPI_KEY" in rows[where]["fix"]
    assert "refused-by-the-service" not in r.stdout + r.stderr


def test_missing_key_sends_nothing(emulator):
    emulator.clear()
    r = comet("doctor", "--base-url", emulator.base_url, key=None)
    assert r.returncode == 1
    assert "fail: missing" in r.stdout and "skipped: not checked" in r.stdout
    assert "No model request was sent." in r.stdout
    assert emulator.received == []


def test_model_on_one_route_only_names_the_route_where_it_works(emulator):
    r = comet("doctor", "--format", "json", "--model", "gpt-5.1", "--base-url", emulator.base_url)
    assert r.returncode == 1
    rows = checks(r)
    assert rows["gpt-5.1", "openai"]["outcome"] == "works"
    native = rows["gpt-5.1", "gemini"]
    assert native["status"] == "fail" and native["outcome"] == "not on this route"
    assert native["fix"].startswith("Confirm that the model ID is available to your account and supports "
                                    "the route you are calling.")
    assert "works on the OpenAI-compatible route" in native["fix"]


def test_unknown_model_is_not_found_on_both_routes(emulator):
    r = comet("doctor", "--model", "gemini-0-nonexistent", "--base-url", emulator.base_url)
    assert r.returncode == 1
    rows = [line for line in r.stdout.splitlines() if line.startswith("gemini-0-nonexistent ")]
    assert len(rows) == 2 and all("fail: not found" in row for row in rows), rows
    assert "Use the Models page to find current model IDs." in r.stdout
    assert "1 check failed" not in r.stdout and "2 checks failed" in r.stdout


def test_base_url_ending_in_v1_warns_with_the_guide_fix_and_still_checks(emulator):
    r = comet("doctor", "--format", "json", key="sk-doctor", base_url=emulator.base_url + "/v1/")
    assert r.returncode == 0, r.stdout
    rows = checks(r)
    url = rows["Base URL", None]
    assert url["status"] == "warn" and url["outcome"] == "ends in /v1"
    assert "set base_url in Python or baseURL in Node.js to https://api.cometapi.com/v1" in url["fix"]
    assert rows["gemini-2.5-flash", "gemini"]["outcome"] == "works"


def test_rate_limited_model_is_reported_without_retrying(emulator):
    emulator.clear()
    r = comet("doctor", "--format", "json", "--model", "fault-rate-limit", "--base-url", emulator.base_url)
    assert r.returncode == 1
    rows = checks(r)
    assert rows["fault-rate-limit", "gemini"]["outcome"] == "rate limited"
    assert rows["fault-rate-limit", "openai"]["outcome"] == "rate limited"
    assert sum(1 for x in emulator.received if x.method == "POST") == 2  # no retries


@pytest.mark.parametrize("raw, status, outcome", [
    ("https://api.cometapi.com", "ok", "CometAPI's"),
    ("https://api.cometapi.com/", "ok", "CometAPI's"),
    ("https://api.cometapi.com/v1", "warn", "ends in /v1"),
    ("https://api.cometapi.com/v1beta", "warn", "ends in /v1beta"),
    ("https://api.cometapi.com/v1/v1", "fail", "/v1 doubled"),
    ("http://localhost:8000", "ok", "this machine"),
    ("https://proxy.example.org", "warn", "not CometAPI's host"),
    ("api.cometapi.com", "fail", "not a URL"),
])
def test_base_url_check(raw, status, outcome):
    row, base = doctor.check_base_url(raw)
    assert (row.status, row.outcome) == (status, outcome)
    assert (base is None) == (status == "fail" and outcome == "not a URL")
    if status != "ok":
        assert "https://api.cometapi.com" in row.fix


def test_matrix_has_one_row_per_model_and_a_column_per_route(emulator):
    report = doctor.run(emulator.base_url, "sk-doctor", ["gemini-2.5-flash", "deepseek-v4-pro"])
    rows = doctor.matrix(report)
    assert [r["Model"] for r in rows] == ["gemini-2.5-flash", "deepseek-v4-pro"]
    assert rows[0]["Gemini native"].startswith("✅ works") and rows[0]["OpenAI-compatible"].startswith("✅ works")
    assert rows[1]["Gemini native"].startswith("❌ not on this route")
    assert not report.ok and report.tokens > 0


def _not_offered(r) -> None:
    """countTokens not offered: a warning (not a failure), the fix says the app estimates instead."""
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["endpoints"] == {"countTokens": False}
    row = checks(r)["countTokens", None]
    assert (row["status"], row["outcome"]) == ("warn", "not offered")
    assert "estimate" in row["detail"] and "marked est." in row["fix"]


def test_count_tokens_switched_off_in_the_emulator_is_reported_not_offered():
    """``comet emulator --no-count-tokens`` answers :countTokens with 404; ``doctor --format json``
    says it is not offered and exits 0 with a warning."""
    with emulator_process("--no-count-tokens", "--ttft-ms", "0") as base:
        _not_offered(comet("doctor", "--format", "json", "--base-url", base))


def test_count_tokens_switched_off_in_demo_mode(monkeypatch):
    """The built-in emulator of demo mode reads COMET_EMULATOR_COUNT_TOKENS=off."""
    monkeypatch.setenv("COMET_EMULATOR_COUNT_TOKENS", "off")
    r = comet("doctor", "--format", "json", key=None)
    _not_offered(r)
    assert "demo mode" in r.stderr
