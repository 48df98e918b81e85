"""Google Search grounding: ``tools: [{"googleSearch": {}}]`` on the Gemini native route.

The sources a grounded reply cites are read where replies are read
(:func:`comet.exchange.read_grounding`).
"""

from __future__ import annotations

from collections.abc import Mapping  # isinstance against it is much cheaper than typing.Mapping
from typing import Any

from ..call import Route
from ..errors import Problem
from .tools import has_tool, set_tool

_SEARCH = ("googleSearch", "google_search")


def has_search(route: Route, body: Mapping[str, Any]) -> bool:
    return has_tool(route, body, _SEARCH)


def set_search(route: Route, body: Mapping[str, Any], on: bool) -> dict[str, Any]:
    """``tools: [{"googleSearch": {}}]`` added or removed; other tools untouched."""
    return set_tool(route, body, _SEARCH, on, "Google Search grounding")


read = has_search
set = set_search  # noqa: A001  (the feature's setter, as in every feature module)


def problems(route: Route, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """Nothing to refuse: the switch writes only what the route accepts."""
    return []
