"""Compare as a new user reads it (issue 14, item 6): ties are named as ties, and six targets are
laid out in rows that leave each reply room to be read."""

from __future__ import annotations

from comet import Call, ErrorInfo, Exchange, Reply, Route, Timing, Usage, simple_body
from comet.runs.compare import summarize
from ui.compare_view import grid


def run(ttft: float, latency: float, out_tokens: int) -> Exchange:
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "hi"))
    return Exchange(call=call, base_url="http://127.0.0.1", status=200,
                    reply=Reply(text="x", usage=Usage(input_tokens=3, output_tokens=out_tokens)), error=None,
                    timing=Timing(started_at=0.0, ttft_ms=ttft, latency_ms=latency))


def test_a_tie_is_reported_as_a_tie():
    runs = [run(40.2, 300, 12), run(40.4, 310, 12), run(55, 290, 20)]
    s = summarize(runs, [0.0000241, 0.0000241, 0.0000410])
    line = s.line(["A", "B", "C"])
    assert "Fastest first token: A and B tie (40 ms)" in line  # the same, as shown
    assert "fastest total: C (290 ms)" in line
    assert "fewest output tokens: A and B tie (12 tokens)" in line
    assert "cheapest: A and B tie ($0.000024)" in line
    assert s.fewest_output_tokens.index == 0 and s.fewest_output_tokens.tied == (0, 1)


def test_three_or_more_tied_are_counted():
    s = summarize([run(10, 100, 5), run(10, 200, 5), run(10.2, 300, 5)], [0.001, 0.001, 0.001])
    line = s.line(["A", "B", "C"])
    assert "Fastest first token: 3 targets tie (10 ms)" in line and "cheapest: 3 targets tie ($0.001)" in line


def test_no_tie_names_one_winner():
    s = summarize([run(10, 100, 5), run(20, 200, 6)], [0.001, 0.002])
    assert s.fastest_first_token.tied == (0,)
    assert "Fastest first token: A (10 ms)" in s.line(["A", "B"]) and " tie " not in s.line(["A", "B"])


def test_six_targets_are_two_rows_of_three():
    assert [grid(n) for n in range(1, 7)] == [[1], [2], [3], [2, 2], [3, 2], [3, 3]]


def test_a_failed_run_takes_no_part_in_a_tie():
    failed = Exchange(call=run(1, 1, 1).call, base_url="", status=500, reply=None,
                      error=ErrorInfo("server", "boom", status=500), timing=Timing(started_at=0.0, ttft_ms=10))
    s = summarize([run(10, 100, 5), failed])
    assert s.fastest_first_token.tied == (0,)


def test_the_metrics_table_has_a_column_per_target_marks_the_best_and_the_difference_to_the_baseline():
    from ui.compare_table import rows, table_html

    runs = [run(40.2, 300, 12), run(90.0, 250, 20), run(55, 400, 9)]
    found = rows(runs, [0.0000241, 0.00004, None], baseline=1)
    by_name = {r.name: r.cells for r in found}
    assert list(by_name) == ["Time to first token", "Latency", "Input tokens", "Output tokens", "Cost"]
    ttft = by_name["Time to first token"]
    assert [c.text for c in ttft] == ["40 ms", "90 ms", "55 ms"] and [c.best for c in ttft] == [True, False, False]
    assert [c.delta for c in ttft] == ["−50 ms", "", "−35 ms"]  # the baseline column has none
    assert [c.best for c in by_name["Latency"]] == [False, True, False]
    assert [c.text for c in by_name["Cost"]] == ["$0.000024", "$0.00004", "–"]
    assert by_name["Cost"][0].delta == "−$0.000016" and by_name["Cost"][2].delta == ""
    html = table_html(["A", "B", "C"], found, baseline=1)
    assert html.count("<th") == 4 and "B (baseline)" in html and "None" not in html and "nan" not in html
    assert html.count('class="best"') == 4  # one a row; input tokens are all 3, so none there


def test_the_summary_is_short_lines_one_a_prize():
    s = summarize([run(10, 100, 5), run(20, 200, 6)], [0.001, 0.002])
    assert s.lines(["A", "B"]) == ["Fastest first token: A (10 ms)", "Fastest total: A (100 ms)",
                                   "Fewest output tokens: A (5 tokens)", "Cheapest: A ($0.001)"]
