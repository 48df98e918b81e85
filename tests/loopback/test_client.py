"""The client over real loopback sockets against the emulator: both routes, plain and
streaming, every fault model, retries, cancelling, timeouts, the key, and what goes on the
wire compared with the official SDKs. No mocks."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest
from loopback import serving

from comet import Call, Client, Route, prepare
from comet.cli.summary import summary
from comet.core.errors import ConfigError, RequestError
from comet.core.exchange import Exchange, Retrying, TextDelta, ThoughtDelta
from comet.emulator.catalog import FAULTS
from comet.http.client import CancelToken, RetryPolicy
from comet.http.models import cost

KEY = "sk-test"
FAST_RETRY = RetryPolicy(attempts=3, base_s=0.001, cap_s=0.01, jitter=0)  # the shared client fixture's
GEMINI_BODY = {"contents": [{"role": "user", "parts": [{"text": "Say hello"}]}]}
OPENAI_BODY = {"messages": [{"role": "user", "content": "Say hello"}]}
BODIES = {Route.GEMINI: GEMINI_BODY, Route.OPENAI: OPENAI_BODY}
ROUTES = [Route.GEMINI, Route.OPENAI]


def call(route: Route, model: str = "gemini-2.5-flash", *, stream: bool = False,
         prompt: str | None = None, **extra) -> Call:
    body = json.loads(json.dumps(BODIES[route]))
    if prompt is not None:
        if route is Route.GEMINI:
            body["contents"][0]["parts"][0]["text"] = prompt
        else:
            body["messages"][0]["content"] = prompt
    body.update(extra)
    return Call(route, model, body, stream=stream)


@pytest.fixture(scope="module")
def faulty():
    """An emulator whose fault delays (retryDelay, fault-slow) are scaled far down."""
    from comet.emulator import Emulator

    emu = Emulator(ttft_ms=1, chunk_ms=1, time_scale=0.002).start()
    yield emu
    emu.stop()


def events_of(client, c, cancel=None):
    events = list(client.stream(c, cancel))
    assert isinstance(events[-1], Exchange)
    assert not any(isinstance(e, Exchange) for e in events[:-1])
    return events[:-1], events[-1]


# ---- both routes, plain and streaming -----------------------------------------------------

@pytest.mark.parametrize("route", ROUTES)
def test_plain(client, route):
    ex = client.send(call(route))
    assert ex.ok and ex.status == 200 and ex.attempts == 1 and not ex.partial
    r = ex.reply
    assert r.text and r.finish_reason == "stop" and r.model_version and r.response_id
    assert r.usage.input_tokens > 0 and r.usage.output_tokens > 0 and r.usage.total_tokens > 0
    assert isinstance(r.raw, dict)
    t = ex.timing
    assert 0 < t.ttfb_ms <= t.ttft_ms <= t.latency_ms and len(t.chunk_ms) == 1
    assert t.started_at == pytest.approx(time.time(), abs=60)


@pytest.mark.parametrize("route", ROUTES)
def test_stream(client, route):
    usage = {"stream_options": {"include_usage": True}} if route is Route.OPENAI else {}
    plain = client.send(call(route, prompt="Tell me more [[chunks=8]]"))
    deltas, ex = events_of(client, call(route, stream=True, prompt="Tell me more [[chunks=8]]", **usage))
    assert ex.ok and ex.status == 200 and ex.attempts == 1
    texts = [d.text for d in deltas if isinstance(d, TextDelta)]
    assert len(texts) >= 5 and "".join(texts) == ex.text == plain.text
    assert ex.reply.finish_reason == "stop" and isinstance(ex.reply.raw, list)
    assert ex.reply.usage.output_tokens == plain.reply.usage.output_tokens
    t = ex.timing
    assert t.ttfb_ms <= t.ttft_ms <= t.latency_ms
    assert len(t.chunk_ms) == len(ex.reply.raw) and list(t.chunk_ms) == sorted(t.chunk_ms)


def test_gemini_thoughts_stream_as_thought_deltas(client):
    c = call(Route.GEMINI, stream=True, generationConfig={
        "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024}})
    deltas, ex = events_of(client, c)
    thoughts = "".join(d.text for d in deltas if isinstance(d, ThoughtDelta))
    assert ex.ok and thoughts and thoughts == ex.thoughts
    assert ex.reply.usage.thinking_tokens > 0
    first = next(i for i, d in enumerate(deltas) if isinstance(d, ThoughtDelta))
    assert ex.timing.ttft_ms <= ex.timing.chunk_ms[first] + 1e-6


@pytest.mark.parametrize("route,extra", [
    (Route.GEMINI, {"generationConfig": {"candidateCount": 2}}),
    (Route.OPENAI, {"n": 2}),
])
@pytest.mark.parametrize("stream", [False, True])
def test_several_candidates_are_kept(client, route, extra, stream):
    ex = client.send(call(route, stream=stream, **extra))
    assert ex.ok and len(ex.reply.candidates) == 2
    assert ex.text == ex.reply.candidates[0].text


@pytest.mark.parametrize("route,extra,finish", [
    (Route.GEMINI, {"generationConfig": {"maxOutputTokens": 3}}, "length"),
    (Route.OPENAI, {"max_completion_tokens": 3}, "length"),
])
def test_length_finish(client, route, extra, finish):
    ex = client.send(call(route, stream=True, **extra))
    assert ex.ok and ex.reply.finish_reason == finish and ex.reply.raw_finish_reason in ("MAX_TOKENS", "length")


# ---- faults ---------------------------------------------------------------------------------

def run(emu, c, **options) -> tuple[list, Exchange]:
    options.setdefault("retry", FAST_RETRY)
    with Client(emu.base_url, KEY, **options) as cl:
        return events_of(cl, c)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("model,kind,status", [
    ("fault-rate-limit", "rate_limited", 429),
    ("fault-server-error", "server", 500),
    ("fault-unavailable", "server", 503),
])
def test_retryable_faults_use_every_attempt(faulty, route, stream, model, kind, status):
    faulty.clear()
    events, ex = run(faulty, call(route, model, stream=stream))
    assert ex.error.kind == kind and ex.status == status and ex.error.retryable
    assert ex.attempts == 3 == len(faulty.received)
    notices = [e for e in events if isinstance(e, Retrying)]
    assert [n.attempt for n in notices] == [2, 3] and all(n.error.kind == kind for n in notices)
    assert ex.reply is None and not ex.ok


def test_gemini_rate_limit_carries_retry_delay(faulty):
    events, ex = run(faulty, call(Route.GEMINI, "fault-rate-limit"))
    assert ex.error.retry_after is not None and ex.error.provider_status == "RESOURCE_EXHAUSTED"
    # the server's delay is what the client waited for
    assert [e.delay_s for e in events if isinstance(e, Retrying)] == [ex.error.retry_after] * 2


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("stream", [False, True])
def test_rate_limit_once_succeeds_on_attempt_two(faulty, route, stream):
    prompt = f"once {route.value} {stream} {time.time()}"  # a fresh body: the fault counts per body
    events, ex = run(faulty, call(route, "fault-rate-limit-once", stream=stream, prompt=prompt))
    assert ex.ok and ex.attempts == 2 and ex.text
    [notice] = [e for e in events if isinstance(e, Retrying)]
    assert notice.attempt == 2 and notice.error.kind == "rate_limited"
    assert ex.timing.ttft_ms < ex.timing.latency_ms  # ttft from the successful attempt's start


@pytest.mark.parametrize("route", ROUTES)
def test_drop_stream_keeps_partial_text_and_is_not_retried(faulty, route):
    faulty.clear()
    events, ex = run(faulty, call(route, "fault-drop-stream", stream=True))
    assert ex.error.kind == "network" and ex.attempts == 1 == len(faulty.received)
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert streamed and ex.text == streamed and ex.partial and not ex.ok


@pytest.mark.parametrize("route", ROUTES)
def test_drop_plain_body_is_retried(faulty, route):
    faulty.clear()
    _, ex = run(faulty, call(route, "fault-drop-stream"))
    assert ex.error.kind == "network" and ex.status == 200 and "cut short" in ex.error.message
    assert ex.attempts == 3 == len(faulty.received) and ex.reply is None


@pytest.mark.parametrize("route", ROUTES)
def test_bad_sse_is_a_protocol_error_with_partial_text(faulty, route):
    events, ex = run(faulty, call(route, "fault-bad-sse", stream=True))
    assert ex.error.kind == "protocol" and ex.attempts == 1 and ex.partial
    assert ex.text == "".join(e.text for e in events if isinstance(e, TextDelta))


@pytest.mark.parametrize("route", ROUTES)
def test_bad_json_plain_is_a_protocol_error(faulty, route):
    _, ex = run(faulty, call(route, "fault-bad-sse"))
    assert ex.error.kind == "protocol" and ex.status == 200 and ex.attempts == 1


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("stream", [False, True])
def test_html_page_is_a_protocol_error(faulty, route, stream):
    _, ex = run(faulty, call(route, "fault-html", stream=stream))
    assert ex.error.kind == "protocol" and ex.status == 404 and ex.attempts == 1
    assert "HTML" in ex.error.message


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("stream", [False, True])
def test_a_gateway_html_page_is_a_server_error_and_retried(faulty, route, stream):
    _, ex = run(faulty, call(route, "fault-gateway", stream=stream))
    assert ex.error.kind == "server" and ex.status == 502 and ex.error.retryable
    assert ex.attempts == FAST_RETRY.attempts and "502 Bad Gateway" in ex.error.message


@pytest.mark.parametrize("route,status", [(Route.GEMINI, 404), (Route.OPENAI, 503)])
def test_unknown_model_is_not_found_and_not_retried(faulty, route, status):
    _, ex = run(faulty, call(route, "no-such-model"))
    assert ex.error.kind == "not_found" and ex.status == status and ex.attempts == 1


@pytest.mark.parametrize("route", ROUTES)
def test_slow_first_byte_times_out_and_is_retried(route):
    """A 1.5 s silence against a 0.05 s read timeout: a margin a busy machine cannot eat (with
    the faulty emulator's 60 ms, a client thread kept off the CPU that long found the answer
    already there)."""
    from comet.emulator import Emulator

    policy = RetryPolicy(attempts=2, base_s=0.001, jitter=0)
    with Emulator(ttft_ms=1, chunk_ms=1, time_scale=0.05) as slow:
        _, ex = run(slow, call(route, "fault-slow"), read_timeout=0.05, retry=policy)
    assert ex.error.kind == "timeout" and ex.attempts == 2 and ex.status is None


def test_slow_answer_arrives_within_the_timeout(faulty):
    _, ex = run(faulty, call(Route.GEMINI, "fault-slow"), timeout=5)
    assert ex.ok and ex.timing.ttfb_ms >= 30_000 * 0.002 * 0.9


def test_gemini_comet_envelope(make_emulator):
    emu = make_emulator(ttft_ms=1, chunk_ms=1, time_scale=0.002, gemini_errors="comet")
    _, ex = run(emu, call(Route.GEMINI, "fault-server-error"))
    assert ex.error.kind == "server" and ex.error.provider_status is None and ex.attempts == 3


def test_crlf_framing(make_emulator):
    emu = make_emulator(ttft_ms=1, chunk_ms=1, crlf=True)
    deltas, ex = run(emu, call(Route.GEMINI, stream=True, prompt="crlf [[chunks=5]]"))
    assert ex.ok and len(deltas) >= 3 and ex.text == "".join(d.text for d in deltas)


# ---- cancelling -----------------------------------------------------------------------------

def cancel_after(token: CancelToken, seconds: float) -> None:
    threading.Timer(seconds, token.set).start()


@pytest.mark.parametrize("route", ROUTES)
def test_cancel_before_first_byte(make_emulator, route):
    emu = make_emulator(ttft_ms=1, chunk_ms=1, time_scale=0.2)  # fault-slow: 6 s of silence
    token = CancelToken()
    cancel_after(token, 0.1)
    started = time.perf_counter()
    with Client(emu.base_url, KEY) as cl:
        ex = cl.send(call(route, "fault-slow", stream=True), cancel=token)
    assert time.perf_counter() - started < 1.0
    assert ex.stopped and ex.partial and ex.error is None and not ex.ok
    assert ex.status is None and ex.text == "" and ex.attempts == 1


def test_cancel_mid_stream_keeps_partial_text(make_emulator):
    emu = make_emulator(ttft_ms=1, chunk_ms=20)
    token = CancelToken()
    seen = []
    with Client(emu.base_url, KEY) as cl:
        for event in cl.stream(call(Route.OPENAI, stream=True, prompt="long [[chunks=100]]"), token):
            if isinstance(event, TextDelta):
                seen.append(event.text)
                if len(seen) == 3:
                    started = time.perf_counter()
                    token.set()
            elif isinstance(event, Exchange):
                ex = event
    assert time.perf_counter() - started < 0.1
    assert ex.stopped and ex.partial and ex.status == 200
    assert ex.text == "".join(seen) and len(seen) < 10


def test_cancel_during_retry_wait(make_emulator):
    emu = make_emulator(ttft_ms=1, chunk_ms=1, time_scale=5)  # retryDelay of seconds
    token = CancelToken()
    with Client(emu.base_url, KEY) as cl:
        for event in cl.stream(call(Route.GEMINI, "fault-rate-limit"), token):
            if isinstance(event, Retrying):
                assert event.delay_s > 0.5
                started = time.perf_counter()
                token.set()
            last = event
    assert time.perf_counter() - started < 0.2
    assert last.stopped and last.attempts == 1


def test_already_cancelled_sends_nothing(emulator):
    emulator.clear()
    token = CancelToken()
    token.set()
    with Client(emulator.base_url, KEY) as cl:
        ex = cl.send(call(Route.GEMINI), cancel=token)
    assert ex.stopped and emulator.received == []


def test_cancel_token_path_gives_the_same_answer(client):
    a = client.send(call(Route.GEMINI, stream=True))
    b = client.send(call(Route.GEMINI, stream=True), cancel=CancelToken())
    assert a.ok and b.ok and a.text == b.text and a.reply.usage == b.reply.usage


def test_leaving_a_stream_early_closes_it(client):
    events = client.stream(call(Route.OPENAI, stream=True, prompt="x [[chunks=20]]"))
    assert isinstance(next(events), TextDelta)
    events.close()
    assert client.send(call(Route.OPENAI)).ok  # the client is still usable


# ---- configuration and the key --------------------------------------------------------------

def test_missing_key_is_a_config_error_before_anything_is_sent(emulator):
    emulator.clear()
    with pytest.raises(ConfigError, match="COMETAPI_KEY"):
        Client(emulator.base_url)
    with pytest.raises(ConfigError):
        Client(emulator.base_url, "   ")
    assert emulator.received == []


def test_settings_come_from_the_environment(emulator, monkeypatch):
    monkeypatch.setenv("COMETAPI_KEY", KEY)
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url + "/v1/")
    with Client() as cl:
        assert cl.base_url == emulator.base_url and cl.send(call(Route.OPENAI)).ok


def test_validation_error_raises_and_sends_nothing(emulator, client):
    emulator.clear()
    with pytest.raises(RequestError):
        client.stream(call(Route.OPENAI, generationConfig={}))
    assert emulator.received == []


def test_canary_key_never_leaks(emulator, faulty, canary_key):
    exchanges = []
    for base in (emulator.base_url, faulty.base_url):
        with Client(base, retry=FAST_RETRY) as cl:
            assert canary_key not in repr(cl)
            for route in ROUTES:
                for model in ("gemini-2.5-flash", "fault-rate-limit", "fault-html", "fault-bad-sse",
                              "fault-drop-stream", "nope"):
                    exchanges += [cl.send(call(route, model, stream=s)) for s in (False, True)]
    assert any(e.ok for e in exchanges) and any(e.error for e in exchanges)
    for ex in exchanges:
        assert canary_key not in repr(ex)
        assert canary_key not in json.dumps(summary(ex))
        if ex.error:
            assert canary_key not in json.dumps(ex.error.to_dict())
    # ...while it did go on the wire, in the route's own header
    sent = faulty.received[-1].headers
    assert canary_key in (sent.get("x-goog-api-key", "") + sent.get("authorization", ""))


# ---- what goes on the wire, compared with the official SDKs ---------------------------------

def test_same_request_as_the_openai_sdk(emulator, client):
    import openai

    sdk = openai.OpenAI(api_key=KEY, base_url=emulator.base_url + "/v1", max_retries=0)
    for stream in (False, True):
        emulator.clear()
        kwargs = dict(model="gemini-2.5-flash", messages=[{"role": "user", "content": "hi"}],
                      max_completion_tokens=50, temperature=0.2)
        result = sdk.chat.completions.create(**kwargs, **({"stream": True} if stream else {}))
        if stream:
            sdk_text = "".join(c.choices[0].delta.content or "" for c in result if c.choices)
        else:
            sdk_text = result.choices[0].message.content
        body = {k: v for k, v in kwargs.items() if k != "model"}
        ex = client.send(Call(Route.OPENAI, "gemini-2.5-flash", body, stream=stream))
        theirs, ours = emulator.received
        assert (ours.method, ours.path, ours.query) == (theirs.method, theirs.path, theirs.query)
        assert ours.json == theirs.json
        assert ours.headers["authorization"] == theirs.headers["authorization"] == f"Bearer {KEY}"
        assert ex.text == sdk_text


def test_same_request_as_google_genai(emulator, client):
    from google import genai
    from google.genai import types

    sdk = genai.Client(api_key=KEY, http_options={"base_url": emulator.base_url, "api_version": "v1beta"})
    config = types.GenerateContentConfig(temperature=0.2, max_output_tokens=50)
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
            "generationConfig": {"temperature": 0.2, "maxOutputTokens": 50}}
    for stream in (False, True):
        emulator.clear()
        if stream:
            sdk_text = "".join(c.text or "" for c in sdk.models.generate_content_stream(
                model="gemini-2.5-flash", contents="hi", config=config))
        else:
            sdk_text = sdk.models.generate_content(model="gemini-2.5-flash", contents="hi",
                                                   config=config).text
        ex = client.send(Call(Route.GEMINI, "gemini-2.5-flash", body, stream=stream))
        theirs, ours = emulator.received
        assert (ours.method, ours.path, ours.query) == (theirs.method, theirs.path, theirs.query)
        assert ours.json == theirs.json
        assert ours.headers["x-goog-api-key"] == theirs.headers["x-goog-api-key"] == KEY
        assert ex.text == sdk_text


# ---- models and tokens ----------------------------------------------------------------------

def test_models_are_merged_gemini_first(client):
    models = client.models()
    ids = [m.id for m in models]
    assert len(ids) == len(set(ids))
    gemini = [m.gemini for m in models]
    assert gemini == sorted(gemini, reverse=True) and gemini[0]
    flash = next(m for m in models if m.id == "gemini-2.5-flash")
    assert flash.provider == "Google" and flash.pricing and flash.pricing.output > 0
    faults = [m for m in models if m.id.startswith("fault-")]
    assert {m.id for m in faults} == set(FAULTS) and all(m.description for m in faults)  # every fault model, listed
    ex = client.send(call(Route.GEMINI))
    assert cost(ex.reply.usage, flash) > 0


def test_count_tokens(client):
    n = client.count_tokens(call(Route.GEMINI, prompt="one two three"))
    assert isinstance(n, int) and n > 0
    with_system = call(Route.GEMINI, prompt="one two three",
                       systemInstruction={"parts": [{"text": "be very brief indeed"}]})
    assert client.count_tokens(with_system) > n
    with pytest.raises(RequestError):
        client.count_tokens(call(Route.OPENAI))


def test_cost_bills_thinking_as_output_and_merge_keeps_every_model():
    from comet.core.exchange import Usage
    from comet.http.models import ModelInfo, Pricing, merge

    model = ModelInfo("gemini-2.5-flash", pricing=Pricing(input=0.3, output=2.5))
    assert cost(Usage(1_000_000, 100_000, 300_000, 1_400_000), model) == pytest.approx(0.3 + 1.0)
    assert cost(Usage(), model) is None and cost(Usage(1, 1, 0, 2), ModelInfo("x")) is None
    merged = merge({"data": [{"id": "gpt-x", "owned_by": "openai"}, {"id": "gemini-b"}]},
                   {"data": [{"id": "gemini-a", "provider": "Google",
                              "pricing": {"input": 1, "output": 2}}, {"id": "gpt-x", "provider": "OpenAI"}]})
    assert [(m.id, m.gemini, m.provider) for m in merged] == [
        ("gemini-a", True, "Google"), ("gemini-b", True, ""), ("gpt-x", False, "OpenAI")]
    assert merged[0].pricing == Pricing(1.0, 2.0) and merged[2].owned_by == "openai"


def _readers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "comet-reader"}


def test_a_run_read_inline_starts_no_thread_and_a_cancel_ends_it_mid_stream(make_emulator):
    """The Playground reads a run in a thread of its own, so the client adds none: a cancel
    then shuts the answer's socket, which ends the blocked read between two chunks at once."""
    emu = make_emulator(ttft_ms=1, chunk_ms=400)
    earlier = _readers()  # readers an earlier test in this process left winding down
    token = CancelToken()
    texts, stopped_after = [], None
    with Client(emu.base_url, KEY) as cl:
        for event in cl.stream(call(Route.OPENAI, prompt="Count [[chunks=20]]", stream=True), token,
                               reader_thread=False):
            assert _readers() <= earlier  # the client started no reader thread of its own
            if isinstance(event, TextDelta) and event.text.strip():
                texts.append(event.text)
                if stopped_after is None:
                    threading.Timer(0.05, token.set).start()  # mid-wait for the next chunk
                    stopped_after = time.perf_counter()
            ex = event
    assert time.perf_counter() - stopped_after < 0.35  # not the 400 ms to the next chunk
    assert ex.stopped and ex.partial and ex.error is None and ex.status == 200
    assert ex.text == "".join(texts) and len(texts) == 1


# ---- the request target: the client hands httpx2 each endpoint parsed once ------------------

class _Targets(BaseHTTPRequestHandler):
    """Records each request target as it arrived on the wire; answers 404 (not retried)."""
    seen: list[str] = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen.append(self.path)
        body = b'{"error": {"code": 404, "message": "no such model", "status": "NOT_FOUND"}}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "models/gemini-2.5-flash",
                                   "my model/v2?x=1#frag", "gémini-2.5"])
@pytest.mark.parametrize("prefix", ["", "/proxy/api"])
def test_the_request_target_is_the_prepared_url_on_every_send(model, prefix):
    # The client parses each endpoint once and reuses it (comet.http.client._url): whatever a model
    # ID or a base URL's path holds, every send (the first and the cached ones) must go to
    # exactly the path and query that prepare() shows the user.
    _Targets.seen = []
    expected = []
    with serving(_Targets) as base, Client(base + prefix, KEY, retry=RetryPolicy(attempts=1)) as client:
        for route in ROUTES:
            for stream in (False, True):
                sent = call(route, model, stream=stream)
                expected += [prepare(sent, client.base_url).path] * 2
                for _ in range(2):
                    ex = client.send(sent)
                    assert ex.error is not None and ex.error.kind == "not_found"
    assert _Targets.seen == expected
    assert all(target.startswith(prefix + "/v1") for target in _Targets.seen)
    if model.startswith("my model"):  # quoted, never a second query or a fragment
        assert "/my%20model%2Fv2%3Fx%3D1%23frag:generateContent" in _Targets.seen[0]
