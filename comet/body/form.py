"""The Playground's form, as plain functions over a route's own body (no Streamlit here).

:func:`read` gives the form's values for a body; :func:`apply` writes the fields a person
touched back into a copy of it. Both go through one table of field paths per route
(:data:`FIELDS`), so the form and the JSON tab are two views of one body:

- a field the user did not touch is never written, so the form injects nothing;
- keys the form does not know (``safetySettings``, ``tools``, ``logprobs``...) are left alone;
- clearing a field removes its key (and a settings object the removal left empty), which is
  how "not set" is spelled on the wire;
- Gemini accepts camelCase and snake_case (proto3 JSON): a field is read from either
  spelling and written back under the spelling the body already uses.

    >>> body = {"contents": [{"parts": [{"text": "hi"}]}], "safetySettings": []}
    >>> apply(Route.GEMINI, body, {"temperature": 0.2})["generationConfig"]
    {'temperature': 0.2}
    >>> read(Route.GEMINI, body)["prompt"]
    'hi'
"""

from __future__ import annotations

import copy
from collections.abc import Mapping  # isinstance against it is much cheaper than typing.Mapping
from dataclasses import dataclass
from typing import Any

from comet.core.call import Route

from . import spelling
from .spelling import FormConflict


@dataclass(frozen=True)
class FieldSpec:
    """What a form control needs to know about a field; the UI draws it from this."""

    name: str
    label: str
    kind: str  # "text", "longtext", "float", "int", "bool", "list", "choice"
    help: str = ""
    min: float | None = None
    max: float | None = None
    step: float | None = None
    options: tuple[str, ...] = ()


# Field -> path in the body. Each path step is the canonical key; on the Gemini route its
# snake_case twin is accepted too (see _spellings).
FIELDS: dict[Route, dict[str, tuple[str, ...]]] = {
    Route.GEMINI: {
        "temperature": ("generationConfig", "temperature"),
        "top_p": ("generationConfig", "topP"),
        "max_output_tokens": ("generationConfig", "maxOutputTokens"),
        "stop": ("generationConfig", "stopSequences"),
        "json_output": ("generationConfig", "responseMimeType"),
        "top_k": ("generationConfig", "topK"),
        "thinking_budget": ("generationConfig", "thinkingConfig", "thinkingBudget"),
        "include_thoughts": ("generationConfig", "thinkingConfig", "includeThoughts"),
        "thinking_level": ("generationConfig", "thinkingConfig", "thinkingLevel"),
    },
    Route.OPENAI: {
        "temperature": ("temperature",),
        "top_p": ("top_p",),
        "max_output_tokens": ("max_completion_tokens",),
        "stop": ("stop",),
        "json_output": ("response_format",),
        "reasoning_effort": ("reasoning_effort",),
        "presence_penalty": ("presence_penalty",),
        "frequency_penalty": ("frequency_penalty",),
    },
}

# Older or alternative spellings that mean the same field (read and kept if already there).
_ALIASES = {"max_completion_tokens": ("max_completion_tokens", "max_tokens")}

COMMON = ("prompt", "system", "temperature", "top_p", "max_output_tokens", "stop", "json_output")

SPECS: dict[str, FieldSpec] = {s.name: s for s in (
    FieldSpec("prompt", "Prompt", "longtext", "the last user turn"),
    FieldSpec("system", "System instruction", "longtext", "empty: no system instruction is sent"),
    FieldSpec("temperature", "Temperature", "float", "empty: the model's default", 0.0, 2.0, 0.1),
    FieldSpec("top_p", "Top-p", "float", "empty: the model's default", 0.0, 1.0, 0.05),
    FieldSpec("max_output_tokens", "Max output tokens", "int", "empty: the model's default", 1, None, 1),
    FieldSpec("stop", "Stop sequences", "list", "comma-separated; at most 5 on the Gemini route"),
    FieldSpec("json_output", "JSON output", "bool", "ask for a JSON reply"),
    FieldSpec("top_k", "Top-k", "int", "Gemini only; empty: the model's default", 1, None, 1),
    FieldSpec("thinking_budget", "Thinking budget (tokens)", "int",
              "Gemini 2.5: tokens to think; 0 off, -1 dynamic; empty: the model's default", -1, None, 128),
    FieldSpec("include_thoughts", "Include thoughts", "bool", "return thought summaries"),
    FieldSpec("thinking_level", "Thinking level", "choice", "Gemini 3; empty: the model's default",
              options=("MINIMAL", "LOW", "MEDIUM", "HIGH")),
    FieldSpec("reasoning_effort", "Reasoning effort", "choice", "OpenAI route; empty: not sent",
              options=("none", "minimal", "low", "medium", "high")),
    FieldSpec("presence_penalty", "Presence penalty", "float", "empty: not sent", -2.0, 2.0, 0.1),
    FieldSpec("frequency_penalty", "Frequency penalty", "float", "empty: not sent", -2.0, 2.0, 0.1),
)}


def fields(route: Route) -> tuple[str, ...]:
    """Every form field for a route: prompt and system first, then settings."""
    return ("prompt", "system") + tuple(FIELDS[route])


def route_specific(route: Route) -> tuple[str, ...]:
    return tuple(f for f in FIELDS[route] if f not in COMMON)


# ---- reading -----------------------------------------------------------------------------------

def read(route: Route, body: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values for ``body``: ``None`` (or "", False, []) where a field is not set."""
    values: dict[str, Any] = {"prompt": _read_prompt(route, body), "system": _read_system(route, body)}
    for name, path in FIELDS[route].items():
        found = _find(route, body, path)
        values[name] = _decode(route, name, found[1] if found else None)
    return values


def _decode(route: Route, name: str, raw: Any) -> Any:
    if name == "json_output":
        if route is Route.GEMINI:
            return raw == "application/json"
        return isinstance(raw, Mapping) and raw.get("type") in ("json_object", "json_schema")
    if name == "include_thoughts":
        return raw is True
    if name == "thinking_level":  # Google's REST examples also write "low" (wire-formats B.2)
        return raw.upper() if isinstance(raw, str) else raw
    if name == "stop":
        if isinstance(raw, str):
            return [raw]
        return [s for s in raw if isinstance(s, str)] if isinstance(raw, list) else []
    return raw


def _spellings(route: Route, key: str) -> tuple[str, ...]:
    if key in _ALIASES:
        return _ALIASES[key]
    return spelling.spellings(key) if route is Route.GEMINI else (key,)


def _key_in(route: Route, obj: Mapping[str, Any], key: str) -> str | None:
    for name in _spellings(route, key):
        if name in obj:
            return name
    return None


def _find(route: Route, body: Mapping[str, Any], path: tuple[str, ...]) -> tuple[str, Any] | None:
    obj: Any = body
    name = None
    for step in path:
        if not isinstance(obj, Mapping):
            return None
        name = _key_in(route, obj, step)
        if name is None:
            return None
        obj = obj[name]
    return name, obj


# ---- writing -----------------------------------------------------------------------------------

def apply(route: Route, body: Mapping[str, Any], edits: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``body`` with only the edited fields changed.

    An edit of ``None``, ``""`` (system), ``False`` (switches) or ``[]`` (stop) removes the
    field. Raises :class:`FormConflict` when the body's shape has no place for an edit.
    """
    out = copy.deepcopy(dict(body))
    for name, value in edits.items():
        if name == "prompt":
            _write_prompt(route, out, value or "")
        elif name == "system":
            _write_system(route, out, value or "")
        elif name in FIELDS[route]:
            _write_field(route, out, name, value)
        else:
            raise KeyError(f"{name!r} is not a form field of the {route.label} route")
    return out


def _encode(route: Route, name: str, value: Any, current: Any) -> Any:
    """The body value for a form value; ``None`` means remove the key."""
    if name == "json_output":
        if not value:
            # Switching JSON off removes only what the switch itself means.
            if route is Route.GEMINI:
                return None if current == "application/json" else current
            return None if isinstance(current, Mapping) and current.get("type") in (
                "json_object", "json_schema") else current
        if _decode(route, name, current):
            return current  # already JSON (maybe with a schema): keep it as it is
        return "application/json" if route is Route.GEMINI else {"type": "json_object"}
    if name == "include_thoughts":
        return True if value else None
    if name == "stop":
        items = [s for s in (value or []) if isinstance(s, str) and s != ""]
        return items or None
    if value == "" or value is False:
        return None
    return value


def _write_field(route: Route, body: dict[str, Any], name: str, value: Any) -> None:
    path = FIELDS[route][name]
    found = _find(route, body, path)
    new = _encode(route, name, value, found[1] if found else None)
    if new is None:
        _remove(route, body, path)
        return
    obj = body
    for step in path[:-1]:
        key = _key_in(route, obj, step) or _new_key(route, obj, step)
        child = obj.get(key)
        if child is None:
            child = obj[key] = {}
        if not isinstance(child, dict):
            raise FormConflict(f"`{key}` is not an object, so the form cannot set {SPECS[name].label.lower()}; "
                               f"fix it in the JSON tab")
        obj = child
    leaf = _key_in(route, obj, path[-1]) or _new_key(route, obj, path[-1])
    obj[leaf] = new


def _new_key(route: Route, obj: Mapping[str, Any], key: str) -> str:
    """A new key follows its object's casing: snake_case among snake_case siblings (what the
    Python SDK sends), camelCase otherwise."""
    spellings = _spellings(route, key)
    if route is Route.GEMINI and len(spellings) == 2 and obj and spelling.snake_spelled(obj):
        return spellings[1]
    return spellings[0]


def _remove(route: Route, body: dict[str, Any], path: tuple[str, ...]) -> None:
    """Remove a key, then any settings object that only this removal left empty."""
    chain: list[tuple[dict[str, Any], str]] = []
    obj: Any = body
    for step in path:
        if not isinstance(obj, dict):
            return
        key = _key_in(route, obj, step)
        if key is None:
            return
        chain.append((obj, key))
        obj = obj[key]
    parent, key = chain.pop()
    del parent[key]
    while chain and parent == {}:
        grand, gkey = chain.pop()
        del grand[gkey]
        parent = grand


# ---- prompt, system instruction, turns ---------------------------------------------------------

def _first_text_part(parts: Any, openai: bool) -> Mapping[str, Any] | None:
    if not isinstance(parts, list):
        return None
    for part in parts:
        if isinstance(part, Mapping) and isinstance(part.get("text"), str) and (
                not openai or part.get("type") == "text") and not part.get("thought"):
            return part
    return None


def _read_prompt(route: Route, body: Mapping[str, Any]) -> str:
    turn = spelling.last_user_turn(route, body)
    if turn is None:
        return ""
    if route is Route.OPENAI and isinstance(turn.get("content"), str):
        return turn["content"]
    part = _first_text_part(turn.get("parts") if route is Route.GEMINI else turn.get("content"),
                            route is Route.OPENAI)
    return part["text"] if part else ""


def _write_prompt(route: Route, body: dict[str, Any], prompt: str) -> None:
    list_key = spelling.turns_key(route)
    turns = body.get(list_key)
    if turns is None:
        turns = body[list_key] = []
    if not isinstance(turns, list):
        raise FormConflict(f"`{list_key}` is not a list, so the form cannot set the prompt; fix it in the JSON tab")
    turn = spelling.last_user_turn(route, body)
    if turn is None:
        turns.append({"role": "user", "parts": [{"text": prompt}]} if route is Route.GEMINI
                     else {"role": "user", "content": prompt})
        return
    if route is Route.OPENAI and not isinstance(turn.get("content"), list):
        turn["content"] = prompt
        return
    parts_key = "parts" if route is Route.GEMINI else "content"
    parts = turn.get(parts_key)
    if not isinstance(parts, list):
        raise FormConflict(f"the last user turn's `{parts_key}` is not a list; fix it in the JSON tab")
    part = _first_text_part(parts, route is Route.OPENAI)
    if part is not None:
        part["text"] = prompt
    else:
        parts.insert(0, {"text": prompt} if route is Route.GEMINI else {"type": "text", "text": prompt})


def _system_message(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    messages = body.get("messages")
    if isinstance(messages, list):
        for m in messages:
            if isinstance(m, Mapping) and m.get("role") in ("system", "developer"):
                return m
    return None


def _read_system(route: Route, body: Mapping[str, Any]) -> str:
    if route is Route.GEMINI:
        key = _key_in(route, body, "systemInstruction")
        inst = body.get(key) if key else None
        if isinstance(inst, Mapping):
            part = _first_text_part(inst.get("parts"), False)
            return part["text"] if part else ""
        return ""
    msg = _system_message(body)
    if msg is None:
        return ""
    content = msg.get("content")
    if isinstance(content, str):
        return content
    part = _first_text_part(content, True)
    return part["text"] if part else ""


def _write_system(route: Route, body: dict[str, Any], text: str) -> None:
    if route is Route.GEMINI:
        key = _key_in(route, body, "systemInstruction")
        inst = body.get(key) if key else None
        if inst is None:
            if text:
                body["systemInstruction"] = {"parts": [{"text": text}]}
            return
        if not isinstance(inst, dict) or not isinstance(inst.get("parts"), list):
            raise FormConflict("`systemInstruction` is not an object with `parts`; fix it in the JSON tab")
        if not text and set(inst) <= {"parts", "role"} and len(inst["parts"]) <= 1:
            del body[key]
            return
        part = _first_text_part(inst["parts"], False)
        if part is not None:
            part["text"] = text
        else:
            inst["parts"].insert(0, {"text": text})
        return
    messages = body.get("messages")
    if messages is None:
        messages = body["messages"] = []
    if not isinstance(messages, list):
        raise FormConflict("`messages` is not a list, so the form cannot set the system instruction")
    msg = _system_message(body)
    if msg is None:
        if text:
            messages.insert(0, {"role": "system", "content": text})
        return
    if not text and set(msg) <= {"role", "content"} and not isinstance(msg.get("content"), list):
        messages.remove(msg)
        return
    content = msg.get("content")
    if isinstance(content, list):
        part = _first_text_part(content, True)
        if part is not None:
            part["text"] = text
        else:
            content.insert(0, {"type": "text", "text": text})
    else:
        msg["content"] = text


def continue_with(route: Route, body: Mapping[str, Any], reply_text: str) -> dict[str, Any]:
    """The body with the reply appended as a model (assistant) turn and a new, empty user turn."""
    out, turns = spelling.with_turns(route, body)
    if route is Route.GEMINI:
        turns.append({"role": "model", "parts": [{"text": reply_text}]})
        turns.append({"role": "user", "parts": [{"text": ""}]})
    else:
        turns.append({"role": "assistant", "content": reply_text})
        turns.append({"role": "user", "content": ""})
    return out


def stop_text(values: list[str]) -> str:
    """Stop sequences as the form's one-line text."""
    return ", ".join(values)


def parse_stop(text: str) -> list[str]:
    """The form's comma-separated text as a list (blank items dropped)."""
    return [s.strip() for s in (text or "").split(",") if s.strip()]
