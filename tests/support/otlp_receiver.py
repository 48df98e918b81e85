"""A loopback OTLP/HTTP trace receiver for the tracing tests (docs/tracing.md).

It answers ``POST /v1/traces`` as a collector does, decoding each ExportTraceServiceRequest with
the OpenTelemetry protobuf package (``opentelemetry-proto``) into plain :class:`Span` values.
:func:`silent_port` is a collector that accepts connections and never answers; :func:`closed_port`
one that is not there at all.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Span:
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]
    status_code: int
    status_message: str
    resource: dict[str, Any] = field(default_factory=dict)
    raw: bytes = b""  # the span's own protobuf encoding: searched for text that must not be there

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")


def _value(any_value) -> Any:
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in any_value.kvlist_value.values}
    return getattr(any_value, kind) if kind else None


def decode(body: bytes) -> list[Span]:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = {kv.key: _value(kv.value) for kv in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for s in scope_spans.spans:
                spans.append(Span(s.name, s.kind, s.trace_id.hex(), s.span_id.hex(), s.parent_span_id.hex(),
                                  {kv.key: _value(kv.value) for kv in s.attributes}, s.status.code,
                                  s.status.message, resource, s.SerializeToString()))
    return spans


class Receiver:
    """``with Receiver() as r:`` a collector on loopback; ``r.endpoint`` is its base URL."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.requests = 0
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                encoding = (self.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                if self.path != "/v1/traces":
                    self.send_response(404)
                    self.end_headers()
                    return
                receiver._add(decode(body))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _add(self, spans: list[Span]) -> None:
        with self._changed:
            self.requests += 1
            self.spans.extend(spans)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 20.0, where=lambda span: True) -> list[Span]:
        """The spans received that match ``where``, once there are ``count`` of them (or the
        timeout: then whatever arrived, for the assertion to show)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := [s for s in self.spans if where(s)]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return found

    def clear(self) -> None:
        with self._changed:
            self.spans.clear()

    def __enter__(self) -> "Receiver":
        threading.Thread(target=self.server.serve_forever, name="otlp-receiver", daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def tracing_to(receiver: Receiver, monkeypatch):
    """Tracing on to ``receiver`` (content capture off), starting with no spans; what the test's
    runs made is flushed at its end, so none arrives during the next test."""
    from comet.http import tracing

    monkeypatch.setenv("COMET_OTEL_ENDPOINT", receiver.endpoint)
    monkeypatch.delenv("COMET_OTEL_CAPTURE_CONTENT", raising=False)
    tracing.flush()
    receiver.clear()
    try:
        yield receiver
    finally:
        tracing.flush()


def closed_port() -> str:
    """The base URL of a loopback port nobody listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class SilentCollector:
    """A loopback port that accepts connections (the backlog does) and never answers."""

    def __enter__(self) -> "SilentCollector":
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.endpoint = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        return self

    def __exit__(self, *exc: Any) -> None:
        self.sock.close()


# ---- what every run's span must carry (docs/tracing.md) ----------------------------------------------

CLIENT = 3  # Span.SpanKind.SPAN_KIND_CLIENT in the OTLP protobuf
RUN_ATTRIBUTES = {"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.response.model",
                  "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.response.finish_reasons",
                  "gen_ai.response.id", "server.address", "server.port", "comet.route", "comet.ttft_ms",
                  "comet.attempts", "comet.request_hash"}
OPERATIONS = {"gemini": ("generate_content", "gcp.gemini"), "openai": ("chat", "openai")}


def is_run(span: Span) -> bool:
    return "gen_ai.operation.name" in span.attributes


def check_run(span: Span, route: str, model: str) -> dict[str, Any]:
    """Assert ``span`` is a finished run's CLIENT span on ``route`` and ``model``; its attributes."""
    a = span.attributes
    operation, provider = OPERATIONS[route]
    assert span.kind == CLIENT and span.name == f"{operation} {model}", (span.name, span.kind)
    assert RUN_ATTRIBUTES <= set(a), sorted(RUN_ATTRIBUTES - set(a))
    assert (a["gen_ai.operation.name"], a["gen_ai.provider.name"], a["comet.route"]) == (operation, provider, route)
    assert a["gen_ai.request.model"] == model and a["gen_ai.response.model"]
    assert a["gen_ai.usage.input_tokens"] > 0 and a["gen_ai.usage.output_tokens"] > 0
    assert a["gen_ai.response.finish_reasons"] and a["comet.attempts"] >= 1 and a["comet.ttft_ms"] > 0
    assert a["server.address"] == "127.0.0.1" and len(a["comet.request_hash"]) == 64
    assert "error.type" not in a and span.status_code != 2  # STATUS_CODE_ERROR
    return a
