"""The emulator in users' CI: ``--record`` on both routes (the key never in the file), ``--seed``,
the ``fault`` override, and the ``comet_emulator`` pytest fixture running the documented example
test in a pytest of its own."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from comet.emulator import Emulator
from comet.emulator.record import REDACTED

openai = pytest.importorskip("openai")
genai = pytest.importorskip("google.genai")

ROOT = Path(__file__).resolve().parents[2]
FLASH = "gemini-2.5-flash"
SECRET = "sk-record-canary-5d1e"


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_record_both_routes_through_the_official_sdks(tmp_path):
    path = tmp_path / "requests.jsonl"
    with Emulator(ttft_ms=0, chunk_ms=0, record=path) as emu:
        oai = openai.OpenAI(api_key=SECRET, base_url=emu.base_url + "/v1", max_retries=0)
        oai.chat.completions.create(model=FLASH, messages=[{"role": "user", "content": "plain one"}])
        list(oai.chat.completions.create(model=FLASH, stream=True,
                                         messages=[{"role": "user", "content": "streamed one"}]))
        gem = genai.Client(api_key=SECRET, http_options={"base_url": emu.base_url, "api_version": "v1beta"})
        gem.models.generate_content(model=FLASH, contents="gemini plain")
        list(gem.models.generate_content_stream(model=FLASH, contents="gemini streamed"))
        httpx2.post(f"{emu.base_url}/v1beta/models/{FLASH}:generateContent?key={SECRET}",
                   json={"contents": [{"parts": [{"text": "key in the query"}]}]})
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    plain, streamed, gplain, gstream, query = lines(path)
    assert (plain["method"], plain["path"]) == ("POST", "/v1/chat/completions")
    assert plain["body"]["messages"] == [{"role": "user", "content": "plain one"}]
    assert plain["headers"]["authorization"] == f"Bearer {REDACTED}"
    assert plain["headers"]["content-type"] == "application/json"
    assert streamed["body"]["stream"] is True
    assert gplain["path"] == f"/v1beta/models/{FLASH}:generateContent"
    assert gplain["body"]["contents"][0]["parts"] == [{"text": "gemini plain"}]
    assert gplain["headers"]["x-goog-api-key"] == REDACTED
    assert "google-genai-sdk" in gplain["headers"]["user-agent"]
    assert (gstream["path"], gstream["query"]) == (f"/v1beta/models/{FLASH}:streamGenerateContent", {"alt": "sse"})
    assert query["query"] == {"key": REDACTED} and query["body"]["contents"][0]["parts"][0]["text"] == "key in the query"


def test_record_keeps_a_body_that_is_not_json_as_text(tmp_path):
    path = tmp_path / "r.jsonl"
    with Emulator(ttft_ms=0, record=path) as emu:
        httpx2.post(emu.base_url + "/v1/chat/completions", content=b"{not json",
                   headers={"Authorization": "Bearer " + SECRET})
        httpx2.get(emu.base_url + "/api/models")
    bad, listing = lines(path)
    assert bad["body"] == "{not json" and listing["body"] is None and listing["method"] == "GET"
    assert SECRET not in path.read_text()


def test_record_to_a_folder_that_does_not_exist_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="--record: cannot write"):
        Emulator(record=tmp_path / "missing" / "r.jsonl").start()


def _reply(emu: Emulator, prompt: str = "seeded") -> str:
    r = httpx2.post(emu.base_url + "/v1/chat/completions", headers={"Authorization": "Bearer k"},
                   json={"model": FLASH, "messages": [{"role": "user", "content": prompt}]})
    return r.json()["choices"][0]["message"]["content"]


def test_seed_gives_other_words_and_the_same_words_for_the_same_seed():
    with Emulator(ttft_ms=0) as plain, Emulator(ttft_ms=0, seed=1) as one, \
            Emulator(ttft_ms=0, seed=1) as again, Emulator(ttft_ms=0, seed=2) as two:
        replies = [_reply(e) for e in (plain, one, again, two)]
    assert replies[1] == replies[2]
    assert len({replies[0], replies[1], replies[3]}) == 3
    assert all('You wrote: "seeded"' in r for r in replies)  # still honours the request


def test_fault_override_applies_to_every_model():
    with Emulator(ttft_ms=0, fault="fault-server-error") as emu:
        r = httpx2.post(emu.base_url + "/v1/chat/completions", headers={"Authorization": "Bearer k"},
                       json={"model": FLASH, "messages": [{"role": "user", "content": "hi"}]})
        assert r.status_code == 500
        emu.fault = None
        assert _reply(emu, "hi")
    with pytest.raises(ValueError, match="fault must be one of fault-rate-limit"):
        Emulator(fault="fault-nope")


def test_cli_options_record_seed_and_latency(tmp_path):
    """``python -m comet emulator --record --seed --ttft-ms --chunk-ms --gemini-errors``, then
    ``python -m comet send`` on both routes with a key that must not reach the record."""
    record = tmp_path / "sent.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMETAPI_")}
    proc = subprocess.Popen([sys.executable, "-m", "comet", "emulator", "--record", str(record), "--seed", "3",
                             "--ttft-ms", "0", "--chunk-ms", "0", "--gemini-errors", "comet"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        env.update(COMETAPI_KEY=SECRET, COMETAPI_BASE_URL=base)
        outs = []
        for route, stream in (("gemini", []), ("openai", ["--stream"])):
            r = subprocess.run([sys.executable, "-m", "comet", "send", "--route", route, "--model", FLASH,
                                "--prompt", f"hello {route}", *stream], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, r.stderr
            outs.append(json.loads(r.stdout))
        missing = httpx2.post(f"{base}/v1beta/models/{FLASH}:generateContent", json={})
        assert missing.json()["error"]["type"] == "comet_api_error"  # --gemini-errors comet
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with Emulator(ttft_ms=0, seed=3) as same_seed:
        assert outs[1]["text"] == _reply(same_seed, "hello openai")
    sent = lines(record)
    assert [(s["method"], s["path"]) for s in sent] == [
        ("POST", f"/v1beta/models/{FLASH}:generateContent"), ("POST", "/v1/chat/completions"),
        ("POST", f"/v1beta/models/{FLASH}:generateContent")]
    assert sent[1]["body"]["stream"] is True and sent[1]["body"]["messages"][-1]["content"] == "hello openai"
    assert SECRET not in record.read_text(encoding="utf-8")


def test_cli_bad_record_path_or_fault_is_a_clear_error(tmp_path):
    for option, named in ((["--record", str(tmp_path / "no" / "such" / "r.jsonl")], "--record: cannot write"),
                          (["--fault", "fault-nope"], "fault must be one of")):
        r = subprocess.run([sys.executable, "-m", "comet", "emulator", *option], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 2 and named in r.stderr and "Traceback" not in r.stderr
        assert r.stdout == ""  # no base URL: nothing started


def readme_example() -> str:
    """The complete example test of the fixture's section in docs/emulator-and-fixture.md."""
    readme = (ROOT / "docs" / "emulator-and-fixture.md").read_text(encoding="utf-8")
    found = re.search(r"```python\n(# test_with_comet_emulator\.py.*?)```", readme, re.S)
    assert found, "the comet_emulator example of docs/emulator-and-fixture.md is missing"
    return found.group(1)


def test_the_readme_example_passes_with_the_fixture(tmp_path):
    """The documented example, as a user's own test file in a pytest run of its own."""
    (tmp_path / "test_with_comet_emulator.py").write_text(readme_example(), encoding="utf-8")
    installed = any(ep.name == "comet" for ep in importlib.metadata.entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", "comet.pytest_plugin"]  # the entry point when pip-installed
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin,
                        "test_with_comet_emulator.py"], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"\b4 passed\b", r.stdout)
