"""The prompt library on SQLite and PostgreSQL: versions that are never overwritten, labels that move
with their history, references, runs that record their version, concurrent saves, the export file,
and today's presets migrated to version 1 with nothing lost."""

from __future__ import annotations

import json
import sqlite3

import pytest

from comet import Attachment, Call, simple_body
from comet.core.call import Origin
from comet.core.exchange import Exchange, Timing
from comet.core.identity import Identity
from comet.store import open_store, postgres, sqlite
from comet.store.owners import Owned
from comet.store.presets import Preset
from comet.store.prompts import Entry, PromptError, Version, dumps, loads, parse_ref
from comet.store.prompts_sql import postgres_migration, sqlite_migration
from comet.store.records import preset_row

PNG = Attachment("dot.png", "image/png", b"\x89PNG\r\n\x1a\nnot-really")


def ask(text: str, model: str = "gemini-2.5-flash", **kw) -> Call:
    return Call("gemini", model, simple_body("gemini", text), **kw)


@pytest.fixture
def store(history_url):  # SQLite and PostgreSQL (tests/conftest.py)
    s = open_store(history_url)
    yield s
    s.close()


def test_saving_twice_keeps_both_versions(store, history_url):
    body = simple_body("gemini", "Capital of {{country}}?")
    body["contents"][0]["parts"].append({"inlineData": {"mimeType": "image/png", "data": PNG.token}})
    first = store.save_prompt("capitals", Call("gemini", "gemini-2.5-pro", body, stream=True, attachments=(PNG,)),
                              message="first try", variables={"country": "Portugal"}, by="ana@team.example")
    second = store.save_prompt("capitals", ask("Name the capital of {{country}}, one word."), message="terser")
    assert (first.version, second.version) == (1, 2)
    again = open_store(history_url)  # another session on the same store
    try:
        kept = again.prompt_versions("capitals")
        assert [(v.version, v.message) for v in kept] == [(1, "first try"), (2, "terser")]
        assert kept[0].call() == first.call() and kept[0].attachments[0].data == PNG.data
        assert kept[0].variables == {"country": "Portugal"} and kept[0].created_by == "ana@team.example"
        assert kept[0].stream is True and kept[1].model == "gemini-2.5-flash"
        assert kept[0].request()["attachments"] == [{"name": "dot.png", "mime_type": "image/png", "sha256": PNG.sha256}]
        assert [(p.name, p.latest) for p in again.prompts()] == [("capitals", 2)]
        assert again.resolve_prompt("capitals").version == 2  # the bare name: the newest
    finally:
        again.close()


def test_a_label_moves_and_its_history_shows_the_move(store):
    for text in ("v1", "v2", "v3"):
        store.save_prompt("capitals", ask(text))
    mine = Owned(store, Identity("ana@team.example"))
    assert mine.label_prompt("capitals", 1, "production").from_version is None
    moved = Owned(store, Identity("bo@team.example")).label_prompt("capitals", 3, "production")
    assert (moved.from_version, moved.to_version, moved.moved_by) == (1, 3, "bo@team.example")
    store.label_prompt("capitals", 2, "staging")
    assert store.prompt_labels("capitals") == {"production": 3, "staging": 2}
    history = store.label_moves("capitals", "production")
    assert [(m.from_version, m.to_version, m.moved_by) for m in history] == [
        (None, 1, "ana@team.example"), (1, 3, "bo@team.example")]
    shown = store.resolve_prompt("capitals:production")
    assert shown.version == 3 and shown.body == ask("v3").body
    assert shown.call().origin == Origin("capitals", 3)
    assert store.resolve_prompt("capitals@1").body == ask("v1").body
    assert store.resolve_prompt("capitals:latest").version == 3


@pytest.mark.parametrize("ref, says", [
    ("nothing", "no prompt named 'nothing'"), ("capitals@9", "no version 9; it has versions 1 to 1"),
    ("capitals:gold", "has no label 'gold'"), ("capitals@0", "versions start at 1")])
def test_unknown_prompts_versions_and_labels_are_named(store, ref, says):
    store.save_prompt("capitals", ask("v1"))
    with pytest.raises(PromptError, match=says):
        store.resolve_prompt(ref)


@pytest.mark.parametrize("label, says", [("two words", "a space"), ("tab\there", r"'\\t'"), ("a:b", "':'"),
                                         ("latest", "cannot be moved"), ("", "empty")])
def test_bad_label_names_are_refused_and_nothing_moves(store, label, says):
    store.save_prompt("capitals", ask("v1"))
    store.label_prompt("capitals", 1, "production")
    with pytest.raises(PromptError, match=says):
        store.label_prompt("capitals", 1, label)
    with pytest.raises(PromptError, match="no version 4"):
        store.label_prompt("capitals", 4, "production")
    assert store.prompt_labels("capitals") == {"production": 1} and len(store.label_moves("capitals")) == 1


def test_references_parse():
    assert parse_ref("capitals@12") == parse_ref(" capitals@12 ") and parse_ref("capitals@12").version == 12
    assert parse_ref("capitals:prod-2").label == "prod-2"
    assert parse_ref("Example: two words").name == "Example: two words"  # a label has no spaces
    assert parse_ref("a:b", names={"a:b"}).name == "a:b"  # a whole known name wins


def test_built_in_examples_stay_read_only(store):
    with pytest.raises(PromptError, match="built-in example"):
        store.save_prompt("Example: Function calling", ask("mine now"))
    assert store.prompts() == []


def test_a_run_records_the_version_it_came_from(store):
    v2 = [store.save_prompt("capitals", ask(t)) for t in ("v1", "v2")][1]
    sent = Exchange(call=v2.call(), base_url="http://127.0.0.1:1", status=200, reply=None, error=None, timing=Timing(started_at=1.0))
    edited = Exchange(call=v2.call().replace(origin=Origin("capitals", 2, modified=True)),
                      base_url="http://127.0.0.1:1", status=200, reply=None, error=None, timing=Timing(started_at=2.0))
    store.record(sent)
    store.record(edited)
    store.record(Exchange(call=ask("loose"), base_url="http://127.0.0.1:1", status=200, reply=None, error=None, timing=Timing(started_at=3.0)))
    rows = json.loads(store.export("json", prompt_name="capitals", prompt_version=2))
    assert [(r["prompt_name"], r["prompt_version"], r["prompt_modified"]) for r in rows] == [
        ("capitals", 2, True), ("capitals", 2, False)]
    assert store.count(prompt_name="capitals", prompt_version=1) == 0 and store.count() == 3
    assert store.get(rows[1]["id"]).exchange.call.origin == Origin("capitals", 2)


def test_concurrent_saves_never_share_a_number(store):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:  # on PostgreSQL, eight connections racing for the next number
        done = list(pool.map(lambda n: store.save_prompt("raced", ask(f"text {n}")).version, range(8)))
    assert sorted(done) == list(range(1, 9))
    assert sorted(v.body["contents"][0]["parts"][0]["text"] for v in store.prompt_versions("raced")) == sorted(
        f"text {n}" for n in range(8))


def test_export_and_import_keep_every_version_and_label(store, tmp_path):
    for text in ("v1", "v2"):
        store.save_prompt("capitals", ask(text, stream=True), message=f"said {text}", by="ana@team.example")
    store.save_prompt("tea", Call("gemini", "m", simple_body("gemini", "a haiku"), attachments=(PNG,)))
    store.label_prompt("capitals", 1, "production")
    text = dumps(store.prompt_entries())
    assert json.loads(text)["version"] == 2
    other = open_store(tmp_path / "other.sqlite3")
    other.import_prompts(loads(text))
    assert [(v.version, v.message, v.created_by) for v in other.prompt_versions("capitals")] == [
        (1, "said v1", "ana@team.example"), (2, "said v2", "ana@team.example")]
    assert other.prompt_labels("capitals") == {"production": 1}
    assert other.resolve_prompt("tea").attachments[0].data == PNG.data
    assert other.import_prompts(loads(text)) == {}  # again: nothing new, nothing overwritten
    assert other.prompt_versions("capitals")[1].version == 2 and len(other.prompt_versions("capitals")) == 2


def test_a_presets_file_of_today_still_imports(store):
    old = json.dumps({"format": "comet-presets", "version": 1, "presets": [
        {"name": "haiku", "note": "worked", "route": "gemini", "model": "gemini-2.5-pro",
         "body": simple_body("gemini", "a haiku"), "attachments": [
             {"name": "dot.png", "mime_type": "image/png", "data": PNG.base64()}]}]})
    store.save_prompt("haiku", ask("mine"))
    store.import_prompts(loads(old))
    kept = store.prompt_versions("haiku")
    assert [v.message for v in kept] == ["", "worked"] and kept[1].attachments[0].data == PNG.data


@pytest.mark.parametrize("text, says", [
    ('{"prompts": [{"name": "a", "versions": []}]}', r"\$.prompts\[0\].versions must be a list of at least one"),
    ('{"prompts": [{"name": "a", "labels": {"x y": 1}, "versions": [{"version": 1, "route": "gemini", '
     '"model": "m", "body": {}}]}]}', "a space"),
    ('{"prompts": [{"name": "a", "labels": {"p": 2}, "versions": [{"version": 1, "route": "gemini", '
     '"model": "m", "body": {}}]}]}', "points at version 2"),
    ("not json", "not JSON")])
def test_bad_files_are_named(text, says):
    with pytest.raises(PromptError, match=says):
        loads(text)


# ---- the migration: a database with today's schema and presets, then opened ------------------------

PRESETS = [Preset.of("haiku", Call("gemini", "gemini-2.5-pro", {"contents": [{"role": "user", "parts": [
               {"text": "a haiku"}, {"inlineData": {"mimeType": "image/png", "data": PNG.token}}]}]},
               stream=True, attachments=(PNG,)), "worked on Tuesday"),
           Preset.of("Plain chat", Call("openai", "gemini-2.5-flash", {"messages": [{"role": "user", "content": "hi"}]}))]


def _today_sqlite(path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    n = sqlite.MIGRATIONS.index(sqlite_migration)
    db.execute("BEGIN")
    for step in sqlite.MIGRATIONS[:n]:
        step(db)
    db.execute(f"PRAGMA user_version = {n}")
    for p in PRESETS:
        row = preset_row(_owned(p), ())
        db.execute(f"INSERT INTO presets ({','.join(row)}) VALUES ({','.join('?' * len(row))})", list(row.values()))
    db.execute("COMMIT")
    db.close()


def _today_postgres(url) -> None:
    import psycopg

    n = postgres.MIGRATIONS.index(postgres_migration)
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE comet_schema (version INTEGER NOT NULL)")
        for step in postgres.MIGRATIONS[:n]:
            step(conn) if callable(step) else conn.execute(step)
        conn.execute("INSERT INTO comet_schema VALUES (%s)", (n,))
        for p in PRESETS:
            row = preset_row(_owned(p), ())
            conn.execute(f"INSERT INTO presets ({','.join(row)}) VALUES ({','.join(['%s'] * len(row))})",
                         list(row.values()))


def _owned(p: Preset) -> Preset:
    from dataclasses import replace

    return replace(p, created_by="ana@team.example", updated_at=1_700_000_000.5)


def test_todays_presets_become_version_1_with_nothing_lost(history_url):
    if history_url.startswith("sqlite"):
        _today_sqlite(history_url.removeprefix("sqlite:///"))
    else:
        _today_postgres(history_url)
    store = open_store(history_url)
    try:
        assert [p.name for p in store.prompts()] == ["haiku", "Plain chat"]
        for preset in PRESETS:
            v = store.resolve_prompt(preset.name)
            assert isinstance(v, Version) and v.version == 1
            assert (v.route, v.model, v.body, v.stream) == (preset.route, preset.model, preset.body, preset.stream)
            assert [(a.name, a.mime_type, a.data) for a in v.attachments] == [
                (a.name, a.mime_type, a.data) for a in preset.attachments]
            assert (v.message, v.created_by, v.created_at) == (preset.note, "ana@team.example", 1_700_000_000.5)
            assert v.call() == preset.call()
        assert [p.name for p in store.presets()] == ["haiku", "Plain chat"]  # the old table stays
        store.save_prompt("haiku", ask("better"))
        assert [v.version for v in store.prompt_versions("haiku")] == [1, 2]
    finally:
        store.close()


def test_an_entry_round_trips_without_a_store():
    v = Version("x", 3, Call("gemini", "m").route, "m", {"contents": []}, message="hi")
    assert loads(dumps([Entry("x", (v,), {"prod": 3})]))[0].labels == {"prod": 3}


def test_a_key_typed_into_a_prompt_is_never_kept(history_url, canary_key):
    from store_support import stored_bytes

    s = open_store(history_url)
    try:
        made = s.save_prompt("leaky", ask(f"my key is {canary_key}"), message=f"with {canary_key}",
                             variables={"secret": canary_key})
        assert canary_key not in json.dumps(made.request()) + made.message
        assert canary_key not in dumps(s.prompt_entries())
        assert canary_key.encode() not in stored_bytes(s)
    finally:
        s.close()
