"""The error table of issue 2 section 5, one test per row, plus envelopes and retry delays.

Each row is checked twice: :func:`comet.core.errors.classify` on the status and body, and the
client against a tiny loopback server (a "knob" server in the style of httpx's test server)
that answers with exactly that status, body or misbehaviour, so the kind and the number of
attempts are those of a real socket. The knob server exists because the emulator has no
reason to produce 413, 422, 524, a 3xx or a reset, and we want every row on the wire.
"""

from __future__ import annotations

import json
import socket
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler

import pytest
from loopback import serving

from comet import Call, Client, Route
from comet.core.errors import (AuthError, BadRequest, NotFound, ProtocolError, RateLimited, ServerError, classify,
                               error_in_payload, parse_envelope, retry_delay_from)
from comet.http.client import RetryPolicy

KEY = "sk-test-knob"


def google(status: int, name: str, message: str = "boom", details=()) -> dict:
    return {"error": {"code": status, "message": message, "status": name, "details": list(details)}}


def comet(code: str, message: str = "boom") -> dict:
    return {"error": {"message": f"{message} (request id: 2026abc)", "type": "comet_api_error",
                      "param": "", "code": code}}


RETRY_INFO = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.001s"}

# ---- the table, row by row: (status, body) -> (class, kind, retried) ----------------------

ROWS = [
    # 400, 413, 422; 500 with code invalid_request -> bad_request, not retried
    ("400-google", 400, google(400, "INVALID_ARGUMENT"), BadRequest, "bad_request", False),
    ("400-comet", 400, comet(""), BadRequest, "bad_request", False),
    ("413", 413, comet("request_too_large"), BadRequest, "bad_request", False),
    ("422", 422, {"error": {"message": "bad", "type": "invalid_request_error", "param": "x", "code": None}},
     BadRequest, "bad_request", False),
    ("500-invalid-request", 500, comet("invalid_request", "field messages is required"),
     BadRequest, "bad_request", False),
    # 401, 403 -> auth
    ("401", 401, comet("", "invalid token"), AuthError, "auth", False),
    ("403-google", 403, google(403, "PERMISSION_DENIED"), AuthError, "auth", False),
    # 404; 503 with model_not_found -> not_found
    ("404-google", 404, google(404, "NOT_FOUND", "models/x is not found for API version v1beta"),
     NotFound, "not_found", False),
    ("503-model-not-found", 503, comet("model_not_found", "no available channel"),
     NotFound, "not_found", False),
    # 429 -> rate_limited, retried
    ("429-google", 429, google(429, "RESOURCE_EXHAUSTED", details=[RETRY_INFO]),
     RateLimited, "rate_limited", True),
    ("429-comet", 429, comet(""), RateLimited, "rate_limited", True),
    # 500, 502, 503, 504, 524 otherwise -> server, retried
    ("500", 500, google(500, "INTERNAL"), ServerError, "server", True),
    ("502", 502, comet("bad_response_status_code"), ServerError, "server", True),
    ("503", 503, google(503, "UNAVAILABLE"), ServerError, "server", True),
    ("504", 504, google(504, "DEADLINE_EXCEEDED"), ServerError, "server", True),
    ("524", 524, comet(""), ServerError, "server", True),
]


@pytest.mark.parametrize("name,status,body,cls,kind,retried", ROWS, ids=[r[0] for r in ROWS])
def test_classify_row(name, status, body, cls, kind, retried):
    err = classify(status, json.dumps(body).encode(), {}, route_label="OpenAI-compatible")
    assert type(err) is cls and err.kind == kind and err.retryable is retried
    assert err.status == status
    info = err.info()
    assert info.kind == kind and info.raw_body == json.dumps(body) and info.fix


def test_comet_envelope_fields_are_read():
    err = classify(500, json.dumps(comet("invalid_request", "field messages is required")))
    assert err.code == "invalid_request" and err.request_id == "2026abc"
    assert "field messages is required" in err.message and err.provider_message.startswith("field")


def test_google_envelope_fields_are_read():
    err = classify(429, json.dumps(google(429, "RESOURCE_EXHAUSTED", "Quota exceeded", [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "38s"}])))
    assert err.provider_status == "RESOURCE_EXHAUSTED" and err.code == "429"
    assert err.retry_after == 38.0 and "Quota exceeded" in str(err)


def test_list_wrapped_envelope_is_unwrapped():
    body = json.dumps([google(503, "UNAVAILABLE", "overloaded")])
    err = classify(503, body)
    assert isinstance(err, ServerError) and err.provider_status == "UNAVAILABLE"
    assert parse_envelope([{"error": "plain string"}]) == {"message": "plain string"}


@pytest.mark.parametrize("status,body,what", [
    (404, b"<!DOCTYPE html><html><body>Not found</body></html>", "HTML page"),
    (500, b"<!DOCTYPE html><html><body>Internal error</body></html>", "HTML page"),
    (500, b"upstream connect error", "not the API's JSON"),
    (404, b"", "not the API's JSON"),
    (200, b"{\"candidates\": [", "not the API's JSON"),
])
def test_html_and_non_json_bodies_are_protocol_errors(status, body, what):
    err = classify(status, body)
    assert isinstance(err, ProtocolError) and err.kind == "protocol" and not err.retryable
    assert what in str(err)


GATEWAY_PAGES = {
    502: b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
    503: b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
    504: b"<html><head><title>504 Gateway Time-out</title></head><body>cloudflare</body></html>",
}


@pytest.mark.parametrize("status", sorted(GATEWAY_PAGES))
def test_row_gateway_page_is_a_retried_server_error(status):
    """The table's NOT_JSON row: a proxy's own 502/503/504 page means the service is briefly
    unreachable, the same as its JSON 502/503/504."""
    err = classify(status, GATEWAY_PAGES[status], {"Retry-After": "2"}, route_label="Gemini native")
    assert type(err) is ServerError and err.kind == "server" and err.retryable
    assert err.status == status and err.retry_after == 2.0 and err.raw_body == GATEWAY_PAGES[status].decode()
    assert "a gateway answered with an HTML page" in str(err) and "Gemini native" in str(err)
    assert classify(status, b"upstream connect error or disconnect/reset before headers").kind == "server"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_is_a_protocol_error(status):
    err = classify(status, b"", {"Location": "https://www.cometapi.com/"})
    assert isinstance(err, ProtocolError) and "redirect" in str(err) and "www.cometapi.com" in str(err)


def test_error_object_mid_stream():
    err = error_in_payload({"error": {"code": 500, "message": "exploded", "status": "INTERNAL"}},
                           route_label="Gemini native")
    assert isinstance(err, ProtocolError) and "exploded" in str(err)
    assert error_in_payload({"candidates": []}) is None


# ---- retry delays ---------------------------------------------------------------------------

def test_retry_after_ms_header_wins():
    assert retry_delay_from(None, {"retry-after-ms": "1500", "Retry-After": "9"}) == 1.5


def test_retry_after_seconds_and_http_date():
    assert retry_delay_from(None, {"Retry-After": "3"}) == 3.0
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=20), usegmt=True)
    assert 15 < retry_delay_from(None, {"Retry-After": when}) <= 20


def test_retry_info_in_body():
    env = google(429, "RESOURCE_EXHAUSTED", details=[
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "45.837906927s"}])["error"]
    assert retry_delay_from(env, {}) == pytest.approx(45.837906927)
    assert retry_delay_from(env, {"retry-after": "2"}) == 2.0  # a header wins over the body
    assert retry_delay_from({"details": [{"retryDelay": "soon"}]}, None) is None


def test_retry_policy_backoff_cap_jitter_and_budget():
    err = classify(503, json.dumps(google(503, "UNAVAILABLE")))
    p = RetryPolicy(attempts=10, base_s=0.5, cap_s=8.0, total_s=100.0, jitter=0.0)
    assert [p.delay(err, n, 0.0) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    jittered = RetryPolicy(jitter=0.25)
    assert all(0.375 <= jittered.delay(err, 1, 0.0) <= 0.5 for _ in range(50))
    assert RetryPolicy(attempts=3).delay(err, 3, 0.0) is None  # attempts used up
    assert RetryPolicy(total_s=5.0, jitter=0).delay(err, 1, 4.9) is None  # would pass the budget
    hinted = classify(429, json.dumps(google(429, "RESOURCE_EXHAUSTED", details=[
        {"retryDelay": "12s"}])))
    assert RetryPolicy(jitter=0).delay(hinted, 1, 0.0) == 12.0  # the server's delay, as given
    assert RetryPolicy(total_s=10).delay(hinted, 1, 0.0) is None
    assert RetryPolicy().delay(classify(400, b'{"error":{"message":"x"}}'), 1, 0.0) is None


# ---- the same rows over a real socket: the knob server ------------------------------------

class Knob(BaseHTTPRequestHandler):
    """Answers according to the model name: /v1beta/models/{name}:... or the body's model."""

    protocol_version = "HTTP/1.1"
    hits: dict[str, int] = {}

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        name = body.get("model") or self.path.split("/models/")[1].split(":")[0]
        Knob.hits[name] = Knob.hits.get(name, 0) + 1
        SCRIPTS[name](self)

    def log_message(self, *args):
        pass

    def reply(self, status: int, data: bytes, ctype: str = "application/json", headers=(),
              length: int | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()


JSON_ARRAY = (b'[{"candidates": [{"content": {"parts": [{"text": "Hel"}], "role": "model"}}]},\r\n'
              b'{"candidates": [{"content": {"parts": [{"text": "lo"}]}, "finishReason": "STOP"}]}]')


def _json(status, body, headers=()):
    return lambda h: h.reply(status, json.dumps(body).encode(), headers=headers)


SSE_HELLO = b'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'


def _stall_after(first: bytes, seconds: float):
    def script(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        h.wfile.write(first)
        h.wfile.flush()
        time.sleep(seconds)
    return script


def _cut_after(first: bytes):
    def script(h):
        h.reply(200, first, ctype="text/event-stream", length=100000)  # promises more
        h.close_connection = True
    return script


def _page(status: int, html: bytes):
    return lambda h: h.reply(status, html, ctype="text/html")


def _reset(h):
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    h.close_connection = True
    h.connection.close()  # RST instead of an answer


SCRIPTS = {row[0]: _json(row[1], row[2], [("retry-after-ms", "1")] if row[1] == 429 else ())
           for row in ROWS}
SCRIPTS.update({
    "slow": lambda h: (time.sleep(1.0), h.reply(200, b"{}")),
    "slow-after-content": _stall_after(SSE_HELLO, 1.0),
    "cut-after-content": _cut_after(SSE_HELLO),
    "cut-before-content": _cut_after(b'data: {"choices":[{"index":0,"delta":{"role":"assistant"}}]}\n\n'),
    "reset": _reset,
    "redirect": lambda h: h.reply(301, b"", headers=[("Location", "https://www.cometapi.com/")]),
    "html": lambda h: h.reply(200, b"<html><body>Welcome</body></html>", ctype="text/html"),
    "not-json": lambda h: h.reply(200, b"OK", ctype="text/plain"),
    "bad-sse": lambda h: h.reply(200, SSE_HELLO + b"data: {not json\n\n", ctype="text/event-stream"),
    "error-mid-stream": lambda h: h.reply(200, SSE_HELLO + b'data: {"error":{"message":"exploded"}}\n\n',
                                          ctype="text/event-stream"),
    "error-200": _json(200, comet("", "hidden failure")),
    **{f"gateway-{status}": _page(status, body) for status, body in GATEWAY_PAGES.items()},
    "json-array": lambda h: h.reply(200, JSON_ARRAY, ctype="application/json"),
    "endless-event": lambda h: h.reply(200, SSE_HELLO + b"data: " + b"x" * (17 * 1024 * 1024),
                                       ctype="text/event-stream"),
    "rate-limit-38s": _json(429, google(429, "RESOURCE_EXHAUSTED", details=[
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "38s"}])),
})


@pytest.fixture(scope="module")
def knob():
    with serving(Knob) as base_url:
        yield base_url


def run(base_url, name, *, stream=False, route=Route.OPENAI, timeout=5.0, attempts=3, read_timeout=None):
    body = ({"messages": [{"role": "user", "content": "hi"}]} if route is Route.OPENAI
            else {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
    Knob.hits[name] = 0
    with Client(base_url, KEY, timeout=timeout, read_timeout=read_timeout,
                retry=RetryPolicy(attempts=attempts, base_s=0.001, jitter=0)) as client:
        ex = client.send(Call(route, name, body, stream=stream))
    return ex


@pytest.mark.parametrize("name,status,body,cls,kind,retried", ROWS, ids=[r[0] for r in ROWS])
def test_row_over_the_wire(knob, name, status, body, cls, kind, retried):
    route = Route.GEMINI if "google" in name else Route.OPENAI
    ex = run(knob, name, route=route)
    assert ex.error.kind == kind and ex.status == status and ex.error.retryable is retried
    assert ex.attempts == (3 if retried else 1) == Knob.hits[name]
    assert not ex.ok and ex.reply is None


@pytest.mark.parametrize("status", sorted(GATEWAY_PAGES))
def test_row_gateway_page_over_the_wire(knob, status):
    ex = run(knob, f"gateway-{status}")
    assert ex.error.kind == "server" and ex.status == status and ex.error.retryable
    assert ex.attempts == 3 == Knob.hits[f"gateway-{status}"]


def test_row_timeout_is_retried(knob):
    ex = run(knob, "slow", read_timeout=0.2, attempts=2)
    assert ex.error.kind == "timeout" and ex.attempts == 2 and ex.status is None


def test_row_timeout_after_content_is_not_retried(knob):
    ex = run(knob, "slow-after-content", stream=True, timeout=0.3)
    assert ex.error.kind == "timeout" and ex.attempts == 1
    assert ex.text == "Hel" and ex.partial


def test_row_connection_refused(knob):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: refused
        ex = run(f"http://127.0.0.1:{port}", "x", attempts=2)
    assert ex.error.kind == "network" and ex.attempts == 2 and "connect" in ex.error.message


def test_row_connection_reset(knob):
    ex = run(knob, "reset", attempts=2)
    assert ex.error.kind == "network" and ex.attempts == 2 == Knob.hits["reset"]


def test_row_stream_cut_short_after_content(knob):
    ex = run(knob, "cut-after-content", stream=True)
    assert ex.error.kind == "network" and ex.attempts == 1
    assert ex.text == "Hel" and ex.partial and "cut short" in ex.error.message


def test_row_stream_cut_short_before_content_is_retried(knob):
    ex = run(knob, "cut-before-content", stream=True)
    assert ex.error.kind == "network" and ex.attempts == 3


@pytest.mark.parametrize("name,stream,needle", [
    ("redirect", False, "redirect"),
    ("html", False, "HTML page"),
    ("not-json", False, "not the API's JSON"),
    ("html", True, "not an event stream"),
    ("bad-sse", True, "malformed SSE"),
    ("error-mid-stream", True, "exploded"),
    ("error-200", False, "hidden failure"),
    ("endless-event", True, "sent too much at once: an SSE event grew past 16,777,216 characters"),
])
def test_row_protocol(knob, name, stream, needle):
    ex = run(knob, name, stream=stream)
    assert ex.error.kind == "protocol" and ex.attempts == 1 and not ex.error.retryable
    assert needle in ex.error.message


@pytest.mark.parametrize("name", ["bad-sse", "endless-event"])
def test_protocol_error_mid_stream_keeps_partial_text(knob, name):
    ex = run(knob, name, stream=True)
    assert ex.text == "Hel" and ex.partial and ex.status == 200


def test_server_delay_beyond_total_budget_is_not_waited_for(knob):
    started = time.perf_counter()
    ex = run(knob, "rate-limit-38s", route=Route.GEMINI)
    assert ex.error.kind == "rate_limited" and ex.attempts == 1 and ex.error.retry_after == 38.0
    assert time.perf_counter() - started < 2


def test_json_array_stream_is_read(knob):
    """Gemini's streamGenerateContent without alt=sse answers one JSON array (B.6)."""
    ex = run(knob, "json-array", stream=True, route=Route.GEMINI)
    assert ex.ok and ex.text == "Hello" and len(ex.reply.raw) == 2 and ex.reply.finish_reason == "stop"
