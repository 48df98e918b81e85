"""Gemini's built-in tools as switches: one entry in ``tools`` (``{"googleSearch": {}}``,
``{"codeExecution": {}}``, ``{"urlContext": {}}``) added or removed, other tools untouched.
Used by the feature modules :mod:`.search`, :mod:`.code_execution` and :mod:`.url_context`."""

from __future__ import annotations

import copy
from typing import Any, Mapping

from comet.body.spelling import FormConflict
from comet.core.call import Route


def has_tool(route: Route, body: Mapping[str, Any], names: tuple[str, ...]) -> bool:
    """Whether a Gemini body's ``tools`` holds an entry with one of ``names`` (either spelling)."""
    if route is not Route.GEMINI:
        return False
    tools = body.get("tools")
    return isinstance(tools, list) and any(isinstance(t, Mapping) and any(k in t for k in names) for t in tools)


def set_tool(route: Route, body: Mapping[str, Any], names: tuple[str, ...], on: bool, label: str
             ) -> dict[str, Any]:
    """``{names[0]: {}}`` added to ``tools`` (on) or every spelling of it removed (off); a
    ``tools`` list left empty goes too."""
    if route is not Route.GEMINI:
        raise FormConflict(f"{label} is a Gemini native feature; switch to that route")
    out = copy.deepcopy(dict(body))
    if on == has_tool(route, out, names):
        return out
    tools = out.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise FormConflict(f"`tools` is not a list, so the form cannot add {label}; fix it in the JSON tab")
    if on:  # `"tools": null` reads as no tools
        out["tools"] = [*(tools or []), {names[0]: {}}]
        return out
    kept = []
    for tool in tools:
        if isinstance(tool, dict) and any(k in tool for k in names):
            tool = {k: v for k, v in tool.items() if k not in names}
            if not tool:
                continue
        kept.append(tool)
    if kept:
        out["tools"] = kept
    else:
        del out["tools"]
    return out
