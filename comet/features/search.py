"""Google Search grounding: ``tools: [{"googleSearch": {}}]`` on the Gemini native route.

The sources a grounded reply cites are read where replies are read
(:func:`comet.exchange.read_grounding`).
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

from ..body import FormConflict
from ..call import Route
from ..errors import Problem

_SEARCH = ("googleSearch", "google_search")


def has_search(route: Route | str, body: Mapping[str, Any]) -> bool:
    if Route.parse(route) is not Route.GEMINI:
        return False
    tools = body.get("tools")
    return isinstance(tools, list) and any(isinstance(t, Mapping) and any(k in t for k in _SEARCH)
                                           for t in tools)


def set_search(route: Route | str, body: Mapping[str, Any], on: bool) -> dict[str, Any]:
    """``tools: [{"googleSearch": {}}]`` added or removed; other tools untouched."""
    if Route.parse(route) is not Route.GEMINI:
        raise FormConflict("Google Search grounding is a Gemini native feature; switch to that route")
    out = copy.deepcopy(dict(body))
    if on == has_search(route, out):
        return out
    tools = out.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise FormConflict("`tools` is not a list, so the form cannot add Google Search; fix it in the JSON tab")
    if on:  # `"tools": null` reads as no tools
        out["tools"] = [*(tools or []), {"googleSearch": {}}]
        return out
    kept = []
    for tool in tools:
        if isinstance(tool, dict) and any(k in tool for k in _SEARCH):
            tool = {k: v for k, v in tool.items() if k not in _SEARCH}
            if not tool:
                continue
        kept.append(tool)
    if kept:
        out["tools"] = kept
    else:
        del out["tools"]
    return out


read = has_search
set = set_search  # noqa: A001  (the feature's setter, as in every feature module)


def problems(route: Route | str, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """Nothing to refuse: the switch writes only what the route accepts."""
    return []
