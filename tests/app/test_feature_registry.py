"""The feature registry is the truth: a feature module added to it has its rule checked by the
client, the command line and the Playground's editor, and its Gemini-only fields named by the
route switch, with no other file touched."""

from __future__ import annotations

import importlib
import json
import textwrap

import pytest
from app_support import set_json, start_on, texts

from comet import Call, Client, RequestError, Route
from comet.body import features
from comet.body.convert import convert
from comet.cli import main

# A throwaway feature: refuses a temperature of exactly 0.123 and owns a made-up Gemini field.
MODULE = '''
"""A throwaway feature for the registry test."""
from comet.core.errors import Problem

KEYS = frozenset({"generationConfig"})
GEMINI_ONLY = {"throwawaySetting": "the throwaway setting has no Chat Completions form"}


def read(route, body):
    return body.get("generationConfig", {}).get("temperature")


def set(route, body, value):
    return {**body, "generationConfig": {**body.get("generationConfig", {}), "temperature": value}}


def problems(route, model, body):
    if (body.get("generationConfig") or {}).get("temperature") == 0.123:
        return [Problem(route.value, "$.generationConfig.temperature", "0.123 is the throwaway feature's cursed value",
                        "pick any other temperature")]
    return []
'''
MESSAGE = "0.123 is the throwaway feature's cursed value"
CURSED = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "generationConfig": {"temperature": 0.123}}


@pytest.fixture
def throwaway(tmp_path, monkeypatch):
    (tmp_path / "throwaway_feature.py").write_text(textwrap.dedent(MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("throwaway_feature")
    features.register(module)
    yield module
    features.unregister(module)
    monkeypatch.delitem(__import__("sys").modules, "throwaway_feature")


def test_the_client_refuses_what_a_registered_feature_refuses(throwaway, emulator):
    emulator.clear()
    call = Call(Route.GEMINI, "gemini-2.5-flash", CURSED)
    with Client(base_url=emulator.base_url, api_key="test-key") as client:
        with pytest.raises(RequestError) as caught:
            client.send(call)
        assert MESSAGE in str(caught.value)
        assert emulator.received == []  # nothing went on the wire
        fine = {**CURSED, "generationConfig": {"temperature": 0.5}}
        assert client.send(Call(Route.GEMINI, "gemini-2.5-flash", fine)).ok


def test_the_rule_is_gone_with_the_feature(emulator):
    call = Call(Route.GEMINI, "gemini-2.5-flash", CURSED)
    with Client(base_url=emulator.base_url, api_key="test-key") as client:
        assert client.send(call).ok


def test_the_cli_refuses_it_with_exit_2(throwaway, emulator, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    emulator.clear()
    body = tmp_path / "body.json"
    body.write_text(json.dumps(CURSED))
    code = main(["send", "--route", "gemini", "--model", "gemini-2.5-flash", "--body", str(body),
                 "--base-url", emulator.base_url])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert MESSAGE in err and "pick any other temperature" in err
    assert emulator.received == []


def test_the_editor_shows_it_and_holds_send(throwaway, emulator, monkeypatch):
    app = start_on(emulator, monkeypatch)
    set_json(app, CURSED)
    assert MESSAGE in texts(app, "warning")
    assert app.button(key="pg_send").disabled
    set_json(app, {**CURSED, "generationConfig": {"temperature": 0.5}})
    assert MESSAGE not in texts(app, "warning")
    assert not app.button(key="pg_send").disabled


def test_the_route_switch_names_its_gemini_only_field(throwaway):
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "throwawaySetting": {"on": True}}
    report = {r.field: r for r in convert(body, Route.OPENAI).report}
    assert report["$.throwawaySetting"].status == "dropped"
    assert report["$.throwawaySetting"].note == "the throwaway setting has no Chat Completions form"


def test_every_feature_in_the_package_is_registered():
    """A module in comet/body/features/ that has problems() but is not in the registry would
    never be checked: the registry lists them all."""
    import pkgutil

    modules = [importlib.import_module(f"comet.body.features.{m.name}") for m in pkgutil.iter_modules(features.__path__)]
    with_rules = {m.__name__ for m in modules if callable(getattr(m, "problems", None))}
    assert with_rules == {m.__name__ for m in features.FEATURES}
