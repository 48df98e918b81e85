"""How a route's body is spelled: the one place that knows it.

Gemini's API is proto3 JSON, which accepts a field's camelCase name and its snake_case name
alike (wire-formats B.3: google-genai Python sends ``thinkingConfig: {"thinking_budget": 0}``).
Chat Completions has one spelling. Everything in ``comet`` that reads or edits a body by hand
goes through these helpers:

- :func:`camel` / :func:`snake` spell a key; :func:`key` finds the key an object holds a
  field under (either spelling), :func:`get` reads it, :func:`new_key` spells a new key the
  way its siblings are spelled;
- :data:`USER_DATA` names the members whose contents are the user's own data, which no
  casing fold may rename; :func:`fold_keys` folds every other key;
- :func:`turns_key`, :func:`turns`, :func:`parts`, :func:`last_user_turn` and
  :func:`with_turns` walk a conversation's turns on either route.

    >>> get({"generation_config": {"max_output_tokens": 5}}, "generationConfig")
    {'max_output_tokens': 5}
    >>> [i for i, _ in turns(Route.OPENAI, {"messages": [{"role": "user", "content": "hi"}]})]
    [0]

The emulator (:mod:`comet.emulator.intake`) reads bodies on its own, on purpose: it is the
oracle the client is tested against, so it must not share the client's reading.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping  # isinstance against it is much cheaper than typing.Mapping
from typing import Any, Callable, Iterator

from comet.core.call import Route

# Members whose contents are the user's own data: their keys are names the user chose (or a
# schema language's own keywords), so a camelCase/snake_case fold must stop there.
USER_DATA: dict[str, str] = {
    "args": "a function call's arguments: the function's own parameter names",
    "partialArgs": "streamed function-call arguments: the function's own parameter names",
    "response": "a function's result, as the user typed it",
    "parametersJsonSchema": "a JSON Schema: property names are the user's",
    "responseJsonSchema": "a JSON Schema: property names are the user's",
    "_responseJsonSchema": "the proto's json_name quirk for responseJsonSchema (wire-formats B.2)",
    "labels": "billing labels: keys the user chose",
    "metadata": "request metadata: keys the user chose",
    "enum": "schema values, not keys",
    "const": "a schema value, not keys",
    "default": "a schema value, not keys",
    "example": "a schema value, not keys",
    "required": "property names (the user's), listed",
    "propertyOrdering": "property names (the user's), listed",
}


def camel(name: str) -> str:
    """``thinking_budget`` -> ``thinkingBudget``; a name with a leading ``_`` stays as it is."""
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest) if rest and head else name


def snake(name: str) -> str:
    """``thinkingBudget`` -> ``thinking_budget``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


@functools.lru_cache(maxsize=4096)  # validation reads a body's keys through this on every send
def spellings(name: str) -> tuple[str, ...]:
    """The spellings a Gemini field may have: camelCase first, then snake_case."""
    other = snake(name)
    return (name, other) if other != name else (name,)


def is_object(value: Any) -> bool:
    """Whether ``value`` is a JSON object: a dict (tested first, as every send asks: the Mapping
    ABC check costs more) or any other Mapping."""
    return type(value) is dict or isinstance(value, Mapping)


def key(obj: Any, name: str) -> str | None:
    """The key under which ``obj`` holds field ``name`` (camelCase or snake_case), or None."""
    if not is_object(obj):
        return None
    for spelled in spellings(name):
        if spelled in obj:
            return spelled
    return None


def get(obj: Any, name: str, default: Any = None) -> Any:
    """Field ``name`` of ``obj`` in either spelling, or ``default``."""
    found = key(obj, name)
    return obj[found] if found is not None else default


def item(obj: Any, name: str) -> tuple[str, Any] | None:
    """(key as spelled, value) of field ``name``, or None."""
    found = key(obj, name)
    return (found, obj[found]) if found is not None else None


def snake_spelled(obj: Mapping[str, Any]) -> bool:
    """True when an object's keys are snake_case (what the Python SDK sends) and none camelCase."""
    return any("_" in k for k in obj) and not any(k != k.lower() for k in obj)


def new_key(obj: Mapping[str, Any], name: str) -> str:
    """The key for a new field ``name``: snake_case among snake_case siblings, camelCase otherwise."""
    return snake(name) if obj and snake_spelled(obj) else name


def fold_keys(value: Any, fold: Callable[[str], str], *, in_properties: bool = False) -> Any:
    """Gemini structure keys spelled by ``fold`` (:func:`camel` or :func:`snake`), leaving the
    user's own names alone (:data:`USER_DATA`, and the property names of a schema)."""
    if isinstance(value, list):
        return [fold_keys(v, fold) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if in_properties:
            out[k] = fold_keys(v, fold)
        elif camel(k) in USER_DATA:
            out[fold(k)] = v
        else:
            out[fold(k)] = fold_keys(v, fold, in_properties=camel(k) == "properties" and isinstance(v, dict))
    return out


# ---- a conversation's turns ----------------------------------------------------------------------

class FormConflict(ValueError):
    """The body's shape leaves no place for an edit (e.g. ``contents`` is not a list).
    The body is left as it is; the message says what to fix in the JSON tab."""


def turns_key(route: Route) -> str:
    """Where the turns are: ``contents`` (Gemini) or ``messages`` (OpenAI)."""
    return "contents" if route is Route.GEMINI else "messages"


def parts_key(route: Route) -> str:
    """Where a turn's pieces are: ``parts`` (Gemini) or ``content`` (OpenAI)."""
    return "parts" if route is Route.GEMINI else "content"


def turns(route: Route, body: Mapping[str, Any], *, every: bool = False) -> Iterator[tuple[int, Any]]:
    """(index, turn) for each turn of the conversation that is an object, in order; with
    ``every``, each entry whatever it holds (a converter reports the ones that are not turns)."""
    seq = body.get(turns_key(route)) if isinstance(body, Mapping) else None
    for index, turn in enumerate(seq if isinstance(seq, list) else []):
        if every or isinstance(turn, Mapping):
            yield index, turn


def parts(route: Route, turn: Mapping[str, Any]) -> list[Any]:
    """A turn's parts as a list (an OpenAI string content is one text part)."""
    value = turn.get(parts_key(route))
    if isinstance(value, list):
        return value
    if route is Route.OPENAI and isinstance(value, str):
        return [{"type": "text", "text": value}]
    return []


def with_turns(route: Route, body: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """A copy of ``body`` and its list of turns (created when missing), to edit in place."""
    out = copy.deepcopy(dict(body))
    name = turns_key(route)
    seq = out.get(name)
    if seq is None:
        seq = out[name] = []
    if not isinstance(seq, list):
        raise FormConflict(f"`{name}` is not a list; fix it in the JSON tab")
    return out, seq


def has_function_response(turn: Mapping[str, Any]) -> bool:
    found = turn.get("parts")
    return isinstance(found, list) and any(
        isinstance(p, Mapping) and key(p, "functionResponse") is not None for p in found)


def last_user_turn(route: Route, body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The prompt's turn: the last turn when it is the user's (not a function's result)."""
    seq = body.get(turns_key(route))
    if not isinstance(seq, list) or not seq or not isinstance(seq[-1], Mapping):
        return None
    last = seq[-1]
    role = last.get("role")
    if route is Route.GEMINI:
        return last if role in (None, "user") and not has_function_response(last) else None
    return last if role == "user" else None


__all__ = ["USER_DATA", "camel", "snake", "spellings", "key", "get", "item", "snake_spelled", "new_key",
           "fold_keys", "FormConflict", "turns_key", "parts_key", "turns", "parts", "with_turns",
           "has_function_response", "last_user_turn"]
