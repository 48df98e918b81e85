"""The HTTP server: routing, auth, latency, fault models, framing.

Stdlib ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive: one daemon thread per
connection (so a ``fault-slow`` request never blocks the others and 6+ streams run at once),
``TCP_NODELAY`` on every accepted socket (otherwise delayed ACKs stall every request and a
benchmark measures the kernel, DESIGN.md), and every response written with as few sends as
possible: status line, headers and body in one ``sendall``; a stream's headers go out with its
first chunk. Streams use chunked transfer encoding so each event arrives as it is written.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qsl, unquote

from . import catalog, intake, replies
from .intake import Reject
from .record import Recorder

REASON = {s.value: s.phrase for s in HTTPStatus}
JSON_TYPE = "application/json; charset=UTF-8"
SSE_TYPE = "text/event-stream"
HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>{status}</title></head>\n<body><center>"
             b"<h1>{status}</h1></center><hr><center>nginx</center></body></html>\n")
HTML_404 = HTML_PAGE.replace(b"{status}", b"404 Not Found")
HTML_502 = HTML_PAGE.replace(b"{status}", b"502 Bad Gateway")
DROP_AFTER = 3  # fault-drop-stream: events written before the cut
BAD_AT = 2  # fault-bad-sse: the malformed event comes before this event index
SLOW_S = 30.0  # fault-slow's nominal silence, times time_scale
RETRY_S = 1.0  # fault-rate-limit's nominal retryDelay, times time_scale
REFUSED_KEY_PREFIX = "refused"  # a key the emulator refuses with 401 on every authed path


@dataclass(frozen=True)
class Received:
    """One request as the emulator saw it (header names lower-case, path without query)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any = None


def _env_ms(name: str, default: float) -> float:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return default


def duration(seconds: float) -> str:
    """A protobuf Duration string as Google writes it: "1s", "0.1s" (wire-formats B.7)."""
    return ("%.3f" % max(0.0, seconds)).rstrip("0").rstrip(".") + "s"


class Emulator:
    """A local CometAPI on loopback. See the package docstring for routes and fault models."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, ttft_ms: float | None = None,
                 chunk_ms: float | None = None, gemini_errors: str = "google", crlf: bool = False,
                 time_scale: float | None = None, max_received: int | None = None,
                 seed: int | None = None, record: str | os.PathLike | None = None,
                 fault: str | None = None, count_tokens: bool | None = None):
        """``max_received`` keeps only the newest N requests (for long-running demo servers);
        None keeps every one. ``seed`` picks another (still deterministic) set of reply words;
        ``record`` names a JSON-lines file for every request received (see ``record.py``);
        ``fault`` makes every answer, whatever its model, behave as that fault model;
        ``count_tokens=False`` (or ``COMET_EMULATOR_COUNT_TOKENS=off``) answers ``:countTokens``
        with a 404, as a service that does not offer it."""
        if gemini_errors not in ("google", "comet"):
            raise ValueError("gemini_errors must be 'google' or 'comet'")
        self.seed = seed
        self.fault = fault  # checked by the property setter below
        self.record_path = record
        self._recorder: Recorder | None = None
        self.host, self.port = host, port
        self.ttft_ms = _env_ms("COMET_EMULATOR_TTFT_MS", 20.0) if ttft_ms is None else float(ttft_ms)
        self.chunk_ms = _env_ms("COMET_EMULATOR_CHUNK_MS", 10.0) if chunk_ms is None else float(chunk_ms)
        self.time_scale = self.ttft_ms / 20.0 if time_scale is None else float(time_scale)
        self.gemini_errors = gemini_errors
        self.crlf = crlf
        self.count_tokens = (os.environ.get("COMET_EMULATOR_COUNT_TOKENS", "on").strip().lower()
                             not in ("off", "0", "false", "no")) if count_tokens is None else bool(count_tokens)
        self.received: list[Received] = []
        self.max_received = max_received
        self._lock = threading.Lock()
        self._attempts: dict[bytes, int] = {}  # fault-rate-limit-once and [[fail=K/N]]: the only state
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> "Emulator":
        if self._server is not None:
            return self
        self._stopping.clear()
        if self.record_path is not None and self._recorder is None:
            self._recorder = Recorder(self.record_path)
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"comet-emulator:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wakes fault-slow waits and stream delays
        server.shutdown()
        server.server_close()
        server.close_all()  # idle keep-alive connections too: nothing lingers after stop()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._recorder is not None:
            self._recorder.close()
            self._recorder = None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def clear(self) -> None:
        """Forget the received requests and the attempts fault-rate-limit-once and [[fail=K/N]] count."""
        with self._lock:
            self.received.clear()
            self._attempts.clear()

    def __repr__(self) -> str:
        state = "running" if self._server else "stopped"
        return f"Emulator({self.base_url}, {state}, ttft_ms={self.ttft_ms:g}, chunk_ms={self.chunk_ms:g})"

    @property
    def fault(self) -> str | None:
        return self._fault

    @fault.setter
    def fault(self, value: str | None) -> None:
        if value is not None and value not in catalog.FAULTS:
            raise ValueError(f"fault must be one of {', '.join(catalog.FAULTS)} (or None), not {value!r}")
        self._fault = value

    # -- used by the handler -----------------------------------------------------------------
    def _record(self, item: Received) -> None:
        if self._recorder is not None:
            self._recorder.write(item)
        with self._lock:
            self.received.append(item)
            if self.max_received is not None and len(self.received) > self.max_received:
                del self.received[: len(self.received) - self.max_received]

    def _attempt(self, key: bytes) -> int:
        """How many times ``key`` was seen before (and one more now)."""
        with self._lock:
            seen = self._attempts.get(key, 0)
            self._attempts[key] = seen + 1
            return seen

    def _wait(self, ms: float) -> bool:
        """Sleep ``ms``; False when the emulator is stopping (the caller then drops the connection)."""
        if ms > 0:
            return not self._stopping.wait(ms / 1000.0)
        return not self._stopping.is_set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Emulator):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_all(self) -> None:
        with self.connections_lock:
            open_now = list(self.connections)
        for sock in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, OSError)):
            super().handle_error(request, client_address)


class _Cut(Exception):
    """End the connection now, without a proper end of response."""


def _bearer(headers: dict[str, str]) -> str:
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth[:7].lower() == "bearer " else ""


def _refuse(key: str) -> None:
    """A key starting with ``refused`` is one the service does not accept: CometAPI checks keys
    before routing, so both routes answer 401 (the setup check's "refused key" case)."""
    if key.startswith(REFUSED_KEY_PREFIX):
        raise Reject(401, "UNAUTHENTICATED", "API key not valid. Please pass a valid API key.", "",
                     comet_message="invalid token")


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # TCP_NODELAY on the accepted socket
    server_version = "comet-emulator"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # a line per request costs time
        pass

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    # -- request ---------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        emu = self.server.emulator
        path, _, qs = self.path.partition("?")
        self.query = dict(parse_qsl(qs, keep_blank_values=True))
        self.body = self._read_body()
        self.hdrs = {k.lower(): v for k, v in self.headers.items()}
        self.parsed, self.parse_error = None, None
        if self.body:
            try:
                self.parsed = json.loads(self.body)
            except ValueError as exc:
                self.parse_error = str(exc)
        emu._record(Received(self.command, path, self.query, self.hdrs, self.body, self.parsed))
        self.request_id = replies.digest(self.command, path, self.body).hex()[:24]
        self.responded = False
        upath = unquote(path)
        try:
            for method, match, handler, family in ROUTES:
                hit = match(upath)
                if hit is None:
                    continue
                if self.command != method:
                    self._error(family, Reject(405, "METHOD_NOT_ALLOWED",
                                               f"Method {self.command} is not allowed for {path}; use {method}.",
                                               "method_not_allowed"), headers=(f"Allow: {method}",))
                    return
                handler(self, *hit)
                return
            family = "gemini" if upath.startswith("/v1beta/") else "openai"
            self._error(family, Reject(404, "NOT_FOUND", f"Invalid URL ({self.command} {path})", ""))
        except _Cut:
            self._cut()
        except Reject as rej:  # a check deep inside a handler
            self._error(self.family, rej)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception as exc:  # an emulator bug: say so in a readable 500, never hang the client
            traceback.print_exc()
            if self.responded:
                self._cut()
                return
            self.close_connection = True
            self._error(self.family, Reject(500, "INTERNAL", f"comet emulator error: {exc!r}", "emulator_error"))

    # -- writing ---------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str = JSON_TYPE, headers: tuple[str, ...] = (),
              length: int | None = None) -> None:
        lines = [f"HTTP/1.1 {status} {REASON.get(status, 'Unknown')}", f"Content-Type: {ctype}",
                 f"Content-Length: {len(body) if length is None else length}", *headers]
        if self.close_connection:
            lines.append("Connection: close")
        self.responded = True
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def _cut(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _error(self, family: str, rej: Reject, headers: tuple[str, ...] = ()) -> None:
        """The route's envelope: Google's on /v1beta (unless gemini_errors="comet"),
        CometAPI's ``comet_api_error`` with a request id elsewhere (wire-formats A.3, B.7)."""
        if family == "gemini" and self.server.emulator.gemini_errors == "google":
            err: dict[str, Any] = {"code": rej.status, "message": rej.message, "status": rej.gstatus}
            if rej.details:
                err["details"] = rej.details
            self._send(rej.status, _json({"error": err}), headers=headers)
            return
        message = f"{rej.comet_message.strip()} (request id: {self.request_id})"
        self._send(rej.comet_status, _json({"error": {"message": message, "type": "comet_api_error",
                                                      "param": "", "code": rej.code}}), headers=headers)

    def _stream(self, frames: Iterator[bytes], ctype: str, end: bytes, fault: str | None) -> None:
        """Chunked events: ttft before the first, chunk_ms between; faults cut or corrupt."""
        emu = self.server.emulator
        head: bytes | None = (f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nTransfer-Encoding: chunked\r\n"
                              "Cache-Control: no-cache\r\n\r\n").encode("latin-1")
        if fault in ("fault-drop-stream", "fault-bad-sse"):
            frames = iter(_faulty(list(frames), fault, self.family, emu.crlf))
        write = self.wfile.write
        for k, frame in enumerate(frames):
            if not emu._wait(emu.ttft_ms if k == 0 else emu.chunk_ms):
                raise _Cut
            if frame is None:  # fault-drop-stream: the cut comes here
                if head:
                    self.responded = True
                    write(head)
                raise _Cut
            data = b"%x\r\n%s\r\n" % (len(frame), frame)
            if head:
                data, head, self.responded = head + data, None, True
            write(data)
        write((head or b"") + (b"%x\r\n%s\r\n" % (len(end), end) if end else b"") + b"0\r\n\r\n")

    def _plain(self, payload: dict, fault: str | None) -> None:
        emu = self.server.emulator
        if not emu._wait(emu.ttft_ms):
            raise _Cut
        body = _json(payload)
        if fault == "fault-drop-stream":  # a truncated body, then the connection closes
            self.close_connection = True
            self._send(200, body[: len(body) // 2], length=len(body))
            raise _Cut
        if fault == "fault-bad-sse":  # a 200 whose body is not JSON
            body = body[: len(body) // 2]
        self._send(200, body)

    # -- faults before any answer ------------------------------------------------------------
    def _fault(self, model: str, path: str) -> str | None:
        """Answer a status fault here (returns None); else return the in-stream fault, if any."""
        emu = self.server.emulator
        model = emu.fault or model
        if model not in catalog.FAULTS:
            return None
        if model == "fault-rate-limit" or (model == "fault-rate-limit-once" and
                                           emu._attempt(replies.digest(path, self.body)) == 0):
            delay = duration(RETRY_S * emu.time_scale)
            raise Reject(429, "RESOURCE_EXHAUSTED",
                         f"Resource has been exhausted (e.g. check quota). Please retry in {delay}.",
                         "rate_limit_exceeded", comet_message=f"upstream rate limit reached for model {model}, "
                         "please retry later", details=[
                             {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
                                 "quotaMetric": "generativelanguage.googleapis.com/generate_content_requests",
                                 "quotaId": "GenerateRequestsPerMinutePerProjectPerModel",
                                 "quotaDimensions": {"location": "global", "model": model}, "quotaValue": "10"}]},
                             {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}])
        if model == "fault-server-error":
            raise Reject(500, "INTERNAL", "An internal error has occurred. Please retry or report in "
                         "https://developers.generativeai.google/guide/troubleshooting", "upstream_error")
        if model == "fault-unavailable":
            raise Reject(503, "UNAVAILABLE", "The model is overloaded. Please try again later.",
                         "bad_response_status_code",
                         comet_message="The model is currently busy, please try again later")
        if model == "fault-html":
            self._send(404, HTML_404, "text/html; charset=utf-8")
            return "answered"
        if model == "fault-gateway":
            self._send(502, HTML_502, "text/html; charset=utf-8")
            return "answered"
        if model == "fault-slow" and not emu._wait(SLOW_S * emu.time_scale * 1000):
            raise _Cut
        return model

    def _flaky(self, ask: intake.Ask, answers: list) -> list:
        """``[[fail=K/N]]``: calls are counted per request (path and body), K of every N answer wrong."""
        rule = replies.fail_directive(ask.prompt)
        if rule is None:
            return answers
        call = self.server.emulator._attempt(replies.digest("fail", self.path.partition("?")[0], self.body))
        return replies.wrong(answers, call, *rule)

    # -- Gemini route ------------------------------------------------------------------------
    def _gemini_key(self) -> None:
        key = self.hdrs.get("x-goog-api-key", "").strip() or _bearer(self.hdrs) or self.query.get("key")
        if not key:
            raise Reject(401, "UNAUTHENTICATED", "API key is missing. Pass a key in the x-goog-api-key header "
                         "(or Authorization: Bearer <key>).", "", comet_message="no token provided")
        _refuse(key)

    def gemini_operation(self, model: str, op: str) -> None:
        self.family = "gemini"
        self._gemini_key()
        if self.parse_error:
            raise intake.bad(f"Invalid JSON payload received. {self.parse_error}")
        if op == "countTokens" and not self.server.emulator.count_tokens:  # switched off: not offered
            raise Reject(404, "NOT_FOUND", f"Invalid URL (POST {self.path.partition('?')[0]})", "")
        record = catalog.lookup(model, "gemini")
        if record is None or op not in ("generateContent", "streamGenerateContent", "countTokens"):
            unknown = record is None and model not in catalog.RETIRED  # a retired ID: Google's 404 on both
            raise Reject(404, "NOT_FOUND", f"models/{model} is not found for API version v1beta, or is not "
                         f"supported for {op}. Call ListModels to see the list of available models and their "
                         "supported methods.", "model_not_found", comet_status=503 if unknown else 404,
                         comet_message=f"no available channel for group default and model {model} (distributor)"
                         if unknown else None)
        body = self.parsed if self.body else {}
        if op == "countTokens":
            total, details = intake.count_ask(body)
            self._send(200, _json(replies.count_response(total, details)))
            return
        stream = op == "streamGenerateContent"
        ask = intake.gemini_ask(body, model, record, stream=stream)
        fault = self._fault(model, self.path.partition("?")[0])
        if fault == "answered":
            return
        answers = self._flaky(ask, replies.compose(ask, self.server.emulator.seed))
        rid = replies.response_id(ask, self.body)
        if not stream:
            self._plain(replies.gemini_plain(ask, answers, rid), fault)
            return
        events = replies.gemini_events(ask, answers, rid)
        if self.query.get("alt") == "sse":  # B.6: "data: " with a space, no [DONE]
            sep = b"\r\n\r\n" if self.server.emulator.crlf else b"\n\n"
            self._stream((b"data: " + _json(e) + sep for e in events), SSE_TYPE, b"", fault)
        else:  # B.6: one JSON array, written as it grows
            self._stream((( b"[" if k == 0 else b"\r\n,") + _json(e) for k, e in enumerate(events)),
                         JSON_TYPE, b"]", fault)

    def gemini_models(self) -> None:
        self.family = "gemini"
        self._gemini_key()
        try:
            size = max(1, min(1000, int(self.query.get("pageSize") or 50)))
            offset = max(0, int(self.query.get("pageToken") or 0))
        except ValueError:
            raise intake.bad("Invalid pageSize or pageToken.") from None
        self._send(200, _json(catalog.gemini_list(size, offset)))

    def gemini_model(self, model: str) -> None:
        self.family = "gemini"
        self._gemini_key()
        found = catalog.gemini_model(model)
        if found is None:
            raise Reject(404, "NOT_FOUND", f"models/{model} is not found for API version v1beta.", "model_not_found")
        self._send(200, _json(found))

    # -- OpenAI-compatible route ---------------------------------------------------------------
    def _openai_key(self) -> None:
        key = _bearer(self.hdrs)
        if not key:
            raise Reject(401, "UNAUTHENTICATED", "no token provided: send Authorization: Bearer <key>", "")
        _refuse(key)

    def chat_completions(self) -> None:
        self.family = "openai"
        self._openai_key()
        if self.parse_error:
            raise intake.comet_bad(f"invalid request body: {self.parse_error}", 400)
        ask = intake.openai_ask(self.parsed if self.body else {}, lambda m: catalog.lookup(m, "openai"))
        fault = self._fault(ask.model, self.path.partition("?")[0])
        if fault == "answered":
            return
        answers = self._flaky(ask, replies.compose(ask, self.server.emulator.seed))
        cid = replies.completion_id(ask, self.body)
        if not ask.stream:
            self._plain(replies.openai_plain(ask, answers, cid), fault)
            return
        events = replies.openai_events(ask, answers, cid)
        self._stream((b"data: " + _json(e) + b"\n\n" for e in events), SSE_TYPE, b"data: [DONE]\n\n", fault)

    def openai_models(self) -> None:
        self.family = "openai"
        self._openai_key()
        self._send(200, _json(catalog.openai_list()))

    def openai_model(self, model: str) -> None:
        self.family = "openai"
        self._openai_key()
        found = catalog.openai_model(model)
        if found is None:
            raise Reject(404, "NOT_FOUND", f"The model '{model}' does not exist", "model_not_found")
        self._send(200, _json(found))

    def public_catalog(self) -> None:
        self.family = "openai"
        self._send(200, _json(catalog.catalog()))

    family = "openai"
    responded = False


def _faulty(frames: list[bytes], fault: str, family: str, crlf: bool) -> list[bytes | None]:
    """fault-drop-stream: a few events then None (the cut); fault-bad-sse: a malformed event."""
    if fault == "fault-drop-stream":
        keep = max(0, min(DROP_AFTER, len(frames) - 1))
        return frames[:keep] + [None]
    at = min(BAD_AT, len(frames) - 1)
    if frames and frames[0].startswith(b"data: "):
        bad = b"data: {not json" + (b"\r\n\r\n" if crlf and family == "gemini" else b"\n\n")
    else:
        bad = b"\r\n,{not json"
    return frames[:at] + [bad] + frames[at:]


def _route(pattern: str) -> Callable[[str], tuple | None]:
    import re
    rx = re.compile(pattern)

    def match(path: str) -> tuple | None:
        m = rx.match(path)
        return None if m is None else m.groups()
    return match


# (method, path matcher, handler, error family). Checked in order; a path that matches with
# another method gets 405.
ROUTES = [
    ("POST", _route(r"^/v1beta/models/([^/:]+):([A-Za-z]+)$"), _Handler.gemini_operation, "gemini"),
    ("GET", _route(r"^/v1beta/models/?$"), _Handler.gemini_models, "gemini"),
    ("GET", _route(r"^/v1beta/models/([^/:]+)$"), _Handler.gemini_model, "gemini"),
    ("POST", _route(r"^/v1/chat/completions/?$"), _Handler.chat_completions, "openai"),
    ("GET", _route(r"^/v1/models/?$"), _Handler.openai_models, "openai"),
    ("GET", _route(r"^/v1/models/([^/]+)$"), _Handler.openai_model, "openai"),
    ("GET", _route(r"^/api/models/?$"), _Handler.public_catalog, "openai"),
]
