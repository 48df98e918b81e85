"""The emulator's switch that takes ``:countTokens`` away (a service that does not offer it): the
404 it answers, the ``comet_emulator`` fixture's ``offer_count_tokens`` and its reset, and
``comet.runs.tokens`` reading it as "not offered" rather than a broken request."""

from __future__ import annotations

import httpx2
import pytest

from comet import Call, Route
from comet.core.errors import AuthError
from comet.http.client import Client
from comet.pytest_plugin import CometEmulator
from comet.runs import tokens

URL = "/v1beta/models/gemini-2.5-flash:countTokens"
BODY = {"contents": [{"parts": [{"text": "one two three"}]}]}


def _status(emulator) -> int:
    return httpx2.post(emulator.base_url + URL, json=BODY, headers={"x-goog-api-key": "k"}).status_code


def test_the_fixture_switch_and_its_reset(emulator):
    handle = CometEmulator(emulator)
    assert _status(emulator) == 200
    handle.offer_count_tokens(False)
    try:
        assert _status(emulator) == 404
        with Client(emulator.base_url, "k") as client:
            assert tokens.probe(client, "gemini-2.5-flash") is False
            counted = tokens.count(client, Call(Route.GEMINI, "gemini-2.5-flash", BODY))
        assert (counted.tokens, counted.estimated, counted.why) == (4, True, tokens.NOT_OFFERED)
        ok = httpx2.post(f"{emulator.base_url}/v1beta/models/gemini-2.5-flash:generateContent", json=BODY,
                         headers={"x-goog-api-key": "k"})
        assert ok.status_code == 200  # only the optional endpoint is gone
    finally:
        handle.reset()
    assert _status(emulator) == 200
    with Client(emulator.base_url, "k") as client:
        assert tokens.count(client, Call(Route.GEMINI, "gemini-2.5-flash", BODY)) == tokens.TokenCount(3)
        assert tokens.probe(client, "gemini-2.5-flash") is True


def test_a_refused_key_is_raised_not_estimated(emulator):
    with Client(emulator.base_url, "refused-key") as client, pytest.raises(AuthError):
        tokens.count(client, Call(Route.GEMINI, "gemini-2.5-flash", BODY))
    with Client(emulator.base_url, "refused-key") as client:
        assert tokens.probe(client, "gemini-2.5-flash") is None
