"""A batch's verdicts and case variables are kept beside its runs, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from comet.store import open_store


@pytest.fixture
def store(history_url):  # SQLite and PostgreSQL (tests/conftest.py)
    s = open_store(history_url)
    yield s
    s.close()


def report(text: str = "Lisbon") -> dict:
    return {"suite": "capitals", "summary": {"cases": 1, "targets": 1, "passed": 0, "failed": 1, "errors": 0},
            "results": [{"case": 1, "vars": {"country": "Portugal", "quote": "it's {{x}} é"}, "target": "gemini:m",
                         "ok": False, "text": text, "run": 7,
                         "assertions": [{"type": "icontains", "pass": False, "message": "no 'Lisbon' in the reply"}]}]}


def test_a_batch_report_round_trips_and_a_second_save_replaces_it(store):
    assert store.batch("bat-none") is None
    store.save_batch("bat-1", report())
    assert store.batch("bat-1") == report()
    store.save_batch("bat-1", report("Porto"))
    assert store.batch("bat-1")["results"][0]["text"] == "Porto"
    store.save_batch("bat-2", report("other"))
    assert store.batch("bat-1")["results"][0]["text"] == "Porto"


def test_a_known_key_in_a_batch_report_is_blanked(history_url):
    secret = "sk-typed-in-the-sidebar-4242"
    with open_store(history_url, secrets=[secret]) as store:
        store.save_batch("bat-k", report(f"echo {secret}"))
        kept = store.batch("bat-k")
    assert secret not in str(kept) and kept["results"][0]["text"].startswith("echo ")
