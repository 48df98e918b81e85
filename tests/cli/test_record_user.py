"""``send --record`` and ``batch --record`` say who sent each run: ``--user``, else
``COMET_USER``, else the OS login name (History's By column)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cli_support import ROOT, environ

from comet.core.identity import os_login
from comet.store import open_store


def _run(*args, env_extra=None):
    env = {k: v for k, v in environ("sk-cli-test").items() if k != "COMET_USER"}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "comet", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("flag, env_user, expected", [
    (["--user", "ana@team.example"], "bo@team.example", "ana@team.example"),
    ([], "bo@team.example", "bo@team.example"),
    ([], None, os_login()),
])
def test_send_record_attributes_the_run(emulator, tmp_path, flag, env_user, expected):
    db = tmp_path / "h.sqlite3"
    extra = {"COMET_HISTORY_DB": str(db), **({"COMET_USER": env_user} if env_user else {})}
    r = _run("send", "--prompt", "who sent me", "--record", *flag, "--base-url", emulator.base_url, env_extra=extra)
    assert r.returncode == 0, r.stderr
    with open_store(db) as store:
        assert [row["created_by"] for row in store.page()] == [expected]


def test_batch_record_attributes_every_run(emulator, tmp_path):
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps({
        "name": "who", "request": {"route": "gemini", "model": "gemini-2.5-flash",
                                   "body": {"contents": [{"role": "user", "parts": [{"text": "Hi {{x}}"}]}]}},
        "cases": [{"vars": {"x": "one"}}, {"vars": {"x": "two"}}], "targets": [{"route": "gemini", "model": "gemini-2.5-flash"}]}))
    db = tmp_path / "b.sqlite3"
    r = _run("batch", str(suite), "--record", "--db", str(db), "--user", "ana@team.example", "--format", "json",
             "--base-url", emulator.base_url, env_extra={"COMET_USER": "bo@team.example"})
    assert r.returncode == 0, r.stderr
    with open_store(db) as store:
        assert [row["created_by"] for row in store.page()] == ["ana@team.example"] * 2
