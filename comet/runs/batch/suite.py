"""The suite file: one request with ``{{variables}}``, the targets to run it on, the cases (inline
and/or from a CSV or JSONL dataset) and the assertions. :func:`load` reads a file, :func:`parse`
a parsed value; both check *everything* before anything is sent and raise :class:`SuiteError`
naming the JSON path (``$.cases[2].assert[0].type``) or the dataset line (``cases.csv line 4``).

    {"name": "capitals",
     "request": {"route": "gemini", "model": "gemini-2.5-flash", "stream": false,
                 "body": {"contents": [{"role": "user", "parts": [{"text": "Capital of {{country}}?"}]}]}},
     "targets": [{"route": "gemini", "model": "gemini-2.5-flash"},
                 {"route": "openai", "model": "gemini-2.5-flash"}],
     "cases": [{"vars": {"country": "Portugal"}, "assert": [{"type": "icontains", "value": "Lisbon"}]}],
     "dataset": "cases.csv",
     "assert": [{"type": "max-latency-ms", "value": 5000}]}

``targets`` defaults to the request's own route and model; the top-level ``assert`` applies to
every case; dataset paths are relative to the suite file; ``"repeat": N`` (1 to
:data:`MAX_REPEAT`) runs each case N times on each target, for a pass rate. A suite plans at most
:data:`MAX_REQUESTS` requests (cases x targets x repeats).
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator, Mapping

from comet.body.variables import names
from comet.core import limits
from comet.core.call import Call, Route
from comet.core.errors import RequestError
from comet.runs import judge as judging
from comet.runs.compare import MAX_TARGETS, Target

from . import saved
from .checks import Check, CheckError, prepare

__all__ = ["MAX_REPEAT", "MAX_REQUESTS", "Suite", "Case", "SuiteError", "load", "parse", "read_dataset",
           "with_repeat"]

MAX_REQUESTS = 50_000  # cases x targets x repeats: a larger run is several suites (and its report stays readable)
MAX_REPEAT = 100  # runs of each case on each target: enough for a pass rate to 1%


class SuiteError(ValueError):
    """The suite cannot run; ``where`` is a JSON path or ``FILE line N``; nothing was sent."""

    def __init__(self, where: str, message: str, fix: str = ""):
        super().__init__(f"{where}: {message}")
        self.where, self.message, self.fix = where, message, fix




@dataclass(frozen=True)
class Case:
    number: int  # 1-based, in file order: inline cases first, then the dataset's rows
    vars: dict[str, Any]
    checks: tuple[Check, ...] = ()
    raw_asserts: tuple[dict, ...] = ()  # the case's own assertions as written (for export)


@dataclass(frozen=True)
class Suite:
    name: str
    call: Call  # the request as written, variables unfilled
    targets: tuple[Target, ...]
    cases: tuple[Case, ...]
    asserts: tuple[dict, ...] = ()  # the top-level assertions as written
    variables: tuple[str, ...] = field(default=())  # what the request uses
    repeat: int = 1  # runs of each case on each target
    judging: dict[str, Any] = field(default_factory=dict)  # "judge" and "judge_prompt" as written

    @property
    def requests(self) -> int:
        """What the suite sends: cases x targets x repeats."""
        return len(self.cases) * len(self.targets) * self.repeat

    def runs(self, targets: int) -> Iterator[tuple[Case, int, int]]:
        """(case, target index, repeat index from 1) for every run, case by case: the repeats of
        one case on one target follow each other."""
        for case in self.cases:
            for i in range(targets):
                for repeat in range(1, self.repeat + 1):
                    yield case, i, repeat

    def to_dict(self) -> dict[str, Any]:
        """The suite as a self-contained file (dataset rows inlined as cases)."""
        out: dict[str, Any] = {"name": self.name, "request": saved.inline(self.call) if self.call.origin else {
            "route": self.call.route.value, "model": self.call.model, "stream": self.call.stream,
            "body": self.call.body}}
        out["targets"] = [{**(saved.inline(t.request) if t.request and t.request.origin else {}),
                           "route": t.route.value, "model": t.model} for t in self.targets]
        out["cases"] = [{"vars": c.vars, **({"assert": list(c.raw_asserts)} if c.raw_asserts else {})}
                        for c in self.cases]
        if self.asserts:
            out["assert"] = list(self.asserts)
        if self.repeat > 1:
            out["repeat"] = self.repeat
        return {**out, **self.judging}


def load(path: str | Path, judge: Target | None = None, prompts: saved.Resolver | None = None) -> Suite:
    """Read and check a suite file (see the module docstring); ``judge`` (``--judge``) replaces
    every judge the suite names; ``prompts`` resolves saved prompts (:func:`parse`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SuiteError(str(path), f"cannot read the suite: {exc.strerror or exc}", "check the path") from None
    except UnicodeDecodeError as exc:
        raise SuiteError(str(path), f"the suite file is not UTF-8 text (at byte {exc.start})",
                         "save it as UTF-8") from None
    return parse(_loads(text, path.name), base_dir=path.parent, judge=judge, prompts=prompts)


def _loads(text: str, name: str) -> Any:
    """JSON, or a :class:`SuiteError` naming the line: never a RecursionError or ValueError."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{name} line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}",
                         "correct the JSON there") from None
    except RecursionError:
        raise SuiteError(name, "the JSON is nested too deeply", "flatten it") from None
    except ValueError as exc:  # a number with thousands of digits
        raise SuiteError(name, f"not usable JSON: {exc}", "write numbers with at most 20 digits") from None


def parse(data: Any, base_dir: str | Path | None = None,
          datasets: Mapping[str, str] | None = None, judge: Target | None = None,
          prompts: saved.Resolver | None = None) -> Suite:
    """Check a parsed suite. ``datasets`` maps a dataset name to its text (an upload on the
    Batch page); otherwise the dataset is read from ``base_dir``. ``prompts`` resolves saved
    prompts' versions named in the request or targets (:mod:`comet.runs.batch.saved`)."""
    if not isinstance(data, dict):
        raise SuiteError("$", "a suite is a JSON object", 'start from {"request": ..., "cases": [...]}')
    raw_request = data.get("request")
    call = saved.request(raw_request, prompts) if saved.names_a_prompt(raw_request) else _request(raw_request)
    variables = tuple(names(call.body))
    top = _list(data, "assert")
    inline = [_inline_case(raw, i, variables) for i, raw in enumerate(_list(data, "cases"))]
    rows = _dataset(data.get("dataset"), variables, base_dir, datasets or {})
    targets = _targets(data.get("targets"), call, prompts)
    judges = _judges(data, judge)
    repeat = _repeat(data.get("repeat", 1), "$.repeat")
    _within_limit(max(len(inline) + len(rows), 1), len(targets), 1, "$.dataset" if rows else "$.cases")
    _within_limit(max(len(inline) + len(rows), 1), len(targets), repeat, "$.repeat")
    if not inline and not rows:
        if variables:
            raise SuiteError("$.cases", "no cases: the request has variables "
                             + ", ".join(f"{{{{{v}}}}}" for v in variables), 'add "cases" or a "dataset"')
        inline = [({}, (), "$")]  # a request without variables is one case
    cases = []
    for number, (values, own, where) in enumerate([*inline, *rows], start=1):
        checks = [_check(raw, path, values, where, targets, judges) for raw, path in
                  [*((a, f"{where}.assert[{j}]") for j, a in enumerate(own)),
                   *((a, f"$.assert[{j}]") for j, a in enumerate(top))]]
        cases.append(Case(number, dict(values), tuple(checks), tuple(own)))
    return Suite(str(data.get("name") or "suite"), call, targets, tuple(cases), tuple(top), variables, repeat,
                 {k: data[k] for k in ("judge", "judge_prompt") if data.get(k) is not None})


def _judges(data: dict, judge: Target | None) -> judging.Defaults:
    """The suite's judge settings (model-graded assertions), ``judge`` replacing its judges."""
    try:
        found = judging.defaults(data)
    except judging.JudgeConfigError as exc:
        raise SuiteError(exc.path, exc.message, exc.fix) from None
    return found if judge is None else found.with_judge(judge)


def with_repeat(suite: Suite, value: Any, where: str = "--repeat") -> Suite:
    """``suite`` run ``value`` times a case and target (``--repeat N`` over the suite's own
    ``"repeat"``); a :class:`SuiteError` naming ``where`` when it is not 1 to :data:`MAX_REPEAT` or
    takes the suite past :data:`MAX_REQUESTS`."""
    repeat = _repeat(value, where)
    _within_limit(len(suite.cases), len(suite.targets), repeat, where)
    return replace(suite, repeat=repeat)


def _repeat(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_REPEAT:
        example = "--repeat 3" if where.startswith("--") else '"repeat": 3'
        raise SuiteError(where, f"repeat is a whole number from 1 to {MAX_REPEAT}, not {_shown(value)}",
                         f"write {example} to run each case 3 times on each target")
    return value


def _shown(value: Any) -> str:
    try:
        return json.dumps(value)[:40]
    except (TypeError, ValueError):
        return repr(value)[:40]


def _within_limit(cases: int, targets: int, repeat: int, where: str) -> None:
    if cases * targets * repeat > MAX_REQUESTS:
        times = f" x {repeat} repeats" if repeat > 1 else ""
        raise SuiteError(where, f"the suite plans {cases * targets * repeat:,} requests ({cases:,} cases x "
                         f"{targets} targets{times}), over the limit of {MAX_REQUESTS:,}",
                         "split the cases over several suites, or run fewer targets"
                         + (" or fewer repeats" if repeat > 1 else ""))


def _check(raw: Any, path: str, values: Mapping[str, Any], where: str, targets: tuple[Target, ...],
           judges: judging.Defaults | None = None) -> Check:
    scope = None
    if isinstance(raw, dict) and "target" in raw:  # an assertion about one target's replies only
        scope = _scope(raw["target"], f"{path}.target", targets)
        raw = {k: v for k, v in raw.items() if k != "target"}
    try:
        return replace(prepare(raw, path, values, judges), target=scope)
    except CheckError as exc:
        case = "" if path.startswith(where) else f" (for {where})"
        raise SuiteError(exc.path + case, exc.message, exc.fix) from None


def _scope(raw: Any, path: str, targets: tuple[Target, ...]) -> Target:
    if isinstance(raw, dict) and isinstance(raw.get("model"), str):
        found = Target(_route(raw.get("route"), f"{path}.route"), raw["model"].strip())
        if found in targets:
            return found
    raise SuiteError(path, "an assertion's target is one of the suite's targets",
                     "copy one from $.targets, e.g. " + json.dumps({"route": targets[0].route.value,
                                                                    "model": targets[0].model}))


def _list(data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise SuiteError(f"$.{key}", f"{key} must be a list", f'write "{key}": [...]')
    return value


def _request(raw: Any) -> Call:
    if not isinstance(raw, dict):
        raise SuiteError("$.request", "the suite needs a request object",
                         'add "request": {"route": "gemini", "model": "...", "body": {...}}')
    route = _route(raw.get("route"), "$.request.route")
    model = raw.get("model")
    if not isinstance(model, str) or not model.strip():
        raise SuiteError("$.request.model", "the request needs a model", 'add "model": "gemini-2.5-flash"')
    body = raw.get("body")
    if not isinstance(body, dict):
        raise SuiteError("$.request.body", "the request needs its body (a JSON object in the route's shape)",
                         'add "body": {"contents": [...]} (Gemini) or {"messages": [...]} (OpenAI)')
    try:
        limits.ensure(body, route.value)  # the Playground's limits: depth, sizes, finite numbers
    except RequestError as exc:
        first = exc.problems[0]
        raise SuiteError("$.request.body" + first.path.removeprefix("$"), first.message, first.fix) from None
    stream = raw.get("stream", False)
    if not isinstance(stream, bool):
        raise SuiteError("$.request.stream", "stream is true or false", 'write "stream": false')
    return Call(route, model.strip(), body, stream=stream)


saved.use(SuiteError, _request)  # a saved prompt's reference: the suite's own error and request checks


def _route(value: Any, path: str) -> Route:
    try:
        return Route.parse(value if isinstance(value, str) else "")
    except ValueError:
        raise SuiteError(path, f"unknown route {value!r}", 'use "gemini" or "openai"') from None


def _targets(raw: Any, call: Call, prompts: saved.Resolver | None = None) -> tuple[Target, ...]:
    if raw is None:
        return (Target(call.route, call.model),)
    if not isinstance(raw, list) or not raw:
        raise SuiteError("$.targets", "targets is a non-empty list", 'write [{"route": "gemini", "model": "..."}]')
    if len(raw) > MAX_TARGETS:
        raise SuiteError("$.targets", f"at most {MAX_TARGETS} targets, not {len(raw)}", "split the suite")
    found = []
    for i, item in enumerate(raw):
        if saved.names_a_prompt(item):
            found.append(saved.target(item, f"$.targets[{i}]", prompts))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("model"), str) or not item["model"].strip():
            raise SuiteError(f"$.targets[{i}]", "a target is a route and a model",
                             'write {"route": "openai", "model": "gemini-2.5-flash"}')
        found.append(Target(_route(item.get("route"), f"$.targets[{i}].route"), item["model"].strip()))
    return tuple(found)


def _values(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise SuiteError(where, "vars is an object of variable names to values", 'write {"country": "Portugal"}')
    for key, value in raw.items():
        if value is not None and not isinstance(value, (str, int, float, bool)) or (
                isinstance(value, float) and not math.isfinite(value)):  # json.loads takes NaN; JSON has none
            raise SuiteError(f"{where}.{key}", "a variable's value is text or a finite number",
                             f'write it as text: "{json.dumps(value)}"' if isinstance(value, float) else "write it as text")
    return raw


def _require(values: Mapping[str, Any], variables: tuple[str, ...], where: str, fix: str) -> None:
    for name in variables:
        if values.get(name) is None:
            raise SuiteError(where, f"no value for {{{{{name}}}}}", fix)


def _inline_case(raw: Any, i: int, variables: tuple[str, ...]) -> tuple[dict, tuple, str]:
    where = f"$.cases[{i}]"
    if not isinstance(raw, dict):
        raise SuiteError(where, "a case is an object", 'write {"vars": {...}, "assert": [...]}')
    values = _values(raw.get("vars", {}), f"{where}.vars")
    _require(values, variables, f"{where}.vars", "add the variable to the case's vars")
    own = raw.get("assert", [])
    if not isinstance(own, list):
        raise SuiteError(f"{where}.assert", "assert must be a list", 'write "assert": [...]')
    return values, tuple(own), where


def _dataset(name: Any, variables: tuple[str, ...], base_dir: str | Path | None,
             uploaded: Mapping[str, str]) -> list[tuple[dict, tuple, str]]:
    if name is None:
        return []
    if not isinstance(name, str) or not name.lower().endswith((".csv", ".jsonl")):
        raise SuiteError("$.dataset", f"dataset {name!r} is not a .csv or .jsonl file name",
                         'write "dataset": "cases.csv"')
    if name in uploaded:
        text = uploaded[name]
    else:
        path = _inside(Path(base_dir or "."), name)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SuiteError("$.dataset", f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}",
                             "the path is relative to the suite file") from None
    rows = read_dataset(text, name)
    if name.lower().endswith(".csv") and rows:
        columns = list(rows[0][1])
        for variable in variables:
            if variable not in columns:
                raise SuiteError(f"{name} line 1", f"no column for {{{{{variable}}}}} (columns: "
                                 f"{', '.join(columns)})", f"add a column named {variable}")
    found = []
    for line, values in rows:
        _require(values, variables, f"{name} line {line}", f"give every row a {name.rsplit('.', 1)[1].upper()} "
                 "value for each variable")
        found.append((values, (), f"{name} line {line}"))
    return found


def _inside(folder: Path, name: str) -> Path:
    """``folder / name``, refused unless it stays in ``folder`` (links followed): a suite from
    elsewhere must not make the CLI or the app server read any file it likes."""
    path = folder / name
    if not path.resolve().is_relative_to(folder.resolve()):
        raise SuiteError("$.dataset", f"{name!r} is outside the suite's folder",
                         "put the dataset in the suite's folder (or a folder under it) and name it relative "
                         "to the suite, e.g. \"cases.csv\"")
    return path


def read_dataset(text: str, name: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, variables) per row of a CSV (header row = variable names) or JSONL text."""
    if name.lower().endswith(".jsonl"):
        return list(_jsonl(text, name))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise SuiteError(f"{name} line 1", "no header row", "the first row names the variables")
    rows = []
    for row in reader:
        if None in row:
            raise SuiteError(f"{name} line {reader.line_num}", "more cells than header columns",
                             "quote cells that contain commas")
        rows.append((reader.line_num, {k: v for k, v in row.items()}))
    return rows


def _jsonl(text: str, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = _loads(raw, f"{name} line {line}")
        except SuiteError as exc:
            raise SuiteError(f"{name} line {line}", exc.message, "one JSON object per line") from None
        yield line, _values(value, f"{name} line {line}")
