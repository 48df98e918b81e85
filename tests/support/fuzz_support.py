"""Hostile inputs for the public functions, and the driver that runs one input through all of
them (issue 10). Shared by the fuzz test (a few hundred derandomized examples) and
``bench/fuzz.py`` (10,000).

An input is a dict: ``kind`` ("text", "body", "prompt", "model", "file", "reply" or "token"),
the route, and the value. :func:`drive` takes the input in at the edge (``parse_json``,
``Call``, ``share.decode`` ...) and, when it gets in, through validation, conversion both ways,
every snippet flavour, the form and feature helpers, share links and files and schema checks.
The project's own errors (:class:`~comet.core.errors.CometError`, and the form's ``FormConflict``
when a body's shape has no room for an edit) are answers; anything else is a crash, returned
with its traceback's last line. Rendered snippets are returned for the syntax checks.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable

from hypothesis import strategies as st

from comet import Call, CometError, Route, parse_json, simple_body
from comet.body import form, rules, schema
from comet.body.convert import convert, restore
from comet.body.features import (Function, add_function, allowed_functions, answer_calls, attach, calling_mode,
                                 check_upload, detach, functions, has_search, media, read_grounding, remove_function,
                                 remove_turn, safety, schema_of, set_allowed_functions, set_calling_mode, set_safety,
                                 set_schema, set_search, set_turn, thinking, turns, urls)
from comet.body.spelling import FormConflict
from comet.core import limits
from comet.core.call import Attachment, user_text
from comet.http.chunks import Accumulator, ShapeError
from comet.http.models import merge
from comet.tools import share
from comet.tools.snippets import LANGS, render

ANSWERS = (CometError, FormConflict, ShapeError)  # ShapeError: the wire's "not a reply", made a ProtocolError by the client
BASE = "http://127.0.0.1:9"

# ---- what a hostile body is made of ------------------------------------------------------------

HOSTILE_TEXT = ["\ud83d", "a\udfffb", "x\n# y\nz()", "*/ ${x} `y` $(z)", "nul\x00", "\\", "'\"", "\u2028",
                "<attachment:cat.png>", "data:image/png;base64,AAAA", "", " ", "é" * 3, "\U0001F600"]
KEYS = ["contents", "parts", "text", "role", "messages", "content", "tools", "tool_choice", "reasoning_effort",
        "generationConfig", "thinkingConfig", "thinkingBudget", "thinkingLevel", "includeThoughts",
        "functionDeclarations", "toolConfig", "functionCallingConfig", "allowedFunctionNames", "mode",
        "allowed_tools", "function", "functions", "type", "name", "arguments", "parameters", "tool_calls",
        "response_format", "json_schema", "schema", "responseJsonSchema", "responseSchema", "responseMimeType",
        "systemInstruction", "safetySettings", "category", "threshold", "inlineData", "fileData", "mimeType",
        "data", "fileUri", "image_url", "url", "functionCall", "functionResponse", "args", "response", "id",
        "googleSearch", "temperature", "stop", "stopSequences", "model", "stream", "max_completion_tokens",
        "maxOutputTokens", "properties", "items", "required", "enum", "tool_call_id", "candidates"]

text_values = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=12),
                        st.text(st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=4))
leaves = st.one_of(st.none(), st.booleans(), st.integers(-10, 10 ** 6), st.integers(-(10 ** 30), 10 ** 30),
                   st.floats(allow_nan=True, allow_infinity=True), text_values,
                   st.sampled_from(["AUTO", "ANY", "NONE", "low", "high", "medium", "user", "model",
                                    "assistant", "tool", "system", "function", "object", "string",
                                    "json_schema", "allowed_tools", "image/png", "gemini-2.5-flash"]))
keys = st.one_of(st.sampled_from(KEYS), text_values)
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=10)

TOOL = {"functionDeclarations": [{"name": "get_weather", "description": "weather",
                                  "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]}
TEMPLATES = {
    Route.GEMINI: [
        {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
        {"contents": [{"role": "user", "parts": [{"text": "weather?"}]},
                      {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "x"}}}]},
                      {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"t": 1}}}]}],
         "tools": [TOOL, {"googleSearch": {}}],
         "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}},
         "systemInstruction": {"parts": [{"text": "be brief"}]},
         "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
         "generationConfig": {"temperature": 0.5, "stopSequences": ["END"], "responseMimeType": "application/json",
                              "responseJsonSchema": {"type": "object", "properties": {"a": {"type": "string"}}},
                              "thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True}}},
        {"contents": [{"role": "user", "parts": [{"text": "look"}, {"inlineData": {
            "mimeType": "image/png", "data": "<attachment:cat.png>"}}, {"fileData": {
                "mimeType": "application/pdf", "fileUri": "https://example.com/a.pdf"}}]}]},
    ],
    Route.OPENAI: [
        {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]},
        {"model": "gemini-2.5-flash", "messages": [
            {"role": "system", "content": "be brief"}, {"role": "user", "content": "weather?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
                "name": "get_weather", "arguments": "{\"city\": \"x\"}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "{\"t\": 1}"}],
         "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
         "tool_choice": {"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [
             {"type": "function", "function": {"name": "get_weather"}}]}},
         "reasoning_effort": "low", "temperature": 0.5, "stop": ["END"],
         "response_format": {"type": "json_schema", "json_schema": {"name": "out", "schema": {"type": "object"}}}},
        {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": [
            {"type": "text", "text": "look"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,<attachment:cat.png>"}}]}],
         "tool_choice": {"type": "function", "function": {"name": "get_weather"}}},
    ],
}


def _paths(value: Any, at: tuple = ()) -> list[tuple]:
    found = [at]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, at + (i,))
    return found


def _put(body: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    body = copy.deepcopy(body)
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return body


@st.composite
def bodies(draw, route: Route | None = None) -> tuple[Route, Any]:
    """A realistic body of either route with one to three places replaced by hostile values,
    or now and then a body nested past the limit."""
    route = route or draw(st.sampled_from(list(Route)))
    body = draw(st.sampled_from(TEMPLATES[route]))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(body)[1:] or [()]))
        body = _put(body, path, draw(values))
    if draw(st.integers(0, 19)) == 0:
        deep: Any = draw(leaves)
        for _ in range(draw(st.integers(60, 70))):
            deep = [deep]
        body = {**body, "extra": deep} if isinstance(body, dict) else deep
    return route, body


def _text_of(route: Route, body: Any, draw) -> str:
    text = json.dumps(body, ensure_ascii=draw(st.booleans()), allow_nan=True)
    cut = draw(st.integers(0, 30))
    if cut == 0:
        return text[: draw(st.integers(0, len(text)))]  # cut short
    if cut == 1:
        return '{"contents": ' + "[" * draw(st.integers(900, 1300)) + "]" * 3 + "}"
    if cut == 2:
        return '{"n": ' + "9" * draw(st.integers(4000, 6000)) + "}"
    return text


FILE_HEADS = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP", b"%PDF-1.4", b"", b"{"]


@st.composite
def inputs(draw) -> dict[str, Any]:
    kind = draw(st.sampled_from(["text", "body", "body", "prompt", "model", "file", "reply", "token"]))
    route, body = draw(bodies())
    case: dict[str, Any] = {"kind": kind, "route": route.value}
    if kind == "text":
        case["value"] = _text_of(route, body, draw)
    elif kind == "body":
        case["value"] = body
    elif kind in ("prompt", "model"):
        case["value"] = draw(text_values)
    elif kind == "file":
        case["name"] = draw(st.sampled_from(["cat.png", "a.pdf", "x", "a\nb.png", "\ud83d.gif", "../../etc"]))
        case["value"] = draw(st.sampled_from(FILE_HEADS)) + draw(st.binary(max_size=64))
    elif kind == "reply":
        case["value"] = draw(values | st.builds(lambda v: {"candidates": [{"content": {"parts": [{"text": "x"}]},
                                                                        "groundingMetadata": v}]}, values))
    else:
        case["value"] = draw(st.one_of(text_values, st.just("1" + "A" * 20), st.text(max_size=40)))
    return case


# ---- one input through every public function ---------------------------------------------------

class Run:
    """What one input did: crashes (name, last traceback line) and snippets (lang, code)."""

    def __init__(self) -> None:
        self.crashes: list[tuple[str, str]] = []
        self.snippets: list[tuple[str, str]] = []

    def step(self, name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ANSWERS:
            return None
        except Exception as exc:  # noqa: BLE001 - a crash is what we are counting
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.crashes.append((name, f"{type(exc).__name__}: {str(exc)[:120]} "
                                       f"({Path(where.filename).name}:{where.lineno})"))
            return None


def _helpers(run: Run, route: Route, body: dict) -> None:
    """The form and feature helpers, reading and writing (what the Playground's controls do)."""
    fn = Function("lookup", "look it up", {"type": "object", "properties": {"q": {"type": "string"}}})
    for name, call in [
        ("form.read", lambda: form.read(route, body)),
        ("form.apply", lambda: form.apply(route, body, {"prompt": "p", "temperature": 0.3, "stop": ["x"],
                                                        "json_output": True})),
        ("thinking.read", lambda: thinking.read(route, body)),
        ("thinking.set", lambda: thinking.set(route, body, **({"thinking_budget": 512} if route is Route.GEMINI
                                                             else {"reasoning_effort": "high"}))),
        ("has_search", lambda: has_search(route, body)), ("set_search", lambda: set_search(route, body, True)),
        ("set_search off", lambda: set_search(route, body, False)),
        ("safety", lambda: safety(body)), ("set_safety", lambda: set_safety(body, "HARM_CATEGORY_HARASSMENT", None)),
        ("schema_of", lambda: schema_of(route, body)),
        ("set_schema", lambda: set_schema(route, body, {"type": "object"})),
        ("set_schema off", lambda: set_schema(route, body, None)),
        ("functions", lambda: functions(route, body)), ("add_function", lambda: add_function(route, body, fn)),
        ("remove_function", lambda: remove_function(route, body, 0)),
        ("calling_mode", lambda: calling_mode(route, body)), ("allowed_functions", lambda: allowed_functions(route, body)),
        ("set_calling_mode", lambda: set_calling_mode(route, body, None)),
        ("set_allowed_functions", lambda: set_allowed_functions(route, body, ["get_weather"])),
        ("turns", lambda: turns(route, body)), ("set_turn", lambda: set_turn(route, body, 0, text="t")),
        ("remove_turn", lambda: remove_turn(route, body, 0)),
        ("urls", lambda: urls(route, body)), ("detach", lambda: detach(route, body, "cat.png")),
        ("attach", lambda: attach(route, body, media.url_part(route, "https://example.com/a.png", "image/png"))),
        ("user_text", lambda: user_text(body, route)), ("schema.requested", lambda: schema.requested(route, body)),
    ]:
        run.step(name, call)


def _through(run: Run, route: Route, body: Any, model: str = "gemini-2.5-flash") -> None:
    """A body that got past the edge, through everything that takes a body."""
    call = run.step("Call", Call.from_body, route, body if isinstance(body, dict) else {}, model=model)
    if call is None:
        return
    run.step("rules.problems", rules.problems, call)
    other = Route.OPENAI if route is Route.GEMINI else Route.GEMINI
    there = run.step("convert", convert, call.body, other, model=model)
    if there is not None:
        back = run.step("convert back", convert, there.body, route, model=model)
        if back is not None:
            run.step("restore", restore, back.body, there.leftover, route=route)
    for stream in (False, True):
        for lang in LANGS:
            snippet = run.step(f"render {lang}", render, call.replace(stream=stream), lang, base_url=BASE)
            if snippet is not None:
                run.snippets.append((lang, snippet.code))
    token = run.step("share.encode", share.encode, call)
    if token is not None:
        run.step("share.decode", share.decode, token)
    data = run.step("share.to_file", share.to_file, call)
    if data is not None:
        run.step("share.from_file", share.from_file, data)
    _helpers(run, route, call.body)


def _reply(run: Run, route: Route, payload: Any) -> None:
    acc = Accumulator(route)
    run.step("Accumulator.extend", acc.extend, [payload])
    reply = run.step("Accumulator.reply", acc.reply)
    meta = payload.get("candidates", [{}])[0].get("groundingMetadata") if isinstance(payload, dict) and isinstance(
        payload.get("candidates"), list) and payload["candidates"] and isinstance(payload["candidates"][0], dict) else payload
    run.step("read_grounding", read_grounding, meta, "some answer text")
    run.step("models.merge", merge, payload, {"data": payload})  # a model list is a server's reply too
    body = TEMPLATES[route][1]
    if reply is not None:
        run.step("answer_calls", answer_calls, route, body, reply, [{"ok": True}] * len(reply.function_calls))
    asked = schema.requested(route, body)
    run.step("schema.verdict", schema.verdict, json.dumps(payload, allow_nan=True), asked)


def drive(case: dict[str, Any]) -> Run:
    """Run one input (see :func:`inputs`) through the public functions."""
    run = Run()
    route = Route(case["route"])
    kind, value = case["kind"], case["value"]
    if kind == "text":
        body = run.step("parse_json", parse_json, value, route)
        if body is not None:
            _through(run, route, body)
    elif kind == "body":
        if run.step("limits.ensure", limits.ensure, value, route) is None and not limits.problems(value, route):
            _through(run, route, value)
        else:  # beyond the limits: every door must still answer with the project's error
            run.step("Call+prepare", lambda: rules.validate(Call.from_body(route, value if isinstance(value, dict) else {})))
            run.step("share.from_file", share.from_file, json.dumps(value, allow_nan=True, default=str).encode(
                "utf-8", "surrogatepass"))
    elif kind == "prompt":
        _through(run, route, simple_body(route, value))
    elif kind == "model":
        _through(run, route, TEMPLATES[route][0], model=value)
    elif kind == "file":
        _file(run, route, case["name"], value)
    elif kind == "reply":
        _reply(run, route, value)
    else:
        run.step("share.decode", share.decode, value)
    return run


def _file(run: Run, route: Route, name: str, data: bytes) -> None:
    mime, problem = run.step("check_upload", check_upload, name, data, None) or (None, None)
    if mime is None:
        return
    attachment = Attachment(name, mime, data)
    part = run.step("media_part", media.media_part, route, attachment)
    if part is None:
        return
    body = run.step("attach", attach, route, TEMPLATES[route][0], part)
    if body is not None:
        call = Call.from_body(route, body, model="gemini-2.5-flash", attachments=(attachment,))
        run.step("rules.problems", rules.problems, call)
        run.step("render python", render, call, "python", base_url=BASE)


# ---- do the snippets parse? --------------------------------------------------------------------

NODE_CHECK = """import vm from "node:vm"; import { readFileSync } from "node:fs";
const bad = [];
for (const f of process.argv.slice(2)) {
  try { new vm.SourceTextModule(readFileSync(f, "utf8"), { identifier: f }); } catch (e) { bad.push(f + ": " + e.message); }
}
console.log(JSON.stringify(bad));
"""


def unparsed(snippets: list[tuple[str, str]]) -> list[str]:
    """The snippets that do not parse: Python by ``compile()``, Node by one ``node`` process
    (ES modules, parsed but not run), curl by one ``bash -n`` over them all (each wrapped in a
    function; when that fails, each is checked alone to name it)."""
    bad: list[str] = []
    js, sh = [], []
    for i, (lang, code) in enumerate(snippets):
        if lang.startswith("python"):
            try:
                compile(code, f"snippet{i}.py", "exec")
            except (SyntaxError, ValueError) as exc:
                bad.append(f"{lang} #{i}: {exc}")
        elif lang.startswith("node"):
            js.append((i, code))
        else:
            sh.append((i, code))
    with tempfile.TemporaryDirectory() as tmp:
        bad += _node_unparsed(Path(tmp), js) + _bash_unparsed(Path(tmp), sh)
    return bad


def _node_unparsed(tmp: Path, js: list[tuple[int, str]]) -> list[str]:
    node = shutil.which("node")
    if node is None or not js:
        return []
    (tmp / "check.mjs").write_text(NODE_CHECK)
    files = []
    for i, code in js:
        (tmp / f"s{i}.mjs").write_text(code, encoding="utf-8")
        files.append(str(tmp / f"s{i}.mjs"))
    out = subprocess.run([node, "--experimental-vm-modules", "--no-warnings", str(tmp / "check.mjs"), *files],
                         capture_output=True, text=True, timeout=300)
    return json.loads(out.stdout or "[]") if out.returncode == 0 else [f"node: {out.stderr[:300]}"]


def _bash_unparsed(tmp: Path, sh: list[tuple[int, str]]) -> list[str]:
    if not sh:
        return []
    whole = "".join(f"__snippet_{i}() {{\n{code}\n}}\n" for i, code in sh)
    (tmp / "all.sh").write_text(whole, encoding="utf-8")
    if subprocess.run(["bash", "-n", str(tmp / "all.sh")], capture_output=True, env={**os.environ}).returncode == 0:
        return []
    bad = []
    for i, code in sh:
        (tmp / f"s{i}.sh").write_text(code, encoding="utf-8")
        result = subprocess.run(["bash", "-n", str(tmp / f"s{i}.sh")], capture_output=True, text=True)
        if result.returncode:
            bad.append(f"curl #{i}: {result.stderr[:200]}")
    return bad
