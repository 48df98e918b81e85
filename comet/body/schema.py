"""Structured output: which schema a request asks for, and whether a reply fits it.

The verdict comes from ``jsonschema`` (Draft 2020-12), so every keyword counts: ``prefixItems``,
``uniqueItems``, ``not``, ``if``/``then``/``else``, ``multipleOf``, ``contains``,
``patternProperties``, ``min``/``maxProperties``, ``dependentRequired``, ``propertyNames``,
local ``$ref`` and the rest. Gemini's ``responseSchema`` is an OpenAPI subset, so it is first
translated by :func:`translate` (upper-case ``OBJECT``/``STRING``... become JSON Schema types,
``nullable`` adds ``null``, ``propertyOrdering`` and ``example`` are dropped, int64 bounds sent
as strings become numbers). Each violation names its JSON path in the value:

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

from comet.core.call import Route

from .spelling import get as _get  # either spelling (proto3 JSON)

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


def requested(route: Route, body: Mapping[str, Any]) -> Request:
    """The structured output a body asks for."""
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


# ---- Gemini's OpenAPI subset -> JSON Schema -------------------------------------------------------

_ONE = ("items", "not", "additionalProperties", "if", "then", "else", "contains", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_MANY = ("anyOf", "oneOf", "allOf", "prefixItems")
_NAMED = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_COUNTS = ("minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength")
_OPENAPI_ONLY = ("nullable", "propertyOrdering", "example")


def translate(schema: Any) -> Any:
    """Gemini's ``responseSchema`` (OpenAPI 3.0 subset) as the JSON Schema it means.

    Values under ``enum``, ``const``, ``required``, ``default`` and property names are user
    data and stay as written; only schema positions are rewritten.
    """
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _OPENAPI_ONLY:
            continue
        if key == "type":
            names = [str(t).lower() for t in (value if isinstance(value, list) else [value])]
            names = [n for n in names if n != "type_unspecified"]
            if names:
                out[key] = names[0] if len(names) == 1 else names
        elif key in _COUNTS and isinstance(value, str) and value.isdigit():
            out[key] = int(value)  # Gemini's Schema sends int64 fields as strings
        elif key in _ONE:
            out[key] = translate(value)
        elif key in _MANY and isinstance(value, list):
            out[key] = [translate(v) for v in value]
        elif key in _NAMED and isinstance(value, Mapping):
            out[key] = {name: translate(v) for name, v in value.items()}
        else:
            out[key] = value
    return _nullable(out) if schema.get("nullable") is True else out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str) and "anyOf" not in schema:
        schema = {**schema, "type": [kind, "null"]}
        if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


# ---- checking ------------------------------------------------------------------------------------


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


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if re.fullmatch(r"[A-Za-z_$][\w$]*", key) else f"{path}[{json.dumps(key)}]"


def _path(steps: Any) -> str:
    path = "$"
    for step in steps:
        path = _at(path, step)
    return path


def _names(value: Any) -> str:
    return " or ".join(value) if isinstance(value, list) else str(value)


_BOUNDS = {"minimum": "less than minimum", "maximum": "more than maximum",
           "exclusiveMinimum": "not above exclusiveMinimum", "exclusiveMaximum": "not below exclusiveMaximum"}
_SIZES = {"minItems": ("items", "fewer than"), "maxItems": ("items", "more than"),
          "minLength": ("characters", "fewer than"), "maxLength": ("characters", "more than"),
          "minProperties": ("properties", "fewer than"), "maxProperties": ("properties", "more than")}


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, dict)) else 0


def _message(error: Any) -> str:
    """One jsonschema error in plain words (its own message for keywords not listed here)."""
    key, bound, value = error.validator, error.validator_value, error.instance
    if key == "type":
        return f"expected {_names(bound)}, got {_kind(value)} {_shown(value)}"
    if key == "enum":
        return f"{_shown(value)} is not one of {', '.join(_shown(v) for v in bound[:8])}"
    if key == "const":
        return f"expected {_shown(bound)}, got {_shown(value)}"
    if key in _BOUNDS:
        return f"{_shown(value)} is {_BOUNDS[key]} {bound:g}"
    if key in _SIZES:
        unit, words = _SIZES[key]
        return f"{_size(value)} {unit}, {words} {key} {bound}"
    if key == "pattern":
        return f"{_shown(value)} does not match the pattern {bound!r}"
    if key == "multipleOf":
        return f"{_shown(value)} is not a multiple of {bound:g}"
    if key == "uniqueItems":
        first, second = _duplicate(value)
        return f"items [{first}] and [{second}] are equal; uniqueItems asks for no repeats"
    if key == "not":
        return f"{_shown(value)} matches the schema under 'not'"
    if key == "anyOf":
        first = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == 0]
        detail = f" (first: {_message(first[0])})" if first else ""
        return f"fits none of the anyOf options{detail}"
    if key == "contains":
        return "no item matches the schema under 'contains'"
    if key in ("minContains", "maxContains"):
        words = "fewer" if key == "minContains" else "more"
        return f"{words} items than {key} {bound} match the schema under 'contains'"
    if key == "false":
        return "no value is allowed here (the schema is false)"
    return error.message


def _duplicate(items: list) -> tuple[int, int]:
    for j, item in enumerate(items):
        for i in range(j):
            if _same(items[i], item):
                return i, j
    return 0, 0


def _same(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but true != 1 (as jsonschema's uniqueItems counts)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _violations(error: Any, validator: Any) -> list[Violation]:
    """One error as violations: a property list (required, additionalProperties,
    dependentRequired) is reported one property at a time, each at its own path."""
    path, key, value, bound = _path(error.absolute_path), error.validator, error.instance, error.validator_value
    if key == "required":
        return [Violation(path, f"missing required property {name!r}") for name in bound if name not in value]
    if key == "dependentRequired":
        return [Violation(path, f"property {name!r} is present, so {need!r} is required (dependentRequired)")
                for name, needs in bound.items() if name in value for need in needs if need not in value]
    if key == "additionalProperties" and bound is False:
        schema = error.schema
        known = schema.get("properties") or {}
        patterns = list(schema.get("patternProperties") or {})
        return [Violation(_at(path, name), f"property {name!r} is not allowed by the schema")
                for name in value if name not in known and not any(re.search(p, name) for p in patterns)]
    if key == "oneOf":
        fits = sum(validator.evolve(schema=option).is_valid(value) for option in bound)
        return [Violation(path, f"fits {fits} of the oneOf options, not exactly one")]
    if "propertyNames" in error.relative_schema_path:
        return [Violation(path, f"property name {_message(error)}")]
    return [Violation(path, _message(error))]


def _order(error: Any) -> tuple:
    return tuple((isinstance(step, str), step) for step in error.absolute_path)


def check(value: Any, schema: Mapping[str, Any], *, field: str | None = None,
          limit: int | None = MAX_VIOLATIONS) -> list[Violation]:
    """The ways ``value`` breaks ``schema`` (empty: it fits), at most ``limit`` (None: all).

    ``field`` says which request field held the schema: ``responseJsonSchema`` and
    ``json_schema`` are JSON Schema as written; ``responseSchema`` (and no field) is read as
    Gemini's OpenAPI subset first (:func:`translate`).
    """
    from jsonschema import Draft202012Validator  # loads only when a reply is checked
    from referencing.exceptions import Unresolvable

    if field not in ("responseJsonSchema", "json_schema"):
        schema = translate(schema)
    problem = next(iter(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema)), None)
    if problem is not None:
        where = "/".join(str(step) for step in problem.absolute_path) or "its top level"
        return [Violation("$", f"cannot check: the schema is not valid JSON Schema at {where} "
                               f"({problem.message})")]
    validator = Draft202012Validator(schema)
    found: list[Violation] = []
    try:
        for error in sorted(validator.iter_errors(value), key=_order):
            found.extend(v for v in _violations(error, validator) if v not in found)
    except Unresolvable as exc:
        return [Violation("$", f"cannot check: a $ref in the schema points nowhere ({exc})")]
    return found if limit is None else found[:limit]


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

    def to_dict(self) -> dict[str, Any]:
        """``python -m comet send``'s ``"schema"`` field: every violation with its JSON path."""
        errors = [{"path": v.path, "message": v.message} for v in self.violations]
        if not self.parsed:
            errors = [{"path": "$", "message": f"the reply is not JSON: {self.error}"}]
        return {"valid": self.valid, "errors": errors}


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
    found = check(value, request.schema, field=request.field, limit=None)
    return Verdict(True, value, violations=tuple(found), schema=True)
