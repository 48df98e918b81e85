"""Every snippet, run for real against the emulator, sends what ``Client.send`` sends.

Each golden scenario is rendered in all five flavours on both routes (plain and streaming:
the streaming scenario, plus streamed twins of the awkward-text and image ones), and run: curl through bash, Python through this interpreter, Node through ``node`` with the
SDKs from tests/node (``npm ci`` there, as .ci/run does). The emulator records every request;
each run gets its own key (the canary plus a suffix), which is how a recorded request is
matched to the run that sent it. Runs go concurrently, a few at a time.

Raw snippets must send the client's method, path, query and JSON body; SDK snippets the same
path and a body equal after :func:`comet.tools.snippets.canonical`. Python and Node print the reply
text; curl prints the response body, which is read back with :mod:`comet.http.chunks`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from keys import CANARY_KEY
from hypothesis import HealthCheck, given, settings, strategies as st
from snippet_golden import CAT, SCENARIOS, scenario_call

from comet.core.call import Attachment, Call, Route, simple_body
from comet.http.chunks import Accumulator, parse_reply
from comet.http.client import Client
from comet.tools.snippets import LANGS, Snippet, canonical, render

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "tests" / "node" / "node_modules"
RAW = ("curl", "python", "node")
WORKERS = 3  # 2 cores: node and Python start-up overlap with each other's I/O

HAVE_NODE = shutil.which("node") is not None and NODE_MODULES.is_dir()
NODE_REASON = "Node snippets need node and tests/node/node_modules (run: cd tests/node && npm ci)"
needs_node = pytest.mark.skipif(not HAVE_NODE, reason=NODE_REASON)

_counter = iter(range(1, 10**9))
_counter_lock = threading.Lock()


def fresh_key() -> str:
    with _counter_lock:
        return f"{CANARY_KEY}-{next(_counter)}"


def key_of(received) -> str:
    headers = received.headers
    if "x-goog-api-key" in headers:
        return headers["x-goog-api-key"]
    return headers.get("authorization", "").removeprefix("Bearer ")


@dataclass
class Run:
    snippet: Snippet
    key: str
    proc: subprocess.CompletedProcess
    workdir: Path


def run_snippet(snippet: Snippet, workdir: Path, attachments: tuple[Attachment, ...] = ()) -> Run:
    """Write the snippet (and its attachment files) into ``workdir`` and run it there."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / snippet.filename
    path.write_text(snippet.code, encoding="utf-8")
    for attachment in attachments:
        (workdir / attachment.name).write_bytes(attachment.data)
    if snippet.lang.startswith("node") and not (workdir / "node_modules").exists():
        (workdir / "node_modules").symlink_to(NODE_MODULES)  # ESM ignores NODE_PATH
    command = {"curl": ["bash"], "python": [sys.executable], "python-sdk": [sys.executable],
               "node": ["node"], "node-sdk": ["node"]}[snippet.lang] + [path.name]
    key = fresh_key()
    env = {"PATH": os.environ["PATH"], "HOME": str(workdir), "LANG": "C.UTF-8",
           "PYTHONUTF8": "1", "COMETAPI_KEY": key}
    proc = subprocess.run(command, cwd=workdir, env=env, capture_output=True, timeout=120)
    return Run(snippet, key, proc, workdir)


def assert_sent_alike(by_key, snippet_key: str, client_key: str, lang: str) -> None:
    """The snippet's request, as the emulator recorded it, is the client's: same method, path
    and query; the same JSON body (raw HTTP) or the same after ``canonical`` (SDKs)."""
    [expected] = by_key[client_key]
    [got] = by_key.get(snippet_key, [None]) or [None]
    assert got is not None, "the snippet sent nothing the emulator recorded"
    assert (got.method, got.path, got.query) == (expected.method, expected.path, expected.query)
    if lang in RAW:
        assert got.json == expected.json
    else:
        assert canonical(got.json) == canonical(expected.json)


def printed_text(run: Run, route: Route, stream: bool) -> str:
    """The reply text a run printed: curl's is read from the response body it printed."""
    out = run.proc.stdout.decode("utf-8")
    if run.snippet.lang != "curl":
        assert out.endswith("\n")
        return out[:-1]
    if not stream:
        return parse_reply(route, json.loads(out)).text
    acc = Accumulator(route)
    for line in out.splitlines():
        data = line[5:].strip() if line.startswith("data:") else ""
        if data and data != "[DONE]":
            acc.add(json.loads(data))
    return acc.reply().text


# Each scenario as it is, plus streamed twins of the ones whose content is the hard part.
STREAMED_TOO = ("awkward", "image", "image-generation")
CASES = [(name, route, stream) for name in SCENARIOS for route in Route
         for stream in {SCENARIOS[name][route][1], *((True,) if name in STREAMED_TOO else ())}]


def run_cases(emulator, root, cases, call_of):
    """Sends each case's call (``call_of(case)``) with the client once, then runs each
    snippet of it, all in a small thread pool; returns (client runs, snippet runs, what the
    emulator received by key)."""
    base = emulator.base_url

    def client_run(case):
        key = fresh_key()
        with Client(base_url=base, api_key=key) as client:
            return key, client.send(call_of(case))

    def snippet_run(case, lang):
        call = call_of(case)
        snippet = render(call, lang, base_url=base)
        workdir = root / f"{case[0]}-{case[1].value}-{'stream' if case[2] else 'plain'}-{lang}"
        return run_snippet(snippet, workdir, call.attachments)

    jobs = [(case, lang) for case in cases for lang in LANGS if HAVE_NODE or not lang.startswith("node")]
    with ThreadPoolExecutor(WORKERS) as pool:
        clients = dict(zip(cases, pool.map(client_run, cases)))
        runs = dict(zip(jobs, pool.map(lambda job: snippet_run(*job), jobs)))
    by_key = {}
    for received in list(emulator.received):
        by_key.setdefault(key_of(received), []).append(received)
    return clients, runs, by_key


@pytest.fixture(scope="module")
def results(emulator, tmp_path_factory):
    """Runs every case: the client once, then each snippet."""
    return run_cases(emulator, tmp_path_factory.mktemp("snippets"), CASES,
                     lambda case: scenario_call(case[0], case[1], stream=case[2]))


def _id(case):
    return f"{case[0]}-{case[1].value}-{'stream' if case[2] else 'plain'}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_snippet_sends_what_the_client_sends(results, case, lang):
    if lang.startswith("node") and not HAVE_NODE:
        pytest.skip(NODE_REASON)
    clients, runs, by_key = results
    name, route, stream = case
    client_key, exchange = clients[case]
    run = runs[(case, lang)]
    assert CANARY_KEY not in run.snippet.code
    assert run.proc.returncode == 0, run.proc.stderr.decode("utf-8", "replace")[-3000:]

    assert_sent_alike(by_key, run.key, client_key, lang)
    assert exchange.ok, exchange.error
    assert printed_text(run, route, stream) == exchange.text


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "curl"])  # curl prints the body, images in it
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_an_image_models_snippet_saves_the_reply_images_beside_it(results, lang, stream):
    """The reply's images written as image-N.png (the draft left out, the attachments beside
    them untouched), said on stderr; the printed text is still the reply's text."""
    if lang.startswith("node") and not HAVE_NODE:
        pytest.skip(NODE_REASON)
    clients, runs, _ = results
    case = ("image-generation", Route.GEMINI, stream)
    (_, exchange), run = clients[case], runs[(case, lang)]
    assert run.proc.returncode == 0, run.proc.stderr.decode("utf-8", "replace")[-3000:]
    assert exchange.reply.images and exchange.reply.drafts  # the emulator's image model: a draft, then the image
    saved = sorted(run.workdir.glob("image-*"))
    assert [p.name for p in saved] == [f"image-{n}.png" for n in range(1, len(exchange.reply.images) + 1)]
    assert [p.read_bytes() for p in saved] == [image.data for image in exchange.reply.images]
    assert all(f"saved {p.name}" in run.proc.stderr.decode() for p in saved)
    assert {p.name for p in run.workdir.iterdir() if p.suffix == ".png"} == \
        {p.name for p in saved} | {a.name for a in scenario_call(*case[:2], stream=stream).attachments}


def test_a_snippet_writes_no_image_over_a_file_already_there(emulator, tmp_path):
    """A folder that already holds image-1.png keeps it: the reply's image goes to image-2.png."""
    call = scenario_call("image-generation", Route.GEMINI, stream=False)
    for lang in [lang for lang in LANGS if lang != "curl" and (HAVE_NODE or not lang.startswith("node"))]:
        workdir = tmp_path / lang
        workdir.mkdir()
        (workdir / "image-1.png").write_bytes(b"mine")
        run = run_snippet(render(call, lang, base_url=emulator.base_url), workdir, call.attachments)
        assert run.proc.returncode == 0, run.proc.stderr.decode("utf-8", "replace")[-3000:]
        assert (workdir / "image-1.png").read_bytes() == b"mine", lang
        assert (workdir / "image-2.png").read_bytes().startswith(b"\x89PNG"), lang


def test_a_text_snippet_writes_no_image_code(results):
    """Nothing about images in a snippet whose reply holds none."""
    for (case, lang), run in runs_of(results):
        if case[0] != "image-generation":
            assert "save_images" not in run.snippet.code and "saveImages" not in run.snippet.code, (case, lang)
            assert not list(run.workdir.glob("image-*")), (case, lang)


def runs_of(results):
    return results[1].items()


def test_image_attachment_travels_as_the_same_base64(results):
    """Every flavour sends the file's bytes as the base64 the client sends (issue 6)."""
    clients, runs, by_key = results
    encoded = CAT.base64()
    for route in Route:
        case = ("image", route, False)
        [expected] = by_key[clients[case][0]]
        assert encoded in expected.body.decode()
        for lang in [lang for lang in LANGS if (case, lang) in runs]:
            [got] = by_key[runs[(case, lang)].key]
            assert encoded in got.body.decode(), lang
            if route is Route.GEMINI:
                part = canonical(got.json)["contents"][0]["parts"][1]["inlineData"]
                assert part == {"mimeType": "image/png", "data": encoded}, lang
            else:
                url = got.json["messages"][0]["content"][1]["image_url"]["url"]
                assert url == f"data:image/png;base64,{encoded}", lang


KITCHEN_SINK = {
    "contents": [{"role": "user", "parts": [{"text": "Weather in Paris?"}]}],
    "systemInstruction": {"parts": [{"text": "Use the tool."}]},
    "generationConfig": {
        "temperature": 0.3, "topP": 0.8, "topK": 5, "candidateCount": 1, "maxOutputTokens": 90,
        "stopSequences": ["x"], "responseLogprobs": True, "logprobs": 2, "presencePenalty": 0.1,
        "frequencyPenalty": 0.2, "seed": 3, "responseMimeType": "text/plain",
        "responseModalities": ["TEXT"], "mediaResolution": "MEDIA_RESOLUTION_LOW",
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
        "thinkingConfig": {"thinkingBudget": 128, "includeThoughts": True},
        "imageConfig": {"aspectRatio": "1:1"}, "enableEnhancedCivicAnswers": False,
        "someFutureKnob": 1},
    "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    "tools": [{"functionDeclarations": [{"name": "get_weather", "description": "Weather now", "parameters": {
        "type": "object", "properties": {"city_name": {"type": "string"}}, "required": ["city_name"]}}]}],
    "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}},
    "someFutureField": {"a_b": 1},
}
SNAKE_SINK = {
    "contents": [{"role": "user", "parts": [{"text": "hi"}, {"inline_data": {"mime_type": "image/png",
                                                                          "data": CAT.token}}]}],
    "system_instruction": {"parts": [{"text": "Be brief."}]},
    "generation_config": {"max_output_tokens": 50, "thinking_config": {"thinking_budget": 0}},
}


@needs_node
@pytest.mark.parametrize("body", [KITCHEN_SINK, SNAKE_SINK], ids=["camelCase", "snake_case"])
def test_sdk_snippets_carry_every_field(emulator, tmp_path, body):
    """Every field in the SDK tables lands where the client puts it, unknown ones ride the
    escape hatch, and the user's own names (function and property names) are untouched."""
    model = "gemini-3.1-flash-image-preview" if body is KITCHEN_SINK else "gemini-2.5-flash"  # imageConfig: an image model
    call = Call(Route.GEMINI, model, body, attachments=(CAT,))
    key = fresh_key()
    with Client(base_url=emulator.base_url, api_key=key) as client:
        client.send(call)
    [expected] = [r for r in emulator.received if key_of(r) == key]
    for lang in ("python-sdk", "node-sdk"):
        snippet = render(call, lang, base_url=emulator.base_url)
        assert snippet.warnings == ()
        run = run_snippet(snippet, tmp_path / lang, call.attachments)
        [got] = [r for r in emulator.received if key_of(r) == run.key]
        assert canonical(got.json) == canonical(expected.json), lang
        if body is KITCHEN_SINK:
            params = got.json["tools"][0]["functionDeclarations"][0]["parameters"]
            assert list(params["properties"]) == ["city_name"] and params["required"] == ["city_name"]


def test_a_100kb_prompt_goes_through_curl_python_and_node(emulator, tmp_path):
    """Beyond what one shell argument may hold (MAX_ARG_STRLEN is 128 KiB; the body here is
    bigger once the system text is added): the here-document carries it."""
    prompt = ("All work and no play makes Jack a dull boy. \"$x\" `y` \\ 🎉\n" * 2200)[:100_000]
    system = "s" * 40_000
    langs = RAW if shutil.which("node") else ("curl", "python")
    for route in Route:
        call = Call(route, "gemini-2.5-flash", simple_body(route, prompt, system=system))
        for lang in langs:
            run = run_snippet(render(call, lang, base_url=emulator.base_url), tmp_path / f"{route.value}-{lang}")
            assert run.proc.returncode == 0, run.proc.stderr.decode()[-2000:]
            [got] = [r for r in emulator.received if key_of(r) == run.key]
            assert got.json == call.body, lang


# Text that must arrive byte for byte: anything but lone surrogates (not encodable in UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from([
    "'\"`$(id)`${HOME}\\\n\t%s%%!!", "EOF\nJSON\n", "\u2028\u2029\u202e", "\x00\x01\x1b[31m"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prompt=TEXT, system=TEXT, route=st.sampled_from(list(Route)), stream=st.booleans())
def test_any_text_arrives_exactly_as_typed(emulator, tmp_path, prompt, system, route, stream):
    body = simple_body(route, prompt)
    if route is Route.GEMINI:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    else:
        body["messages"].insert(0, {"role": "system", "content": system})
    call = Call(route, "gemini-2.5-flash", body, stream=stream)
    for lang in ("curl", "python"):
        run = run_snippet(render(call, lang, base_url=emulator.base_url), tmp_path / f"{lang}-{fresh_key()}")
        [got] = [r for r in emulator.received if key_of(r) == run.key]
        if route is Route.GEMINI:
            sent = [got.json["contents"][0]["parts"][0]["text"], got.json["systemInstruction"]["parts"][0]["text"]]
        else:
            sent = [got.json["messages"][1]["content"], got.json["messages"][0]["content"]]
        assert [s.encode("utf-8") for s in sent] == [prompt.encode("utf-8"), system.encode("utf-8")]
        assert got.json == call.body
