"""What a batch's results say, in the formats people read and CI parses: the JSON document,
CSV (one row per case x target), JUnit XML (one ``<testsuite>`` per target, one ``<testcase>``
per case) and a plain text table; plus the per-target summary the Batch page charts."""

from __future__ import annotations

import io
import json
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Sequence

from comet.core import formats
from comet.core.exports import csv_writer, finite, xml_text

from .runner import Batch, Result

FORMATS = ("table", "json", "csv", "junit")
CSV_COLUMNS = ("case", "target", "ok", "passed", "failed_assertions", "error", "latency_ms", "ttft_ms",
               "input_tokens", "output_tokens", "cost_usd", "vars", "text")


def summary(results: Sequence[Result], cases: int, targets: int, wall_ms: float | None) -> dict[str, Any]:
    """``passed``: no error and every assertion passed; ``failed``: an assertion failed;
    ``errors``: the request itself failed, or a check could not judge the reply (a limit)."""
    errors = sum(1 for r in results if r.errored)
    passed = sum(1 for r in results if r.ok)
    return {"cases": cases, "targets": targets, "passed": passed, "failed": len(results) - passed - errors,
            "errors": errors, "wall_ms": None if wall_ms is None else round(wall_ms, 1)}


@dataclass(frozen=True)
class TargetStats:
    target: str
    runs: int
    passed: int
    p50_ms: float | None
    p95_ms: float | None
    tokens: int
    cost_usd: float | None

    @property
    def pass_rate(self) -> float:
        return self.passed / self.runs if self.runs else 0.0


def _percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (no interpolation: a value that was really measured)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def per_target(results: Sequence[Result], names: Sequence[str]) -> list[TargetStats]:
    stats = []
    for name in names:
        mine = [r for r in results if r.target_name == name]
        latencies = [r.latency_ms for r in mine if r.error is None and r.latency_ms is not None]
        costs = [r.cost_usd for r in mine if r.cost_usd is not None]
        tokens = sum((r.usage.get("input_tokens") or 0) + (r.usage.get("output_tokens") or 0)
                     + (r.usage.get("thinking_tokens") or 0) for r in mine)
        stats.append(TargetStats(name, len(mine), sum(1 for r in mine if r.ok), _percentile(latencies, 0.5),
                                 _percentile(latencies, 0.95), tokens, sum(costs) if costs else None))
    return stats


def ordered(results: Sequence[Result]) -> list[Result]:
    """Case order, then target order, then repeat (results arrive in finishing order)."""
    return sorted(results, key=lambda r: (r.case.number, r.target, r.repeat))


def to_json(name: str, results: Sequence[Result], head: dict[str, Any]) -> str:
    document = finite({"suite": name, "summary": head, "results": [r.to_dict() for r in ordered(results)]})
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def document(run: Batch) -> dict[str, Any]:
    """What a history keeps of a finished batch beside its runs: the ``--format json`` document,
    each result also naming its stored run (``run``), since the runs alone hold neither the
    assertions' verdicts nor the case variables."""
    head = summary(run.results, len(run.suite.cases), len(run.planned), run.wall_ms)
    return finite({"suite": run.suite.name, "summary": head,
                   "results": [{**r.to_dict(), "run": r.history_id} for r in ordered(run.results)]})


def keep(run: Batch) -> str | None:
    """Save ``run``'s :func:`document` in its history under its batch id; None when kept (or
    there is no history), else what went wrong, to show: the results themselves stay."""
    if run.history is None:
        return None
    try:
        run.history.save_batch(run.batch_id, document(run))
    except Exception as exc:  # a history that fails here still has every run
        return f"history: the batch's verdicts were not saved ({exc})"
    return None


def _why(result: Result) -> str:
    if result.error is not None:
        return f"{result.error.kind}: {result.error.message}"
    return "; ".join(v.message for v in result.verdicts if not v.passed)


def _failed(result: Result) -> str:
    return "; ".join(v.message for v in result.verdicts if not v.passed and not v.error)


def _check_errors(result: Result) -> str:
    return "; ".join(f"{v.type}: {v.message}" for v in result.verdicts if v.error)


def to_csv(results: Sequence[Result]) -> str:
    buf = io.StringIO()
    writer = csv_writer(buf)
    writer.writerow(CSV_COLUMNS)
    for r in ordered(results):
        writer.writerow([r.case.number, r.target_name, r.ok, sum(v.passed for v in r.verdicts),
                         _failed(r), _why(r) if r.error else _check_errors(r),
                         _round(r.latency_ms), _round(r.ttft_ms), r.usage.get("input_tokens"),
                         r.usage.get("output_tokens"), r.cost_usd, json.dumps(r.case.vars, ensure_ascii=False),
                         r.text])
    return buf.getvalue()


def _round(value: float | None) -> Any:
    return "" if value is None else round(value, 1)


def case_label(result: Result) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in result.case.vars.items())
    return f"case {result.case.number}" + (f" ({shown})" if shown else "")


def to_junit(name: str, results: Sequence[Result], names: Sequence[str]) -> str:
    """JUnit XML: a ``<testsuite>`` per target; a failed assertion is a ``<failure>``, a failed
    request an ``<error>``."""
    root = ET.Element("testsuites", name=name)
    for target in names:
        mine = [r for r in ordered(results) if r.target_name == target]
        suite = ET.SubElement(root, "testsuite", name=f"{name} [{target}]", tests=str(len(mine)),
                              failures=str(sum(1 for r in mine if not r.errored and not r.ok)),
                              errors=str(sum(1 for r in mine if r.errored)),
                              time=f"{sum((r.latency_ms or 0) for r in mine) / 1000:.3f}")
        for r in mine:
            case = ET.SubElement(suite, "testcase", classname=f"{name}.{target}", name=case_label(r),
                                 time=f"{(r.latency_ms or 0) / 1000:.3f}")
            if r.error is not None:
                ET.SubElement(case, "error", message=_why(r), type=r.error.kind).text = r.error.message
            elif r.errored:
                ET.SubElement(case, "error", message=_check_errors(r), type="check").text = r.text
            elif not r.ok:
                ET.SubElement(case, "failure", message=_why(r), type="assertion").text = r.text
    for element in root.iter():  # XML 1.0 cannot hold most control characters, even escaped
        element.text = None if element.text is None else xml_text(element.text)
        element.attrib = {key: xml_text(value) for key, value in element.attrib.items()}
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_table(name: str, results: Sequence[Result], head: dict[str, Any]) -> str:
    rows = [("case", "target", "result", "latency", "why / reply")]
    for r in ordered(results):
        status = "PASS" if r.ok else ("ERROR" if r.errored else "FAIL")  # the Batch page's words
        said = _why(r) if not r.ok else r.text
        said = " ".join(said.split())
        rows.append((str(r.case.number), r.target_name, status, formats.ms(r.latency_ms),
                     said[:77] + "..." if len(said) > 80 else said))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join([*(cell.ljust(w) for cell, w in zip(row[:4], widths)), row[4]]).rstrip() for row in rows]
    lines.append(f"{name}: {head['passed']} passed, {head['failed']} failed, {head['errors']} errors "
                 f"({head['cases']} cases x {head['targets']} targets, {head['wall_ms'] or 0:.0f} ms)")
    return "\n".join(lines) + "\n"


def render(fmt: str, name: str, results: Sequence[Result], head: dict[str, Any], names: Sequence[str]) -> str:
    if fmt == "json":
        return to_json(name, results, head)
    if fmt == "csv":
        return to_csv(results)
    if fmt == "junit":
        return to_junit(name, results, names)
    return to_table(name, results, head)
