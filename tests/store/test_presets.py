"""Presets: saved in the store (save, list, load, rename, delete, a key never kept), the export
file round trip and its errors, and every built-in example accepted by the rules and answered by
the emulator."""

from __future__ import annotations

import json

import pytest

from comet import Attachment, Call, Client, simple_body
from comet.body.rules import problems as rule_problems
from comet.store import open_store
from comet.store.presets import BUILTINS, Preset, PresetError, dumps, loads

PNG = Attachment("dot.png", "image/png", b"\x89PNG\r\n\x1a\nnot-really")


@pytest.fixture
def store(history_url):  # SQLite and PostgreSQL (tests/conftest.py)
    s = open_store(history_url)
    yield s
    s.close()


def haiku(name="haiku", note="") -> Preset:
    body = simple_body("gemini", "a haiku about tea")
    body["contents"][0]["parts"].append({"inlineData": {"mimeType": "image/png", "data": PNG.token}})
    return Preset.of(name, Call("gemini", "gemini-2.5-pro", body, stream=True, attachments=(PNG,)), note)


def test_save_load_rename_delete(store, history_url):
    assert store.presets() == []
    assert store.save_preset(haiku(note="worked on Tuesday")) is False
    assert store.save_preset(Preset.of("Zebra", Call("openai", "gemini-2.5-flash", {"messages": []}))) is False
    again = open_store(history_url)  # another session on the same store sees them
    assert [p.name for p in again.presets()] == ["haiku", "Zebra"]
    loaded = again.preset("haiku")
    assert loaded.call() == haiku().call() and loaded.note == "worked on Tuesday"
    assert loaded.call().attachments[0].data == PNG.data
    assert store.save_preset(haiku(note="replaced")) is True and store.preset("haiku").note == "replaced"
    assert store.rename_preset("haiku", "  tea   haiku ") is True
    assert store.preset("haiku") is None and store.preset("tea haiku").call() == haiku().call()
    with pytest.raises(PresetError, match="exists already"):
        store.rename_preset("tea haiku", "Zebra")
    assert store.rename_preset("nope", "other") is False
    assert store.delete_preset("tea haiku") is True and store.delete_preset("tea haiku") is False
    assert [p.name for p in store.presets()] == ["Zebra"]


def test_a_key_typed_into_a_body_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("COMETAPI_KEY", "sk-preset-canary-123456")
    s = open_store(tmp_path / "k.sqlite3")
    s.save_preset(Preset.of("leaky", Call("gemini", "m", simple_body("gemini", "my key is sk-preset-canary-123456"))))
    assert "sk-preset-canary-123456" not in json.dumps(s.preset("leaky").body)
    assert b"sk-preset-canary-123456" not in (tmp_path / "k.sqlite3").read_bytes()


def test_the_export_file_round_trips(store):
    presets = [haiku(note="n"), Preset.of("plain", Call("openai", "gemini-2.5-flash", {"messages": []}))]
    text = dumps(presets)
    assert json.loads(text)["format"] == "comet-presets"
    back = loads(text)
    assert [(p.name, p.note, p.call()) for p in back] == [(p.name, p.note, p.call()) for p in presets]
    assert loads(json.dumps([presets[1].to_dict()]))[0].call() == presets[1].call()  # a bare list is fine


@pytest.mark.parametrize("text, message", [
    ("not json", "not JSON"),
    ('{"format": "other", "presets": []}', "format"),
    ('{"presets": {}}', "holds no presets"),
    ('[{"name": "", "route": "gemini", "model": "m", "body": {}}]', "name is empty"),
    ('[{"name": "a", "route": "bard", "model": "m", "body": {}}]', '"route"'),
    ('[{"name": "a", "route": "gemini", "model": "m", "body": []}]', '"body"'),
    ('[{"name": "a", "route": "gemini", "model": "", "body": {}}]', '"model"'),
    ('[{"name": "a", "route": "gemini", "model": "m", "body": {}, "attachments": [{"name": "x"}]}]', "attachment 1"),
    ('[{"name": "a", "route": "gemini", "model": "m", "body": {}}, {"name": "a", "route": "gemini", '
     '"model": "m", "body": {}}]', "more than once"),
])
def test_a_bad_export_file_says_what_is_wrong(text, message):
    with pytest.raises(PresetError, match=message):
        loads(text)


def test_the_builtin_examples_are_valid_and_answered(emulator):
    names = [p.name for p in BUILTINS]
    assert names == ["Example: Structured output", "Example: Function calling", "Example: Thinking budget",
                     "Example: Grounded answer", "Example: Image input", "Example: Image generation"]
    with Client(base_url=emulator.base_url, api_key="test-key") as client:
        for preset in BUILTINS:
            call = preset.call()
            assert rule_problems(call) == [], preset.name
            exchange = client.send(call)
            assert exchange.ok, (preset.name, exchange.error)
            if "Function" in preset.name:
                assert exchange.reply.function_calls[0].name == "get_weather"
            if "Grounded" in preset.name:
                assert exchange.reply.grounding
            if "Thinking" in preset.name:
                assert exchange.thoughts and exchange.reply.usage.thinking_tokens
            if "generation" in preset.name:
                assert preset.model == "gemini-3.1-flash-image-preview" and len(exchange.reply.images) == 1
            if "Structured" in preset.name:
                assert "rivers" in json.loads(exchange.text)
