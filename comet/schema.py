"""Structured output: which schema a request asks for, and whether a reply fits it.

A small checker for the schema subset people use for structured output, so no
``jsonschema`` dependency is needed: ``type`` (JSON Schema's lower-case names, a list of
them, or Gemini's upper-case ``OBJECT``/``STRING``...), ``nullable`` (Gemini), ``enum``,
``const``, ``properties``, ``required``, ``additionalProperties`` (false or a schema),
``items``, ``minItems``/``maxItems``, ``minLength``/``maxLength``, ``pattern``,
``minimum``/``maximum`` (and the exclusive forms), ``anyOf``/``oneOf``/``allOf`` and local
``$ref`` (``#/$defs/...``). Keywords outside the subset (``format``, ``description``,
``propertyOrdering``...) are annotations here and never fail a value.

    >>> check({"n": "3"}, {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n", "m"]})
    [Violation(path='$', message="missing required property 'm'"), Violation(path='$.n', message='expected integer, got string "3"')]

:func:`requested` reads the request: Gemini ``generationConfig.responseMimeType`` with
``responseSchema`` or ``responseJsonSchema`` (wire-formats B.2; either spelling), OpenAI
``response_format`` ``json_object`` / ``json_schema`` (C.1).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from .call import Route

MAX_VIOLATIONS = 5


@dataclass(frozen=True)
class Violation:
    path: str  # JSON path in the value ($.items[2].name)
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Request:
    """What a request asks for: JSON at all, and with which schema (None: any JSON)."""

    json: bool
    schema: dict[str, Any] | None = None
    field: str | None = None  # where the schema sits: responseSchema, responseJsonSchema, json_schema


def _get(obj: Any, camel: str) -> Any:
    if not isinstance(obj, Mapping):
        return None
    snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel)
    return obj.get(camel, obj.get(snake))


def requested(route: Route | str, body: Mapping[str, Any]) -> Request:
    """The structured output a body asks for."""
    route = Route.parse(route)
    if route is Route.GEMINI:
        gen = _get(body, "generationConfig")
        mime = _get(gen, "responseMimeType")
        for name in ("responseSchema", "responseJsonSchema"):
            schema = _get(gen, name)
            if isinstance(schema, dict):
                return Request(mime == "application/json", schema, name)
        if isinstance(gen, Mapping) and isinstance(gen.get("_responseJsonSchema"), dict):
            return Request(mime == "application/json", gen["_responseJsonSchema"], "responseJsonSchema")
        return Request(mime == "application/json")
    fmt = body.get("response_format")
    if not isinstance(fmt, Mapping):
        return Request(False)
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        return Request(True, schema if isinstance(schema, dict) else None, "json_schema")
    return Request(fmt.get("type") == "json_object")


# ---- checking ------------------------------------------------------------------------------------

_TYPES = {"string", "number", "integer", "boolean", "object", "array", "null"}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _fits_type(value: Any, name: str) -> bool:
    kind = _kind(value)
    return kind == name or (name == "number" and kind == "integer")


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if re.fullmatch(r"[A-Za-z_$][\w$]*", key) else f"{path}[{json.dumps(key)}]"


class _Checker:
    def __init__(self, root: Any, limit: int):
        self.root = root
        self.limit = limit
        self.found: list[Violation] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(Violation(path, message))

    def sub(self, value: Any, schema: Any, path: str, depth: int) -> list[Violation]:
        """Violations of one branch, without recording them (anyOf / oneOf)."""
        other = _Checker(self.root, self.limit)
        other.check(value, schema, path, depth)
        return other.found

    def check(self, value: Any, schema: Any, path: str = "$", depth: int = 0) -> None:
        if len(self.found) >= self.limit or not isinstance(schema, Mapping) or depth > 32:
            return
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = self.resolve(ref)
            if target is None:
                self.add(path, f"the schema's $ref {ref!r} points nowhere")
                return
            self.check(value, target, path, depth + 1)
        if value is None and schema.get("nullable") is True:
            return
        types = schema.get("type")
        names = [str(t).lower() for t in (types if isinstance(types, list) else [types] if types else [])]
        names = [n for n in names if n in _TYPES]
        if names and not any(_fits_type(value, n) for n in names):
            self.add(path, f"expected {' or '.join(names)}, got {_kind(value)} {_shown(value)}")
            return
        if isinstance(schema.get("enum"), list) and value not in schema["enum"]:
            options = ", ".join(_shown(v) for v in schema["enum"][:8])
            self.add(path, f"{_shown(value)} is not one of {options}")
        if "const" in schema and value != schema["const"]:
            self.add(path, f"expected {_shown(schema['const'])}, got {_shown(value)}")
        for key in ("allOf",):
            for part in schema.get(key) or []:
                self.check(value, part, path, depth + 1)
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                fits = [not self.sub(value, s, path, depth + 1) for s in options]
                if key == "anyOf" and not any(fits):
                    first = self.sub(value, options[0], path, depth + 1)[0]
                    self.add(path, f"fits none of the anyOf options (first: {first.message})")
                elif key == "oneOf" and sum(fits) != 1:
                    self.add(path, f"fits {sum(fits)} of the oneOf options, not exactly one")
        if isinstance(value, dict):
            self.object(value, schema, path, depth)
        elif isinstance(value, list):
            self.array(value, schema, path, depth)
        elif isinstance(value, str):
            self.string(value, schema, path)
        elif _kind(value) in ("integer", "number"):
            self.number(value, schema, path)

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return None
        target: Any = self.root
        for step in [s for s in ref[1:].split("/") if s]:
            step = step.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or step not in target:
                return None
            target = target[step]
        return target

    def object(self, value: dict, schema: Mapping, path: str, depth: int) -> None:
        props = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
        for name in schema.get("required") or []:
            if isinstance(name, str) and name not in value:
                self.add(path, f"missing required property {name!r}")
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in props:
                self.check(item, props[name], _at(path, name), depth + 1)
            elif extra is False:
                self.add(_at(path, name), f"property {name!r} is not allowed by the schema")
            elif isinstance(extra, Mapping):
                self.check(item, extra, _at(path, name), depth + 1)

    def array(self, value: list, schema: Mapping, path: str, depth: int) -> None:
        lo, hi = _int(schema.get("minItems")), _int(schema.get("maxItems"))
        if lo is not None and len(value) < lo:
            self.add(path, f"{len(value)} items, fewer than minItems {lo}")
        if hi is not None and len(value) > hi:
            self.add(path, f"{len(value)} items, more than maxItems {hi}")
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                self.check(item, items, _at(path, i), depth + 1)

    def string(self, value: str, schema: Mapping, path: str) -> None:
        lo, hi = _int(schema.get("minLength")), _int(schema.get("maxLength"))
        if lo is not None and len(value) < lo:
            self.add(path, f"{len(value)} characters, fewer than minLength {lo}")
        if hi is not None and len(value) > hi:
            self.add(path, f"{len(value)} characters, more than maxLength {hi}")
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                if re.search(pattern, value) is None:
                    self.add(path, f"{_shown(value)} does not match the pattern {pattern!r}")
            except re.error:
                pass  # a pattern Python cannot read is not the reply's fault

    def number(self, value: float, schema: Mapping, path: str) -> None:
        for key, fails, words in (("minimum", lambda v, b: v < b, "less than minimum"),
                                  ("maximum", lambda v, b: v > b, "more than maximum"),
                                  ("exclusiveMinimum", lambda v, b: v <= b, "not above exclusiveMinimum"),
                                  ("exclusiveMaximum", lambda v, b: v >= b, "not below exclusiveMaximum")):
            bound = schema.get(key)
            if isinstance(bound, (int, float)) and not isinstance(bound, bool) and fails(value, bound):
                self.add(path, f"{_shown(value)} is {words} {bound:g}")


def _int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.isdigit():  # Gemini's Schema sends int64 fields as strings
        return int(v)
    return None


def check(value: Any, schema: Mapping[str, Any], *, limit: int = MAX_VIOLATIONS) -> list[Violation]:
    """The first ``limit`` ways ``value`` breaks ``schema`` (empty: it fits)."""
    checker = _Checker(schema, limit)
    checker.check(value, schema)
    return checker.found[:limit]


@dataclass(frozen=True)
class Verdict:
    """A reply read as structured output: parsed (or why not), and checked."""

    parsed: bool
    value: Any = None
    error: str | None = None  # why the text is not JSON
    violations: tuple[Violation, ...] = ()
    schema: bool = False  # a schema was given (else only "is it JSON")

    @property
    def valid(self) -> bool:
        return self.parsed and not self.violations


def verdict(text: str, request: Request) -> Verdict:
    """Parse a reply's text as JSON and check it against the requested schema."""
    candidate = text.strip()
    if candidate.startswith("```"):  # some models fence JSON even when asked not to
        candidate = re.sub(r"\A```[\w-]*\n?|\n?```\Z", "", candidate).strip()
    try:
        value = json.loads(candidate)
    except ValueError as exc:
        msg = getattr(exc, "msg", str(exc))
        where = f" at line {exc.lineno}, column {exc.colno}" if hasattr(exc, "lineno") else ""
        return Verdict(False, error=f"{msg}{where}", schema=request.schema is not None)
    if request.schema is None:
        return Verdict(True, value)
    return Verdict(True, value, violations=tuple(check(value, request.schema)), schema=True)
