""""Export as suite" on Compare and on a selection of History runs: the runs as a suite file whose
cases expect what the replies said (:func:`comet.runs.batch.export.suite_from_runs`), to edit and run
with the Batch page or ``python -m comet batch``."""

from __future__ import annotations

import json
from typing import Any, Sequence

import streamlit as st

from comet.core.exchange import Exchange
from comet.runs.batch.export import suite_from_runs

HELP = "a suite expecting each target to say what it said here: run it on Batch or with comet batch"


def download(exchanges: Sequence[Exchange | None], *, key: str, name: str) -> None:
    runs = [ex for ex in exchanges if ex is not None]
    if not runs:
        return
    suite = suite_from_runs(runs, name=name)
    st.download_button("Export as suite", json.dumps(suite, indent=2, ensure_ascii=False), file_name=f"{name}.json",
                       mime="application/json", key=key, help=HELP)


def history_section(history: Any, rows: list[dict[str, Any]]) -> None:
    """Pick runs of the page; download them as one suite."""
    if not rows:
        return
    by_id = {r["id"]: r for r in rows}
    with st.expander("Export runs as a suite"):
        picked = st.multiselect("Runs", list(by_id), key="hist_suite_runs", placeholder="pick runs of this page",
                                format_func=lambda i: f"#{i} · {by_id[i]['model']} · {(by_id[i]['prompt_preview'] or '')[:40]}")
        if not picked:
            st.caption("Runs with the same request but different prompts become one case each ({{prompt}}).")
            return
        found = [history.get(i) for i in picked]
        download([run.exchange for run in found if run is not None], key="hist_suite_download", name="history")
