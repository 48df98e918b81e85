"""What a batch's results say, in the formats people read and CI parses: the JSON document,
CSV (one row per run: case x target x repeat), JUnit XML (one ``<testsuite>`` per target, one
``<testcase>`` per run) and a plain text table; plus the per-target summary the Batch page charts
and, per case and target, its pass rate over the repeats (:func:`per_case`): a case that passed
on some runs and not on others is *flaky*."""

from __future__ import annotations

import io
import json
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Sequence

from comet.core import formats
from comet.core.exports import csv_writer, finite, xml_text
from comet.runs.judge import add_usage

from .runner import Batch, Result

FORMATS = ("table", "json", "csv", "junit")
CSV_COLUMNS = ("case", "repeat", "target", "ok", "passed", "failed_assertions", "error", "latency_ms", "ttft_ms",
               "input_tokens", "output_tokens", "cost_usd", "vars", "text")


def summary(results: Sequence[Result], cases: int, targets: int, wall_ms: float | None,
            repeat: int | None = None) -> dict[str, Any]:
    """``passed``: no error and every assertion passed; ``failed``: an assertion failed;
    ``errors``: the request itself failed, or a check could not judge the reply (a limit);
    ``repeat``: the suite's (else the highest among the results); ``flaky``: cases on a target
    that passed on some runs and not on others."""
    errors = sum(1 for r in results if r.errored)
    passed = sum(1 for r in results if r.ok)
    return {"cases": cases, "targets": targets, "repeat": repeat or repeats(results), "passed": passed,
            "failed": len(results) - passed - errors, "errors": errors,
            "flaky": sum(1 for c in per_case(results) if c.flaky),
            "wall_ms": None if wall_ms is None else round(wall_ms, 1), **judge_costs(results)}


def counts(head: dict[str, Any]) -> str:
    """``4 passed, 2 failed, 0 errors`` (and ``, 2 flaky`` when the batch repeats its cases)."""
    flaky = f", {head['flaky']} flaky" if head.get("repeat", 1) > 1 else ""
    return f"{head['passed']} passed, {head['failed']} failed, {head['errors']} errors{flaky}"


def repeats(results: Sequence[Result]) -> int:
    return max((r.repeat for r in results), default=1)


@dataclass(frozen=True)
class CaseStats:
    """One case on one target, over its repeats: ``flaky`` when some runs passed and some did
    not (failed or errored)."""

    first: Result  # the case's first run on the target: its case, vars and target
    runs: int
    passed: int

    @property
    def pass_rate(self) -> float:
        return self.passed / self.runs if self.runs else 0.0

    @property
    def flaky(self) -> bool:
        return 0 < self.passed < self.runs

    def said(self) -> str:
        """``2 of 3 runs passed (67%)``."""
        return f"{self.passed} of {self.runs} runs passed ({self.pass_rate:.0%})"

    def to_dict(self) -> dict[str, Any]:
        r = self.first
        route, model = formats.target_parts(r.target_name)
        return {"case": r.case.number, "vars": r.case.vars, "target": r.target_name, "route": route, "model": model,
                "runs": self.runs, "passed": self.passed, "pass_rate": round(self.pass_rate, 2), "flaky": self.flaky}


def per_case(results: Sequence[Result]) -> list[CaseStats]:
    """Per case and target (case order, then target order), its runs and how many passed."""
    groups: dict[tuple[int, int], list[Result]] = {}
    for r in ordered(results):
        groups.setdefault((r.case.number, r.target), []).append(r)
    return [CaseStats(runs[0], len(runs), sum(1 for r in runs if r.ok)) for runs in groups.values()]


def _flaky(results: Sequence[Result]) -> dict[tuple[int, int], CaseStats]:
    return {(c.first.case.number, c.first.target): c for c in per_case(results) if c.flaky}


def judge_costs(results: Sequence[Result]) -> dict[str, Any]:
    """With model-graded checks: the runs' cost, the judges' cost and tokens (apart; a
    select-best judge, shown on each result of its case, counted once), and the batch's cost
    (``cost_usd``: both); else nothing."""
    asked = {id(v.judgement): v.judgement for r in results for v in r.verdicts if v.judgement is not None}
    if not asked:
        return {}
    runs = [r.cost_usd for r in results if r.cost_usd is not None]
    judges = [j.cost_usd for j in asked.values() if j.cost_usd is not None]
    usage: dict[str, int] = {}
    for judgement in asked.values():
        add_usage(usage, judgement.usage)
    both = runs + judges
    return {"run_cost_usd": sum(runs) if runs else None, "judge_cost_usd": sum(judges) if judges else None,
            "judge_usage": usage, "cost_usd": sum(both) if both else None}


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
    return json.dumps(_document(name, results, head), ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def _document(name: str, results: Sequence[Result], head: dict[str, Any], runs: bool = False) -> dict[str, Any]:
    """The JSON document: the summary, per case and target its pass rate (``cases``), and every
    run (``results``; with ``runs``, each naming its stored run)."""
    found = [{**r.to_dict(), **({"run": r.history_id} if runs else {})} for r in ordered(results)]
    return finite({"suite": name, "summary": head, "cases": [c.to_dict() for c in per_case(results)],
                   "results": found})


def document(run: Batch) -> dict[str, Any]:
    """What a history keeps of a finished batch beside its runs: the ``--format json`` document,
    each result also naming its stored run (``run``), since the runs alone hold neither the
    assertions' verdicts nor the case variables."""
    head = summary(run.results, len(run.suite.cases), len(run.planned), run.wall_ms, run.suite.repeat)
    return _document(run.suite.name, run.results, head, runs=True)


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
        writer.writerow([r.case.number, r.repeat, r.target_name, r.ok, sum(v.passed for v in r.verdicts),
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
    """JUnit XML: a ``<testsuite>`` per target, a ``<testcase>`` per run (``case 1 (...) run 2``
    when the suite repeats); a failed assertion is a ``<failure>``, a failed request an
    ``<error>``; every run of a flaky case carries the properties ``flaky`` and ``pass_rate``."""
    root = ET.Element("testsuites", name=name)
    flaky, repeated = _flaky(results), repeats(results) > 1
    for target in names:
        mine = [r for r in ordered(results) if r.target_name == target]
        suite = ET.SubElement(root, "testsuite", name=f"{name} [{target}]", tests=str(len(mine)),
                              failures=str(sum(1 for r in mine if not r.errored and not r.ok)),
                              errors=str(sum(1 for r in mine if r.errored)),
                              time=f"{sum((r.latency_ms or 0) for r in mine) / 1000:.3f}")
        for r in mine:
            case = ET.SubElement(suite, "testcase", classname=f"{name}.{target}",
                                 name=case_label(r) + (f" run {r.repeat}" if repeated else ""),
                                 time=f"{(r.latency_ms or 0) / 1000:.3f}")
            stats = flaky.get((r.case.number, r.target))
            if stats is not None:
                properties = ET.SubElement(case, "properties")
                ET.SubElement(properties, "property", name="flaky", value=stats.said())
                ET.SubElement(properties, "property", name="pass_rate", value=f"{stats.pass_rate:.2f}")
            _junit_verdict(case, r, f"flaky, {stats.said()}: " if stats is not None else "")
    for element in root.iter():  # XML 1.0 cannot hold most control characters, even escaped
        element.text = None if element.text is None else xml_text(element.text)
        element.attrib = {key: xml_text(value) for key, value in element.attrib.items()}
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _junit_verdict(case: ET.Element, r: Result, flaky: str) -> None:
    if r.error is not None:
        ET.SubElement(case, "error", message=flaky + _why(r), type=r.error.kind).text = r.error.message
    elif r.errored:
        ET.SubElement(case, "error", message=flaky + _check_errors(r), type="check").text = r.text
    elif not r.ok:
        ET.SubElement(case, "failure", message=flaky + _why(r), type="assertion").text = r.text


def to_table(name: str, results: Sequence[Result], head: dict[str, Any]) -> str:
    """A row per run; when the suite repeats, the run's number and its case's pass rate on that
    target (``2/3 flaky``) too, and a line per flaky case under the rows."""
    repeated, rates = head.get("repeat", 1) > 1, {(c.first.case.number, c.first.target): c for c in per_case(results)}
    rows = [("case", *(("run",) if repeated else ()), "target", "result",
             *(("passed",) if repeated else ()), "latency", "why / reply")]
    for r in ordered(results):
        status = "PASS" if r.ok else ("ERROR" if r.errored else "FAIL")  # the Batch page's words
        said = " ".join((_why(r) if not r.ok else r.text).split())
        rate = rates[(r.case.number, r.target)]
        rows.append((str(r.case.number), *((str(r.repeat),) if repeated else ()), r.target_name, status,
                     *((f"{rate.passed}/{rate.runs}" + (" flaky" if rate.flaky else ""),) if repeated else ()),
                     formats.ms(r.latency_ms), said[:77] + "..." if len(said) > 80 else said))
    n = len(rows[0]) - 1
    widths = [max(len(row[i]) for row in rows) for i in range(n)]
    lines = ["  ".join([*(cell.ljust(w) for cell, w in zip(row[:n], widths)), row[n]]).rstrip() for row in rows]
    lines += [f"flaky: case {c.first.case.number} on {c.first.target_name}: {c.said()}"
              for c in rates.values() if c.flaky]
    times = f" x {head['repeat']} runs" if repeated else ""
    lines.append(f"{name}: {counts(head)} ({formats.many(head['cases'], 'case')} x "
                 f"{formats.many(head['targets'], 'target')}{times}, "
                 f"{head['wall_ms'] or 0:.0f} ms)")
    return "\n".join(lines) + "\n"


def render(fmt: str, name: str, results: Sequence[Result], head: dict[str, Any], names: Sequence[str]) -> str:
    if fmt == "json":
        return to_json(name, results, head)
    if fmt == "csv":
        return to_csv(results)
    if fmt == "junit":
        return to_junit(name, results, names)
    return to_table(name, results, head)
