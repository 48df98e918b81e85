"""How long the History page takes to render the first time on a given database.

    python bench/history_page.py --db runs.sqlite3     # an existing database
    python bench/history_page.py --rows 20000          # build one first (bench.history_scale.build)

:func:`render_history_page_at` is what ``bench/history_scale.py`` calls at 1,000,000 runs
(target: under 1.5 s). It drives the real page script with AppTest in this process and returns
the time the script takes on that database: opening it, the model list for the filter, the
count and one page of rows in SQL, the table and the chart. Two costs are kept out, and both
are printed by ``main``: imports (warmed first on a one-run database, as in a server that has
shown any page) and AppTest's own per-run scan of installed packages for components (a few
hundred ms here; a real server does it once at startup).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = str(ROOT / "pages" / "history.py")

# Runs the page script exactly as Streamlit would, and notes how long it took.
_TIMED_PAGE = f"""
import time
import streamlit as st
_t0 = time.perf_counter()
exec(compile(open({PAGE!r}, encoding="utf-8").read(), {PAGE!r}, "exec"), {{"__name__": "__main__", "__file__": {PAGE!r}}})
st.session_state["bench_render_s"] = time.perf_counter() - _t0
"""


def _render(db_path: str | os.PathLike) -> tuple[float, float, object]:
    """(page script seconds, whole AppTest run seconds, the AppTest)."""
    from streamlit.testing.v1 import AppTest

    setting = "COMET_HISTORY_URL" if "://" in str(db_path) else "COMET_HISTORY_DB"
    saved = os.environ.get(setting)
    os.environ[setting] = str(db_path)
    try:
        at = AppTest.from_string(_TIMED_PAGE, default_timeout=120)
        t0 = time.perf_counter()
        at.run()
        total = time.perf_counter() - t0
    finally:
        if saved is None:
            os.environ.pop(setting, None)
        else:
            os.environ[setting] = saved
    if at.exception:
        raise RuntimeError(f"the History page failed: {[e.value for e in at.exception]}")
    return at.session_state["bench_render_s"], total, at


def _warm() -> None:
    """Imports and one-time work, on a database of one run (so the table and chart code run)."""
    from comet import Call, Route, simple_body
    from comet.core.exchange import Exchange, Reply, Timing, Usage
    from comet.store.history import History
    from ui import connection

    connection.emulator()  # demo mode's emulator: started once per process, before any page
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "warm.sqlite3"
        with History(path) as h:
            h.save(Exchange(Call(Route.GEMINI, "gemini-2.5-flash", simple_body("gemini", "warm")),
                            "http://127.0.0.1:1", 200, Reply(text="up", usage=Usage(1, 1)), None,
                            Timing(started_at=time.time(), ttft_ms=1.0, latency_ms=2.0)))
        _render(path)


def render_history_page_at(db_path: str | os.PathLike) -> float:
    """Seconds the History page script takes for its first render on the database at ``db_path``."""
    _warm()
    seconds, _, at = _render(db_path)
    if not at.dataframe:
        raise RuntimeError("the History page showed no table")
    return seconds


def _report(db_path: str | os.PathLike, rows: str) -> None:
    _warm()
    seconds, total, _ = _render(db_path)
    print(f"History page first render at {rows} runs: {seconds:.3f} s "
          f"(whole AppTest run, with its component scan: {total:.3f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing history database")
    parser.add_argument("--rows", type=int, default=20_000, help="build a database of this many runs first")
    args = parser.parse_args()
    if args.db:
        _report(args.db, "the given database's")
        return
    from bench.history_scale import build

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite3"
        t0 = time.perf_counter()
        build(path, args.rows)
        print(f"built {args.rows:,} runs in {time.perf_counter() - t0:.1f} s")
        _report(path, f"{args.rows:,}")


if __name__ == "__main__":
    main()
