"""A key an upstream echoes split over stream chunks (issue 27): neither the deltas handed out
while it streams, nor the Exchange (text, thoughts, function calls, raw chunks), nor the
History row made from it holds the key or a piece of it; text without a key arrives whole.

A loopback server streams the key it was sent, cut at chosen places, on both routes: OpenAI's
event stream, Gemini's event stream and Gemini's JSON-array stream."""

from __future__ import annotations

import json
import sqlite3
import time
from http.server import BaseHTTPRequestHandler

import pytest
from loopback import serving

from comet import Call, Client, Route
from comet.cli.summary import summary
from comet.core.exchange import TextDelta, ThoughtDelta
from comet.http.client import RetryPolicy
from comet.store import open_store

KEY = "sk-split-7f3c9e21-do-not-leak"
MASK = "[redacted]"


def text_of(key: str) -> str:
    return f"You sent the key {key}. Keep it safe."


def thought_of(key: str) -> str:
    return f"The user pasted {key} into the prompt"


NEAR = f"Keys look like {KEY[:12]} or {KEY[:-1]}! Mine ends {KEY[:9]}"  # beginnings of the key, never all of it


def pieces(text: str, key: str, scenario: str) -> list[str]:
    """``text`` cut where ``scenario`` says: inside the key once, or every four characters."""
    if scenario == "split-many":
        return [text[i:i + 4] for i in range(0, len(text), 4)]
    if key in text:
        cut = text.index(key) + 7
        return [text[:cut], text[cut:]]
    return [text[:len(text) - 5], text[len(text) - 5:]]  # NEAR: its last piece starts inside a beginning of the key


def openai_chunks(key: str, scenario: str) -> list[dict]:
    def chunk(finish=None, **delta):
        return {"id": "c1", "object": "chat.completion.chunk", "model": key if scenario == "echo-model" else "m",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    if scenario == "near-miss":
        return [chunk(content=p) for p in pieces(NEAR, key, scenario)] + [chunk("stop")]
    out = [chunk(reasoning_content=p) for p in pieces(thought_of(key), key, "split-2")]
    out += [chunk(content=p) for p in pieces(text_of(key), key, scenario)]
    arguments = json.dumps({"token": key})
    out += [chunk(tool_calls=[{"index": 0, "id": "call_1", "function": {"name": "save", "arguments": ""}}])]
    out += [chunk(tool_calls=[{"index": 0, "function": {"arguments": p}}]) for p in pieces(arguments, key, scenario)]
    out.append(chunk("stop"))
    return out


def gemini_chunks(key: str, scenario: str) -> list[dict]:
    def chunk(*parts, **more):
        return {"candidates": [{"content": {"role": "model", "parts": list(parts)}, "index": 0, **more}],
                "modelVersion": key if scenario == "echo-model" else "gemini-2.5-flash"}
    if scenario == "near-miss":
        out = [chunk({"text": p}) for p in pieces(NEAR, key, scenario)]
    else:
        out = [chunk({"text": p, "thought": True}) for p in pieces(thought_of(key), key, "split-2")]
        out += [chunk({"text": p}) for p in pieces(text_of(key), key, scenario)]
        out.append(chunk({"functionCall": {"name": "save", "args": {"token": key}}}))
    out.append(chunk({"text": ""}, finishReason="STOP"))
    return out


class Splitter(BaseHTTPRequestHandler):
    """Streams the key it was sent back, cut into chunks; the model name says how."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        key = self.headers.get("x-goog-api-key") or self.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.path.startswith("/v1/chat"):
            model, ctype = body["model"], "text/event-stream"
            events = [b"data: " + json.dumps(c).encode() + b"\n\n" for c in openai_chunks(key, model)]
            events.append(b"data: [DONE]\n\n")
        else:
            model = self.path.split("/models/")[1].split(":")[0]
            array = model.endswith("-array")
            chunks = gemini_chunks(key, model.removesuffix("-array"))
            ctype = "application/json" if array else "text/event-stream"
            events = ([(b"[" if i == 0 else b",") + json.dumps(c).encode() for i, c in enumerate(chunks)] + [b"]"]
                      if array else [b"data: " + json.dumps(c).encode() + b"\r\n\r\n" for c in chunks])
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(sum(map(len, events))))
        self.end_headers()
        for event in events:  # a write each, a moment apart: the chunks arrive in separate reads
            self.wfile.write(event)
            self.wfile.flush()
            time.sleep(0.002)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def splitter():
    with serving(Splitter) as base_url:
        yield base_url


WIRES = ["openai", "gemini-sse", "gemini-array"]


def streamed(base: str, wire: str, scenario: str) -> tuple[list, object, object]:
    if wire == "openai":
        call = Call(Route.OPENAI, scenario, {"messages": [{"role": "user", "content": "hi"}]}, stream=True)
    else:
        model = scenario + ("-array" if wire == "gemini-array" else "")
        call = Call(Route.GEMINI, model, {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}, stream=True)
    with Client(base, KEY, timeout=20, retry=RetryPolicy(attempts=1)) as client:
        events = list(client.stream(call))
        sent = client.send(call)
    return events, events[-1], sent


def pieces_of_the_key(blob: str) -> list[str]:
    """Every 8 characters of the key found in ``blob`` (the key itself included)."""
    return sorted({KEY[i:i + 8] for i in range(len(KEY) - 7) if KEY[i:i + 8] in blob})


def stored(tmp_path, exchange) -> str:
    """Everything the History database holds after recording ``exchange``, as SQL text."""
    path = tmp_path / "history.sqlite"
    with open_store(path) as store:
        run_id = store.record(exchange)
        kept = store.details(run_id)
    with sqlite3.connect(path) as db:
        dump = "\n".join(db.iterdump())
    return dump + json.dumps(kept, default=str)


@pytest.mark.parametrize("scenario", ["split-2", "split-many"])
@pytest.mark.parametrize("wire", WIRES)
def test_a_key_split_over_chunks_reaches_neither_the_stream_nor_the_exchange_nor_history(
        splitter, wire, scenario, tmp_path):
    events, ex, sent = streamed(splitter, wire, scenario)
    assert ex.ok and sent.ok, (ex.error, sent.error)
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    thought = "".join(e.text for e in events if isinstance(e, ThoughtDelta))
    assert shown == ex.text == sent.text == text_of(MASK)
    assert thought == ex.reply.thoughts == thought_of(MASK)
    assert ex.reply.function_calls[0].args == {"token": MASK}
    for blob in (repr(events), repr(sent), json.dumps(summary(sent)), stored(tmp_path, sent)):
        assert pieces_of_the_key(blob) == []
    assert MASK in json.dumps(sent.reply.raw)  # where the key began, in its own chunk


@pytest.mark.parametrize("wire", WIRES)
def test_a_key_whole_in_a_field_no_reader_joins_is_masked_in_a_stream(splitter, wire, tmp_path):
    """The served model's name (in every chunk) is the key: no delta carries it, the bytes do."""
    events, ex, sent = streamed(splitter, wire, "echo-model")
    assert ex.ok and ex.reply.model_version == MASK and ex.text == text_of(MASK)
    for blob in (repr(events), repr(sent), stored(tmp_path, sent)):
        assert pieces_of_the_key(blob) == []


@pytest.mark.parametrize("wire", WIRES)
def test_text_that_only_begins_like_the_key_arrives_whole(splitter, wire):
    events, ex, sent = streamed(splitter, wire, "near-miss")
    shown = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert shown == ex.text == sent.text == NEAR
    assert MASK not in json.dumps(ex.reply.raw) and KEY[:-1] in json.dumps(ex.reply.raw)
