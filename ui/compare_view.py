"""The Compare page's pieces: the request editor, the target picker and the side-by-side view.

The page script calls these in order. All comparison logic lives in :mod:`comet.runs.compare`;
here is only drawing. A running :class:`~comet.runs.compare.Comparison` is kept in
``st.session_state["cmp_comparison"]``: any rerun (Stop, a widget, returning to the page)
redraws the columns from what arrived so far and goes on streaming where it left off.
"""

from __future__ import annotations

from typing import Any, Sequence

import streamlit as st

from comet import Call, Route, simple_body
from comet.body import form as forms
from comet.core import formats
from comet.core.errors import CometError
from comet.core.exchange import Exchange
from comet.runs.compare import (DEFAULT_TARGETS, MAX_TARGETS, Comparison, Lane, Target, Update, diff_html, diff_ratio,
                                plan, word_diff)

from . import compare_table, editor, history_store, judge_view, suite_export, timeline
from .editor.variables import filled, unfilled
from .inert import inert
from .run.finished import metrics, request_lines, show_comet_error, show_error
from .run.live import StreamPane, retry_message

DEFAULT_PROMPT = "Explain in three sentences why the sky is blue."
THINKING = {"gemini": "thinking_budget", "openai": "reasoning_effort"}  # per the request's shape
REPAINT_S = 0.1  # the columns repaint at most this often while streaming
PAGE = editor.COMPARE
IN_TABLE = {"Input tokens", "Output tokens", "Cost", "TTFT", "Latency"}  # shown in the metrics table instead

ROUTE_VALUES = [r.value for r in Route]


def _route_label(value: str) -> str:
    return Route.parse(value).label


# ---- the request, written once -----------------------------------------------------------------
# The request is the page's editor value (ui.editor, under the cmp_ prefix); its route is the shape
# it is written in, and each target gets it converted to its own.

def _state() -> Any:
    return st.session_state


def _held(call: Call) -> editor.EditorState:
    """``call`` as Compare holds it: an OpenAI body without its model and stream (each target
    writes its own)."""
    held = editor.EditorState.of(call)
    if call.route is Route.OPENAI:
        held.body = {k: v for k, v in held.body.items() if k not in ("model", "stream")}
        held.json_text = editor.dump(held.body)
    return held


def set_request(call: Call) -> None:
    """Make ``call`` the Compare page's request (its route is the shape it is written in)."""
    editor.replace(PAGE, _held(call))


def _from_playground() -> None:
    played = editor.playground()
    if played is not None:
        set_request(filled(played))


def _field(name: str) -> dict[str, Any]:
    return dict(key=PAGE.field_key(name), on_change=editor.on_field, args=(PAGE, name))


def request_editor() -> Call:
    """Prompt, system instruction, a few settings and the whole body as JSON (turns and every
    other field). Returns the request in the route it is written in."""
    state = editor.load(PAGE, _held(Call(Route.GEMINI, DEFAULT_TARGETS[0].model,
                                         simple_body("gemini", DEFAULT_PROMPT), stream=True)))
    invalid = state.json_error is not None
    if editor.playground() is not None:
        st.button("Start from the Playground's request", key="cmp_from_playground", on_click=_from_playground,
                  help="copy the Playground's request (its route is kept)")
    st.text_area("Prompt", height=100, disabled=invalid, **_field("prompt"))
    st.text_input("System instruction", disabled=invalid, **_field("system"))
    c1, c2, c3 = st.columns(3)
    c1.number_input("Temperature", min_value=0.0, max_value=2.0, step=0.1, placeholder="model default",
                    disabled=invalid, **_field("temperature"))
    c2.number_input("Max output tokens", min_value=1, step=1, placeholder="model default", disabled=invalid,
                    **_field("max_output_tokens"))
    c3.toggle("Stream", key=PAGE.stream, on_change=editor.on_stream, args=(PAGE,))
    _thinking(state.route, invalid)
    editor.form_conflict(PAGE)
    with st.expander(f"Request JSON, {state.route.label} shape: turns and every other field"):
        editor.json_box(PAGE, "Body", height=220, label_visibility="collapsed")
    editor.json_error(state, key="cmp_json_err")
    return Call(state.route, DEFAULT_TARGETS[0].model, state.body, stream=state.stream)


def _thinking(source: Route, disabled: bool) -> None:
    """The request's own thinking control; targets on the other route get it converted
    (thinkingBudget <-> reasoning_effort, Google's table), as the translation table shows."""
    name = THINKING[source.value]
    spec = forms.SPECS[name]
    if source is Route.GEMINI:
        st.number_input(spec.label, min_value=-1, step=128, placeholder="model default", help=spec.help,
                        disabled=disabled, **_field(name))
    else:
        st.selectbox(spec.label, [None, *spec.options], format_func=lambda v: "model default" if v is None else v,
                     help=spec.help, disabled=disabled, **_field(name))


# ---- targets -----------------------------------------------------------------------------------

def _on_targets_change() -> None:
    s = _state()
    n = int(s["cmp_n"])
    targets = list(s["cmp_targets"])[:n]
    for i in range(n):
        default = targets[i] if i < len(targets) else DEFAULT_TARGETS[i % len(DEFAULT_TARGETS)]
        route = s.get(f"cmp_route_{i}", default.route.value)
        model = (s.get(f"cmp_model_{i}") or default.model).strip()
        target = Target(route, model)
        if i < len(targets):
            targets[i] = target
        else:
            targets.append(target)
    s["cmp_targets"] = targets


def target_picker(model_ids: Sequence[str]) -> list[Target]:
    """Up to six rows of route and model; the default pair is the same model on both routes."""
    s = _state()
    s.setdefault("cmp_targets", list(DEFAULT_TARGETS))
    targets: list[Target] = s["cmp_targets"]
    s.setdefault("cmp_n", len(targets))
    st.number_input("Targets", key="cmp_n", min_value=1, max_value=MAX_TARGETS, step=1,
                    on_change=_on_targets_change)
    _on_targets_change()  # rows added by the count get their defaults
    for i, target in enumerate(s["cmp_targets"]):
        s.setdefault(f"cmp_route_{i}", target.route.value)
        s.setdefault(f"cmp_model_{i}", target.model)
        options = list(dict.fromkeys([*model_ids, s[f"cmp_model_{i}"]]))
        c1, c2 = st.columns(2)  # wide enough for "OpenAI-compatible" in full
        c1.selectbox(f"Route {i + 1}", ROUTE_VALUES, key=f"cmp_route_{i}", format_func=_route_label,
                     on_change=_on_targets_change)
        c2.selectbox(f"Model {i + 1}", options, key=f"cmp_model_{i}", accept_new_options=True,
                     on_change=_on_targets_change)
    return list(s["cmp_targets"])


# ---- running -----------------------------------------------------------------------------------

def start(call: Call, targets: Sequence[Target], client: Any, *, history: Any, price: Any) -> Comparison | None:
    """Plan and start a comparison; the previous one, if still running, is stopped. A request
    that cannot be planned is shown as an error and nothing is sent."""
    s = _state()
    if unfilled(call.body):  # Compare sends the request as written
        st.error(inert(f"The variable {{{{{unfilled(call.body)[0]}}}}} has no value. Fill it in the Playground and "
                       "use Start from the Playground's request, or run cases of it on the Batch page."))
        return None
    previous = s.get("cmp_comparison")
    if previous is not None and not previous.finished:
        previous.stop()
    try:
        cmp = Comparison(plan(call, targets), client, history=history, price=price).start()
    except CometError as exc:  # shown like every other error: kind, message, fix, raw body
        show_comet_error(exc, key="cmp_start_err")
        return None
    except ValueError as exc:  # not a CometError: e.g. no targets
        st.error(inert(str(exc)))
        return None
    s["cmp_comparison"] = cmp
    return cmp


def current() -> Comparison | None:
    return _state().get("cmp_comparison")


def stop_current() -> None:
    cmp = current()
    if cmp is not None:
        cmp.stop()


# ---- results -----------------------------------------------------------------------------------

def _update(pane: StreamPane, status: Any, lane: Lane, u: Update) -> None:
    """Paint what ``lane`` holds that ``pane`` does not yet show. The text comes from the lane,
    not from ``u``: a run that Stop has replaced may still drain a few events before it ends."""
    new = lane.text[len(pane.text):]
    if u.retrying is not None:
        status.warning(retry_message(u.retrying))
    elif new and not pane.parts:
        status.empty()
    elif lane.thoughts and not pane.parts and (u.thoughts or u == Update()):  # new, or a fresh page
        status.caption("Thinking…")
    if new:
        pane.add(new)
    pane.flush()  # a finished target's column is redrawn whole by show()


def grid(n: int) -> list[int]:
    """Columns per row for ``n`` targets: one row up to three, then rows of two (four targets)
    or three (five or six), so six replies get a third of the page each, not a sixth."""
    if n <= 3:
        return [n]
    per_row = 2 if n == 4 else 3
    return [min(per_row, n - start) for start in range(0, n, per_row)]


def _lane_columns(n: int) -> list[Any]:
    cols: list[Any] = []
    for width in grid(n):
        cols += st.columns(max(width, grid(n)[0]))[:width]  # a short last row keeps the widths
    return cols


def show(cmp: Comparison | None) -> None:
    """The columns, the summary and the diff. While the comparison runs this loops, draining
    the merged event queue and repainting each column at most every ``REPAINT_S``; a column
    whose target is done is redrawn complete in place (note, reply, metrics), so every column
    is finished when the loop ends, with or without a rerun (Stop)."""
    if cmp is None:
        return
    labels = [lane.planned.target.label for lane in cmp.lanes]
    panes: dict[int, tuple[StreamPane, Any, Any]] = {}
    for i, (col, lane) in enumerate(zip(_lane_columns(len(cmp.lanes)), cmp.lanes)):
        with col, st.container(key=f"cmp_lane_{i}"):
            st.markdown(inert(f"**{lane.planned.target.label}**"))
            slot = st.empty()
            if lane.done:
                with slot.container():
                    _finished_lane(lane, i)
                continue
            with slot.container():
                status = st.empty()
                status.caption("Waiting for the first token…")
                panes[i] = (StreamPane(st.container()), status, slot)
                _update(panes[i][0], status, lane, Update())
    while panes:
        updates = cmp.drain(REPAINT_S)
        for i, (pane, status, slot) in list(panes.items()):
            # A lane is finished by its state, not by this run's events: when Stop reruns the page,
            # the run it replaces can drain a final event before it ends, and that run draws nothing.
            lane = cmp.lanes[i]
            if lane.done:
                with slot.container():
                    _finished_lane(lane, i)
                del panes[i]
            elif i in updates:
                _update(pane, status, lane, updates[i])
    summary_line(cmp, labels)
    compare_table.show(labels, cmp.exchanges, [lane.cost for lane in cmp.lanes])
    timeline.show_many([(label, lane.exchange) for label, lane in zip(labels, cmp.lanes)], key="cmp_timeline")
    for problem in cmp.save_errors:
        st.warning(inert(problem))
    diff_section(cmp, labels)
    judge_view.section(cmp)  # Ask a judge: a verdict per column, the best marked
    suite_export.download(cmp.exchanges, key="cmp_export_suite", name="comparison")


def metric_lines(items: Sequence[tuple[str, str]]) -> str:
    """(label, value) pairs as compact markdown lines, two to a line: narrow columns have no
    room for ``st.metric`` rows."""
    cells = [f"{label}: **{value}**" for label, value in items]
    return "  \n".join(" · ".join(cells[i:i + 2]) for i in range(0, len(cells), 2))


def _finished_lane(lane: Lane, i: int) -> None:
    ex: Exchange = lane.exchange  # type: ignore[assignment]
    if ex.error is not None:
        show_error(ex.error, key=f"cmp_err_{i}")
    elif ex.stopped:
        st.warning("Stopped: the partial text is kept.")
    elif ex.partial:
        st.warning("The stream ended early: the partial text is kept.")
    if lane.thoughts:
        with st.expander("Thoughts"):
            st.markdown(inert(lane.thoughts))
    if lane.text:
        st.markdown(inert(lane.text))
    st.markdown(inert(metric_lines([(k, v) for k, v in metrics(lane.exchange, lane.cost) if k not in IN_TABLE])))
    with st.expander("Request sent and how it was translated"):
        request_details(lane, ex.base_url)
    if lane.history_id is not None and not ex.stopped:
        with st.popover("Rate this reply", icon=":material/thumbs_up_down:"):
            judge_view.rating_controls(history_store.history(), lane.history_id, f"cmp_rate_{i}")


def request_details(lane: Lane, base_url: str) -> None:
    head, body = request_lines(lane.planned.call, base_url)
    st.code(head, language="http")
    st.json(body, expanded=True)
    if not lane.planned.report:
        st.caption("Sent as written: this target uses the route the request is written in.")
        return
    st.dataframe(
        [{"field": r.field, "status": r.status, "became": r.target or "", "how / why": r.note or ""}
         for r in lane.planned.report],
        hide_index=True, width="stretch",
        column_config={"status": st.column_config.TextColumn("status", help="mapped, approximated or dropped")})


def summary_line(cmp: Comparison, labels: Sequence[str]) -> None:
    summary = cmp.summary()
    slowest = max((lane.exchange.timing.latency_ms or 0) for lane in cmp.lanes if lane.exchange)
    lines = summary.lines(labels)
    if summary.wall_ms:
        lines.append(f"Wall time: {formats.ms(summary.wall_ms)} (slowest target {formats.ms(slowest)})")
    failed = sum(1 for lane in cmp.lanes if lane.exchange and not lane.exchange.ok)
    if failed:
        lines.append(f"{failed} of {len(cmp.lanes)} targets did not finish.")
    st.info(inert("  \n".join(lines)))


def diff_section(cmp: Comparison, labels: Sequence[str]) -> None:
    if len(cmp.lanes) < 2:
        return
    with st.expander("Word diff of two replies"):
        options = list(range(len(cmp.lanes)))
        c1, c2 = st.columns(2)
        a = c1.selectbox("From", options, index=0, key="cmp_diff_a", format_func=lambda i: labels[i])
        b = c2.selectbox("To", options, index=1, key="cmp_diff_b", format_func=lambda i: labels[i])
        ta, tb = cmp.lanes[a].text, cmp.lanes[b].text
        st.caption(f"{diff_ratio(ta, tb):.0%} of words alike; struck-through words are only in the first "
                   f"reply, highlighted words only in the second.")
        st.html(diff_html(word_diff(ta, tb)))
