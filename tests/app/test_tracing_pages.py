"""Tracing from the app (docs/tracing.md), on the real stack (app.py, client, emulator) and a
loopback OTLP receiver: a Playground send is one run span naming the person and the cost the page
shows; a four-target comparison on the Compare page is one parent span over four runs. Neither
carries the prompt (content capture is off) nor the key."""

from __future__ import annotations

import pytest
from app_support import APP, TIMEOUT, no_exception
from keys import CANARY_KEY
from otlp_receiver import Receiver, check_run, is_run, tracing_to
from streamlit.testing.v1 import AppTest
from test_app import last_run, send

from comet.core.identity import os_login
from comet.http import tracing


@pytest.fixture(scope="module")
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def traced_app_env(receiver, emulator, monkeypatch):
    """The app on the session emulator with the canary key, tracing to the receiver."""
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    monkeypatch.setenv("COMETAPI_KEY", CANARY_KEY)
    with tracing_to(receiver, monkeypatch):
        yield receiver


def test_a_playground_send_is_one_run_span_with_the_person_and_the_cost(traced_app_env):
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    send(at, "Name a river of Portugal")
    exchange, cost = last_run(at)
    assert exchange.ok and cost > 0
    assert tracing.flush()
    (span,) = traced_app_env.wait_for(1, where=is_run)
    a = check_run(span, exchange.call.route.value, exchange.call.model)
    assert a["comet.user"] == os_login() and a["comet.cost_usd"] == pytest.approx(cost)
    assert a["gen_ai.response.id"] == exchange.reply.response_id
    assert "Name a river of Portugal" not in span.text and CANARY_KEY not in span.text


def test_a_four_target_comparison_is_one_parent_over_four_run_spans(traced_app_env):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at = no_exception(at.switch_page("pages/compare.py").run())
    at.number_input(key="cmp_n").set_value(4).run()
    at.text_area(key="cmp_prompt").set_value("Name a colour").run()
    at = no_exception(at.button(key="cmp_run").click().run())
    comparison = at.session_state["cmp_comparison"]
    assert len(comparison.lanes) == 4 and all(lane.exchange.ok for lane in comparison.lanes)
    assert tracing.flush()
    children = traced_app_env.wait_for(4, where=is_run)
    (parent,) = traced_app_env.wait_for(1, where=lambda s: s.name == "comet comparison")
    assert len(children) == 4 and parent.attributes["comet.comparison.id"] == comparison.group_id
    for span in children:
        a = check_run(span, span.attributes["comet.route"], span.attributes["gen_ai.request.model"])
        assert span.parent_span_id == parent.span_id and a["comet.comparison.id"] == comparison.group_id
        assert a["comet.user"] == os_login() and "Name a colour" not in span.text and CANARY_KEY not in span.text
    assert sorted(s.attributes.get("comet.cost_usd") or 0 for s in children) == pytest.approx(
        sorted(lane.cost or 0 for lane in comparison.lanes))
