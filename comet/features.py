"""The Gemini-native features as plain functions over a route's own body (no Streamlit here).

The Playground's feature controls (thinking, media, Google Search grounding, structured
output, safety settings, the conversation's turns, function declarations, function
responses) read a body with one function and write a copy back with another, exactly like
:mod:`comet.form`: only the touched field changes, clearing a control removes its key (and
a list or object the removal left empty), unknown fields stay as they are, and Gemini's
snake_case spelling is read and kept (proto3 JSON, wire-formats B.3).

    >>> body = {"contents": [{"parts": [{"text": "hi"}]}]}
    >>> set_search("gemini", body, True)["tools"]
    [{'googleSearch': {}}]
    >>> set_safety(body, "HARM_CATEGORY_HARASSMENT", "BLOCK_NONE")["safetySettings"]
    [{'category': 'HARM_CATEGORY_HARASSMENT', 'threshold': 'BLOCK_NONE'}]

Sources: wire-formats B.2 (thinkingConfig, Part, Tool, ToolConfig, SafetySetting), B.4
(functionCall parts, thought signatures), C.1 (Chat Completions messages, tools,
tool_choice, response_format) and B.9 (how the two map).
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .call import INLINE_LIMIT, MEDIA_TYPES, Attachment, Route
from .errors import Problem
from .form import FormConflict, _last_user_turn, _turns_key, _with_turns

# ---- keys in either spelling -------------------------------------------------------------------


def _snake(camel: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel)


def _key(obj: Mapping[str, Any], camel: str) -> str | None:
    """The key under which ``obj`` holds ``camel`` (camelCase or snake_case), or None."""
    for name in (camel, _snake(camel)):
        if name in obj:
            return name
    return None


def _get(obj: Any, camel: str, default: Any = None) -> Any:
    if not isinstance(obj, Mapping):
        return default
    key = _key(obj, camel)
    return obj[key] if key is not None else default


# ---- thinking ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Thinking:
    """What thinking a model allows (from the catalog's ``thinking`` record)."""

    kind: str  # "budget" (Gemini 2.5: thinkingBudget) or "level" (Gemini 3: thinkingLevel)
    min: int
    max: int
    can_disable: bool
    default: str  # "dynamic" / "off" (budget) or the default level
    levels: tuple[str, ...] = ()

    def budget_range(self) -> str:
        if self.min == 0:
            return f"-1 (dynamic), or 0 (off) to {self.max}"
        off = "0 (off), " if self.can_disable else ""
        return f"-1 (dynamic), {off}or {self.min} to {self.max}"


# Model IDs the catalog does not list, by family: the longest matching prefix wins.
_FAMILIES = (("gemini-2.5-flash-lite", "gemini-2.5-flash-lite"), ("gemini-2.5-flash", "gemini-2.5-flash"),
             ("gemini-2.5-pro", "gemini-2.5-pro"), ("gemini-3.1-pro", "gemini-3-pro-preview"),
             ("gemini-3-pro", "gemini-3-pro-preview"), ("gemini-3.1-flash", "gemini-3-flash-preview"),
             ("gemini-3-flash", "gemini-3-flash-preview"))


def thinking_spec(model: str) -> Thinking | None:
    """The thinking a model allows, or None when unknown (then every control is offered).

    The ranges are the catalog's (:mod:`comet.emulator.catalog`, wire-formats B.2: the 2.5
    figures are third-party and [UNCONFIRMED]); the emulator enforces the same ones."""
    from .emulator.catalog import BY_ID, FAULT_BASE, FAULTS

    name = (model or "").strip().removeprefix("models/")
    record = BY_ID.get(FAULT_BASE if name in FAULTS else name)
    if record is None:
        base = next((target for prefix, target in _FAMILIES if name.startswith(prefix)), None)
        record = BY_ID.get(base) if base else None
    spec = record.get("thinking") if record else None
    if not spec:
        return None
    return Thinking(kind=spec["kind"], min=int(spec["min"]), max=int(spec["max"]),
                    can_disable=bool(spec["can_disable"]), default=str(spec["default"]),
                    levels=tuple(spec.get("levels") or ()))


THINKING_MODES = ("dynamic", "off", "custom")
DEFAULT_CUSTOM_BUDGET = 1024


def thinking_mode(budget: Any) -> str | None:
    """The budget as a mode: -1 dynamic, 0 off, a positive number custom, None not set."""
    if budget is None or isinstance(budget, bool) or not isinstance(budget, (int, float)):
        return None
    return "dynamic" if budget == -1 else "off" if budget == 0 else "custom"


def budget_for_mode(mode: str | None, current: Any, spec: Thinking | None) -> int | None:
    """The thinkingBudget a mode stands for; "custom" keeps a positive budget already set,
    else takes 1024 clamped to the model's range."""
    if mode is None:
        return None
    if mode == "dynamic":
        return -1
    if mode == "off":
        return 0
    if thinking_mode(current) == "custom":
        return int(current)
    if spec is None:
        return DEFAULT_CUSTOM_BUDGET
    return max(spec.min, min(spec.max, DEFAULT_CUSTOM_BUDGET)) or spec.max


def _thinking_problems(route: Route, model: str, body: Mapping[str, Any], out: list[Problem]) -> None:
    spec = thinking_spec(model)
    gkey = _key(body, "generationConfig")
    gen = body.get(gkey) if gkey else None
    tkey = _key(gen, "thinkingConfig") if isinstance(gen, Mapping) else None
    think = gen.get(tkey) if tkey else None
    if spec is None or not isinstance(think, Mapping):
        return
    where = f"$.{gkey}.{tkey}"
    bkey, lkey = _key(think, "thinkingBudget"), _key(think, "thinkingLevel")
    budget = think.get(bkey) if bkey else None
    level = think.get(lkey) if lkey else None
    if isinstance(budget, (int, float)) and not isinstance(budget, bool) and float(budget).is_integer():
        budget = int(budget)
        if budget == 0 and not spec.can_disable:
            out.append(Problem(route.value, f"{where}.{bkey}", f"{model} cannot turn thinking off (budget 0)",
                               f"use {spec.budget_range()}"))
        elif budget not in (-1, 0) and not spec.min <= budget <= spec.max:
            out.append(Problem(route.value, f"{where}.{bkey}",
                               f"thinking budget {budget} is outside {model}'s range",
                               f"use {spec.budget_range()}"))
    if isinstance(level, str) and level:
        if spec.kind != "level":
            out.append(Problem(route.value, f"{where}.{lkey}", f"{model} takes a thinking budget, not a level",
                               f"remove `thinkingLevel` and set `thinkingBudget` ({spec.budget_range()})"))
        elif level.upper() not in spec.levels:
            out.append(Problem(route.value, f"{where}.{lkey}", f"thinking level {level!r} is not one {model} offers",
                               "use one of " + ", ".join(spec.levels)))


# ---- Google Search grounding -----------------------------------------------------------------

_SEARCH = ("googleSearch", "google_search")


def has_search(route: Route | str, body: Mapping[str, Any]) -> bool:
    if Route.parse(route) is not Route.GEMINI:
        return False
    tools = body.get("tools")
    return isinstance(tools, list) and any(isinstance(t, Mapping) and any(k in t for k in _SEARCH)
                                           for t in tools)


def set_search(route: Route | str, body: Mapping[str, Any], on: bool) -> dict[str, Any]:
    """``tools: [{"googleSearch": {}}]`` added or removed; other tools untouched."""
    if Route.parse(route) is not Route.GEMINI:
        raise FormConflict("Google Search grounding is a Gemini native feature; switch to that route")
    out = copy.deepcopy(dict(body))
    if on == has_search(route, out):
        return out
    tools = out.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise FormConflict("`tools` is not a list, so the form cannot add Google Search; fix it in the JSON tab")
    if on:
        out.setdefault("tools", []).append({"googleSearch": {}})
        return out
    kept = []
    for tool in tools:
        if isinstance(tool, dict) and any(k in tool for k in _SEARCH):
            tool = {k: v for k, v in tool.items() if k not in _SEARCH}
            if not tool:
                continue
        kept.append(tool)
    if kept:
        out["tools"] = kept
    else:
        del out["tools"]
    return out


# ---- safety settings ---------------------------------------------------------------------------

SAFETY_CATEGORIES = ("HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
                     "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT",
                     "HARM_CATEGORY_CIVIC_INTEGRITY")
SAFETY_THRESHOLDS = ("BLOCK_NONE", "BLOCK_ONLY_HIGH", "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_LOW_AND_ABOVE",
                     "OFF", "HARM_BLOCK_THRESHOLD_UNSPECIFIED")


def safety(body: Mapping[str, Any]) -> dict[str, str]:
    """Category -> threshold, as set in ``safetySettings``."""
    settings = _get(body, "safetySettings")
    out: dict[str, str] = {}
    for s in settings if isinstance(settings, list) else []:
        if isinstance(s, Mapping) and isinstance(s.get("category"), str):
            out[s["category"]] = str(s.get("threshold") or "")
    return out


def set_safety(body: Mapping[str, Any], category: str, threshold: str | None) -> dict[str, Any]:
    """Set one category's threshold (None removes its entry); other entries keep their place."""
    out = copy.deepcopy(dict(body))
    key = _key(out, "safetySettings") or "safetySettings"
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


# ---- structured output ---------------------------------------------------------------------------

SCHEMA_FIELDS = ("responseJsonSchema", "responseSchema")
DEFAULT_SCHEMA_NAME = "reply"


def schema_of(route: Route | str, body: Mapping[str, Any]) -> tuple[str | None, Any]:
    """(where, schema) of the structured-output schema in a body, or (None, None)."""
    route = Route.parse(route)
    if route is Route.GEMINI:
        gen = _get(body, "generationConfig")
        for name in SCHEMA_FIELDS:
            if isinstance(gen, Mapping) and _key(gen, name):
                return name, gen[_key(gen, name)]
        return None, None
    fmt = body.get("response_format")
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema" and isinstance(fmt.get("json_schema"), Mapping):
        return "json_schema", fmt["json_schema"].get("schema")
    return None, None


def schema_name(body: Mapping[str, Any]) -> str:
    fmt = body.get("response_format")
    spec = fmt.get("json_schema") if isinstance(fmt, Mapping) else None
    return str(spec.get("name") or "") if isinstance(spec, Mapping) else ""


def set_schema(route: Route | str, body: Mapping[str, Any], schema: Any, *, field: str | None = None,
               name: str | None = None) -> dict[str, Any]:
    """Set (or with ``schema=None`` remove) the structured-output schema.

    Gemini: ``generationConfig.responseJsonSchema`` (or ``responseSchema`` when ``field`` says
    so, or when that is where the schema already is), with ``responseMimeType``
    ``application/json`` set if the body does not already ask for JSON or an enum (a schema
    needs it). OpenAI: ``response_format: {"type": "json_schema", "json_schema": {"name",
    "schema"}}``. Removing the schema leaves the JSON switch as it is.
    """
    route = Route.parse(route)
    out = copy.deepcopy(dict(body))
    if route is Route.GEMINI:
        gkey = _key(out, "generationConfig") or "generationConfig"
        gen = out.get(gkey)
        if gen is None:
            gen = {}
        if not isinstance(gen, dict):
            raise FormConflict("`generationConfig` is not an object; fix it in the JSON tab")
        current, _ = schema_of(route, out)
        target = field or current or SCHEMA_FIELDS[0]
        for name_ in SCHEMA_FIELDS:
            k = _key(gen, name_)
            if k is not None and (schema is None or name_ != target):
                del gen[k]
        if schema is not None:
            snake = any("_" in k for k in gen) and not any(k != k.lower() for k in gen)
            gen[_key(gen, target) or (_snake(target) if snake else target)] = schema
            mkey = _key(gen, "responseMimeType")
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
    spec = dict(fmt.get("json_schema") or {}) if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema" else {}
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


def _schema_problems(route: Route, body: Mapping[str, Any], out: list[Problem]) -> None:
    if route is Route.GEMINI:
        gkey = _key(body, "generationConfig")
        gen = body.get(gkey) if gkey else None
        if not isinstance(gen, Mapping):
            return
        present = [k for k in (_key(gen, n) for n in SCHEMA_FIELDS) if k]
        if len(present) == 2:
            out.append(Problem(route.value, f"$.{gkey}", "`responseSchema` and `responseJsonSchema` cannot both be set",
                               "keep one of them"))
        mime = gen.get(_key(gen, "responseMimeType") or "responseMimeType")
        if present and mime not in ("application/json", "text/x.enum"):
            out.append(Problem(route.value, f"$.{gkey}.{present[0]}",
                               "a response schema needs `responseMimeType` application/json",
                               "turn JSON output on, or clear the schema"))
        for k in present:
            if not isinstance(gen[k], Mapping):
                out.append(Problem(route.value, f"$.{gkey}.{k}", "the schema must be a JSON object",
                                   'write {"type": "object", "properties": {...}}'))
        return
    fmt = body.get("response_format")
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        if not isinstance(spec, Mapping) or not isinstance(spec.get("schema"), Mapping):
            out.append(Problem(route.value, "$.response_format.json_schema",
                               "`json_schema` needs a `schema` object", "write the schema in the Structured output section"))
        elif not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(spec.get("name") or "")):
            out.append(Problem(route.value, "$.response_format.json_schema.name",
                               "`json_schema.name` must be 1 to 64 letters, digits, _ or -", 'e.g. "reply"'))


# ---- function declarations and the calling mode --------------------------------------------------

@dataclass(frozen=True)
class Function:
    name: str
    description: str = ""
    parameters: Any = None  # JSON Schema (or Gemini Schema); None: no parameters


GEMINI_MODES = ("AUTO", "ANY", "NONE", "VALIDATED")
OPENAI_MODES = ("auto", "required", "none")
_NAME = {Route.GEMINI: re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}"),
         Route.OPENAI: re.compile(r"[A-Za-z0-9_-]{1,64}")}


def _declarations(route: Route, body: Mapping[str, Any]) -> list[Any] | None:
    """The list the form edits: Gemini, the first tool's ``functionDeclarations``; OpenAI, ``tools``."""
    tools = body.get("tools")
    if not isinstance(tools, list):
        return None
    if route is Route.OPENAI:
        return tools
    for tool in tools:
        if isinstance(tool, Mapping):
            k = _key(tool, "functionDeclarations")
            if k and isinstance(tool[k], list):
                return tool[k]
    return None


def functions(route: Route | str, body: Mapping[str, Any]) -> list[Function]:
    route = Route.parse(route)
    out = []
    for item in _declarations(route, body) or []:
        if route is Route.OPENAI:
            if not (isinstance(item, Mapping) and item.get("type") == "function"):
                continue
            item = item.get("function") if isinstance(item.get("function"), Mapping) else {}
        if not isinstance(item, Mapping):
            continue
        params = _get(item, "parametersJsonSchema", _get(item, "parameters"))
        out.append(Function(str(item.get("name") or ""), str(item.get("description") or ""), params))
    return out


def _function_slots(route: Route, body: dict[str, Any], create: bool) -> list[dict[str, Any]]:
    """The declaration objects (Gemini) or ``function`` objects (OpenAI) in order."""
    decls = _declarations(route, body)
    if decls is None:
        if not create:
            return []
        tools = body.get("tools")
        if tools is None:
            tools = body["tools"] = []
        if not isinstance(tools, list):
            raise FormConflict("`tools` is not a list; fix it in the JSON tab")
        if route is Route.OPENAI:
            decls = tools
        else:
            decls = []
            tools.append({"functionDeclarations": decls})
    if route is Route.OPENAI:
        return [t["function"] for t in decls if isinstance(t, dict) and t.get("type") == "function"
                and isinstance(t.get("function"), dict)]
    return [d for d in decls if isinstance(d, dict)]


def add_function(route: Route | str, body: Mapping[str, Any], fn: Function) -> dict[str, Any]:
    route = Route.parse(route)
    out = copy.deepcopy(dict(body))
    _function_slots(route, out, create=True)
    decls = _declarations(route, out)
    entry: dict[str, Any] = {"name": fn.name}
    if fn.description:
        entry["description"] = fn.description
    if fn.parameters is not None:
        entry["parametersJsonSchema" if route is Route.GEMINI else "parameters"] = fn.parameters
    decls.append(entry if route is Route.GEMINI else {"type": "function", "function": entry})
    return out


def set_function(route: Route | str, body: Mapping[str, Any], index: int, *, name: str | None = None,
                 description: str | None = None, parameters: Any = ...) -> dict[str, Any]:
    """Change one declaration's name, description or parameters (``None`` removes them)."""
    route = Route.parse(route)
    out = copy.deepcopy(dict(body))
    slots = _function_slots(route, out, create=False)
    if not 0 <= index < len(slots):
        raise FormConflict(f"there is no function declaration {index + 1}; check the JSON tab")
    slot = slots[index]
    if name is not None:
        slot["name"] = name
    if description is not None:
        if description:
            slot["description"] = description
        else:
            slot.pop("description", None)
    if parameters is not ...:
        key = (_key(slot, "parametersJsonSchema") or _key(slot, "parameters")
               or ("parametersJsonSchema" if route is Route.GEMINI else "parameters"))
        if parameters is None:
            slot.pop(key, None)
        else:
            slot[key] = parameters
    return out


def remove_function(route: Route | str, body: Mapping[str, Any], index: int) -> dict[str, Any]:
    """Remove one declaration; a declarations list, tool or ``tools`` left empty goes too."""
    route = Route.parse(route)
    out = copy.deepcopy(dict(body))
    slot = _function_slots(route, out, create=False)[index]
    tools = out["tools"]
    if route is Route.OPENAI:
        tools[:] = [t for t in tools if not (isinstance(t, dict) and t.get("function") is slot)]
    else:
        for tool in list(tools):
            k = _key(tool, "functionDeclarations") if isinstance(tool, dict) else None
            if k and isinstance(tool[k], list) and any(d is slot for d in tool[k]):
                tool[k] = [d for d in tool[k] if d is not slot]
                if not tool[k]:
                    del tool[k]
                    if not tool:
                        tools.remove(tool)
                break
    if not tools:
        del out["tools"]
    return out


def calling_mode(route: Route | str, body: Mapping[str, Any]) -> str | None:
    """Gemini ``toolConfig.functionCallingConfig.mode``; OpenAI ``tool_choice`` (a choice that
    names functions counts as the mode it implies: ``required``, or ``allowed_tools``' own)."""
    route = Route.parse(route)
    if route is Route.GEMINI:
        mode = _get(_get(_get(body, "toolConfig"), "functionCallingConfig"), "mode")
        return mode.upper() if isinstance(mode, str) else None
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping):
        if choice.get("type") == "function":
            return "required"
        mode = _get(choice.get("allowed_tools"), "mode")
        return mode if choice.get("type") == "allowed_tools" and mode in OPENAI_MODES else None
    return choice if isinstance(choice, str) else None


def allowed_functions(route: Route | str, body: Mapping[str, Any]) -> list[str]:
    """The functions the request lets the model call, when it names some: Gemini
    ``functionCallingConfig.allowedFunctionNames``; OpenAI a ``tool_choice`` naming one
    function, or ``allowed_tools``."""
    route = Route.parse(route)
    if route is Route.GEMINI:
        names = _get(_get(_get(body, "toolConfig"), "functionCallingConfig"), "allowedFunctionNames")
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
    choice = body.get("tool_choice")
    if not isinstance(choice, Mapping):
        return []
    if choice.get("type") == "function":
        name = _get(choice.get("function"), "name")
        return [name] if isinstance(name, str) else []
    tools = _get(choice.get("allowed_tools"), "tools") if choice.get("type") == "allowed_tools" else None
    return [t["function"]["name"] for t in tools if isinstance(t, Mapping)
            and isinstance(_get(t.get("function"), "name"), str)] if isinstance(tools, list) else []


def _openai_choice(names: list[str], mode: str | None) -> Any:
    """``tool_choice`` for functions named in the form: one function is forced (as
    ``required``) unless the mode is ``auto``; several become ``allowed_tools``."""
    if len(names) == 1 and mode != "auto":
        return {"type": "function", "function": {"name": names[0]}}
    return {"type": "allowed_tools", "allowed_tools": {
        "mode": "auto" if mode == "auto" else "required",
        "tools": [{"type": "function", "function": {"name": n}} for n in names]}}


def _calling_config(out: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], Callable[[], None]]:
    """Gemini ``toolConfig`` and its ``functionCallingConfig`` inside ``out`` (made when
    missing), and a function that puts them back (dropping whichever ends up empty)."""
    tkey = _key(out, "toolConfig") or "toolConfig"
    config = out.get(tkey) if out.get(tkey) is not None else {}
    if not isinstance(config, dict):
        raise FormConflict("`toolConfig` is not an object; fix it in the JSON tab")
    fkey = _key(config, "functionCallingConfig") or "functionCallingConfig"
    calling = config.get(fkey) if config.get(fkey) is not None else {}
    if not isinstance(calling, dict):
        raise FormConflict("`functionCallingConfig` is not an object; fix it in the JSON tab")

    def put_back() -> None:
        if calling:
            config[fkey] = calling
        else:
            config.pop(fkey, None)
        if config:
            out[tkey] = config
        else:
            out.pop(tkey, None)
    return config, calling, put_back


def set_calling_mode(route: Route | str, body: Mapping[str, Any], mode: str | None) -> dict[str, Any]:
    """Gemini ``toolConfig.functionCallingConfig.mode``; OpenAI ``tool_choice``. Functions the
    request names stay named (OpenAI: unless the mode is ``none``)."""
    route = Route.parse(route)
    out = copy.deepcopy(dict(body))
    if route is Route.OPENAI:
        names = allowed_functions(route, out)
        if names and mode != "none":
            out["tool_choice"] = _openai_choice(names, mode)
        elif mode:
            out["tool_choice"] = mode
        else:
            out.pop("tool_choice", None)
        return out
    _, calling, put_back = _calling_config(out)
    if mode:
        calling["mode"] = mode
    else:
        calling.pop("mode", None)
    put_back()
    return out


def set_allowed_functions(route: Route | str, body: Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    """Let the model call only ``names`` (none: any declared function). Naming functions
    needs mode ANY (or VALIDATED) on Gemini and ``required`` (or ``auto``) on Chat
    Completions, so a mode that cannot carry them becomes ANY / ``required``."""
    route = Route.parse(route)
    names = [n for n in dict.fromkeys(names) if isinstance(n, str) and n]
    out = copy.deepcopy(dict(body))
    mode = calling_mode(route, out)
    if route is Route.OPENAI:
        if names:
            out["tool_choice"] = _openai_choice(names, mode if mode == "auto" else "required")
        elif isinstance(out.get("tool_choice"), Mapping):
            out["tool_choice"] = mode or "auto"  # the names go, the mode stays
        return out
    _, calling, put_back = _calling_config(out)
    nkey = _key(calling, "allowedFunctionNames") or "allowedFunctionNames"
    if names:
        calling[nkey] = names
        if mode not in ("ANY", "VALIDATED"):
            calling[_key(calling, "mode") or "mode"] = "ANY"
    else:
        calling.pop(nkey, None)
    put_back()
    return out


def _function_problems(route: Route, body: Mapping[str, Any], out: list[Problem]) -> None:
    declared = functions(route, body)
    allowed = allowed_functions(route, body)
    names = {fn.name for fn in declared}
    for name in allowed:
        if name not in names:
            out.append(Problem(route.value, "$.toolConfig.functionCallingConfig.allowedFunctionNames"
                               if route is Route.GEMINI else "$.tool_choice",
                               f"the request lets the model call {name!r}, which is not declared",
                               "declare it under Function calling, or take it out of Only these functions"))
    if route is Route.GEMINI and allowed and calling_mode(route, body) not in ("ANY", "VALIDATED"):
        out.append(Problem(route.value, "$.toolConfig.functionCallingConfig.allowedFunctionNames",
                           "allowedFunctionNames applies only with mode ANY or VALIDATED",
                           "set the calling mode to ANY, or clear Only these functions"))
    for i, fn in enumerate(declared):
        if not _NAME[route].fullmatch(fn.name):
            rule = ("start with a letter or _, then letters, digits, _ . : or -, at most 64"
                    if route is Route.GEMINI else "letters, digits, _ or -, 1 to 64 of them")
            out.append(Problem(route.value, f"$.tools (function {i + 1})",
                               f"function name {fn.name!r} is not valid" if fn.name else "a function needs a name",
                               f"name it with {rule}"))
        if fn.parameters is not None and not isinstance(fn.parameters, Mapping):
            out.append(Problem(route.value, f"$.tools (function {fn.name or i + 1})",
                               "parameters must be a JSON Schema object", 'write {"type": "object", "properties": {...}}'))


# ---- the conversation's turns ----------------------------------------------------------------------

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
    turns = body.get(_turns_key(route))
    if not isinstance(turns, list):
        return []
    end = len(turns) - 1 if _last_user_turn(route, body) is not None else len(turns)
    return [i for i in range(end) if isinstance(turns[i], Mapping)
            and not (route is Route.OPENAI and turns[i].get("role") in ("system", "developer"))]


def _part_note(part: Mapping[str, Any]) -> str:
    if _get(part, "inlineData") is not None:
        return f"inline {_get(_get(part, 'inlineData'), 'mimeType') or 'data'}"
    if _get(part, "fileData") is not None:
        return f"file {_get(_get(part, 'fileData'), 'fileUri') or ''}"
    call = _get(part, "functionCall")
    if isinstance(call, Mapping):
        return f"calls {call.get('name')}({json.dumps(call.get('args') or {}, ensure_ascii=False)})"
    answer = _get(part, "functionResponse")
    if isinstance(answer, Mapping):
        return f"result of {answer.get('name')}: {json.dumps(answer.get('response'), ensure_ascii=False)}"
    if part.get("type") in ("image_url", "file", "input_audio"):
        return part["type"].replace("_", " ")
    return ""


def turns(route: Route | str, body: Mapping[str, Any]) -> list[TurnView]:
    """The turns before the prompt (the prompt is the Prompt field's); system messages are the
    System instruction's and not listed."""
    route = Route.parse(route)
    all_turns = body.get(_turns_key(route)) or []
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
            fixed = any(_get(p, "functionCall") is not None or _get(p, "functionResponse") is not None
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
            for call in t.get("tool_calls") or []:
                fn = call.get("function") if isinstance(call, Mapping) else None
                if isinstance(fn, Mapping):
                    notes.append(f"calls {fn.get('name')}({fn.get('arguments') or ''})")
            if role == "tool":
                notes.append(f"result for {t.get('tool_call_id')}")
            editable = bool(texts) and role in ROLES[route] and not t.get("tool_calls")
        out.append(TurnView(i, role, text, editable, "; ".join(notes)))
    return out


def _turn(route: Route, body: dict[str, Any], index: int) -> dict[str, Any]:
    seq = body.get(_turns_key(route))
    if not isinstance(seq, list) or not 0 <= index < len(seq) or not isinstance(seq[index], dict):
        raise FormConflict(f"there is no turn {index + 1}; check the JSON tab")
    return seq[index]


def set_turn(route: Route | str, body: Mapping[str, Any], index: int, *, role: str | None = None,
             text: str | None = None) -> dict[str, Any]:
    """Change a turn's role or its (first) text; other parts stay."""
    route = Route.parse(route)
    out = copy.deepcopy(dict(body))
    turn = _turn(route, out, index)
    if role is not None:
        if role not in ROLES[route]:
            raise FormConflict(f"role {role!r} is not a {route.label} role: use " + " or ".join(ROLES[route]))
        turn["role"] = role
    if text is not None:
        if route is Route.GEMINI:
            parts = turn.setdefault("parts", [])
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


def move_turn(route: Route | str, body: Mapping[str, Any], index: int, step: int) -> dict[str, Any]:
    """Swap a turn with its neighbour among the conversation's turns (not past the prompt or a
    system message)."""
    route = Route.parse(route)
    out = copy.deepcopy(dict(body))
    order = _history_range(route, out)
    if index not in order:
        raise FormConflict(f"turn {index + 1} cannot move; check the JSON tab")
    at = order.index(index) + step
    if not 0 <= at < len(order):
        return out
    seq = out[_turns_key(route)]
    other = order[at]
    seq[index], seq[other] = seq[other], seq[index]
    return out


def remove_turn(route: Route | str, body: Mapping[str, Any], index: int) -> dict[str, Any]:
    route = Route.parse(route)
    out = copy.deepcopy(dict(body))
    _turn(route, out, index)
    del out[_turns_key(route)][index]
    return out


def add_turn(route: Route | str, body: Mapping[str, Any], role: str | None = None) -> dict[str, Any]:
    """A new, empty turn at the end of the conversation (before the prompt), its role the
    other one from the turn before it."""
    route = Route.parse(route)
    out, seq = _with_turns(route, body)
    at = len(seq) - 1 if _last_user_turn(route, out) is not None else len(seq)
    before = [seq[i] for i in range(at) if isinstance(seq[i], Mapping)
              and seq[i].get("role") not in ("system", "developer")]
    if role is None:
        previous = (before[-1].get("role") or "user") if before else None
        role = ROLES[route][1] if previous in ("user", "tool", "function") else ROLES[route][0]
    turn = {"role": role, "parts": [{"text": ""}]} if route is Route.GEMINI else {"role": role, "content": ""}
    seq.insert(at, turn)
    return out


# ---- media ---------------------------------------------------------------------------------------

KINDS = {"image/png": "PNG image", "image/jpeg": "JPEG image", "image/webp": "WebP image",
         "image/gif": "GIF image", "application/pdf": "PDF"}


def sniff(data: bytes) -> str | None:
    """The media type the bytes themselves say (magic numbers), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.lstrip()[:5] == b"%PDF-":
        return "application/pdf"
    return None


def inline_size(attachments: Any) -> int:
    """Bytes the attachments take on the wire (base64)."""
    return sum(4 * ((len(a.data) + 2) // 3) for a in attachments)


def check_upload(name: str, data: bytes, declared: str | None, held: Any = ()) -> tuple[str | None, str | None]:
    """(media type, None) for a file that may be attached, or (None, why not): a type other
    than PNG, JPEG, WebP, GIF or PDF (by content, whatever the name says), or inline data
    that would pass 20 MB in all (issue 6)."""
    mime = sniff(data)
    if mime is None:
        shown = declared or mimetypes.guess_type(name)[0] or "an unknown type"
        return None, (f"{name} is {shown}, not a supported file: attach a PNG, JPEG, WebP or GIF "
                      "image, or a PDF")
    total = inline_size(held) + 4 * ((len(data) + 2) // 3)
    if total > INLINE_LIMIT:
        return None, (f"{name} ({len(data) / 1e6:.1f} MB) would bring inline media to "
                      f"{total / 1e6:.1f} MB once encoded, over the 20 MB limit: attach a smaller "
                      "file, or give a public file URL (fileData) instead")
    return mime, None


def unique_name(name: str, taken: Any) -> str:
    """``name``, or ``stem-2.ext`` ... when another attachment has that name. Characters that
    would end a placeholder token (< and >) are replaced."""
    name = re.sub(r"[<>\s]+", "_", name.strip()) or "file"
    taken = set(taken)
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, "." + ext) if dot else (name, "")
    n = 2
    while f"{stem}-{n}{ext}" in taken:
        n += 1
    return f"{stem}-{n}{ext}"


def media_part(route: Route | str, attachment: Attachment) -> dict[str, Any]:
    """The part that names an attachment: ``inlineData`` on Gemini; an ``image_url`` data URL
    or a ``file`` part (PDF) on the OpenAI route. The data is the placeholder token."""
    route = Route.parse(route)
    if route is Route.GEMINI:
        return {"inlineData": {"mimeType": attachment.mime_type, "data": attachment.token}}
    url = f"data:{attachment.mime_type};base64,{attachment.token}"
    if attachment.mime_type == "application/pdf":
        return {"type": "file", "file": {"filename": attachment.name, "file_data": url}}
    return {"type": "image_url", "image_url": {"url": url}}


def url_part(route: Route | str, url: str, mime: str | None = None) -> dict[str, Any]:
    """A public file by URL: ``fileData`` on Gemini, an ``image_url`` on the OpenAI route
    (which fetches only images by URL)."""
    route = Route.parse(route)
    url = url.strip()
    if not re.match(r"https?://[^\s/]+", url):
        raise FormConflict("give a public http(s) URL")
    mime = mime or mimetypes.guess_type(url.split("?", 1)[0])[0]
    if route is Route.GEMINI:
        if not mime:
            raise FormConflict("the URL does not say the file's type: pick it")
        return {"fileData": {"mimeType": mime, "fileUri": url}}
    if mime and not mime.startswith("image/"):
        raise FormConflict(f"the OpenAI-compatible route fetches only images by URL, not {mime}: "
                           "upload the file, or use the Gemini native route")
    return {"type": "image_url", "image_url": {"url": url}}


def attach(route: Route | str, body: Mapping[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Append ``part`` to the prompt (the last user turn; a new user turn if there is none)."""
    route = Route.parse(route)
    out, seq = _with_turns(route, body)
    turn = _last_user_turn(route, out)
    if turn is None:
        seq.append({"role": "user", "parts": [part]} if route is Route.GEMINI
                   else {"role": "user", "content": [part]})
        return out
    if route is Route.GEMINI:
        if not isinstance(turn.get("parts"), list):
            raise FormConflict("the last user turn's `parts` is not a list; fix it in the JSON tab")
        turn["parts"].append(part)
    else:
        content = turn.get("content")
        if isinstance(content, str) or content is None:
            turn["content"] = ([{"type": "text", "text": content}] if content else []) + [part]
        elif isinstance(content, list):
            content.append(part)
        else:
            raise FormConflict("the last user message's `content` is neither text nor a list; fix it in the JSON tab")
    return out


def detach(route: Route | str, body: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Remove every part that names attachment ``name``; a turn left without parts goes too,
    and an OpenAI content list left with only text becomes a string again."""
    route = Route.parse(route)
    token = f"<attachment:{name}>"
    out = copy.deepcopy(dict(body))
    seq = out.get(_turns_key(route))
    if not isinstance(seq, list):
        return out
    for turn in list(seq):
        if not isinstance(turn, dict):
            continue
        key = "parts" if route is Route.GEMINI else "content"
        parts = turn.get(key)
        if not isinstance(parts, list):
            continue
        kept = [p for p in parts if token not in json.dumps(p, ensure_ascii=False)]
        if len(kept) == len(parts):
            continue
        if not kept and route is Route.GEMINI:
            seq.remove(turn)
        elif route is Route.OPENAI and all(isinstance(p, dict) and p.get("type") == "text" for p in kept) \
                and len(kept) <= 1:
            turn["content"] = kept[0]["text"] if kept else ""
        else:
            turn[key] = kept
    return out


def urls(route: Route | str, body: Mapping[str, Any]) -> list[str]:
    """Public file URLs the prompt turn refers to (fileData, or image_url not a data URL)."""
    route = Route.parse(route)
    turn = _last_user_turn(route, body)
    found = []
    parts = (turn or {}).get("parts" if route is Route.GEMINI else "content")
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, Mapping):
            continue
        ref = _get(part, "fileData")
        if isinstance(ref, Mapping) and isinstance(_get(ref, "fileUri"), str):
            found.append(_get(ref, "fileUri"))
        image = part.get("image_url") if part.get("type") == "image_url" else None
        if isinstance(image, Mapping) and isinstance(image.get("url"), str) and not image["url"].startswith("data:"):
            found.append(image["url"])
    return found


def remove_url(route: Route | str, body: Mapping[str, Any], url: str) -> dict[str, Any]:
    route = Route.parse(route)
    out = copy.deepcopy(dict(body))
    turn = _last_user_turn(route, out)
    if turn is None:
        return out
    key = "parts" if route is Route.GEMINI else "content"
    if isinstance(turn.get(key), list):
        turn[key] = [p for p in turn[key] if not (isinstance(p, Mapping) and url in (
            _get(_get(p, "fileData"), "fileUri"), (p.get("image_url") or {}).get("url")
            if isinstance(p.get("image_url"), Mapping) else None))]
        if route is Route.OPENAI and all(isinstance(p, dict) and p.get("type") == "text" for p in turn[key]) \
                and len(turn[key]) <= 1:
            turn[key] = turn[key][0]["text"] if turn[key] else ""
    return out


# ---- answering function calls -------------------------------------------------------------------

def response_value(text: str) -> dict[str, Any]:
    """What the user typed as a function's result, as the object Gemini's
    ``functionResponse.response`` must be: a JSON object as is, anything else under
    ``output`` (the convention for results, wire-formats B.2)."""
    try:
        value = json.loads(text)
    except ValueError:
        return {"output": text}
    return value if isinstance(value, dict) else {"output": value}


def _model_parts(raw: Any) -> list[dict[str, Any]]:
    """The first candidate's parts as the model sent them (thought summaries left out; a
    ``thoughtSignature`` kept, as Gemini 3 needs it back on function-call turns, B.2)."""
    chunks = raw if isinstance(raw, list) else [raw]
    parts: list[dict[str, Any]] = []
    for chunk in chunks:
        for position, cand in enumerate((chunk or {}).get("candidates") or [] if isinstance(chunk, dict) else []):
            if not isinstance(cand, dict) or cand.get("index", position) != 0:
                continue
            for part in (cand.get("content") or {}).get("parts") or []:
                if not isinstance(part, dict) or part.get("thought") is True:
                    continue
                if "text" in part and parts and set(parts[-1]) <= {"text", "thoughtSignature"} \
                        and "text" in parts[-1] and set(part) <= {"text", "thoughtSignature"}:
                    parts[-1] = {**parts[-1], **part, "text": parts[-1]["text"] + part["text"]}
                else:
                    parts.append(copy.deepcopy(part))
    return parts


def answer_calls(route: Route | str, body: Mapping[str, Any], reply: Any, results: list[Any]) -> dict[str, Any]:
    """The body with the reply's function calls appended as a model turn and ``results`` (one
    per call, in order) as the function response turn, ready to send and continue.

    Gemini: a ``model`` turn with the ``functionCall`` parts as received, then a ``user`` turn
    of ``functionResponse {name, id?, response}`` parts. OpenAI: an ``assistant`` message with
    ``tool_calls``, then one ``tool`` message per call (``tool_call_id``, the result as JSON text).
    """
    route = Route.parse(route)
    calls = list(reply.function_calls)
    if len(results) != len(calls):
        raise ValueError(f"{len(calls)} function call(s) need {len(calls)} result(s), not {len(results)}")
    out, seq = _with_turns(route, body)
    if route is Route.GEMINI:
        parts = _model_parts(reply.raw)
        if not any("functionCall" in p for p in parts):
            parts = ([{"text": reply.text}] if reply.text else []) + [
                {"functionCall": {k: v for k, v in (("id", c.id), ("name", c.name), ("args", c.args)) if v is not None}}
                for c in calls]
        seq.append({"role": "model", "parts": parts})
        answers = []
        for call, result in zip(calls, results):
            response: dict[str, Any] = {"name": call.name, "response": result}
            if call.id:
                response = {"id": call.id, **response}
            answers.append({"functionResponse": response})
        seq.append({"role": "user", "parts": answers})
        return out
    ids = [c.id or f"call_{i + 1}" for i, c in enumerate(calls)]
    seq.append({"role": "assistant", "content": reply.text or None, "tool_calls": [
        {"id": cid, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.args, ensure_ascii=False)}}
        for cid, c in zip(ids, calls)]})
    for cid, result in zip(ids, results):
        seq.append({"role": "tool", "tool_call_id": cid, "content": json.dumps(result, ensure_ascii=False)})
    return out


# ---- reading grounding metadata ------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    number: int  # 1-based, as the reply view lists them
    title: str
    uri: str


@dataclass(frozen=True)
class Support:
    """A stretch of the answer and the sources that back it."""

    text: str
    sources: tuple[int, ...]  # Source.number values
    scores: tuple[float, ...] = ()


@dataclass(frozen=True)
class Grounding:
    queries: tuple[str, ...]
    sources: tuple[Source, ...]
    supports: tuple[Support, ...]


def read_grounding(meta: Any, answer: str = "") -> Grounding | None:
    """``groundingMetadata`` (wire-formats B.4) as what the reply view lists: the search
    queries, the sources (web or retrieved context: title and link) and which stretch of the
    answer each support backs. A segment without ``text`` is cut from the answer by its
    UTF-8 byte offsets."""
    if not isinstance(meta, Mapping):
        return None
    queries = tuple(q for q in _get(meta, "webSearchQueries", []) or [] if isinstance(q, str))
    sources = []
    for n, chunk in enumerate(_get(meta, "groundingChunks", []) or [], start=1):
        ref = (_get(chunk, "web") or _get(chunk, "retrievedContext") or _get(chunk, "maps")) \
            if isinstance(chunk, Mapping) else None
        ref = ref if isinstance(ref, Mapping) else {}
        uri = str(ref.get("uri") or "")
        sources.append(Source(n, str(ref.get("title") or uri or f"source {n}"), uri))
    raw = answer.encode("utf-8")
    supports = []
    for item in _get(meta, "groundingSupports", []) or []:
        if not isinstance(item, Mapping):
            continue
        segment = _get(item, "segment") or {}
        text = segment.get("text") if isinstance(segment, Mapping) else None
        if not isinstance(text, str):
            start, end = _get(segment, "startIndex", 0), _get(segment, "endIndex", 0)
            text = raw[start:end].decode("utf-8", "replace") if isinstance(start, int) and isinstance(end, int) else ""
        indices = tuple(i + 1 for i in _get(item, "groundingChunkIndices", []) or [] if isinstance(i, int))
        scores = tuple(float(s) for s in _get(item, "confidenceScores", []) or [] if isinstance(s, (int, float)))
        supports.append(Support(text, indices, scores))
    return Grounding(queries, tuple(sources), tuple(supports))


# ---- everything wrong with the features, before sending -------------------------------------------

def problems(route: Route | str, model: str, body: Any) -> list[Problem]:
    """Feature settings the route or model will refuse, each with its fix (the editor shows
    them with :func:`comet.validate.problems` and holds Send back)."""
    route = Route.parse(route)
    if not isinstance(body, Mapping):
        return []
    found: list[Problem] = []
    if route is Route.GEMINI:
        _thinking_problems(route, model, body, found)
    _schema_problems(route, body, found)
    _function_problems(route, body, found)
    return found


__all__ = ["Thinking", "thinking_spec", "thinking_mode", "budget_for_mode", "THINKING_MODES",
           "has_search", "set_search", "SAFETY_CATEGORIES", "SAFETY_THRESHOLDS", "safety", "set_safety",
           "schema_of", "schema_name", "set_schema", "set_schema_name", "Function", "functions",
           "add_function", "set_function", "remove_function", "calling_mode", "set_calling_mode",
           "allowed_functions", "set_allowed_functions",
           "GEMINI_MODES", "OPENAI_MODES", "TurnView", "turns", "set_turn", "move_turn", "remove_turn",
           "add_turn", "sniff", "check_upload", "unique_name", "media_part", "url_part", "attach",
           "detach", "urls", "remove_url", "response_value", "answer_calls", "problems", "MEDIA_TYPES",
           "Source", "Support", "Grounding", "read_grounding"]
