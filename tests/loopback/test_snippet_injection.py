"""No text in a body can become code in a snippet (issue: hostile input, item 1).

A body reaches the snippet generators from a share link, a request file or the JSON tab, so its
keys and values are attacker-controlled. Each hostile string below is put in every place a body
can hold text (keys the SDKs cannot carry, which the SDK snippets name in a comment; keys they
can; values) on both routes, and every flavour is checked three ways: it parses (``compile``,
as an ES module in ``node``, ``bash -n``); the marker ``PWNED`` appears only inside string literals and
comments, never as code; and the curl snippet, run by bash with a fake ``curl`` on the PATH,
never runs the ``PWNED`` command.
"""

from __future__ import annotations

import ast
import os
import shutil
import stat
import subprocess

import pytest
from fuzz_support import unparsed

from comet.core.call import Call, Route
from comet.tools.snippets import LANGS, render

MARKER = "PWNED"
HOSTILE = [
    f"x\n{MARKER}()\n#",                  # a newline ends a comment
    f"x\r\n{MARKER}()\r\n//",
    f"x\u2028{MARKER}()\u2029",          # JavaScript line terminators
    "nul\x00byte",                         # NUL: no compiler takes it raw
    f'"); {MARKER}(); ("',                 # closing a double-quoted string
    f"'; {MARKER}; '",                     # closing a single-quoted string
    f"*/ {MARKER}() /*",                   # closing a block comment
    f"${{{MARKER}()}}",                    # template literal / shell expansion
    f"$({MARKER})",                        # shell command substitution
    f"`{MARKER}`",                         # backticks
    f"\\\n{MARKER}()",                     # a backslash before a newline continues a line
    f"JSON\n{MARKER}\nJSON",               # a heredoc delimiter on its own line
    f"EOF\n{MARKER}\nEOF",
    "\u202e}{\u2066",                      # bidi controls (Trojan Source)
]


def _bodies(text: str) -> list[tuple[Route, dict]]:
    """Bodies holding ``text`` in each place a body can hold text."""
    gemini = {
        "contents": [{"role": "user", text: 1,
                      "parts": [{"text": text, text: True}]}],
        "systemInstruction": {"parts": [{"text": text}], text: 2},
        "generationConfig": {"temperature": 0.5, text: text},
        text: {text: [text]},
    }
    tool = {"functionDeclarations": [{"name": "f", "description": text,
                                      "parameters": {"type": "object", "properties": {text: {"type": "string"}}}}]}
    openai = {
        "messages": [{"role": "system", "content": text}, {"role": "user", "content": text, text: text}],
        "max_completion_tokens": 5,
        text: {text: text},
    }
    return [(Route.GEMINI, gemini), (Route.GEMINI, {**gemini, "tools": [tool]}), (Route.OPENAI, openai)]


CASES = [(f"{i}.{j}", route, body, stream) for i, text in enumerate(HOSTILE)
         for j, (route, body) in enumerate(_bodies(text)) for stream in (False, True)]


def _snippets():
    for i, route, body, stream in CASES:
        call = Call(route, "gemini-2.5-flash", body, stream=stream)
        for lang in LANGS:
            yield f"{i}-{route.value}-{'stream' if stream else 'plain'}-{lang}", lang, \
                render(call, lang, base_url="http://127.0.0.1:9").code


SNIPPETS = list(_snippets())


def _js_code_only(source: str) -> str:
    """JavaScript ``source`` without its comments and string literals (the generators write
    double-quoted strings only, and no template or regex literals)."""
    out, i, n = [], 0, len(source)
    while i < n:
        if source.startswith("//", i):
            while i < n and source[i] not in "\n\r\u2028\u2029":
                i += 1
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif source[i] == '"':
            i += 1
            while i < n and source[i] != '"':
                i += 2 if source[i] == "\\" else 1
            i += 1
        else:
            out.append(source[i])
            i += 1
    return "".join(out)


@pytest.mark.parametrize("name,lang,code", [s for s in SNIPPETS if s[1].startswith("python")],
                         ids=[s[0] for s in SNIPPETS if s[1].startswith("python")])
def test_python_snippets_hold_hostile_text_only_in_literals(name, lang, code):
    tree = ast.parse(code)  # a NUL or a broken string fails here
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert MARKER not in names
    assert all(ch.isprintable() or ch == "\n" for ch in code), "an invisible or control character"


def test_node_snippets_parse_and_hold_hostile_text_only_in_literals():
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    node_snippets = [(name, lang, code) for name, lang, code in SNIPPETS if lang.startswith("node")]
    for name, _, code in node_snippets:
        assert MARKER not in _js_code_only(code), name
        assert all(ch.isprintable() or ch == "\n" for ch in code), name
    # parsed as ES modules, as `node --check` parses a .mjs file, all in one node process
    assert unparsed([(lang, code) for _, lang, code in node_snippets]) == []
    assert len(node_snippets) == len(CASES) * 2


def test_curl_snippets_parse_and_run_no_injected_command(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ran = tmp_path / "pwned"
    for name, body in (("curl", "cat >/dev/null\n"), (MARKER, f"touch '{ran}'\n")):
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "COMETAPI_KEY": "k"}
    curls = [s for s in SNIPPETS if s[1] == "curl"]
    for name, _, code in curls:
        path = tmp_path / f"{name}.sh"
        path.write_text(code, encoding="utf-8")
        assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0, name
        result = subprocess.run(["bash", str(path)], capture_output=True, text=True, env=env, timeout=30)
        assert result.returncode == 0, f"{name}: {result.stderr}"
        assert not ran.exists(), f"{name} ran the injected command"
    assert len(curls) == len(CASES)


def test_the_sdk_comment_names_an_odd_key_as_an_escaped_json_path():
    body = {"contents": [{"role": "user", "parts": [{"text": "hi", f"k\n{MARKER}()": 1}]}]}
    code = render(Call(Route.GEMINI, "gemini-2.5-flash", body), "python-sdk", base_url="http://x").code
    assert f'# Left out: $.contents[0].parts[0]["k\\n{MARKER}()"] (the SDK has no field for it).' in code
