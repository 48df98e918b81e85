"""Attribution and ownership on both backends: who made each run, preset and draft; only its
creator or an admin deletes a run or renames or deletes a preset (the store refuses, and the row
is still there); deletes are logged; older rows are unknown, never guessed."""

from __future__ import annotations

import sqlite3

import pytest

from comet import Call, Route, simple_body
from comet.core.identity import Identity
from comet.store import open_store
from comet.store.owners import NotYours, Owned, deletes
from comet.store.presets import Preset

ANA, BO, BOSS = Identity("ana@team.example"), Identity("bo@team.example"), Identity("boss@team.example", admin=True)


@pytest.fixture
def client(emulator):
    from comet.http.client import Client

    with Client(emulator.base_url, "test-key") as c:
        yield c


@pytest.fixture
def store(history_url):
    with open_store(history_url) as s:
        yield s


def _exchange(client, prompt="hello"):
    return client.send(Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", prompt)))


def test_runs_record_who_sent_them_and_filter_by_it(store, client):
    a = Owned(store, ANA).record(_exchange(client, "from ana"))
    b, c = Owned(store, BO).record_many([_exchange(client, "from bo"), _exchange(client)], group_ids=["cmp-1", "cmp-1"])
    anon = store.record(_exchange(client))
    assert {r["id"]: r["created_by"] for r in store.page()} == {a: ANA.email, b: BO.email, c: BO.email, anon: ""}
    assert [r["id"] for r in store.page(created_by=ANA.email)] == [a]
    assert store.count(created_by=[BO.email]) == 2
    assert store.get(b).created_by == BO.email
    rows = {r["id"]: r for r in store.export_rows()}
    assert rows[a]["created_by"] == ANA.email
    assert "created_by" in store.export("csv").splitlines()[0].split(",")


def test_only_the_creator_or_an_admin_deletes_a_run_and_deletes_are_logged(store, client):
    run = Owned(store, ANA).record(_exchange(client))
    with pytest.raises(NotYours, match="ana@team.example made it") as err:
        Owned(store, BO).delete(run)
    assert "bo@team.example" in str(err.value) and "admin" in err.value.fix
    assert store.get(run) is not None  # still there
    legacy = store.record(_exchange(client))
    with pytest.raises(NotYours, match="not known"):
        Owned(store, ANA).delete(legacy)
    assert Owned(store, BOSS).delete(legacy) and Owned(store, ANA).delete(run)
    assert store.get(run) is None and store.get(legacy) is None
    log = deletes(store)
    assert [(d["who"], d["kind"], d["what"], d["owner"]) for d in log] == [
        (ANA.email, "run", str(run), ANA.email), (BOSS.email, "run", str(legacy), "")]
    assert not Owned(store, ANA).delete(99999)


def test_presets_rename_replace_and_delete_only_by_their_creator_or_an_admin(store):
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "a haiku"))
    Owned(store, ANA).save_preset(Preset.of("haiku", call))
    assert store.preset("haiku").created_by == ANA.email
    bo = Owned(store, BO)
    for attempt in (lambda: bo.rename_preset("haiku", "mine now"), lambda: bo.delete_preset("haiku"),
                    lambda: bo.save_preset(Preset.of("haiku", call, "overwritten"))):
        with pytest.raises(NotYours, match="the preset 'haiku'"):
            attempt()
    assert store.preset("haiku").note == "" and store.preset("mine now") is None
    assert Owned(store, BOSS).rename_preset("haiku", "haiku 2")
    assert store.preset("haiku 2").created_by == ANA.email  # an admin's rename keeps the creator
    assert Owned(store, ANA).delete_preset("haiku 2")
    assert [(d["who"], d["kind"], d["what"]) for d in deletes(store)] == [(ANA.email, "preset", "haiku 2")]


def test_drafts_record_their_maker(store):
    mine = Owned(store, ANA).drafts
    mine.save("d1", {"model": "gemini-2.5-flash"}, base=0)
    assert mine.owner("d1") == ANA.email and mine.mine("d1")
    assert not Owned(store, BO).drafts.mine("d1") and Owned(store, BO).drafts.owner("nope") == ""


def test_a_history_from_before_attribution_migrates_with_unknown_creators(tmp_path, client):
    path = tmp_path / "old.sqlite3"
    with open_store(path) as s:
        run = s.record(_exchange(client))
    db = sqlite3.connect(path)  # back to schema 9: as an app before this one left it
    db.executescript("DROP INDEX runs_by_creator; DROP TABLE deletes; ALTER TABLE runs DROP COLUMN created_by; "
                     "ALTER TABLE presets DROP COLUMN created_by; PRAGMA user_version = 9;")
    db.close()
    with open_store(path) as s:
        assert s.get(run).created_by == "" and s.page()[0]["created_by"] == ""


def test_people_lists_every_creator_once_unknown_first(store, client):
    from comet.store.owners import people

    ex = _exchange(client)
    store.record_many([ex] * 5, created_by=["bo@team.example", "", "ana@team.example", "bo@team.example", ""])
    assert people(store) == ["", "ana@team.example", "bo@team.example"]
    with open_store(":memory:") as empty:
        assert people(empty) == []
