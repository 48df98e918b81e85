"""Code execution: ``tools: [{"codeExecution": {}}]`` on the Gemini native route.

The model may then write Python, run it and use what it printed; the reply's
``executableCode`` and ``codeExecutionResult`` parts are read where replies are read
(:class:`comet.core.exchange.CodeRun`). Chat Completions has no such field: the route switch drops it
and says so (:mod:`comet.body.convert`).
"""

from __future__ import annotations

from typing import Any, Mapping

from comet.core.call import Route
from comet.core.errors import Problem

from .tools import has_tool, set_tool

_NAMES = ("codeExecution", "code_execution")

# What the route switch says when it drops this feature's fields on the way to Chat Completions
GEMINI_ONLY = {
    "codeExecution": "code execution has no Chat Completions field",
}


def read(route: Route, body: Mapping[str, Any]) -> bool:
    return has_tool(route, body, _NAMES)


def set(route: Route, body: Mapping[str, Any], on: bool) -> dict[str, Any]:  # noqa: A001
    """``{"codeExecution": {}}`` added to ``tools`` or removed; other tools untouched."""
    return set_tool(route, body, _NAMES, on, "Code execution")


def problems(route: Route, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """Nothing to refuse: the switch writes only what the route accepts."""
    return []
