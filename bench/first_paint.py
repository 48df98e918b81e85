"""How long does the first streamed token take from the server to the page?

Runs ``streamlit run app.py`` against a small stand-in for CometAPI's Gemini stream, drives the
Playground in Debian's chromium (Playwright), and for each Send measures the time from the moment
the server writes the first chunk (``time.time()`` just before the write) to the moment the
chunk's text is in the page's DOM (a MutationObserver, ``performance.timeOrigin + now()``; both
clocks are this machine's wall clock). The stand-in waits a random 150-400 ms before the first
chunk, so the chunk lands at every phase of the page's repaint and poll timers.

As a baseline from the same run, the same stream is read by a plain Python HTTP client: the
time from the server's write to the bytes arriving (the floor that transport alone costs).

    python bench/first_paint.py [--sends 20]

The last line printed holds the p50 and the p95 delay (target: p95 within 50 ms).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

WRITTEN: dict[str, float] = {}  # reply marker -> wall time just before its first chunk was written


class _Stream(BaseHTTPRequestHandler):
    """POST ...:streamGenerateContent?alt=sse: four events, the first one naming the marker
    ``RPL<n>`` for a prompt holding ``ASK<n>``; everything else is a 404 (the app then offers
    its fallback model list)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._send(404, b'{"error": {"code": 404, "message": "not here", "status": "NOT_FOUND"}}')

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if ":streamGenerateContent" not in self.path:
            self.do_GET()
            return
        found = re.search(r"ASK(\d+)", body.decode("utf-8", "replace"))
        marker = f"RPL{found.group(1) if found else 0}"
        time.sleep(random.uniform(0.15, 0.40))
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        for k, text in enumerate((f"{marker} arrives first.", " Then", " two", " more.")):
            event = {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}],
                     "modelVersion": "gemini-2.5-flash"}
            if k == 3:
                event["candidates"][0]["finishReason"] = "STOP"
                event["usageMetadata"] = {"promptTokenCount": 3, "candidatesTokenCount": 6, "totalTokenCount": 9}
            frame = b"data: " + json.dumps(event).encode() + b"\n\n"
            data = (head if k == 0 else b"") + b"%x\r\n%s\r\n" % (len(frame), frame)
            if k == 0:
                WRITTEN[marker] = time.time()
            else:
                time.sleep(0.03)
            self.wfile.write(data)
        self.wfile.write(b"0\r\n\r\n")

    def _send(self, status: int, body: bytes) -> None:
        self.wfile.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                         % (status, len(body), body))


def serve() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stream)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def baseline(base_url: str, n: int) -> list[float]:
    """Server write -> first bytes in a plain Python client, in ms."""
    import httpx2

    out = []
    with httpx2.Client(timeout=10) as client:
        for i in range(n):
            marker = f"RPL{900000 + i}"
            body = {"contents": [{"role": "user", "parts": [{"text": f"ASK{900000 + i}"}]}]}
            url = base_url + "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
            with client.stream("POST", url, json=body) as response:
                for chunk in response.iter_raw():
                    if marker.encode() in chunk and len(out) == i:
                        out.append((time.time() - WRITTEN[marker]) * 1000)
    return out


WATCH = """m => { window.__seen = null; const t0 = performance.timeOrigin;
  const obs = new MutationObserver(() => {
    if (window.__seen === null && document.body.textContent.includes(m)) {
      window.__seen = t0 + performance.now(); obs.disconnect(); } });
  obs.observe(document.body, {childList: true, subtree: true, characterData: true}); }"""


def browser_delays(url: str, sends: int) -> list[float]:
    from browser_support import launch
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(url)
        send = page.locator(".st-key-pg_send button").first
        send.wait_for()
        prompt = page.get_by_label("Prompt", exact=True)
        for i in range(sends):
            prompt.fill(f"ASK{i} say something")
            prompt.press("Tab")
            page.wait_for_timeout(300)
            page.wait_for_function("() => document.querySelector('.stApp')"
                                   ".getAttribute('data-test-script-state') !== 'running'")
            page.evaluate(WATCH, f"RPL{i}")
            send.click()
            page.wait_for_function("() => window.__seen !== null")
            seen = page.evaluate("() => window.__seen")
            out.append(seen - WRITTEN[f"RPL{i}"] * 1000)
            page.wait_for_function("() => document.querySelector('.st-key-pg_answer')"
                                   ".innerText.includes('Served model')")
        browser.close()
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=20)
    args = parser.parse_args()
    from browser_support import Server

    base_url = serve()
    floor = baseline(base_url, 10)
    print(f"baseline, plain HTTP client: p50 {statistics.median(floor):.1f} ms, p95 {pct(floor, 0.95):.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp), COMETAPI_BASE_URL=base_url, COMETAPI_KEY="bench-key")
        try:
            delays = browser_delays(server.url, args.sends)
        finally:
            server.stop()
    print("each send, ms:", " ".join(f"{d:.0f}" for d in delays))
    print(f"first paint, server write -> text on the page: p50 {statistics.median(delays):.1f} ms, "
          f"p95 {pct(delays, 0.95):.1f} ms over {len(delays)} sends (target: p95 within 50 ms)")


if __name__ == "__main__":
    main()
