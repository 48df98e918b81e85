"""The client reads a stream a network read at a time: everything before a bad event in the
same read still reaches the caller, as deltas and in the Exchange. The answers come from a
real loopback server that writes each canned response in one piece (so several events share
a read), and the outcome asserted holds however the bytes are split.

Also: the per-chunk JSON parser agrees with ``json.loads``, and deltas of the two kinds are
never equal."""

from __future__ import annotations

import gzip
import json
import socket
import threading

import pytest

from comet import Call, Client, Route
from comet.core.exchange import Exchange, TextDelta, ThoughtDelta
from comet.http.answer import loads as _loads
from comet.http.client import RetryPolicy

OPENAI_BODY = {"messages": [{"role": "user", "content": "Say hello"}]}


class CannedServer:
    """Answers every request on loopback with one fixed HTTP response, written in one piece."""

    def __init__(self, body: bytes, content_type: str, more_headers: str = ""):
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{more_headers}"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        self.response = head + body
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, rest = data.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(rest) < length:
                    rest += conn.recv(65536)
                conn.sendall(self.response)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def canned():
    servers: list[CannedServer] = []

    def start(body: bytes, content_type: str = "text/event-stream", more_headers: str = "") -> CannedServer:
        servers.append(CannedServer(body, content_type, more_headers))
        return servers[-1]
    yield start
    for server in servers:
        server.close()


def sse(*payloads: str) -> bytes:
    return "".join(f"data: {p}\n\n" for p in payloads).encode()


def chunk(text: str) -> str:
    return json.dumps({"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {"content": text}}]})


def run(server: CannedServer, stream: bool = True) -> tuple[list, Exchange]:
    with Client(server.base_url, "sk-test", retry=RetryPolicy(attempts=1)) as client:
        events = list(client.stream(Call(Route.OPENAI, "m", OPENAI_BODY, stream=stream)))
    return events[:-1], events[-1]


def streamed(events: list) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def test_an_error_object_after_good_events_in_one_read(canned):
    server = canned(sse(chunk("Hello"), chunk(" world"),
                        json.dumps({"error": {"message": "quota gone", "type": "server_error"}})))
    events, ex = run(server)
    assert streamed(events) == ex.text == "Hello world"
    assert ex.error.kind == "protocol" and "quota gone" in ex.error.message and ex.partial


def test_malformed_json_after_good_events_in_one_read(canned):
    server = canned(sse(chunk("Hello"), chunk(" world"), '{"choices": [oops'))
    events, ex = run(server)
    assert streamed(events) == ex.text == "Hello world"
    assert ex.error.kind == "protocol" and "malformed SSE event" in ex.error.message


def test_a_wrongly_shaped_chunk_after_good_ones_in_one_read(canned):
    server = canned(sse(chunk("Hello"), chunk(" world"), '{"choices": "not a list"}'))
    events, ex = run(server)
    assert streamed(events) == ex.text == "Hello world"
    assert ex.error.kind == "protocol" and "unexpected stream payload" in ex.error.message


def test_a_wrongly_shaped_plain_answer_is_a_protocol_error(canned):
    server = canned(b'{"id": "c1", "choices": "not a list"}', "application/json")
    events, ex = run(server, stream=False)
    assert not events and ex.error.kind == "protocol" and ex.status == 200
    assert "unexpected shape" in ex.error.message


def test_a_whole_stream_in_one_read(canned):
    finish = json.dumps({"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    server = canned(sse(chunk("a"), chunk("b"), chunk("c"), finish, "[DONE]"))
    events, ex = run(server)
    assert ex.ok and streamed(events) == ex.text == "abc" and ex.reply.finish_reason == "stop"
    assert len(ex.timing.chunk_ms) == 4 and ex.timing.ttft_ms is not None


@pytest.mark.parametrize("content_type", ["text/event-stream", "application/json"])
def test_a_gzipped_stream_is_read_decoded(canned, content_type):
    """Without a content encoding the client takes the raw reads; with one (gzip here) the
    body is decoded first, on the SSE and the JSON-array stream alike."""
    finish = {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    if content_type == "text/event-stream":
        body = sse(chunk("Hello"), chunk(" world"), json.dumps(finish), "[DONE]")
        route, call_body = Route.OPENAI, OPENAI_BODY
    else:
        parts = [{"candidates": [{"content": {"parts": [{"text": t}], "role": "model"}, "index": 0}]}
                 for t in ("Hello", " world")]
        parts[-1]["candidates"][0]["finishReason"] = "STOP"
        body = json.dumps(parts).encode()
        route, call_body = Route.GEMINI, {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    server = canned(gzip.compress(body), content_type, "Content-Encoding: gzip\r\n")
    with Client(server.base_url, "sk-test", retry=RetryPolicy(attempts=1)) as client:
        *events, ex = client.stream(Call(route, "m", call_body, stream=True))
    assert ex.ok and streamed(events) == ex.text == "Hello world" and ex.reply.finish_reason == "stop"


SECRET = "sk-reads-0123456789abcdef"  # long enough to be masked (redact.known_keys)


def test_a_key_echoed_before_a_wrongly_shaped_chunk_is_masked_in_the_deltas(canned):
    """The deltas handed out before a bad chunk of the same read pass through the key mask too."""
    server = canned(sse(chunk(f"You sent {SECRET}"), '{"choices": "not a list"}'))
    with Client(server.base_url, SECRET, retry=RetryPolicy(attempts=1)) as client:
        *events, ex = client.stream(Call(Route.OPENAI, "m", OPENAI_BODY, stream=True))
    assert streamed(events) == ex.text == "You sent [redacted]"
    assert ex.error.kind == "protocol" and SECRET not in repr(events) + repr(ex)


@pytest.mark.parametrize("body,stream", [
    (sse(chunk("Hello"), chunk(f" {SECRET}"), json.dumps(
        {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}), "[DONE]"), True),
    (sse(chunk("Hello"), '{"choices": "not a list"}'), True),
    (sse(chunk("Hello"), json.dumps({"error": {"message": "quota gone"}})), True),
    (json.dumps({"id": "c1", "choices": [{"index": 0, "message": {"content": f"Hi {SECRET}"},
                                          "finish_reason": "stop"}]}).encode(), False),
])
def test_send_gives_the_exchange_stream_ends_with(canned, body, stream):
    """``send`` hands out no deltas, yet its Exchange is the one ``stream`` ends with: the
    same reply (the key masked), error and status."""
    server = canned(body, "text/event-stream" if stream else "application/json")
    call = Call(Route.OPENAI, "m", OPENAI_BODY, stream=stream)
    with Client(server.base_url, SECRET, retry=RetryPolicy(attempts=1)) as client:
        streamed_ex = list(client.stream(call))[-1]
        sent = client.send(call)
    assert (sent.reply, sent.error, sent.status, sent.partial) == \
        (streamed_ex.reply, streamed_ex.error, streamed_ex.status, streamed_ex.partial)
    assert sent.text.startswith(("Hello", "Hi")) and SECRET not in repr(sent)
    assert len(sent.timing.chunk_ms) == len(streamed_ex.timing.chunk_ms)


@pytest.mark.parametrize("text", [
    '{"a": 1}', ' {"a": 1}', '{"a": 1} ', '{"a": 1}\n', '[1, 2.5, "x", null, true]', '"s"', "3",
    '{"a": "\\u00e9\\ud83d\\ude00"}', '{"a": 1} x', '{"a": }', "", "  ", "nul", '{"a": 1}{"b": 2}',
])
def test_the_chunk_parser_agrees_with_json_loads(text):
    try:
        expected = json.loads(text)
    except ValueError as exc:
        with pytest.raises(ValueError) as got:
            _loads(text)
        assert type(got.value) is type(exc) and str(got.value) == str(exc)
    else:
        assert _loads(text) == expected


def test_deltas_of_two_kinds_are_never_equal():
    text, thought = TextDelta("a"), ThoughtDelta("a")
    assert text != thought and not text == thought and len({text, thought}) == 2
    assert text == TextDelta("a", 0) and text != TextDelta("a", 1) and text != ("a", 0)
    assert (text.text, text.candidate) == ("a", 0)
    assert repr(thought) == "ThoughtDelta(text='a', candidate=0)"
    with pytest.raises(AttributeError):
        text.text = "b"  # type: ignore[misc]
