"""AppTest: the stream timeline under a Playground reply, in History's run view (the same data
read back from the store) and in Compare (every target on one time axis). The chart's rows are
read from the Vega-Lite element the page sends to the browser."""

from __future__ import annotations

import pyarrow as pa
from app_support import no_exception, start
from streamlit.testing.v1 import AppTest


def timeline_of(at: AppTest, label: str = "Timeline", opener: str | None = None) -> tuple[str, list[dict]]:
    """The timeline expander's summary caption and the rows of its chart; ``opener``: the key
    of a timeline drawn only while open (a run's own), opened first as a click would."""
    if opener is not None:
        at.session_state[opener] = True
        at = no_exception(at.run())
    [box] = [e for e in at.expander if e.label == label]
    kids = list(box.children.values())
    caption = "\n".join(str(k.value) for k in kids if getattr(k, "type", "") == "caption")
    lanes, rate = [pa.ipc.open_stream(k.proto.data.data).read_all().to_pylist()
                   for k in kids if getattr(k, "type", "") == "vega_lite_chart"]
    assert lanes == rate  # the two charts draw the same rows
    return caption, lanes


def send(at: AppTest, prompt: str) -> AppTest:
    at.text_area(key="pg_f_prompt").set_value(prompt).run()
    return no_exception(at.button(key="pg_send").click().run())


def chunk_times(rows: list[dict], target: str | None = None) -> list[float]:
    return [r["at_ms"] for r in rows if r["event"] in ("chunk", "stall") and target in (None, r["target"])]


def test_playground_reply_has_a_timeline_and_history_reopens_the_same_one(app):
    at = send(app, "Timeline please [[chunks=7]]")
    exchange, _ = at.session_state["runs_results"]["pg_result"].value
    assert not [e for e in at.expander if e.label == "Timeline"][0].children  # closed: no chart drawn
    caption, rows = timeline_of(at, opener="pg_reply_timeline_open")
    assert caption.startswith("7 chunks · first byte") and "tokens/s" in caption
    assert chunk_times(rows) == [round(t, 1) for t in exchange.timing.chunk_ms]
    marks = {r["event"]: r["at_ms"] for r in rows if r["event"] in ("first byte", "first token", "end")}
    assert marks == {"first byte": round(exchange.timing.ttfb_ms, 1), "first token": round(exchange.timing.ttft_ms, 1),
                     "end": round(exchange.timing.latency_ms, 1)}
    assert all(r["tokens"] > 0 for r in rows if r["event"] == "chunk")

    from comet.store.history import History, default_path

    [run] = History(default_path()).query()
    at = no_exception(at.switch_page("pages/history.py").run())
    at = no_exception(at.selectbox(key="hist_run").set_value(run["id"]).run())
    reopened_caption, reopened_rows = timeline_of(at, opener="hist_reply_timeline_open")
    assert reopened_caption == caption and reopened_rows == rows


def test_a_plain_reply_has_no_timeline(app):
    app.toggle(key="pg_stream").set_value(False).run()
    at = send(app, "no stream")
    assert "Timeline" not in [e.label for e in at.expander]


def test_compare_draws_every_target_on_one_time_axis(app):
    at = no_exception(app.switch_page("pages/compare.py").run())
    at.text_area(key="cmp_prompt").set_value("Race [[chunks=5]]").run()
    at = no_exception(at.button(key="cmp_run").click().run())
    lanes = at.session_state["cmp_comparison"].lanes
    caption, rows = timeline_of(at, "Timeline of the streams")
    labels = [lane.planned.target.label for lane in lanes]
    assert {r["target"] for r in rows} == set(labels) and len(labels) == 2
    for label, lane in zip(labels, lanes):
        assert chunk_times(rows, label) == [round(t, 1) for t in lane.exchange.timing.chunk_ms]
        assert f"**{label}**: " in caption


def test_gaps_over_the_threshold_are_marked_as_stalls(make_emulator, monkeypatch):
    slow = make_emulator(ttft_ms=5, chunk_ms=560)  # two gaps of 560 ms: at least one is a stall
    monkeypatch.setenv("COMETAPI_BASE_URL", slow.base_url)
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    at = send(no_exception(start()), "Slowly [[chunks=3]]")
    caption, rows = timeline_of(at, opener="pg_reply_timeline_open")
    chunks = [r for r in rows if r["event"] in ("chunk", "stall")]
    # arrival times are the client's: on a busy machine one gap can shrink as the one before grows,
    # so each row is checked against its own gap
    assert len(chunks) == 3 and chunks[0]["event"] == "chunk"
    assert [r["event"] for r in chunks[1:]] == ["stall" if r["gap_ms"] > 500 else "chunk" for r in chunks[1:]]
    stalls = sum(r["event"] == "stall" for r in chunks)
    assert stalls >= 1 and "3 chunks" in caption and f"{stalls} stall{'s' if stalls > 1 else ''} over 500 ms" in caption
    higher = int(max(r["gap_ms"] for r in chunks)) + 100
    at = no_exception(at.number_input(key="pg_reply_timeline_stall").set_value(higher).run())
    caption, rows = timeline_of(at)  # a higher threshold: the same gaps are no longer stalls
    assert [r["event"] for r in rows if r["event"] in ("chunk", "stall")] == ["chunk"] * 3
    assert f"0 stalls over {higher:,} ms" in caption
