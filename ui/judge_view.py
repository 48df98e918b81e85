"""Judges and people on the pages: *Ask a judge* under a finished comparison, good / bad ratings
on a run (Playground reply, History run, Compare column, Batch cell), and how often a judge
agrees with people (Batch summary, History).

*Ask a judge* sends one ``llm-rubric`` request per column and one ``select-best`` over all the
columns (:mod:`comet.runs.judge`), at once, through the page's client; each column gets a verdict
with its score and reason, the best is marked, and the verdicts are saved with the comparison's
runs in History (``Store.save_verdicts``), where they count towards the agreement figure once
someone rates those runs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Sequence

import streamlit as st

from comet.core import formats
from comet.core.call import Route
from comet.runs import judge as judging
from comet.runs.compare import Comparison, Target
from ui.inert import inert

JUDGED = "cmp_judged"  # session key: the verdicts of the comparison on screen
RATING_WORDS = {"good": "Good", "bad": "Bad"}


# ---- Ask a judge (Compare) -------------------------------------------------------------------------

def _spec(kind: str, text: str, judge: Target) -> judging.Spec:
    return judging.Spec(kind, text, judge, judging.TEMPLATES[kind], written=text)


def ask(cmp: Comparison, client: Any, rubric: str, judge: Target, price: Any = None,
        history: Any = None) -> dict[str, Any]:
    """Every column's llm-rubric verdict and the select-best choice among them (columns that
    failed are left out), asked at once; what :func:`show_verdicts` draws. Each judge request is
    recorded in ``history`` with the comparison (its spend counts like a run's)."""
    record = None if history is None else (
        lambda exchange, cost, label: history.record(exchange, group_id=cmp.group_id, label=label, cost=cost))
    asker = judging.Asker(client, price, record=record)
    texts = [lane.text if lane.exchange is not None and lane.exchange.ok else None for lane in cmp.lanes]
    rubric_spec, best_spec = _spec("llm-rubric", rubric, judge), _spec("select-best", rubric, judge)
    shown = [i for i, t in enumerate(texts) if t is not None]
    with ThreadPoolExecutor(max_workers=len(shown) + 1, thread_name_prefix="judge") as pool:
        graded = {i: pool.submit(asker.grade, rubric_spec, texts[i]) for i in shown}
        best = pool.submit(asker.best, best_spec, [texts[i] for i in shown]) if len(shown) > 1 else None
        verdicts = {i: future.result() for i, future in graded.items()}
        chosen = best.result() if best is not None else None
    best_index = shown[chosen.choice - 1] if chosen is not None and not chosen.error else None
    return {"group_id": cmp.group_id, "rubric": rubric, "judge": judge.label, "verdicts": verdicts,
            "best": best_index, "choice": chosen}


def save(history: Any, cmp: Comparison, judged: dict[str, Any]) -> str | None:
    """The verdicts kept with the comparison's runs in History; None, or what went wrong."""
    from comet.store.ratings import Verdict

    if history is None:
        return "History is off, so these verdicts are not kept"
    ids = _run_ids(history, cmp)
    found = []
    for i, judgement in judged["verdicts"].items():
        if ids.get(i) is not None and not judgement.error:
            found.append(Verdict(ids[i], judged["judge"], "llm-rubric", judged["rubric"], judgement.passed,
                                 judgement.reason, judgement.score, cmp.group_id))
    choice = judged["choice"]
    if choice is not None and not choice.error:
        found += [Verdict(ids[i], judged["judge"], "select-best", judged["rubric"], i == judged["best"],
                          choice.reason, None, cmp.group_id) for i in judged["verdicts"] if ids.get(i) is not None]
    try:
        history.save_verdicts(found)
    except Exception as exc:  # the verdicts stay on screen
        return f"the verdicts were not kept in History ({exc})"
    return None


def _run_ids(history: Any, cmp: Comparison) -> dict[int, int | None]:
    """Each column's stored run: its id from the run, else found by the comparison and label."""
    by_label = {}
    if any(lane.history_id is None for lane in cmp.lanes):
        by_label = {row["label"]: row["id"] for row in history.page(group_id=cmp.group_id, limit=500)}
    return {i: lane.history_id or by_label.get(lane.planned.target.label) for i, lane in enumerate(cmp.lanes)}


def _judge_picker(model_ids: Sequence[str], key: str) -> Target:
    left, right = st.columns([1, 2])
    route = left.selectbox("Judge route", [r.value for r in Route], key=f"{key}_route",
                           format_func=lambda v: Route.parse(v).label)
    ids = list(model_ids) or [judging.DEFAULT_JUDGE.model]
    default = ids.index(judging.DEFAULT_JUDGE.model) if judging.DEFAULT_JUDGE.model in ids else 0
    model = right.selectbox("Judge model", ids, index=default, key=f"{key}_model")
    return Target(Route.parse(route), model)


def section(cmp: Comparison | None) -> None:
    """*Ask a judge* under a finished comparison, and its verdicts once asked."""
    if cmp is None or not cmp.finished:
        return
    judged = st.session_state.get(JUDGED)
    if judged is not None and judged["group_id"] != cmp.group_id:
        judged = st.session_state[JUDGED] = None  # verdicts of an earlier comparison
    with st.expander("Ask a judge", expanded=judged is not None):
        _ask_form(cmp)
        judged = st.session_state.get(JUDGED)
        if judged is not None:
            show_verdicts(cmp, judged)


def _ask_form(cmp: Comparison) -> None:
    from ui import history_store, spending
    from ui.connection import current, listed_models

    conn = current()
    catalog = listed_models(conn)
    rubric = st.text_area("Rubric or criterion", key="cmp_judge_rubric",
                          placeholder='e.g. Answers in one sentence and names "Lisbon"',
                          help="each column is graded against it (pass, score and reason), and the judge "
                               "picks the column that meets it best")
    judge = _judge_picker([m.id for m in catalog], "cmp_judge")
    with st.popover("The judge's prompts"):
        st.caption("What the judge is sent: {{rubric}} / {{criterion}} is the text above, {{output}} a "
                   "column's reply, {{outputs}} every reply, numbered.")
        for kind in ("llm-rubric", "select-best"):
            st.code(judging.TEMPLATES[kind], language="text", wrap_lines=True)
    if not st.button("Ask the judge", key="cmp_judge_go", type="primary", disabled=not rubric.strip()):
        return
    if not spending.allowed(conn, catalog):
        return
    from comet.runs.compare import pricer

    with st.spinner(f"Asking {judge.label}…"):
        judged = ask(cmp, conn.client(), rubric.strip(), judge, pricer(catalog), history_store.queued())
    st.session_state[JUDGED] = judged
    problem = save(history_store.history(), cmp, judged)
    if problem:
        st.warning(inert(problem))


def show_verdicts(cmp: Comparison, judged: dict[str, Any]) -> None:
    """A verdict per column (pass or fail, score and reason; errors with the judge's raw reply),
    the best marked."""
    st.caption(inert(f"{judged['judge']} on: {judged['rubric']}"))
    cols = st.columns(len(cmp.lanes))
    spent = [j.cost_usd for j in [*judged["verdicts"].values(), judged["choice"]] if j is not None and j.cost_usd]
    for i, (col, lane) in enumerate(zip(cols, cmp.lanes)):
        with col, st.container(key=f"cmp_verdict_{i}"):
            st.markdown(inert(f"**{lane.planned.target.label}**"))
            judgement = judged["verdicts"].get(i)
            if judgement is None:
                st.caption("Not judged: this target did not finish.")
                continue
            if i == judged["best"]:
                st.success("★ Best: " + inert(judged["choice"].reason), icon=":material/trophy:")
            _one(judgement, f"cmp_verdict_raw_{i}")
    choice = judged["choice"]
    if choice is not None and choice.error:
        st.warning(inert(f"No best picked: {choice.reason}"))
    if spent:
        st.caption(f"The judge cost {formats.usd(sum(spent))} (apart from the runs' cost).")


def _one(judgement: judging.Judgement, key: str) -> None:
    if judgement.error:
        st.error(inert(f"ERROR · {judgement.reason}"))
        with st.popover("The judge's reply"):
            st.code(judgement.raw or "(nothing)", language="text", wrap_lines=True)
        return
    word = "PASS" if judgement.passed else "FAIL"  # the reason starts with the score
    (st.success if judgement.passed else st.error)(inert(f"{word} · {judgement.reason}"))


# ---- ratings ---------------------------------------------------------------------------------------

def rating_controls(history: Any, run_id: int | None, key: str) -> None:
    """Good / Bad and an optional comment on a stored run; the latest rating, and who gave it."""
    if history is None or run_id is None:
        return
    from comet.store.ratings import RatingError

    mine = history.ratings([run_id]).get(run_id, [])
    with st.container(key=f"{key}_rating"):
        if mine:
            last = mine[0]
            said = f"Rated **{RATING_WORDS[last.rating].lower()}**" + (f" by {last.rated_by}" if last.rated_by else "")
            st.caption(inert(said + (f": {last.comment}" if last.comment else "")))
        comment = st.text_input("Comment (optional)", key=f"{key}_comment", placeholder="why, in a few words")
        good, bad = st.columns(2)
        for col, rating, icon in ((good, "good", ":material/thumb_up:"), (bad, "bad", ":material/thumb_down:")):
            if col.button(RATING_WORDS[rating], key=f"{key}_{rating}", icon=icon, width="stretch"):
                try:
                    history.rate(run_id, rating, comment=comment)
                except (RatingError, KeyError) as exc:
                    st.error(inert(str(exc).strip("'\"")))
                else:
                    st.rerun()


def rate_reply(result_key: str) -> None:
    """The Playground's reply: rate the run it was recorded as."""
    from ui import history_store
    from ui.run import runner

    run_id = runner.recorded(result_key)
    if run_id is not None:
        with st.popover("Rate this reply", icon=":material/thumbs_up_down:"):
            rating_controls(history_store.history(), run_id, "pg_rate")


def run_panel(history: Any, run_id: int) -> None:
    """A stored run's rating controls, and every verdict a judge gave it."""
    st.caption("Your rating")
    rating_controls(history, run_id, f"hist_rate_{run_id}")
    for v in history.verdicts(run_ids=[run_id]):
        word = "BEST" if v.kind == "select-best" and v.passed else "PASS" if v.passed else "FAIL"
        st.caption(inert(f"{v.judge} · {v.kind} “{_short(v.criterion)}”: {word} · {v.reason}"))


def agreement(history: Any, *, group_id: Any = None, key: str = "agreement") -> None:
    """How often each judge agrees with people's ratings, per judge model and rubric, with the
    count behind it; nothing while no judged run is rated."""
    if history is None:
        return
    found = history.agreement(group_id=group_id)
    with st.container(key=key):
        if not found:
            st.caption("Judge agreement: no run has both a rating and a judge's verdict yet.")
            return
        lines = [f"{a.judge} ({a.kind}, “{_short(a.criterion)}”) {a.said()}" for a in found]
        st.markdown(inert("**Judge agreement**  \n" + "  \n".join(lines)))


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"


# ---- Batch ------------------------------------------------------------------------------------------

def batch_summary(run: Any) -> None:
    """Under a finished batch's summary: the judges' cost apart from the runs', and how often the
    batch's judges agree with people's ratings of its runs."""
    from comet.runs.batch.report import judge_costs
    from ui import history_store

    spent = judge_costs(run.results)
    if not spent:
        return
    st.caption(f"Model-graded checks: the judges cost {formats.usd(spent['judge_cost_usd'])} "
               f"({formats.count(spent['judge_usage'].get('total_tokens'))} tokens) on top of the runs' "
               f"{formats.usd(spent['run_cost_usd'])}: {formats.usd(spent['cost_usd'])} in all.")
    if run.history is not None:
        agreement(history_store.history(), group_id=run.batch_id, key="bat_agreement")


def result_extras(result: Any) -> None:
    """Under one Batch result: what each judge was asked and answered, and a rating of the run."""
    from ui import history_store

    asked = [v for v in result.verdicts if v.judgement is not None]
    if asked:
        with st.popover("What the judge was asked", icon=":material/gavel:"):
            for v in asked:
                st.caption(inert(f"{v.type} · {v.judgement.judge.label}"))
                st.code(v.judgement.prompt, language="text", wrap_lines=True)
                st.caption("It answered")
                st.code(v.judgement.raw or "(nothing)", language="json", wrap_lines=True)
    if result.history_id is not None:
        with st.popover("Rate this run", icon=":material/thumbs_up_down:"):
            rating_controls(history_store.history(), result.history_id, "bat_rate")

