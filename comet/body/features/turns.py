"""The conversation's turns before the prompt: list, edit, move, remove, add.

The prompt itself (the last user turn) and the system instruction are :mod:`comet.body.form`'s.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping  # isinstance against it is much cheaper than typing.Mapping
from dataclasses import dataclass
from typing import Any

from comet.body import spelling
from comet.body.spelling import FormConflict
from comet.core.call import Route
from comet.core.errors import Problem

ROLES = {Route.GEMINI: ("user", "model"), Route.OPENAI: ("user", "assistant")}


@dataclass(frozen=True)
class TurnView:
    """One turn before the prompt, as the conversation editor shows it."""

    index: int  # position in contents / messages
    role: str
    text: str
    editable: bool  # the text and role are the form's to change
    note: str = ""  # what else the turn holds (media, a function call ...)


def _history_range(route: Route, body: Mapping[str, Any]) -> list[int]:
    turns = body.get(spelling.turns_key(route))
    if not isinstance(turns, list):
        return []
    end = len(turns) - 1 if spelling.last_user_turn(route, body) is not None else len(turns)
    return [i for i in range(end) if isinstance(turns[i], Mapping)
            and not (route is Route.OPENAI and turns[i].get("role") in ("system", "developer"))]


def _part_note(part: Mapping[str, Any]) -> str:
    if spelling.get(part, "inlineData") is not None:
        return f"inline {spelling.get(spelling.get(part, 'inlineData'), 'mimeType') or 'data'}"
    if spelling.get(part, "fileData") is not None:
        return f"file {spelling.get(spelling.get(part, 'fileData'), 'fileUri') or ''}"
    call = spelling.get(part, "functionCall")
    if isinstance(call, Mapping):
        return f"calls {call.get('name')}({json.dumps(call.get('args') or {}, ensure_ascii=False)})"
    answer = spelling.get(part, "functionResponse")
    if isinstance(answer, Mapping):
        return f"result of {answer.get('name')}: {json.dumps(answer.get('response'), ensure_ascii=False)}"
    if part.get("type") in ("image_url", "file", "input_audio"):
        return part["type"].replace("_", " ")
    return ""


def turns(route: Route, body: Mapping[str, Any]) -> list[TurnView]:
    """The turns before the prompt (the prompt is the Prompt field's); system messages are the
    System instruction's and not listed."""
    all_turns = body.get(spelling.turns_key(route)) or []
    out = []
    for i in _history_range(route, body):
        t = all_turns[i]
        notes: list[str] = []
        if route is Route.GEMINI:
            role = str(t.get("role") or "user")
            parts = t.get("parts") if isinstance(t.get("parts"), list) else []
            texts = [p for p in parts if isinstance(p, Mapping) and isinstance(p.get("text"), str)
                     and not p.get("thought")]
            notes = [n for n in (_part_note(p) for p in parts if isinstance(p, Mapping)) if n]
            text = texts[0]["text"] if texts else ""
            fixed = any(spelling.get(p, "functionCall") is not None or spelling.get(p, "functionResponse") is not None
                        for p in parts if isinstance(p, Mapping))
            editable = bool(texts) and not fixed and role in ROLES[route]
        else:
            role = str(t.get("role"))
            content = t.get("content")
            if isinstance(content, list):
                texts = [p for p in content if isinstance(p, Mapping) and p.get("type") == "text"]
                text = str(texts[0].get("text", "")) if texts else ""
                notes = [n for n in (_part_note(p) for p in content if isinstance(p, Mapping)) if n]
            else:
                texts = [content] if isinstance(content, str) or content is None else []
                text = content if isinstance(content, str) else ""
            calls = t.get("tool_calls")
            for call in calls if isinstance(calls, list) else []:
                fn = call.get("function") if isinstance(call, Mapping) else None
                if isinstance(fn, Mapping):
                    notes.append(f"calls {fn.get('name')}({fn.get('arguments') or ''})")
            if role == "tool":
                notes.append(f"result for {t.get('tool_call_id')}")
            editable = bool(texts) and role in ROLES[route] and not t.get("tool_calls")
        out.append(TurnView(i, role, text, editable, "; ".join(notes)))
    return out


def _turn(route: Route, body: dict[str, Any], index: int) -> dict[str, Any]:
    seq = body.get(spelling.turns_key(route))
    if not isinstance(seq, list) or not 0 <= index < len(seq) or not isinstance(seq[index], dict):
        raise FormConflict(f"there is no turn {index + 1}; check the JSON tab")
    return seq[index]


def set_turn(route: Route, body: Mapping[str, Any], index: int, *, role: str | None = None,
             text: str | None = None) -> dict[str, Any]:
    """Change a turn's role or its (first) text; other parts stay."""
    out = copy.deepcopy(dict(body))
    turn = _turn(route, out, index)
    if role is not None:
        if role not in ROLES[route]:
            raise FormConflict(f"role {role!r} is not a {route.label} role: use " + " or ".join(ROLES[route]))
        turn["role"] = role
    if text is not None:
        if route is Route.GEMINI:
            parts = turn.setdefault("parts", [])
            if parts is None:  # `"parts": null` reads as no parts
                parts = turn["parts"] = []
            if not isinstance(parts, list):
                raise FormConflict(f"turn {index + 1}'s `parts` is not a list; fix it in the JSON tab")
            hit = next((p for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)
                        and not p.get("thought")), None)
            if hit is not None:
                hit["text"] = text
            else:
                parts.insert(0, {"text": text})
        elif isinstance(turn.get("content"), list):
            hit = next((p for p in turn["content"] if isinstance(p, dict) and p.get("type") == "text"), None)
            if hit is not None:
                hit["text"] = text
            else:
                turn["content"].insert(0, {"type": "text", "text": text})
        else:
            turn["content"] = text
    return out


def move_turn(route: Route, body: Mapping[str, Any], index: int, step: int) -> dict[str, Any]:
    """Swap a turn with its neighbour among the conversation's turns (not past the prompt or a
    system message)."""
    out = copy.deepcopy(dict(body))
    order = _history_range(route, out)
    if index not in order:
        raise FormConflict(f"turn {index + 1} cannot move; check the JSON tab")
    at = order.index(index) + step
    if not 0 <= at < len(order):
        return out
    seq = out[spelling.turns_key(route)]
    other = order[at]
    seq[index], seq[other] = seq[other], seq[index]
    return out


def remove_turn(route: Route, body: Mapping[str, Any], index: int) -> dict[str, Any]:
    out = copy.deepcopy(dict(body))
    _turn(route, out, index)
    del out[spelling.turns_key(route)][index]
    return out


def add_turn(route: Route, body: Mapping[str, Any], role: str | None = None) -> dict[str, Any]:
    """A new, empty turn at the end of the conversation (before the prompt), its role the
    other one from the turn before it."""
    out, seq = spelling.with_turns(route, body)
    at = len(seq) - 1 if spelling.last_user_turn(route, out) is not None else len(seq)
    before = [seq[i] for i in range(at) if isinstance(seq[i], Mapping)
              and seq[i].get("role") not in ("system", "developer")]
    if role is None:
        previous = (before[-1].get("role") or "user") if before else None
        role = ROLES[route][1] if previous in ("user", "tool", "function") else ROLES[route][0]
    turn = {"role": role, "parts": [{"text": ""}]} if route is Route.GEMINI else {"role": role, "content": ""}
    seq.insert(at, turn)
    return out


read = turns
set = set_turn  # noqa: A001  (the feature's setter, as in every feature module)


def problems(route: Route, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """Nothing to refuse here: the route validator checks roles and parts."""
    return []
