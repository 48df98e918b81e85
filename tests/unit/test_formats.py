"""One vocabulary and one format (#29): a target has one name on the pages, in exports and in the
CLI, and milliseconds, dollars and counts read the same wherever a person sees them."""

from __future__ import annotations

from comet import Call, Exchange, Reply, Route, Timing, Usage, simple_body
from comet.core import formats
from comet.runs.compare import Target, plan
from comet.runs.stats import by_target


def test_numbers_read_one_way():
    assert (formats.ms(12_345.4), formats.ms(None), formats.ms(float("nan"))) == ("12,345 ms", "–", "–")
    assert (formats.usd(0.0000212), formats.usd(0.5), formats.usd(0)) == ("$0.000021", "$0.5", "$0")
    assert (formats.count(1200), formats.delta_count(-3), formats.delta_ms(0.2)) == ("1,200", "−3", "±0 ms")
    assert formats.delta_usd(0.00001) == "+$0.00001" and "e-" not in formats.usd(2.12e-05)


def test_a_target_has_one_name_everywhere():
    from comet.runs.batch import target_name

    name = "OpenAI-compatible · gemini-2.5-flash"
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "hi"))
    (planned,) = plan(call, [Target("openai", "gemini-2.5-flash")])
    assert formats.target("openai", "gemini-2.5-flash") == Target("openai", "gemini-2.5-flash").label == name
    assert target_name(planned) == name  # the CLI's table, JSON, CSV and JUnit
    assert formats.target_parts(name) == ("openai", "gemini-2.5-flash")
    sample = {"route": "openai", "model": "gemini-2.5-flash", "ttft_ms": 1.0, "latency_ms": 2.0, "cost": None}
    assert by_target([sample])[0]["target"] == name  # History's chart


def test_a_reply_metric_reads_as_the_compare_table_does():
    from ui.run.finished import metrics

    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "hi"))
    ex = Exchange(call, "http://127.0.0.1", 200, Reply(text="x", usage=Usage(3, 1200, None, 1203)), None,
                  Timing(started_at=0.0, ttft_ms=40.2, latency_ms=12_345.4))
    shown = dict(metrics(ex, 0.0000212))
    assert (shown["Latency"], shown["TTFT"], shown["Cost"], shown["Output tokens"]) == (
        "12,345 ms", "40 ms", "$0.000021", "1,200")
