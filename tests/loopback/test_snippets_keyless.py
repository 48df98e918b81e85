"""Snippets for the emulator's address run as pasted with no key set (issue 29): on loopback any
key works, so each falls back to a placeholder and says so; for any other address a snippet
still needs COMETAPI_KEY and holds no placeholder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from comet.core.call import Call, Route, simple_body
from comet.tools.snippets import LANGS, render
from comet.tools.snippets.keys import NOTE, PLACEHOLDER

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "tests" / "node" / "node_modules"
HAVE_NODE = shutil.which("node") is not None and NODE_MODULES.is_dir()
COMMAND = {"curl": ["bash"], "python": [sys.executable], "python-sdk": [sys.executable],
           "node": ["node"], "node-sdk": ["node"]}


def run_keyless(code: str, lang: str, workdir: Path) -> subprocess.CompletedProcess:
    """Run a snippet as pasted into a fresh shell: no COMETAPI_KEY (nor any other key) set."""
    workdir.mkdir(parents=True)
    path = workdir / ("comet.mjs" if lang.startswith("node") else "comet.py" if lang.startswith("python") else "comet.sh")
    path.write_text(code, encoding="utf-8")
    if lang.startswith("node"):
        (workdir / "node_modules").symlink_to(NODE_MODULES)  # ESM ignores NODE_PATH
    env = {"PATH": os.environ["PATH"], "HOME": str(workdir), "LANG": "C.UTF-8", "PYTHONUTF8": "1"}
    return subprocess.run([*COMMAND[lang], path.name], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=120)


def test_every_snippet_for_the_emulator_runs_without_a_key(make_emulator, tmp_path):
    emulator = make_emulator(ttft_ms=0, chunk_ms=0)
    langs = [lang for lang in LANGS if HAVE_NODE or not lang.startswith("node")]
    cases = [(route, stream, lang) for route in Route for stream in (False, True) for lang in langs]

    def run(case):
        route, stream, lang = case
        prompt = f"pasted as is {route.value} {stream} {lang}"
        call = Call(route, "gemini-2.5-flash", simple_body(route, prompt), stream=stream)
        snippet = render(call, lang, base_url=emulator.base_url)
        assert NOTE in snippet.code and PLACEHOLDER in snippet.code
        return prompt, run_keyless(snippet.code, lang, tmp_path / f"{route.value}-{stream}-{lang}")

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, cases))
    for case, (prompt, proc) in zip(cases, results):
        assert proc.returncode == 0, (case, proc.stderr)
        assert "pasted as is" in proc.stdout, (case, proc.stdout)
    keys = {x.headers.get("x-goog-api-key") or x.headers.get("authorization", "").removeprefix("Bearer ")
            for x in emulator.received}
    assert keys == {PLACEHOLDER} and len(emulator.received) == len(cases)


def test_a_key_that_is_set_still_wins_on_the_emulator(make_emulator, tmp_path):
    emulator = make_emulator(ttft_ms=0, chunk_ms=0)
    call = Call(Route.OPENAI, "gemini-2.5-flash", simple_body(Route.OPENAI, "hi"))
    path = tmp_path / "comet.sh"
    path.write_text(render(call, "curl", base_url=emulator.base_url).code, encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "COMETAPI_KEY": "sk-mine"}
    assert subprocess.run(["bash", str(path)], env=env, capture_output=True, timeout=60).returncode == 0
    assert emulator.received[-1].headers["authorization"] == "Bearer sk-mine"


@pytest.mark.parametrize("base_url, local", [
    ("http://127.0.0.1:8000", True), ("http://localhost:8000/", True), ("http://[::1]:9", True),
    ("http://127.9.9.9", True), ("https://api.cometapi.com", False), ("http://127.0.0.1.example.org", False),
    ("http://10.0.0.1:8000", False), ("https://localhost.example.com", False),
])
@pytest.mark.parametrize("lang", LANGS)
def test_only_loopback_addresses_get_the_placeholder(base_url, local, lang):
    for route in Route:
        code = render(Call(route, "m", simple_body(route, "hi")), lang, base_url=base_url).code
        assert (PLACEHOLDER in code) is local and (NOTE in code) is local
        assert "COMETAPI_KEY" in code
