"""Checks a body against its route before anything is sent.

Each problem names the JSON path, the route and the fix, for example:
"``$.contents``: `contents` belongs to the Gemini native route. Fix: on Chat Completions send
`messages`". :func:`problems` lists them all; :mod:`comet.body.rules` gathers them with the model's, the
features' and the attachments' problems into the one list the editor, the client and the CLI
share.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from comet.core import limits
from comet.core.call import INLINE_LIMIT, MEDIA_TYPES, Call, Route, attachment_names
from comet.core.capabilities import OPENAI_MEDIA
from comet.core.errors import Problem, RequestError

from .spelling import item as _get, turns  # Gemini accepts camelCase and snake_case (proto3 JSON)

# Top-level OpenAI fields sent to the Gemini route, and where Gemini wants them instead.
OPENAI_ONLY = {
    "messages": "send `contents` (a list of {role, parts:[{text}]}) and put system text in `systemInstruction`",
    "max_completion_tokens": "use `generationConfig.maxOutputTokens`",
    "max_tokens": "use `generationConfig.maxOutputTokens`",
    "temperature": "move it into `generationConfig.temperature`",
    "top_p": "use `generationConfig.topP`",
    "top_k": "use `generationConfig.topK`",
    "n": "use `generationConfig.candidateCount`",
    "stop": "use `generationConfig.stopSequences`",
    "stream": "streaming is chosen by the operator (`:streamGenerateContent?alt=sse`): use the Stream switch",
    "stream_options": "remove it; usage comes in every Gemini stream chunk",
    "response_format": "use `generationConfig.responseMimeType` (and `responseSchema`)",
    "reasoning_effort": "use `generationConfig.thinkingConfig` (thinkingBudget or thinkingLevel)",
    "tool_choice": "use `toolConfig.functionCallingConfig.mode`",
    "presence_penalty": "use `generationConfig.presencePenalty`",
    "frequency_penalty": "use `generationConfig.frequencyPenalty`",
    "max_output_tokens": "use `generationConfig.maxOutputTokens`",
}

# Top-level Gemini fields sent to the OpenAI route, and what Chat Completions wants instead.
GEMINI_ONLY = {
    "contents": "on Chat Completions send `messages`",
    "parts": "on Chat Completions send `messages` with `content`",
    "generationConfig": "on Chat Completions put settings at top level (`temperature`, `max_completion_tokens`, ...)",
    "generation_config": "on Chat Completions put settings at top level (`temperature`, `max_completion_tokens`, ...)",
    "systemInstruction": "on Chat Completions send a message with role `system`",
    "system_instruction": "on Chat Completions send a message with role `system`",
    "safetySettings": "Chat Completions has no safety settings; use the Gemini native route",
    "safety_settings": "Chat Completions has no safety settings; use the Gemini native route",
    "toolConfig": "on Chat Completions use `tool_choice`",
    "tool_config": "on Chat Completions use `tool_choice`",
    "cachedContent": "Chat Completions has no cached content; use the Gemini native route",
}

OPENAI_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
GEMINI_ROLES = ("user", "model", "function")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) or (isinstance(v, float) and v.is_integer())


class _Checker:
    def __init__(self, route: Route):
        self.route = route
        self.found: list[Problem] = []

    def add(self, path: str, message: str, fix: str) -> None:
        self.found.append(Problem(self.route.value, path, message, fix))

    def number(self, obj: Mapping[str, Any], key: str, path: str, lo: float | None = None,
               hi: float | None = None, integer: bool = False) -> None:
        hit = _get(obj, key) if self.route is Route.GEMINI else ((key, obj[key]) if key in obj else None)
        if hit is None:
            return
        name, value = hit
        where = f"{path}.{name}"
        if value is None:
            return
        if not (_is_int(value) if integer else _is_number(value)):
            kind = "a whole number" if integer else "a number"
            self.add(where, f"`{name}` must be {kind}, not {json.dumps(value)[:40]}",
                     f"write it as {kind} without quotes, e.g. {int(lo or 1) if integer else (lo or 0) + 0.5}")
            return
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            rng = f"from {lo:g} to {hi:g}" if hi is not None else f"at least {lo:g}"
            self.add(where, f"`{name}` is {value}, outside the allowed range", f"use a value {rng}")


def _check_gemini(body: Mapping[str, Any], c: _Checker) -> None:
    if not OPENAI_ONLY.keys().isdisjoint(body):  # one C-level test on every request's path
        for key, fix in OPENAI_ONLY.items():
            if key in body:
                c.add(f"$.{key}", f"`{key}` belongs to the OpenAI-compatible route, not the Gemini native route", fix)
    hit = _get(body, "contents")
    if hit is None:
        if "messages" not in body:
            c.add("$.contents", "`contents` is required on the Gemini native route",
                  'add "contents": [{"role": "user", "parts": [{"text": "..."}]}]')
    else:
        name, contents = hit
        if not isinstance(contents, list) or not contents:
            c.add(f"$.{name}", "`contents` must be a non-empty list of turns",
                  'write [{"role": "user", "parts": [{"text": "..."}]}]')
        else:
            _check_turns(name, contents, c)
    sys_hit = _get(body, "systemInstruction")
    if sys_hit is not None:
        name, sys_inst = sys_hit
        if isinstance(sys_inst, str):
            c.add(f"$.{name}", "`systemInstruction` must be an object with `parts`, not a string",
                  'write {"parts": [{"text": "..."}]}')
        elif not isinstance(sys_inst, dict) or not isinstance(sys_inst.get("parts"), list):
            c.add(f"$.{name}", "`systemInstruction` must be an object with a `parts` list",
                  'write {"parts": [{"text": "..."}]}')
    gen_hit = _get(body, "generationConfig")
    if gen_hit is not None:
        name, gen = gen_hit
        where = f"$.{name}"
        if not isinstance(gen, dict):
            c.add(where, "`generationConfig` must be an object", 'write {"temperature": 0.7}')
        else:
            _check_generation(gen, where, c)


def _check_turns(name: str, contents: list, c: _Checker) -> None:
    """Each turn of ``contents``: an object with a Gemini role and a non-empty ``parts`` list."""
    for i, turn in enumerate(contents):
        where = f"$.{name}[{i}]"
        if not isinstance(turn, dict):
            c.add(where, "each turn must be an object with `role` and `parts`",
                  'write {"role": "user", "parts": [{"text": "..."}]}')
            continue
        role = turn.get("role")
        if role is not None and role not in GEMINI_ROLES:
            fix = "use role `model` for the assistant's turns" if role == "assistant" else \
                "use role `user` or `model` (system text goes in `systemInstruction`)"
            c.add(f"{where}.role", f"role {role!r} is not a Gemini role", fix)
        parts = turn.get("parts")
        if not isinstance(parts, list) or not parts:
            c.add(f"{where}.parts", "each turn needs a non-empty `parts` list",
                  'write "parts": [{"text": "..."}]')
            continue
        for j, part in enumerate(parts):
            if not isinstance(part, dict):
                c.add(f"{where}.parts[{j}]", "a part must be an object such as {\"text\": \"...\"}",
                      'wrap the text: {"text": "..."}')
            elif "text" in part and not isinstance(part["text"], str):
                c.add(f"{where}.parts[{j}].text", "`text` must be a string", "put the text in quotes")


def _check_generation(gen: dict, where: str, c: _Checker) -> None:
    """``generationConfig``'s numbers, stop sequences, Chat Completions strays and thinking."""
    c.number(gen, "temperature", where, 0, 2)
    c.number(gen, "topP", where, 0, 1)
    c.number(gen, "topK", where, 1)
    c.number(gen, "maxOutputTokens", where, 1, integer=True)
    c.number(gen, "candidateCount", where, 1, 8, integer=True)
    stops = _get(gen, "stopSequences")
    if stops is not None:
        sname, sval = stops
        if not isinstance(sval, list) or not all(isinstance(s, str) for s in sval):
            c.add(f"{where}.{sname}", "`stopSequences` must be a list of strings", 'write ["END"]')
        elif len(sval) > 5:
            c.add(f"{where}.{sname}", f"`stopSequences` has {len(sval)} entries; at most 5 are allowed",
                  "keep five or fewer")
    for openai_key, fix in (("max_completion_tokens", "use `maxOutputTokens`"),
                            ("max_tokens", "use `maxOutputTokens`"),
                            ("response_format", "use `responseMimeType`")):
        if openai_key in gen:
            c.add(f"{where}.{openai_key}", f"`{openai_key}` is a Chat Completions field", fix)
    think = _get(gen, "thinkingConfig")
    if think is not None:
        tname, tval = think
        if not isinstance(tval, dict):
            c.add(f"{where}.{tname}", "`thinkingConfig` must be an object", 'write {"thinkingBudget": 1024}')
        else:
            c.number(tval, "thinkingBudget", f"{where}.{tname}", -1, integer=True)
            if _get(tval, "thinkingBudget") and _get(tval, "thinkingLevel"):
                c.add(f"{where}.{tname}", "`thinkingBudget` and `thinkingLevel` cannot both be set",
                      "keep `thinkingLevel` for Gemini 3 models or `thinkingBudget` for Gemini 2.5")


def _check_openai(body: Mapping[str, Any], c: _Checker) -> None:
    if not GEMINI_ONLY.keys().isdisjoint(body):
        for key, fix in GEMINI_ONLY.items():
            if key in body:
                c.add(f"$.{key}", f"`{key}` belongs to the Gemini native route", fix)
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        c.add("$.model", "`model` is required on the OpenAI-compatible route",
              'pick a model, or write "model": "gemini-2.5-flash"')
    messages = body.get("messages")
    if messages is None:
        if "contents" not in body:
            c.add("$.messages", "`messages` is required on the OpenAI-compatible route",
                  'add "messages": [{"role": "user", "content": "..."}]')
    elif not isinstance(messages, list) or not messages:
        c.add("$.messages", "`messages` must be a non-empty list",
              'write [{"role": "user", "content": "..."}]')
    else:
        for i, msg in turns(Route.OPENAI, body, every=True):
            where = f"$.messages[{i}]"
            if not isinstance(msg, dict):
                c.add(where, "each message must be an object with `role` and `content`",
                      'write {"role": "user", "content": "..."}')
                continue
            role = msg.get("role")
            if role not in OPENAI_ROLES:
                fix = "use role `assistant` for the model's turns" if role == "model" else \
                    "use one of " + ", ".join(f"`{r}`" for r in OPENAI_ROLES[:5])
                c.add(f"{where}.role", f"role {role!r} is not a Chat Completions role", fix)
            if "parts" in msg:
                c.add(f"{where}.parts", "`parts` belongs to the Gemini native route",
                      "on Chat Completions put the text in `content`")
            content = msg.get("content")
            if "content" not in msg and not msg.get("tool_calls"):
                c.add(f"{where}.content", "each message needs `content`", 'add "content": "..."')
            elif content is not None and not isinstance(content, (str, list)):
                c.add(f"{where}.content", "`content` must be a string or a list of parts",
                      "put the text in quotes")
    if not _OPENAI_NUMBERS.keys().isdisjoint(body):
        for key, (lo, hi, integer) in _OPENAI_NUMBERS.items():
            c.number(body, key, "$", lo, hi, integer)
    if "stream" in body and not isinstance(body["stream"], bool):
        c.add("$.stream", "`stream` must be true or false", "use the Stream switch")
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str) and not (
            isinstance(stop, list) and all(isinstance(s, str) for s in stop)):
        c.add("$.stop", "`stop` must be a string or a list of strings", 'write ["END"]')
    if not _GEMINI_CONFIG.isdisjoint(body):
        for key in _GEMINI_CONFIG:
            if key in body:
                c.add(f"$.{key}", f"`{key}` is a Gemini generationConfig field",
                      "use the Chat Completions name (see the Form tab) or switch to the Gemini native route")


# Number fields of a Chat Completions body: (lowest, highest, whole number only)
_OPENAI_NUMBERS = {"temperature": (0, 2, False), "top_p": (0, 1, False),
                   "max_completion_tokens": (1, None, True), "max_tokens": (1, None, True),
                   "n": (1, 8, True)}
# generationConfig fields that sometimes land at the top of a Chat Completions body (in order)
_GEMINI_CONFIG = {k: None for k in ("maxOutputTokens", "topP", "topK", "stopSequences",
                                    "candidateCount", "responseMimeType", "thinkingConfig")}.keys()


def problems(route: Route, body: Any) -> list[Problem]:
    """Everything wrong with ``body`` for ``route``; empty when it may be sent."""
    c = _Checker(route)
    if not isinstance(body, dict):
        c.add("$", f"the body must be a JSON object, not {type(body).__name__}",
              "wrap the request in { ... }")
        return c.found
    beyond = limits.problems(body, route)  # the edge: nothing past it needs to re-check
    if beyond:
        return beyond
    (_check_gemini if route is Route.GEMINI else _check_openai)(body, c)
    return c.found


def attachment_problems(call: Call) -> list[Problem]:
    """Media checks before sending: known tokens, allowed types, at most 20 MB inline."""
    found: list[Problem] = []
    route = call.route.value
    held = {a.name: a for a in call.attachments}
    for name in attachment_names(call.body):
        if name not in held:
            found.append(Problem(route, f"<attachment:{name}>", f"the body names attachment {name!r}, which is not attached",
                                 "attach the file again or remove the placeholder"))
    for a in call.attachments:
        if a.mime_type not in MEDIA_TYPES:
            found.append(Problem(route, f"<attachment:{a.name}>", f"{a.mime_type or 'unknown type'} is not a supported media type",
                                 "attach an image, a PDF, audio, video or plain text"))
        elif call.route is Route.OPENAI and a.mime_type not in OPENAI_MEDIA:
            found.append(Problem(route, f"<attachment:{a.name}>", f"Chat Completions takes no {a.mime_type} input",
                                 "use the Gemini native route, or attach an image, a PDF or WAV/MP3 audio"))
    total = sum(len(a.data) for a in call.attachments)
    if total * 4 / 3 > INLINE_LIMIT:
        found.append(Problem(route, "attachments", f"inline media total {total / 1e6:.1f} MB, over the 20 MB limit",
                             "attach smaller files, or pass a public file URL (fileData) instead"))
    return found


def parse_json(text: str, route: Route) -> dict[str, Any]:
    """Parse the JSON tab. Invalid JSON raises :class:`RequestError` with line and column."""
    value = limits.loads(text, route)
    if not isinstance(value, dict):
        raise RequestError(Problem(route.value, "$", f"the body must be a JSON object, not {type(value).__name__}",
                                   "wrap the request in { ... }"))
    return value
