"""URL context: ``tools: [{"urlContext": {}}]`` on the Gemini native route.

The model reads the pages whose URLs the prompt names (at most 20); the reply's
``urlContextMetadata`` (each URL and its retrieval status) is read where replies are read
(``Reply.url_context``). Chat Completions has no such field: the route switch drops the tool
and says so, while the URLs stay in the prompt's text.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from comet.core.call import Route, user_text
from comet.core.errors import Problem

from .tools import has_tool, set_tool

_NAMES = ("urlContext", "url_context")

# What the route switch says when it drops this feature's fields on the way to Chat Completions
GEMINI_ONLY = {
    "urlContext": "URL context has no Chat Completions field",
}
KEYS = frozenset({"tools"})  # the only top-level key problems() reads
MAX_URLS = 20  # Google's limit per request
_URL = re.compile(r"https?://[^\s<>\"')\]]+")


def read(route: Route, body: Mapping[str, Any]) -> bool:
    return has_tool(route, body, _NAMES)


def set(route: Route, body: Mapping[str, Any], on: bool) -> dict[str, Any]:  # noqa: A001
    """``{"urlContext": {}}`` added to ``tools`` or removed; other tools untouched."""
    return set_tool(route, body, _NAMES, on, "URL context")


def urls(route: Route, body: Mapping[str, Any]) -> list[str]:
    """The URLs the prompt names, in order, each once: what the model will read."""
    found = _URL.findall(user_text(body, route))
    return list(dict.fromkeys(url.rstrip(".,;:!?") for url in found))


def problems(route: Route, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """URL context on with no URL in the prompt, or with more than Google reads."""
    if not read(route, body):
        return []
    named = urls(route, body)
    if not named:
        return [Problem(route.value, "tools.urlContext", "URL context is on but the prompt names no URL",
                        "put the pages to read (https://...) in the prompt, or turn URL context off")]
    if len(named) > MAX_URLS:
        return [Problem(route.value, "tools.urlContext",
                        f"the prompt names {len(named)} URLs; URL context reads at most {MAX_URLS}",
                        f"keep at most {MAX_URLS} URLs in the prompt")]
    return []
