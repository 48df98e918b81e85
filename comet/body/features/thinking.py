"""Thinking: the budget (Gemini 2.5), the level (Gemini 3) and what each model allows.

The Form tab writes ``generationConfig.thinkingConfig`` through :mod:`comet.body.form` (its
``thinking_budget``, ``thinking_level`` and ``include_thoughts`` fields); this module knows the
model's range (:mod:`comet.core.capabilities`) and what a budget mode stands for.
"""

from __future__ import annotations

import math
from collections.abc import Mapping  # isinstance against it is much cheaper than typing.Mapping
from typing import Any

from comet.body import form, spelling
from comet.core.call import Route
from comet.core.capabilities import Thinking, thinking_spec
from comet.core.errors import Problem

# The top-level keys problems() reads (comet.body.features skips it when none is there).
KEYS = frozenset({"generationConfig", "generation_config"})


def read(route: Route, body: Mapping[str, Any]) -> dict[str, Any]:
    """``thinking_budget``, ``thinking_level`` and ``include_thoughts`` as the form reads them
    (Gemini), or ``reasoning_effort`` (OpenAI)."""
    values = form.read(route, body)
    names = ("thinking_budget", "thinking_level", "include_thoughts") if route is Route.GEMINI \
        else ("reasoning_effort",)
    return {name: values[name] for name in names}


def set(route: Route, body: Mapping[str, Any], **edits: Any) -> dict[str, Any]:  # noqa: A001
    """Write thinking fields by their :func:`read` names (``None`` removes one)."""
    return form.apply(route, body, edits)


THINKING_MODES = ("dynamic", "off", "custom")
DEFAULT_CUSTOM_BUDGET = 1024


def thinking_mode(budget: Any) -> str | None:
    """The budget as a mode: -1 dynamic, 0 off, a positive number custom, None not set."""
    if budget is None or isinstance(budget, bool) or not isinstance(budget, (int, float)) \
            or not math.isfinite(budget):  # NaN or Infinity: no mode (validation names the field)
        return None
    return "dynamic" if budget == -1 else "off" if budget == 0 else "custom"


def budget_for_mode(mode: str | None, current: Any, spec: Thinking | None) -> int | None:
    """The thinkingBudget a mode stands for; "custom" keeps a positive budget already set,
    else takes 1024 clamped to the model's range."""
    if mode is None:
        return None
    if mode == "dynamic":
        return -1
    if mode == "off":
        return 0
    if thinking_mode(current) == "custom":
        return int(current)
    if spec is None:
        return DEFAULT_CUSTOM_BUDGET
    return max(spec.min, min(spec.max, DEFAULT_CUSTOM_BUDGET)) or spec.max


def problems(route: Route, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """A budget outside the model's range, or a level it does not offer, with the fix."""
    out: list[Problem] = []
    if route is not Route.GEMINI:
        return out
    gkey = spelling.key(body, "generationConfig")
    gen = body.get(gkey) if gkey else None
    tkey = spelling.key(gen, "thinkingConfig") if isinstance(gen, Mapping) else None
    think = gen.get(tkey) if tkey else None
    spec = thinking_spec(model) if isinstance(think, Mapping) else None  # every send asks: stay cheap
    if spec is None:
        return out
    where = f"$.{gkey}.{tkey}"
    bkey, lkey = spelling.key(think, "thinkingBudget"), spelling.key(think, "thinkingLevel")
    budget = think.get(bkey) if bkey else None
    level = think.get(lkey) if lkey else None
    if isinstance(budget, (int, float)) and not isinstance(budget, bool) and float(budget).is_integer():
        budget = int(budget)
        if budget == 0 and not spec.can_disable:
            out.append(Problem(route.value, f"{where}.{bkey}", f"{model} cannot turn thinking off (budget 0)",
                               f"use {spec.budget_range()}"))
        elif budget not in (-1, 0) and not spec.min <= budget <= spec.max:
            out.append(Problem(route.value, f"{where}.{bkey}",
                               f"thinking budget {budget} is outside {model}'s range",
                               f"use {spec.budget_range()}"))
    if isinstance(level, str) and level:
        if spec.kind != "level":
            out.append(Problem(route.value, f"{where}.{lkey}", f"{model} takes a thinking budget, not a level",
                               f"remove `thinkingLevel` and set `thinkingBudget` ({spec.budget_range()})"))
        elif level.upper() not in spec.levels:
            out.append(Problem(route.value, f"{where}.{lkey}", f"thinking level {level!r} is not one {model} offers",
                               "use one of " + ", ".join(spec.levels)))
    return out
