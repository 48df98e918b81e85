"""The spending limit's sums on both backends: a person's runs in the rolling 24 hours, at the
cost the app showed, unknown prices at the catalog's highest Gemini price; when the oldest spend
leaves the window; a limit that is not an amount is refused, never ignored."""

from __future__ import annotations

import dataclasses

import pytest

from comet import Call, ConfigError, Route, simple_body
from comet.core.exchange import Timing, Usage
from comet.http.models import ModelInfo, Pricing
from comet.store import open_store
from comet.store.budget import CEILING, WINDOW_S, read_limit, spend, top_price, usage

NOW = 1_800_000_000.0


@pytest.fixture
def store(history_url):
    with open_store(history_url) as s:
        yield s


@pytest.fixture
def exchange(emulator):
    from comet.http.client import Client

    with Client(emulator.base_url, "test-key") as c:
        return c.send(Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "spend")))


def _at(ex, when, tokens=(1000, 2000)):
    usage = Usage(input_tokens=tokens[0], output_tokens=tokens[1], thinking_tokens=0, total_tokens=sum(tokens))
    return dataclasses.replace(ex, timing=dataclasses.replace(ex.timing, started_at=when),
                               reply=dataclasses.replace(ex.reply, usage=usage))


def test_spend_sums_a_persons_runs_in_the_window_and_says_when_the_oldest_leaves(store, exchange):
    store.record(_at(exchange, NOW - WINDOW_S - 5), cost=100.0, created_by="ana@team.example")  # outside
    store.record(_at(exchange, NOW - 3600), cost=0.25, created_by="ana@team.example")
    store.record(_at(exchange, NOW - 60), cost=0.5, created_by="ana@team.example")
    store.record(_at(exchange, NOW - 60), cost=9.0, created_by="bo@team.example")
    store.record(_at(exchange, NOW - 7200), cost=0.0, created_by="ana@team.example")  # free: not the oldest spend
    used = spend(store, "ana@team.example", 0.75, now=NOW)
    assert used.spent == pytest.approx(0.75) and used.over
    assert used.resets_at == pytest.approx(NOW - 3600 + WINDOW_S)
    text = used.message()
    assert "$0.7500" in text and "$0.75" in text and "COMET_USER_BUDGET_USD" in text and "in 23 h 0 min" in text
    assert not spend(store, "ana@team.example", 1.0, now=NOW).over
    assert spend(store, "cy@team.example", 1.0, now=NOW).spent == 0 and spend(store, "cy@team.example", 1.0,
                                                                            now=NOW).resets_at is None


def test_an_unknown_price_counts_at_the_highest_gemini_price(store, exchange):
    store.record(_at(exchange, NOW - 10, tokens=(1_000_000, 500_000)), cost=None, created_by="ana@team.example")
    catalog = [ModelInfo("gemini-2.5-flash", pricing=Pricing(0.3, 2.5)), ModelInfo("gemini-2.5-pro", pricing=Pricing(1.25, 10)),
               ModelInfo("gpt-9", pricing=Pricing(100, 100))]  # not Gemini: not the ceiling
    top = top_price(catalog)
    assert top == Pricing(1.25, 10)
    assert spend(store, "ana@team.example", 1, top=top, now=NOW).spent == pytest.approx(1.25 + 5.0)
    assert top_price([ModelInfo("gemini-x")]) == CEILING
    (row,) = usage(store, "ana@team.example", top=top, now=NOW)
    assert row["usd"] == pytest.approx(6.25) and row["unpriced"] == 1 and row["model"] == "gemini-2.5-flash"


def test_the_limit_is_an_amount_or_a_clear_error():
    assert read_limit({}.get) is None
    assert read_limit({"COMET_USER_BUDGET_USD": " $2.50 "}.get) == 2.5
    for bad in ("five", "-1", "nan", "inf"):
        with pytest.raises(ConfigError, match="COMET_USER_BUDGET_USD") as err:
            read_limit({"COMET_USER_BUDGET_USD": bad}.get)
        assert "unset it for no limit" in err.value.fix
