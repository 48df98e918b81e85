"""Import from curl: ``python -m comet import curl`` over a table of commands in the shapes people
paste (quoting as bash reads it, here-documents, files), the key cases (a key written into the
command is dropped and never printed), the error cases (exit 2 with the fix), and every golden
curl snippet importing back to the request it was made from. Also the bash-words reader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from comet.core.call import Route
from comet.tools.curl_import import CurlImportError, parse
from comet.tools.shell_words import ShellSyntaxError, split
from snippet_golden import GOLDEN, MODEL, scenario_call

ROOT = Path(__file__).resolve().parents[2]
GEMINI_URL = "https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent"
OPENAI_URL = "https://api.cometapi.com/v1/chat/completions"
HI = {"contents": [{"parts": [{"text": "hi"}]}]}
OUT_KEYS = {"route", "model", "stream", "body", "base_url", "warnings"}


def comet_import(command: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMETAPI_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "comet", "import", "curl", *args], cwd=cwd, env=env,
                          input=command, capture_output=True, text=True, timeout=60)


def imported(command: str, *args: str, cwd: Path = ROOT) -> dict:
    r = comet_import(command, *args, cwd=cwd)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == OUT_KEYS
    return out


# ---- the shapes --------------------------------------------------------------------------------

SHAPES = {
    "-d single quotes": (f"curl {GEMINI_URL} -d '{json.dumps(HI)}'", "gemini", False, HI),
    "--data double quotes": (
        f'curl "{GEMINI_URL}" --data "{{\\"contents\\": [{{\\"parts\\": [{{\\"text\\": \\"say \\\\\\"$\\\\\\"\\"}}]}}]}}"',
        "gemini", False, {"contents": [{"parts": [{"text": 'say "$"'}]}]}),
    "--data-raw keeps a leading @": (
        f"""curl {OPENAI_URL} --data-raw '{{"model": "gemini-2.5-flash", "messages": [{{"role": "user", "content": "@me"}}]}}'""",
        "openai", False, {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "@me"}]}),
    "--json, OpenAI stream in the body": (
        f"""curl -sS -N {OPENAI_URL} --json '{{"model": "gemini-2.5-pro", "stream": true, "messages": []}}'""",
        "openai", True, {"model": "gemini-2.5-pro", "stream": True, "messages": []}),
    "quoted here-document, continuations, comments": (
        "# from the docs\n"
        f"curl -s -X POST \\\n  --url '{GEMINI_URL}' \\\n  -H 'Content-Type: application/json' \\\n"
        "  --data-binary @- <<'EOF'  # the body follows\n"
        '{"contents": [{"parts": [{"text": "cost $5 \\\\ `x`"}]}]}\nEOF\n',
        "gemini", False, {"contents": [{"parts": [{"text": "cost $5 \\ `x`"}]}]}),
    "unquoted here-document with escapes": (
        f"curl {GEMINI_URL} -d @- <<JSON\n" + '{"contents": [{"parts": [{"text": "\\$HOME \\\\n"}]}]}\nJSON\n',
        "gemini", False, {"contents": [{"parts": [{"text": "$HOME \n"}]}]}),
    "<<- strips tabs": (
        f"curl {GEMINI_URL} -d @- <<-'JSON'\n\t" + json.dumps(HI) + "\n\tJSON\n", "gemini", False, HI),
    "$'...' ANSI-C quoting": (
        f"curl {GEMINI_URL} -d $'{{\"contents\": [{{\"parts\": [{{\"text\": \"it\\'s caf\\\\u00e9 \\xc3\\xa9\"}}]}}]}}'",
        "gemini", False, {"contents": [{"parts": [{"text": "it's café é"}]}]}),
    "streamGenerateContent?alt=sse, clustered flags": (
        f"curl -sSN 'https://api.cometapi.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse' "
        f"--request POST -d '{json.dumps(HI)}'", "gemini", True, HI),
    "-d@FILE attached, $ prompt pasted": (f"$ curl {GEMINI_URL} -d@body.json", "gemini", False, HI),
    "--data-binary @FILE": (f"curl {GEMINI_URL} --data-binary @body.json -o out.txt", "gemini", False, HI),
    "here-string": (f"curl {GEMINI_URL} -d @- <<< '{json.dumps(HI)}'", "gemini", False, HI),
    "@- from < FILE": (f"curl {GEMINI_URL} -d @- < body.json 2>/dev/null | jq .", "gemini", False, HI),
    "-XPOST and -H attached, --": (f"curl -XPOST -H'Accept: application/json' -d '{json.dumps(HI)}' -- {GEMINI_URL}",
                                   "gemini", False, HI),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_import_shapes(name, tmp_path):
    command, route, stream, body = SHAPES[name]
    (tmp_path / "body.json").write_text(json.dumps(HI, indent=2), encoding="utf-8")
    out = imported(command, cwd=tmp_path)
    assert (out["route"], out["stream"], out["body"]) == (route, stream, body)
    assert out["model"] == (body.get("model") if route == "openai" else
                            "gemini-2.5-pro" if "2.5-pro" in command else MODEL)
    assert out["base_url"] == "https://api.cometapi.com"
    assert out["warnings"] == []


def test_import_reads_a_file_argument(tmp_path):
    (tmp_path / "cmd.sh").write_text(f"curl {GEMINI_URL} -d '{json.dumps(HI)}'\n", encoding="utf-8")
    assert imported("", "cmd.sh", cwd=tmp_path)["body"] == HI


def test_other_host_keeps_the_path_and_warns():
    out = imported(f"curl http://localhost:8080/proxy/v1/chat/completions -d '{{\"model\": \"m\", \"messages\": []}}'")
    assert (out["route"], out["model"], out["base_url"]) == ("openai", "m", "http://localhost:8080/proxy")
    assert any("localhost" in w and "not CometAPI" in w for w in out["warnings"])
    google = imported("curl 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:"
                      f"streamGenerateContent' -d '{json.dumps(HI)}'")
    assert (google["route"], google["model"], google["stream"]) == ("gemini", "gemini-2.0-flash", True)
    assert any("alt=sse" in w for w in google["warnings"])


# ---- keys -----------------------------------------------------------------------------------------

KEY = "AIzaSyD-literal-key-0123456789"
KEY_CASES = {
    "x-goog-api-key header": f"curl {GEMINI_URL} -H 'x-goog-api-key: {KEY}' -d '{json.dumps(HI)}'",
    "Authorization: Bearer": f"curl {GEMINI_URL} -H \"Authorization: Bearer {KEY}\" -d '{json.dumps(HI)}'",
    "?key= in the URL": f"curl '{GEMINI_URL}?key={KEY}' -d '{json.dumps(HI)}'",
    "-u user:password": f"curl -u 'me:{KEY}' {GEMINI_URL} -d '{json.dumps(HI)}'",
    "user:password@ in the URL": f"curl 'https://me:{KEY}@api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent' -d '{json.dumps(HI)}'",
    "a key from a variable set in the script": f"K={KEY}\ncurl {GEMINI_URL} -H \"x-goog-api-key: $K\" -d '{json.dumps(HI)}'",
}


@pytest.mark.parametrize("name", list(KEY_CASES))
def test_a_written_key_is_dropped_with_a_warning_and_never_printed(name):
    r = comet_import(KEY_CASES[name])
    assert r.returncode == 0, r.stderr
    assert KEY not in r.stdout and KEY not in r.stderr
    out = json.loads(r.stdout)
    assert out["body"] == HI and out["route"] == "gemini"
    assert any("dropped" in w for w in out["warnings"]), out["warnings"]


def test_a_key_read_from_a_variable_is_not_a_written_key():
    own = imported(f'curl {GEMINI_URL} -H "x-goog-api-key: $COMETAPI_KEY" -d \'{json.dumps(HI)}\'')
    assert own["warnings"] == []
    other = imported(f"curl '{GEMINI_URL}?key=$GEMINI_API_KEY' -H \"Authorization: Bearer ${{OPENAI_KEY}}\" "
                     f"-d '{json.dumps(HI)}'")
    assert not any("dropped" in w for w in other["warnings"])
    assert any("${OPENAI_KEY}" in w for w in other["warnings"])


# ---- errors ---------------------------------------------------------------------------------------

ERRORS = {
    "no curl": ("wget https://example.com", "no curl command"),
    "no URL": (f"curl -d '{json.dumps(HI)}'", "no URL"),
    "two URLs": (f"curl {GEMINI_URL} {OPENAI_URL} -d '{{}}'", "2 URLs"),
    "neither route": ("curl https://api.cometapi.com/v1/embeddings -d '{}'", "neither route"),
    "countTokens": ("curl https://api.cometapi.com/v1beta/models/m:countTokens -d '{}'", ":countTokens"),
    "no body": (f"curl {GEMINI_URL}", "no request body"),
    "two bodies": (f"curl {GEMINI_URL} -d '{{}}' -d '{{}}'", "2 bodies"),
    "a form": (f"curl {GEMINI_URL} -F 'file=@cat.png'", "multipart form"),
    "invalid JSON": (f"curl {GEMINI_URL} -d '{{\"contents\": [}}'", "line 1, column"),
    "not an object": (f"curl {GEMINI_URL} -d '[1]'", "must be a JSON object"),
    "unclosed quote": (f"curl {GEMINI_URL} -d '{{}}", "never closed"),
    "OpenAI body without a model": (f"curl {OPENAI_URL} -d '{{\"messages\": []}}'", '"model"'),
    "missing body file": (f"curl {GEMINI_URL} -d @nowhere.json", "nowhere.json"),
    "@- with nothing on stdin": (f"curl {GEMINI_URL} -d @-", "standard input"),
    "an option without its value": (f"curl {GEMINI_URL} -d '{{}}' -H", "-H needs a value"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_import_errors_exit_2_with_the_fix(name):
    command, expected = ERRORS[name]
    r = comet_import(command)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert expected in r.stderr
    assert "fix:" in r.stderr and "Traceback" not in r.stderr


def test_import_of_a_missing_command_file_exits_2():
    r = comet_import("", "no-such-command.sh")
    assert r.returncode == 2 and "no-such-command.sh" in r.stderr and "Traceback" not in r.stderr


def test_without_a_folder_files_are_refused():
    with pytest.raises(CurlImportError, match="cannot be read here"):
        parse(f"curl {GEMINI_URL} -d @body.json", cwd=None)


# ---- every golden curl snippet imports back to its request ------------------------------------------

GOLDEN_CURL = sorted(GOLDEN.glob("*/*/curl.sh"))


def test_there_are_golden_curl_snippets():
    assert len(GOLDEN_CURL) >= 14


@pytest.mark.parametrize("path", GOLDEN_CURL, ids=lambda p: f"{p.parent.parent.name}-{p.parent.name}")
def test_golden_curl_snippets_import_back_to_the_same_request(path):
    expected = scenario_call(path.parent.parent.name, Route.parse(path.parent.name))
    found = parse(path.read_text(encoding="utf-8"), cwd=None)
    got = found.call()
    assert (got.route, got.model, got.stream, got.body) == (expected.route, expected.model, expected.stream,
                                                            expected.body)
    assert found.base_url == "https://api.cometapi.com"
    assert found.attachments == tuple(a.name for a in expected.attachments)
    assert not any("dropped" in w or "not CometAPI" in w for w in found.warnings)


# ---- the bash-words reader ------------------------------------------------------------------------

def test_words_as_bash_reads_them():
    script = split("A=1 B='two words'\n"
                   "printf '%s' a\\ b \"c$A\" $'d\\te' \"${B}\" $UNSET '' x#y # gone\n"
                   "cat <<X; echo after\nline $A\nX\n")
    first, second, third = script.commands
    assert first.words == ["printf", "%s", "a b", "c1", "d\te", "two words", "$UNSET", "", "x#y"]
    assert (second.words, second.stdin) == (["cat"], "line 1\n")
    assert third.words == ["echo", "after"]
    assert script.unexpanded == ["UNSET"]


def test_unterminated_shell_is_an_error():
    for text in ("echo 'a", 'echo "a', "echo $'a", "echo $(a", "echo `a"):
        with pytest.raises(ShellSyntaxError):
            split(text)


@pytest.mark.parametrize("name", list(SHAPES))
def test_the_reader_agrees_with_bash(name, tmp_path):
    """Real bash runs each command with ``curl`` defined as a function that prints its
    arguments and standard input; the reader must see the same words and the same body."""
    command = SHAPES[name][0].replace("$ curl", "curl").replace(" | jq .", "")
    (tmp_path / "body.json").write_text(json.dumps(HI), encoding="utf-8")
    show = "curl() { printf '%s\\0' \"$@\"; printf '\\1'; cat; }\n"
    done = subprocess.run(["bash", "-c", show + command], cwd=tmp_path, capture_output=True, timeout=30,
                          env={"PATH": os.environ["PATH"]})
    assert done.returncode == 0, done.stderr
    args, _, stdin = done.stdout.decode("utf-8").partition("\1")
    (found,) = [c for c in split(command).commands if c.words[0] == "curl"]
    assert found.words[1:] == args.split("\0")[:-1]
    if found.stdin is not None:
        assert found.stdin == stdin
