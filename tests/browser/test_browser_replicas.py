"""Two app replicas on one PostgreSQL history, in a real browser: a run sent on one shows in the
other's History without a restart, and a draft link made on one opens on the other. Also the
container's entry command and healthcheck, run as they are written in the Dockerfile."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import Server, browser_page, skip_without_browser, wait_idle
from store_support import postgres_schema

playwright_api = skip_without_browser()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def team_url():
    with postgres_schema() as url:
        yield url


@pytest.fixture(scope="module")
def replicas(tmp_path_factory, team_url):
    one = Server(tmp_path_factory.mktemp("replica1"), COMET_HISTORY_URL=team_url)
    two = Server(tmp_path_factory.mktemp("replica2"), COMET_HISTORY_URL=team_url)
    yield one, two
    one.stop()
    two.stop()


def test_a_run_and_a_draft_made_on_one_replica_open_on_the_other(replicas, team_url, browser):
    from comet.store import open_store

    one, two = replicas
    size = {"width": 1500, "height": 1100}
    with browser_page(browser, 40_000, viewport=size) as page, \
            browser_page(browser, 40_000, viewport=size, accept_downloads=True) as other:
        page.goto(one.url + "/")
        page.locator(".st-key-pg_send button").first.wait_for()
        prompt = page.get_by_label("Prompt", exact=True)
        prompt.fill("sent on replica one")
        prompt.press("Tab")
        wait_idle(page)
        page.locator(".st-key-pg_send button").first.click()
        store = open_store(team_url)
        deadline = time.monotonic() + 30
        while store.count(search="replica one") == 0:
            assert time.monotonic() < deadline, "the run was not recorded"
            time.sleep(0.1)
        store.close()
        draft = re.search(r"[?&]draft=([^&]+)", page.url).group(1)

        other.goto(two.url + "/history")
        other.get_by_text(re.compile(r"^1 runs? match")).wait_for()  # no restart: the shared database
        with other.expect_download() as info:
            other.locator(".st-key-hist_export_json button").first.click()
        rows = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
        assert [r["prompt"] for r in rows] == ["sent on replica one"]

        other.goto(f"{two.url}/?draft={draft}")
        other.get_by_label("Prompt", exact=True).wait_for()  # the page may take a while on a busy machine
        playwright_api.expect(other.get_by_label("Prompt", exact=True)).to_have_value("sent on replica one",
                                                                                       timeout=30_000)
        html = other.content() + page.content()
    password = re.match(r"postgresql://[^:]+:([^@]+)@", team_url).group(1)
    assert password not in html
    for server in (one, two):
        assert password not in server.log.read_text(errors="replace")


def _dockerfile_json(instruction: str) -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    return json.loads(re.search(rf"^{instruction} (\[.*\])$", text, re.M).group(1))


def test_the_container_entry_command_serves_and_passes_its_healthcheck(tmp_path, team_url):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [a.replace("8501", str(port)).replace("0.0.0.0", "127.0.0.1") for a in _dockerfile_json("CMD")]
    assert command[:3] == ["streamlit", "run", "app.py"]
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    health = re.search(r"CMD (python -c .*)$", text, re.M).group(1).replace("8501", str(port))
    log = open(tmp_path / "entry.log", "wb")
    proc = subprocess.Popen(["python", "-m", *command], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**__import__("os").environ, "COMET_HISTORY_URL": team_url})
    try:
        deadline = time.monotonic() + 40
        while subprocess.run(shlex.split(health), capture_output=True).returncode != 0:
            assert time.monotonic() < deadline, (tmp_path / "entry.log").read_text()
            time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as r:
            assert r.read() == b"ok"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
