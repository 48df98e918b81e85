"""What a server sends is read within comet.core.limits (issue 27): a 600 MB plain answer is
refused with bounded memory, and of an error body only a bounded start is read and kept.

The server makes its 600 MB as it sends them, a block at a time; the client runs in a child
process, so its peak resident memory (``ru_maxrss``) is its own and not the server's."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from http.server import BaseHTTPRequestHandler

import pytest
from cli_support import ROOT
from loopback import serving

from comet.core import limits

HUGE = 600 * 1024 * 1024
BLOCK = b"a" * (1024 * 1024)
KEY = "sk-limits-0123456789abcdef"


class Huge(BaseHTTPRequestHandler):
    """Answers every POST with 600 MB of reply text ("a" repeated): the model name picks the
    status and whether the length is declared (``huge-error``: a 500; ``-unsized``: the body
    ends when the connection does)."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        model = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))["model"]
        head = b'{"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "'
        tail = b'"}}]}'
        self.send_response(500 if model == "huge-error" else 200)
        self.send_header("Content-Type", "application/json")
        if model.endswith("-unsized"):
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(head) + HUGE + len(tail)))
        self.end_headers()
        try:
            self.wfile.write(head)
            for _ in range(HUGE // len(BLOCK)):
                self.wfile.write(BLOCK)
            self.wfile.write(tail)
        except OSError:  # the client stopped reading and hung up: what we want
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def huge():
    with serving(Huge) as base_url:
        yield base_url


# The client's side, in a child process: its peak memory before and after the one call.
_CLIENT = textwrap.dedent("""
    import json, resource, sys, time
    from comet import Call, Client, Route
    from comet.http.client import RetryPolicy

    base, model, key = sys.argv[1:4]
    call = Call(Route.OPENAI, model, {"messages": [{"role": "user", "content": "hi"}]})
    with Client(base, key, timeout=60, retry=RetryPolicy(attempts=1)) as client:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        ex = client.send(call)
        took = time.perf_counter() - started
        grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"kind": ex.error and ex.error.kind, "message": ex.error and ex.error.message,
                      "raw": ex.error and ex.error.raw_body, "status": ex.status,
                      "reply": ex.reply is not None, "grew_mb": grew / 1024, "took": took}))
""")


def run_client(base: str, model: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _CLIENT, base, model, KEY], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("model", ["huge-plain", "huge-plain-unsized"])
def test_a_600_mb_answer_is_refused_with_bounded_memory(huge, model):
    seen = run_client(huge, model)
    assert seen["kind"] == "protocol" and "over the 64 MiB a reply may have" in seen["message"], seen
    assert seen["status"] == 200 and not seen["reply"]
    # unread, or read to the limit once: far below the 600 MB sent (reading it all took 1.2 GB)
    bound = 16 if model == "huge-plain" else 3 * limits.MAX_REPLY_BYTES / 2 ** 20
    assert seen["grew_mb"] < bound, seen["grew_mb"]


def test_of_a_600_mb_error_body_only_its_start_is_read_and_kept(huge):
    seen = run_client(huge, "huge-error")
    assert seen["status"] == 500 and "the rest was not read" in seen["message"], seen["message"]
    assert len(seen["raw"].encode()) <= limits.MAX_ERROR_BODY_BYTES
    assert seen["raw"].startswith('{"choices"') and seen["grew_mb"] < 32, seen["grew_mb"]
