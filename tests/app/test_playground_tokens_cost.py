"""The Playground as a new user meets it (issue 14), where AppTest can see it: the Stream switch
asks a Chat Completions stream for its usage, and a run that ended early shows its output count
as unknown (with a labelled estimate) and its cost as partial."""

from __future__ import annotations

from app_support import body, no_exception, open_code, set_json, texts
from test_app import last_run, send, shown_metrics

INCLUDE = {"include_usage": True}


def test_stream_on_the_openai_route_asks_for_usage_and_the_metrics_show_tokens(app):
    app.radio(key="pg_route").set_value("openai").run()
    assert app.toggle(key="pg_stream").value is True
    assert body(no_exception(app))["stream_options"] == INCLUDE  # in the JSON tab (and so the snippets)
    assert "include_usage" in texts(open_code(app), "code")
    send(app, "Count me [[chunks=4]]")
    exchange, _ = last_run(app)
    assert exchange.call.body["stream_options"] == INCLUDE
    metrics = shown_metrics(app)
    assert metrics["Input tokens"] not in ("–", "unknown") and metrics["Cost"].startswith("$")
    app.toggle(key="pg_stream").set_value(False).run()
    assert "stream_options" not in body(app)  # Chat Completions takes it only with stream: true
    app.toggle(key="pg_stream").set_value(True).run()
    assert body(app)["stream_options"] == INCLUDE


def test_removing_the_option_says_why_tokens_are_missing(app):
    app.radio(key="pg_route").set_value("openai").run()
    edited = body(app)
    del edited["stream_options"]
    set_json(app, edited)
    assert "stream_options" not in body(no_exception(app))  # removable: it stays removed
    send(app, "No usage please")
    metrics = shown_metrics(app)
    assert metrics["Input tokens"] == "–" and metrics["Cost"] == "–"
    assert 'reports usage only when the request sets "stream_options": {"include_usage": true}' \
        in texts(app, "caption")


def test_a_cut_stream_shows_output_unknown_an_estimate_and_a_partial_cost(fast_app):
    send(fast_app, "A long answer [[chunks=60]]", model="fault-drop-stream")
    exchange, _ = last_run(fast_app)
    assert exchange.partial and exchange.text
    metrics = shown_metrics(fast_app)
    estimate = -(-len(exchange.text) // 4)
    assert metrics["Output tokens"] == f"unknown (~{estimate:,} est.)"
    assert metrics["Cost"] == "–"  # fault models have no price in the catalog
    assert "was cut short before the service counted the output tokens" in texts(fast_app, "caption")
    # priced like the model it answers as, the known part of the cost is marked partial
    from comet.http.models import ModelInfo, Pricing
    from comet.runs.tally import tally
    from ui.run.finished import metrics as metrics_of

    known = tally(exchange, ModelInfo("fault-drop-stream", pricing=Pricing(0.24, 2.0))).cost
    shown = dict(metrics_of(exchange, known))
    assert known > 0 and shown["Cost"].startswith("≥ $") and shown["Cost"].endswith(" (partial)")
    assert abs(float(shown["Cost"][3:-len(" (partial)")]) - known) < 5e-7  # dollars to the millionth
