"""Model-graded checks: a judge model reads a reply and says whether it passes, how well and why.

Three kinds, as promptfoo, Langfuse and OpenAI's evals grade:

=================  =====================  =======================================================
kind               ``value``              the judge answers (structured output, checked)
=================  =====================  =======================================================
``llm-rubric``     the rubric             ``{"pass": bool, "score": 0..1, "reason": str}``
``factuality``     a reference answer     ``{"category": consistent|subset|superset|contradicting,
                                          "reason": str}``
``select-best``    the criterion          ``{"choice": 1..N, "reason": str}`` over one case's replies
=================  =====================  =======================================================

The judge is a target (a route and a model): the suite's ``"judge"``, an assertion's own, or
``--judge ROUTE:MODEL``; :data:`DEFAULT_JUDGE` otherwise. Its prompt is a template
(:data:`TEMPLATES`, or ``"judge_prompt"`` in the suite or on the assertion) whose ``{{rubric}}``,
``{{reference}}``, ``{{question}}``, ``{{criterion}}``, ``{{output}}`` and ``{{outputs}}`` are
filled (and the case's variables); the prompt sent is kept with the verdict, so a user sees
exactly what was asked.

The judge is called through the same client as the runs (retries, the batch's shared rate-limit
hold, a deployment's budget). A judge request that fails, or a reply that is not the asked
shape (:mod:`comet.body.schema`), is an *error*, not a fail, with the judge's raw reply kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from comet.body import schema
from comet.body.features.structured import set_schema
from comet.core.call import Call, Route, simple_body
from comet.core.exchange import Exchange
from comet.runs.compare import Target, run_to_end

KINDS = ("llm-rubric", "factuality", "select-best")
DEFAULT_JUDGE = Target(Route.GEMINI, "gemini-2.5-flash")
CATEGORIES = ("consistent", "subset", "superset", "contradicting")
DEFAULT_PASS_ON = ("consistent", "subset", "superset")  # a reply that adds or omits detail is still right
MAX_RAW = 4_000  # characters of a malformed judge reply kept with the error

TEMPLATES = {
    "llm-rubric": (
        "You are grading a reply against a rubric. Read the reply in <output> and decide whether the "
        "rubric in <rubric> holds for it. Give a score from 0 (not at all) to 1 (fully), pass true when "
        "the rubric holds, and a one-sentence reason naming what in the reply decided it.\n\n"
        "<rubric>\n{{rubric}}\n</rubric>\n\n<output>\n{{output}}\n</output>\n\n"
        'Answer with JSON only: {"pass": true or false, "score": 0 to 1, "reason": "..."}'),
    "factuality": (
        "You are comparing a reply with a reference answer for factual agreement; style and wording "
        "do not matter. The question was in <question>. Say which holds: consistent (the reply has the "
        "same facts as the reference), subset (the reply has some of the reference's facts and nothing "
        "that disagrees), superset (the reply has all of them and more, nothing that disagrees) or "
        "contradicting (the reply disagrees with the reference).\n\n"
        "<question>\n{{question}}\n</question>\n\n<reference>\n{{reference}}\n</reference>\n\n"
        "<output>\n{{output}}\n</output>\n\n"
        'Answer with JSON only: {"category": "consistent" or "subset" or "superset" or "contradicting", '
        '"reason": "..."}'),
    "select-best": (
        "You are picking the reply that best meets a criterion. The criterion is in <criterion>; the "
        "replies are numbered from 1. Pick exactly one and say in one sentence why it is better than "
        "the others.\n\n<criterion>\n{{criterion}}\n</criterion>\n\n{{outputs}}\n\n"
        'Answer with JSON only: {"choice": the number of the best reply, "reason": "..."}'),
}
NEEDS = {"llm-rubric": "{{output}}", "factuality": "{{output}}", "select-best": "{{outputs}}"}
VALUE_NAME = {"llm-rubric": "rubric", "factuality": "reference", "select-best": "criterion"}
SCHEMAS: dict[str, dict[str, Any]] = {
    "llm-rubric": {"type": "object", "properties": {
        "pass": {"type": "boolean"}, "score": {"type": "number", "minimum": 0, "maximum": 1},
        "reason": {"type": "string"}}, "required": ["pass", "score", "reason"]},
    "factuality": {"type": "object", "properties": {
        "category": {"type": "string", "enum": list(CATEGORIES)}, "reason": {"type": "string"}},
        "required": ["category", "reason"]},
    "select-best": {"type": "object", "properties": {
        "choice": {"type": "integer", "minimum": 1}, "reason": {"type": "string"}},
        "required": ["choice", "reason"]},
}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)\s*\}\}")


class JudgeConfigError(ValueError):
    """A judge setting as written cannot be used; ``path`` says where (``$.judge.route``)."""

    def __init__(self, path: str, message: str, fix: str):
        super().__init__(f"{path}: {message}")
        self.path, self.message, self.fix = path, message, fix


@dataclass(frozen=True)
class Defaults:
    """A suite's judge settings: its ``"judge"`` and ``"judge_prompt"`` (one template for every
    kind, or an object of templates by kind)."""

    judge: Target = DEFAULT_JUDGE
    prompts: Mapping[str, str] = field(default_factory=dict)
    override: bool = False  # --judge: the judge wins over every assertion's own

    def with_judge(self, judge: Target) -> "Defaults":
        return Defaults(judge, self.prompts, override=True)


@dataclass(frozen=True)
class Spec:
    """One judged assertion, ready to ask: its kind, value (variables filled), judge and prompt."""

    kind: str
    value: str
    judge: Target
    template: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    threshold: float | None = None
    pass_on: tuple[str, ...] = DEFAULT_PASS_ON
    written: str = ""  # the value as the suite wrote it, variables unfilled: what agreement is counted by

    def prompt(self, **said: str) -> str:
        """The template filled: the judge's own names, then the case's variables; others stay."""
        values = {**{k: str(v) for k, v in self.variables.items() if v is not None},
                  VALUE_NAME[self.kind]: self.value, **said}
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.template)


@dataclass(frozen=True)
class Judgement:
    """What the judge said of one reply (or, for select-best, of one case's replies)."""

    passed: bool
    reason: str
    judge: Target
    prompt: str
    error: bool = False  # the judge failed or answered out of shape: not a fail
    raw: str = ""  # the judge's reply as it came
    score: float | None = None
    category: str | None = None
    choice: int | None = None  # select-best: 1-based, into the replies as numbered in the prompt
    usage: Mapping[str, Any] = field(default_factory=dict)
    cost_usd: float | None = None
    criterion: str = ""  # the rubric, reference or criterion as written (variables unfilled)

    def to_dict(self) -> dict[str, Any]:
        """What a result's assertion says of its judge (``"judge"`` in the JSON document)."""
        out: dict[str, Any] = {"route": self.judge.route.value, "model": self.judge.model,
                               "criterion": self.criterion, "prompt": self.prompt, "raw": self.raw,
                               "usage": dict(self.usage), "cost_usd": self.cost_usd}
        for key in ("score", "category", "choice"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], passed: bool, reason: str, error: bool) -> "Judgement":
        """A judgement read back from :meth:`to_dict` and its assertion's pass, message and error."""
        return cls(passed, reason, Target(Route.parse(data["route"]), data["model"]), data.get("prompt") or "", error,
                   data.get("raw") or "", data.get("score"), data.get("category"), data.get("choice"),
                   data.get("usage") or {}, data.get("cost_usd"), data.get("criterion") or "")


# ---- reading the suite ---------------------------------------------------------------------------

def parse_target(raw: Any, path: str) -> Target:
    """A judge as written: ``{"route": ..., "model": ...}`` or ``"route:model"``."""
    if isinstance(raw, str) and ":" in raw:
        route, model = raw.split(":", 1)
        raw = {"route": route, "model": model}
    if not isinstance(raw, dict):
        raise JudgeConfigError(path, "a judge is a route and a model",
                               'write {"route": "gemini", "model": "gemini-2.5-flash"}')
    try:
        route = Route.parse(raw.get("route") if isinstance(raw.get("route"), str) else "")
    except ValueError:
        raise JudgeConfigError(f"{path}.route", f"unknown route {raw.get('route')!r}",
                               'use "gemini" or "openai"') from None
    model = raw.get("model")
    if not isinstance(model, str) or not model.strip():
        raise JudgeConfigError(f"{path}.model", "the judge needs a model", 'add "model": "gemini-2.5-flash"')
    return Target(route, model.strip())


def _template(raw: Any, path: str, kind: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise JudgeConfigError(path, "a judge prompt is a non-empty text", f"write a template with {NEEDS[kind]}")
    if NEEDS[kind] not in raw:
        raise JudgeConfigError(path, f"the {kind} judge prompt does not say where the reply goes",
                               f"put {NEEDS[kind]} in it (see docs/batch.md for the default prompt)")
    return raw


def defaults(data: Mapping[str, Any]) -> Defaults:
    """The suite's ``"judge"`` and ``"judge_prompt"``, checked (paths ``$.judge``, ``$.judge_prompt``)."""
    judge = DEFAULT_JUDGE if data.get("judge") is None else parse_target(data["judge"], "$.judge")
    raw = data.get("judge_prompt")
    prompts: dict[str, str] = {}
    if isinstance(raw, dict):
        for kind, text in raw.items():
            if kind not in KINDS:
                raise JudgeConfigError(f"$.judge_prompt.{kind}", f"no judged assertion type {kind!r}",
                                       "use " + ", ".join(KINDS))
            prompts[kind] = _template(text, f"$.judge_prompt.{kind}", kind)
    elif raw is not None:
        prompts = {kind: _template(raw, "$.judge_prompt", kind) for kind in KINDS if kind != "select-best"}
    return Defaults(judge, prompts)


def spec(raw: Mapping[str, Any], path: str, value: str, variables: Mapping[str, Any],
         base: Defaults | None = None) -> Spec:
    """A judged assertion as written (its ``value`` already filled) checked into a :class:`Spec`."""
    base = base or Defaults()
    kind = raw["type"]
    if not value.strip():
        raise JudgeConfigError(f"{path}.value", f"the {VALUE_NAME[kind]} of {kind} is empty",
                               f'write the {VALUE_NAME[kind]}: "value": "..."')
    judge = base.judge
    if raw.get("judge") is not None and not base.override:
        judge = parse_target(raw["judge"], f"{path}.judge")
    template = TEMPLATES[kind] if kind not in base.prompts else base.prompts[kind]
    if raw.get("judge_prompt") is not None:
        template = _template(raw["judge_prompt"], f"{path}.judge_prompt", kind)
    return Spec(kind, value, judge, template, dict(variables), _threshold(raw, path, kind),
                _pass_on(raw, path, kind), str(raw.get("value")))


def _threshold(raw: Mapping[str, Any], path: str, kind: str) -> float | None:
    found = raw.get("threshold")
    if found is None:
        return None
    if kind != "llm-rubric":
        raise JudgeConfigError(f"{path}.threshold", f"{kind} has no score to hold to a threshold",
                               "remove threshold (only llm-rubric takes one)")
    if not isinstance(found, (int, float)) or isinstance(found, bool) or not 0 <= found <= 1 \
            or not math.isfinite(found):
        raise JudgeConfigError(f"{path}.threshold", f"threshold is a number from 0 to 1, not {found!r}",
                               'write "threshold": 0.7')
    return float(found)


def _pass_on(raw: Mapping[str, Any], path: str, kind: str) -> tuple[str, ...]:
    found = raw.get("pass_on")
    if found is None:
        return DEFAULT_PASS_ON
    if kind != "factuality":
        raise JudgeConfigError(f"{path}.pass_on", f"{kind} has no categories", "remove pass_on (factuality's)")
    if not isinstance(found, list) or not found or any(c not in CATEGORIES for c in found):
        raise JudgeConfigError(f"{path}.pass_on", f"pass_on is a list of {', '.join(CATEGORIES)}",
                               'write "pass_on": ["consistent", "superset"]')
    return tuple(found)


# ---- asking ----------------------------------------------------------------------------------------

def judge_call(judge: Target, prompt: str, kind: str) -> Call:
    """The judge's request: the prompt, temperature 0, structured output in the verdict's shape."""
    body = simple_body(judge.route, prompt)
    if judge.route is Route.GEMINI:
        body["generationConfig"] = {"temperature": 0}
    else:
        body["temperature"] = 0
    body = set_schema(judge.route, body, SCHEMAS[kind], name="verdict")
    return Call(judge.route, judge.model, body, stream=False)


@dataclass
class Asker:
    """Sends judge requests on ``client`` (a :class:`comet.Client` or anything with its
    ``stream(call, cancel=)``); ``price`` gives an Exchange's cost, ``on_event`` sees its retries
    (a batch's shared rate-limit hold), ``record(exchange, cost, label)`` keeps each judge request
    as a run (History: so what a judge spends counts towards a person's spending limit)."""

    client: Any
    price: Callable[[Exchange], float | None] | None = None
    cancel: Any = None
    on_event: Callable[[Any], None] = lambda event: None
    record: Callable[[Exchange, float | None, str], Any] | None = None

    def ask(self, judge: Target, prompt: str, kind: str) -> tuple[Any, dict[str, Any], str | None]:
        """(parsed verdict or None, {"raw", "usage", "cost_usd"}, error message or None)."""
        exchange = run_to_end(self.client, judge_call(judge, prompt, kind), self.cancel, self.on_event)
        raw = exchange.text
        spent = {"raw": raw[:MAX_RAW], "usage": exchange.reply.usage.to_dict() if exchange.reply else {},
                 "cost_usd": self._cost(exchange)}
        if self.record is not None and not exchange.stopped:
            self.record(exchange, spent["cost_usd"], f"judge · {kind}")
        if exchange.error is not None:
            return None, spent, f"the judge {judge.label} failed: {exchange.error.kind}: {exchange.error.message}"
        found = schema.verdict(raw, schema.Request(True, SCHEMAS[kind]))
        if not found.parsed:
            return None, spent, f"the judge {judge.label} did not answer with JSON ({found.error})"
        if found.violations:
            return None, spent, (f"the judge {judge.label} answered out of shape: "
                                 + "; ".join(str(v) for v in found.violations))
        return found.value, spent, None

    def _cost(self, exchange: Exchange) -> float | None:
        try:
            return self.price(exchange) if self.price and exchange.reply else None
        except Exception:  # a missing price leaves the judge's cost unknown, never the verdict
            return None

    def grade(self, spec: Spec, output: str, question: str = "") -> Judgement:
        """An ``llm-rubric`` or ``factuality`` verdict on one reply."""
        prompt = spec.prompt(output=output, question=question)
        value, spent, error = self.ask(spec.judge, prompt, spec.kind)
        spent["criterion"] = spec.written or spec.value
        if error:
            return Judgement(False, error, spec.judge, prompt, error=True, **spent)
        reason = value["reason"].strip() or "(the judge gave no reason)"
        if spec.kind == "factuality":
            category = value["category"]
            passed = category in spec.pass_on
            return Judgement(passed, f"{category}: {reason}", spec.judge, prompt, category=category, **spent)
        score = float(value["score"])
        passed = bool(value["pass"]) and (spec.threshold is None or score >= spec.threshold)
        said = f"score {score:g}" + ("" if spec.threshold is None else f" (threshold {spec.threshold:g})")
        return Judgement(passed, f"{said}: {reason}", spec.judge, prompt, score=score, **spent)

    def best(self, spec: Spec, outputs: Sequence[str]) -> Judgement:
        """A ``select-best`` choice among ``outputs`` (numbered from 1 in the prompt)."""
        numbered = "\n\n".join(f'<reply n="{n}">\n{text}\n</reply>' for n, text in enumerate(outputs, start=1))
        prompt = spec.prompt(outputs=numbered)
        value, spent, error = self.ask(spec.judge, prompt, spec.kind)
        spent["criterion"] = spec.written or spec.value
        if not error and not 1 <= value["choice"] <= len(outputs):
            error = f"the judge {spec.judge.label} chose reply {value['choice']}, but there are {len(outputs)}"
        if error:
            return Judgement(False, error, spec.judge, prompt, error=True, **spent)
        reason = value["reason"].strip() or "(the judge gave no reason)"
        return Judgement(True, reason, spec.judge, prompt, choice=value["choice"], **spent)


def add_usage(total: dict[str, int], usage: Mapping[str, Any]) -> dict[str, int]:
    """``total`` plus ``usage``'s token counts (None counts as nothing)."""
    for key, value in usage.items():
        if isinstance(value, int) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value
    return total
