"""Tracing (docs/tracing.md): each run a CLIENT span following the GenAI semantic conventions, sent
over OTLP/HTTP to a loopback receiver that decodes it with the OpenTelemetry protobuf package; a
comparison one parent over its runs; no prompt text unless asked, no key ever; a dead or silent
collector never fails a send and costs the flush a bounded wait."""

from __future__ import annotations

import json
import time

import pytest
from keys import CANARY_KEY
from otlp_receiver import Receiver, SilentCollector, check_run, closed_port, is_run, tracing_to

from comet import Call, Route, simple_body
from comet.http import tracing
from comet.http.client import Client, RetryPolicy
from comet.runs.compare import Comparison, Target, plan

PROMPT = "Name three rivers of Portugal"
SYSTEM = "Answer in one line"
GEMINI_CALL = Call(Route.GEMINI, "gemini-2.5-flash",
                   {**simple_body("gemini", PROMPT, system=SYSTEM),
                    "generationConfig": {"temperature": 0.3, "topP": 0.9, "maxOutputTokens": 200}})


@pytest.fixture(scope="module")
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def traced(receiver, monkeypatch):
    """Tracing on, to the module's receiver, content capture off."""
    with tracing_to(receiver, monkeypatch):
        yield receiver


def runs(receiver: Receiver, count: int) -> list:
    assert tracing.flush()
    found = receiver.wait_for(count, where=is_run)
    assert len(found) == count, [s.name for s in found]
    return found


def test_a_send_is_one_client_span_with_the_conventions_attributes(traced, emulator, canary_key):
    with Client(emulator.base_url, CANARY_KEY) as client, \
            tracing.scope(price=lambda exchange: 0.0123, user="ana@team.example"):
        exchange = client.send(GEMINI_CALL)
    assert exchange.ok
    (span,) = runs(traced, 1)
    a = check_run(span, "gemini", "gemini-2.5-flash")
    assert (a["gen_ai.request.temperature"], a["gen_ai.request.top_p"], a["gen_ai.request.max_tokens"]) == (0.3, 0.9, 200)
    assert a["gen_ai.request.stream"] is False and a["server.port"] == int(emulator.base_url.rsplit(":", 1)[1])
    assert a["gen_ai.response.id"] == exchange.reply.response_id
    assert a["gen_ai.usage.output_tokens"] == exchange.reply.usage.output_tokens
    assert a["gen_ai.response.finish_reasons"] == [exchange.reply.raw_finish_reason]
    assert (a["comet.cost_usd"], a["comet.user"], a["user.id"]) == (0.0123, "ana@team.example", "ana@team.example")
    assert a["comet.attempts"] == 1 and "comet.comparison.id" not in a
    assert PROMPT not in span.text and SYSTEM not in span.text and exchange.text not in span.text
    assert not {"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions"} & set(a)
    assert CANARY_KEY not in span.text and span.resource["service.name"] == "comet-playground"


def test_a_streamed_openai_run_is_a_chat_span_with_only_the_settings_it_sets(traced, client):
    body = {**simple_body("openai", PROMPT), "stream_options": {"include_usage": True}}  # as the app's Stream switch
    call = Call(Route.OPENAI, "gemini-2.5-pro", body, stream=True)
    exchange = client.send(call)
    (span,) = runs(traced, 1)
    a = check_run(span, "openai", "gemini-2.5-pro")
    assert a["gen_ai.request.stream"] is True and a["gen_ai.response.id"] == exchange.reply.response_id
    assert [name for name in a if name.startswith("gen_ai.request.")] == ["gen_ai.request.model",
                                                                          "gen_ai.request.stream"]
    assert a["gen_ai.response.time_to_first_chunk"] == pytest.approx(a["comet.ttft_ms"] / 1000, abs=1e-5)


def test_a_failed_run_says_its_error_type_and_attempts(traced, emulator):
    with Client(emulator.base_url, "sk-test", retry=RetryPolicy(attempts=2, base_s=0.001, cap_s=0.01, jitter=0)) as c:
        exchange = c.send(Call(Route.GEMINI, "fault-server-error", simple_body("gemini", PROMPT)))
    assert exchange.error is not None
    (span,) = runs(traced, 1)
    assert span.name == "generate_content fault-server-error" and span.status_code == 2  # ERROR
    assert span.attributes["error.type"] == exchange.error.kind == "server"
    assert span.attributes["comet.attempts"] == 2 and span.attributes["http.response.status_code"] == 500


def test_content_capture_records_the_turns_and_the_reply_with_the_key_masked(traced, emulator, canary_key,
                                                                            monkeypatch):
    monkeypatch.setenv("COMET_OTEL_CAPTURE_CONTENT", "true")
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", f"{PROMPT}; my key is {CANARY_KEY}",
                                                              system=SYSTEM))
    with Client(emulator.base_url, CANARY_KEY) as client:
        exchange = client.send(call)
    (span,) = runs(traced, 1)
    a = span.attributes
    (turn,) = json.loads(a["gen_ai.input.messages"])
    assert turn["role"] == "user" and turn["parts"][0]["type"] == "text"
    assert turn["parts"][0]["content"] == f"{PROMPT}; my key is [redacted]"
    assert json.loads(a["gen_ai.system_instructions"]) == [{"type": "text", "content": SYSTEM}]
    (answer,) = json.loads(a["gen_ai.output.messages"])
    assert answer["role"] == "assistant" and {"type": "text", "content": exchange.text} in answer["parts"]
    assert CANARY_KEY not in span.text


def test_a_comparison_is_one_parent_span_over_its_four_runs(traced, client):
    targets = [Target(Route.GEMINI, "gemini-2.5-flash"), Target(Route.OPENAI, "gemini-2.5-flash"),
               Target(Route.GEMINI, "gemini-2.5-pro"), Target(Route.OPENAI, "gemini-2.5-pro")]
    with tracing.scope(user="ana@team.example"):
        comparison = Comparison(plan(GEMINI_CALL, targets), client, price=lambda exchange: 0.5)
        comparison.run(interval=0.02)
    children = runs(traced, 4)
    (parent,) = traced.wait_for(1, where=lambda s: s.name == "comet comparison")
    assert parent.attributes["comet.comparison.id"] == comparison.group_id and len(parent.attributes["comet.targets"]) == 4
    assert parent.attributes["comet.user"] == "ana@team.example"
    seen = set()
    for span in children:
        a = check_run(span, span.attributes["comet.route"], span.attributes["gen_ai.request.model"])
        assert span.parent_span_id == parent.span_id and span.trace_id == parent.trace_id
        assert a["comet.comparison.id"] == comparison.group_id and a["comet.cost_usd"] == 0.5
        assert a["comet.user"] == "ana@team.example" and PROMPT not in span.text
        seen.add(a["comet.target"])
    assert seen == {t.label for t in targets}


@pytest.mark.parametrize("collector", ["closed port", "silent"])
def test_a_dead_or_silent_collector_never_fails_a_send_and_the_flush_is_bounded(collector, client, monkeypatch):
    with SilentCollector() as silent:
        monkeypatch.setenv("COMET_OTEL_ENDPOINT", closed_port() if collector == "closed port" else silent.endpoint)
        assert tracing.enabled()
        exchanges = [client.send(GEMINI_CALL) for _ in range(3)]
        assert all(e.ok and e.text for e in exchanges)
        started = time.monotonic()
        tracing.flush()
        assert time.monotonic() - started < 10  # generous: the bound is tracing.FLUSH_S (1.5 s)


def test_the_endpoint_settings():
    assert tracing.endpoint({}) is None
    assert tracing.endpoint({"COMET_OTEL_ENDPOINT": "http://collector:4318/"}) == "http://collector:4318/v1/traces"
    assert tracing.endpoint({"OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example"}) == "https://otel.example/v1/traces"
    assert tracing.endpoint({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://t:4318/v1/traces"}) == "http://t:4318/v1/traces"
    assert tracing.endpoint({"COMET_OTEL_ENDPOINT": "http://c:4318/v1/traces",
                             "OTEL_EXPORTER_OTLP_ENDPOINT": "http://other:4318"}) == "http://c:4318/v1/traces"
    assert not tracing.capture_content({}) and tracing.capture_content({"COMET_OTEL_CAPTURE_CONTENT": "TRUE"})


def test_tracing_that_fails_never_fails_the_run(traced, client, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a span could not be described")

    monkeypatch.setattr(tracing, "request_attributes", broken)
    assert client.send(GEMINI_CALL).ok  # untraced, said once in the log
    monkeypatch.undo()
    monkeypatch.setenv("COMET_OTEL_ENDPOINT", traced.endpoint)
    monkeypatch.setattr(tracing, "response_attributes", broken)
    assert client.send(GEMINI_CALL).ok  # its span ends without them
    assert runs(traced, 1)[0].attributes["gen_ai.request.model"] == "gemini-2.5-flash"


def test_an_image_run_says_its_output_and_never_carries_the_image(traced, client, monkeypatch):
    import base64

    monkeypatch.setenv("COMET_OTEL_CAPTURE_CONTENT", "true")
    body = {**simple_body("gemini", "A lighthouse at dusk"),
            "generationConfig": {"responseModalities": ["TEXT", "IMAGE"], "imageConfig": {"aspectRatio": "16:9"}}}
    exchange = client.send(Call(Route.GEMINI, "gemini-3.1-flash-image-preview", body))
    assert exchange.ok and exchange.reply.images
    (span,) = runs(traced, 1)
    a = span.attributes
    assert (a["gen_ai.output.type"], a["comet.image.aspect_ratio"]) == ("image", "16:9")
    (answer,) = json.loads(a["gen_ai.output.messages"])
    assert {"type": "blob", "modality": "image", "mime_type": exchange.reply.images[-1].mime_type} in answer["parts"]
    assert all(base64.b64encode(image.data)[:64].decode() not in span.text for image in exchange.reply.images)
