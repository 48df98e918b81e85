"""Function calling: declarations, the calling mode, the functions the model may call, and
answering a reply's calls.

Gemini: ``tools[].functionDeclarations`` and ``toolConfig.functionCallingConfig`` (mode,
``allowedFunctionNames``); OpenAI: ``tools`` of type ``function`` and ``tool_choice``. A reply's
calls come back as a model turn and the results as a function-response turn
(:func:`answer_calls`).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping  # isinstance against it is much cheaper than typing.Mapping
from dataclasses import dataclass
from typing import Any, Callable

from comet.body import spelling
from comet.body.spelling import FormConflict
from comet.core.call import Route
from comet.core.errors import Problem


@dataclass(frozen=True)
class Function:
    name: str
    description: str = ""
    parameters: Any = None  # JSON Schema (or Gemini Schema); None: no parameters


GEMINI_MODES = ("AUTO", "ANY", "NONE", "VALIDATED")
# The top-level keys problems() reads (comet.body.features skips it when none is there).
KEYS = frozenset({"tools", "toolConfig", "tool_config", "tool_choice"})
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
            k = spelling.key(tool, "functionDeclarations")
            if k and isinstance(tool[k], list):
                return tool[k]
    return None


def functions(route: Route, body: Mapping[str, Any]) -> list[Function]:
    out = []
    for item in _declarations(route, body) or []:
        if route is Route.OPENAI:
            if not (isinstance(item, Mapping) and item.get("type") == "function"):
                continue
            item = item.get("function") if isinstance(item.get("function"), Mapping) else {}
        if not isinstance(item, Mapping):
            continue
        params = spelling.get(item, "parametersJsonSchema", spelling.get(item, "parameters"))
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


def add_function(route: Route, body: Mapping[str, Any], fn: Function) -> dict[str, Any]:
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


def set_function(route: Route, body: Mapping[str, Any], index: int, *, name: str | None = None,
                 description: str | None = None, parameters: Any = ...) -> dict[str, Any]:
    """Change one declaration's name, description or parameters (``None`` removes them)."""
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
        key = (spelling.key(slot, "parametersJsonSchema") or spelling.key(slot, "parameters")
               or ("parametersJsonSchema" if route is Route.GEMINI else "parameters"))
        if parameters is None:
            slot.pop(key, None)
        else:
            slot[key] = parameters
    return out


def remove_function(route: Route, body: Mapping[str, Any], index: int) -> dict[str, Any]:
    """Remove one declaration; a declarations list, tool or ``tools`` left empty goes too."""
    out = copy.deepcopy(dict(body))
    slots = _function_slots(route, out, create=False)
    if not 0 <= index < len(slots):
        raise FormConflict(f"there is no function declaration {index + 1}; check the JSON tab")
    slot = slots[index]
    tools = out["tools"]
    if route is Route.OPENAI:
        tools[:] = [t for t in tools if not (isinstance(t, dict) and t.get("function") is slot)]
    else:
        for tool in list(tools):
            k = spelling.key(tool, "functionDeclarations") if isinstance(tool, dict) else None
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


def calling_mode(route: Route, body: Mapping[str, Any]) -> str | None:
    """Gemini ``toolConfig.functionCallingConfig.mode``; OpenAI ``tool_choice`` (a choice that
    names functions counts as the mode it implies: ``required``, or ``allowed_tools``' own)."""
    if route is Route.GEMINI:
        mode = spelling.get(spelling.get(spelling.get(body, "toolConfig"), "functionCallingConfig"), "mode")
        return mode.upper() if isinstance(mode, str) else None
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping):
        if choice.get("type") == "function":
            return "required"
        mode = spelling.get(choice.get("allowed_tools"), "mode")
        return mode if choice.get("type") == "allowed_tools" and mode in OPENAI_MODES else None
    return choice if isinstance(choice, str) else None


def allowed_functions(route: Route, body: Mapping[str, Any]) -> list[str]:
    """The functions the request lets the model call, when it names some: Gemini
    ``functionCallingConfig.allowedFunctionNames``; OpenAI a ``tool_choice`` naming one
    function, or ``allowed_tools``."""
    if route is Route.GEMINI:
        names = spelling.get(spelling.get(spelling.get(body, "toolConfig"), "functionCallingConfig"), "allowedFunctionNames")
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
    choice = body.get("tool_choice")
    if not isinstance(choice, Mapping):
        return []
    if choice.get("type") == "function":
        name = spelling.get(choice.get("function"), "name")
        return [name] if isinstance(name, str) else []
    tools = spelling.get(choice.get("allowed_tools"), "tools") if choice.get("type") == "allowed_tools" else None
    return [t["function"]["name"] for t in tools if isinstance(t, Mapping)
            and isinstance(spelling.get(t.get("function"), "name"), str)] if isinstance(tools, list) else []


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
    tkey = spelling.key(out, "toolConfig") or "toolConfig"
    config = out.get(tkey) if out.get(tkey) is not None else {}
    if not isinstance(config, dict):
        raise FormConflict("`toolConfig` is not an object; fix it in the JSON tab")
    fkey = spelling.key(config, "functionCallingConfig") or "functionCallingConfig"
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


def set_calling_mode(route: Route, body: Mapping[str, Any], mode: str | None) -> dict[str, Any]:
    """Gemini ``toolConfig.functionCallingConfig.mode``; OpenAI ``tool_choice``. Functions the
    request names stay named (OpenAI: unless the mode is ``none``)."""
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


def set_allowed_functions(route: Route, body: Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    """Let the model call only ``names`` (none: any declared function). Naming functions
    needs mode ANY (or VALIDATED) on Gemini and ``required`` (or ``auto``) on Chat
    Completions, so a mode that cannot carry them becomes ANY / ``required``."""
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
    nkey = spelling.key(calling, "allowedFunctionNames") or "allowedFunctionNames"
    if names:
        calling[nkey] = names
        if mode not in ("ANY", "VALIDATED"):
            calling[spelling.key(calling, "mode") or "mode"] = "ANY"
    else:
        calling.pop(nkey, None)
    put_back()
    return out


def problems(route: Route, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """Names the request allows but does not declare, a mode that cannot carry them, invalid
    function names and parameters that are not a schema."""
    out: list[Problem] = []
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
                if "text" in part and parts and parts[-1].keys() <= {"text", "thoughtSignature"} \
                        and "text" in parts[-1] and part.keys() <= {"text", "thoughtSignature"}:
                    parts[-1] = {**parts[-1], **part, "text": parts[-1]["text"] + part["text"]}
                else:
                    parts.append(copy.deepcopy(part))
    return parts


def answer_calls(route: Route, body: Mapping[str, Any], reply: Any, results: list[Any]) -> dict[str, Any]:
    """The body with the reply's function calls appended as a model turn and ``results`` (one
    per call, in order) as the function response turn, ready to send and continue.

    Gemini: a ``model`` turn with the ``functionCall`` parts as received, then a ``user`` turn
    of ``functionResponse {name, id?, response}`` parts. OpenAI: an ``assistant`` message with
    ``tool_calls``, then one ``tool`` message per call (``tool_call_id``, the result as JSON text).
    """
    calls = list(reply.function_calls)
    if len(results) != len(calls):
        raise ValueError(f"{len(calls)} function call(s) need {len(calls)} result(s), not {len(results)}")
    out, seq = spelling.with_turns(route, body)
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


read = functions
set = set_function  # noqa: A001  (the feature's setter, as in every feature module)
