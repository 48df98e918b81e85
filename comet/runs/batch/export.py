"""A comparison (or a selection of History runs) as a suite whose cases expect what the replies
said: a regression test to edit. For each reply: ``json-schema`` (the shape of a JSON reply:
its type, and for an object its keys and their types), ``equals`` for a short one-line reply,
else ``contains`` of up to two key sentences.

Runs that share one route and differ only in the last user text become one case each, with the
text as the ``{{prompt}}`` variable; otherwise the first run's request is the one case. The
targets are the runs' distinct routes and models. Each target is held to what it said itself
(its first successful run of the case): where the targets' expectations differ, each carries
``"target": {"route", "model"}``, so the suite passes on the runs it came from.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Sequence

from comet.core.call import Route
from comet.core.exchange import Exchange

SHORT = 80  # characters: a reply this short (one line) is expected word for word
_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"),
               (dict, "object"), (type(None), "null"))


def _json_type(value: Any) -> str:
    return next(name for kind, name in _JSON_TYPES if isinstance(value, kind))


def shape(value: Any) -> dict[str, Any]:
    """A JSON schema of ``value``'s shape (one level of properties deep)."""
    schema: dict[str, Any] = {"type": _json_type(value)}
    if isinstance(value, dict):
        schema["required"] = list(value)
        schema["properties"] = {k: {"type": _json_type(v)} for k, v in value.items()}
    return schema


def expectations(text: str) -> list[dict[str, Any]]:
    stripped = text.strip()
    candidate = re.sub(r"\A```[\w-]*\n?|\n?```\Z", "", stripped).strip()
    try:
        value = json.loads(candidate)
    except ValueError:
        value = None
    if isinstance(value, (dict, list)):
        return [{"type": "json-schema", "value": shape(value)}]
    if len(stripped) <= SHORT and "\n" not in stripped:
        return [{"type": "equals", "value": stripped}] if stripped else []
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", stripped) if 20 <= len(s.strip()) <= 160]
    return [{"type": "contains", "value": s} for s in sentences[:2]] or [{"type": "contains", "value": stripped[:60]}]


def _last_user_text(route: Route, body: dict) -> tuple[list, str] | None:
    """(path to the last user text, the text) when the body ends in a plain user text turn."""
    if route is Route.GEMINI:
        turns = body.get("contents")
        if isinstance(turns, list) and turns and isinstance(turns[-1], dict):
            parts = turns[-1].get("parts")
            if isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0].get("text"), str):
                return ["contents", len(turns) - 1, "parts", 0, "text"], parts[0]["text"]
        return None
    turns = body.get("messages")
    if isinstance(turns, list) and turns and isinstance(turns[-1], dict) and isinstance(turns[-1].get("content"), str):
        return ["messages", len(turns) - 1, "content"], turns[-1]["content"]
    return None


def _templated(route: Route, body: dict) -> tuple[str, dict] | None:
    found = _last_user_text(route, body)
    if found is None:
        return None
    path, text = found
    template = copy.deepcopy(body)
    template.pop("model", None)
    template.pop("stream", None)
    node: Any = template
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = "{{prompt}}"
    return text, template


def _case(values: dict[str, str], runs: Sequence[Exchange]) -> dict[str, Any]:
    """A case holding each target to its own first successful reply; expectations all targets
    share are written once, without a target."""
    said: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for ex in runs:
        if ex.ok:
            said.setdefault((ex.call.route.value, ex.call.model), expectations(ex.text))
    if not said:
        return {"vars": values}
    if len({json.dumps(e, sort_keys=True) for e in said.values()}) == 1:
        return {"vars": values, "assert": next(iter(said.values()))}
    return {"vars": values, "assert": [{**a, "target": {"route": route, "model": model}}
                                       for (route, model), found in said.items() for a in found]}


def suite_from_runs(exchanges: Sequence[Exchange], name: str = "exported") -> dict[str, Any]:
    """The suite file (a dict) for these runs; see the module docstring."""
    runs = [ex for ex in exchanges if ex is not None]
    if not runs:
        raise ValueError("no runs to export")
    first = runs[0].call
    targets = list(dict.fromkeys((ex.call.route.value, ex.call.model) for ex in runs))
    templated = [_templated(ex.call.route, ex.call.body) for ex in runs]
    same_shape = (all(t is not None for t in templated) and len({ex.call.route for ex in runs}) == 1
                  and len({json.dumps(t[1], sort_keys=True) for t in templated}) == 1)
    if same_shape and len({t[0] for t in templated}) > 1:
        body, grouped = templated[0][1], {}
        for (text, _), ex in zip(templated, runs):
            grouped.setdefault(text, []).append(ex)
        case_list = [_case({"prompt": text}, found) for text, found in grouped.items()]
    else:
        body = {k: v for k, v in first.body.items() if first.route is Route.GEMINI or k not in ("model", "stream")}
        case_list = [_case({}, runs)]
    return {"name": name, "request": {"route": first.route.value, "model": first.model, "stream": first.stream,
                                      "body": body},
            "targets": [{"route": route, "model": model} for route, model in targets[:6]], "cases": case_list}
