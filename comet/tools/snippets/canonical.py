"""The one canonical form used to compare a body an SDK sent with the body the client sends.

The official SDKs rebuild the body from their parameters, so the bytes differ in ways the API
does not care about. :func:`canonical` undoes exactly those differences, and nothing else:

1. **Keys in camelCase.** Gemini's API is proto3 JSON, which accepts a field's snake_case name
   and its camelCase name alike; google-genai (Python) sends nested objects in snake_case
   (``thinkingConfig: {"thinking_budget": 0}``). Every key is folded, on both sides.
2. **Null members dropped.** In proto3 JSON (and for Chat Completions' optional fields) a null
   means "not set"; the SDKs leave unset parameters out.
3. **No ``role`` on ``systemInstruction``.** Some google-genai versions add ``"role": "user"``;
   the API ignores the role there.
4. **Enum strings in upper case** under ``type`` and ``thinkingLevel``: both google-genai SDKs
   upper-case schema types (``"object"`` -> ``"OBJECT"``), and Python's normalises thinking
   levels (``"low"`` -> ``"LOW"``).
5. **Whole floats as integers**: Python google-genai sends ``topK`` as ``40.0``.
6. **No empty ``generationConfig``**: google-genai (Python) sends ``{}`` when its config holds
   only non-generation fields such as a system instruction.

Object key order never matters (JSON objects are unordered); list order always does.
"""

from __future__ import annotations

from typing import Any

from .sdkargs import camel

_UPPER = {"type", "thinkingLevel"}


def canonical(body: Any) -> Any:
    return _fold(body, parent=None)


def _fold(value: Any, parent: str | None) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None:
                continue
            name = camel(k)
            if name == "role" and parent == "systemInstruction":
                continue
            if name == "generationConfig" and v == {}:
                continue
            out[name] = _fold(v, name)
        return out
    if isinstance(value, list):
        return [_fold(v, parent) for v in value]
    if isinstance(value, str) and parent in _UPPER:
        return value.upper()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
