"""Servers that misbehave on purpose, on loopback (issue 10 items 3, 9 and 10): one that
sends a byte a second, one that keeps asking to retry, one that echoes the key back in a 401
message, an HTML page and a reply, and one whose reply holds lone surrogates. The client
bounds the whole call, keeps the partial text, and never hands out the key or invalid text."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_server import Hostile
from loopback import serving

from comet import Call, Client, Route
from comet.cli.summary import summary
from comet.core.exchange import TextDelta
from comet.http.client import CancelToken, RetryPolicy

pytestmark = pytest.mark.independent  # mostly waits for deadlines: spread over the workers

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-hostile-0123456789abcdef"


@pytest.fixture(scope="module")
def hostile():
    with serving(Hostile) as base_url:
        yield base_url


def openai(model: str, stream: bool = False) -> Call:
    return Call(Route.OPENAI, model, {"messages": [{"role": "user", "content": "hi"}]}, stream=stream)


def timed(base: str, call: Call, *, timeout: float, cancel: CancelToken | None = None, **options):
    with Client(base, KEY, timeout=timeout, **options) as client:
        started = time.perf_counter()
        events = list(client.stream(call, cancel))
        return events, time.perf_counter() - started


# ---- the whole call is bounded ------------------------------------------------------------------

@pytest.mark.parametrize("cancel", [None, CancelToken()], ids=["inline", "with-stop-button"])
def test_a_byte_a_second_stream_ends_at_the_timeout_with_its_partial_text(hostile, cancel):
    events, took = timed(hostile, openai("trickle-stream", stream=True), timeout=2.5, cancel=cancel)
    ex = events[-1]
    assert 2.4 < took < 4.0, took  # per-read timeouts alone would wait ~20 s
    assert ex.error.kind == "timeout" and "2.5 s timeout" in ex.error.message
    assert ex.partial and ex.text.startswith("Hel") and TextDelta("Hel") in events
    assert ex.attempts == 1


@pytest.mark.parametrize("cancel", [None, CancelToken()], ids=["inline", "with-stop-button"])
def test_a_byte_a_second_plain_answer_ends_at_the_timeout(hostile, cancel):
    events, took = timed(hostile, openai("trickle-plain"), timeout=2.0, cancel=cancel)
    assert events[-1].error.kind == "timeout" and 1.9 < took < 3.5, took


def test_headers_a_byte_a_second_end_at_the_timeout_with_a_cancel_token(hostile):
    events, took = timed(hostile, openai("trickle-headers"), timeout=2.0, cancel=CancelToken(),
                         retry=RetryPolicy(attempts=1))
    assert events[-1].error.kind == "timeout" and 1.9 < took < 3.0, took


MODES = {  # how a caller runs the call: every one of them keeps the deadline
    "send": lambda client, call: [client.send(call)],
    "stream": lambda client, call: list(client.stream(call)),
    "send-with-stop-button": lambda client, call: [client.send(call, CancelToken())],
    "stream-read-inline": lambda client, call: list(client.stream(call, CancelToken(), reader_thread=False)),
}


@pytest.mark.parametrize("fresh", [True, False], ids=["new-connection", "kept-alive-connection"])
@pytest.mark.parametrize("mode", MODES)
def test_headers_a_byte_a_second_end_at_the_timeout_in_every_mode(hostile, mode, fresh):
    """The wait for the status line and headers is inside the whole-call deadline, with or
    without a cancel token or a reader thread, on a new or a kept-alive connection."""
    with Client(hostile, KEY, timeout=2.0, retry=RetryPolicy(attempts=1)) as client:
        if not fresh:
            assert client.send(openai("port")).ok  # leaves one connection in the pool
        started = time.perf_counter()
        events = MODES[mode](client, openai("trickle-headers", stream=mode.startswith("stream")))
        took = time.perf_counter() - started
    ex = events[-1]
    assert ex.error.kind == "timeout" and "2 s timeout" in ex.error.message, ex.error
    assert took < 6, took  # the server would trickle its headers for over a minute
    assert ex.status is None and ex.reply is None


def test_retries_and_their_waits_fit_inside_the_timeout(hostile):
    policy = RetryPolicy(attempts=10, base_s=0.01, jitter=0)
    events, took = timed(hostile, openai("busy"), timeout=2.5, retry=policy)
    ex = events[-1]
    assert took < 2.6, took  # each wait is the server's Retry-After (1 s): two fit, a third would not
    assert ex.error.kind == "server" and ex.attempts == 3


@pytest.mark.parametrize("model", ["trickle-stream", "trickle-headers"])
def test_cli_send_timeout_bounds_the_call(hostile, model):
    started = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "comet", "send", "--route", "openai", "--model", model,
                        "--stream", "--prompt", "hi", "--base-url", hostile, "--timeout", "2"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "COMETAPI_KEY": KEY})
    took = time.perf_counter() - started
    assert r.returncode == 1 and took < 30, (took, r.stderr)  # unbounded, the server would take 20 minutes
    out = json.loads(r.stdout)
    assert out["error"]["kind"] == "timeout" and 1900 < out["latency_ms"] < 3500
    if model == "trickle-stream":
        assert out["partial"] and out["text"].startswith("Hel")  # the call itself, without the interpreter's start-up


# ---- the key a server echoes is masked ----------------------------------------------------------

@pytest.mark.parametrize("model,kind", [("echo-401", "auth"), ("echo-html", "server")])
def test_a_key_echoed_in_an_error_is_masked(hostile, model, kind):
    events, _ = timed(hostile, openai(model), timeout=10, retry=RetryPolicy(attempts=2, base_s=0.001, jitter=0))
    ex = events[-1]
    assert ex.error.kind == kind
    assert KEY not in repr(events) and "[redacted]" in ex.error.message + ex.error.raw_body


@pytest.mark.parametrize("stream", [False, True])
def test_a_key_echoed_in_a_reply_is_masked(hostile, stream):
    events, _ = timed(hostile, openai("echo-reply", stream=stream), timeout=10)
    ex = events[-1]
    assert ex.ok and ex.text == "You sent the key [redacted]."
    assert KEY not in repr(events) and KEY not in json.dumps(summary(ex))


@pytest.mark.parametrize("model", ["echo-401", "echo-html", "echo-reply"])
def test_the_cli_never_prints_an_echoed_key(hostile, model):
    r = subprocess.run([sys.executable, "-m", "comet", "send", "--route", "openai", "--model", model,
                        "--prompt", "hi", "--base-url", hostile, "--timeout", "10"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "COMETAPI_KEY": KEY})
    assert r.returncode in (0, 1) and r.stdout and "Traceback" not in r.stderr
    assert KEY not in r.stdout + r.stderr and "[redacted]" in r.stdout


# ---- a reply that is not valid text -------------------------------------------------------------

def test_lone_surrogates_in_a_reply_become_replacement_characters(hostile):
    with Client(hostile, KEY, timeout=10) as client:
        ex = client.send(Call(Route.GEMINI, "surrogates", {"contents": [{"parts": [{"text": "hi"}]}]}))
    assert ex.ok and ex.text == "smile \ufffd!"
    assert ex.reply.grounding["webSearchQueries"] == ["\ufffd q"]
    json.dumps(summary(ex), ensure_ascii=False).encode("utf-8")  # printable and storable


def test_short_stand_in_keys_are_not_masked_in_replies(monkeypatch):
    """The demo key ("demo") and other stand-ins shorter than 8 characters are no secret: a
    reply that says "demo" keeps the word."""
    from comet.http import redact

    monkeypatch.delenv("COMETAPI_KEY", raising=False)
    assert redact.known_keys("demo", "sk-test") == ()
    assert redact.known_keys(KEY) == (KEY,)
    assert redact.text("a demo of sk-hostile-0123456789abcdef", redact.known_keys("demo", KEY)) == "a demo of [redacted]"


def test_the_deadline_leaves_kept_alive_connections_alone_and_a_cut_one_is_not_reused(hostile):
    """A call that ends in time disarms its deadline, so its connection goes back to the pool
    whole; after a call cut off at its deadline, the next call still works."""
    with Client(hostile, KEY, timeout=1.5) as client:
        ports = {client.send(openai("port")).text for _ in range(5)}
        assert len(ports) == 1  # one connection, kept alive through five calls
        time.sleep(1.6)  # past every deadline armed so far: none may fire on the pooled connection
        assert client.send(openai("port")).text in ports
        assert client.send(openai("trickle-stream", stream=True)).error.kind == "timeout"
        after = client.send(openai("port"))
        assert after.ok and after.text.isdigit()


@pytest.mark.parametrize("cancel", [None, CancelToken()], ids=["inline", "with-stop-button"])
def test_no_timeout_at_all_is_allowed_and_a_bad_one_is_refused(hostile, cancel):
    from comet import ConfigError

    with Client(hostile, KEY, timeout=None) as client:
        assert client.send(openai("port"), cancel).ok
    with Client(hostile, KEY, timeout=float("inf")) as client:
        assert client.send(openai("port"), cancel).ok
    for bad in (0, -1, float("nan")):
        with pytest.raises(ConfigError, match="positive number of seconds"):
            Client(hostile, KEY, timeout=bad)
