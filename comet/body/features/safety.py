"""Safety settings: a threshold per harm category in ``safetySettings`` (Gemini native)."""

from __future__ import annotations

import copy
from collections.abc import Mapping  # isinstance against it is much cheaper than typing.Mapping
from typing import Any

from comet.body import spelling
from comet.body.spelling import FormConflict
from comet.core.call import Route
from comet.core.errors import Problem

# What the route switch says when it drops this feature's fields on the way to Chat Completions
GEMINI_ONLY = {
    "safetySettings": "Chat Completions has no safety settings",
}

SAFETY_CATEGORIES = ("HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
                     "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT",
                     "HARM_CATEGORY_CIVIC_INTEGRITY")
SAFETY_THRESHOLDS = ("BLOCK_NONE", "BLOCK_ONLY_HIGH", "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_LOW_AND_ABOVE",
                     "OFF", "HARM_BLOCK_THRESHOLD_UNSPECIFIED")


def safety(body: Mapping[str, Any]) -> dict[str, str]:
    """Category -> threshold, as set in ``safetySettings``."""
    settings = spelling.get(body, "safetySettings")
    out: dict[str, str] = {}
    for s in settings if isinstance(settings, list) else []:
        if isinstance(s, Mapping) and isinstance(s.get("category"), str):
            out[s["category"]] = str(s.get("threshold") or "")
    return out


def set_safety(body: Mapping[str, Any], category: str, threshold: str | None) -> dict[str, Any]:
    """Set one category's threshold (None removes its entry); other entries keep their place."""
    out = copy.deepcopy(dict(body))
    key = spelling.key(out, "safetySettings") or "safetySettings"
    settings = out.get(key)
    if settings is None:
        settings = []
    if not isinstance(settings, list):
        raise FormConflict("`safetySettings` is not a list; fix it in the JSON tab")
    hit = next((s for s in settings if isinstance(s, dict) and s.get("category") == category), None)
    if threshold:
        if hit is not None:
            hit["threshold"] = threshold
        else:
            settings.append({"category": category, "threshold": threshold})
    elif hit is not None:
        settings.remove(hit)
    if settings:
        out[key] = settings
    else:
        out.pop(key, None)
    return out


read = safety
set = set_safety  # noqa: A001  (the feature's setter, as in every feature module)


def problems(route: Route, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """Nothing to refuse: unknown categories are the route validator's to report."""
    return []
