"""AppTest flows of judges and ratings on the real stack (app.py, client, the emulator as the
judge, the history): an llm-rubric added on the Batch page and run; *Ask a judge* under a
comparison (a verdict per column, one best, kept in History); a run rated good in History, seen
through the rating filter and the agreement figure."""

from __future__ import annotations

from app_support import no_exception, texts
from test_batch_page import add_assertion, open_batch, until_finished
from test_compare_history_pages import compare, open_page


def history():
    from comet.store import open_store

    return open_store()


def test_an_llm_rubric_added_on_the_batch_page_runs_with_the_judge_and_its_cost_apart(on_emulator):
    at = open_batch()
    add_assertion(at, "llm-rubric", 'says it is "emulated"')
    asserts = at.session_state["bat_asserts"]
    assert asserts[-1] == {"type": "llm-rubric", "value": 'says it is "emulated"'}
    at = until_finished(no_exception(at.button(key="bat_go").click().run()))
    run = at.session_state["bat_run"]
    judged = [v for r in run.results for v in r.verdicts if v.type == "llm-rubric"]
    assert judged and all(v.passed and v.judgement is not None for v in judged)
    assert all(v.judgement.judge.label == "Gemini native · gemini-2.5-flash" for v in judged)
    captions = texts(at, "caption")
    assert "Model-graded checks: the judges cost $" in captions
    assert "Judge agreement: no run has both a rating and a judge's verdict yet." in captions
    # a cell opened: what the judge was asked and said, and a rating of its run
    at.session_state["bat_matrix"] = {"selection": {"rows": [], "columns": [],
                                                    "cells": [(0, "OpenAI-compatible · gemini-2.5-flash")]}}
    at = no_exception(at.run())
    picked = next(r for r in run.results if r.target == 1)
    asked = next(v for v in picked.verdicts if v.type == "llm-rubric").judgement
    shown = [c.value for c in at.code]
    assert asked.prompt in shown and asked.raw in shown and picked.text in asked.prompt
    at = no_exception(at.button(key="bat_rate_good").click().run())
    assert [r.rating for r in history().ratings([picked.history_id])[picked.history_id]] == ["good"]
    assert "agrees with people on 1 of 1 rated runs (100%)" in texts(at, "markdown")  # the judge passed it too


def test_ask_a_judge_in_compare_gives_a_verdict_per_column_one_best_and_keeps_them(on_emulator):
    at = compare(open_page("pages/compare.py"), "Name two colours, please", models={1: "gemini-2.5-pro"})
    cmp = at.session_state["cmp_comparison"]
    assert cmp.finished
    at.text_area(key="cmp_judge_rubric").set_value('mentions "colours"').run()
    at = no_exception(at.button(key="cmp_judge_go").click().run())
    judged = at.session_state["cmp_judged"]
    assert set(judged["verdicts"]) == {0, 1} and all(j.passed and not j.error for j in judged["verdicts"].values())
    successes = texts(at, "success")
    assert successes.count("PASS · score 1: found 'colours' of the quoted words") == 2
    assert successes.count("★ Best: ") == 1
    longest = max(range(2), key=lambda i: len(cmp.lanes[i].text))
    assert judged["best"] == longest
    store = history()
    labels = sorted(r["label"] for r in store.page(group_id=cmp.group_id))  # the judge's requests are runs too
    assert labels == sorted([*(lane.planned.target.label for lane in cmp.lanes), "judge · llm-rubric",
                             "judge · llm-rubric", "judge · select-best"])
    kept = store.verdicts(group_id=cmp.group_id)
    assert sorted((v.kind, v.passed) for v in kept) == [("llm-rubric", True), ("llm-rubric", True),
                                                        ("select-best", False), ("select-best", True)]


def test_rating_a_run_good_in_history_changes_the_filter_and_the_agreement(on_emulator):
    at = compare(open_page("pages/compare.py"), "Name a fruit", models={1: "gemini-2.5-pro"})
    cmp = at.session_state["cmp_comparison"]
    at.text_area(key="cmp_judge_rubric").set_value('mentions "fruit" and "mango"').run()
    no_exception(at.button(key="cmp_judge_go").click().run())  # both fail: neither says mango
    store = history()
    run_id = next(v.run_id for v in store.verdicts(group_id=cmp.group_id) if v.kind == "llm-rubric")

    at = open_page("pages/history.py")
    assert "Judge agreement: no run has both a rating and a judge's verdict yet." in texts(at, "caption")
    at.multiselect(key="hist_rating").set_value(["good"]).run()
    assert no_exception(at).session_state["hist_page_ids"] == []
    at.multiselect(key="hist_rating").set_value([]).run()
    at.session_state["hist_selected"] = run_id
    at = no_exception(at.run())
    at.text_input(key=f"hist_rate_{run_id}_comment").set_value("clear and short").run()
    at = no_exception(at.button(key=f"hist_rate_{run_id}_good").click().run())
    assert any("Rated **good**" in c and "clear and short" in c for c in texts(at, "caption").split("\n"))
    at.multiselect(key="hist_rating").set_value(["good"]).run()
    assert no_exception(at).session_state["hist_page_ids"] == [run_id]
    assert "**Judge agreement**" in texts(at, "markdown")
    # the judge failed what a person liked
    assert rubric_line(at) == "Gemini native · gemini-2.5-flash (llm-rubric, “mentions \"fruit\" and \"mango\"”) " \
        "agrees with people on 0 of 1 rated runs (0%)"
    at.button(key=f"hist_rate_{run_id}_bad").click().run()
    assert rubric_line(no_exception(at)).endswith("agrees with people on 1 of 1 rated runs (100%)")


def rubric_line(at) -> str:
    lines = [line for line in texts(at, "markdown").split("\n") if "(llm-rubric, " in line]
    assert len(lines) == 1, lines
    return lines[0].strip()


def test_a_playground_reply_and_a_compare_column_are_rated_with_who_rated_them(app):
    app.text_area(key="pg_f_prompt").set_value("Rate me").run()
    at = no_exception(app.button(key="pg_send").click().run())
    at = no_exception(at.button(key="pg_rate_good").click().run())
    store = history()
    (row,) = store.page(rating="good")
    assert row["prompt_preview"] == "Rate me"
    (rating,) = store.ratings([row["id"]])[row["id"]]
    assert rating.rating == "good" and rating.rated_by  # the person of none mode: the OS login name

    at = compare(open_page("pages/compare.py"), "Rate a column")
    cmp = at.session_state["cmp_comparison"]
    at.text_input(key="cmp_rate_1_comment").set_value("too long").run()
    no_exception(at.button(key="cmp_rate_1_bad").click().run())
    (bad,) = store.page(rating="bad")
    assert bad["id"] == cmp.lanes[1].history_id and bad["rating_comment"] == "too long"
