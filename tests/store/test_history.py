"""Run history on both backends (SQLite and PostgreSQL, the ``history_url`` fixture): what is
stored, how it is found, and what never gets in (the key)."""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from store_support import sql, stored_bytes

from comet.core.call import Attachment, Call, Route, simple_body
from comet.core.errors import ConfigError, ErrorInfo
from comet.core.exchange import Exchange, Reply, Timing, Usage
from comet.store.history import MIGRATIONS, History, default_path, fts_query, scrub

ROOT = Path(__file__).resolve().parents[2]
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(200))).decode()
T0 = 1_790_000_000.0  # a fixed start time (2026-09-21) so time filters are exact


def exchange(prompt="What is the weather in Oslo?", reply="Cold and clear.", *, route=Route.GEMINI,
             model="gemini-2.5-flash", started=T0, error=None, stopped=False, stream=False, body=None,
             raw=None, attachments=(), base_url="https://api.cometapi.com") -> Exchange:
    call = Call(route, model, body or simple_body(route, prompt), stream=stream, attachments=attachments)
    answer = None if error else Reply(
        text=reply, thoughts="Thinking about Oslo.", finish_reason="stop", raw_finish_reason="STOP",
        usage=Usage(input_tokens=7, output_tokens=4, thinking_tokens=12, total_tokens=23),
        model_version=f"{model}-001",
        raw=raw if raw is not None else {"candidates": [{"content": {"parts": [{"text": reply}]}}]})
    return Exchange(call=call, base_url=base_url, status=error.status if error else 200, reply=answer, error=error,
                    timing=Timing(started_at=started, ttfb_ms=80.0, ttft_ms=95.5, latency_ms=420.0,
                                  chunk_ms=(95.5, 130.0) if stream else ()),
                    attempts=2 if error else 1, stopped=stopped, partial=stopped)


RATE_LIMIT = ErrorInfo(kind="rate_limited", message="HTTP 429 rate_limited: slow down [RESOURCE_EXHAUSTED]",
                       status=429, retryable=True, retry_after=38.0, raw_body='{"error":{"code":429}}')


@pytest.fixture
def history(history_url):
    with History(history_url) as h:
        yield h


# ---- saving and reading back ---------------------------------------------------------------------

def test_save_and_get_keep_everything_about_a_run(history):
    ex = exchange(stream=True, base_url="https://user:secret@api.cometapi.com:8443/")
    run_id = history.save(ex, group_id="cmp-1", label="Gemini native", cost=0.00042)
    row = history.get(run_id)
    assert row["route"] == "gemini" and row["model"] == "gemini-2.5-flash"
    assert row["served_model"] == "gemini-2.5-flash-001" and row["host"] == "api.cometapi.com:8443"
    assert (row["status"], row["ok"], row["http_status"], row["finish_reason"]) == ("ok", True, 200, "stop")
    assert (row["input_tokens"], row["output_tokens"], row["thinking_tokens"], row["total_tokens"]) == (7, 4, 12, 23)
    assert (row["cost"], row["ttft_ms"], row["latency_ms"], row["attempts"]) == (0.00042, 95.5, 420.0, 1)
    assert (row["group_id"], row["label"], row["stream"], row["created_at"]) == ("cmp-1", "Gemini native", True, T0)
    assert row["prompt"] == "What is the weather in Oslo?" and row["reply"] == "Cold and clear."
    assert row["thoughts"] == "Thinking about Oslo."
    assert row["request"] == ex.call.body and row["response"] == ex.reply.raw
    assert row["chunk_ms"] == [95.5, 130.0] and row["error"] is None
    assert history.call(run_id) == ex.call
    assert history.get(run_id + 1) is None and history.call(run_id + 1) is None


def test_failed_and_stopped_runs_are_recorded(history):
    failed = history.save(exchange(error=RATE_LIMIT))
    stopped = history.save(exchange(stopped=True))
    row = history.get(failed)
    assert (row["status"], row["ok"], row["http_status"], row["error_kind"]) == ("error", False, 429, "rate_limited")
    assert row["error"]["retry_after"] == 38.0 and "slow down" in row["error_message"]
    assert row["reply"] == "" and row["response"] is None
    assert history.get(stopped)["status"] == "stopped" and history.get(stopped)["partial"] is True


def test_openai_runs_round_trip_through_call(history):
    ex = exchange(route=Route.OPENAI, stream=True)
    row = history.get(history.save(ex))
    assert row["request"]["model"] == "gemini-2.5-flash" and row["request"]["stream"] is True
    assert history.call(row["id"]) == ex.call


# ---- finding runs --------------------------------------------------------------------------------

@pytest.fixture
def filled(history):
    runs = [
        exchange("weather in Oslo", route=Route.GEMINI, model="gemini-2.5-flash", started=T0),
        exchange("weather in Paris", route=Route.OPENAI, model="gemini-2.5-flash", started=T0 + 60),
        exchange("a poem about café life", "Sipping slowly", route=Route.GEMINI, model="gemini-2.5-pro",
                 started=T0 + 120),
        exchange("sql for invoices", route=Route.OPENAI, model="gemini-3-flash-preview", started=T0 + 180,
                 error=RATE_LIMIT),
        exchange("weather tomorrow", "It will rain in Bergen", route=Route.GEMINI, model="gemini-2.5-pro",
                 started=T0 + 240, stopped=True),
    ]
    ids = [history.save(ex, group_id="cmp-9" if i in (0, 1) else None) for i, ex in enumerate(runs)]
    return history, ids


def test_query_is_newest_first_and_filters(filled):
    h, ids = filled
    assert [r["id"] for r in h.query()] == ids[::-1]
    assert [r["id"] for r in h.query(route="openai")] == [ids[3], ids[1]]
    assert [r["id"] for r in h.query(route=Route.GEMINI, model="gemini-2.5-pro")] == [ids[4], ids[2]]
    assert [r["id"] for r in h.query(model=["gemini-2.5-flash", "gemini-3-flash-preview"])] == [ids[3], ids[1], ids[0]]
    assert [r["id"] for r in h.query(status="error")] == [ids[3]]
    assert [r["id"] for r in h.query(status="stopped")] == [ids[4]]
    assert [r["id"] for r in h.query(status=["ok"])] == [ids[2], ids[1], ids[0]]
    assert [r["id"] for r in h.query(group_id="cmp-9")] == [ids[1], ids[0]]
    assert [r["id"] for r in h.query(since=T0 + 60, until=T0 + 180)] == [ids[2], ids[1]]
    assert [r["id"] for r in h.query(since="2026-09-21T14:16:00Z")] == [ids[4], ids[3]]
    assert h.query(model=[]) == [] and h.count(model=[]) == 0
    assert h.count() == 5 and h.count(route="gemini") == 3 and h.count(status="error", route="openai") == 1


def test_paging(filled):
    h, ids = filled
    assert [r["id"] for r in h.query(limit=2)] == [ids[4], ids[3]]
    assert [r["id"] for r in h.query(limit=2, offset=2)] == [ids[2], ids[1]]
    assert [r["id"] for r in h.query(limit=2, offset=4)] == [ids[0]]
    assert len(h.query(limit=None)) == 5


def test_full_text_search_over_prompt_and_reply(filled):
    h, ids = filled
    assert [r["id"] for r in h.query(search="weather")] == [ids[4], ids[1], ids[0]]
    assert [r["id"] for r in h.query(search="WEATHER oslo")] == [ids[0]]
    assert [r["id"] for r in h.query(search="bergen")] == [ids[4]]  # found in the reply
    assert [r["id"] for r in h.query(search="wea")] == [ids[4], ids[1], ids[0]]  # the last word is a prefix
    assert [r["id"] for r in h.query(search="cafe")] == [ids[2]]  # diacritics folded
    assert [r["id"] for r in h.query(search="weather", route="openai")] == [ids[1]]
    assert h.count(search="weather") == 3 and h.count(search="weather", status="ok") == 2


@pytest.mark.parametrize("awkward", ['"', 'AND(', "weather AND(", "NEAR(", "*", "-", "'", ")", "OR", "a:b",
                                     '"unbalanced', "col:weather", "^", "{x}", "🙂", "", "   ", "NOT weather",
                                     "weather OR", "x" * 500])
def test_awkward_search_text_never_raises(filled, awkward):
    h, _ = filled
    assert isinstance(h.query(search=awkward), list)
    assert isinstance(h.count(search=awkward), int)


def test_timings_average_every_matching_run_with_a_latency(history):
    def timed(route, model, ttft, latency, started, prompt="weather in Oslo"):
        ex = exchange(prompt, route=route, model=model, started=started)
        return dataclasses.replace(ex, timing=dataclasses.replace(ex.timing, ttft_ms=ttft, latency_ms=latency))

    for ex in [timed(Route.GEMINI, "gemini-2.5-flash", 100.0, 400.0, T0),
               timed(Route.GEMINI, "gemini-2.5-flash", 200.0, 600.0, T0 + 1),
               timed(Route.OPENAI, "gemini-2.5-flash", None, 300.0, T0 + 2, "a poem"),
               timed(Route.GEMINI, "gemini-2.5-pro", 50.0, 900.0, T0 + 3),
               timed(Route.GEMINI, "gemini-2.5-flash", 300.0, None, T0 + 4)]:  # no latency: left out
        history.save(ex)

    def row(route, model, runs, ttft, latency):
        return {"route": route, "model": model, "runs": runs, "ttft_ms": ttft, "latency_ms": latency}

    assert history.timings() == [row("gemini", "gemini-2.5-flash", 2, 150.0, 500.0),
                                 row("gemini", "gemini-2.5-pro", 1, 50.0, 900.0),
                                 row("openai", "gemini-2.5-flash", 1, None, 300.0)]
    assert history.timings(newest=2) == [row("gemini", "gemini-2.5-pro", 1, 50.0, 900.0),
                                         row("openai", "gemini-2.5-flash", 1, None, 300.0)]
    assert history.timings(search="Oslo", model="gemini-2.5-flash") == [
        row("gemini", "gemini-2.5-flash", 2, 150.0, 500.0)]
    assert history.timings(route="openai", status="error") == []


def test_fts_query_builder():
    assert fts_query('say "hi" AND(') == '"say" "hi" "AND"*'
    assert fts_query("()*:") is None and fts_query(None) is None


def test_frame_models_and_groups(filled):
    h, ids = filled
    df = h.frame(route="gemini")
    assert list(df["id"]) == [ids[4], ids[2], ids[0]]
    assert str(df["created_at"].dt.tz) == "UTC" and df["ok"].tolist() == [False, True, True]
    assert h.models_seen() == ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-flash-preview"]
    assert h.groups() == [{"group_id": "cmp-9", "runs": 2, "created_at": T0,
                           "labels": "gemini gemini-2.5-flash | openai gemini-2.5-flash"}]


def test_delete(filled):
    h, ids = filled
    assert h.delete(ids[0]) is True and h.delete(ids[0]) is False
    assert h.get(ids[0]) is None
    assert [r["id"] for r in h.query(search="oslo")] == []
    assert h.count() == 4


# ---- export --------------------------------------------------------------------------------------

def test_export_csv_and_json(filled):
    h, ids = filled
    rows = list(csv.DictReader(io.StringIO(h.export("csv"))))
    assert [int(r["id"]) for r in rows] == ids[::-1]
    assert rows[-1]["prompt"] == "weather in Oslo" and rows[-1]["time"] == "2026-09-21T14:13:20.000Z"
    data = json.loads(h.export("json", route="openai"))
    assert [r["id"] for r in data] == [ids[3], ids[1]]
    assert data[0]["status"] == "error" and data[0]["error_kind"] == "rate_limited"
    assert [r["id"] for r in json.loads(h.export("json", search="weather", limit=2))] == [ids[4], ids[1]]
    with pytest.raises(ValueError):
        h.export("xml")


def run_cli(*args: str, env_db: Path | None = None, env_url: str = "") -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "COMET_HISTORY_DB": str(env_db) if env_db else "", "COMET_HISTORY_URL": env_url}
    return subprocess.run([sys.executable, "-m", "comet", "history", "export", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_cli_export(filled, history_url):
    h, ids = filled
    sqlite = history_url.startswith("sqlite")
    out = run_cli(*(("--db", h.path) if sqlite else ("--url", history_url)), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert [r["id"] for r in json.loads(out.stdout)] == ids[::-1]
    out = run_cli("--format", "csv", "--search", "weather", "--limit", "1",
                  **({"env_db": Path(h.path)} if sqlite else {"env_url": history_url}))
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [int(r["id"]) for r in rows] == [ids[4]]


def test_cli_export_of_a_missing_database_creates_nothing(tmp_path):
    missing = tmp_path / "none" / "h.sqlite3"
    out = run_cli("--db", str(missing), "--format", "json")
    assert out.returncode == 0 and json.loads(out.stdout) == []
    assert run_cli("--db", str(missing), "--format", "csv").stdout.startswith("id,time,")
    assert not missing.parent.exists()


# ---- storage -------------------------------------------------------------------------------------

def test_default_path(monkeypatch, tmp_path):
    monkeypatch.setenv("COMET_HISTORY_DB", str(tmp_path / "x.db"))
    assert default_path() == tmp_path / "x.db"
    monkeypatch.delenv("COMET_HISTORY_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):
        assert default_path() == tmp_path / "data" / "comet-playground" / "history.sqlite3"


def test_an_older_schema_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](db)  # a database from before full-text search and attachments
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO runs (id, created_at, route, model, status) VALUES (1, ?, 'gemini', 'm', 'ok')", (T0,))
    db.execute("INSERT INTO run_details (run_id, prompt, reply) VALUES (1, 'an old prompt', 'an old reply')")
    db.close()
    with History(path) as h:
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert [r["id"] for r in h.query(search="old")] == [1]  # the index was filled from existing rows
        assert h.get(1)["attachments"] == []
        new = h.save(exchange("a new prompt", attachments=(Attachment("a.png", "image/png", b"png"),)))
        assert [r["id"] for r in h.query(search="prompt")] == [new, 1]
    with History(path) as again:  # opening an up-to-date database changes nothing
        assert again.count() == 2


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(ConfigError, match="newer"):
        History(path)


def test_eight_threads_writing_at_once_lose_no_row(history_url):
    path = history_url
    shared = History(path)
    per_thread, errors, barrier = 40, [], threading.Barrier(8)

    def writer(n: int) -> None:
        own = History(path) if n % 2 else shared  # separate handles (sessions) and one shared handle
        try:
            barrier.wait()
            for i in range(per_thread):
                own.save(exchange(f"thread {n} run {i}", started=T0 + i), group_id=f"t{n}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert shared.count() == 8 * per_thread
    assert all(shared.count(group_id=f"t{n}") == per_thread for n in range(8))
    assert shared.count(search="thread") == 8 * per_thread


def test_attachments_are_stored_once(history):
    body = {"contents": [{"role": "user", "parts": [{"text": "what is this?"},
                                                    {"inlineData": {"mimeType": "image/png", "data": PNG}}]}]}
    first = history.save(exchange(body=body))
    second = history.save(exchange(body=body))
    openai = {"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}]}]}
    third = history.save(exchange(route=Route.OPENAI, body=openai))
    assert sql(history, "SELECT COUNT(*), SUM(size) FROM attachments")[0] == (1, len(base64.b64decode(PNG)))
    stored = sql(history, "SELECT request_json FROM run_details WHERE run_id = ?", first)[0][0]
    assert PNG not in stored and "<stored sha256:" in stored
    assert history.get(first)["request"] == body and history.get(second)["request"] == body
    assert history.get(third)["request"]["messages"] == openai["messages"]
    history.delete(first)
    history.delete(second)
    assert sql(history, "SELECT COUNT(*) FROM attachments")[0][0] == 1  # still used by the third
    history.delete(third)
    assert sql(history, "SELECT COUNT(*) FROM attachments")[0][0] == 0


def test_call_attachments_come_back(history):
    cat = Attachment("cat.png", "image/png", base64.b64decode(PNG))
    body = {"contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": "image/png",
                                                                    "data": cat.token}}]}]}
    ex = exchange(body=body, attachments=(cat,))
    run_id = history.save(ex)
    history.save(exchange(body=body, attachments=(cat,)))
    assert sql(history, "SELECT COUNT(*) FROM attachments")[0][0] == 1
    assert history.get(run_id)["attachments"] == [cat]
    assert history.call(run_id) == ex.call


def test_generated_images_in_a_response_are_stored_once(history):
    raw = {"candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": PNG}}]}}]}
    run_id = history.save(exchange(raw=raw))
    stored = sql(history, "SELECT response_json FROM run_details")[0][0]
    assert PNG not in stored
    assert history.get(run_id)["response"] == raw


# ---- the key never gets in -----------------------------------------------------------------------

def test_the_canary_key_is_never_stored(history_url, canary_key):
    with History(history_url) as h:
        h.save(exchange())  # nothing secret anywhere
        echoed = {"candidates": [{"content": {"parts": [{"text": "ok"}]}}],
                  "debug": {"headers": {"Authorization": f"Bearer {canary_key}", "x-goog-api-key": canary_key},
                            "url": f"https://api.cometapi.com/v1beta/models/m:generateContent?key={canary_key}"}}
        h.save(exchange(raw=echoed, reply=f"your key is {canary_key}"))
        leaky = ErrorInfo(kind="auth", message=f"HTTP 401 auth: bad key {canary_key}", status=401,
                          raw_body=json.dumps({"error": {"message": "no", "request_headers": {
                              "authorization": f"Bearer {canary_key}"}}}))
        h.save(exchange(error=leaky))
        exports = h.export("csv") + h.export("json")
        rows = [h.get(r["id"]) for r in h.query()]
        assert canary_key.encode() not in stored_bytes(h)
    assert canary_key not in exports
    assert canary_key not in json.dumps(rows, default=str)


def test_key_headers_are_blanked_even_without_knowing_the_key(history, monkeypatch):
    monkeypatch.delenv("COMETAPI_KEY", raising=False)
    secret = "sk-unknown-1234567890abcdef"
    echoed = {"echo": {"headers": {"authorization": f"Bearer {secret}", "X-Goog-Api-Key": secret}},
              "log": f"sent x-goog-api-key: {secret} and Authorization: Bearer {secret}"}
    error = ErrorInfo(kind="auth", message="HTTP 401", status=401, raw_body=f'{{"authorization": "Bearer {secret}"}}')
    first = history.save(exchange(raw=echoed))
    second = history.save(exchange(error=error))
    assert secret not in json.dumps([history.get(first), history.get(second)], default=str)
    assert secret.encode() not in stored_bytes(history)


def test_a_key_typed_in_the_ui_is_blanked(history_url):
    typed = "sk-typed-in-the-password-field-42"
    with History(history_url, secrets=[typed]) as h:
        run_id = h.save(exchange(f"please ignore {typed}", reply=f"you said {typed}"))
        assert typed not in json.dumps(h.get(run_id)) and typed not in h.export("json")


def test_scrub_keeps_ordinary_text():
    assert scrub({"text": "Bearer authentication explained", "key": "value"}, patterns=False) == {
        "text": "Bearer authentication explained", "key": "value"}
    assert scrub({"api_key": "abc", "authorization": ""}) == {"api_key": "[redacted]", "authorization": ""}


# ---- real runs -----------------------------------------------------------------------------------

def test_real_exchanges_from_the_emulator_are_saved(emulator, history_url, canary_key):
    from comet.http.client import Client

    with Client(emulator.base_url, canary_key) as client, History(history_url) as h:
        runs = [client.send(Call(route, "gemini-2.5-flash", simple_body(route, "Say hi to history"), stream=stream))
                for route in (Route.GEMINI, Route.OPENAI) for stream in (False, True)]
        ids = [h.save(ex, group_id="real") for ex in runs]
        rows = [h.get(i) for i in ids]
        assert all(r["status"] == "ok" and r["reply"] for r in rows), [r["error"] for r in rows]
        assert [r["reply"] for r in rows] == [ex.text for ex in runs]
        assert rows[1]["chunk_ms"] and rows[3]["chunk_ms"]  # streamed runs keep chunk arrival times
        assert [h.call(i) for i in ids] == [ex.call for ex in runs]
        assert h.count(search="history", group_id="real") == 4
        assert canary_key not in h.export("json")
        assert canary_key.encode() not in stored_bytes(h)
