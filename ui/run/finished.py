"""A finished run, live or read back from History: notes, error, thoughts, the reply (with what
the Gemini-native features add: schema verdict, function calls, grounding, parts), metrics, the
raw exchange. Playground, Compare and History all draw finished runs and errors with these.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from comet import CometError, ErrorInfo, Exchange, prepare
from comet.body import schema as schemas
from comet.body.features.search import read_grounding
from comet.body.hints import error_sentence
from comet.core import formats
from comet.runs.tally import Tally, tally

from .. import reply_parts, stamp_view, timeline
from ..inert import inert, inert_rows


def show_error(info: ErrorInfo, *, key: str, lead: str = "") -> None:
    """Kind, status, message and fix; the raw body one click away. ``lead`` goes first (what was
    refused and where, for an error about something typed)."""
    st.error(inert(lead + error_sentence(info.kind, info.status, info.message, info.request_id)))
    notes = []
    if info.fix:
        notes.append(f"**Fix:** {info.fix}")
    if info.retry_after is not None:
        notes.append(f"The service asked to wait {info.retry_after:g} s before retrying.")
    if info.request_id:
        notes.append(f"Request id: `{info.request_id}`")
    if notes:
        st.markdown(inert("  \n".join(notes)))
    if info.raw_body:
        with st.expander("Raw error body"):
            st.code(info.raw_body, language="json" if info.raw_body.lstrip()[:1] in "{[" else None,
                    wrap_lines=True)


def show_comet_error(err: CometError, *, key: str) -> None:
    show_error(err.info(), key=key)


_ms, _n = formats.ms, formats.count  # read as on every page


def _output(counts: Tally) -> str:
    if counts.output_tokens is not None:
        return _n(counts.output_tokens)
    return "unknown" + (f" (~{counts.output_estimate:,} est.)" if counts.output_estimate else "")


def metrics(exchange: Exchange, cost: float | None = None) -> list[tuple[str, str]]:
    """The numbers shown with a reply, as (label, value). An unknown output count says so (with
    an estimate from the kept text), and a cost without the output is marked partial."""
    reply = exchange.reply
    counts = tally(exchange, None)
    partial = cost is not None and counts.output_tokens is None
    usage = reply.usage if reply else None
    extra = [(label, _n(n)) for label, n in (("Cached input tokens", usage and usage.cached_tokens),
                                             ("Tool-use prompt tokens", usage and usage.tool_use_prompt_tokens)) if n]
    return [
        ("Finish", (reply.finish_reason or reply.raw_finish_reason or "–") if reply else "–"),
        ("Input tokens", _n(counts.input_tokens)),
        ("Output tokens", _output(counts)),
        ("Thinking tokens", _n(counts.thinking_tokens)),
        *extra,
        ("Cost", f"≥ {formats.usd(cost)} (partial)" if partial and cost is not None else formats.usd(cost)),
        ("TTFT", _ms(exchange.timing.ttft_ms)),
        ("Latency", _ms(exchange.timing.latency_ms)),
        ("Attempts", str(exchange.attempts)),
        ("Served model", (reply.model_version if reply else None) or "–"),
    ]


def metrics_table(items: list[tuple[str, str]], per_row: int = 3) -> str:
    """Label/value pairs as compact markdown tables (``st.metric`` truncates in a half-width
    column)."""
    out = []
    for i in range(0, len(items), per_row):
        row = [(label, value.replace("|", "\\|")) for label, value in items[i:i + per_row]]
        out.append("| " + " | ".join(label for label, _ in row) + " |\n"
                   + "|" + "---|" * len(row) + "\n| " + " | ".join(v for _, v in row) + " |")
    return "\n\n".join(out)


def show_metrics(exchange: Exchange, cost: float | None = None) -> None:
    st.markdown(inert(metrics_table(metrics(exchange, cost))))  # the served model's name is the service's
    note = tally(exchange, None).note
    if note:
        st.caption(inert(note))


def raw_response(exchange: Exchange) -> Any:
    """The response JSON, or for a stream each chunk with its arrival time (ms)."""
    raw = exchange.reply.raw if exchange.reply else None
    if exchange.call.stream and isinstance(raw, list):
        times = exchange.timing.chunk_ms
        return [{"at_ms": round(times[i], 1) if i < len(times) else None, "chunk": c}
                for i, c in enumerate(raw)]
    return raw


def request_lines(exchange_or_call: Any, base_url: str | None = None) -> tuple[str, Any]:
    """The exact request: ``METHOD URL`` and headers (key masked) as text, and the body."""
    call = getattr(exchange_or_call, "call", exchange_or_call)
    prepared = prepare(call, base_url or exchange_or_call.base_url)
    head = "\n".join([f"{prepared.method} {prepared.url}"]
                     + [f"{k}: {v}" for k, v in prepared.shown_headers().items()])
    return head, call.body


# ---- what the Gemini-native features add to a reply ------------------------------------------------

def _md(text: str) -> str:
    """Text from the service shown inside markdown: its markup characters escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~" else c for c in text).replace("\n", " ")


def show_block(exchange: Exchange) -> bool:
    """A blocked prompt or reply: the block reason and the safety ratings instead of an empty
    answer (wire-formats B.4: promptFeedback; a candidate's finishReason and safetyRatings).
    Returns whether something was blocked."""
    reply = exchange.reply
    if reply is None:
        return False
    feedback = reply.prompt_feedback or {}
    reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
    if reason:
        st.error(inert(f"**The prompt was blocked** (promptFeedback.blockReason: {reason}). "
                       "Nothing was generated."))
        _ratings(feedback.get("safetyRatings"))
        return True
    if reply.finish_reason == "safety" and not exchange.text:
        raw = reply.raw_finish_reason or "safety"
        field = "finish_reason" if exchange.call.route.value == "openai" else "finishReason"
        st.error(inert(f"**The reply was blocked** ({field}: {raw})."))
        _ratings(list(reply.safety_ratings))
        return True
    if reply.finish_reason == "safety":
        st.warning(inert(f"The reply stopped for safety ({reply.raw_finish_reason}); what came before is shown."))
        _ratings(list(reply.safety_ratings))
    return False


def _ratings(ratings: Any) -> None:
    rows = [{"category": str(r.get("category", "")).removeprefix("HARM_CATEGORY_"),
             "probability": r.get("probability", ""), "blocked": "yes" if r.get("blocked") else ""}
            for r in ratings or [] if isinstance(r, dict)]
    if rows:
        st.markdown("**Safety ratings**")
        st.table(inert_rows(rows))  # table cells are markdown: the service's words


def structured(exchange: Exchange) -> schemas.Verdict | None:
    """The reply read as the structured output its request asked for, or None."""
    if not exchange.text or exchange.stopped or exchange.partial:
        return None
    request = schemas.requested(exchange.call.route, exchange.call.body)
    return schemas.verdict(exchange.text, request) if request.json else None


def show_verdict(verdict: schemas.Verdict) -> None:
    if not verdict.parsed:
        st.error(inert(f"**Not valid JSON**: {verdict.error}."))
    elif not verdict.schema:
        st.success("Valid JSON (no schema given).")
    elif verdict.valid:
        st.success("Valid: the reply matches the schema.")
    else:
        lines = "\n".join(f"- `{v.path}`: {_md(v.message)}" for v in verdict.violations)
        count = len(verdict.violations)
        st.error(inert(f"**Does not match the schema.** {count} violation{'s' if count != 1 else ''}:\n{lines}"))


def show_function_calls(exchange: Exchange) -> None:
    reply = exchange.reply
    for call in reply.function_calls if reply else ():
        st.markdown(inert(f"**Function call** `{call.name}`" + (f" (id `{call.id}`)" if call.id else "")))
        st.json(call.args, expanded=True)


def show_grounding(exchange: Exchange) -> None:
    """Google Search grounding: the sources (title and link), the search queries, and which
    part of the answer each source supports."""
    reply = exchange.reply
    found = read_grounding(reply.grounding if reply else None, exchange.text)
    if found is None:
        return
    st.markdown("**Sources** (Google Search grounding)")
    lines = []
    for source in found.sources:
        link = source.uri if source.uri.startswith(("https://", "http://")) else ""
        title = _md(source.title)
        lines.append(f"{source.number}. [{title}](<{link}>)" if link else f"{source.number}. {title}")
    if lines:
        st.markdown(inert("\n".join(lines)))
    if found.queries:
        st.caption(inert("Searched for: " + "; ".join(f"“{q}”" for q in found.queries)))
    if found.supports:
        titles = {s.number: s.title for s in found.sources}
        st.table(inert_rows([{"Answer text": s.text,
                              "Supported by": ", ".join(f"[{n}] {titles.get(n, '?')}" for n in s.sources),
                              "Confidence": ", ".join(f"{c:.2f}" for c in s.scores)} for s in found.supports]))


def show_exchange(exchange: Exchange, *, key: str, cost: float | None = None,
                  show_request: bool = True, show_raw: bool = True, on_edit: Any = None) -> None:
    """A finished run (live, or read back from history): notes, error, thoughts, text (markdown
    or plain), schema verdict, function calls, grounding, metrics, raw exchange."""
    if exchange.stopped:
        st.warning(f"Stopped. The partial reply is kept ({len(exchange.text):,} characters) and recorded.")
    elif exchange.partial and exchange.error is None:
        st.warning("The stream ended before the reply finished; the partial text is kept.")
    if exchange.error is not None:
        show_error(exchange.error, key=f"{key}_err")
    elif exchange.attempts > 1:
        st.caption(f"Answered on attempt {exchange.attempts}: the earlier attempts failed and were retried.")
    if exchange.thoughts:
        with st.expander("Thoughts", expanded=exchange.call.stream):  # as it was while streaming
            thinking = exchange.reply.usage.thinking_tokens if exchange.reply else None
            if thinking:
                st.caption(f"Thought summary · {thinking:,} thinking tokens")
            st.markdown(inert(exchange.thoughts))  # summaries are markdown; no image loads from elsewhere
    blocked = show_block(exchange)
    verdict = structured(exchange)
    if reply_parts.has_parts(exchange):  # images or code execution, in order with the text
        plain = bool(exchange.text) and st.toggle("Plain text", key=f"{key}_plain", help="the text as sent")
        reply_parts.show_in_order(exchange, key=key, plain=plain, on_edit=on_edit)
    elif exchange.text:
        if st.toggle("Plain text", key=f"{key}_plain", help="show the reply as sent, without markdown"):
            st.text(exchange.text)
        elif verdict is not None and verdict.parsed:
            st.code(json.dumps(verdict.value, indent=2, ensure_ascii=False), language="json")
        else:
            st.markdown(inert(exchange.text))  # markdown, but no image loads from elsewhere (ui/inert.py)
    elif exchange.error is None and not exchange.stopped and not blocked and not (
            exchange.reply and exchange.reply.function_calls):
        st.caption("The reply has no text.")
    if verdict is not None:
        show_verdict(verdict)
    show_function_calls(exchange)
    show_grounding(exchange)
    reply_parts.show_url_context(exchange)
    show_metrics(exchange, cost)
    stamp_view.caption(exchange)
    timeline.show(exchange, key=f"{key}_timeline")
    raw = raw_response(exchange) if show_raw else None
    if raw is not None:
        label = "Raw response (chunks with arrival times)" if exchange.call.stream else "Raw response"
        with st.expander(label):
            st.json(raw, expanded=2)
    if show_request:
        head, body = request_lines(exchange)
        with st.expander("Request"):
            st.code(head, language="http")
            st.code(json.dumps(body, indent=2, ensure_ascii=False), language="json")
