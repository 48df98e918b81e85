"""AppTest flows of the Compare and History pages on the real stack (app.py, client, emulator,
history database), and the canary key kept out of every export, share link and history row.
The app reaches the test emulator through the environment only (COMETAPI_BASE_URL, COMETAPI_KEY)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from app_support import APP, TIMEOUT, no_exception, texts
from streamlit.testing.v1 import AppTest

from comet import Call, Route, simple_body


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    return no_exception(at.switch_page(page).run())


def history():
    from comet.store.history import History, default_path

    return History(default_path())


def compare(at: AppTest, prompt: str | None = None, models: dict[int, str] | None = None) -> AppTest:
    if prompt is not None:
        at.text_area(key="cmp_prompt").set_value(prompt).run()
    for i, model in (models or {}).items():
        at.selectbox(key=f"cmp_model_{i}").set_value(model).run()
    return no_exception(at.button(key="cmp_run").click().run())


# ---- Compare -----------------------------------------------------------------------------------

def test_two_target_comparison_shows_both_replies_metrics_summary_and_a_grouped_pair(on_emulator):
    at = compare(open_page("pages/compare.py"), "Name two colours")
    cmp = at.session_state["cmp_comparison"]
    assert cmp.finished and all(lane.exchange.ok for lane in cmp.lanes)
    shown = texts(at.main, "markdown")
    assert "**Gemini native · gemini-2.5-flash**" in shown
    assert "**OpenAI-compatible · gemini-2.5-flash**" in shown
    for lane in cmp.lanes:
        assert lane.text and lane.text in shown
    assert shown.count("Finish: **stop**") == 2 and shown.count("Attempts: **1**") == 2
    table = "".join(str(h.proto.body) for h in at.get("html") if "cmp-metrics" in h.proto.body)
    for label in ("Time to first token", "Latency", "Input tokens", "Output tokens", "Cost"):
        assert f"<td>{label}</td>" in table  # one row each, a column per target
    assert "<td>–</td>" not in table  # both routes report usage (OpenAI: include_usage)
    summary = texts(at, "info")
    assert "Fastest first token: " in summary and "Fastest total: " in summary
    assert "Fewest output tokens: " in summary and "Cheapest: " in summary
    # each target's body is one click away, with the translation table for the converted one
    assert [e.label for e in at.expander].count("Request sent and how it was translated") == 2
    report = at.dataframe[0].value
    assert {"field", "status", "became", "how / why"} <= set(report.columns)
    assert set(report["status"]) <= {"mapped", "approximated", "dropped"}
    assert "Word diff of two replies" in [e.label for e in at.expander]
    assert "of words alike" in texts(at, "caption")

    rows = history().query()
    assert len(rows) == 2 and len({r["group_id"] for r in rows}) == 1 and rows[0]["group_id"]
    assert {r["label"] for r in rows} == {lane.planned.target.label for lane in cmp.lanes}
    assert {r["route"] for r in rows} == {"gemini", "openai"}

    at = no_exception(at.switch_page("pages/history.py").run())
    table = at.dataframe[0].value
    assert len(table) == 2 and list(table["group"]) == [f"comparison {rows[0]['group_id']}"] * 2
    assert set(table["label"]) == {r["label"] for r in rows}


def test_thinking_is_set_once_and_reaches_each_route_in_its_own_shape(on_emulator):
    from comet.body.convert import convert

    at = open_page("pages/compare.py")
    at.number_input(key="cmp_thinking_budget").set_value(1024).run()
    assert json.loads(at.text_area(key="cmp_json").value)["generationConfig"] == {
        "thinkingConfig": {"thinkingBudget": 1024}}
    before = len(on_emulator.received)
    at = compare(at, "Think, then name a colour")
    sent = {r.path: r.json for r in on_emulator.received[before:] if r.method == "POST"}
    [gemini] = [b for path, b in sent.items() if path.startswith("/v1beta/")]
    [openai] = [b for path, b in sent.items() if path == "/v1/chat/completions"]
    assert gemini["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 1024}
    effort = convert(gemini, Route.OPENAI, model="gemini-2.5-flash").body["reasoning_effort"]
    assert openai["reasoning_effort"] == effort == "low"  # Google's table: 1,024 tokens = low
    assert all(lane.exchange.ok for lane in at.session_state["cmp_comparison"].lanes)


def test_reasoning_effort_on_an_openai_shaped_request(on_emulator):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.radio(key="pg_route").set_value("openai").run()
    at = no_exception(at.switch_page("pages/compare.py").run())
    at = no_exception(at.button(key="cmp_from_playground").click().run())
    assert at.selectbox(key="cmp_reasoning_effort").value is None
    at.selectbox(key="cmp_reasoning_effort").set_value("high").run()
    assert json.loads(at.text_area(key="cmp_json").value)["reasoning_effort"] == "high"
    gemini, openai = compare(at).session_state["cmp_comparison"].lanes
    assert openai.planned.call.body["reasoning_effort"] == "high"
    assert "thinkingConfig" in gemini.planned.call.body["generationConfig"]  # converted, as the table shows
    assert gemini.exchange.ok and openai.exchange.ok


def test_a_fault_model_target_fails_alone(on_emulator):
    at = compare(open_page("pages/compare.py"), "Still here?", models={0: "fault-html"})
    bad, good = at.session_state["cmp_comparison"].lanes
    assert bad.exchange.error.kind == "protocol" and good.exchange.ok and good.text
    assert "protocol" in texts(at, "error")
    assert good.text in texts(at.main, "markdown")
    assert "1 of 2 targets did not finish" in texts(at, "info")
    assert sorted(r["status"] for r in history().query()) == ["error", "ok"]
    # the page stays usable: the next comparison runs
    at = compare(at, models={0: "gemini-2.5-flash"})
    assert all(lane.exchange.ok for lane in at.session_state["cmp_comparison"].lanes)


def test_up_to_six_targets_and_the_request_survives_a_page_move(on_emulator):
    at = open_page("pages/compare.py")
    at.text_input(key="cmp_system").set_value("Answer in one word").run()
    # a typed model ID (AppTest cannot type a new option, so it goes in before the row appears)
    at.session_state["cmp_model_5"] = "my-typed-model-id"
    at.number_input(key="cmp_n").set_value(6).run()
    assert len([s for s in at.selectbox if (s.key or "").startswith("cmp_model_")]) == 6
    at.selectbox(key="cmp_route_5").set_value("openai").run()
    at = no_exception(at.switch_page("pages/playground.py").run())
    at = no_exception(at.switch_page("pages/compare.py").run())
    assert at.text_input(key="cmp_system").value == "Answer in one word"
    assert at.selectbox(key="cmp_model_5").value == "my-typed-model-id"
    body = json.loads(at.text_area(key="cmp_json").value)
    assert body["systemInstruction"] == {"parts": [{"text": "Answer in one word"}]}
    at = compare(at)
    lanes = at.session_state["cmp_comparison"].lanes
    assert len(lanes) == 6 and lanes[5].exchange.error.kind == "not_found"
    assert all(lane.exchange.ok for lane in lanes[:5])


def test_the_playground_request_can_be_compared(on_emulator):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.radio(key="pg_route").set_value("openai").run()
    at.text_area(key="pg_f_prompt").set_value("from the playground").run()
    at = no_exception(at.switch_page("pages/compare.py").run())
    at = no_exception(at.button(key="cmp_from_playground").click().run())
    assert at.text_area(key="cmp_prompt").value == "from the playground"
    assert "OpenAI-compatible shape" in " ".join(e.label for e in at.expander)
    at = compare(at)
    gemini, openai = at.session_state["cmp_comparison"].lanes
    assert gemini.planned.report and not [r for r in openai.planned.report if r.status != "mapped"]
    assert gemini.planned.call.body["contents"][-1]["parts"][0]["text"] == "from the playground"


def test_the_json_body_carries_turns_and_other_fields(on_emulator):
    at = open_page("pages/compare.py")
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]},
                         {"role": "model", "parts": [{"text": "hello"}]},
                         {"role": "user", "parts": [{"text": "and the turns?"}]}],
            "generationConfig": {"temperature": 0.4, "topK": 5}}
    at.text_area(key="cmp_json").set_value(json.dumps(body)).run()
    assert at.text_area(key="cmp_prompt").value == "and the turns?"
    assert at.number_input(key="cmp_temperature").value == 0.4
    at.text_area(key="cmp_json").set_value("{ not json").run()
    assert "line 1" in texts(at, "error") and at.text_area(key="cmp_json").value == "{ not json"
    at.text_area(key="cmp_json").set_value(json.dumps(body)).run()
    at = compare(at)
    gemini, openai = at.session_state["cmp_comparison"].lanes
    assert gemini.planned.call.body["generationConfig"]["topK"] == 5
    assert [m["role"] for m in openai.planned.call.body["messages"]] == ["user", "assistant", "user"]
    dropped = [r for r in openai.planned.report if r.status == "dropped"]
    assert any("topK" in r.field for r in dropped) and all(r.note for r in dropped)


# ---- History -----------------------------------------------------------------------------------

def caption_total(at: AppTest) -> str:
    return next(c.value for c in at.caption if "runs match" in c.value)


def test_filter_and_search(seeded):
    at = open_page("pages/history.py")
    assert caption_total(at).startswith("4 runs match") and len(at.dataframe[0].value) == 4
    at.text_input(key="hist_search").set_value("bananas").run()
    assert caption_total(at).startswith("2 runs match")
    assert set(at.dataframe[0].value["model"]) == {"gemini-2.5-pro"}
    at.multiselect(key="hist_route").set_value(["openai"]).run()
    table = at.dataframe[0].value
    assert len(table) == 1 and table["route"].iloc[0] == "openai"
    at.text_input(key="hist_search").set_value("").run()
    at.multiselect(key="hist_route").set_value([]).run()
    at.multiselect(key="hist_model").set_value(["gemini-2.5-flash"]).run()
    assert caption_total(at).startswith("2 runs match")
    at.multiselect(key="hist_status").set_value(["error"]).run()
    assert caption_total(at).startswith("0 runs match") and "No runs match" in texts(at, "info")
    at.multiselect(key="hist_status").set_value([]).run()
    at.multiselect(key="hist_model").set_value([]).run()
    today = date.today()
    at.date_input(key="hist_dates").set_value((today - timedelta(days=1), today + timedelta(days=1))).run()
    assert caption_total(at).startswith("4 runs match")
    at.date_input(key="hist_dates").set_value((today - timedelta(days=9), today - timedelta(days=8))).run()
    assert caption_total(at).startswith("0 runs match")
    assert "Latency and time to first token" not in [e.label for e in at.expander]


def test_paging_is_bounded(on_emulator, monkeypatch):
    from ui import history_table as history_view

    monkeypatch.setattr(history_view, "PAGE_SIZE", 2)
    from comet.http.client import Client

    h = history()
    with Client(on_emulator.base_url, "k") as client:
        for i in range(5):
            h.save(client.send(Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", f"run {i}"))))
    at = open_page("pages/history.py")
    assert len(at.dataframe[0].value) == 2 and caption_total(at).startswith("5 runs match; showing 1–2")
    at.number_input(key="hist_page").set_value(3).run()
    assert len(at.dataframe[0].value) == 1 and "showing 5–5" in caption_total(at)
    # the chart covers every matching run, not just the page on screen; at most CHART_RUNS
    assert "Latency and time to first token by route and model (5 matching runs)" in \
        [e.label for e in at.expander]
    monkeypatch.setattr(history_view, "CHART_RUNS", 3)
    assert "Latency and time to first token by route and model (the newest 3 matching runs)" in \
        [e.label for e in at.run().expander]


def select(at: AppTest, run_id: int) -> AppTest:
    return no_exception(at.selectbox(key="hist_run").set_value(run_id).run())


def test_a_selected_run_shows_request_response_and_code(seeded):
    h, ids = seeded
    at = select(open_page("pages/history.py"), ids[1])
    assert {"Reply", "Request", "Response", "Code", "Share"} <= {t.label for t in at.tabs}
    row = h.get(ids[1])
    assert row["reply"] in texts(at.main, "markdown")
    code = texts(at, "code")
    assert "POST " in code and "/v1/chat/completions" in code and '"alpha apples cider"' in code
    assert "curl" in code and "COMETAPI_KEY" in code  # the snippets
    assert at.json  # the raw response (chunks with arrival times)


def test_reopen_in_the_playground_fills_the_editor_exactly(seeded):
    h, _ = seeded
    body = {"contents": [{"role": "user", "parts": [{"text": "reopen me"}]}],
            "generationConfig": {"temperature": 0.25, "topK": 7},
            "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
            "x_unknown_field": {"kept": True}}
    from comet.core.exchange import Exchange, Timing

    call = Call(Route.GEMINI, "gemini-2.5-pro", body, stream=True)
    run_id = h.save(Exchange(call, "http://127.0.0.1:1", None, None, None, Timing(started_at=1.0)))
    at = select(open_page("pages/history.py"), run_id)
    at = no_exception(at.button(key="hist_open").click().run())
    assert at.text_area(key="pg_json").value and json.loads(at.text_area(key="pg_json").value) == body
    assert at.session_state["pg_model"] == "gemini-2.5-pro" and at.session_state["pg_route"] == "gemini"
    assert at.session_state["pg_stream"] is True
    assert at.query_params["draft"]  # a reload finds the same draft


def test_rerun_and_delete(seeded):
    h, ids = seeded
    at = select(open_page("pages/history.py"), ids[0])
    at = no_exception(at.button(key="hist_rerun").click().run())
    assert h.count() == 5
    newest = h.query(limit=1)[0]
    assert newest["prompt_preview"] == "alpha apples orchard" and newest["status"] == "ok"
    assert newest["reply_preview"][:80] in texts(at.main, "markdown")
    at = no_exception(at.button(key="hist_delete").click().run())
    assert h.get(ids[0]) is None and h.count() == 4
    assert "Run #" not in " ".join(s.value for s in at.subheader)


def test_export_holds_the_filtered_rows(seeded):
    from ui.history_table import export_data

    h, _ = seeded
    at = open_page("pages/history.py")
    at.text_input(key="hist_search").set_value("apples").run()
    assert {b.label for b in at.get("download_button")} >= {"Export CSV", "Export JSON"}
    found = at.session_state["hist_filters"]
    rows = json.loads(export_data(h, found, "json"))
    assert len(rows) == 2 and all("apples" in r["prompt"] for r in rows)
    csv_text = export_data(h, found, "csv")
    assert csv_text.count("\n") == 3 and "alpha apples cider" in csv_text


def test_a_share_link_and_a_request_file_reopen_the_request(seeded):
    from comet.tools import share

    h, ids = seeded
    at = select(open_page("pages/history.py"), ids[2])
    link = next(c.value for c in at.code if "share=" in c.value)
    assert urlsplit(link).path == "/history"
    token = parse_qs(urlsplit(link).query)["share"][0]
    original = h.call(ids[2])
    assert share.decode(token).body == original.body
    assert h.get(ids[2])["reply"] not in link  # the request only, not the reply

    # someone else opens the link: a new session lands on /history?share=... and goes on to the
    # Playground with the request in the editor
    fresh = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    fresh.query_params["share"] = token
    fresh = no_exception(fresh.switch_page("pages/history.py").run())
    assert json.loads(fresh.text_area(key="pg_json").value) == original.body
    assert "share" not in fresh.query_params
    assert fresh.session_state["pg_model"] == "gemini-2.5-pro"

    at = open_page("pages/history.py")
    at.file_uploader(key="hist_upload").set_value(("request.json", share.to_file(original), "application/json")).run()
    at = no_exception(at.button(key="hist_upload_open").click().run())
    assert json.loads(at.text_area(key="pg_json").value) == original.body


def test_no_export_share_link_history_row_or_page_holds_the_key(emulator, canary_key, monkeypatch):
    from comet.store.history import default_path
    from comet.tools import share
    from ui.history_table import export_data

    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    at = compare(open_page("pages/compare.py"), "keep the key secret", models={0: "fault-html"})
    at = no_exception(at.switch_page("pages/history.py").run())
    h = history()
    ids = [r["id"] for r in h.query()]
    assert len(ids) == 2
    at = select(at, ids[0])
    found = at.session_state["hist_filters"]
    leaks = {
        "csv": export_data(h, found, "csv"), "json": export_data(h, found, "json"),
        "rows": json.dumps([h.get(i) for i in ids], default=str),
        "links": " ".join(share.encode(h.call(i)) for i in ids),
        "files": b"".join(share.to_file(h.call(i)) for i in ids).decode("utf-8", "replace"),
        "page": " ".join(str(e.value) for kind in ("markdown", "code", "caption", "error", "info",
                                                    "json", "text") for e in getattr(at, kind)),
    }
    db = Path(default_path())
    for f in (p for p in db.parent.iterdir() if p.is_file()):  # history, WAL, drafts
        leaks[f.name] = f.read_bytes().decode("latin-1")
    assert [name for name, text in leaks.items() if canary_key in text] == []


def test_the_request_json_error_shows_through_the_replys_error_view(on_emulator):
    """The Compare page's Request JSON box says its error like every other CometError: the
    reply's sentence and the fix on its own line (not the exception's bare text)."""
    from comet import RequestError, parse_json
    from comet.body.hints import error_sentence

    with pytest.raises(RequestError) as raised:
        parse_json("{ not json", Route.GEMINI)
    info = raised.value.info()
    at = open_page("pages/compare.py")
    at.text_area(key="cmp_json").set_value("{ not json").run()
    assert error_sentence(info.kind, info.status, info.message, info.request_id) in texts(at, "error")
    assert f"**Fix:** {info.fix}" in texts(at, "markdown")
    assert at.text_area(key="cmp_json").value == "{ not json"
