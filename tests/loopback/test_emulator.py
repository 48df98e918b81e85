"""The emulator over real loopback sockets, with raw httpx2 as the client.

Each test reads what is on the wire: statuses, envelopes, SSE framing, and the reply's shape
(wire-formats.md is the reference). The session ``emulator`` fixture has ttft 2 ms, chunk 1 ms
and so time_scale 0.1; tests that need other settings start their own with ``make_emulator``.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from comet.core.errors import classify
from comet.emulator import FAULTS, MODELS, Emulator, Received, shared

ROOT = Path(__file__).resolve().parents[2]
FLASH = "gemini-2.5-flash"
KEY = {"x-goog-api-key": "test-key"}
BEARER = {"Authorization": "Bearer test-key"}
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 60).decode()  # 68 bytes


def client(emu: Emulator | None = None, **options) -> httpx2.Client:
    """Plain HTTP on loopback: ``verify=False`` skips loading a TLS context (~0.2 s each)."""
    if emu is not None:
        options["base_url"] = emu.base_url
    return httpx2.Client(verify=False, timeout=10, **options)


@pytest.fixture(scope="module")
def http(emulator):
    with client(emulator) as c:
        yield c


@pytest.fixture(scope="module")
def web():
    """For absolute URLs and emulators started by one test."""
    with client(limits=httpx2.Limits(max_connections=20)) as c:
        yield c


def gbody(prompt: str = "Tell me about Paris", **extra) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": prompt}]}], **extra}


def obody(prompt: str = "Tell me about Paris", model: str = FLASH, **extra) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": prompt}], **extra}


def gen(http, body, model=FLASH, op="generateContent", headers=KEY, query=""):
    return http.post(f"/v1beta/models/{model}:{op}{query}", json=body, headers=headers)


def sse(http, body, model=FLASH):
    return gen(http, body, model, "streamGenerateContent", query="?alt=sse")


def chat(http, body, headers=BEARER):
    return http.post("/v1/chat/completions", json=body, headers=headers)


def events(text: str) -> list[str]:
    """Data payloads of an SSE body (LF or CRLF framing)."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if block.strip():
            assert block.startswith("data: "), block
            out.append(block[len("data: "):])
    return out


def gemini_text(chunks: list[dict], index: int = 0) -> str:
    return "".join(p.get("text", "") for c in chunks for cand in c.get("candidates", [])
                   if cand.get("index", 0) == index for p in cand["content"]["parts"] if not p.get("thought"))


def part_text(reply: dict, index: int = 0) -> str:
    return "".join(p["text"] for p in reply["candidates"][index]["content"]["parts"]
                   if "text" in p and not p.get("thought"))


def openai_chunks(text: str) -> list[dict]:
    data = events(text)
    assert data[-1] == "[DONE]"
    return [json.loads(d) for d in data[:-1]]


# ----------------------------------------------------------------------------- Gemini route

def test_gemini_plain_answer_shape(http):
    r = gen(http, gbody("What is the weather in Paris today?"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    reply = r.json()
    cand = reply["candidates"][0]
    assert cand["content"]["role"] == "model" and cand["finishReason"] == "STOP" and cand["index"] == 0
    text = part_text(reply)
    assert FLASH in text and "What is the weather in Paris today?" in text
    assert 25 <= len(text.split()) <= 60
    usage = reply["usageMetadata"]
    assert usage["totalTokenCount"] == (usage["promptTokenCount"] + usage["candidatesTokenCount"]
                                        + usage.get("thoughtsTokenCount", 0))
    assert usage["promptTokenCount"] == 8  # words and punctuation marks
    assert usage["promptTokensDetails"] == [{"modality": "TEXT", "tokenCount": 8}]
    assert reply["modelVersion"] == FLASH and reply["responseId"]


def test_gemini_sse_lf_framing(http):
    plain = part_text(gen(http, gbody()).json())
    r = sse(http, gbody())
    assert r.status_code == 200 and r.headers["content-type"] == "text/event-stream"
    assert r.headers["transfer-encoding"] == "chunked"
    assert "\r" not in r.text and "[DONE]" not in r.text
    assert r.text.startswith("data: {") and r.text.endswith("}\n\n")
    chunks = [json.loads(e) for e in events(r.text)]
    assert len(chunks) > 3
    assert gemini_text(chunks) == plain
    assert "finishReason" not in chunks[0]["candidates"][0]
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert len({c["responseId"] for c in chunks}) == 1
    assert chunks[-1]["usageMetadata"]["candidatesTokenCount"] > 0


def test_gemini_sse_crlf_framing(make_emulator, web):
    emu = make_emulator(ttft_ms=0, chunk_ms=0, crlf=True)
    r = web.post(f"{emu.base_url}/v1beta/models/{FLASH}:streamGenerateContent?alt=sse", json=gbody(),
                   headers=KEY)
    assert r.text.endswith("}\r\n\r\n")
    assert "\n\n" not in r.text.replace("\r\n\r\n", "")
    assert all(e.startswith("{") for e in events(r.text))


def test_gemini_stream_without_alt_is_a_json_array(http):
    r = gen(http, gbody(), op="streamGenerateContent")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    chunks = json.loads(r.text)
    assert isinstance(chunks, list) and len(chunks) > 3
    assert gemini_text(chunks) == part_text(gen(http, gbody()).json())


def test_stream_arrives_incrementally(make_emulator, web):
    emu = make_emulator(ttft_ms=0, chunk_ms=15)
    arrivals = []
    with web.stream("POST", f"{emu.base_url}/v1beta/models/{FLASH}:streamGenerateContent?alt=sse",
                      json=gbody("[[chunks=8]]"), headers=KEY) as r:
        for piece in r.iter_raw():
            arrivals.append((time.perf_counter(), piece))
    assert len(arrivals) >= 6  # the events are not buffered into one write
    assert arrivals[-1][0] - arrivals[0][0] > 0.06


# ----------------------------------------------------------------------------- OpenAI route

def test_openai_plain_answer_shape(http):
    r = chat(http, obody("What is the weather in Paris today?"))
    assert r.status_code == 200
    reply = r.json()
    assert reply["id"].startswith("chatcmpl-") and reply["object"] == "chat.completion"
    assert reply["model"] == FLASH and isinstance(reply["created"], int)
    choice = reply["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    assert "Paris" in choice["message"]["content"] and "reasoning_content" not in choice["message"]
    usage = reply["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] > 0  # 2.5 Flash thinks by default


def test_openai_stream_framing_and_include_usage(http):
    plain = chat(http, obody()).json()["choices"][0]["message"]["content"]
    r = chat(http, obody(stream=True))
    assert r.headers["content-type"] == "text/event-stream" and r.text.endswith("data: [DONE]\n\n")
    chunks = openai_chunks(r.text)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[-1]["choices"][0]["delta"] == {} and chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(c["object"] == "chat.completion.chunk" and "usage" not in c for c in chunks)
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == plain

    r = chat(http, obody(stream=True, stream_options={"include_usage": True}))
    chunks = openai_chunks(r.text)
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert all(c["usage"] is None for c in chunks[:-1])
    assert chunks[-1]["usage"] == chat(http, obody()).json()["usage"]


# ----------------------------------------------------------------------------- auth

def test_gemini_auth_header_bearer_or_query_key(http):
    assert gen(http, gbody(), headers={"Authorization": "Bearer k"}).status_code == 200
    assert gen(http, gbody(), headers={}, query="?key=k").status_code == 200
    for headers in ({}, {"x-goog-api-key": ""}, {"Authorization": "Bearer"}):
        r = gen(http, gbody(), headers=headers)
        assert r.status_code == 401
        err = r.json()["error"]
        assert err["code"] == 401 and err["status"] == "UNAUTHENTICATED"
    assert http.get("/v1beta/models").status_code == 401


def test_openai_auth_needs_bearer(http):
    for headers in ({}, KEY, {"Authorization": "Bearer"}):
        r = chat(http, obody(), headers=headers)
        assert r.status_code == 401
        err = r.json()["error"]
        assert err["type"] == "comet_api_error" and "(request id: " in err["message"]
    assert http.get("/v1/models").status_code == 401
    assert classify(401, chat(http, obody(), headers={}).content).kind == "auth"


def test_comet_envelope_on_v1beta_when_asked(make_emulator):
    emu = make_emulator(ttft_ms=0, chunk_ms=0, gemini_errors="comet")
    with client(emu) as c:
        r = gen(c, gbody(), headers={})
        assert r.status_code == 401 and r.json()["error"]["type"] == "comet_api_error"
        r = gen(c, {"messages": []})
        err = r.json()["error"]
        assert r.status_code == 400 and set(err) == {"message", "type", "param", "code"}
        assert 'Unknown name "messages"' in err["message"] and "(request id: " in err["message"]
        r = gen(c, gbody(), model="no-such-model")
        assert r.status_code == 503 and r.json()["error"]["code"] == "model_not_found"
        assert classify(503, r.content).kind == "not_found"
        r = gen(c, gbody(), model="fault-rate-limit")
        assert r.status_code == 429 and r.json()["error"]["type"] == "comet_api_error"


# ----------------------------------------------------------------------------- validation

@pytest.mark.parametrize("body, needle", [
    ({"messages": [{"role": "user", "content": "hi"}]}, 'Unknown name "messages": Cannot find field.'),
    (gbody(temperature=0.2), 'Unknown name "temperature"'),
    (gbody(generationConfig={"max_tokens": 5}), 'Unknown name "max_tokens" at \'generation_config\''),
    ({}, "contents is not specified"),
    ({"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}, "valid role"),
    ({"contents": [{"role": "user", "parts": []}]}, "parts must not be empty"),
    (gbody(generationConfig={"temperature": "hot"}), "Invalid value at 'generation_config.temperature'"),
    (gbody(generationConfig={"candidateCount": 9}), "candidate_count"),
    (gbody(systemInstruction="be brief"), "system_instruction"),
    (gbody(generationConfig={"thinkingConfig": {"thinkingBudget": 30000}}), "between 0 and 24576"),
    (gbody(generationConfig={"thinkingConfig": {"thinkingLevel": "LOW"}}), "Thinking level is not supported"),
    (gbody(generationConfig={"thinkingConfig": {"thinkingLevel": "LOW", "thinkingBudget": 128}}), "only one of"),
])
def test_gemini_validation_400(http, body, needle):
    r = gen(http, body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == 400 and err["status"] == "INVALID_ARGUMENT" and needle in err["message"]
    assert classify(400, r.content).kind == "bad_request"


def test_gemini_malformed_json_and_unknown_model(http):
    r = http.post(f"/v1beta/models/{FLASH}:generateContent", content=b"{not json", headers=KEY)
    assert r.status_code == 400 and "Invalid JSON payload received" in r.json()["error"]["message"]
    r = gen(http, gbody(), model="gemini-9-ultra")
    err = r.json()["error"]
    assert r.status_code == 404 and err["status"] == "NOT_FOUND"
    assert err["message"].startswith("models/gemini-9-ultra is not found for API version v1beta")
    assert gen(http, gbody(), model="gpt-5.1").status_code == 404  # non-Gemini: OpenAI route only
    assert gen(http, gbody(), op="embedContent").status_code == 404


@pytest.mark.parametrize("model, config, ok", [
    ("gemini-2.5-pro", {"thinkingBudget": 0}, "only works in thinking mode"),
    ("gemini-2.5-pro", {"thinkingBudget": 100}, "between 128 and 32768"),
    ("gemini-2.5-flash-lite", {"thinkingBudget": 100}, "between 0 (off) or 512 and 24576"),
    ("gemini-3-pro-preview", {"thinkingLevel": "MINIMAL"}, "Supported levels: LOW, HIGH"),
])
def test_thinking_ranges_per_model(http, model, config, ok):
    r = gen(http, gbody(generationConfig={"thinkingConfig": config}), model=model)
    assert r.status_code == 400 and ok in r.json()["error"]["message"]


def test_openai_validation_uses_comet_statuses(http):
    r = chat(http, {"model": FLASH})
    err = r.json()["error"]
    assert r.status_code == 500 and err["code"] == "invalid_request" and err["type"] == "comet_api_error"
    assert err["message"].startswith("field messages is required (request id: ")
    assert err["param"] == ""
    assert classify(500, r.content).kind == "bad_request"  # not retried

    r = chat(http, {**obody(), "contents": [], "generationConfig": {}})
    assert r.status_code == 500 and r.json()["error"]["code"] == "invalid_request"

    r = chat(http, obody(model="nope-1"))
    err = r.json()["error"]
    assert r.status_code == 503 and err["code"] == "model_not_found"
    assert err["message"].startswith("no available channel for group default and model nope-1 (distributor) "
                                     "(request id: ")
    assert classify(503, r.content).kind == "not_found"

    r = http.post("/v1/chat/completions", content=b'{"model": ', headers=BEARER)
    assert r.status_code == 400 and r.json()["error"]["type"] == "comet_api_error"
    r = chat(http, {"messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 400 and "model name is required" in r.json()["error"]["message"]
    r = chat(http, obody(model="gemini-2.5-pro", reasoning_effort="none"))
    assert r.status_code == 400 and "thinking mode" in r.json()["error"]["message"]
    assert chat(http, obody(model="gpt-5.1")).status_code == 200


def test_unknown_path_404_and_wrong_method_405(http):
    r = http.post("/v1/completions", json={}, headers=BEARER)
    assert r.status_code == 404 and "Invalid URL" in r.json()["error"]["message"]
    r = http.get("/nowhere")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
    r = http.get("/v1/chat/completions", headers=BEARER)
    assert r.status_code == 405 and r.headers["allow"] == "POST" and "error" in r.json()
    r = http.post("/v1beta/models", headers=KEY)
    assert r.status_code == 405 and r.json()["error"]["code"] == 405
    assert http.delete("/api/models").status_code == 405


_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-5, 40000), st.floats(allow_nan=False, allow_infinity=False),
                  st.sampled_from(["", "x", "OBJECT", "STRING", "application/json", "text/x.enum", "user", "tool",
                                   "ANY", "NONE", "LOW", "image/png", "iVBORw==", "BLOCKME [[chunks=3]]"]))
_KEYS = st.sampled_from([
    "contents", "parts", "text", "role", "generationConfig", "thinkingConfig", "thinking_budget", "thinkingLevel",
    "includeThoughts", "responseMimeType", "responseSchema", "type", "properties", "items", "enum", "tools",
    "functionDeclarations", "name", "parameters", "toolConfig", "functionCallingConfig", "mode", "inlineData",
    "mimeType", "data", "functionResponse", "response", "systemInstruction", "candidateCount", "maxOutputTokens",
    "stopSequences", "safetySettings", "googleSearch", "messages", "content", "stream", "stream_options", "n", "stop",
    "response_format", "json_schema", "schema", "tool_choice", "function", "image_url", "extra_body", "google",
    "thinking_config", "tool_calls", "minItems", "minimum", "propertyOrdering"])
_JSON = st.recursive(_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
                     max_leaves=20)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(extra=_JSON, gemini=st.booleans())
def test_odd_bodies_get_an_answer_or_a_clean_error(http, extra, gemini):
    """Any JSON gets a well-formed answer or the route's error: never a crash or a hang."""
    if gemini:
        body = {**gbody(), **extra} if isinstance(extra, dict) else extra
        r = sse(http, body)
        assert r.status_code in (200, 400), r.text
    else:
        body = {**obody(), **extra, "model": FLASH} if isinstance(extra, dict) else extra
        r = chat(http, body)
        assert r.status_code in (200, 400, 500), r.text
        if r.status_code == 500:
            assert r.json()["error"]["code"] == "invalid_request", r.text
    if r.status_code != 200 or not r.headers["content-type"].startswith("text/event-stream"):
        r.json()


# ----------------------------------------------------------------------------- fault models

def test_fault_rate_limit(http, emulator):
    r = gen(http, gbody(), model="fault-rate-limit")
    err = r.json()["error"]
    assert r.status_code == 429 and err["status"] == "RESOURCE_EXHAUSTED" and "retry-after" not in r.headers
    retry = [d for d in err["details"] if d["@type"].endswith("google.rpc.RetryInfo")]
    assert emulator.time_scale == pytest.approx(0.1)
    assert retry == [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.1s"}]
    assert classify(429, r.content).retry_after == pytest.approx(0.1)
    r = chat(http, obody(model="fault-rate-limit"))
    assert r.status_code == 429 and r.json()["error"]["type"] == "comet_api_error"
    assert "retry-after" not in r.headers
    assert sse(http, gbody(), model="fault-rate-limit").status_code == 429


def test_fault_rate_limit_once_counts_per_body(http, emulator):
    body = gbody("once please")
    assert gen(http, body, model="fault-rate-limit-once").status_code == 429
    r = gen(http, body, model="fault-rate-limit-once")
    assert r.status_code == 200 and r.json()["modelVersion"] == "fault-rate-limit-once"
    assert gen(http, gbody("another body"), model="fault-rate-limit-once").status_code == 429
    emulator.clear()
    assert gen(http, body, model="fault-rate-limit-once").status_code == 429
    ob = obody("once on openai", model="fault-rate-limit-once")
    assert [chat(http, ob).status_code for _ in range(2)] == [429, 200]


def test_fault_rate_limit_once_is_thread_safe(emulator, web):
    body = gbody("concurrent once")
    url = f"{emulator.base_url}/v1beta/models/fault-rate-limit-once:generateContent"
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: web.post(url, json=body, headers=KEY).status_code, range(8)))
    assert sorted(codes) == [200] * 7 + [429]


@pytest.mark.parametrize("model, status, gstatus", [
    ("fault-server-error", 500, "INTERNAL"), ("fault-unavailable", 503, "UNAVAILABLE")])
def test_fault_server_statuses(http, model, status, gstatus):
    r = gen(http, gbody(), model=model)
    assert r.status_code == status and r.json()["error"]["status"] == gstatus
    r = chat(http, obody(model=model, stream=True))
    err = r.json()["error"]
    assert r.status_code == status and err["code"] not in ("invalid_request", "model_not_found")
    assert classify(status, r.content).kind == "server"


def test_fault_html(http):
    for r in (gen(http, gbody(), model="fault-html"), chat(http, obody(model="fault-html", stream=True))):
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "<html>" in r.text
        assert classify(404, r.content).kind == "protocol"


def test_fault_gateway(http):
    for r in (gen(http, gbody(), model="fault-gateway"), chat(http, obody(model="fault-gateway", stream=True))):
        assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")
        assert "502 Bad Gateway" in r.text
        assert classify(502, r.content).kind == "server"


def test_fault_drop_stream(http):
    got = []
    with pytest.raises(httpx2.RemoteProtocolError):
        with http.stream("POST", f"/v1beta/models/fault-drop-stream:streamGenerateContent?alt=sse",
                         json=gbody(), headers=KEY) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                got.append(line)
    assert len([line for line in got if line.startswith("data: ")]) == 3
    with pytest.raises(httpx2.RemoteProtocolError):
        with http.stream("POST", "/v1/chat/completions", json=obody(model="fault-drop-stream", stream=True),
                         headers=BEARER) as r:
            body = b"".join(r.iter_raw())
    with pytest.raises(httpx2.RemoteProtocolError):
        gen(http, gbody(), model="fault-drop-stream")  # plain: half a body, then the cut


def test_fault_bad_sse(http):
    r = sse(http, gbody(), model="fault-bad-sse")
    data = events(r.text)
    assert r.status_code == 200 and data[2] == "{not json"
    assert all(json.loads(d) for i, d in enumerate(data) if i != 2)
    r = chat(http, obody(model="fault-bad-sse", stream=True))
    assert "data: {not json\n\n" in r.text and r.text.endswith("data: [DONE]\n\n")
    r = gen(http, gbody(), model="fault-bad-sse")
    assert r.status_code == 200
    with pytest.raises(ValueError):
        json.loads(r.content)


def test_fault_slow_does_not_block_others(make_emulator, web):
    emu = make_emulator(ttft_ms=0, chunk_ms=0, time_scale=0.02)  # 30 s x 0.02 = 0.6 s
    url = emu.base_url + "/v1beta/models/{}:generateContent"
    with ThreadPoolExecutor(2) as pool:
        start = time.perf_counter()
        slow = pool.submit(web.post, url.format("fault-slow"), json=gbody(), headers=KEY)
        fast = web.post(url.format(FLASH), json=gbody(), headers=KEY)
        fast_s = time.perf_counter() - start
        r = slow.result()
        slow_s = time.perf_counter() - start
    assert fast.status_code == 200 and fast_s < 0.3
    assert r.status_code == 200 and r.json()["modelVersion"] == "fault-slow" and slow_s >= 0.55


def test_stop_is_prompt_with_a_slow_request_in_flight(web):
    emu = Emulator(ttft_ms=0, chunk_ms=0, time_scale=1.0).start()  # fault-slow would wait 30 s
    errors = []

    def call():
        try:
            web.post(f"{emu.base_url}/v1beta/models/fault-slow:generateContent", json=gbody(),
                       headers=KEY, timeout=10)
        except httpx2.HTTPError as exc:
            errors.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    deadline = time.monotonic() + 5
    while not emu.received and time.monotonic() < deadline:
        time.sleep(0.01)
    start = time.perf_counter()
    emu.stop()
    assert time.perf_counter() - start < 1.0
    worker.join(3)
    assert not worker.is_alive() and errors  # the client sees the connection end


# ----------------------------------------------------------------------------- determinism

def test_same_body_same_bytes(http):
    for send in (lambda: gen(http, gbody("determinism")), lambda: sse(http, gbody("determinism")),
                 lambda: chat(http, obody("determinism")), lambda: chat(http, obody("determinism", stream=True))):
        assert send().content == send().content
    a, b = gen(http, gbody("first prompt")).json(), gen(http, gbody("second prompt")).json()
    assert part_text(a) != part_text(b) and a["responseId"] != b["responseId"]


# ----------------------------------------------------------------------------- honoured settings

def test_max_tokens_cut_with_finish_length(http):
    reply = gen(http, gbody(generationConfig={"maxOutputTokens": 5})).json()
    assert reply["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert reply["usageMetadata"]["candidatesTokenCount"] == 5
    for key in ("max_tokens", "max_completion_tokens"):
        reply = chat(http, obody(**{key: 7, "reasoning_effort": "none"})).json()
        assert reply["choices"][0]["finish_reason"] == "length" and reply["usage"]["completion_tokens"] == 7


def test_stop_sequences_cut_before_the_stop(http):
    prompt = "Count to three then say HALT and more"
    reply = gen(http, gbody(prompt, generationConfig={"stopSequences": ["HALT"]})).json()
    text = part_text(reply)
    assert "HALT" not in text and text.endswith("then say") and reply["candidates"][0]["finishReason"] == "STOP"
    choice = chat(http, obody(prompt, stop="HALT")).json()["choices"][0]
    assert choice["message"]["content"].endswith("then say") and choice["finish_reason"] == "stop"


def test_candidates_are_distinct(http):
    reply = gen(http, gbody(generationConfig={"candidateCount": 3})).json()
    assert [c["index"] for c in reply["candidates"]] == [0, 1, 2]
    assert len({part_text(reply, i) for i in range(3)}) == 3
    chunks = [json.loads(e) for e in events(sse(http, gbody(generationConfig={"candidateCount": 2})).text)]
    assert gemini_text(chunks, 1) == part_text(gen(http, gbody(generationConfig={"candidateCount": 2})).json(), 1)
    choices = chat(http, obody(n=2)).json()["choices"]
    assert len(choices) == 2 and choices[0]["message"]["content"] != choices[1]["message"]["content"]
    chunks = openai_chunks(chat(http, obody(n=2, stream=True)).text)
    assert {c["choices"][0]["index"] for c in chunks} == {0, 1}


def test_system_instruction_is_visible(http):
    text = part_text(gen(http, gbody(systemInstruction={"parts": [{"text": "Answer like a pirate"}]})).json())
    assert text.startswith('Following the system instruction "Answer like a pirate"')
    msgs = [{"role": "system", "content": "Answer like a pirate"}, {"role": "user", "content": "hi"}]
    content = chat(http, {"model": FLASH, "messages": msgs}).json()["choices"][0]["message"]["content"]
    assert content.startswith('Following the system instruction "Answer like a pirate"')


def test_json_mode_without_schema(http):
    reply = gen(http, gbody(generationConfig={"responseMimeType": "application/json"})).json()
    assert isinstance(json.loads(part_text(reply)), dict)
    content = chat(http, obody(response_format={"type": "json_object"})).json()["choices"][0]["message"]["content"]
    assert isinstance(json.loads(content), dict)


GEMINI_SCHEMA = {
    "type": "OBJECT",
    "properties": {
        "title": {"type": "STRING"},
        "servings": {"type": "INTEGER", "minimum": 1, "maximum": 8},
        "rating": {"type": "NUMBER"},
        "vegan": {"type": "BOOLEAN"},
        "course": {"type": "STRING", "enum": ["starter", "main", "dessert"]},
        "steps": {"type": "ARRAY", "items": {"type": "OBJECT", "properties": {"text": {"type": "STRING"}},
                                             "required": ["text"]}, "minItems": 3},
    },
    "required": ["title", "servings"],
    "propertyOrdering": ["title", "servings", "rating", "vegan", "course", "steps"],
}


def check_recipe(value: dict) -> None:
    assert list(value) == ["title", "servings", "rating", "vegan", "course", "steps"]
    assert isinstance(value["title"], str) and isinstance(value["servings"], int)
    assert 1 <= value["servings"] <= 8 and isinstance(value["rating"], float)
    assert isinstance(value["vegan"], bool) and value["course"] in ("starter", "main", "dessert")
    assert len(value["steps"]) == 3 and all(isinstance(s["text"], str) for s in value["steps"])


def test_json_schema_shapes_the_answer(http):
    config = {"responseMimeType": "application/json", "responseSchema": GEMINI_SCHEMA}
    check_recipe(json.loads(part_text(gen(http, gbody(generationConfig=config)).json())))
    lower = json.loads(json.dumps(GEMINI_SCHEMA).replace('"OBJECT"', '"object"').replace('"STRING"', '"string"')
                       .replace('"INTEGER"', '"integer"').replace('"NUMBER"', '"number"')
                       .replace('"BOOLEAN"', '"boolean"').replace('"ARRAY"', '"array"'))
    config = {"responseMimeType": "application/json", "responseJsonSchema": lower}
    chunks = [json.loads(e) for e in events(sse(http, gbody(generationConfig=config)).text)]
    check_recipe(json.loads(gemini_text(chunks)))
    fmt = {"type": "json_schema", "json_schema": {"name": "recipe", "schema": lower, "strict": True}}
    check_recipe(json.loads(chat(http, obody(response_format=fmt)).json()["choices"][0]["message"]["content"]))
    config = {"responseMimeType": "text/x.enum", "responseSchema": {"type": "STRING", "enum": ["yes", "no"]}}
    assert part_text(gen(http, gbody(generationConfig=config)).json()) in ("yes", "no")


def test_thinking_thoughts_and_token_counts(http):
    config = {"thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True}}
    reply = gen(http, gbody(generationConfig=config)).json()
    parts = reply["candidates"][0]["content"]["parts"]
    assert parts[0]["thought"] is True and parts[0]["text"].startswith("**") and "thought" not in parts[1]
    assert 0 < reply["usageMetadata"]["thoughtsTokenCount"] <= 1024
    no_thoughts = gen(http, gbody(generationConfig={"thinkingConfig": {"thinkingBudget": 1024}})).json()
    assert len(no_thoughts["candidates"][0]["content"]["parts"]) == 1
    assert no_thoughts["usageMetadata"]["thoughtsTokenCount"] == reply["usageMetadata"]["thoughtsTokenCount"]
    off = gen(http, gbody(generationConfig={"thinkingConfig": {"thinkingBudget": 0, "includeThoughts": True}})).json()
    assert "thoughtsTokenCount" not in off["usageMetadata"] and len(off["candidates"][0]["content"]["parts"]) == 1
    lite = gen(http, gbody(), model="gemini-2.5-flash-lite").json()
    assert "thoughtsTokenCount" not in lite["usageMetadata"]  # off by default
    low = gen(http, gbody(generationConfig={"thinkingConfig": {"thinkingLevel": "low"}}), model="gemini-3-flash-preview")
    high = gen(http, gbody(generationConfig={"thinkingConfig": {"thinkingLevel": "HIGH"}}), model="gemini-3-flash-preview")
    assert 0 < low.json()["usageMetadata"]["thoughtsTokenCount"] < high.json()["usageMetadata"]["thoughtsTokenCount"]
    chunks = [json.loads(e) for e in events(sse(http, gbody(generationConfig=config)).text)]
    first = chunks[0]["candidates"][0]["content"]["parts"][0]
    assert first["thought"] is True  # thoughts stream before the answer


def test_snake_case_gemini_fields_are_read(http):
    body = {"contents": [{"role": "user", "parts": [{"text": "hello"}]}],
            "system_instruction": {"parts": [{"text": "be terse"}]},
            "generation_config": {"max_output_tokens": 9, "thinking_config": {"thinking_budget": 0},
                                  "response_mime_type": "text/plain", "stop_sequences": ["zzz"]}}
    reply = gen(http, body).json()
    assert reply["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert reply["usageMetadata"]["candidatesTokenCount"] == 9 and "thoughtsTokenCount" not in reply["usageMetadata"]
    assert part_text(reply).startswith("Following the system instruction")


def test_openai_reasoning_effort_and_reasoning_content(http):
    low = chat(http, obody(reasoning_effort="low")).json()
    high = chat(http, obody(reasoning_effort="high")).json()
    details = lambda r: r["usage"]["completion_tokens_details"]["reasoning_tokens"]  # noqa: E731
    assert 0 < details(low) < details(high)
    assert "reasoning_content" not in low["choices"][0]["message"]
    assert details(chat(http, obody(reasoning_effort="none")).json()) == 0
    asked = {"extra_body": {"google": {"thinking_config": {"thinking_budget": 512, "include_thoughts": True}}}}
    message = chat(http, obody(**asked)).json()["choices"][0]["message"]
    assert message["reasoning_content"].startswith("**Planning the reply")
    chunks = openai_chunks(chat(http, obody(stream=True, **asked)).text)
    assert any("reasoning_content" in c["choices"][0]["delta"] for c in chunks)


# ----------------------------------------------------------------------------- issue 6 features

def test_google_search_grounding_offsets_are_bytes(http):
    reply = gen(http, gbody("Where can I get a café crème in Zürich?", tools=[{"googleSearch": {}}])).json()
    meta = reply["candidates"][0]["groundingMetadata"]
    text = part_text(reply).encode("utf-8")
    assert meta["webSearchQueries"] and len(meta["groundingChunks"]) == 2
    for chunk in meta["groundingChunks"]:
        assert chunk["web"]["uri"].startswith(("https://example.com/", "https://example.org/"))
    assert meta["groundingSupports"]
    for support in meta["groundingSupports"]:
        seg = support["segment"]
        assert text[seg["startIndex"]:seg["endIndex"]].decode("utf-8") == seg["text"]
        assert len(support["groundingChunkIndices"]) == len(support["confidenceScores"])
    chunks = [json.loads(e) for e in events(sse(http, gbody("Zürich?", tools=[{"google_search": {}}])).text)]
    assert "groundingMetadata" in chunks[-1]["candidates"][0]


def test_inline_data_checked_and_described(http):
    body = {"contents": [{"role": "user", "parts": [{"text": "What is this?"},
                                                    {"inline_data": {"mime_type": "image/png", "data": PNG}}]}]}
    reply = gen(http, body).json()
    assert "image/png, 68 bytes" in part_text(reply)
    assert {"modality": "IMAGE", "tokenCount": 258} in reply["usageMetadata"]["promptTokensDetails"]
    bad_b64 = json.loads(json.dumps(body).replace(PNG, "not base64!!"))
    r = gen(http, bad_b64)
    assert r.status_code == 400 and "Base64 decoding failed" in r.json()["error"]["message"]
    bad_mime = json.loads(json.dumps(body).replace("image/png", "image/bmp"))
    r = gen(http, bad_mime)
    assert r.status_code == 400 and "Unsupported MIME type: image/bmp" in r.json()["error"]["message"]
    url = {"contents": [{"parts": [{"text": "Summarise"},
                                   {"fileData": {"mimeType": "application/pdf", "fileUri": "https://example.com/a.pdf"}}]}]}
    assert "https://example.com/a.pdf" in part_text(gen(http, url).json())


def test_inline_data_over_20_mb_in_all(http):
    half = base64.b64encode(b"\0" * (10 * 1024 * 1024 + 1)).decode()
    parts = [{"text": "two halves"}] + [{"inlineData": {"mimeType": "application/pdf", "data": half}}] * 2
    r = gen(http, {"contents": [{"parts": parts}]})
    assert r.status_code == 400 and "exceeds the limit: 20971520 bytes" in r.json()["error"]["message"]


def test_openai_image_url_and_file_parts(http):
    content = [{"type": "text", "text": "Compare these"},
               {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
               {"type": "file", "file": {"filename": "a.pdf",
                                          "file_data": "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4").decode()}}]
    reply = chat(http, {"model": FLASH, "messages": [{"role": "user", "content": content}]}).json()
    text = reply["choices"][0]["message"]["content"]
    assert "image/png, 68 bytes" in text and "application/pdf, 8 bytes" in text
    content[1] = {"type": "image_url", "image_url": {"url": "data:image/bmp;base64,AAAA"}}
    r = chat(http, {"model": FLASH, "messages": [{"role": "user", "content": content}]})
    assert r.status_code == 400 and "image/bmp" in r.json()["error"]["message"]


WEATHER = {"name": "get_weather", "description": "Weather for a city",
           "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}, "days": {"type": "INTEGER"},
                                                           "unit": {"type": "STRING", "enum": ["C", "F"]}},
                          "required": ["city"]}}


def test_gemini_function_call_and_response(http):
    body = gbody("What's the weather in Paris?", tools=[{"functionDeclarations": [WEATHER]}])
    reply = gen(http, body).json()
    cand = reply["candidates"][0]
    call = cand["content"]["parts"][0]["functionCall"]
    assert cand["finishReason"] == "STOP"
    assert call == {"name": "get_weather", "args": {"city": "Paris", "days": 3, "unit": "C"}}
    chunks = [json.loads(e) for e in events(sse(http, body).text)]
    assert chunks[-1]["candidates"][0]["content"]["parts"][0]["functionCall"] == call
    none = dict(body, toolConfig={"functionCallingConfig": {"mode": "NONE"}})
    assert "text" in gen(http, none).json()["candidates"][0]["content"]["parts"][0]
    follow = dict(body, contents=body["contents"] + [
        {"role": "model", "parts": [{"functionCall": call}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"output": "sunny, 21 C"}}}]}])
    text = part_text(gen(http, follow).json())
    assert "get_weather" in text and "sunny, 21 C" in text


def test_openai_tool_calls_and_tool_turn(http):
    tools = [{"type": "function", "function": {**WEATHER, "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    body = obody("What's the weather in Paris?", tools=tools)
    choice = chat(http, body).json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    call = choice["message"]["tool_calls"][0]
    assert call["type"] == "function" and call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    chunks = openai_chunks(chat(http, dict(body, stream=True)).text)
    streamed = "".join(tc["function"].get("arguments", "") for c in chunks
                       for tc in c["choices"][0]["delta"].get("tool_calls", []))
    assert json.loads(streamed) == {"city": "Paris"} and chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert chat(http, dict(body, tool_choice="none")).json()["choices"][0]["finish_reason"] == "stop"
    follow = dict(body, messages=body["messages"] + [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": '{"forecast": "rain"}'}])
    choice = chat(http, follow).json()["choices"][0]
    assert choice["finish_reason"] == "stop" and "rain" in choice["message"]["content"]
    assert "get_weather" in choice["message"]["content"]


def test_safety_block_trigger(http):
    reply = gen(http, gbody("please BLOCKME now")).json()
    assert "candidates" not in reply and reply["promptFeedback"]["blockReason"] == "SAFETY"
    assert any(r.get("blocked") for r in reply["promptFeedback"]["safetyRatings"])
    chunks = [json.loads(e) for e in events(sse(http, gbody("please BLOCKME now")).text)]
    assert len(chunks) == 1 and chunks[0]["promptFeedback"]["blockReason"] == "SAFETY"
    choice = chat(http, obody("please BLOCKME now")).json()["choices"][0]
    assert choice["finish_reason"] == "content_filter" and choice["message"]["content"] == ""
    chunks = openai_chunks(chat(http, obody("please BLOCKME now", stream=True)).text)
    assert chunks[-1]["choices"][0]["finish_reason"] == "content_filter"


def test_count_tokens(http):
    r = gen(http, gbody("Hello, world!"), op="countTokens")
    assert r.json() == {"totalTokens": 4, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 4}]}
    wrapped = {"generateContentRequest": {"model": f"models/{FLASH}", **gbody("Hello, world!"),
                                          "systemInstruction": {"parts": [{"text": "Be kind."}]}}}
    assert gen(http, wrapped, op="countTokens").json()["totalTokens"] == 7
    image = {"contents": [{"parts": [{"text": "hi"}, {"inlineData": {"mimeType": "image/png", "data": PNG}}]}]}
    assert gen(http, image, op="countTokens").json()["totalTokens"] == 1 + 258
    assert gen(http, {**gbody(), **wrapped}, op="countTokens").status_code == 400
    assert gen(http, gbody(), op="countTokens", headers={}).status_code == 401


# ----------------------------------------------------------------------------- model lists

def test_openai_model_list(http):
    data = http.get("/v1/models", headers=BEARER).json()
    assert data["object"] == "list"
    ids = [m["id"] for m in data["data"]]
    assert set(ids) == {m["id"] for m in MODELS} | set(FAULTS)
    for item in data["data"]:
        assert item["object"] == "model" and isinstance(item["created"], int) and item["owned_by"]
        assert item["description"]
    assert next(m for m in data["data"] if m["id"] == "fault-slow")["description"] == FAULTS["fault-slow"]
    assert http.get("/v1/models/gemini-2.5-pro", headers=BEARER).json()["id"] == "gemini-2.5-pro"
    assert http.get("/v1/models/nope", headers=BEARER).status_code == 404


def test_gemini_model_list_and_get(http):
    data = http.get("/v1beta/models", headers=KEY).json()
    names = [m["name"] for m in data["models"]]
    for model in ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite", "gemini-3-flash-preview",
                  "fault-html"):
        assert f"models/{model}" in names
    assert "models/gpt-5.1" not in names and "nextPageToken" not in data
    page = http.get("/v1beta/models", params={"pageSize": 3}, headers=KEY).json()
    assert len(page["models"]) == 3 and page["nextPageToken"]
    rest = http.get("/v1beta/models", params={"pageSize": 100, "pageToken": page["nextPageToken"]}, headers=KEY)
    assert [m["name"] for m in page["models"] + rest.json()["models"]] == names
    one = http.get("/v1beta/models/gemini-2.5-pro", headers=KEY).json()
    assert one["name"] == "models/gemini-2.5-pro" and "generateContent" in one["supportedGenerationMethods"]
    assert http.get("/v1beta/models/nope", headers=KEY).status_code == 404


def test_public_catalog(http):
    data = http.get("/api/models").json()  # no key
    assert data["success"] is True and data["total"] == len(data["data"]) and data["page"] == 0
    by_id = {m["id"]: m for m in data["data"]}
    assert {"gpt-5.1", "deepseek-v4-pro", "gemini-2.5-flash", "gemini-3-flash-preview"} <= set(by_id)
    assert not data["data"][0]["id"].startswith("gemini")  # sorting Gemini first is the client's job
    for m in data["data"]:
        assert set(m) == {"id", "provider", "model_type", "features", "pricing", "api_doc_url"}
        assert set(m["pricing"]) == {"currency", "input", "output", "per_request", "per_second"}
    assert by_id["gemini-2.5-flash"]["pricing"]["input"] > 0 and by_id["gemini-2.5-flash"]["provider"] == "Google"


def test_models_expose_thinking_ranges():
    by_id = {m["id"]: m for m in MODELS}
    assert by_id["gemini-2.5-flash"]["thinking"] == {"kind": "budget", "min": 0, "max": 24576,
                                                     "can_disable": True, "default": "dynamic"}
    assert by_id["gemini-2.5-pro"]["thinking"]["min"] == 128 and not by_id["gemini-2.5-pro"]["thinking"]["can_disable"]
    assert by_id["gemini-2.5-flash-lite"]["thinking"]["default"] == "off"
    assert by_id["gemini-3-flash-preview"]["thinking"]["levels"] == ["MINIMAL", "LOW", "MEDIUM", "HIGH"]
    assert by_id["gpt-5.1"]["thinking"] is None
    assert all(isinstance(desc, str) and desc for desc in FAULTS.values())


# ----------------------------------------------------------------------------- recording, directive

def test_received_records_every_request(make_emulator):
    emu = make_emulator(ttft_ms=0, chunk_ms=0)
    with client(emu) as c:
        gen(c, gbody("recorded"), query="?alt=json&key=abc")
        c.get("/api/models")
        c.post("/v1/chat/completions", content=b"{broken", headers=BEARER)
    first, second, third = emu.received
    assert isinstance(first, Received)
    assert (first.method, first.path) == ("POST", f"/v1beta/models/{FLASH}:generateContent")
    assert first.query == {"alt": "json", "key": "abc"}
    assert first.headers["x-goog-api-key"] == "test-key" and "content-type" in first.headers
    assert all(name == name.lower() for name in first.headers)
    assert first.json == gbody("recorded") and json.loads(first.body) == gbody("recorded")
    assert (second.method, second.path, second.body, second.json) == ("GET", "/api/models", b"", None)
    assert third.body == b"{broken" and third.json is None
    emu.clear()
    assert emu.received == []


def test_chunks_directive(http):
    chunks = [json.loads(e) for e in events(sse(http, gbody("stream please [[chunks=200]]")).text)]
    assert len(chunks) == 200
    assert all(len(c["candidates"][0]["content"]["parts"][0]["text"].split()) == 1 for c in chunks)
    assert chunks[-1]["usageMetadata"]["candidatesTokenCount"] == 200
    content = [c for c in openai_chunks(chat(http, obody("[[chunks=50]]", stream=True)).text)
               if c["choices"][0]["delta"].get("content")]
    assert len(content) == 50
    reply = gen(http, gbody("[[chunks=9999]]", generationConfig={"maxOutputTokens": 7000})).json()
    assert reply["usageMetadata"]["candidatesTokenCount"] == 5000  # capped


def test_six_streams_at_once_take_about_as_long_as_one(make_emulator, web):
    emu = make_emulator(ttft_ms=40, chunk_ms=25)
    url = f"{emu.base_url}/v1/chat/completions"
    body = obody("[[chunks=10]]", stream=True)

    def one(_=None) -> float:
        start = time.perf_counter()
        r = web.post(url, json=body, headers=BEARER)
        assert r.text.endswith("data: [DONE]\n\n")
        return time.perf_counter() - start

    one()  # warm the connection pool
    single = one()
    with ThreadPoolExecutor(6) as pool:
        start = time.perf_counter()
        list(pool.map(one, range(6)))
        together = time.perf_counter() - start
    assert single >= 0.25 and together < single * 2.5  # one after another: 6x


def test_keep_alive_requests_are_fast(make_emulator):
    emu = make_emulator(ttft_ms=0, chunk_ms=0)
    with client(emu) as c:
        gen(c, gbody())
        start = time.perf_counter()
        for _ in range(30):
            assert gen(c, gbody()).status_code == 200
        per_request = (time.perf_counter() - start) / 30
    assert per_request < 0.02  # delayed-ACK stalls would make this ~40 ms


# ----------------------------------------------------------------------------- settings, CLI, shared

def test_latency_defaults_from_environment(monkeypatch):
    monkeypatch.setenv("COMET_EMULATOR_TTFT_MS", "7")
    monkeypatch.setenv("COMET_EMULATOR_CHUNK_MS", "3")
    emu = Emulator()
    assert (emu.ttft_ms, emu.chunk_ms, emu.time_scale) == (7, 3, pytest.approx(0.35))
    monkeypatch.delenv("COMET_EMULATOR_TTFT_MS")
    monkeypatch.delenv("COMET_EMULATOR_CHUNK_MS")
    emu = Emulator()
    assert (emu.ttft_ms, emu.chunk_ms, emu.time_scale) == (20, 10, 1.0)
    with pytest.raises(ValueError):
        Emulator(gemini_errors="other")


def test_ttft_delays_the_first_byte(make_emulator, web):
    emu = make_emulator(ttft_ms=120, chunk_ms=0)
    start = time.perf_counter()
    web.post(f"{emu.base_url}/v1beta/models/{FLASH}:generateContent", json=gbody(), headers=KEY)
    assert time.perf_counter() - start >= 0.12


def test_shared_is_one_started_emulator(web):
    emu = shared()
    assert emu is shared()
    assert web.get(emu.base_url + "/api/models").status_code == 200


def test_cli_prints_base_url_first(web):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "comet", "emulator", "--port", "0", "--ttft-ms", "0",
                             "--crlf"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:")
        assert web.get(first + "/api/models", timeout=5).status_code == 200
        r = web.post(f"{first}/v1beta/models/{FLASH}:streamGenerateContent?alt=sse", json=gbody(), headers=KEY)
        assert "\r\n\r\n" in r.text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
