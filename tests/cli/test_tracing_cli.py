"""Tracing from the command line (docs/tracing.md): ``send`` and ``batch`` flush their spans to a
loopback OTLP receiver before they exit (a batch is one parent span over its runs); a dead or
silent collector leaves the command's output and exit code as they were and adds a bounded wait;
and without OpenTelemetry installed ``comet`` imports and sends as before."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest
from cli_support import ROOT, environ, printed
from keys import CANARY_KEY
from otlp_receiver import Receiver, SilentCollector, check_run, closed_port, is_run

PROMPT = "Capital of {{country}}?"


@pytest.fixture(scope="module")
def receiver():
    with Receiver() as r:
        yield r


def comet(*args: str, endpoint: str, key: str = "sk-cli-test", base_url: str, **env: str) -> subprocess.CompletedProcess:
    values = {**environ(key, base_url), "COMET_OTEL_ENDPOINT": endpoint, **env}
    values.pop("COMET_OTEL_CAPTURE_CONTENT", None)
    return subprocess.run([sys.executable, "-m", "comet", *args], cwd=ROOT, env=values, capture_output=True,
                          text=True, timeout=120)


def test_send_flushes_one_run_span_before_it_exits(receiver, emulator):
    receiver.clear()
    r = comet("send", "--prompt", "Name a river", "--user", "ana@team.example", "--stream",
              endpoint=receiver.endpoint, key=CANARY_KEY, base_url=emulator.base_url)
    assert r.returncode == 0, r.stderr
    out = printed(r)
    (span,) = receiver.wait_for(1, timeout=0.5, where=is_run)  # there already: sent before the exit
    a = check_run(span, "gemini", "gemini-2.5-flash")
    assert a["comet.user"] == "ana@team.example" and a["gen_ai.request.stream"] is True
    assert a["gen_ai.response.id"] == out["response_id"] and a["comet.request_hash"] == out["request_hash"]
    assert "Name a river" not in span.text and CANARY_KEY not in span.text


def test_a_batch_is_one_parent_span_over_its_runs(receiver, emulator, tmp_path):
    receiver.clear()
    suite = {"name": "capitals",
             "request": {"route": "gemini", "model": "gemini-2.5-flash", "stream": False,
                         "body": {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}]}},
             "targets": [{"route": "gemini", "model": "gemini-2.5-flash"}, {"route": "openai", "model": "gemini-2.5-pro"}],
             "cases": [{"vars": {"country": "Portugal"}}, {"vars": {"country": "Peru"}}]}
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(suite), encoding="utf-8")
    r = comet("batch", str(path), "--format", "json", "--base-url", emulator.base_url, endpoint=receiver.endpoint,
              base_url=emulator.base_url, COMET_USER="bo@team.example")
    assert r.returncode == 0, r.stderr
    results = json.loads(r.stdout)["results"]
    children = receiver.wait_for(4, timeout=0.5, where=is_run)
    (parent,) = receiver.wait_for(1, timeout=0.5, where=lambda s: s.name == "comet batch")
    assert len(children) == 4 and parent.attributes["comet.cases"] == 2 and parent.attributes["comet.user"] == "bo@team.example"
    batch_id = parent.attributes["comet.batch.id"]
    for span in children:
        a = check_run(span, span.attributes["comet.route"], span.attributes["gen_ai.request.model"])
        assert span.parent_span_id == parent.span_id and span.trace_id == parent.trace_id
        assert a["comet.batch.id"] == batch_id and a["comet.user"] == "bo@team.example"
        assert a["comet.cost_usd"] > 0 and "Portugal" not in span.text and "Peru" not in span.text
    assert sorted(s.attributes["comet.cost_usd"] for s in children) == pytest.approx(
        sorted(x["cost_usd"] for x in results), rel=1e-3)


@pytest.mark.parametrize("collector", ["closed port", "silent"])
def test_a_dead_or_silent_collector_changes_nothing_but_a_bounded_wait(collector, emulator):
    with SilentCollector() as silent:
        started = time.monotonic()
        r = comet("send", "--prompt", "Name a river", endpoint=closed_port() if collector == "closed port"
                  else silent.endpoint, base_url=emulator.base_url)
        took = time.monotonic() - started
    assert r.returncode == 0, r.stderr
    assert printed(r)["text"] and "Traceback" not in r.stderr
    assert "warning: tracing: the spans did not reach the collector at http://127.0.0.1:" in r.stderr
    assert took < 30  # generous, not a timing test: the flush waits at most 1.5 s (docs/tracing.md)


BLOCKED = textwrap.dedent("""
    import sys

    class NoOpenTelemetry:
        def find_spec(self, name, path=None, target=None):
            if name == "opentelemetry" or name.startswith("opentelemetry."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    sys.meta_path.insert(0, NoOpenTelemetry())
    from comet.cli import main
    from comet.http import tracing

    code = main(["send", "--prompt", "Name a river"])
    assert not tracing.enabled() and "opentelemetry" not in sys.modules
    sys.exit(code)
""")


def test_without_opentelemetry_comet_still_imports_and_sends(receiver, emulator):
    receiver.clear()
    values = {**environ("sk-cli-test", emulator.base_url), "COMET_OTEL_ENDPOINT": receiver.endpoint}
    r = subprocess.run([sys.executable, "-c", BLOCKED], cwd=ROOT, env=values, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert printed(r)["text"] and "OpenTelemetry is not installed" in r.stderr and "[otel]" in r.stderr
    assert receiver.wait_for(1, timeout=0.5) == []


def test_a_submitted_batch_is_one_trace_whoever_works_it(receiver, emulator, tmp_path):
    """``--submit`` sends the batch's span and keeps its traceparent; a ``--work`` process (another
    machine, later) makes each run a child of it, naming the batch and who submitted it. A batch
    submitted with tracing off has no parent for its runs."""
    receiver.clear()
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps({"name": "queued", "request": {"route": "openai", "model": "gemini-2.5-flash",
                                                               "body": {"messages": [{"role": "user",
                                                                                      "content": PROMPT}]}},
                                 "cases": [{"vars": {"country": "Chad"}}, {"vars": {"country": "Mali"}}]}))
    url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    submitted = comet("batch", str(suite), "--submit", "--url", url, "--user", "cy@team.example",
                      endpoint=receiver.endpoint, base_url=emulator.base_url)
    assert submitted.returncode == 0, submitted.stderr
    batch_id = submitted.stdout.strip()
    (parent,) = receiver.wait_for(1, timeout=0.5, where=lambda s: s.name == "comet batch")
    assert parent.attributes["comet.batch.id"] == batch_id and parent.attributes["comet.cases"] == 2
    assert parent.attributes["comet.user"] == "cy@team.example" and receiver.wait_for(1, timeout=0.5, where=is_run) == []
    worker = comet("batch", "--work", "--exit-when-idle", "--url", url, "--base-url", emulator.base_url,
                   endpoint=receiver.endpoint, base_url=emulator.base_url)
    assert worker.returncode == 0, worker.stderr
    spans = receiver.wait_for(2, timeout=0.5, where=is_run)
    assert len(spans) == 2
    for span in spans:
        a = check_run(span, "openai", "gemini-2.5-flash")
        assert span.parent_span_id == parent.span_id and span.trace_id == parent.trace_id
        assert a["comet.batch.id"] == batch_id and a["comet.user"] == "cy@team.example" and a["comet.cost_usd"] > 0
        assert "Chad" not in span.text and "Mali" not in span.text

    receiver.clear()
    untraced = comet("batch", str(suite), "--submit", "--url", url, endpoint="", base_url=emulator.base_url)
    assert untraced.returncode == 0, untraced.stderr
    worker = comet("batch", "--work", "--exit-when-idle", "--url", url, "--base-url", emulator.base_url,
                   endpoint=receiver.endpoint, base_url=emulator.base_url)
    assert worker.returncode == 0, worker.stderr
    spans = receiver.wait_for(2, timeout=0.5, where=is_run)
    assert len(spans) == 2 and all(not s.parent_span_id for s in spans)
    assert {s.attributes["comet.batch.id"] for s in spans} == {untraced.stdout.strip()}


def test_an_endpoint_that_is_not_a_url_is_said_once_and_the_send_goes_on(emulator):
    r = comet("send", "--prompt", "Name a river", endpoint="collector:4318", base_url=emulator.base_url)
    assert r.returncode == 0 and printed(r)["text"], r.stderr
    assert r.stderr.count("tracing is off: COMET_OTEL_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT) must be an http(s) "
                          "URL such as http://localhost:4318") == 1, r.stderr
