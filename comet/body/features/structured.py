"""Structured output: a JSON schema the reply must follow.

Gemini: ``generationConfig.responseJsonSchema`` (or ``responseSchema``) with
``responseMimeType: application/json``; OpenAI: ``response_format`` ``json_schema``. Checking a
reply against the schema is :mod:`comet.body.schema`'s job.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping  # isinstance against it is much cheaper than typing.Mapping
from typing import Any

from comet.body import spelling
from comet.body.spelling import FormConflict
from comet.core.call import Route
from comet.core.errors import Problem

SCHEMA_FIELDS = ("responseJsonSchema", "responseSchema")
DEFAULT_SCHEMA_NAME = "reply"
# The top-level keys problems() reads (comet.body.features skips it when none is there).
KEYS = frozenset({"generationConfig", "generation_config", "response_format"})


def schema_of(route: Route, body: Mapping[str, Any]) -> tuple[str | None, Any]:
    """(where, schema) of the structured-output schema in a body, or (None, None)."""
    if route is Route.GEMINI:
        gen = spelling.get(body, "generationConfig")
        for name in SCHEMA_FIELDS:
            if isinstance(gen, Mapping) and spelling.key(gen, name):
                return name, gen[spelling.key(gen, name)]
        return None, None
    fmt = body.get("response_format")
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema" and isinstance(fmt.get("json_schema"), Mapping):
        return "json_schema", fmt["json_schema"].get("schema")
    return None, None


def schema_name(body: Mapping[str, Any]) -> str:
    fmt = body.get("response_format")
    spec = fmt.get("json_schema") if isinstance(fmt, Mapping) else None
    return str(spec.get("name") or "") if isinstance(spec, Mapping) else ""


def set_schema(route: Route, body: Mapping[str, Any], schema: Any, *, field: str | None = None,
               name: str | None = None) -> dict[str, Any]:
    """Set (or with ``schema=None`` remove) the structured-output schema.

    Gemini: ``generationConfig.responseJsonSchema`` (or ``responseSchema`` when ``field`` says
    so, or when that is where the schema already is), with ``responseMimeType``
    ``application/json`` set if the body does not already ask for JSON or an enum (a schema
    needs it). OpenAI: ``response_format: {"type": "json_schema", "json_schema": {"name",
    "schema"}}``. Removing the schema leaves the JSON switch as it is.
    """
    out = copy.deepcopy(dict(body))
    if route is Route.GEMINI:
        gkey = spelling.key(out, "generationConfig") or "generationConfig"
        gen = out.get(gkey)
        if gen is None:
            gen = {}
        if not isinstance(gen, dict):
            raise FormConflict("`generationConfig` is not an object; fix it in the JSON tab")
        current, _ = schema_of(route, out)
        target = field or current or SCHEMA_FIELDS[0]
        for name_ in SCHEMA_FIELDS:
            k = spelling.key(gen, name_)
            if k is not None and (schema is None or name_ != target):
                del gen[k]
        if schema is not None:
            snake = spelling.snake_spelled(gen)
            gen[spelling.key(gen, target) or (spelling.snake(target) if snake else target)] = schema
            mkey = spelling.key(gen, "responseMimeType")
            if gen.get(mkey) not in ("application/json", "text/x.enum"):
                gen[mkey or ("response_mime_type" if snake else "responseMimeType")] = "application/json"
        if gen:
            out[gkey] = gen
        else:
            out.pop(gkey, None)
        return out
    fmt = out.get("response_format")
    if schema is None:
        if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
            out["response_format"] = {"type": "json_object"}
        return out
    held = fmt.get("json_schema") if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema" else None
    spec = dict(held) if isinstance(held, Mapping) else {}  # `"json_schema": true` holds nothing to keep
    spec["name"] = name if name is not None else spec.get("name") or DEFAULT_SCHEMA_NAME
    spec["schema"] = schema
    out["response_format"] = {**(fmt if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema" else {}),
                              "type": "json_schema", "json_schema": spec}
    return out


def set_schema_name(body: Mapping[str, Any], name: str) -> dict[str, Any]:
    out = copy.deepcopy(dict(body))
    fmt = out.get("response_format")
    if isinstance(fmt, dict) and isinstance(fmt.get("json_schema"), dict):
        fmt["json_schema"]["name"] = name
    return out


def problems(route: Route, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """A schema the route will refuse: both Gemini fields, no JSON mime type, not an object,
    an OpenAI ``json_schema`` without its schema or with a bad name."""
    out: list[Problem] = []
    if route is Route.GEMINI:
        gkey = spelling.key(body, "generationConfig")
        gen = body.get(gkey) if gkey else None
        if not isinstance(gen, Mapping):
            return out
        present = [k for k in (spelling.key(gen, n) for n in SCHEMA_FIELDS) if k]
        if len(present) == 2:
            out.append(Problem(route.value, f"$.{gkey}", "`responseSchema` and `responseJsonSchema` cannot both be set",
                               "keep one of them"))
        mime = gen.get(spelling.key(gen, "responseMimeType") or "responseMimeType")
        if present and mime not in ("application/json", "text/x.enum"):
            out.append(Problem(route.value, f"$.{gkey}.{present[0]}",
                               "a response schema needs `responseMimeType` application/json",
                               "turn JSON output on, or clear the schema"))
        for k in present:
            if not isinstance(gen[k], Mapping):
                out.append(Problem(route.value, f"$.{gkey}.{k}", "the schema must be a JSON object",
                                   'write {"type": "object", "properties": {...}}'))
        return out
    fmt = body.get("response_format")
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        if not isinstance(spec, Mapping) or not isinstance(spec.get("schema"), Mapping):
            out.append(Problem(route.value, "$.response_format.json_schema",
                               "`json_schema` needs a `schema` object", "write the schema in the Structured output section"))
        elif not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(spec.get("name") or "")):
            out.append(Problem(route.value, "$.response_format.json_schema.name",
                               "`json_schema.name` must be 1 to 64 letters, digits, _ or -", 'e.g. "reply"'))
    return out


read = schema_of
set = set_schema  # noqa: A001  (the feature's setter, as in every feature module)
