"""Every command that uses the history (``send --record``, ``history export``, ``history copy``,
``batch --record``) meets a corrupt, read-only or locked SQLite file with exit 2, the file named
and what to do, nothing sent, and no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from store_support import BROKEN, broken_sqlite

ROOT = Path(__file__).resolve().parents[2]


def comet(*args: str, base_url: str, db: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMETAPI_", "COMET_HISTORY"))}
    env.update(COMETAPI_KEY="sk-broken-history", COMETAPI_BASE_URL=base_url, COMET_HISTORY_DB=str(db),
               COMET_HISTORY_TIMEOUT="1")
    return subprocess.run([sys.executable, "-m", "comet", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def commands(db: Path, tmp_path: Path) -> dict[str, tuple[str, ...]]:
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps({"name": "s", "request": {"route": "gemini", "model": "gemini-2.5-flash",
                                                          "body": {"contents": [{"parts": [{"text": "hi"}]}]}},
                                 "targets": [{"route": "gemini", "model": "gemini-2.5-flash"}]}), encoding="utf-8")
    return {"send --record": ("send", "--route", "gemini", "--model", "gemini-2.5-flash", "--prompt", "hi", "--record"),
            "history export": ("history", "export"),
            "history copy": ("history", "copy", "--from", f"sqlite:///{db}", "--to", f"sqlite:///{tmp_path / 'to.sqlite3'}"),
            "batch --record": ("batch", str(suite), "--record", "--db", str(db))}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_history_file_is_exit_2_naming_it(kind, emulator, tmp_path):
    with broken_sqlite(kind, tmp_path) as db:
        for name, args in commands(db, tmp_path).items():
            before = len(emulator.received)
            out = comet(*args, base_url=emulator.base_url, db=db)
            assert out.returncode == 2, (name, out.stderr)
            assert f"error: the history database {db} cannot be used" in out.stderr, (name, out.stderr)
            assert "Traceback" not in out.stderr and "sqlite3." not in out.stderr, (name, out.stderr)
            assert "fix:" not in out.stderr and "COMETAPI_KEY" not in out.stderr  # what to do is in the message
            assert len(emulator.received) == before, name  # nothing was sent
