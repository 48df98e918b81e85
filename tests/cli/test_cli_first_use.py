"""The command line as a new user meets it (issue 29): ``send`` with nothing but a prompt, token
counts on an OpenAI-compatible stream, ``doctor`` in demo mode, ``import curl`` on a terminal and
piped into ``send``, ``send --import``, and ``usage: comet`` when run as ``comet``."""

from __future__ import annotations

import base64
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import ROOT, comet, environ, printed

CURL = """curl -sS "$BASE/v1/chat/completions" \\
  -H "Authorization: Bearer $COMETAPI_KEY" -H 'Content-Type: application/json' \\
  -d '{"model": "gemini-2.5-pro", "stream": true, "messages": [{"role": "user", "content": "from curl"}]}'
"""


def test_send_with_only_a_prompt_goes_to_gemini_flash(emulator):
    emulator.clear()
    r = comet("send", "--prompt", "hi", base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    assert printed(r)["ok"]
    assert [x.path for x in emulator.received] == ["/v1beta/models/gemini-2.5-flash:generateContent"]


def test_send_with_only_a_prompt_works_in_demo_mode():
    r = comet("send", "--prompt", "hello there", key=None)
    assert r.returncode == 0, r.stderr
    assert "hello there" in printed(r)["text"] and "demo mode" in r.stderr


def test_send_takes_an_openai_body_without_route_or_model(emulator):
    """The body says which route it is written for, and an OpenAI body names its model."""
    emulator.clear()
    body = {"model": "gemini-2.5-pro", "messages": [{"role": "user", "content": "hi"}]}
    r = comet("send", "--body", "-", stdin=json.dumps(body), base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    sent = emulator.received[-1]
    assert sent.path == "/v1/chat/completions" and sent.json["model"] == "gemini-2.5-pro"


def test_openai_stream_asks_for_usage_and_prints_real_counts(emulator):
    emulator.clear()
    r = comet("send", "--route", "openai", "--stream", "--prompt", "count me", base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    usage = printed(r)["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0 and usage["total_tokens"] > 0
    assert emulator.received[-1].json["stream_options"] == {"include_usage": True}


def test_a_body_that_says_no_to_usage_is_kept(emulator):
    emulator.clear()
    body = {"messages": [{"role": "user", "content": "hi"}], "stream_options": {"include_usage": False}}
    r = comet("send", "--route", "openai", "--stream", "--body", "-", stdin=json.dumps(body),
              base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    assert emulator.received[-1].json["stream_options"] == {"include_usage": False}
    assert printed(r)["usage"]["output_tokens"] is None


def test_the_snippet_of_an_openai_stream_asks_for_usage_too():
    r = comet("snippet", "--lang", "curl", "--route", "openai", "--stream", "--prompt", "hi")
    assert r.returncode == 0, r.stderr
    assert '"stream_options": {"include_usage": true}' in r.stdout


def test_doctor_without_key_or_base_url_checks_the_built_in_emulator():
    r = comet("doctor", "--format", "json", key=None)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["requests"] == 2
    note = r.stderr.strip()
    assert note.startswith("note: no COMETAPI_KEY, so this is demo mode") and "http://127.0.0.1:" in note
    assert len(note.splitlines()) == 1
    table = comet("doctor", key=None)
    assert table.returncode == 0 and "Every check passed." in table.stdout
    assert "this machine" in table.stdout


def test_doctor_with_a_base_url_and_no_key_still_reports_the_key_missing(emulator):
    emulator.clear()
    r = comet("doctor", key=None, base_url=emulator.base_url)
    assert r.returncode == 1 and "fail: missing" in r.stdout and "demo mode" not in r.stderr
    assert emulator.received == []


def _on_a_terminal(*args: str, typed: str) -> tuple[int, str, str]:
    """Run ``python -m comet ARGS`` with standard input on a pseudo-terminal; wait for a line on
    stderr before typing ``typed`` and Ctrl-D. Returns the exit code, stdout and stderr."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "comet", *args], cwd=ROOT, env=environ(),
                            stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(slave)
    try:
        ready, _, _ = select.select([proc.stderr], [], [], 30)
        assert ready, "nothing on stderr: the command waits silently"
        said = os.read(proc.stderr.fileno(), 4096).decode()
        os.write(master, typed.encode() + b"\n\x04")
        out, err = proc.communicate(timeout=60)
        return proc.returncode, out.decode(), said + err.decode()
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()


def test_import_curl_on_a_terminal_says_what_it_waits_for():
    command = CURL.replace("\\\n", " ").replace("\n", " ").replace("$BASE", "https://api.cometapi.com")
    code, out, err = _on_a_terminal("import", "curl", typed=command)
    assert err.splitlines()[0] == ("waiting for the curl command on standard input: paste it, then press "
                                   "Enter and Ctrl-D (or pass a file instead of -)")
    assert code == 0, err
    assert json.loads(out)["model"] == "gemini-2.5-pro"


def test_import_curl_from_a_pipe_prints_no_prompt(tmp_path):
    r = comet("import", "curl", stdin=CURL.replace("$BASE", "https://api.cometapi.com"))
    assert r.returncode == 0 and r.stderr == ""


def test_import_curl_pipes_into_send(emulator, tmp_path):
    """`comet import curl < cmd.txt | comet send --body -`: send reads the envelope's route, model,
    stream and body (the address is send's own: a key never follows a pasted URL)."""
    (tmp_path / "cmd.txt").write_text(CURL.replace("$BASE", "https://example.org"), encoding="utf-8")
    emulator.clear()
    pipe = subprocess.run(f"{sys.executable} -m comet import curl < {tmp_path / 'cmd.txt'} | "
                          f"{sys.executable} -m comet send --body -", shell=True, cwd=ROOT,
                          env=environ(base_url=emulator.base_url), capture_output=True, text=True, timeout=60)
    assert pipe.returncode == 0, pipe.stderr
    out = json.loads(pipe.stdout)
    assert out["ok"] and "from curl" in out["text"] and out["usage"]["output_tokens"] > 0
    [sent] = emulator.received
    assert sent.path == "/v1/chat/completions"
    assert sent.json["model"] == "gemini-2.5-pro" and sent.json["stream"] is True


@pytest.mark.parametrize("from_file", [True, False])
def test_send_import_takes_a_curl_command(emulator, tmp_path, from_file):
    gemini = ("curl 'https://api.cometapi.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse' "
              "-H \"x-goog-api-key: $COMETAPI_KEY\" --data-binary @- <<'JSON'\n"
              '{"contents": [{"role": "user", "parts": [{"text": "imported"}]}]}\nJSON\n')
    path = tmp_path / "cmd.sh"
    path.write_text(gemini, encoding="utf-8")
    emulator.clear()
    r = comet("send", "--import", str(path) if from_file else "-", stdin=None if from_file else gemini,
              base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    assert "imported" in printed(r)["text"]
    assert emulator.received[-1].path == "/v1beta/models/gemini-2.5-pro:streamGenerateContent"


def test_send_import_with_a_prompt_is_refused_naming_both(emulator):
    r = comet("send", "--import", "-", "--prompt", "hi", stdin="curl x", base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == ["error: give --prompt or --import, not both", "fix: keep one of them"]


def test_send_import_of_a_broken_command_exits_2_with_the_fix(emulator):
    r = comet("send", "--import", "-", stdin="wget https://example.org", base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert r.stderr.startswith("error: no curl command found") and "fix: paste one curl command" in r.stderr


def test_a_bad_envelope_route_names_the_field(emulator):
    body = {"route": "anthropic", "model": "m", "stream": False, "body": {"messages": []}}
    r = comet("send", "--body", "-", stdin=json.dumps(body), base_url=emulator.base_url)
    assert r.returncode == 2 and r.stdout == ""
    assert "route" in r.stderr and "gemini" in r.stderr and "openai" in r.stderr


def test_help_says_comet_when_run_as_comet(tmp_path):
    """The `comet` command pip writes is a script that calls comet.cli:main; argv[0] is its path."""
    script = tmp_path / "bin" / "comet"
    script.parent.mkdir()
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom comet.cli import main\nsys.exit(main())\n")
    script.chmod(0o755)
    env = {**environ(), "PYTHONPATH": str(ROOT)}
    as_comet = subprocess.run([str(script), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=60)
    assert as_comet.returncode == 0 and as_comet.stdout.startswith("usage: comet ")
    sub = subprocess.run([str(script), "send", "--help"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=60)
    assert sub.stdout.startswith("usage: comet send ")
    as_module = comet("--help")
    assert as_module.returncode == 0 and as_module.stdout.startswith("usage: python -m comet ")


def test_send_takes_a_shared_request_file_with_its_media(emulator, tmp_path):
    """The file the app's Share gives for a request too big for a link (media included)."""
    from snippet_golden import CAT

    from comet.core.call import Call, Route
    from comet.tools.share import to_file

    body = {"contents": [{"role": "user", "parts": [
        {"text": "what is this?"}, {"inlineData": {"mimeType": "image/png", "data": CAT.token}}]}]}
    path = tmp_path / "request.json"
    path.write_bytes(to_file(Call(Route.GEMINI, "gemini-2.5-pro", body, attachments=(CAT,))))
    emulator.clear()
    r = comet("send", "--body", str(path), base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    [sent] = emulator.received
    assert sent.path == "/v1beta/models/gemini-2.5-pro:generateContent"
    assert base64.b64decode(sent.json["contents"][0]["parts"][1]["inlineData"]["data"]) == CAT.data
    damaged = json.loads(path.read_text())
    damaged["attachments"][0]["data"] = "not base64!"
    path.write_text(json.dumps(damaged))
    r = comet("send", "--body", str(path), base_url=emulator.base_url)
    assert r.returncode == 2 and r.stderr.startswith("error: --body: $.attachments[0] is damaged")
