"""A loopback server that misbehaves on purpose (issue 10), picked by model name (the body's
``model``, or the Gemini path): it sends a byte a second (``trickle-*``), keeps asking to retry
(``busy``), echoes the key it was sent (``echo-*``), answers with lone surrogates
(``surrogates``) or with remote images in its text, served model and error (``remote-images*``). Serve it with ``loopback.serving(Hostile)``."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler

SSE_HEL = b'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'
SLOW_BYTES = b'data: {"choices":[{"index":0,"delta":{"content":"lo"}}]}\n\n' * 20


def _trickle(h, data: bytes, every: float = 1.0) -> None:
    for i in range(len(data)):
        try:
            h.wfile.write(data[i:i + 1])
            h.wfile.flush()
        except OSError:  # the client hung up: what we want
            return
        time.sleep(every)


def trickle_stream(h):
    h.head(200, "text/event-stream", length=len(SSE_HEL) + len(SLOW_BYTES))
    h.wfile.write(SSE_HEL)
    h.wfile.flush()
    _trickle(h, SLOW_BYTES)


def trickle_plain(h):
    body = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"},
                                    "finish_reason": "stop"}]}).encode()
    h.head(200, "application/json", length=len(body))
    _trickle(h, body)


def trickle_headers(h):
    h.wfile.flush()
    _trickle(h, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"x" * 60)


def busy(h):
    h.reply(503, json.dumps({"error": {"message": "overloaded", "code": 503}}).encode(),
            headers=[("Retry-After", "1")])


def echo_401(h):
    h.reply(401, json.dumps({"error": {"message": f"Invalid API key {h.key()} (request id: r1)",
                                       "code": "invalid_api_key"}}).encode())


def echo_html(h):
    h.reply(502, f"<html><body><h1>Bad Gateway</h1><pre>Authorization: Bearer {h.key()}</pre>"
                 f"<p>key={h.key()}</p></body></html>".encode(), ctype="text/html")


def echo_reply(h):
    text = f"You sent the key {h.key()}."
    if h.body.get("stream"):
        half = len(text) // 2
        events = [{"choices": [{"index": 0, "delta": {"content": part}}]} for part in (text[:half], text[half:])]
        events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        data = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + b"data: [DONE]\n\n"
        h.reply(200, data, ctype="text/event-stream")
        return
    h.reply(200, json.dumps({"model": h.key(), "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": text}}]}).encode())


def port(h):
    h.reply(200, json.dumps({"choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": str(h.client_address[1])}}]}).encode())


def surrogates(h):
    h.reply(200, b'{"candidates": [{"content": {"role": "model", "parts": [{"text": "smile \\ud83d!"}]},'
                 b' "finishReason": "STOP", "groundingMetadata": {"webSearchQueries": ["\\udfff q"]}}]}')


REMOTE = "http://images.example.invalid"  # a host outside loopback (.invalid never resolves): a browser must not ask it
IMAGE_TEXT = (f"A picture: ![pixel]({REMOTE}/md.png) and <img src=\"{REMOTE}/raw.png\"> and ![by ref][r]\n\n"
              f"[r]: {REMOTE}/ref.png\n")


def remote_images(h):
    """A Gemini reply whose text and served-model name carry remote images (markdown, HTML, a reference)."""
    answer = {"candidates": [{"content": {"role": "model", "parts": [{"text": IMAGE_TEXT}]}, "finishReason": "STOP"}],
              "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 9, "totalTokenCount": 12},
              "modelVersion": f"![served]({REMOTE}/served.png)"}
    if "streamGenerateContent" in h.path:
        h.reply(200, b"data: " + json.dumps(answer).encode() + b"\n\n", ctype="text/event-stream")
    else:
        h.reply(200, json.dumps(answer).encode())


def remote_images_error(h):
    h.reply(400, json.dumps({"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                       "message": f"Bad request ![oops]({REMOTE}/error.png)"}}).encode())


SCRIPTS = {"remote-images": remote_images, "remote-images-error": remote_images_error,
           "trickle-stream": trickle_stream, "trickle-plain": trickle_plain, "trickle-headers": trickle_headers,
           "busy": busy, "echo-401": echo_401, "echo-html": echo_html, "echo-reply": echo_reply,
           "surrogates": surrogates, "port": port}


class Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        name = self.body.get("model") or self.path.split("/models/")[1].split(":")[0]
        SCRIPTS[name](self)

    def do_GET(self):  # the model list: the models that echo the key
        if self.path.startswith("/v1/models"):
            self.reply(200, json.dumps({"object": "list", "data": [
                {"id": name, "object": "model", "owned_by": "hostile"} for name in ("echo-401", "echo-html")]}).encode())
        else:
            self.reply(404, b'{"error": {"message": "not here"}}')

    def key(self) -> str:
        return (self.headers.get("x-goog-api-key") or self.headers.get("Authorization", "")).removeprefix("Bearer ")

    def head(self, status: int, ctype: str, length: int, headers=()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()

    def reply(self, status: int, data: bytes, ctype: str = "application/json", headers=()) -> None:
        self.head(status, ctype, len(data), headers)
        self.wfile.write(data)
        self.wfile.flush()

    def log_message(self, *args):
        pass
