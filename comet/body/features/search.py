"""Google Search grounding: ``tools: [{"googleSearch": {}}]`` on the Gemini native route.

:func:`read_grounding` reads the sources a grounded reply cites (``groundingMetadata``).
"""

from __future__ import annotations

from collections.abc import Mapping  # isinstance against it is much cheaper than typing.Mapping
from dataclasses import dataclass
from typing import Any

from comet.body import spelling
from comet.core.call import Route
from comet.core.errors import Problem

from .tools import has_tool, set_tool

_SEARCH = ("googleSearch", "google_search")

# What the route switch says when it drops this feature's fields on the way to Chat Completions
GEMINI_ONLY = {
    "googleSearch": "Google Search grounding has no Chat Completions field",
    "googleSearchRetrieval": "Google Search grounding has no Chat Completions field",
}


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


# ---- reading grounding metadata out of a reply ---------------------------------------------------

@dataclass(frozen=True)
class Source:
    number: int  # 1-based, as the reply view lists them
    title: str
    uri: str


@dataclass(frozen=True)
class Support:
    """A stretch of the answer and the sources that back it."""

    text: str
    sources: tuple[int, ...]  # Source.number values
    scores: tuple[float, ...] = ()


@dataclass(frozen=True)
class Grounding:
    queries: tuple[str, ...]
    sources: tuple[Source, ...]
    supports: tuple[Support, ...]


def read_grounding(meta: Any, answer: str = "") -> Grounding | None:
    """``groundingMetadata`` (wire-formats B.4) as what the reply view lists: the search
    queries, the sources (web or retrieved context: title and link) and which stretch of the
    answer each support backs. A segment without ``text`` is cut from the answer by its
    UTF-8 byte offsets."""
    if not isinstance(meta, Mapping):
        return None
    queries = tuple(q for q in spelling.get(meta, "webSearchQueries", []) or [] if isinstance(q, str))
    sources = []
    for n, chunk in enumerate(spelling.get(meta, "groundingChunks", []) or [], start=1):
        ref = (spelling.get(chunk, "web") or spelling.get(chunk, "retrievedContext") or spelling.get(chunk, "maps")) \
            if isinstance(chunk, Mapping) else None
        ref = ref if isinstance(ref, Mapping) else {}
        uri = str(ref.get("uri") or "")
        sources.append(Source(n, str(ref.get("title") or uri or f"source {n}"), uri))
    raw = answer.encode("utf-8")
    supports = []
    for item in spelling.get(meta, "groundingSupports", []) or []:
        if not isinstance(item, Mapping):
            continue
        segment = spelling.get(item, "segment") or {}
        text = segment.get("text") if isinstance(segment, Mapping) else None
        if not isinstance(text, str):
            start, end = spelling.get(segment, "startIndex", 0), spelling.get(segment, "endIndex", 0)
            text = raw[start:end].decode("utf-8", "replace") if isinstance(start, int) and isinstance(end, int) else ""
        indices = tuple(i + 1 for i in spelling.get(item, "groundingChunkIndices", []) or [] if isinstance(i, int))
        scores = tuple(float(s) for s in spelling.get(item, "confidenceScores", []) or [] if isinstance(s, (int, float)))
        supports.append(Support(text, indices, scores))
    return Grounding(queries, tuple(sources), tuple(supports))
