"""Stored batches from the command line: running ``python -m comet batch`` as a user does, suite
files, and reading the store's tables while workers run."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GEMINI = {"route": "gemini", "model": "gemini-2.5-flash"}


def environ(key: str = "sk-queue-test") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMETAPI_", "COMET_HISTORY"))}
    env["COMETAPI_KEY"] = key
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "comet", "batch", *args]


def comet(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), cwd=ROOT, env=environ(), capture_output=True, text=True, timeout=120)


def started(*args: str) -> subprocess.Popen:
    return subprocess.Popen(command(*args), cwd=ROOT, env=environ(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def write_suite(folder: Path, cases: int, targets=(GEMINI,), name: str = "queue") -> Path:
    data = {"name": name, "request": {**GEMINI, "body": {"contents": [{"role": "user", "parts": [{"text": "n {{n}}"}]}]}},
            "targets": list(targets), "cases": [{"vars": {"n": str(i)}} for i in range(cases)],
            "assert": [{"type": "icontains", "value": "n {{n}}"}]}
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def rows(url: str, query: str, *args) -> list[tuple]:
    """A query's rows in a PostgreSQL URL's or a SQLite file's database (``?`` placeholders)."""
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url) as conn:
            return [tuple(r) for r in conn.execute(query.replace("?", "%s"), args)]
    with sqlite3.connect(url) as conn:
        return conn.execute(query, args).fetchall()


def until(check, seconds: float = 30.0):
    """``check()``'s first truthy answer within ``seconds`` (an error counts as not yet)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except Exception:  # the tables are not made yet
            found = None
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("timed out")


def exactly_once(url: str, batch_id: str, total: int) -> None:
    """Every item of the batch done, each with its own run, and no other run under the batch id."""
    runs = rows(url, "SELECT uid FROM runs WHERE group_id = ?", batch_id)
    assert len(runs) == total and len(set(runs)) == total, len(runs)
    items = rows(url, "SELECT state, run_id FROM batch_items WHERE batch_id = ?", batch_id)
    assert len(items) == total and {s for s, _ in items} == {"done"} and len({r for _, r in items}) == total
