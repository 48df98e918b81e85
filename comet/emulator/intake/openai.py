"""The OpenAI-compatible route: a Chat Completions body read into one Ask."""

from __future__ import annotations

import json
import re
from typing import Any

from comet.core.capabilities import INLINE_LIMIT, MEDIA_TYPES as MEDIA_MIME

from .common import (EFFORTS, MEDIA_TOKENS, TRIGGER, Ask, Attachment, Reject, _dict, _is_int, _list, camelize,
                     count_tokens, decode_base64, directive, pick_function, resolve_thinking)

# ------------------------------------------------------------------------- OpenAI route

def comet_bad(message: str, status: int = 500, code: str = "invalid_request") -> Reject:
    """CometAPI reports its own validation failures as 500 invalid_request (A.3)."""
    return Reject(status, "INVALID_ARGUMENT", message, code)


def _data_url(url: str, where: str) -> Attachment:
    m = re.match(r"data:([^;,]+)?(;[^,]*)?,(.*)$", url, re.S)
    if not m or "base64" not in (m.group(2) or ""):
        raise comet_bad(f"{where}: invalid data URL; expected data:<mime>;base64,<data>", 400)
    mime = (m.group(1) or "").lower()
    if mime not in MEDIA_MIME:
        raise comet_bad(f"{where}: unsupported MIME type {mime or '(none)'}; supported: {', '.join(MEDIA_MIME)}", 400)
    try:
        size = decode_base64(m.group(3), where)
    except Reject:
        raise comet_bad(f"{where}: base64 decoding failed", 400) from None
    return Attachment(mime, size)


def _openai_content(content: Any, where: str) -> tuple[str, list[Attachment]]:
    if content is None:
        return "", []
    if isinstance(content, str):
        return content, []
    if not isinstance(content, list):
        raise comet_bad(f"{where}.content must be a string or an array of content parts", 400)
    texts, found = [], []
    for j, part in enumerate(content):
        at = f"{where}.content[{j}]"
        if not isinstance(part, dict):
            raise comet_bad(f"{at} must be an object", 400)
        kind = part.get("type")
        if kind == "text":
            if not isinstance(part.get("text"), str):
                raise comet_bad(f"{at}.text must be a string", 400)
            texts.append(part["text"])
        elif kind == "image_url":
            url = (part.get("image_url") or {}).get("url") if isinstance(part.get("image_url"), dict) else None
            if not isinstance(url, str) or not url:
                raise comet_bad(f"{at}.image_url.url is required", 400)
            found.append(_data_url(url, at + ".image_url.url") if url.startswith("data:")
                         else Attachment("image/*", None, url))
        elif kind == "file":
            ref = part.get("file") if isinstance(part.get("file"), dict) else {}
            data = ref.get("file_data")
            if isinstance(data, str) and data.startswith("data:"):
                found.append(_data_url(data, at + ".file.file_data"))
            elif isinstance(data, str) and data:  # bare base64: the filename says what it is
                size = decode_base64(data, at + ".file.file_data")
                found.append(Attachment("application/pdf", size))
            elif ref.get("file_id"):
                found.append(Attachment("application/pdf", None, f"file:{ref['file_id']}"))
            else:
                raise comet_bad(f"{at}.file needs file_data or file_id", 400)
        elif kind == "input_audio":
            audio = part.get("input_audio") if isinstance(part.get("input_audio"), dict) else {}
            size = decode_base64(audio.get("data"), at + ".input_audio.data")
            found.append(Attachment(f"audio/{audio.get('format') or 'wav'}", size))
        else:
            raise comet_bad(f"{at}.type {kind!r} is not supported", 400)
    return "\n".join(texts), found


def openai_ask(body: Any, record_for: Any) -> Ask:
    """``record_for(model)`` gives the model's record or None (unknown model)."""
    if not isinstance(body, dict):
        raise comet_bad("invalid request body: expected a JSON object", 400)
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise comet_bad("model name is required", 400, "")
    record = record_for(model)
    if record is None:  # CometAPI's distributor refuses before anything else (A.3)
        raise Reject(503, "NOT_FOUND", f"no available channel for group default and model {model} (distributor)",
                     "model_not_found")
    if "messages" not in body:
        raise comet_bad("field messages is required")
    for key in ("contents", "generationConfig", "generation_config", "systemInstruction",
                "system_instruction", "safetySettings", "toolConfig", "parts"):
        if key in body:  # CometAPI cannot convert a Gemini body: a 500 "invalid_request" (A.3)
            raise comet_bad(f"unknown field {key} in chat completions request; send messages, "
                            "and put settings at top level")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise comet_bad("field messages must be a non-empty array", 400)
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise comet_bad("field stream must be a boolean", 400)
    ask = Ask(route="openai", model=model, record=record, stream=stream)
    _openai_messages(ask, messages)
    if isinstance(body.get("prompt_cache_key"), str) and body["prompt_cache_key"]:
        ask.cached_tokens = ask.prompt_tokens // 2
    _openai_options(ask, body)
    _openai_thinking(ask, body, record)
    _openai_tools(ask, body)
    return ask


def _openai_messages(ask: Ask, messages: list) -> None:
    """The prompt, the system text, a tool result, the attachments and the prompt's tokens."""
    texts, systems, media = [], [], []
    calls: dict[str, str] = {}  # tool_call_id -> function name
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise comet_bad(f"{where} must be an object", 400)
        role = msg.get("role")
        if role not in ("system", "developer", "user", "assistant", "tool", "function"):
            raise comet_bad(f"{where}.role {role!r} is invalid; use system, user, assistant or tool", 400)
        text, found = _openai_content(msg.get("content"), where)
        media.extend(found)
        for call in _list(msg.get("tool_calls")):
            if isinstance(call, dict) and isinstance(call.get("function"), dict):
                calls[str(call.get("id"))] = str(call["function"].get("name") or "")
                texts.append(str(call["function"].get("name") or "") + str(call["function"].get("arguments") or ""))
        if role in ("system", "developer"):
            systems.append(text)
        else:
            texts.append(text)
        if role == "user" and text:
            ask.prompt = text
    last = messages[-1]
    if last.get("role") in ("tool", "function"):
        text, _ = _openai_content(last.get("content"), "messages[-1]")
        try:
            result: Any = json.loads(text)
        except ValueError:
            result = text
        name = calls.get(str(last.get("tool_call_id")), "") or str(last.get("name") or "") or "the tool"
        ask.function_result = (name, result)
    ask.system = "\n".join(s for s in systems if s)
    if last.get("role") == "user":
        ask.attachments = _openai_content(last.get("content"), "messages[-1]")[1]
    total = sum(a.size or 0 for a in media)
    if total > INLINE_LIMIT:
        raise comet_bad(f"request payload size exceeds the limit: {INLINE_LIMIT} bytes of inline data", 400)
    details: dict[str, int] = {"TEXT": sum(count_tokens(t) for t in texts + systems)}
    for att in media:
        details[att.modality] = details.get(att.modality, 0) + MEDIA_TOKENS
    ask.prompt_tokens, ask.prompt_details = sum(details.values()), details
    ask.blocked = TRIGGER in ask.prompt
    ask.chunks = directive(ask.prompt)


def _openai_options(ask: Ask, body: dict) -> None:
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if value is not None:
            if not _is_int(value) or value < 1:
                raise comet_bad(f"{key} must be a positive integer", 400)
            ask.max_tokens = int(value)
            break
    n = body.get("n")
    if n is not None:
        if not _is_int(n) or not 1 <= n <= 8:
            raise comet_bad("n must be an integer from 1 to 8", 400)
        ask.n = int(n)
    stop = body.get("stop")
    if stop is not None:
        stops = [stop] if isinstance(stop, str) else stop
        if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops) or len(stops) > 5:
            raise comet_bad("stop must be a string or an array of at most 5 strings", 400)
        ask.stops = [s for s in stops if s]
    fmt = body.get("response_format")
    if fmt is not None:
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind not in ("text", "json_object", "json_schema"):
            raise comet_bad("response_format.type must be text, json_object or json_schema", 400)
        ask.json_mode = kind != "text"
        if kind == "json_schema":
            spec = fmt.get("json_schema")
            if not isinstance(spec, dict) or not isinstance(spec.get("schema", {}), dict):
                raise comet_bad("response_format.json_schema must be an object with a schema", 400)
            ask.schema = spec.get("schema")
    options = body.get("stream_options")
    ask.include_usage = bool(isinstance(options, dict) and options.get("include_usage"))


def _openai_thinking(ask: Ask, body: dict, record: dict) -> None:
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in EFFORTS:
        raise comet_bad(f"reasoning_effort must be one of {', '.join(EFFORTS)}", 400)
    google = _dict(_dict(body.get("extra_body")).get("google")) or _dict(body.get("google"))
    think = _dict(camelize(google.get("thinking_config") or google.get("thinkingConfig")))
    try:
        ask.thinking_tokens = resolve_thinking(record, ask.prompt_tokens, budget=think.get("thinkingBudget"),
                                               level=think.get("thinkingLevel"), effort=effort)
    except Reject as exc:  # the upstream's 400, relayed in CometAPI's envelope
        raise comet_bad(exc.message, 400) from None
    ask.include_thoughts = bool(think.get("includeThoughts")) and ask.thinking_tokens > 0


def _openai_tools(ask: Ask, body: dict) -> None:
    tools = body.get("tools") or []
    if not isinstance(tools, list):
        raise comet_bad("tools must be an array", 400)
    functions = []
    for i, tool in enumerate(tools):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
            raise comet_bad(f"tools[{i}].function.name is required", 400)
        functions.append({"name": fn["name"], "parameters": fn.get("parameters") or {}})
    choice = body.get("tool_choice", "auto")
    if functions and choice != "none" and ask.function_result is None:
        named = None
        if isinstance(choice, dict):
            named = _dict(choice.get("function")).get("name")
        ask.call = pick_function(functions, [named] if named else None, ask.prompt)
