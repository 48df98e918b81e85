"""Translate a request body between the Gemini-native and the OpenAI-compatible route.

    >>> conv = convert({"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
    ...                 "generationConfig": {"topK": 40}}, "openai", model="gemini-2.5-flash")
    >>> conv.body
    {'model': 'gemini-2.5-flash', 'messages': [{'role': 'user', 'content': 'hi'}]}
    >>> [(r.field, r.status) for r in conv.report]
    [('$.contents[0]', 'mapped'), ('$.generationConfig.topK', 'dropped')]
    >>> back = convert(conv.body, "gemini").body
    >>> restore(back, conv.leftover)["generationConfig"]
    {'topK': 40}

Every field of the source lands in the report: ``mapped`` (same meaning), ``approximated``
(the note says how) or ``dropped`` (the note says why). ``leftover`` keeps the source values
that did not carry over exactly, by JSON path, and :func:`restore` puts them back after the
round trip, so switching routes loses nothing the user typed. A leftover is restored only when
it does not change what the other route would be sent: an edit made on the other route wins.

The field mapping follows Google's OpenAI-compatibility layer and the gateways cited in
wire-formats.md B.9; effort levels follow Google's table (low/medium/high = 1024/8192/24576
thinking tokens). Gemini input may be camelCase or snake_case (proto3 JSON accepts both, B.3);
Gemini output is camelCase. ``includeThoughts`` is dropped rather than sent as Google's
``extra_body.google.thinking_config``, and an ``extra_body`` in an OpenAI body stays on that
route: CometAPI does not document the field (B.9).

Known normalisations a round trip does not undo (nothing is lost, the spelling changes): a turn
without ``role`` comes back with ``"role": "user"``, snake_case keys come back in camelCase,
and several ``tools`` entries holding function declarations come back as one.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

from comet.core.call import Route

from .common import (APPROXIMATED, AUDIO_FORMATS, BUDGETS, DROPPED, GEMINI_ONLY, GENERATED_ID, LEVELS, MAPPED,
                     OPENAI_ONLY, SAMPLING, UNKNOWN_GEMINI, UNKNOWN_OPENAI, Conversion, FieldReport, _other,
                     detect_route, split_path)
from .to_gemini import _OpenAIToGemini
from .to_openai import _GeminiToOpenAI, gemini_schema_to_json_schema

# ---- the public functions ----------------------------------------------------------------------

def convert(body: Mapping[str, Any], to: Route | str, *, model: str | None = None) -> Conversion:
    """``body`` rewritten for route ``to``, with a report of every field and the leftover.

    ``model`` is written into an OpenAI body, and picks ``thinkingLevel`` (Gemini 3) or
    ``thinkingBudget`` (others) for a Gemini one (default: the OpenAI body's own ``model``).
    A body already in ``to``'s shape comes back unchanged with an empty report.

    A REPL entry point: ``to`` may be a name (``"openai"``), parsed here once.
    """
    to = Route.parse(to)
    source = detect_route(body) or _other(to)
    if source is to:
        out = copy.deepcopy(dict(body))
        if to is Route.OPENAI and model:
            out["model"] = model
        return Conversion(out)
    if to is Route.OPENAI:
        return _GeminiToOpenAI(body, model).run()
    return _OpenAIToGemini(body, model).run()


# Keys the reverse conversion writes in place of a restored one (restoring one removes the other).
STAND_INS = {
    Route.GEMINI: {"responseSchema": ("responseJsonSchema",), "parameters": ("parametersJsonSchema",),
                   "thinkingBudget": ("thinkingLevel",), "thinkingLevel": ("thinkingBudget",)},
    Route.OPENAI: {"max_tokens": ("max_completion_tokens",)},
}


def _put(body: dict[str, Any], path: str, value: Any, stand_ins: Mapping[str, tuple[str, ...]]) -> dict | None:
    """A copy of ``body`` with ``value`` at ``path`` (a list position is inserted), or None
    when the path cannot be followed."""
    tokens = split_path(path)
    if not tokens:
        return None
    out = copy.deepcopy(body)
    node: Any = out
    for token, nxt in zip(tokens, tokens[1:]):
        if isinstance(node, dict) and isinstance(token, str):
            if token not in node:
                node[token] = [] if isinstance(nxt, int) else {}
            node = node[token]
        elif isinstance(node, list) and isinstance(token, int) and token < len(node):
            node = node[token]
        else:
            return None
    last = tokens[-1]
    if isinstance(node, dict) and isinstance(last, str):
        for other in stand_ins.get(last, ()):
            node.pop(other, None)
        node[last] = copy.deepcopy(value)
    elif isinstance(node, list) and isinstance(last, int) and last <= len(node):
        node.insert(last, copy.deepcopy(value))
    else:
        return None
    return out


def restore(body: Mapping[str, Any], leftover: Mapping[str, Any], *,
            route: Route | None = None) -> dict[str, Any]:
    """Put the leftover of an earlier conversion back into ``body`` (a body converted back).

    Each value goes back only if that leaves unchanged what the other route would be sent: a
    dropped field always returns; an approximated one returns unless the user changed the
    value on the other route (their edit wins). Entries inside turns are matched by position.
    """
    route = route or detect_route(body) or detect_route(
        {str(split_path(p)[0]): None for p in leftover if split_path(p)}) or Route.GEMINI
    other = _other(route)
    current = copy.deepcopy(dict(body))
    seen = convert(current, other).body
    for path, value in leftover.items():
        candidate = _put(current, path, value, STAND_INS[route])
        if candidate is not None and convert(candidate, other).body == seen:
            current = candidate
    return current


__all__ = ["MAPPED", "APPROXIMATED", "DROPPED", "FieldReport", "Conversion", "convert", "restore", "detect_route",
           "split_path", "gemini_schema_to_json_schema", "STAND_INS", "SAMPLING", "GEMINI_ONLY", "OPENAI_ONLY",
           "UNKNOWN_GEMINI", "UNKNOWN_OPENAI", "BUDGETS", "LEVELS", "AUDIO_FORMATS", "GENERATED_ID"]
