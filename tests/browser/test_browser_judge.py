"""Judges and ratings in a real browser (``streamlit run app.py`` in demo mode, the emulator as the
judge, Debian's chromium through Playwright): an llm-rubric added on the Batch page and run;
*Ask a judge* under a comparison showing a verdict per column and one best; a run rated good in
History, seen through the rating filter and the judge agreement figure."""

from __future__ import annotations

import re

import pytest
from browser_support import Server, pick, skip_without_browser, wait_idle
from playwright.sync_api import expect

pytestmark = [pytest.mark.viewport(1500, 1100), pytest.mark.shared_page]
playwright_api = skip_without_browser()

RUBRIC = 'mentions "colours"'


def visit(page, server: Server, path: str) -> None:
    page.goto(server.url + path)
    page.get_by_text("Demo · emulator").first.wait_for()  # the sidebar's status chip
    wait_idle(page)


def test_an_llm_rubric_added_on_the_batch_page_runs(server, page):
    visit(page, server, "/batch")
    pick(page, "Assertion", "llm-rubric")
    value = page.get_by_label("Value (text, {{variable}}, a number, or a JSON schema)")
    value.fill('says it is "emulated"')
    value.press("Enter")
    wait_idle(page)
    page.locator(".st-key-bat_assert_add button").first.click()
    wait_idle(page)
    page.locator(".st-key-bat_go button").first.click()
    page.get_by_text(re.compile(r"^2 passed, 0 failed, 0 errors")).wait_for()  # one case on two targets
    page.get_by_text(re.compile(r"^Model-graded checks: the judges cost \$")).wait_for()
    assert "no run has both a rating and a judge's verdict yet" in page.locator(".st-key-bat_agreement").inner_text()


def test_ask_a_judge_in_compare_shows_a_verdict_per_column_and_one_best(server, page):
    visit(page, server, "/compare")
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("Name two colours")
    prompt.press("Tab")
    wait_idle(page)
    page.locator(".st-key-cmp_run button").first.click()
    page.get_by_text("Fastest first token:").first.wait_for()
    wait_idle(page)  # the finished comparison's redraw, before the expander is opened
    page.get_by_text("Ask a judge", exact=True).first.click()
    rubric = page.locator(".st-key-cmp_judge_rubric textarea")
    rubric.fill(RUBRIC)
    rubric.press("Tab")
    wait_idle(page)
    go = page.locator(".st-key-cmp_judge_go button").first
    expect(go).to_be_enabled()  # the server has the rubric (on a busy machine its rerun may start late)
    go.click()
    page.locator(".st-key-cmp_verdict_1").wait_for()
    verdicts = [page.locator(f".st-key-cmp_verdict_{i}").inner_text() for i in (0, 1)]
    assert all("PASS · score 1: found 'colours' of the quoted words" in v for v in verdicts)
    assert sum(v.count("★ Best") for v in verdicts) == 1


def agreement_line(page) -> str:
    figure = page.locator(".st-key-hist_agreement")
    figure.wait_for()
    lines = [line for line in figure.inner_text().splitlines() if f"(llm-rubric, “{RUBRIC}”)" in line]
    return lines[0] if lines else ""


def test_rate_a_run_good_in_history_and_see_the_filter_and_agreement_change(server, page):
    from comet.store import open_store

    with open_store(f"sqlite:///{server.history}") as store:  # the run the judge graded above
        run_id = next(v.run_id for v in store.verdicts() if v.kind == "llm-rubric" and v.criterion == RUBRIC)
    visit(page, server, "/history")
    assert agreement_line(page) == ""  # judged, not yet rated
    pick(page, "Run", re.compile(rf"^#{run_id} "))
    page.locator(".st-key-hist_detail").wait_for()
    pick(page, "Rating", "good")
    page.get_by_text(re.compile(r"^0 runs match")).wait_for()
    box = page.locator(f".st-key-hist_rate_{run_id}_rating")
    box.get_by_label("Comment (optional)").fill("clear")
    box.get_by_label("Comment (optional)").press("Tab")
    wait_idle(page)
    box.get_by_role("button", name="Good").click()
    wait_idle(page)
    page.get_by_text(re.compile(r"^1 run matches")).wait_for()  # the rating filter now finds it
    assert agreement_line(page).endswith("agrees with people on 1 of 1 rated runs (100%)")
    box.get_by_role("button", name="Bad").click()
    wait_idle(page)
    page.get_by_text(re.compile(r"^0 runs match")).wait_for()
    assert agreement_line(page).endswith("agrees with people on 0 of 1 rated runs (0%)")
