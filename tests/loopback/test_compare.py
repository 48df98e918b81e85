"""comet.runs.compare: planning, the word diff and the summary (pure), then real runs on the emulator."""

from __future__ import annotations

import time

import pytest

from comet import Call, Route, simple_body
from comet.core.errors import ErrorInfo
from comet.core.exchange import Exchange, Reply, Timing, Usage
from comet.runs.compare import (DEFAULT_TARGETS, MAX_TARGETS, Comparison, DiffOp, Summary, Target, diff_html,
                                diff_ratio, plan, summarize, word_diff)

GEMINI_CALL = Call(Route.GEMINI, "gemini-2.5-flash",
                   {**simple_body("gemini", "Name three rivers", system="Be brief"),
                    "generationConfig": {"temperature": 0.3, "maxOutputTokens": 200}}, stream=True)


# ---- pure --------------------------------------------------------------------------------------

@pytest.mark.parametrize("a,b", [
    ("the quick brown fox", "the quick red fox jumps"),
    ("", "all new"),
    ("all gone", ""),
    ("Same text.\n\nTwo paragraphs!", "Same text.\n\nTwo paragraphs!"),
    ("tabs\tand  spaces, punctuation; kept", "tabs and spaces - punctuation: kept"),
])
def test_word_diff_spells_both_sides(a, b):
    ops = word_diff(a, b)
    assert "".join(o.text for o in ops if o.op != "insert") == a
    assert "".join(o.text for o in ops if o.op != "delete") == b
    assert all(o1.op != o2.op for o1, o2 in zip(ops, ops[1:]))  # runs are merged


def test_word_diff_works_on_words_not_characters():
    ops = word_diff("the cat sat", "the car sat")
    assert DiffOp("delete", "cat") in ops and DiffOp("insert", "car") in ops
    assert diff_ratio("a b c", "a b c") == 1.0 and diff_ratio("", "") == 1.0
    assert 0 < diff_ratio("a b c d", "a b x d") < 1


def test_diff_html_escapes_model_output():
    out = diff_html(word_diff("hello world", "hello <script>alert(1)</script>"))
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<del" in out and "<ins" in out


def _exchange(ok=True, ttft=None, latency=None, out_tokens=None, stopped=False):
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "hi"))
    reply = Reply(text="x", usage=Usage(output_tokens=out_tokens)) if ok or stopped else None
    error = None if ok or stopped else ErrorInfo(kind="server", message="boom", status=500)
    return Exchange(call=call, base_url="http://127.0.0.1", status=200 if ok else 500, reply=reply,
                    error=error, timing=Timing(started_at=0.0, ttft_ms=ttft, latency_ms=latency),
                    stopped=stopped)


def test_summary_names_the_winners_among_runs_that_succeeded():
    runs = [_exchange(ttft=50, latency=400, out_tokens=30),
            _exchange(ok=False, ttft=1, latency=2),  # failed: no prize
            _exchange(ttft=80, latency=300, out_tokens=12),
            _exchange(stopped=True, ttft=5, latency=6, out_tokens=1)]  # stopped: no prize
    s = summarize(runs, [0.002, None, 0.001, 0.0])
    assert (s.fastest_first_token.index, s.fastest_total.index) == (0, 2)
    assert (s.fewest_output_tokens.index, s.fewest_output_tokens.value) == (2, 12)
    assert s.cheapest.index == 2
    line = s.line(["A", "B", "C", "D"])
    assert line.startswith("Fastest first token: A (50 ms)")
    assert "fastest total: C (300 ms)" in line and "fewest output tokens: C (12 tokens)" in line
    assert "cheapest: C ($0.001)" in line


def test_summary_without_data_says_so_and_ties_go_to_the_first():
    assert summarize([None, _exchange(ok=False)]) == Summary()
    assert "cheapest: n/a" in Summary().line([])
    s = summarize([_exchange(ttft=10, latency=10), _exchange(ttft=10, latency=10)])
    assert s.fastest_first_token.index == 0 and s.cheapest is None


def test_plan_keeps_the_source_route_as_written_and_converts_the_other():
    same, other = plan(GEMINI_CALL, [Target("gemini", "gemini-2.5-pro"), Target("openai", "gemini-2.5-flash")])
    assert same.call.body == GEMINI_CALL.body and same.call.model == "gemini-2.5-pro" and same.report == ()
    assert other.call.route is Route.OPENAI and other.call.stream
    assert other.call.body["model"] == "gemini-2.5-flash" and other.call.body["stream"] is True
    messages = other.call.body["messages"]
    assert messages[0] == {"role": "system", "content": "Be brief"}
    assert messages[-1]["role"] == "user" and "Name three rivers" in str(messages[-1]["content"])
    assert other.report and {r.status for r in other.report} <= {"mapped", "approximated", "dropped"}
    # a streamed OpenAI target asks for usage, so its tokens and cost can be compared
    assert other.call.body["stream_options"] == {"include_usage": True}
    assert any(r.target == "$.stream_options.include_usage" for r in other.report)
    unstreamed = plan(GEMINI_CALL.replace(stream=False), [Target("openai", "gemini-2.5-flash")])[0]
    assert "stream_options" not in unstreamed.call.body


def test_plan_limits_the_number_of_targets():
    assert len(DEFAULT_TARGETS) == 2 and DEFAULT_TARGETS[0].route != DEFAULT_TARGETS[1].route
    with pytest.raises(ValueError):
        plan(GEMINI_CALL, [])
    with pytest.raises(ValueError):
        plan(GEMINI_CALL, [Target("gemini", f"m{i}") for i in range(MAX_TARGETS + 1)])
    assert Target("openai", "x").label == "OpenAI-compatible · x"


class _BuggyClient:
    """A client whose stream raises a non-Comet exception. No socket produces a bug in our
    own code, so this one case uses a stand-in: it proves a bug in one column stays there."""

    base_url = "http://127.0.0.1:9"

    def stream(self, call, cancel=None):
        if call.model == "explode":
            raise KeyError("bug")
        yield _exchange(ttft=1, latency=2, out_tokens=1)


def test_a_bug_in_one_target_is_shown_in_its_column_only():
    planned = plan(GEMINI_CALL, [Target("gemini", "explode"), Target("gemini", "fine")])
    cmp = Comparison(planned, _BuggyClient(), cancel=_Token())
    bad, good = cmp.run()
    assert bad.error.kind == "internal" and "KeyError" in bad.error.message
    assert good.ok


class _Token:
    def cancel(self):
        pass

    @property
    def cancelled(self):
        return False


# ---- real runs on the emulator -----------------------------------------------------------------

@pytest.fixture
def history(tmp_path):
    from comet.store.history import History

    return History(tmp_path / "cmp.sqlite3")


def test_two_routes_stream_and_are_saved_as_one_group(client, history):
    cmp = Comparison(plan(GEMINI_CALL, DEFAULT_TARGETS), client, history=history)
    updates_seen = 0
    cmp.start()
    while not cmp.finished:
        updates_seen += sum(1 for u in cmp.drain(0.05).values() if u.text)
    gem, oai = cmp.exchanges
    assert gem.ok and oai.ok, (gem.error, oai.error)
    assert gem.text and oai.text and updates_seen >= 1
    assert [lane.text for lane in cmp.lanes] == [gem.text, oai.text]
    assert gem.call.route is Route.GEMINI and oai.call.route is Route.OPENAI
    ids = [lane.history_id for lane in cmp.lanes]
    assert all(ids) and cmp.save_errors == []
    rows = history.query(group_id=cmp.group_id)
    assert sorted(r["id"] for r in rows) == sorted(ids)
    assert cmp.wall_ms is not None and "Fastest first token" in cmp.summary().line(["a", "b"])


def test_a_failing_target_does_not_stop_the_others(client, history):
    targets = [Target("gemini", "fault-server-error"), Target("openai", "gemini-2.5-flash"),
               Target("openai", "fault-html"), Target("gemini", "fault-drop-stream")]
    cmp = Comparison(plan(GEMINI_CALL, targets), client, history=history)
    failed, ok, html_page, dropped = cmp.run()
    assert ok.ok and ok.text
    assert failed.error.kind == "server" and failed.attempts > 1
    assert html_page.error.kind == "protocol"
    assert dropped.error.kind == "network" and dropped.partial and dropped.text
    assert history.count(group_id=cmp.group_id) == 4
    assert history.count(group_id=cmp.group_id, status="error") == 3
    assert cmp.summary().fastest_total.index == 1


def test_a_body_that_fails_its_checks_is_an_error_in_its_column(client):
    bad = GEMINI_CALL.replace(body={**GEMINI_CALL.body, "generationConfig": {"temperature": "hot"}})
    cmp = Comparison(plan(bad, [Target("gemini", "gemini-2.5-flash")]), client)
    (ex,) = cmp.run()
    assert ex.error.kind == "bad_input" and "temperature" in ex.error.message and ex.attempts == 0


def test_targets_run_concurrently(make_emulator):
    from comet.http.client import Client

    emu = make_emulator(ttft_ms=300, chunk_ms=1)
    call = GEMINI_CALL.replace(body=simple_body("gemini", "hi [[chunks=3]]"))
    with Client(emu.base_url, "k") as c:
        t0 = time.perf_counter()
        runs = Comparison(plan(call, [Target("gemini", "gemini-2.5-flash")] * 2
                               + [Target("openai", "gemini-2.5-flash")] * 2), c).run()
        wall = time.perf_counter() - t0
    assert all(r.ok for r in runs)
    slowest = max(r.timing.latency_ms for r in runs) / 1000
    assert wall < slowest + 0.25 < 4 * 0.3  # not the sum of four runs


def test_stop_ends_every_target_and_keeps_partial_text(make_emulator):
    from comet.http.client import Client

    emu = make_emulator(ttft_ms=5, chunk_ms=40)
    call = GEMINI_CALL.replace(body=simple_body("gemini", "long story [[chunks=200]]"))
    with Client(emu.base_url, "k") as c:
        cmp = Comparison(plan(call, DEFAULT_TARGETS), c).start()
        while not all(lane.text for lane in cmp.lanes):
            cmp.drain(0.05)
        cmp.stop()
        t0 = time.perf_counter()
        while not cmp.finished:
            cmp.drain(0.05)
    assert time.perf_counter() - t0 < 2
    assert all(ex.stopped and ex.text for ex in cmp.exchanges)


def test_drain_returns_within_its_interval(make_emulator):
    from comet.http.client import Client

    emu = make_emulator(ttft_ms=400, chunk_ms=1)
    with Client(emu.base_url, "k") as c:
        cmp = Comparison(plan(GEMINI_CALL, DEFAULT_TARGETS), c).start()
        t0 = time.perf_counter()
        assert cmp.drain(0.05) == {}
        assert time.perf_counter() - t0 < 0.3
        cmp.stop()
        while not cmp.finished:
            cmp.drain(0.05)


def test_two_page_runs_draining_at_once_keep_every_lane_whole_and_in_order(make_emulator):
    """Stop reruns the page while the run it replaces may still be draining: both runs drain the
    same comparison at once. Each lane's text must still be the whole reply, in order."""
    import sys
    import threading

    from comet.http.client import Client

    emu = make_emulator(ttft_ms=1, chunk_ms=0)
    switch = sys.getswitchinterval()
    call = GEMINI_CALL.replace(body=simple_body("gemini", "race [[chunks=400]]"))
    with Client(emu.base_url, "k") as c:
        cmp = Comparison(plan(call, [Target("gemini", "gemini-2.5-flash")] * 3), c).start()
        time.sleep(1.5)  # every event is queued: the two runs race for each one

        def drain_until_finished():
            while not cmp.finished:
                cmp.drain(0.001)

        racers = [threading.Thread(target=drain_until_finished) for _ in range(2)]
        sys.setswitchinterval(1e-6)  # switch threads often, between taking an event and applying it
        try:
            for t in racers:
                t.start()
            for t in racers:
                t.join(30)
        finally:
            sys.setswitchinterval(switch)
    assert all(ex.ok for ex in cmp.exchanges)
    assert [lane.text for lane in cmp.lanes] == [ex.text for ex in cmp.exchanges]
