"""``{{name}}`` variables in a request body: find them, fill them, refuse a body left unfilled.

A variable is ``{{`` + a name (letters, digits, ``_``, ``-`` or ``.``, starting with a letter or
``_``) + ``}}``, with optional spaces inside the braces. Variables live in the *string values* of
a body at any depth (prompt, system instruction, turns, schema descriptions), never in keys.

Filling is one pass over each string (:func:`re.sub`), so a value that itself contains ``{{x}}``,
quotes or braces is inserted literally and never expanded again; the body stays a JSON value
because strings are replaced inside the parsed body, not in its text. Pure: no I/O.

    >>> fill({"text": "Capital of {{ country }}?"}, {"country": "Portugal"})
    {'text': 'Capital of Portugal?'}
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

__all__ = ["PATTERN", "names", "fill", "missing", "Unfilled", "has_variables"]

PATTERN = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}")


class Unfilled(ValueError):
    """A variable has no value; ``name`` and ``path`` (the JSON path of the string) say which."""

    def __init__(self, name: str, path: str):
        super().__init__(f"variable {{{{{name}}}}} at {path} has no value: give it a value "
                         "or remove it from the request")
        self.name = name
        self.path = path


def _strings(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Every string value in ``value`` with its JSON path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def names(value: Any) -> list[str]:
    """The variable names in ``value``'s strings, each once, in order of first appearance."""
    found: dict[str, None] = {}
    for _, text in _strings(value):
        if "{{" in text:
            found.update((m.group(1), None) for m in PATTERN.finditer(text))
    return list(found)


def has_variables(value: Any) -> bool:
    return any("{{" in text and PATTERN.search(text) for _, text in _strings(value))


def missing(value: Any, values: Mapping[str, Any]) -> list[str]:
    """The names in ``value`` that ``values`` does not fill (``None`` counts as unfilled)."""
    return [name for name in names(value) if values.get(name) is None]


def fill_text(text: str, values: Mapping[str, Any], path: str = "$") -> str:
    """``text`` with each variable replaced by its value (non-strings as ``str()``)."""
    if "{{" not in text:
        return text

    def one(match: re.Match) -> str:
        value = values.get(match.group(1))
        if value is None:
            raise Unfilled(match.group(1), path)
        return value if isinstance(value, str) else str(value)
    return PATTERN.sub(one, text)


def fill(value: Any, values: Mapping[str, Any], path: str = "$") -> Any:
    """A copy of ``value`` with every variable filled; raises :class:`Unfilled` naming the first
    variable without a value. Parts without variables are shared, not copied."""
    if isinstance(value, str):
        return fill_text(value, values, path)
    if isinstance(value, dict):
        return {key: fill(item, values, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, values, f"{path}[{i}]") for i, item in enumerate(value)]
    return value
