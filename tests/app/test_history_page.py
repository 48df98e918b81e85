"""History as a new user reads it (issue 14, item 7): the previews first, a dash for an empty
cell, the page number clear of the table's toolbar, p50 and p95 per route and model with cost per
model, exports in 0.1 ms, and a rerun that says which run it was recorded as."""

from __future__ import annotations

import csv
import io

from app_support import no_exception, texts
from test_compare_history_pages import caption_total, open_page, select

from comet.runs.stats import by_target, cost_by_model, percentile


def test_percentiles_are_nearest_rank():
    values = list(range(1, 21))  # 1..20 ms
    assert percentile(values, 50) == 10 and percentile(values, 95) == 19 and percentile([], 50) is None
    samples = [{"route": "gemini", "model": "m", "ttft_ms": float(v), "latency_ms": v * 10.0, "cost": 0.001}
               for v in values] + [{"route": "openai", "model": "m", "ttft_ms": None, "latency_ms": 5.0, "cost": None}]
    rows = by_target(samples)
    assert rows[0] == {"target": "Gemini native · m", "route": "gemini", "model": "m", "runs": 20,
                       "TTFT p50": 10.0, "TTFT p95": 19.0, "Latency p50": 100.0, "Latency p95": 190.0}
    assert rows[1]["target"] == "OpenAI-compatible · m" and rows[1]["TTFT p50"] is None
    (cost,) = cost_by_model(samples)
    assert cost["runs"] == 20 and abs(cost["total"] - 0.02) < 1e-12 and abs(cost["mean"] - 0.001) < 1e-12


def test_the_table_opens_on_the_previews_with_dashes_for_empty_cells(seeded):
    at = open_page("pages/history.py")
    table = at.dataframe[0]
    assert list(table.value.columns[:4]) == ["id", "time", "prompt_preview", "reply_preview"]
    assert table.proto.placeholder == "–"
    # the page number comes after the table (the toolbar sits over the table's top right)
    order = [type(e).__name__ for e in at.main if type(e).__name__ in ("Dataframe", "NumberInput")]
    assert order.index("Dataframe") < order.index("NumberInput")


def test_one_run_reads_as_one(seeded):
    at = open_page("pages/history.py")
    at.text_input(key="hist_search").set_value("orchard").run()
    assert "1 run matches; showing 1–1, newest first." in texts(at, "caption")
    at.text_input(key="hist_search").set_value("nothing-like-this").run()
    assert caption_total(at) == "0 runs match."


def test_the_chart_has_percentiles_and_cost_per_model(seeded):
    at = open_page("pages/history.py")
    (chart,) = [e for e in at.expander if e.label.startswith("Latency and time to first token")]
    stats = [d.value for d in at.dataframe if "TTFT p95" in d.value.columns]
    assert stats and len(stats[0]) == 4 and set(stats[0]["target"]) == {
        "Gemini native · gemini-2.5-flash", "OpenAI-compatible · gemini-2.5-flash",
        "Gemini native · gemini-2.5-pro", "OpenAI-compatible · gemini-2.5-pro"}
    assert "p95: all but the slowest one in twenty" in texts(at, "caption")


def test_exports_round_milliseconds_to_a_tenth(seeded):
    from ui.history_table import export_data

    h, _ = seeded
    rows = list(csv.DictReader(io.StringIO(export_data(h, {}, "csv"))))
    for row in rows:
        for ms in ("ttft_ms", "latency_ms"):
            if row[ms]:
                assert len(row[ms].partition(".")[2]) <= 1, row[ms]


def test_a_rerun_says_which_run_it_became_and_goes_there(seeded):
    h, ids = seeded
    at = select(open_page("pages/history.py"), ids[0])
    at = no_exception(at.button(key="hist_rerun").click().run())
    newest = h.query(limit=1)[0]["id"]
    assert f"Recorded as run #{newest}" in texts(at, "success")
    at = no_exception(at.button(key="hist_goto_rerun").click().run())
    assert f"Run #{newest}" in [s.value for s in at.subheader]
