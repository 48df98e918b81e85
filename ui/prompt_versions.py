"""The prompt library's lower half, for the picked prompt: its versions (number, message, who, when,
labels), moving a label to the picked version (with the label's past moves), and the diff of two
versions: every key of the request added, removed or changed with its JSON path, and a word diff of
the texts (:func:`comet.store.prompts.diff`, History's and Compare's diffs)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable

import streamlit as st

from comet.runs.compare import DiffOp, diff_html
from comet.store.prompts import diff


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def manage(store: Any, name: str, move_label: Callable[[], None]) -> None:
    """The version list, the label row and the diff of ``name``."""
    versions = store.prompt_versions(name)
    labels = store.prompt_labels(name)
    by_version: dict[int, list[str]] = {}
    for label, number in labels.items():
        by_version.setdefault(number, []).append(label)
    st.markdown(f"**Versions of {name}**")
    st.dataframe([{"version": f"v{v.version}", "message": v.message, "by": v.created_by or "unknown",
                   "saved": _when(v.created_at), "labels": ", ".join(sorted(by_version.get(v.version, [])))}
                  for v in reversed(versions)], hide_index=True, width="stretch")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.text_input("Label", key="pst_label", placeholder="production, staging, alice-trial",
                  help="points at the version picked above; no spaces or control characters")
    c2.button("Move label", key="pst_move", on_click=move_label, width="stretch",
              help="points the label at the picked version; every move is kept")
    moves = store.label_moves(name)
    if moves:
        st.caption("Label moves: " + "; ".join(
            f"{m.label} {'v' + str(m.from_version) + ' → ' if m.from_version else '→ '}v{m.to_version}"
            f" by {m.moved_by or 'unknown'}" for m in moves[-5:]))
    if len(versions) > 1 and st.toggle("Diff two versions", key="pst_show_diff"):
        _diff(versions)


def _diff(versions: list) -> None:
    numbers = [v.version for v in versions]
    for key, default in (("pst_diff_a", numbers[-2]), ("pst_diff_b", numbers[-1])):
        if st.session_state.get(key) not in numbers:
            st.session_state[key] = default
    c1, c2 = st.columns(2)
    c1.selectbox("From", numbers, key="pst_diff_a", format_func=lambda n: f"v{n}")
    c2.selectbox("To", numbers, key="pst_diff_b", format_func=lambda n: f"v{n}")
    a, b = (versions[numbers.index(st.session_state[k])] for k in ("pst_diff_a", "pst_diff_b"))
    found = diff(a, b)
    with st.container(key="pst_diff"):
        if not found["changes"]:
            st.caption(f"v{a.version} and v{b.version} hold the same request.")
            return
        st.table([{"path": c["path"], "change": c["kind"], "before": _shown(c.get("before")),  # text in the page
                   "after": _shown(c.get("after"))} for c in found["changes"]])
        st.caption("The texts, word by word")
        st.html(diff_html([DiffOp(op["op"], op["text"]) for op in found["words"]]))


def _shown(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def history_filter(history: Any, on_change: Callable[[], None]) -> dict[str, Any]:
    """History's filter by saved prompt and version (``Store.page`` keywords); {} while none is picked
    or the library is empty."""
    prompts = {p.name: p for p in history.prompts()}
    if not prompts:
        return {}
    c1, c2 = st.columns([2, 1])
    name = c1.selectbox("Saved prompt", ["", *prompts], key="hist_prompt", on_change=on_change,
                        format_func=lambda n: n or "any", help="runs sent from a prompt of the library")
    if not name:
        return {}
    numbers = [0, *range(prompts[name].latest, 0, -1)]
    if st.session_state.get("hist_prompt_version") not in numbers:
        st.session_state["hist_prompt_version"] = 0
    version = c2.selectbox("Version", numbers, key="hist_prompt_version", on_change=on_change,
                           format_func=lambda n: "any" if n == 0 else f"v{n}")
    return {"prompt_name": name, **({"prompt_version": version} if version else {})}


def batch_targets(store: Any) -> list[dict[str, Any]]:
    """Saved prompts' versions as the Batch page's targets (each on its own route and model, in place
    of the route and model targets), written out so the suite runs and estimates without the library."""
    from comet.runs.batch.saved import inline
    from comet.runs.compare import MAX_TARGETS
    from comet.store.prompts import Ref

    prompts = store.prompts() if store is not None else []
    if not prompts:
        return []
    options = [(p.name, n) for p in prompts for n in range(p.latest, 0, -1)]
    picked = st.multiselect("Saved prompt versions", options, key="bat_versions", max_selections=MAX_TARGETS,
                            format_func=lambda o: f"{o[0]} v{o[1]}",
                            help="run these versions on the cases, each on its own route and model, in place "
                                 "of the targets above: one column and one pass rate per version")
    found = [store.resolve_prompt(Ref(name, number)) for name, number in picked]
    return [{**inline(v.call()), "route": v.route.value, "model": v.model} for v in found]
