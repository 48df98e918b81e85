"""A SQLite history that is damaged, read-only, full or locked is the store's ConfigError naming
the file and what to do (never sqlite3's bare error), and the store works again once the file is
fixed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time

import pytest
from store_support import BROKEN, broken_sqlite

from comet import Call, Route, simple_body
from comet.core.errors import ConfigError
from comet.core.exchange import Exchange, Reply, Timing
from comet.store import SQLiteStore, open_store

WHAT = {"corrupt": ("it is not a SQLite database", "move it aside"),
        "read-only": ("it is read-only", "writable"),
        "locked": ("another program holds its lock", "COMET_HISTORY_TIMEOUT")}


def exchange(prompt: str = "kept") -> Exchange:
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body(Route.GEMINI, prompt))
    return Exchange(call, "https://api.cometapi.com", 200, Reply(text="ok", finish_reason="stop"), None,
                    Timing(started_at=1_790_000_000.0, latency_ms=5.0))


def assert_names(err: ConfigError, path, kind: str) -> None:
    what, fix = WHAT[kind]
    assert str(path) in str(err) and what in str(err) and "cannot be used" in str(err), str(err)
    assert fix in err.fix and err.fix in str(err) and "COMETAPI_KEY" not in err.fix


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_file_is_a_config_error_naming_it(kind, tmp_path, monkeypatch):
    monkeypatch.setenv("COMET_HISTORY_TIMEOUT", "1")
    with broken_sqlite(kind, tmp_path) as path:
        started = time.monotonic()
        with pytest.raises(ConfigError) as err:
            open_store(path)
        assert time.monotonic() - started < 10
    assert_names(err.value, path, kind)


def test_a_file_locked_after_opening_is_the_same_error_and_the_store_recovers(tmp_path, monkeypatch):
    monkeypatch.setenv("COMET_HISTORY_TIMEOUT", "1")
    store = open_store(tmp_path / "h.sqlite3")
    try:
        holder = sqlite3.connect(tmp_path / "h.sqlite3", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(ConfigError) as err:
            store.record(exchange())
        holder.close()
        assert_names(err.value, tmp_path / "h.sqlite3", "locked")
        store.record(exchange())  # its transaction was rolled back: the next write goes through
        assert store.count() == 1
    finally:
        store.close()


def test_a_damaged_page_is_a_config_error_when_read(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = SQLiteStore(path)
    store.record_many([exchange(f"run {i} " + "x" * 2000) for i in range(50)])
    store.close()
    for leftover in tmp_path.glob("h.sqlite3-*"):  # the write-ahead log, checkpointed by close
        leftover.unlink()
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = os.urandom(len(data) - page)  # every page but the first: the header stays valid
    path.write_bytes(bytes(data))
    with pytest.raises(ConfigError) as err:
        store = open_store(path)
        list(store.export_rows())
    assert str(path) in str(err.value) and "damaged" in str(err.value) and "move it aside" in err.value.fix


def test_a_broken_drafts_file_is_a_config_error_naming_it(tmp_path):
    store = open_store(tmp_path / "h.sqlite3")
    try:
        drafts_file = tmp_path / "h.drafts.sqlite3"
        drafts_file.write_bytes(os.urandom(8192))
        with pytest.raises(ConfigError) as err:
            store.drafts.load("abc")
        assert_names(err.value, drafts_file, "corrupt")
    finally:
        store.close()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB file system (tmpfs): room for a history and its migrations, not for a large run."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    where = tmp_path / "disk"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True,
                      check=False).returncode:
        pytest.skip("this machine does not let the tests mount a tmpfs")
    yield where
    subprocess.run(["umount", str(where)], capture_output=True, check=False)


def test_a_full_disk_is_a_config_error_and_the_store_still_reads(tiny_disk):
    store = open_store(tiny_disk / "h.sqlite3")
    try:
        store.record(exchange("small"))
        with pytest.raises(ConfigError) as err:
            store.record(exchange("x" * 1_500_000))
        assert str(tiny_disk / "h.sqlite3") in str(err.value) and "disk is full" in str(err.value)
        assert "free space" in err.value.fix
        assert store.count() == 1
    finally:
        store.close()
