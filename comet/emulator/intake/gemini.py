"""The Gemini native route: a generateContent / countTokens body read into one Ask."""

from __future__ import annotations

import json
import re
from typing import Any

from comet.core.capabilities import INLINE_LIMIT

from .common import (BUILT_IN_TOOLS, GEMINI_TOP, GENERATION_CONFIG, HARM_CATEGORIES, JSON_MIME, MEDIA_TOKENS, PART_DATA,
                     TEXT_MIME, THRESHOLDS, TOOL_USE_TOKENS, TRIGGER, Ask, Attachment, _dict, _is_int, _is_num, _list,
                     bad, camel, camelize, check_mime, constraint, count_tokens, decode_base64, directive, invalid,
                     pick_function, resolve_thinking)
from .images import read_images

# ------------------------------------------------------------------------- Gemini route

def unknown_fields(body: dict, known: set[str], at: str | None = None) -> None:
    for key in body:
        if camel(key) not in known:
            where = f" at '{at}'" if at else ""
            raise bad(f'Invalid JSON payload received. Unknown name "{key}"{where}: Cannot find field.')


def _gemini_parts(contents: list, where: str = "contents") -> None:
    """Structural checks on contents (B.2); media checks are in :func:`_media`."""
    for i, turn in enumerate(contents):
        if not isinstance(turn, dict):
            raise invalid(f"{where}[{i}]", "Content", turn)
        role = turn.get("role")
        if role not in (None, "", "user", "model", "function"):
            raise bad("Please use a valid role: user, model.")
        parts = turn.get("parts")
        if not isinstance(parts, list) or not parts:
            raise constraint(f"{where}[{i}].parts", "contents.parts must not be empty.")
        for j, part in enumerate(parts):
            if not isinstance(part, dict) or not any(k in part for k in PART_DATA):
                raise constraint(f"{where}[{i}].parts[{j}].data",
                                 "required oneof field 'data' must have one initialized field")
            if "text" in part and not isinstance(part["text"], str):
                raise invalid(f"{where}[{i}].parts[{j}].text", "TYPE_STRING", part["text"])


def _media(contents: list) -> tuple[list[list[Attachment]], int]:
    """Attachments per turn, checked: MIME type, base64, and the 20 MB total (issue 6)."""
    per_turn, total = [], 0
    for i, turn in enumerate(contents):
        found = []
        for j, part in enumerate(turn["parts"]):
            if "inlineData" in part:
                blob = part["inlineData"]
                where = f"contents[{i}].parts[{j}].inline_data"
                if not isinstance(blob, dict):
                    raise invalid(where, "Blob", blob)
                mime = check_mime(blob.get("mimeType"), where)
                size = decode_base64(blob.get("data"), where + ".data")
                total += size
                found.append(Attachment(mime, size))
            elif "fileData" in part:
                ref = part["fileData"]
                if not isinstance(ref, dict) or not isinstance(ref.get("fileUri"), str) or not ref["fileUri"]:
                    raise constraint(f"contents[{i}].parts[{j}].file_data.file_uri", "file_uri is not specified")
                found.append(Attachment(str(ref.get("mimeType") or ""), None, ref["fileUri"]))
        per_turn.append(found)
    if total > INLINE_LIMIT:
        raise bad(f"Request payload size exceeds the limit: {INLINE_LIMIT} bytes. "
                  f"The inline data in this request is {total} bytes; use fileData for large files.")
    return per_turn, total


def _texts(content: dict) -> str:
    return "\n".join(p["text"] for p in content.get("parts") or [] if isinstance(p, dict)
                     and isinstance(p.get("text"), str) and not p.get("thought"))


def _part_tokens(part: dict) -> int:
    if isinstance(part.get("text"), str):
        return count_tokens(part["text"])
    for key in ("functionCall", "functionResponse", "executableCode", "codeExecutionResult"):
        if key in part:
            return count_tokens(json.dumps(part[key], ensure_ascii=False))
    return 0


def _prompt_usage(contents: list, system: dict | None, media: list[list[Attachment]]) -> tuple[int, dict[str, int]]:
    details: dict[str, int] = {"TEXT": 0}
    for content in contents + ([system] if system else []):
        for part in content.get("parts") or []:
            if isinstance(part, dict):
                details["TEXT"] += _part_tokens(part)
    for found in media:
        for att in found:
            details[att.modality] = details.get(att.modality, 0) + MEDIA_TOKENS
    return sum(details.values()), details



def gemini_contents(body: dict) -> tuple[dict, list, dict | None, list]:
    """Shared by generateContent and countTokens: camelized body, contents, system, media."""
    b = camelize(body)
    contents = b.get("contents")
    if contents is None or contents == []:
        raise constraint("contents", "contents is not specified")
    if not isinstance(contents, list):
        raise invalid("contents", "Content", contents)
    _gemini_parts(contents)
    system = b.get("systemInstruction")
    if system is not None:
        if not isinstance(system, dict) or not isinstance(system.get("parts"), list):
            raise invalid("system_instruction", "Content", system)
        _gemini_parts([system], "system_instruction")
    media, _ = _media(contents)
    return b, contents, system, media


def gemini_ask(body: Any, model: str, record: dict, *, stream: bool) -> Ask:
    if not isinstance(body, dict):
        raise bad('Invalid JSON payload received. Unknown name "": Root element must be a message.')
    unknown_fields(body, GEMINI_TOP)
    gen_raw = next((body[k] for k in ("generationConfig", "generation_config") if k in body), None)
    if gen_raw is not None:
        if not isinstance(gen_raw, dict):
            raise invalid("generation_config", "GenerationConfig", gen_raw)
        unknown_fields(gen_raw, GENERATION_CONFIG, "generation_config")
    b, contents, system, media = gemini_contents(body)
    ask = Ask(route="gemini", model=model, record=record, stream=stream)
    ask.system = _texts(system) if system else ""
    ask.prompt_tokens, ask.prompt_details = _prompt_usage(contents, system, media)

    _gemini_turn(ask, contents, media)
    gen = b.get("generationConfig") or {}
    _gemini_generation(ask, gen)
    read_images(ask, gen)
    _gemini_thinking(ask, gen, record)
    _gemini_safety(b.get("safetySettings"))
    _gemini_tools(ask, b)
    return ask


def _gemini_turn(ask: Ask, contents: list, media: list[list[Attachment]]) -> None:
    """The current turn is the last one; the prompt is the last user text anywhere."""
    last = contents[-1]
    responses = [p["functionResponse"] for p in last["parts"] if "functionResponse" in p]
    if responses:
        r = responses[0] if isinstance(responses[0], dict) else {}
        ask.function_result = (str(r.get("name") or "the function"), r.get("response"))
    for content in reversed(contents):
        if content.get("role") in (None, "", "user") and _texts(content):
            ask.prompt = _texts(content)
            break
    ask.attachments = media[-1]
    ask.blocked = TRIGGER in ask.prompt
    ask.chunks = directive(ask.prompt)


def _gemini_generation(ask: Ask, gen: dict) -> None:
    for name, kind in (("temperature", "TYPE_FLOAT"), ("topP", "TYPE_FLOAT"), ("topK", "TYPE_INT32"),
                       ("maxOutputTokens", "TYPE_INT32"), ("candidateCount", "TYPE_INT32"),
                       ("seed", "TYPE_INT32"), ("presencePenalty", "TYPE_FLOAT"), ("frequencyPenalty", "TYPE_FLOAT")):
        if name in gen and gen[name] is not None and not (_is_num(gen[name]) if kind == "TYPE_FLOAT" or name == "topK"
                                                          else _is_int(gen[name])):
            snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)
            raise invalid(f"generation_config.{snake}", kind, gen[name])
    if gen.get("maxOutputTokens") is not None:
        if int(gen["maxOutputTokens"]) < 1:
            raise constraint("generation_config.max_output_tokens", "max_output_tokens must be positive.")
        ask.max_tokens = int(gen["maxOutputTokens"])
    if gen.get("candidateCount") is not None:
        n = int(gen["candidateCount"])
        if not 1 <= n <= 8:
            raise constraint("generation_config.candidate_count", "candidate_count must be between 1 and 8.")
        ask.n = n
    stops = gen.get("stopSequences")
    if stops is not None:
        if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
            raise invalid("generation_config.stop_sequences", "TYPE_STRING", stops)
        if len(stops) > 5:
            raise constraint("generation_config.stop_sequences", "stop_sequences must have at most 5 entries.")
        ask.stops = [s for s in stops if s]
    mime = gen.get("responseMimeType")
    schema = gen.get("responseSchema")
    json_schema = gen.get("responseJsonSchema")
    if mime is not None and mime not in TEXT_MIME:
        raise constraint("generation_config.response_mime_type", "allowed mimetypes are `text/plain`, "
                         "`application/json`, `application/xml`, `application/yaml` and `text/x.enum`.")
    if schema is not None and json_schema is not None:
        raise constraint("generation_config.response_schema",
                         "only one of response_schema and response_json_schema can be set.")
    if (schema is not None or json_schema is not None) and mime not in JSON_MIME:
        raise constraint("generation_config.response_mime_type",
                         "a response schema needs response_mime_type application/json or text/x.enum.")
    ask.json_mode = mime == "application/json"
    ask.enum_mode = mime == "text/x.enum"
    ask.schema = schema if schema is not None else json_schema
    if ask.schema is not None and not isinstance(ask.schema, dict):
        raise invalid("generation_config.response_schema", "Schema", ask.schema)


def _gemini_thinking(ask: Ask, gen: dict, record: dict) -> None:
    think = gen.get("thinkingConfig")
    if think is not None and not isinstance(think, dict):
        raise invalid("generation_config.thinking_config", "ThinkingConfig", think)
    think = think or {}
    ask.thinking_tokens = resolve_thinking(record, ask.prompt_tokens, budget=think.get("thinkingBudget"),
                                           level=think.get("thinkingLevel"))
    ask.include_thoughts = bool(think.get("includeThoughts")) and ask.thinking_tokens > 0


def _gemini_safety(settings: Any) -> None:
    if not isinstance(settings or [], list):
        raise invalid("safety_settings", "SafetySetting", settings)
    for i, setting in enumerate(settings or []):
        if not isinstance(setting, dict):
            raise invalid(f"safety_settings[{i}]", "SafetySetting", setting)
        if setting.get("category") not in HARM_CATEGORIES:
            raise invalid(f"safety_settings[{i}].category", "HarmCategory", setting.get("category"))
        if setting.get("threshold") not in THRESHOLDS:
            raise invalid(f"safety_settings[{i}].threshold", "SafetySetting.HarmBlockThreshold",
                          setting.get("threshold"))


def _gemini_tools(ask: Ask, b: dict) -> None:
    tools = b.get("tools") or []
    if not isinstance(tools, list):
        raise invalid("tools", "Tool", tools)
    functions: list[dict] = []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise invalid(f"tools[{i}]", "Tool", tool)
        if "googleSearch" in tool or "googleSearchRetrieval" in tool:
            ask.search = True
        if any(name in tool for name in BUILT_IN_TOOLS):
            ask.tool_use_tokens += TOOL_USE_TOKENS
        ask.code_execution = ask.code_execution or "codeExecution" in tool
        if "urlContext" in tool:
            ask.url_context = re.findall(r"https?://[^\s<>\"')]+", ask.prompt)[:20]
        for j, decl in enumerate(_list(tool.get("functionDeclarations"))):
            if not isinstance(decl, dict) or not isinstance(decl.get("name"), str) or not decl["name"]:
                raise constraint(f"tools[{i}].function_declarations[{j}].name",
                                 "Invalid function name. Must start with a letter or an underscore.")
            params = decl.get("parametersJsonSchema", decl.get("parameters"))
            functions.append({"name": decl["name"], "parameters": params if isinstance(params, dict) else {}})
    if isinstance(b.get("cachedContent"), str) and b["cachedContent"]:
        ask.cached_tokens = ask.prompt_tokens // 2
    calling = _dict(_dict(b.get("toolConfig")).get("functionCallingConfig"))
    mode = str(calling.get("mode") or "AUTO").upper()
    if functions and mode != "NONE" and ask.function_result is None:
        allowed = _list(calling.get("allowedFunctionNames")) if mode in ("ANY", "VALIDATED") else None
        ask.call = pick_function(functions, allowed, ask.prompt)


def count_ask(body: Any) -> tuple[int, dict[str, int]]:
    """``:countTokens``: ``{"contents": ...}`` or ``{"generateContentRequest": {...}}`` (B.8)."""
    if not isinstance(body, dict):
        raise bad('Invalid JSON payload received. Unknown name "": Root element must be a message.')
    unknown_fields(body, {"contents", "generateContentRequest"})
    b = camelize(body)
    if "contents" in b and "generateContentRequest" in b:
        raise constraint("contents", "only one of contents and generate_content_request can be set.",
                         "CountTokensRequest")
    inner = b.get("generateContentRequest")
    if inner is not None:
        if not isinstance(inner, dict):
            raise invalid("generate_content_request", "GenerateContentRequest", inner)
        unknown_fields(inner, GEMINI_TOP, "generate_content_request")
        b = inner
    _, contents, system, media = gemini_contents(b)
    return _prompt_usage(contents, system, media)
