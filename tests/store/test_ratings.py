"""Human ratings and judge verdicts on SQLite and PostgreSQL: a rating per person and run (again
replaces it), the run's row showing the latest for History's filter and the exports, verdicts
kept with their comparison, and the agreement between judge and people with its count."""

from __future__ import annotations

import pytest

from comet import Call, simple_body
from comet.core.exchange import Exchange, Timing
from comet.store import open_store
from comet.store.ratings import RatingError, Verdict


@pytest.fixture
def store(history_url):  # SQLite and PostgreSQL (tests/conftest.py)
    s = open_store(history_url)
    yield s
    s.close()


def runs(store, n: int, group_id: str = "cmp-1") -> list[int]:
    call = Call("gemini", "gemini-2.5-flash", simple_body("gemini", "hi"))
    return [store.record(Exchange(call, "http://x", 200, None, None, Timing(started_at=1.0 + i)), group_id=group_id,
                         label=f"target {i}") for i in range(n)]


def test_a_rating_is_kept_per_person_replaced_when_rated_again_and_filters_and_exports(store):
    a, b, c = runs(store, 3)
    store.rate(a, "good", comment="clear", by="ann@example.com")
    store.rate(a, "bad", comment="  wrong after all ", by="ann@example.com")
    store.rate(a, "good", by="bob@example.com")
    store.rate(b, "bad", by="ann@example.com")
    kept = store.ratings([a, b, c])
    assert [(r.rating, r.rated_by) for r in kept[a]] == [("good", "bob@example.com"), ("bad", "ann@example.com")]
    assert kept[a][1].comment == "wrong after all" and c not in kept
    assert [r["id"] for r in store.page(rating="good")] == [a]  # the latest rating is on the run's row
    assert [r["id"] for r in store.page(rating="bad")] == [b]
    assert store.count(rating=["good", "bad"]) == 2
    exported = {r["id"]: (r["rating"], r["rating_comment"]) for r in store.export_rows()}
    assert exported == {a: ("good", ""), b: ("bad", ""), c: (None, None)}
    assert "rating,rating_comment" in store.export("csv").splitlines()[0]


def test_a_bad_rating_or_an_unknown_run_writes_nothing(store):
    (a,) = runs(store, 1)
    with pytest.raises(RatingError, match="'good' or 'bad'"):
        store.rate(a, "meh")
    with pytest.raises(RatingError, match="over the limit"):
        store.rate(a, "good", comment="x" * 5000)
    with pytest.raises(KeyError):
        store.rate(a + 100, "good")
    assert store.ratings([a]) == {} and store.count(rating="good") == 0


def test_agreement_counts_rated_runs_per_judge_and_rubric(store):
    a, b, c, d = runs(store, 4)
    judge, other = "Gemini native · gemini-2.5-pro", "OpenAI-compatible · gemini-2.5-flash"
    store.save_verdicts([Verdict(a, judge, "llm-rubric", "is polite", True, "ok", 0.9, "cmp-1"),
                         Verdict(b, judge, "llm-rubric", "is polite", False, "rude", 0.1, "cmp-1"),
                         Verdict(c, judge, "llm-rubric", "is polite", True, "ok", 1.0, "cmp-1"),
                         Verdict(d, judge, "llm-rubric", "is polite", True, "unrated", 1.0, "cmp-1"),
                         Verdict(a, other, "select-best", "clearest", True, "longest", None, "cmp-1")])
    assert store.agreement() == []  # nobody rated anything yet
    store.rate(a, "good")
    store.rate(b, "good")
    store.rate(c, "bad")
    found = {(x.judge, x.criterion): x for x in store.agreement()}
    assert (found[(judge, "is polite")].runs, found[(judge, "is polite")].agree) == (3, 1)
    assert found[(judge, "is polite")].said() == "agrees with people on 1 of 3 rated runs (33%)"
    assert (found[(other, "clearest")].runs, found[(other, "clearest")].agree) == (1, 1)
    store.rate(c, "good")  # changing one's mind changes the figure
    assert [(x.runs, x.agree) for x in store.agreement(group_id="cmp-1") if x.judge == judge] == [(3, 2)]
    assert store.agreement(group_id="cmp-other") == []
    assert [v.reason for v in store.verdicts(run_ids=[a])] == ["ok", "longest"]
    assert len(store.verdicts(group_id="cmp-1")) == 5


def test_a_recorded_batchs_judged_checks_are_verdicts_and_agreement_follows_ratings(store, emulator):
    from comet import Client
    from comet.runs.batch import Batch, keep, parse, plan
    from comet.runs.compare import pricer

    suite = parse({"request": {"route": "gemini", "model": "gemini-2.5-flash",
                               "body": {"contents": [{"role": "user", "parts": [{"text": "About {{country}}"}]}]}},
                   "cases": [{"vars": {"country": "Peru"}}, {"vars": {"country": "Chad"}}],
                   "assert": [{"type": "llm-rubric", "value": 'names "{{country}}" and "Lima"'}]})
    with Client(emulator.base_url, "sk-x") as client:
        run = Batch(suite, plan(suite), client, history=store, price=pricer(client.models()))
        run.run()
    assert keep(run) is None
    judged = [r for r in store.page(group_id=run.batch_id) if r["label"] == "judge · llm-rubric"]
    assert len(judged) == 2 and all(r["cost"] > 0 for r in judged)  # what the judge spent is in History too
    verdicts = store.verdicts(group_id=run.batch_id)
    assert sorted(v.passed for v in verdicts) == [False, False]  # neither reply says Lima
    assert {(v.judge, v.criterion) for v in verdicts} == {("Gemini native · gemini-2.5-flash",
                                                          'names "{{country}}" and "Lima"')}
    first, second = sorted(v.run_id for v in verdicts)
    store.rate(first, "bad")
    assert [(a.runs, a.agree) for a in store.agreement(group_id=run.batch_id)] == [(1, 1)]
    store.rate(second, "good")
    assert [(a.runs, a.agree) for a in store.agreement(group_id=run.batch_id)] == [(2, 1)]
    assert keep(run) is None  # saved again: its verdicts replaced, not doubled
    assert len(store.verdicts(group_id=run.batch_id)) == 2
