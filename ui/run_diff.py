"""History's "Diff two runs": pick any two runs of the page and see how they differ: the
metrics side by side, a word diff of the replies (Compare's), and for JSON replies the keys
added, removed and changed with their paths (:mod:`comet.runs.diff`)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import streamlit as st

from comet.runs.compare import diff_html, diff_ratio, word_diff
from comet.runs.diff import json_diff, metrics, parse_reply

KEYS = ("hist_diff_a", "hist_diff_b")


def _label(row: dict[str, Any]) -> str:
    when = datetime.fromtimestamp(row["created_at"], timezone.utc).strftime("%H:%M:%S")
    return f"#{row['id']} · {when} · {row['model']} · {(row['prompt_preview'] or '')[:40]}"


def section(history: Any, rows: list[dict[str, Any]]) -> None:
    """The expander under the History table; ``rows`` are the page's list rows."""
    if len(rows) < 2:
        return
    by_id = {r["id"]: r for r in rows}
    for key in KEYS:
        if st.session_state.get(key) not in by_id:
            st.session_state[key] = None
    with st.expander("Diff two runs", expanded=all(st.session_state.get(k) for k in KEYS)):
        left, right = st.columns(2)
        a = left.selectbox("Run A", list(by_id), key=KEYS[0], format_func=lambda i: _label(by_id[i]),
                           placeholder="pick a run")
        b = right.selectbox("Run B", list(by_id), key=KEYS[1], format_func=lambda i: _label(by_id[i]),
                            placeholder="pick another run")
        if a is None or b is None:
            st.caption("Pick two runs of this page to see their metrics side by side and the diff of their replies.")
            return
        if a == b:
            st.info("Pick two different runs.")
            return
        run_a, run_b = history.get(a), history.get(b)
        if run_a is None or run_b is None:
            st.warning("One of these runs no longer exists.")
            return
        show(by_id[a], by_id[b], run_a.exchange.text, run_b.exchange.text)


def show(row_a: dict[str, Any], row_b: dict[str, Any], text_a: str, text_b: str) -> None:
    labels = (f"A (#{row_a['id']})", f"B (#{row_b['id']})")
    st.markdown("**Metrics**")
    st.dataframe(metrics(row_a, row_b, labels), hide_index=True, width="stretch", key="hist_diff_metrics")
    if row_a.get("request_hash") and row_a.get("request_hash") == row_b.get("request_hash"):
        st.caption("Both runs sent the same request (same request hash).")
    json_a, json_b = parse_reply(text_a), parse_reply(text_b)
    if json_a is not None and json_b is not None:
        changes = json_diff(json_a, json_b)
        st.markdown(f"**JSON replies: {len(changes)} difference{'s' if len(changes) != 1 else ''}**")
        if changes:
            st.dataframe([{"path": c.path, "change": c.kind, labels[0]: _json(c.before, c.kind == "added"),
                           labels[1]: _json(c.after, c.kind == "removed")} for c in changes],
                         hide_index=True, width="stretch", key="hist_diff_json")
        return
    if text_a == text_b:
        st.markdown("**Replies: identical**")
        return
    st.markdown(f"**Replies: {diff_ratio(text_a, text_b):.0%} the same, word by word** "
                "(struck through: only in A; underlined: only in B)")
    st.html(diff_html(word_diff(text_a, text_b)))


def _json(value: Any, absent: bool) -> str:
    return "–" if absent else json.dumps(value, ensure_ascii=False)
