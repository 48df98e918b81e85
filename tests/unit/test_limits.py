"""The edge limits (issue 10 items 3, 4 and 8): lone surrogates, deep nesting, huge numbers,
NaN/Infinity and oversized text end in a RequestError naming the JSON path and the fix, from
every door a body comes in by (the JSON tab's parser, a Python body, a model ID, share links
and files, the CLI), and a non-finite number is never written out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from comet import Call, RequestError, Route, parse_json, prepare, validate
from comet.core import limits
from comet.tools import share
from comet.tools.snippets import LANGS, render

ROOT = Path(__file__).resolve().parents[2]
GEMINI_OK = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
OPENAI_OK = {"messages": [{"role": "user", "content": "hi"}]}


def nested(levels: int) -> str:
    return '{"contents": [{"parts": [{"text": "x"}]}], "extra": ' + "[" * levels + "]" * levels + "}"


def problem(exc: pytest.ExceptionInfo) -> tuple[str, str, str]:
    p = exc.value.problems[0]
    return p.path, p.message, p.fix


def test_lone_surrogate_in_json_text_is_named_with_its_path_and_fix():
    with pytest.raises(RequestError) as exc:
        parse_json('{"contents": [{"parts": [{"text": "smile \\ud83d"}]}]}', Route.GEMINI)
    path, message, fix = problem(exc)
    assert path == "$.contents[0].parts[0].text"
    assert "lone surrogate (\\ud83d)" in message and "\\ud83d\\ude00" in fix
    str(exc.value).encode("utf-8")  # the message itself can be printed anywhere


def test_a_whole_surrogate_pair_is_fine():
    body = parse_json('{"contents": [{"parts": [{"text": "smile \\ud83d\\ude00"}]}]}', Route.GEMINI)
    assert body["contents"][0]["parts"][0]["text"] == "smile \U0001F600"


def test_lone_surrogate_in_a_key_and_in_python_bodies():
    body = {"contents": [{"parts": [{"text": "x"}]}], "gen\udc80": 1}
    found = limits.problems(body, "gemini")
    assert [p.path for p in found] == ['$["gen\\udc80"]']
    with pytest.raises(RequestError):
        validate(Call(Route.GEMINI, "gemini-2.5-flash", body))
    with pytest.raises(RequestError) as exc:  # prepare never raises a UnicodeEncodeError
        prepare(Call(Route.GEMINI, "gemini-2.5-flash", body), "http://127.0.0.1:9")
    assert "lone surrogate" in str(exc.value)


@pytest.mark.parametrize("model", ["gemini\ud83d", "a\nb", "m" * 300, 7])
def test_a_model_id_that_cannot_go_into_a_url(model):
    call = Call(Route.GEMINI, model, GEMINI_OK) if isinstance(model, str) else None
    if call is None:
        assert limits.model_problems("gemini", model)[0].path == "model"
        return
    for step in (lambda: validate(call), lambda: prepare(call, "http://127.0.0.1:9"), lambda: share.encode(call)):
        with pytest.raises(RequestError) as exc:
            step()
        assert exc.value.problems[0].path == "model"


@pytest.mark.parametrize("levels", [65, 300, 1200, 5000])
def test_deep_nesting_is_refused_before_anything_recurses(levels):
    with pytest.raises(RequestError) as exc:
        parse_json(nested(levels), Route.GEMINI)
    path, message, _ = problem(exc)
    assert path.startswith("$") and "nested more than 64 levels" in message


def test_sixty_four_levels_are_allowed():
    body = parse_json(nested(62), Route.GEMINI)  # "extra" is level 1, its lists the next 62
    assert limits.problems(body, "gemini") == []


def test_a_deep_python_body_is_refused_by_call_itself():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(RequestError) as exc:
        Call(Route.GEMINI, "gemini-2.5-flash", {**GEMINI_OK, "extra": deep})
    assert exc.value.problems[0].path.startswith("$.extra[0]")


def test_huge_numbers_name_their_place():
    with pytest.raises(RequestError) as exc:  # Python's own parser gives up on this one
        parse_json('{"contents": [],\n "seed": ' + "9" * 5000 + "}", Route.GEMINI)
    p = exc.value.problems[0]
    assert (p.line, p.column) == (2, 10) and "digits" in p.message
    with pytest.raises(RequestError) as exc:
        parse_json('{"generationConfig": {"seed": ' + "9" * 30 + "}}", Route.GEMINI)
    assert problem(exc)[0] == "$.generationConfig.seed"
    assert limits.problems({"seed": 2 ** 64}, "gemini") == []


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_are_refused_at_parse(text):
    with pytest.raises(RequestError) as exc:
        parse_json('{"messages": [{"role": "user", "content": "x"}], "temperature": ' + text + "}", Route.OPENAI)
    path, _, fix = problem(exc)
    assert path == "$.temperature" and "no NaN or Infinity" in fix


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_nan_in_a_python_body_fails_validation_and_is_never_written(value):
    call = Call(Route.OPENAI, "gemini-2.5-flash", {**OPENAI_OK, "temperature": value})
    with pytest.raises(RequestError) as exc:
        validate(call)
    assert exc.value.problems[0].path == "$.temperature"
    with pytest.raises(RequestError):
        prepare(call, "http://127.0.0.1:9")
    for lang in LANGS:
        with pytest.raises(RequestError):
            render(call, lang, base_url="http://127.0.0.1:9")


def test_values_that_are_not_json():
    found = limits.problems({"a": {1, 2}, 3: "x", "b": b"raw"}, "openai")
    assert [p.path for p in found] == ["$.a", "$", "$.b"]


def test_text_over_the_size_limit():
    text = '{"contents": "' + "a" * (limits.MAX_TEXT_BYTES + 1) + '"}'
    with pytest.raises(RequestError) as exc:
        parse_json(text, Route.GEMINI)
    assert "32 MB limit" in problem(exc)[1]


def test_share_links_and_files_refuse_what_they_cannot_carry():
    bad = Call(Route.GEMINI, "gemini-2.5-flash", {"contents": [{"parts": [{"text": "\ud83d"}]}]})
    for step in (share.encode, share.to_file):
        with pytest.raises(RequestError) as exc:
            step(bad)
        assert exc.value.problems[0].path == "$.contents[0].parts[0].text"
    for text in ('{"comet_playground_request": 1, "route": "gemini", "model": "m", "body": '
                 '{"contents": [{"parts": [{"text": "\\udfff"}]}]}}', nested(1500)):
        with pytest.raises(RequestError):
            share.from_file(text.encode())


def run(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "comet", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "COMETAPI_KEY": "sk-limits-test"})


@pytest.mark.parametrize("text", ['{"contents": [{"parts": [{"text": "\\ud83d"}]}]}', nested(1200),
                                  '{"contents": [{"parts": [{"text": "x"}]}], "n": ' + "9" * 5000 + "}",
                                  '{"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"temperature": NaN}}'])
@pytest.mark.parametrize("command", [["send", "--route", "gemini", "--model", "m", "--base-url", "http://127.0.0.1:9"],
                                     ["convert", "--to", "openai"],
                                     ["snippet", "--lang", "python", "--route", "gemini", "--model", "m"]])
def test_the_cli_says_what_is_wrong_and_exits_2(command, text):
    r = run(*command, "--body", "-", stdin=text)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert "$" in r.stderr and "Fix:" in r.stderr


def test_the_cli_refuses_a_prompt_that_is_not_text():
    r = subprocess.run([sys.executable.encode(), b"-m", b"comet", b"send", b"--route", b"openai", b"--model",
                        b"m", b"--prompt", b"caf\xe9 \xff", b"--base-url", b"http://127.0.0.1:9"], cwd=ROOT,
                       capture_output=True, timeout=60, env={"PATH": "/usr/bin:/bin", "COMETAPI_KEY": "sk-x"})
    assert r.returncode == 2 and b"Traceback" not in r.stderr
    assert b"$.messages[0].content" in r.stderr and b"lone surrogate" in r.stderr


@pytest.mark.parametrize("value", [[1, 2], "text", 3])
def test_a_call_whose_body_is_not_an_object_says_so(value):
    for make in (lambda: Call(Route.GEMINI, "m", value), lambda: Call.from_body(Route.OPENAI, value)):
        with pytest.raises(RequestError) as exc:
            make()
        assert problem(exc)[:2] == ("$", f"the body must be a JSON object, not {type(value).__name__}")
