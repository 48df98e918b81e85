"""comet.runs.timeline: the stream timeline as data, on hand-made runs (exact gaps, stalls, shares
and rates) and on real runs from the emulator on both routes; the chart spec built from it."""

from __future__ import annotations

import pytest

from comet import Call, Exchange, Reply, Route, Timing, Usage, simple_body
from comet.runs.timeline import CHARS_PER_TOKEN, timeline


def gemini_chunk(text: str) -> dict:
    return {"candidates": [{"index": 0, "content": {"role": "model", "parts": [{"text": text}]}}]}


def openai_chunk(text: str | None, finish: str | None = None) -> dict:
    delta = {} if text is None else {"content": text}
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def run(route: Route, chunks: list, times: tuple, *, ttfb=None, ttft=None, latency=None, tokens=None,
        attempts: int = 1, stream: bool = True) -> Exchange:
    call = Call(route, "gemini-2.5-flash", simple_body(route, "hi"), stream=stream)
    reply = Reply(text="", usage=Usage(output_tokens=tokens), raw=chunks)
    return Exchange(call=call, base_url="http://127.0.0.1:1", status=200, reply=reply, error=None,
                    timing=Timing(started_at=0.0, ttfb_ms=ttfb, ttft_ms=ttft, latency_ms=latency, chunk_ms=times),
                    attempts=attempts)


def test_gaps_stalls_token_shares_and_the_marks():
    ex = run(Route.GEMINI, [gemini_chunk("ab"), gemini_chunk("cdef"), gemini_chunk("gh"), gemini_chunk("")],
             (100.0, 150.0, 900.0, 950.0), ttfb=90.0, ttft=100.0, latency=960.0, tokens=16)
    line = timeline(ex, stall_ms=500)
    assert [c.gap_ms for c in line.chunks] == [10.0, 50.0, 750.0, 50.0]
    assert [c.stall for c in line.chunks] == [False, False, True, False]
    assert [c.index for c in line.stalls] == [2]
    assert [c.chars for c in line.chunks] == [2, 4, 2, 0]
    assert [c.tokens for c in line.chunks] == [4.0, 8.0, 4.0, 0.0]  # 16 tokens shared by characters
    assert [c.total_tokens for c in line.chunks] == [4.0, 12.0, 16.0, 16.0]
    assert (line.first_byte_ms, line.first_token_ms, line.end_ms) == (90.0, 100.0, 960.0)
    assert line.tokens == 16 and not line.estimated
    assert line.tokens_per_s == pytest.approx(16 / 0.86)
    assert line.marks() == [{"event": "first byte", "at_ms": 90.0}, {"event": "first token", "at_ms": 100.0},
                            {"event": "end", "at_ms": 960.0}]
    assert "4 chunks" in line.summary() and "1 stall over 500 ms" in line.summary()
    assert "18.6 tokens/s" in line.summary()


def test_rates_are_measured_over_the_recent_window():
    ex = run(Route.GEMINI, [gemini_chunk("aaaa")] * 5, (0.0, 100.0, 200.0, 1200.0, 1300.0), tokens=10,
             ttft=0.0, latency=1300.0)
    rates = [c.rate for c in timeline(ex, window_ms=250).chunks]
    # two tokens a chunk: 100 ms apart -> 20 tokens/s; after the one-second stall the window
    # reaches back to the chunk before it: 2 tokens in 1000 ms
    assert rates == [None, pytest.approx(20.0), pytest.approx(20.0), pytest.approx(2.0), pytest.approx(20.0)]


def test_the_first_gap_is_a_stall_only_after_a_first_byte():
    late = run(Route.GEMINI, [gemini_chunk("a")], (2000.0,), ttfb=100.0, ttft=2000.0, latency=2000.0, tokens=1)
    assert timeline(late).chunks[0].stall and timeline(late).chunks[0].gap_ms == 1900.0
    waited = run(Route.GEMINI, [gemini_chunk("a")], (2000.0,), ttft=2000.0, latency=2000.0, tokens=1)
    assert not timeline(waited).chunks[0].stall  # no first byte known: that was the wait, not a stall


def test_openai_chunks_without_usage_are_estimated_and_role_chunks_carry_nothing():
    chunks = [openai_chunk(""), openai_chunk("Hello"), openai_chunk(" world!!"), openai_chunk(None, "stop")]
    line = timeline(run(Route.OPENAI, chunks, (10.0, 20.0, 30.0, 31.0), ttft=20.0, latency=32.0))
    assert [c.chars for c in line.chunks] == [0, 5, 8, 0]
    assert line.estimated and line.tokens == 13 / CHARS_PER_TOKEN
    assert "≈" in line.summary()


def test_after_retries_the_end_is_the_last_chunk():
    ex = run(Route.GEMINI, [gemini_chunk("ab")] * 2, (40.0, 50.0), ttft=40.0, latency=3000.0, tokens=2, attempts=2)
    assert timeline(ex).end_ms == 50.0


def test_records_hold_one_row_per_chunk_and_per_mark():
    ex = run(Route.GEMINI, [gemini_chunk("ab"), gemini_chunk("cd")], (10.0, 700.0), ttfb=9.0, ttft=10.0,
             latency=701.0, tokens=4)
    rows = timeline(ex).records("gemini · flash")
    assert [(r["event"], r["at_ms"]) for r in rows] == [
        ("chunk", 10.0), ("stall", 700.0), ("first byte", 9.0), ("first token", 10.0), ("end", 701.0)]
    assert {r["target"] for r in rows} == {"gemini · flash"}
    assert rows[1]["from_ms"] == 10.0 and rows[1]["gap_ms"] == 690.0


@pytest.mark.parametrize("route", [Route.GEMINI, Route.OPENAI])
def test_a_real_stream_from_the_emulator(make_emulator, route):
    from comet.http.client import Client

    emu = make_emulator(ttft_ms=30, chunk_ms=15)
    with Client(emu.base_url, "k") as client:
        ex = client.send(Call(route, "gemini-2.5-flash", simple_body(route, "go [[chunks=8]]"), stream=True))
    line = timeline(ex)
    assert len(line.chunks) == len(ex.timing.chunk_ms) == len(ex.reply.raw)
    assert sum(c.chars for c in line.chunks) == len(ex.text)
    assert [c.at_ms for c in line.chunks] == sorted(c.at_ms for c in line.chunks)
    assert all(c.gap_ms >= 0 for c in line.chunks)
    assert [c.stall for c in line.chunks] == [c.gap_ms > 500 for c in line.chunks]  # (first byte known)
    assert line.first_token_ms >= 30 and line.end_ms >= line.chunks[-1].at_ms
    assert line.tokens_per_s > 0


def test_the_charts_put_every_run_on_one_time_axis():
    from ui.timeline import charts

    a = run(Route.GEMINI, [gemini_chunk("ab")] * 3, (10.0, 20.0, 800.0), ttfb=9.0, ttft=10.0, latency=801.0, tokens=3)
    b = run(Route.OPENAI, [openai_chunk("ab")] * 2, (15.0, 30.0), ttfb=14.0, ttft=15.0, latency=31.0)
    lanes, rate = (c.to_dict() for c in charts([("A", timeline(a)), ("B", timeline(b))]))
    rows = lanes["data"]["values"]
    assert rows == rate["data"]["values"]
    assert {r["target"] for r in rows} == {"A", "B"}
    assert [r["at_ms"] for r in rows if r["event"] == "stall"] == [800.0]
    assert [layer["mark"]["type"] for layer in lanes["layer"]] == ["bar", "tick", "point"]
    assert lanes["layer"][1]["encoding"]["y"]["field"] == "target"  # one lane per run
    assert rate["encoding"]["y"]["field"] == "rate"
    domains = [lanes["layer"][1]["encoding"]["x"]["scale"]["domain"], rate["encoding"]["x"]["scale"]["domain"]]
    assert domains == [[0, 801.0], [0, 801.0]]  # one time axis: from the start to the last end


@pytest.mark.parametrize("model", ["fault-drop-stream", "fault-bad-sse", "fault-rate-limit-once", "fault-server-error"])
def test_runs_that_failed_or_were_retried_still_give_a_consistent_timeline(make_emulator, model):
    from comet.http.client import Client

    emu = make_emulator(ttft_ms=5, chunk_ms=2)
    with Client(emu.base_url, "k") as client:
        ex = client.send(Call(Route.GEMINI, model, simple_body(Route.GEMINI, "go [[chunks=8]]"), stream=True))
    line = timeline(ex)
    assert len(line.chunks) == len(ex.timing.chunk_ms)
    assert sum(c.chars for c in line.chunks) == len(ex.text)  # what arrived, nothing invented
    if model == "fault-rate-limit-once":
        assert ex.attempts == 2 and line.end_ms == ex.timing.chunk_ms[-1]
    if model == "fault-server-error":
        assert line.chunks == () and line.tokens_per_s is None
