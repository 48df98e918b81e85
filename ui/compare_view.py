"""The Compare page's pieces: the request editor, the target picker and the side-by-side view.

The page script calls these in order. All comparison logic lives in :mod:`comet.runs.compare`;
here is only drawing. A running :class:`~comet.runs.compare.Comparison` is kept in
``st.session_state["cmp_comparison"]``: any rerun (Stop, a widget, returning to the page)
redraws the columns from what arrived so far and goes on streaming where it left off.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

import streamlit as st

from comet import Call, Route, simple_body
from comet.body import form as forms
from comet.core.errors import CometError, ErrorInfo
from comet.core.exchange import Exchange
from comet.runs.compare import (DEFAULT_TARGETS, MAX_TARGETS, Comparison, Lane, Target, Update, diff_html, diff_ratio,
                                plan, word_diff)

from . import suite_export, timeline
from .reply import StreamPane, metrics, request_lines, retry_message, show_comet_error, show_error
from .variables import filled, unfilled

DEFAULT_PROMPT = "Explain in three sentences why the sky is blue."
FORM_FIELDS = ("prompt", "system", "temperature", "max_output_tokens", "thinking_budget",
               "reasoning_effort")
THINKING = {"gemini": "thinking_budget", "openai": "reasoning_effort"}  # per the request's shape
REPAINT_S = 0.1  # the columns repaint at most this often while streaming

ROUTE_VALUES = [r.value for r in Route]


def _route_label(value: str) -> str:
    return Route.parse(value).label


# ---- the request, written once -----------------------------------------------------------------
# The request lives in plain session keys (``cmp_source``, ``cmp_body``, ``cmp_stream_on``,
# ``cmp_targets``); the widgets are views of it, reseeded whenever Streamlit has dropped their
# state (it does so for widgets of a page that was not shown), so nothing typed is lost when
# moving between pages.

def _state() -> Any:
    return st.session_state


def set_request(call: Call) -> None:
    """Make ``call`` the Compare page's request (its route is the shape it is written in)."""
    s = _state()
    s["cmp_source"] = call.route.value
    s["cmp_body"] = _source_body(call)
    s["cmp_stream_on"] = call.stream
    _seed_widgets(force=True)


def _source_body(call: Call) -> dict[str, Any]:
    body = dict(call.body)
    if call.route is Route.OPENAI:  # each target writes its own model and stream switch
        body.pop("model", None)
        body.pop("stream", None)
    return body


def _dump(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False)


def _source(s: Any) -> Route:
    """The request's route: session state keeps its name (``cmp_source``), parsed here."""
    return Route.parse(s["cmp_source"])


def _seed_widgets(force: bool = False) -> None:
    s = _state()
    values = forms.read(_source(s), s["cmp_body"])
    for name in FORM_FIELDS:
        if force or f"cmp_{name}" not in s:
            value = values.get(name)
            s[f"cmp_{name}"] = (value or "") if name in ("prompt", "system") else value
    if force or "cmp_json" not in s:
        s["cmp_json"] = _dump(s["cmp_body"])
        s.pop("cmp_json_error", None)
    if force or "cmp_stream" not in s:
        s["cmp_stream"] = s["cmp_stream_on"]


def _on_form_change(name: str) -> None:
    s = _state()
    try:
        s["cmp_body"] = forms.apply(_source(s), s["cmp_body"], {name: s[f"cmp_{name}"]})
    except forms.FormConflict as exc:
        s["cmp_json_error"] = str(exc)
        return
    s["cmp_json"] = _dump(s["cmp_body"])
    s.pop("cmp_json_error", None)


def _on_json_change() -> None:
    from comet.body.validate import parse_json

    s = _state()
    text = s["cmp_json"]
    try:
        body = parse_json(text, _source(s))
    except CometError as exc:
        s["cmp_json_error"] = exc.info()  # the text stays as typed; the form waits for valid JSON
        return
    s["cmp_body"] = body
    _seed_widgets(force=True)
    s["cmp_json"] = text


def _on_stream_change() -> None:
    _state()["cmp_stream_on"] = _state()["cmp_stream"]


def request_editor() -> Call:
    """Prompt, system instruction, a few settings and the whole body as JSON (turns and every
    other field). Returns the request in the route it is written in."""
    s = _state()
    if "cmp_body" not in s:
        set_request(Call(Route.GEMINI, DEFAULT_TARGETS[0].model, simple_body("gemini", DEFAULT_PROMPT),
                         stream=True))
    _seed_widgets()
    source = _source(s)
    playground = s.get("pg_state")  # the Playground's editor state (ui.editor.EditorState)
    if playground is not None and hasattr(playground, "call"):
        st.button("Start from the Playground's request", key="cmp_from_playground",
                  on_click=lambda: set_request(filled(playground)),
                  help="copy the request you are editing in the Playground (its route is kept)")
    st.text_area("Prompt", key="cmp_prompt", on_change=_on_form_change, args=("prompt",), height=100)
    st.text_input("System instruction", key="cmp_system", on_change=_on_form_change, args=("system",))
    c1, c2, c3 = st.columns(3)
    c1.number_input("Temperature", key="cmp_temperature", min_value=0.0, max_value=2.0, step=0.1,
                    placeholder="model default", on_change=_on_form_change, args=("temperature",))
    c2.number_input("Max output tokens", key="cmp_max_output_tokens", min_value=1, step=1,
                    placeholder="model default", on_change=_on_form_change, args=("max_output_tokens",))
    c3.toggle("Stream", key="cmp_stream", on_change=_on_stream_change)
    _thinking(source)
    with st.expander(f"Request JSON, {source.label} shape: turns and every other field"):
        st.text_area("Body", key="cmp_json", on_change=_on_json_change, height=220,
                     label_visibility="collapsed")
    error = s.get("cmp_json_error")
    if isinstance(error, ErrorInfo):  # a CometError: the reply's one error view (kind, message, fix)
        show_error(error, key="cmp_json_err")
    elif error:  # a FormConflict from a form field
        st.error(error)
    return Call(source, DEFAULT_TARGETS[0].model, s["cmp_body"], stream=bool(s["cmp_stream_on"]))


def _thinking(source: Route) -> None:
    """The request's own thinking control; targets on the other route get it converted
    (thinkingBudget <-> reasoning_effort, Google's table), as the translation table shows."""
    name = THINKING[source.value]
    spec = forms.SPECS[name]
    if source is Route.GEMINI:
        st.number_input(spec.label, key=f"cmp_{name}", min_value=-1, step=128, placeholder="model default",
                        help=spec.help, on_change=_on_form_change, args=(name,))
    else:
        st.selectbox(spec.label, [None, *spec.options], key=f"cmp_{name}", on_change=_on_form_change,
                     args=(name,), format_func=lambda v: "model default" if v is None else v,
                     help=spec.help)


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
        st.error(f"The variable {{{{{unfilled(call.body)[0]}}}}} has no value. Fill it in the Playground and "
                 "use Start from the Playground's request, or run cases of it on the Batch page.")
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
        st.error(str(exc))
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
            st.markdown(f"**{lane.planned.target.label}**")
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
    timeline.show_many([(label, lane.exchange) for label, lane in zip(labels, cmp.lanes)], key="cmp_timeline")
    for problem in cmp.save_errors:
        st.warning(problem)
    diff_section(cmp, labels)
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
            st.markdown(lane.thoughts)
    if lane.text:
        st.markdown(lane.text)
    st.markdown(metric_lines(metrics(lane.exchange, lane.cost)))
    with st.expander("Request sent and how it was translated"):
        request_details(lane, ex.base_url)


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
    wall = f" Wall time {summary.wall_ms:,.0f} ms; slowest target {slowest:,.0f} ms." if summary.wall_ms else ""
    failed = sum(1 for lane in cmp.lanes if lane.exchange and not lane.exchange.ok)
    note = f" {failed} of {len(cmp.lanes)} targets did not finish." if failed else ""
    st.info(summary.line(labels) + "." + wall + note)


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
