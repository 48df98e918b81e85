"""A team deployment in Chromium: header mode (Playwright's extra headers stand in for the
proxy), two replicas sharing one PostgreSQL history, the deployment's key on an emulator, and a
small spending limit. Each person sees the other's runs under Everyone with the right By; neither
can delete the other's run (it is still there afterwards), an admin can; a label one moves on the
other's prompt says who moved it; once a person's spend has reached the limit a send is refused on either replica and the emulator
receives nothing, while a key typed in the sidebar sends anyway."""

from __future__ import annotations

import re
import time

import pytest
from browser_support import Server, browser_page, pick, skip_without_browser, wait_idle
from store_support import postgres_schema

from comet import Call, Route, simple_body
from comet.core.identity import Identity

skip_without_browser()

SECRET = "team-proxy-secret-41"
ANA, BO, BOSS = "ana@team.example", "bo@team.example", "boss@team.example"


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """(replica one, replica two, the store URL, the emulator standing in for CometAPI)."""
    from comet.emulator import Emulator

    emu = Emulator(ttft_ms=1, chunk_ms=1).start()
    with postgres_schema() as url:
        env = dict(COMET_AUTH="header", COMET_AUTH_PROXY_SECRET=SECRET, COMET_ALLOWED_USERS="@team.example",
                   COMET_ADMINS=BOSS, COMET_HISTORY_URL=url, COMETAPI_BASE_URL=emu.base_url,
                   COMETAPI_KEY="team-key", COMET_USER_BUDGET_USD="0.000001")
        one = Server(tmp_path_factory.mktemp("team1"), **env)
        two = Server(tmp_path_factory.mktemp("team2"), **env)
        try:
            yield one, two, url, emu
        finally:
            one.stop()
            two.stop()
            emu.stop()


def _as(browser, email):
    return browser_page(browser, 40_000, viewport={"width": 1500, "height": 1100},
                        extra_http_headers={"X-Forwarded-Email": email, "X-Comet-Proxy-Secret": SECRET})


def _generated(emu) -> list[str]:
    return [r.path for r in emu.received if not r.path.rstrip("/").endswith("models")]


def _send(page, url, prompt):
    page.goto(url + "/")
    page.locator(".st-key-pg_send button").first.wait_for()
    box = page.get_by_label("Prompt", exact=True)
    box.fill(prompt)
    box.press("Tab")
    wait_idle(page)
    page.locator(".st-key-pg_send button").first.click()
    wait_idle(page)


def _recorded(url, prompt):
    from comet.store import open_store

    with open_store(url) as store:
        deadline = time.monotonic() + 30
        while not store.page(search=prompt):
            assert time.monotonic() < deadline, f"{prompt!r} was not recorded"
            time.sleep(0.1)
        return store.page(search=prompt)[0]


def _open_run(page, url, run_id):
    page.goto(url + "/history")
    page.get_by_text(re.compile(r"runs? match")).first.wait_for()
    pick(page, "Run", re.compile(rf"^#{run_id} ·"))
    page.get_by_text(f"Run #{run_id}", exact=True).wait_for()


def _delete_run(page):
    page.get_by_role("button", name="Delete", exact=True).click()
    page.locator(".st-key-hist_delete button").click()
    wait_idle(page)


def test_two_people_on_two_replicas_see_each_other_and_only_their_own_can_be_deleted(browser, team):
    from comet.store import open_store
    from comet.store.owners import Owned

    one, two, url, emu = team
    with _as(browser, ANA) as ana, _as(browser, BO) as bo:
        _send(ana, one.url, "ana asks on replica one")
        _send(bo, two.url, "bo asks on replica two")
        ana_run, bo_run = _recorded(url, "ana asks"), _recorded(url, "bo asks")
        assert (ana_run["created_by"], bo_run["created_by"]) == (ANA, BO)

        bo.goto(two.url + "/history")  # Everyone is the default: both runs, each with its By
        bo.get_by_text("2 runs match", exact=False).wait_for()
        pick(bo, "By", "Mine")
        bo.get_by_text("1 run matches", exact=False).wait_for()

        _open_run(bo, two.url, ana_run["id"])
        bo.get_by_text(f"by {ANA}").wait_for()  # whose run it is, on the other replica
        _delete_run(bo)
        bo.get_by_text(f"you are signed in as {BO}").wait_for()  # refused, on the page
        with open_store(url) as store:
            assert store.get(ana_run["id"]) is not None
            Owned(store, Identity(ANA)).save_prompt("ana's haiku", Call(
                Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "a haiku")))

        bo.goto(two.url + "/")  # a prompt's versions are never deleted; a label bo moves says it is his
        bo.get_by_text("Prompt library", exact=True).click()
        pick(bo, "Saved prompt", "ana's haiku")
        label = bo.get_by_role("textbox", name="Label", exact=True)
        label.fill("bo-trial")
        label.press("Tab")
        wait_idle(bo)
        bo.locator(".st-key-pst_move button").first.click()
        bo.get_by_text("Moved “bo-trial” to v1 of ana's haiku.").wait_for()
        with open_store(url) as store:
            (move,) = store.label_moves("ana's haiku")
            assert move.moved_by == BO and store.resolve_prompt("ana's haiku").created_by == ANA

    with _as(browser, BOSS) as boss:
        _open_run(boss, one.url, ana_run["id"])
        _delete_run(boss)
        boss.get_by_text(f"Run #{ana_run['id']} deleted.").wait_for()
        boss.goto(one.url + "/usage")
        boss.get_by_text("Deletes", exact=True).wait_for()  # the log, for admins
    from comet.store.owners import deletes

    with open_store(url) as store:
        assert store.get(ana_run["id"]) is None and store.get(bo_run["id"]) is not None
        assert [(d["who"], d["what"], d["owner"]) for d in deletes(store)] == [(BOSS, str(ana_run["id"]), ANA)]


def test_once_the_limit_is_reached_either_replica_refuses_and_a_typed_key_still_sends(browser, team):
    one, two, url, emu = team
    with _as(browser, "cy@team.example") as cy:
        _send(cy, one.url, "cy spends on replica one")  # nothing spent yet: below the limit, it goes out
        _recorded(url, "cy spends")
        emu.clear()
        for server in (one, two):
            _send(cy, server.url, "cy over the limit")
            said = cy.get_by_text("Spending limit reached").first
            said.wait_for()
            text = said.inner_text()
            assert re.search(r"spent \$\d+\.\d{4} of your \$0\.00", text) and "leaves the 24-hour window at" in text
        assert _generated(emu) == []

        field = cy.get_by_label("API key (this browser session only)", exact=True)  # this tab's session, on replica two
        field.fill("cy-own-key")
        field.press("Enter")
        wait_idle(cy)
        cy.get_by_text("key from this session").first.wait_for()
        prompt = cy.get_by_label("Prompt", exact=True)
        prompt.fill("cy on her own key")
        prompt.press("Tab")
        wait_idle(cy)
        cy.locator(".st-key-pg_send button").first.click()
        _recorded(url, "own key")
        assert len(_generated(emu)) == 1
