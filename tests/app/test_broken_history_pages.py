"""A SQLite history that is damaged or locked, from the start or mid-session, is the pages' banner,
never a traceback: the Playground draws and sends, Presets says why it cannot save, History,
Compare and Batch draw, and the runs sent while the file was locked are recorded once it is free."""

from __future__ import annotations

import secrets
import sqlite3
import time

import pytest
from app_support import APP, no_exception, texts
from store_support import broken_sqlite
from streamlit.testing.v1 import AppTest

PAGES = ("pages/history.py", "pages/compare.py", "pages/batch.py", "pages/playground.py")


@pytest.fixture
def history_file(on_emulator, tmp_path, monkeypatch):
    """Points the app at a history file the test then breaks; the store gives up on a lock after 1 s."""
    monkeypatch.setenv("COMET_HISTORY_TIMEOUT", "1")

    def use(path):
        monkeypatch.setenv("COMET_HISTORY_DB", str(path))
        return no_exception(AppTest.from_file(APP, default_timeout=120).run())

    return use


def send(at: AppTest, prompt: str) -> AppTest:
    at = no_exception(at.text_area(key="pg_f_prompt").set_value(prompt).run())
    at = no_exception(at.button(key="pg_send").click().run())
    shown = at.session_state["runs_results"]["pg_result"].value[0]
    assert shown.ok and shown.text in texts(at.main, "markdown")  # sent, and the reply is on the page
    return at


def save_preset(at: AppTest, name: str) -> AppTest:
    at.text_input(key="pst_name").set_value(name)
    return no_exception(at.button(key="pst_save_as").click().run())


def every_page_draws_with(at: AppTest, said: str) -> AppTest:
    for page in PAGES:
        at = no_exception(at.switch_page(page).run())
        shown = texts(at, "warning") + texts(at, "error")  # the banner, or where the page met it
        assert "History is off." in shown and said in shown, page
    return at


def test_a_damaged_history_file_is_a_banner_on_every_page_and_sending_still_works(history_file, tmp_path):
    with broken_sqlite("corrupt", tmp_path) as path:
        at = history_file(path)
        assert str(path) in texts(at, "warning") and "it is not a SQLite database" in texts(at, "warning")
        at = send(at, "sent beside a damaged history")
        at = save_preset(at, "kept?")
        assert "the prompt library is off" in texts(at, "error")
        every_page_draws_with(at, str(path))


def test_a_history_file_damaged_mid_session_is_a_banner_and_sending_still_works(history_file, tmp_path):
    path = tmp_path / "history.sqlite3"
    at = send(history_file(path), "before the damage")
    for part in tmp_path.glob("history.sqlite3*"):  # the disk went bad under the app: file, WAL and index
        part.write_bytes(secrets.token_bytes(max(part.stat().st_size, 4096)))
    at = send(at, "after the damage")
    at = no_exception(at.switch_page("pages/batch.py").run())
    at = every_page_draws_with(at, "cannot be used")


def test_a_history_file_locked_mid_session_is_a_banner_and_its_runs_land_once_it_is_free(history_file, tmp_path):
    path = tmp_path / "history.sqlite3"
    at = send(history_file(path), "before the lock")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program takes the file's lock and keeps it
    try:
        at = save_preset(at, "while locked")
        assert "another program holds its lock" in texts(at, "error")  # said beside the button
        started = time.monotonic()
        at = send(at, "while locked")
        assert time.monotonic() - started < 30  # the writer waits on the lock, not the page
        at = every_page_draws_with(at, "another program holds its lock")
        assert "1 run waiting" in texts(at, "warning")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    deadline = time.monotonic() + 60
    with sqlite3.connect(path) as db:
        while db.execute("SELECT count(*) FROM runs").fetchone()[0] < 2:
            assert time.monotonic() < deadline, "the run sent while locked was not recorded once free"
            time.sleep(0.2)
        prompts = sorted(r[0] for r in db.execute("SELECT prompt_preview FROM runs"))
    assert prompts == ["before the lock", "while locked"]


def test_deleting_a_run_from_a_locked_history_file_says_why_and_the_run_stays(history_file, tmp_path):
    path = tmp_path / "history.sqlite3"
    at = send(history_file(path), "to be deleted")
    at = no_exception(at.switch_page("pages/history.py").run())
    at = no_exception(at.selectbox(key="hist_run").set_value(1).run())
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        at = no_exception(at.button(key="hist_delete").click().run())
        assert "another program holds its lock" in texts(at, "error") + texts(at, "warning")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT prompt_preview FROM runs").fetchall() == [("to be deleted",)]
