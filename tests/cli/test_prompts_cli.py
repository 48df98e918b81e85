"""``python -m comet prompts ...`` and ``send``/``snippet --saved`` as a user runs them, on SQLite and
PostgreSQL: save twice, label, show by label, diff, a recorded run that knows its version in
``history export``, and bad input that exits 2 with nothing overwritten."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from cli_support import ROOT, environ

from comet import Call
from comet.cli import main
from comet.store import open_store

V1 = {"contents": [{"role": "user", "parts": [{"text": "What is the capital of {{country}}?"}]}]}
V2 = {"contents": [{"role": "user", "parts": [{"text": "Name the capital of {{country}} in one word."}]}],
      "generationConfig": {"temperature": 0.2}}


def run(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**environ(key=None), "COMET_HISTORY_URL": url, "COMET_USER": "ana@team.example"}
    return subprocess.run([sys.executable, "-m", "comet", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


def ok(url: str, *args: str, stdin: str | None = None) -> list[dict]:
    r = run(url, *args, stdin=stdin)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_save_label_show_diff_and_a_recorded_run_knows_its_version(history_url, tmp_path):
    body = tmp_path / "v1.json"
    body.write_text(json.dumps(V1))
    assert ok(history_url, "prompts", "save", "capitals", "--body", str(body), "--message", "first")[0]["version"] == 1
    second = ok(history_url, "prompts", "save", "capitals", "--body", "-", "--message", "terser", stdin=json.dumps(V2))
    assert second == [{"prompt": "capitals", "version": 2, "message": "terser", "created_by": "ana@team.example"}]
    ok(history_url, "prompts", "label", "capitals", "1", "production")
    moved = ok(history_url, "prompts", "label", "capitals", "2", "production")[0]
    assert (moved["from_version"], moved["to_version"]) == (1, 2)
    listed = ok(history_url, "prompts", "list")
    assert [(p["name"], p["latest"], p["labels"]) for p in listed] == [("capitals", 2, {"production": 2})]
    shown = ok(history_url, "prompts", "show", "capitals:production")[0]
    assert (shown["version"], shown["body"], shown["labels"], shown["message"]) == (2, V2, ["production"], "terser")
    assert ok(history_url, "prompts", "show", "capitals@1")[0]["body"] == V1
    diff = ok(history_url, "prompts", "diff", "capitals", "1", "2")[0]
    assert [(c["path"], c["kind"]) for c in diff["changes"]] == [
        ("$.body.contents[0].parts[0].text", "changed"), ("$.body.generationConfig", "added")]
    assert {"op": "insert", "text": " in one word."} in diff["words"]
    sent = ok(history_url, "send", "--prompt", "capitals@2", "--var", "country=France", "--record")[0]
    assert sent["ok"] and "Name the capital of France in one word." in sent["text"]
    ok(history_url, "send", "--saved", "capitals@1", "--var", "country=Peru", "--model", "gemini-2.5-pro", "--record")
    ok(history_url, "send", "--prompt", "not from the library", "--record")
    exported = json.loads(run(history_url, "history", "export", "--format", "json").stdout)
    found = [(r["prompt_name"], r["prompt_version"], r["prompt_modified"]) for r in exported]
    assert found == [(None, None, None), ("capitals", 1, True), ("capitals", 2, False)]
    only = json.loads(run(history_url, "history", "export", "--format", "json", "--of-prompt", "capitals@2").stdout)
    assert [r["prompt_version"] for r in only] == [2]
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps({"request": {"prompt": "capitals", "label": "production"},
                                 "targets": [{"prompt": "capitals", "version": 1}, {"prompt": "capitals", "version": 2}],
                                 "cases": [{"vars": {"country": "France"}}, {"vars": {"country": "Peru"}}],
                                 "assert": [{"type": "icontains", "value": "one word"}]}))
    r = run(history_url, "batch", str(suite), "--format", "json")
    assert r.returncode == 1, r.stderr  # version 1 fails the assertion
    rates = {}
    for row in json.loads(r.stdout)["cases"]:
        rates.setdefault(row["target"], []).append(row["pass_rate"])
    assert rates == {"capitals v1 · Gemini native · gemini-2.5-flash": [0.0, 0.0],
                     "capitals v2 · Gemini native · gemini-2.5-flash": [1.0, 1.0]}


def test_snippet_takes_a_saved_prompt(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    ok(url, "prompts", "save", "capitals", "--body", "-", stdin=json.dumps(V2))
    r = run(url, "snippet", "--lang", "curl", "--saved", "capitals", "--var", "country=Peru")
    assert r.returncode == 0 and "Name the capital of Peru in one word." in r.stdout and "temperature" in r.stdout


BAD = [
    (("prompts", "show", "nothing"), "no prompt named 'nothing'"),
    (("prompts", "show", "capitals@9"), "no version 9; it has versions 1 to 1"),
    (("prompts", "show", "capitals:gold"), "has no label 'gold'"),
    (("prompts", "label", "capitals", "1", "two words"), "holds a space"),
    (("prompts", "label", "capitals", "1", "bell\x07"), "holds '\\x07'"),
    (("prompts", "label", "capitals", "3", "production"), "no version 3"),
    (("prompts", "label", "capitals", "one", "production"), "VERSION 'one' is not a version number"),
    (("prompts", "diff", "capitals", "1", "gold"), "has no label 'gold'"),
    (("prompts", "save", "capitals"), "prompts save needs the request"),
    (("prompts", "save", "Example: Function calling", "--body", "-"), "built-in example"),
    (("send", "--saved", "capitals:gold"), "has no label 'gold'"),
    (("send", "--prompt", "capitals:gold"), "has no label 'gold'"),
    (("send", "--prompt", "capitals@4"), "no version 4"),
    (("send", "--saved", "capitals", "--route", "openai"), "written for the gemini route"),
    (("snippet", "--lang", "curl", "--saved", "capitals", "--prompt", "hi"), "give --prompt or --saved"),
]


@pytest.fixture(scope="module")
def one_version(tmp_path_factory):
    """A store holding capitals v1 labelled production (bad input must leave exactly that)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('prompts') / 'h.sqlite3'}"
    with open_store(url) as store:
        store.save_prompt("capitals", Call("gemini", "gemini-2.5-flash", V1))
        store.label_prompt("capitals", 1, "production")
    return url


@pytest.mark.parametrize("args, says", BAD)
def test_bad_input_exits_2_and_changes_nothing(one_version, args, says, monkeypatch, capsys):
    monkeypatch.setenv("COMET_HISTORY_URL", one_version)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(V2)))
    assert main(list(args)) == 2  # in-process: a traceback would fail the test itself
    assert says in capsys.readouterr().err
    with open_store(one_version) as store:
        assert [v.body for v in store.prompt_versions("capitals")] == [V1]
        assert store.prompt_labels("capitals") == {"production": 1} and store.count() == 0


def test_a_prompt_text_that_names_no_saved_prompt_is_sent_as_text(one_version, monkeypatch, capsys):
    monkeypatch.setenv("COMET_HISTORY_URL", one_version)
    for text in ("Note:hello", "hi", "what is 2+2?"):
        assert main(["send", "--prompt", text]) == 0
        assert f'You wrote: "{text}"' in json.loads(capsys.readouterr().out)["text"]
    monkeypatch.setenv("COMET_HISTORY_URL", "sqlite:////nonexistent/folder/h.sqlite3")  # none is created to ask
    assert main(["send", "--prompt", "capitals@1"]) == 0 and "capitals@1" in capsys.readouterr().out
