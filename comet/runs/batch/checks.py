"""The assertions a suite can make about one result, each with a pass/fail and a reason.

=====================  ==========================================================  ===========
type                   passes when                                                 ``value``
=====================  ==========================================================  ===========
``contains``           the reply contains the text                                 text
``icontains``          ... ignoring case                                           text
``not-contains``       the reply does not contain the text                         text
``equals``             the reply, stripped, is the text                            text
``starts-with``        the reply, left-stripped, starts with the text              text
``regex``              the pattern matches somewhere in the reply (``re.search``)  pattern
``json-valid``         the reply is JSON (a fenced code block is accepted)         (none)
``json-schema``        the reply is JSON that fits the schema (:mod:`comet.body.schema`) schema
``finish-reason``      the finish reason is the value (ours or the route's own)    text
``max-latency-ms``     the whole run took at most this long                        number
``max-ttft-ms``        the first token came at most this late                      number
``max-output-tokens``  the visible answer used at most this many tokens            number
``max-cost-usd``       the run cost at most this much (needs the model's price)    number
``llm-rubric``         a judge model says the rubric holds (optional threshold)    rubric
``factuality``         a judge model finds the reply agrees with the reference     reference
``select-best``        a judge model picks this target's reply as the case's best  criterion
=====================  ==========================================================  ===========

The last three are model-graded (:mod:`comet.runs.judge`): :func:`evaluate` asks the judge
through an :class:`~comet.runs.judge.Asker`; a ``select-best`` verdict waits for the case's
other targets (:func:`choose`). A judge that fails or answers out of shape makes the check an
error, its raw reply kept.

Text values may use the case's variables (``{{expected}}``): :func:`prepare` is called once per
case with its variables, so a bad pattern or a missing variable is found before anything is sent.

A ``regex`` check is bounded: a pattern of at most :data:`MAX_PATTERN` characters spelling out at
most :data:`MAX_SPELLED` atoms once its counted repeats are written out, a reply of at most
:data:`MAX_TEXT` characters, and :data:`REGEX_SECONDS` of matching. Python's ``re`` holds the GIL
for as long as a backtracking pattern runs (``(a+)+$`` on 30 a's: minutes, the whole app frozen),
so patterns are checked with ``re``'s syntax but matched by the ``regex`` package, which releases
the GIL (``concurrent=True``) and stops itself (``timeout=``). A check past a limit is an error,
not a fail: the reply was never judged.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from re import _parser  # re's own parser: the pattern's structure, to bound what regex expands
from typing import Any, Callable, Mapping, Sequence

import regex

from comet.body import schema
from comet.body.variables import Unfilled, fill_text
from comet.runs import judge as judging

REGEX_SECONDS = 1.0  # of matching per check (the regex package counts its thread's CPU time; we wait no longer)
MAX_PATTERN = 1_000  # characters of a regex, after the case's variables are filled
MAX_SPELLED = 10_000  # atoms once counted repeats are written out: regex's compiler expands them in memory
MAX_TEXT = 200_000  # characters of reply a regex check reads

TEXT_TYPES = ("contains", "icontains", "not-contains", "equals", "starts-with", "regex",
              "finish-reason")
# type: (Outcome field, what it is called, unit)
LIMIT_TYPES = {"max-latency-ms": ("latency_ms", "latency", " ms"),
               "max-ttft-ms": ("ttft_ms", "time to first token", " ms"),
               "max-output-tokens": ("output_tokens", "output tokens", ""),
               "max-cost-usd": ("cost_usd", "cost", " USD")}
JUDGED_TYPES = judging.KINDS
TYPES = (*TEXT_TYPES[:-1], "json-valid", "json-schema", "finish-reason", *LIMIT_TYPES, *JUDGED_TYPES)
# a select-best until its case is complete: every target of the case finished (in one process,
# or in a stored batch: the worker that finishes the case's last item judges it); WAITING_MARK is
# how a stored result still waiting is found (older batches kept another ending)
WAITING_MARK = "not judged: select-best needs every target of the case"
WAITING = f"{WAITING_MARK} finished, and they did not all finish"


def waits(verdict: Any) -> bool:
    """A select-best verdict still waiting for the rest of its case (not judged yet)."""
    return verdict.type == "select-best" and verdict.message.startswith(WAITING_MARK)


class CheckError(judging.JudgeConfigError):
    """An assertion as written cannot be used; ``path`` says where (``$.cases[2].assert[0]``)."""


@dataclass(frozen=True)
class Check:
    """One assertion ready to run: the type and its value with the case's variables filled."""

    type: str
    value: Any = None
    pattern: Any = None  # a compiled pattern of the regex package
    target: Any = None  # a Target: the check holds only that target's replies (an export's own expectations)
    judge: Any = None  # a comet.runs.judge.Spec: a model-graded check

    def applies_to(self, target: Any) -> bool:
        return self.target is None or self.target == target


@dataclass(frozen=True)
class Verdict:
    type: str
    passed: bool
    message: str
    error: bool = False  # the check could not judge the reply (a limit): not passed, and not a fail
    judgement: Any = None  # a comet.runs.judge.Judgement: what the judge was asked and said

    def to_dict(self) -> dict[str, Any]:
        said: dict[str, Any] = {"type": self.type, "pass": self.passed, "message": self.message}
        if self.error:
            said["error"] = True
        if self.judgement is not None:
            said["judge"] = self.judgement.to_dict()
        return said


@dataclass(frozen=True)
class Outcome:
    """What a result's assertions look at."""

    text: str
    finish_reason: str | None = None
    raw_finish_reason: str | None = None
    latency_ms: float | None = None
    ttft_ms: float | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    question: str = ""  # the request's last user text (what a factuality judge is told was asked)


def prepare(raw: Any, path: str, variables: Mapping[str, Any], judges: judging.Defaults | None = None) -> Check:
    """Validate one assertion as written in the suite and fill its text with ``variables``
    (``judges``: the suite's judge settings, for the model-graded types)."""
    if not isinstance(raw, dict):
        raise CheckError(path, "an assertion is an object", 'write {"type": "contains", "value": "..."}')
    kind = raw.get("type")
    if kind not in TYPES:
        raise CheckError(f"{path}.type", f"unknown assertion type {kind!r}", "use one of " + ", ".join(TYPES))
    value = raw.get("value")
    if kind in TEXT_TYPES or kind in JUDGED_TYPES:
        value = _filled(kind, value, path, variables)
        if kind in JUDGED_TYPES:
            try:
                return Check(kind, value, judge=judging.spec(raw, path, value, variables, judges))
            except judging.JudgeConfigError as exc:
                raise CheckError(exc.path, exc.message, exc.fix) from None
        if kind == "regex":
            return Check(kind, value, _compile(value, f"{path}.value"))
    elif kind in LIMIT_TYPES:
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise CheckError(f"{path}.value", f"{kind} needs a number >= 0",
                             'write "value": 5000')
    elif kind == "json-schema" and not isinstance(value, dict):
        raise CheckError(f"{path}.value", "json-schema needs the schema (a JSON object) as its value",
                         'write "value": {"type": "object", ...}')
    return Check(kind, value)


def _filled(kind: str, value: Any, path: str, variables: Mapping[str, Any]) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise CheckError(f"{path}.value", f"{kind} needs a text value", 'add "value": "..."')
    try:
        return fill_text(str(value), variables, f"{path}.value")
    except Unfilled as exc:
        raise CheckError(f"{path}.value", f"no value for {{{{{exc.name}}}}} in this case",
                         "add the variable to the case (or the dataset) or remove it") from None


def _compile(pattern: str, path: str) -> Any:
    """``pattern`` checked with ``re`` (the documented syntax) and within the limits, compiled by
    the regex package (whose default VERSION0 behaves as ``re``)."""
    if len(pattern) > MAX_PATTERN:
        raise CheckError(path, f"the regex is {len(pattern):,} characters, over the limit of {MAX_PATTERN:,}",
                         "shorten the pattern, or check the reply with contains or json-schema")
    try:
        spelled = _spelled(_parser.parse(pattern))
        re.compile(pattern)
    except re.error as exc:
        raise CheckError(path, f"bad regex {pattern!r}: {exc}", "correct the pattern") from None
    except RecursionError:
        raise CheckError(path, "the regex nests its groups too deeply", "flatten the pattern") from None
    if spelled > MAX_SPELLED:
        raise CheckError(path, f"the regex's counted repeats spell out {spelled:,} items, over the limit of "
                         f"{MAX_SPELLED:,}", "use smaller counts in {m,n} (or + and *)")
    return regex.compile(pattern)


def _spelled(items: Any) -> int:
    """How many atoms a parsed pattern spells out once its counted repeats are written out."""
    total = 0
    for op, av in items:
        if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT):
            low, high, sub = av
            total += max(low if high == _parser.MAXREPEAT else high, 1) * _spelled(sub)
        else:
            total += 1 + sum(_spelled(sub) for sub in _subpatterns(av))
    return total


def _subpatterns(av: Any) -> Any:
    if isinstance(av, _parser.SubPattern):
        yield av
    elif isinstance(av, (tuple, list)):
        for item in av:
            yield from _subpatterns(item)


def _search(check: Check, text: str) -> tuple[bool | None, str]:
    """(matched, "") or (None, which limit stopped it). The match runs on a thread of its own,
    the GIL released, so the caller waits at most REGEX_SECONDS of wall time however busy the
    machine is, and Ctrl-C or the app server are never held up; an abandoned match stops itself."""
    if len(text) > MAX_TEXT:
        return None, (f"the reply is {len(text):,} characters, over the {MAX_TEXT:,} a regex check reads: "
                      "check it with contains, or ask for a shorter reply")
    found: list[bool] = []

    def match() -> None:
        try:
            found.append(check.pattern.search(text, timeout=REGEX_SECONDS, concurrent=True) is not None)
        except TimeoutError:
            pass

    worker = threading.Thread(target=match, name="regex-check", daemon=True)
    worker.start()
    worker.join(REGEX_SECONDS)
    if not found:
        return None, (f"the regex {check.value!r} ran past its time limit of {REGEX_SECONDS:g} s on this reply "
                      "(nested repeats such as (a+)+ backtrack without end): simplify the pattern")
    return found[0], ""


def _text(check: Check, o: Outcome) -> tuple[bool, str]:
    v, text = check.value, o.text
    tests: dict[str, Callable[[], bool]] = {
        "contains": lambda: v in text, "icontains": lambda: v.casefold() in text.casefold(),
        "not-contains": lambda: v not in text, "equals": lambda: text.strip() == v.strip(),
        "starts-with": lambda: text.lstrip().startswith(v),
    }
    passed = tests[check.type]()
    said = {"contains": ("contains", "does not contain"),
            "icontains": ("contains (any case)", "does not contain (in any case)"),
            "not-contains": ("does not contain", "contains"), "equals": ("equals", "does not equal"),
            "starts-with": ("starts with", "does not start with")}[check.type]
    return passed, f"the reply {said[0] if passed else said[1]} {v!r}"


def _json(check: Check, o: Outcome) -> tuple[bool, str]:
    found = schema.verdict(o.text, schema.Request(True, check.value if check.type == "json-schema" else None))
    if not found.parsed:
        return False, f"the reply is not JSON: {found.error}"
    if found.violations:
        return False, "the JSON does not fit the schema: " + "; ".join(str(v) for v in found.violations)
    return True, "the reply is JSON" + (" that fits the schema" if check.type == "json-schema" else "")


def _finish(check: Check, o: Outcome) -> tuple[bool, str]:
    wanted = check.value.casefold()
    passed = wanted in {(o.finish_reason or "").casefold(), (o.raw_finish_reason or "").casefold()}
    return passed, f"finish reason {o.raw_finish_reason or o.finish_reason or 'none'}" + (
        "" if passed else f", expected {check.value}")


def _limit(check: Check, o: Outcome) -> tuple[bool, str]:
    field, name, unit = LIMIT_TYPES[check.type]
    got = getattr(o, field)
    if got is None:
        why = "no price is known for this model" if field == "cost_usd" else f"the run reported no {name}"
        return False, f"{why}, so it cannot be held to at most {check.value:g}{unit}"
    passed = got <= check.value
    return passed, f"{name} {got:g}{unit} {'<=' if passed else '>'} {check.value:g}{unit}"


def _judged(check: Check, outcome: Outcome, asker: judging.Asker | None) -> Verdict:
    if check.type == "select-best":
        return Verdict(check.type, False, WAITING, error=True)  # until choose() sees the whole case
    if asker is None:
        return Verdict(check.type, False, "no judge to ask here (model-graded checks run in a batch)", error=True)
    found = asker.grade(check.judge, outcome.text, outcome.question)
    return Verdict(check.type, found.passed, found.reason, error=found.error, judgement=found)


def choose(check: Check, texts: Sequence[str | None], asker: judging.Asker,
           names: Sequence[str] | None = None) -> list[Verdict]:
    """A select-best verdict for each of one case's replies (None: that target failed, so it
    is not a candidate): the judge's choice passes, the others fail, each with the reason."""
    shown = [i for i, t in enumerate(texts) if t is not None]
    if not shown:
        return [Verdict(check.type, False, "no reply to choose from", error=True) for _ in texts]
    found = asker.best(check.judge, [texts[i] or "" for i in shown])
    if found.error:
        return [Verdict(check.type, False, found.reason, error=True, judgement=found) for _ in texts]
    chosen = shown[found.choice - 1]
    name = names[chosen] if names else f"reply {found.choice}"
    return [Verdict(check.type, i == chosen, (f"chosen as the best of {len(shown)}: " if i == chosen else
                                              f"{name} was chosen over this one: ") + found.reason,
                    judgement=found) for i in range(len(texts))]


def evaluate(check: Check, outcome: Outcome, asker: judging.Asker | None = None) -> Verdict:
    if check.type in JUDGED_TYPES:
        return _judged(check, outcome, asker)
    if check.type in LIMIT_TYPES:
        passed, message = _limit(check, outcome)
    elif check.type in ("json-valid", "json-schema"):
        passed, message = _json(check, outcome)
    elif check.type == "finish-reason":
        passed, message = _finish(check, outcome)
    elif check.type == "regex":
        matched, limit = _search(check, outcome.text)
        if matched is None:
            return Verdict(check.type, False, limit, error=True)
        passed, message = matched, f"the reply {'matches' if matched else 'does not match'} {check.value!r}"
    else:
        passed, message = _text(check, outcome)
    return Verdict(check.type, passed, message)
