"""``python -m comet send`` / ``models`` in a subprocess against the emulator: exit codes 0, 1
and 2, the JSON printed, and that the key never shows. Also: ``import comet`` stays light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import comet, environ, printed

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_KEYS = {"ok", "status", "text", "thoughts", "finish_reason", "usage", "latency_ms",
                "ttft_ms", "attempts", "model_version", "error"}


@pytest.mark.parametrize("route", ["gemini", "openai"])
@pytest.mark.parametrize("stream", [False, True])
def test_send_prompt_ok(emulator, route, stream):
    r = comet("send", "--route", route, "--model", "gemini-2.5-flash", "--prompt", "hello",
              *(["--stream"] if stream else []), "--base-url", emulator.base_url)
    assert r.returncode == 0, r.stderr
    out = printed(r)
    assert SUMMARY_KEYS <= set(out)
    assert out["ok"] and out["status"] == 200 and out["text"] and out["error"] is None
    assert out["finish_reason"] == "stop" and out["attempts"] == 1 and out["model_version"]
    assert set(out["usage"]) == {"input_tokens", "output_tokens", "thinking_tokens", "total_tokens",
                                 "cached_tokens", "tool_use_prompt_tokens"}
    assert out["latency_ms"] >= out["ttft_ms"] > 0


def test_send_body_from_stdin_and_model_and_stream_win(emulator):
    emulator.clear()
    body = {"model": "gpt-5.1", "stream": False, "messages": [{"role": "user", "content": "hi"}]}
    r = comet("send", "--route", "openai", "--model", "gemini-2.5-flash", "--stream",
              "--body", "-", stdin=json.dumps(body), base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    sent = emulator.received[-1].json
    assert sent["model"] == "gemini-2.5-flash" and sent["stream"] is True
    assert sent["messages"] == body["messages"]


def test_send_body_file_gemini(emulator, tmp_path):
    emulator.clear()
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
                                "generationConfig": {"thinkingConfig": {"includeThoughts": True,
                                                                        "thinkingBudget": 512}}}))
    r = comet("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--body", str(path),
              base_url=emulator.base_url)
    out = printed(r)
    assert r.returncode == 0 and out["thoughts"] and out["usage"]["thinking_tokens"] > 0
    assert emulator.received[-1].path == "/v1beta/models/gemini-2.5-flash:generateContent"


@pytest.mark.parametrize("model,kind,status", [
    ("fault-html", "protocol", 404),
    ("fault-gateway", "server", 502),
    ("no-such-model", "not_found", 404),
])
def test_send_api_error_exits_1_with_json(emulator, model, kind, status):
    r = comet("send", "--route", "gemini", "--model", model, "--prompt", "hi",
              "--base-url", emulator.base_url)
    assert r.returncode == 1
    out = printed(r)
    assert out["ok"] is False and out["error"]["kind"] == kind and out["error"]["status"] == status
    assert set(out["error"]) == {"kind", "message", "status", "retryable"}


def test_send_transport_error_exits_1_and_keeps_partial_text(emulator):
    r = comet("send", "--route", "openai", "--model", "fault-drop-stream", "--stream", "--prompt",
              "hi [[chunks=10]]", "--base-url", emulator.base_url)
    out = printed(r)
    assert r.returncode == 1 and out["error"]["kind"] == "network" and out["text"]
    assert out["partial"] is True and out["attempts"] == 1


@pytest.fixture
def unused_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def test_wrong_route_field_exits_2_and_sends_nothing(emulator):
    emulator.clear()
    body = json.dumps({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
    r = comet("send", "--route", "openai", "--model", "gemini-2.5-flash", "--body", "-",
              stdin=body, base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == ""
    assert "$.contents" in r.stderr and "OpenAI-compatible" in r.stderr and "messages" in r.stderr
    assert emulator.received == []


def test_invalid_json_exits_2_with_line_and_column(emulator):
    r = comet("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--body", "-",
              stdin='{\n  "contents": [,]\n}', base_url=emulator.base_url)
    assert r.returncode == 2 and "line 2, column 16" in r.stderr and r.stdout == ""


def test_missing_body_file_exits_2(emulator):
    r = comet("send", "--route", "gemini", "--model", "m", "--body", "/nonexistent/body.json",
              base_url=emulator.base_url)
    assert r.returncode == 2 and "/nonexistent/body.json" in r.stderr


def test_missing_key_exits_2(emulator):
    emulator.clear()
    r = comet("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--prompt", "hi",
              key=None, base_url=emulator.base_url)
    assert r.returncode == 2 and "COMETAPI_KEY" in r.stderr and r.stdout == ""
    assert emulator.received == []


@pytest.mark.parametrize("route", ["gemini", "openai"])
def test_without_key_or_base_url_send_runs_on_a_built_in_emulator(route):
    """Demo mode, as in the app: no COMETAPI_KEY and no base URL, so the command starts its own
    emulator on loopback, says so on stderr and prints the usual one JSON object."""
    r = comet("send", "--route", route, "--model", "gemini-2.5-flash", "--prompt", "hello demo",
              "--stream", key=None)
    assert r.returncode == 0, r.stderr
    out = printed(r)
    assert out["ok"] and "(emulated)" in out["text"] and "hello demo" in out["text"]
    note = r.stderr.strip()
    assert note.startswith("note: no COMETAPI_KEY, so this is demo mode") and "http://127.0.0.1:" in note
    assert "set COMETAPI_KEY to reach CometAPI" in note and len(note.splitlines()) == 1


def test_a_base_url_without_a_key_names_both_ways_out_and_sends_nothing(emulator):
    emulator.clear()
    for args, base in ((("models", "--base-url", emulator.base_url), None), (("models",), emulator.base_url)):
        r = comet(*args, key=None, base_url=base)
        where = "--base-url" if base is None else "COMETAPI_BASE_URL"
        assert r.returncode == 2 and r.stdout == ""
        assert r.stderr.splitlines() == [
            f"error: no API key: COMETAPI_KEY is not set, and {where} names a service to send to",
            "fix: set COMETAPI_KEY, or leave out --base-url and COMETAPI_BASE_URL to run on a built-in "
            "emulator (demo mode)"]
    assert emulator.received == []


def test_without_key_models_and_batch_run_on_a_built_in_emulator(tmp_path):
    listed = comet("models", key=None)
    assert listed.returncode == 0, listed.stderr
    assert any(json.loads(line)["id"] == "gemini-2.5-flash" for line in listed.stdout.splitlines())
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps({
        "name": "demo", "request": {"route": "gemini", "model": "gemini-2.5-flash", "body": {
            "contents": [{"role": "user", "parts": [{"text": "Say {{word}}"}]}]}},
        "cases": [{"vars": {"word": "pineapple"}, "assert": [{"type": "contains", "value": "pineapple"}]},
                  {"vars": {"word": "kiwi"}, "assert": [{"type": "contains", "value": "mango"}]}]}))
    r = comet("batch", str(suite), "--format", "json", key=None)
    assert r.returncode == 1, r.stderr  # one case passes, one fails: real answers were checked
    results = json.loads(r.stdout)["results"]
    assert [x["ok"] for x in results] == [True, False] and "(emulated)" in results[0]["text"]
    assert "demo mode" in r.stderr


def test_key_never_printed(emulator, canary_key):
    for model in ("gemini-2.5-flash", "fault-html", "fault-rate-limit-once"):
        r = comet("send", "--route", "openai", "--model", model, "--prompt", "hi",
                  key=canary_key, base_url=emulator.base_url)
        assert canary_key not in r.stdout + r.stderr


def test_models_lists_gemini_first(emulator):
    r = comet("models", "--base-url", emulator.base_url)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows[0]["gemini"] and any(not row["gemini"] for row in rows)
    flags = [row["gemini"] for row in rows]
    assert flags == sorted(flags, reverse=True)
    assert any(row["id"] == "gemini-2.5-flash" and row["pricing"] for row in rows)


def test_models_error_exits_1(unused_port):
    r = comet("models", "--base-url", f"http://127.0.0.1:{unused_port}")
    assert r.returncode == 1 and json.loads(r.stdout)["error"]["kind"] == "network"


def test_import_comet_stays_light():
    code = ("import sys\n"
            "heavy = lambda: [m for m in ('pandas', 'streamlit') if m in sys.modules]\n"
            "import comet\n"
            "print(heavy())\n"
            "import comet.http.client, comet.cli, comet.http.chunks, comet.http.models, comet.http.sse\n"
            "print(heavy())\n")
    assert python_prints(code) == ["[]", "[]"]


def python_prints(code: str) -> list[str]:
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_models_into_head_prints_one_line_and_no_traceback(emulator):
    r = subprocess.run(f"{sys.executable} -m comet models --base-url {emulator.base_url} | head -1",
                       shell=True, cwd=ROOT, env=environ(), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == ""
    assert len(r.stdout.splitlines()) == 1 and json.loads(r.stdout)["id"]


def test_a_reader_gone_before_the_first_line_ends_the_command_quietly(emulator):
    """The pipe closes before anything is written, so every write meets EPIPE."""
    proc = subprocess.Popen([sys.executable, "-m", "comet", "models", "--base-url", emulator.base_url],
                            cwd=ROOT, env=environ(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert err == ""


def test_bad_input_is_one_convention_across_commands(tmp_path):
    """send, snippet and convert read a body the same way and report it the same way: exit 2,
    nothing on stdout, `error:` and `fix:` lines on stderr."""
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    for command in (["send", "--route", "gemini", "--model", "m"],
                    ["snippet", "--lang", "curl", "--route", "gemini", "--model", "m"],
                    ["convert", "--to", "openai"]):
        r = comet(*command, "--body", str(path))
        assert r.returncode == 2 and r.stdout == "", (command, r)
        assert r.stderr.splitlines() == ["error: the body must be a JSON object, not list",
                                         "fix: wrap the request in { ... }"], command
        missing = comet(*command, "--body", str(tmp_path / "nope.json"))
        assert missing.returncode == 2 and missing.stdout == ""
        assert missing.stderr.startswith(f"error: --body: cannot read {tmp_path / 'nope.json'}")
        assert "fix: check the file path" in missing.stderr


def test_every_subcommand_starts_without_heavy_modules():
    """Parsing every subcommand's arguments loads none of httpx2, sqlite3, pandas, streamlit."""
    code = ("import sys\n"
            "from comet.cli import build_parser\n"
            "build_parser().parse_args(['models'])\n"
            "print([m for m in ('httpx', 'httpx2', 'sqlite3', 'pandas', 'streamlit') if m in sys.modules])\n")
    assert python_prints(code) == ["[]"]


@pytest.mark.parametrize("route", ["gemini", "openai"])
def test_send_adds_the_schema_verdict_when_a_schema_was_asked_for(emulator, route):
    from comet import Route
    from comet.body import features
    from comet.core.call import simple_body
    given = {"type": "object", "properties": {"code": {"type": "string", "maxLength": 3}}, "required": ["code"]}
    body = features.set_schema(Route.parse(route), simple_body(Route.parse(route), "code?"), given)
    r = comet("send", "--route", route, "--model", "gemini-2.5-flash", "--body", "-", stdin=json.dumps(body),
              base_url=emulator.base_url)
    out = printed(r)
    assert r.returncode == 0, r.stderr
    code = json.loads(out["text"])["code"]  # the emulator's made-up string is longer than 3
    assert out["schema"] == {"valid": False, "errors": [
        {"path": "$.code", "message": f"{len(code)} characters, more than maxLength 3"}]}
    plain = printed(comet("send", "--route", route, "--model", "gemini-2.5-flash", "--prompt", "hi",
                          base_url=emulator.base_url))
    assert "schema" not in plain


# The Playground's rules, refused the same way on the command line (issue 11: one rulebook).
PLAYGROUND_REFUSES = [
    ({"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {"thinkingConfig": {"thinkingBudget": 99999}}},
     "thinking budget 99999 is outside gemini-2.5-flash's range", "use -1 (dynamic), or 0 (off) to 24576"),
    ({"contents": [{"parts": [{"text": "hi"}]}],
      "tools": [{"functionDeclarations": [{"name": "get_weather"}]}],
      "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["book_flight"]}}},
     "the request lets the model call 'book_flight', which is not declared",
     "declare it under Function calling, or take it out of Only these functions"),
]


@pytest.mark.parametrize("body, message, fix", PLAYGROUND_REFUSES, ids=["thinking-budget", "allowed-functions"])
def test_send_refuses_what_the_playground_refuses(emulator, body, message, fix):
    from comet import Call, Route
    from comet.body import rules

    emulator.clear()
    shown = rules.problems(Call(Route.GEMINI, "gemini-2.5-flash", body))  # what the editor lists
    assert [(p.message, p.fix) for p in shown] == [(message, fix)]
    r = comet("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--body", "-",
              stdin=json.dumps(body), base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == ""
    assert message in r.stderr and fix in r.stderr
    assert emulator.received == []


def test_send_fills_variables_from_var_and_refuses_one_left_unfilled(emulator):
    emulator.clear()
    body = json.dumps({"contents": [{"role": "user", "parts": [{"text": "Capital of {{country}}? {{tone}}"}]}]})
    r = comet("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--body", "-", "--var", "country=Côte {{d}}",
              "--var", "tone=a=b", stdin=body, base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    assert emulator.received[-1].json["contents"][0]["parts"][0]["text"] == "Capital of Côte {{d}}? a=b"
    emulator.clear()
    r = comet("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--body", "-", "--var", "country=Peru",
              stdin=body, base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == "" and emulator.received == []
    assert r.stderr.splitlines() == ["error: the variable {{tone}} at $.contents[0].parts[0].text has no value",
                                     "fix: pass --var tone=VALUE"]
    r = comet("snippet", "--lang", "curl", "--route", "gemini", "--model", "m", "--prompt", "hi {{x}}", "--var", "x")
    assert r.returncode == 2 and "--var 'x' is not NAME=VALUE" in r.stderr
