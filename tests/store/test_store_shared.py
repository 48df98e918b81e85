"""A history a team shares: drafts with versions, moving a history between stores, scripts that
record, many writers at once, and bad configuration as a clear message (never the password)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from app_support import APP, TIMEOUT, no_exception, texts
from store_support import postgres_schema, postgres_url, sql, stored_bytes
from streamlit.testing.v1 import AppTest

from comet import Call, Route, simple_body
from comet.core.call import Attachment
from comet.core.errors import ConfigError
from comet.core.exchange import Exchange, Reply, Timing, Usage
from comet.store import open_store, redact
from comet.store.drafts import DraftConflict
from comet.store.ratings import Verdict

ROOT = Path(__file__).resolve().parents[2]
CAT = Attachment("cat.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(range(64)))


def exchange(prompt: str, i: int = 0, *, started: float = 1_790_000_000.0) -> Exchange:
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body(Route.GEMINI, prompt))
    return Exchange(call, "https://api.cometapi.com", 200,
                    Reply(text=f"reply {i}", finish_reason="stop", usage=Usage(3, 4, None, 7),
                          raw={"candidates": []}),
                    None, Timing(started_at=started + i, ttft_ms=10.0 + i, latency_ms=20.0 + i))


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:{password}@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def password_of(url: str) -> str:
    return urlsplit(url).password or ""


def cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "comet", *args], cwd=ROOT, env=full, capture_output=True,
                          text=True, timeout=timeout)


# ---- drafts with versions ----------------------------------------------------------------------------

def test_two_writers_on_one_draft_never_overwrite_each_other(history_url):
    store = open_store(history_url)
    try:
        drafts = store.drafts
        assert drafts.read("d1") == (None, 0)
        assert drafts.save("d1", {"model": "a"}, [CAT], base=0) == 1
        data, version = drafts.read("d1")  # two tabs read version 1
        assert (data, version) == ({"model": "a"}, 1)
        assert drafts.save("d1", {"model": "tab one"}, base=1) == 2
        with pytest.raises(DraftConflict) as stale:  # the second tab is stale: nothing written
            drafts.save("d1", {"model": "tab two"}, base=1)
        assert (stale.value.base, stale.value.current) == (1, 2)
        assert drafts.load("d1") == {"model": "tab one"} and drafts.attachments("d1") == [CAT]
        assert drafts.save("d1", {"model": "no base"}) == 3  # without a base: last write wins, as before
        assert "d1" in drafts.ids()
        drafts.delete("d1")
        assert drafts.read("d1") == (None, 0)
    finally:
        store.close()


def test_a_stale_tab_keeps_its_edit_as_a_new_draft_and_says_so(history_url, monkeypatch):
    monkeypatch.setenv("COMET_HISTORY_URL", history_url)
    first = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    draft = first.query_params["draft"][0] if isinstance(first.query_params["draft"], list) \
        else first.query_params["draft"]
    first.text_area(key="pg_f_prompt").set_value("tab one's prompt").run()
    second = AppTest.from_file(APP, default_timeout=TIMEOUT)
    second.query_params["draft"] = draft
    second = no_exception(second.run())
    assert second.text_area(key="pg_f_prompt").value == "tab one's prompt"  # the same draft
    first.text_area(key="pg_f_prompt").set_value("tab one again").run()
    second = no_exception(second.text_area(key="pg_f_prompt").set_value("tab two's edit").run())
    assert "This draft was changed in another tab" in texts(second, "warning")
    forked = second.query_params["draft"]
    forked = forked[0] if isinstance(forked, list) else forked
    assert forked != draft
    store = open_store(history_url)
    try:
        assert store.drafts.load(draft)["body"]["contents"][0]["parts"][0]["text"] == "tab one again"
        assert store.drafts.load(forked)["body"]["contents"][0]["parts"][0]["text"] == "tab two's edit"
    finally:
        store.close()


def test_the_store_url_can_come_from_st_secrets(history_url, emulator, monkeypatch):
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["COMET_HISTORY_URL"] = history_url
    at = no_exception(at.run())
    at.text_area(key="pg_f_prompt").set_value("configured in secrets.toml").run()
    no_exception(at.button(key="pg_send").click().run())
    store = open_store(history_url)
    try:
        assert [r["prompt_preview"] for r in store.page()] == ["configured in secrets.toml"]
    finally:
        store.close()


# ---- moving a history ---------------------------------------------------------------------------------

def test_history_copy_sqlite_to_postgresql_and_back_twice_doubles_nothing(tmp_path):
    sqlite_url = f"sqlite:///{tmp_path / 'from.sqlite3'}"
    back_url = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    source = open_store(sqlite_url)
    with_cat = Exchange(Call(Route.GEMINI, "m", {"contents": [{"parts": [{"inlineData": {
        "mimeType": "image/png", "data": CAT.token}}]}]}, attachments=(CAT,)), "http://127.0.0.1:9", 200,
        Reply(text="a cat"), None, Timing(started_at=5.0))
    ids = source.record_many([exchange(f"run {i}", i) for i in range(5)] + [with_cat],
                             group_ids=["cmp-1"] * 2 + [None] * 4, labels=["A", "B"] + [None] * 4,
                             costs=[0.5] * 6)
    source.drafts.save("draft-1", {"model": "m"}, [CAT])
    source.rate(ids[0], "good", comment="clear", by="ann@example.com")
    source.save_verdicts([Verdict(ids[0], "Gemini native · j", "llm-rubric", "is clear", True, "yes", 0.9, "cmp-1")])
    for text in ("v1", "v2"):  # the prompt library goes too, once
        source.save_prompt("capitals", Call(Route.GEMINI, "m", {"contents": [{"parts": [{"text": text}]}]}),
                           message=text, by="ann@example.com")
    source.label_prompt("capitals", 1, "production")
    with postgres_schema() as pg_url:
        for _ in range(2):
            out = cli("history", "copy", "--from", sqlite_url, "--to", pg_url, "--batch", "2")
            assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout) == {"runs": 0, "runs_skipped": 6, "drafts": 0, "drafts_skipped": 1,
                                          "batches": 0, "batches_skipped": 0, "ratings": 0, "verdicts": 0,
                                          "prompt_versions": 0}
        assert password_of(pg_url) not in out.stdout + out.stderr
        team = open_store(pg_url)
        try:
            assert team.count() == 6 and team.count(group_id="cmp-1") == 2
            assert [r.exchange for r in team.runs_after(0, 100)] == [source.get(i).exchange for i in ids]
            assert [(r.group_id, r.label, r.cost) for r in team.runs_after(0, 2)] == [("cmp-1", "A", 0.5),
                                                                                     ("cmp-1", "B", 0.5)]
            assert team.drafts.load("draft-1") == {"model": "m"} and team.drafts.attachments("draft-1") == [CAT]
            assert sql(team, "SELECT COUNT(*) FROM attachments")[0][0] == 1
            first = team.runs_after(0, 1)[0].id  # ratings and verdicts came with their run, once
            assert [(r.rating, r.comment, r.rated_by) for r in team.ratings([first])[first]] == [
                ("good", "clear", "ann@example.com")]
            assert [r["id"] for r in team.page(rating="good")] == [first]
            assert [(v.judge, v.passed) for v in team.verdicts(run_ids=[first])] == [("Gemini native · j", True)]
            assert [(v.version, v.message, v.created_by) for v in team.prompt_versions("capitals")] == [
                (1, "v1", "ann@example.com"), (2, "v2", "ann@example.com")]
            assert team.prompt_labels("capitals") == {"production": 1}
        finally:
            team.close()
        for _ in range(2):
            out = cli("history", "copy", "--from", pg_url, "--to", back_url)
            assert out.returncode == 0, out.stderr
        back = open_store(back_url)
        assert back.count() == 6 and [r.uid for r in back.runs_after()] == [r.uid for r in source.runs_after()]
        assert back.get(back.runs_after()[-1].id).exchange == with_cat


def test_an_interrupted_copy_resumes_where_it_stopped(history_url, tmp_path):
    from comet.store.copy import copy_history

    source = open_store(f"sqlite:///{tmp_path / 'src.sqlite3'}")
    source.record_many([exchange(f"run {i}", i) for i in range(7)])
    target = open_store(history_url)

    def stop_after_first_batch(done):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        copy_history(source, target, batch=3, progress=stop_after_first_batch)
    assert target.count() == 3
    done = copy_history(source, target, batch=3)
    assert (done.runs, done.runs_skipped) == (4, 3) and target.count() == 7
    target.close()


def test_a_copy_carries_a_batchs_verdicts_pointing_at_the_copied_runs(history_url, tmp_path):
    from comet.store.copy import copy_history

    source = open_store(f"sqlite:///{tmp_path / 'src.sqlite3'}")
    source.record(exchange("before", 0))  # so the copied runs get other ids
    ids = source.record_many([exchange(f"case {i}", i) for i in (1, 2)], group_ids=["bat-1"] * 2)
    source.save_batch("bat-1", {"suite": "s", "summary": {"passed": 1},
                                "results": [{"case": n, "run": run_id, "ok": n == 1} for n, run_id in zip((1, 2), ids)]})
    target = open_store(history_url)
    target.record(exchange("already here", 9))
    try:
        first, second = copy_history(source, target), copy_history(source, target)
        assert (first.batches, first.batches_skipped, second.batches, second.batches_skipped) == (1, 0, 0, 1)
        kept = target.batch("bat-1")
        by_case = {r["case"]: r["run"] for r in kept["results"]}
        copied = {r.exchange.call.body["contents"][0]["parts"][0]["text"]: r.id
                  for r in target.runs_after(0, 10) if r.group_id == "bat-1"}
        assert by_case == {1: copied["case 1"], 2: copied["case 2"]} and [by_case[1], by_case[2]] != ids
    finally:
        target.close()
        source.close()


def test_a_search_page_that_outlasts_its_quick_try_is_read_from_the_index_instead(monkeypatch):
    """PostgreSQL walks the runs newest first for a search only for ``FAST_PAGE_MS``; a lock held
    elsewhere makes that try outlast it (a lock wait counts), so the second plan must answer."""
    import threading
    import time

    import psycopg

    from comet.store import postgres

    monkeypatch.setattr(postgres, "FAST_PAGE_MS", 50)
    with postgres_schema() as url:
        store = open_store(url)
        ids = store.record_many([exchange(f"weather {i}", i) for i in range(3)] + [exchange("a poem", 3)])
        answers: list = []
        with psycopg.connect(url) as locker:
            locker.execute("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE")
            reader = threading.Thread(target=lambda: answers.append(store.page(search="weather")))
            reader.start()
            time.sleep(0.5)  # the quick try is cancelled by now; the second waits for the lock
            assert reader.is_alive() and not answers
            locker.commit()
        reader.join(30)
        store.close()
    assert [r["id"] for r in answers[0]] == ids[2::-1]


def test_history_export_follows_a_sqlite_url(tmp_path):
    path = tmp_path / "team.sqlite3"
    store = open_store(f"sqlite:///{path}")
    store.record(exchange("kept in the file the URL names"))
    store.close()
    out = cli("history", "export", "--format", "json", env={"COMET_HISTORY_URL": f"sqlite:///{path}",
                                                            "COMET_HISTORY_DB": str(tmp_path / "other.sqlite3")})
    assert out.returncode == 0, out.stderr
    assert [r["prompt"] for r in json.loads(out.stdout)] == ["kept in the file the URL names"]
    assert not (tmp_path / "other.sqlite3").exists()


# ---- scripts and many writers -------------------------------------------------------------------------

def test_send_record_stores_the_run_in_the_team_history(emulator, history_url):
    env = {"COMETAPI_BASE_URL": emulator.base_url, "COMETAPI_KEY": "test-key", "COMET_HISTORY_URL": history_url}
    out = cli("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--prompt", "recorded from a script",
              "--record", env=env)
    assert out.returncode == 0, out.stderr
    store = open_store(history_url)
    try:
        [row] = store.page()
        assert row["prompt_preview"] == "recorded from a script"
        assert store.get(row["id"]).exchange.text == json.loads(out.stdout)["text"]
    finally:
        store.close()
    plain = cli("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--prompt", "not recorded", env=env)
    store = open_store(history_url)
    try:
        assert plain.returncode == 0 and store.count() == 1
    finally:
        store.close()  # an unclosed pool's threads outlive the test (PytestUnraisableExceptionWarning)


WRITER = """
import sys
from comet import Call, Exchange, Reply, Route, Timing, simple_body
from comet.store import open_store

def exchange(prompt, i):
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body(Route.GEMINI, prompt))
    return Exchange(call, "https://api.cometapi.com", 200, Reply(text=f"reply {i}"), None,
                    Timing(started_at=1_790_000_000.0 + i, latency_ms=20.0))

store = open_store(sys.argv[1])
for i in range(int(sys.argv[3])):
    store.record(exchange(f"writer {sys.argv[2]} run {i}", i), group_id=f"w{sys.argv[2]}")
store.close()
"""


def test_ten_writer_processes_lose_no_row_in_postgresql():
    with postgres_schema() as url:
        open_store(url).close()  # migrated once, before the writers start
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(n), "1000"], cwd=ROOT, env=env,
                                    stderr=subprocess.PIPE, text=True) for n in range(10)]
        errors = [w.communicate(timeout=600)[1] for w in writers]
        assert [w.returncode for w in writers] == [0] * 10, errors
        store = open_store(url)
        try:
            assert store.count() == 10_000
            assert [store.count(group_id=f"w{n}") for n in range(10)] == [1000] * 10
            assert store.count(search="writer run") == 10_000
            assert sql(store, "SELECT COUNT(DISTINCT id), COUNT(DISTINCT uid) FROM runs")[0] == (10_000, 10_000)
        finally:
            store.close()


def test_postgresql_exports_read_through_a_server_side_cursor():
    with postgres_schema() as url:
        store = open_store(url)
        store.record_many([exchange(f"export run {i}", i) for i in range(5)])
        rows = store.export_rows(search="export")
        try:
            first = next(rows)  # the cursor is open on the server now, the rest not yet fetched
            fetching = sql(store, "SELECT state FROM pg_stat_activity WHERE query LIKE ?", "FETCH%comet_export%")
            assert fetching == [("idle in transaction",)]
            assert [first["prompt"]] + [r["prompt"] for r in rows] == [f"export run {i}" for i in range(4, -1, -1)]
        finally:
            rows.close()  # ends the cursor's transaction even when an assertion failed
            store.close()


def test_connections_the_server_ended_are_replaced():
    with postgres_schema() as url:
        store = open_store(url)
        try:
            store.record(exchange("before the restart"))
            ended = sql(store, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                               "AND usename = current_user AND backend_type = 'client backend'")
            assert ended and all(ok for (ok,) in ended)  # the pool's connections are gone
            store.record(exchange("after the restart"))
            assert [r["prompt_preview"] for r in store.page()] == ["after the restart", "before the restart"]
        finally:
            store.close()


# ---- bad configuration --------------------------------------------------------------------------------

def test_a_wrong_password_is_a_config_error_without_the_password():
    wrong = with_password(postgres_url(), "not-the-password-5f1c")
    with pytest.raises(ConfigError) as err:
        open_store(wrong)
    assert "not-the-password-5f1c" not in str(err.value) and redact(wrong) in str(err.value)
    assert password_of(postgres_url()) not in str(err.value)


def test_an_unreachable_server_is_a_config_error():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    url = f"postgresql://comet:hunter2-secret@127.0.0.1:{port}/comet"
    with pytest.raises(ConfigError, match="cannot be used") as err:
        open_store(url)
    assert "hunter2-secret" not in str(err.value) and f"postgresql://comet:***@127.0.0.1:{port}/comet" in str(err.value)


def test_a_newer_schema_is_refused_on_postgresql():
    with postgres_schema() as url:
        open_store(url).close()
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("UPDATE comet_schema SET version = version + 1")
        with pytest.raises(ConfigError, match="newer"):
            open_store(url)


@pytest.fixture
def own_server(tmp_path):
    """A PostgreSQL cluster of this test's own (.ci/postgres), so that it can be stopped mid-test."""
    if os.geteuid() != 0 or not Path("/usr/lib/postgresql/15/bin/initdb").exists():
        pytest.skip("needs root and Debian's PostgreSQL 15 to start a cluster of its own")
    where = tmp_path / "cluster-dir"
    out = subprocess.run(["bash", str(ROOT / ".ci" / "postgres"), "start"], capture_output=True, text=True,
                         timeout=120, check=True)
    where.write_text(out.stderr.strip().splitlines()[-1])
    stop = lambda: subprocess.run(["bash", str(ROOT / ".ci" / "postgres"), "stop", where.read_text()],  # noqa: E731
                                  capture_output=True, timeout=120)
    yield out.stdout.strip(), stop
    stop()


def test_a_server_gone_mid_session_is_a_message_not_a_traceback(own_server, emulator, monkeypatch):
    url, stop = own_server
    monkeypatch.setenv("COMET_HISTORY_URL", url)
    store = open_store(url)
    store.record(exchange("kept before the server went"))
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    at = no_exception(at.switch_page("pages/history.py").run())
    assert "1 run matches" in texts(at, "caption")
    stop()
    try:
        with pytest.raises(ConfigError, match="cannot be used") as err:
            store.count()
    finally:
        store.close()
    assert password_of(url) not in str(err.value) and redact(url) in str(err.value)
    at = no_exception(at.run())  # the page says so where it stopped drawing, and the history is off
    shown = texts(at, "error") + texts(at, "warning")
    assert "History is off." in shown and redact(url) in shown and password_of(url) not in shown


def test_the_cli_exits_2_naming_the_url_without_its_password(emulator):
    bad = "postgresql://comet:hunter2-secret@127.0.0.1:1/comet"
    for args in (("history", "export", "--url", bad), ("history", "copy", "--from", bad, "--to", bad)):
        out = cli(*args)
        assert out.returncode == 2 and "postgresql://comet:***@127.0.0.1:1/comet" in out.stderr, out.stderr
        assert "hunter2" not in out.stdout + out.stderr and "Traceback" not in out.stderr
    before = len(emulator.received)
    out = cli("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--prompt", "hi", "--record",
              env={"COMETAPI_BASE_URL": emulator.base_url, "COMETAPI_KEY": "k", "COMET_HISTORY_URL": bad})
    assert out.returncode == 2 and "comet:***@" in out.stderr and "hunter2" not in out.stderr
    assert len(emulator.received) == before  # nothing was sent
    out = cli("history", "export", env={"COMET_HISTORY_URL": "mysql://u:hunter2@h/db"})
    assert out.returncode == 2 and "mysql://u:***@h/db" in out.stderr and "hunter2" not in out.stderr


def test_the_page_shows_a_banner_and_sending_still_works(emulator, monkeypatch, caplog):
    bad = "postgresql://comet:hunter2-secret@127.0.0.1:1/comet"
    monkeypatch.setenv("COMET_HISTORY_URL", bad)
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    monkeypatch.setenv("COMETAPI_KEY", "test-key")
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    banner = texts(at, "warning")
    assert "History is off." in banner and "postgresql://comet:***@127.0.0.1:1/comet" in banner
    at.text_area(key="pg_f_prompt").set_value("still sending").run()
    at = no_exception(at.button(key="pg_send").click().run())
    exchange_shown = at.session_state["runs_results"]["pg_result"].value[0]
    assert exchange_shown.ok and exchange_shown.text in texts(at.main, "markdown")
    at = no_exception(at.switch_page("pages/history.py").run())
    assert "History is off." in texts(at, "warning")
    for other in ("pages/compare.py", "pages/batch.py"):  # every page still draws, with the banner
        assert "History is off." in texts(no_exception(at.switch_page(other).run()), "warning")
    page = "".join(str(getattr(node, "proto", "")) for node in _walk(at._tree))
    assert "hunter2" not in page and "hunter2" not in caplog.text


def test_the_password_and_the_canary_key_are_in_no_row_or_page(history_url, emulator, canary_key, monkeypatch,
                                                              caplog):
    monkeypatch.setenv("COMET_HISTORY_URL", history_url)
    monkeypatch.setenv("COMETAPI_BASE_URL", emulator.base_url)
    at = no_exception(AppTest.from_file(APP, default_timeout=TIMEOUT).run())
    at.text_area(key="pg_f_prompt").set_value("a run for the team").run()
    at = no_exception(at.button(key="pg_send").click().run())
    at = no_exception(at.switch_page("pages/history.py").run())
    assert at.dataframe and len(at.dataframe[0].value) == 1
    where = redact(history_url) if history_url.startswith("postgresql") else history_url.removeprefix("sqlite:///")
    assert f"Runs are kept in `{where}`." in texts(at, "caption")
    page = "".join(str(getattr(node, "proto", "")) for node in _walk(at._tree))
    store = open_store(history_url)
    try:
        held = stored_bytes(store)
        exported = store.export("json") + store.export("csv")
    finally:
        store.close()
    secrets = [canary_key] + ([password_of(history_url)] if password_of(history_url) else [])
    for secret in secrets:
        assert secret not in page and secret not in exported and secret not in caplog.text
        assert secret.encode() not in held


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)
