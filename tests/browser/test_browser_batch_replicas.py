"""A batch started on the Batch page of one replica outlives its tab: two app replicas on one
PostgreSQL history, in a real browser. Run on replica one, close the page; on replica two,
*Recorded batches* shows it running (or done) with its progress; Stop cancels what had not
started and keeps what finished; Resume runs the rest on replica two, and every item ends done
exactly once."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from browser_support import Server, browser_page, pick, skip_without_browser, wait_idle
from queue_support import exactly_once, rows, until
from store_support import postgres_schema

playwright_api = skip_without_browser()
REPEAT = 50  # x the page's two default targets: 100 items, one at a time at 300 ms on replica one (30 s)


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """A PostgreSQL schema and two replicas on it, their emulators answering in 300 ms."""
    with postgres_schema() as url:
        slow = {"COMET_HISTORY_URL": url, "COMET_EMULATOR_TTFT_MS": "300", "COMET_EMULATOR_CHUNK_MS": "0"}
        one = Server(tmp_path_factory.mktemp("batch1"), **slow)
        two = Server(tmp_path_factory.mktemp("batch2"), **slow)
        try:
            yield url, one, two
        finally:
            one.stop()
            two.stop()


def loopback_only(page) -> None:
    page.route(lambda url: urlsplit(url).hostname not in ("127.0.0.1", "localhost"), lambda route: route.abort())


def set_number(page, key: str, value: int) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page)


def done(url: str) -> int:
    return rows(url, "SELECT count(*) FROM batch_items WHERE state = 'done'")[0][0]


def test_a_batch_outlives_its_tab_and_is_stopped_and_resumed_on_the_other_replica(team, browser):
    team_url, one, two = team
    with browser_page(browser, 40_000) as page:
        loopback_only(page)
        page.goto(one.url + "/batch")
        page.locator(".st-key-bat_go button").first.wait_for()
        set_number(page, "bat_repeat", REPEAT)
        set_number(page, "bat_concurrency", 1)
        page.locator(".st-key-bat_go button").first.click()
        until(lambda: done(team_url) >= 2, 60)
    # the tab is closed: the batch goes on in replica one's threads
    [(batch_id, total)] = rows(team_url, "SELECT id, total FROM batch_queue")
    assert total == 2 * REPEAT
    with browser_page(browser, 40_000) as other:
        loopback_only(other)
        other.goto(two.url + "/batch")
        other.get_by_text("Recorded batches").first.click()
        pick(other, "Batch", re.compile(re.escape(batch_id)))
        other.get_by_text(re.compile(r"^running: \d+ of 100 finished")).wait_for()
        assert 2 <= done(team_url) < total  # still running when replica two shows it
        other.locator(".st-key-bat_stored_stop button").first.click()
        other.get_by_text(re.compile(r"^stopped: \d+ of 100 finished")).wait_for()
        until(lambda: not rows(team_url, "SELECT count(*) FROM batch_items WHERE state = 'running'")[0][0], 30)
        kept = done(team_url)
        cancelled = rows(team_url, "SELECT count(*) FROM batch_items WHERE state = 'cancelled'")[0][0]
        assert kept + cancelled == total and cancelled > 0  # what finished stays; the rest waits
        other.locator(".st-key-bat_stored_resume button").first.click()
        other.get_by_text("done: 100 of 100 finished").wait_for(timeout=90_000)
    exactly_once(team_url, batch_id, total)
