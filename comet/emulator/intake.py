"""Read a request body into one :class:`Ask` (the same shape for both routes), or raise
:class:`Reject` with the status and message the real service would give.

Gemini bodies are accepted in camelCase and snake_case at any depth (proto3 JSON mapping,
wire-formats B.3: google-genai Python sends ``thinkingConfig: {"thinking_budget": 0}``);
property names, function ``args`` and function ``response`` objects are user data and keep
their spelling. Messages follow the Gemini API's wording (wire-formats B.7) and, on the
OpenAI-compatible route, CometAPI's statuses and codes (wire-formats A.3).

This module reads bodies on its own and deliberately does not use :mod:`comet.body`: the
emulator is the oracle the client is tested against, so a mistake in the client's reading of
a body must not be copied here. Only the capability tables (thinking ranges, media types, the
inline limit) come from the product, :mod:`comet.capabilities`, so both enforce one set.
"""

from __future__ import annotations

import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..capabilities import INLINE_LIMIT, MEDIA_TYPES as MEDIA_MIME

MEDIA_TOKENS = 258  # what Gemini charges per image (and here per PDF), a fixed rule
CHUNKS_DIRECTIVE = re.compile(r"\[\[chunks=(\d+)\]\]")
MAX_CHUNKS = 5000
TRIGGER = "BLOCKME"
TOKEN = re.compile(r"\w+|[^\w\s]")

GEMINI_TOP = {"contents", "model", "systemInstruction", "tools", "toolConfig", "safetySettings",
              "generationConfig", "cachedContent"}
GENERATION_CONFIG = {
    "stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities",
    "candidateCount", "maxOutputTokens", "temperature", "topP", "topK", "seed", "presencePenalty",
    "frequencyPenalty", "responseLogprobs", "logprobs", "enableEnhancedCivicAnswers", "speechConfig",
    "thinkingConfig", "imageConfig", "mediaResolution", "audioTimestamp", "routingConfig",
    "modelSelectionConfig", "enableAffectiveDialog"}
PART_DATA = ("text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode",
             "codeExecutionResult")
HARM_CATEGORIES = {"HARM_CATEGORY_UNSPECIFIED", "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
                   "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT",
                   "HARM_CATEGORY_CIVIC_INTEGRITY"}
THRESHOLDS = {"HARM_BLOCK_THRESHOLD_UNSPECIFIED", "BLOCK_LOW_AND_ABOVE", "BLOCK_MEDIUM_AND_ABOVE",
              "BLOCK_ONLY_HIGH", "BLOCK_NONE", "OFF"}
JSON_MIME = ("application/json", "text/x.enum")
TEXT_MIME = ("text/plain", "application/json", "text/x.enum", "application/xml", "application/yaml")

# Thinking tokens spent, a fixed rule: levels by name, budgets by size (wire-formats B.2, B.9).
LEVEL_TOKENS = {"MINIMAL": 24, "LOW": 144, "MEDIUM": 520, "HIGH": 1040}
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
EFFORT_BUDGET = {"minimal": 1024, "low": 1024, "medium": 8192, "high": 24576, "xhigh": 32768, "max": 32768}
EFFORT_LEVEL = {"minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH", "xhigh": "HIGH",
                "max": "HIGH"}
EFFORT_TOKENS = {"none": 0, "minimal": 24, "low": 144, "medium": 520, "high": 1040, "xhigh": 2064, "max": 4112}


class Reject(Exception):
    """The request is refused. ``status``/``gstatus``/``message`` are the Google form;
    ``code`` is CometAPI's; ``comet_status`` overrides the status in CometAPI's envelope."""

    def __init__(self, status: int, gstatus: str, message: str, code: str = "invalid_request", *,
                 details: list | None = None, comet_status: int | None = None,
                 comet_message: str | None = None):
        super().__init__(message)
        self.status, self.gstatus, self.message, self.code = status, gstatus, message, code
        self.details = details
        self.comet_status = comet_status or status
        self.comet_message = comet_message or message


def bad(message: str) -> Reject:
    return Reject(400, "INVALID_ARGUMENT", message)


_NO_VALUE = object()


def invalid(where: str, kind: str, value: Any = _NO_VALUE) -> Reject:
    """Google's wording for a value of the wrong type; ``kind`` is a proto message ("Content")
    or a scalar type ("TYPE_FLOAT")."""
    kind = kind if kind.startswith("TYPE_") else f"type.googleapis.com/google.ai.generativelanguage.v1beta.{kind}"
    shown = "" if value is _NO_VALUE else ", " + json.dumps(value, ensure_ascii=False)[:60]
    return bad(f"Invalid value at '{where}' ({kind}){shown}")


def constraint(path: str, text: str, request: str = "GenerateContentRequest") -> Reject:
    """Google's wording for a broken field constraint: ``* Request.path: text``."""
    return bad(f"* {request}.{path}: {text}\n")


@dataclass(frozen=True)
class Attachment:
    mime: str
    size: int | None = None  # decoded bytes for inline data; None for a URL
    uri: str | None = None

    @property
    def modality(self) -> str:
        top = self.mime.split("/", 1)[0]
        return {"image": "IMAGE", "video": "VIDEO", "audio": "AUDIO"}.get(top, "DOCUMENT")

    def describe(self) -> str:
        kind = {"IMAGE": "an image", "VIDEO": "a video", "AUDIO": "an audio clip"}.get(self.modality, "a document")
        if self.uri and self.size is None:
            return f"{kind} ({self.mime or 'unknown type'}) at {self.uri}"
        return f"{kind} ({self.mime}, {self.size} bytes)"


@dataclass
class Ask:
    """One request, whichever route it came by: everything a reply depends on."""

    route: str  # "gemini" or "openai"
    model: str  # as requested (a fault model keeps its own id)
    record: dict[str, Any]
    prompt: str = ""  # the last user text
    system: str = ""
    attachments: list[Attachment] = field(default_factory=list)  # of the last user turn
    prompt_tokens: int = 0
    prompt_details: dict[str, int] = field(default_factory=dict)  # modality -> tokens
    max_tokens: int | None = None
    stops: list[str] = field(default_factory=list)
    n: int = 1
    json_mode: bool = False
    enum_mode: bool = False  # text/x.enum
    schema: dict | None = None
    thinking_tokens: int = 0
    include_thoughts: bool = False
    search: bool = False
    call: dict | None = None  # {"name", "parameters"} of the function to call
    function_result: tuple[str, Any] | None = None
    blocked: bool = False
    chunks: int | None = None
    include_usage: bool = False
    stream: bool = False
    cached_tokens: int = 0  # of prompt_tokens: half the prompt, when the request names a cache
    tool_use_tokens: int = 0  # Gemini built-in tools (search, URL context, code execution)


# The emulator's stand-ins for what a cache or a built-in tool adds to the usage counts: a
# request naming a cache (Gemini ``cachedContent``, OpenAI ``prompt_cache_key``) gets half its
# prompt counted as cached; each built-in tool adds TOOL_USE_TOKENS tool-use prompt tokens.
BUILT_IN_TOOLS = ("googleSearch", "googleSearchRetrieval", "urlContext", "codeExecution")
TOOL_USE_TOKENS = 64


def count_tokens(text: str) -> int:
    """The emulator's tokenizer: every word and every punctuation mark is one token."""
    return len(TOKEN.findall(text))


# ------------------------------------------------------------------------- casing (B.3)

_KEEP_SUBTREE = {"args", "response", "enum", "default", "example", "const", "labels"}
_KEEP_KEYS = {"properties", "$defs", "definitions", "patternProperties"}


def camel(key: str) -> str:
    if key == "_responseJsonSchema":  # the proto's json_name quirk (B.2)
        return "responseJsonSchema"
    if "_" not in key or key[0] in "$@":
        return key
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def camelize(obj: Any) -> Any:
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            k = camel(k) if isinstance(k, str) else k
            if k in _KEEP_SUBTREE:
                out[k] = v
            elif k in _KEEP_KEYS and isinstance(v, dict):
                out[k] = {name: camelize(sub) for name, sub in v.items()}
            else:
                out[k] = camelize(v)
        return out
    if isinstance(obj, list):
        return [camelize(x) for x in obj]
    return obj


# ------------------------------------------------------------------------- shared checks

def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def _is_int(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def decode_base64(data: Any, where: str) -> int:
    """Check standard (or URL-safe) base64 and return the decoded size."""
    if not isinstance(data, str):
        raise invalid(where, "TYPE_BYTES", data)
    text = data.replace("-", "+").replace("_", "/")
    try:
        return len(binascii.a2b_base64(text, strict_mode=True))
    except (binascii.Error, ValueError):
        shown = data[:20] + ("..." if len(data) > 20 else "")
        raise bad(f"Invalid value at '{where}' (TYPE_BYTES), Base64 decoding failed for \"{shown}\"") from None


def check_mime(mime: Any, where: str) -> str:
    if not isinstance(mime, str) or not mime:
        raise constraint(f"{where}.mime_type", "mime_type is not specified")
    if mime.lower() not in MEDIA_MIME:
        raise bad(f"Unsupported MIME type: {mime}. Supported here: {', '.join(MEDIA_MIME)}.")
    return mime.lower()


def resolve_thinking(record: dict, prompt_tokens: int, *, budget: Any = None, level: Any = None,
                     effort: str | None = None) -> int:
    """Thinking tokens the model spends, or :class:`Reject` for settings the model refuses."""
    spec = record.get("thinking")
    if spec is None:  # non-Gemini models: only reasoning_effort means anything
        return EFFORT_TOKENS.get(effort or "none", 0)
    if effort is not None and budget is None and level is None:
        if effort == "none":
            budget = 0
        elif spec["kind"] == "level":
            level = EFFORT_LEVEL[effort]
            levels = spec["levels"]
            if level not in levels:  # e.g. MEDIUM on 3 Pro: the next level up
                order = list(LEVEL_TOKENS)
                level = next((lv for lv in order[order.index(level):] if lv in levels), levels[-1])
        else:
            budget = min(EFFORT_BUDGET[effort], spec["max"])
    if budget is not None and level is not None:
        raise bad("You can only set only one of thinking budget and thinking level.")
    if level is not None:
        if spec["kind"] != "level":
            raise bad("Thinking level is not supported for this model. Use thinkingBudget for Gemini 2.5 models.")
        name = str(level).upper()
        if name not in spec["levels"]:
            raise bad(f"Thinking level {level} is not supported for this model. "
                      f"Supported levels: {', '.join(spec['levels'])}.")
        return LEVEL_TOKENS[name]
    if budget is None:
        if spec["kind"] == "level":
            return LEVEL_TOKENS[spec["default"]]
        budget = -1 if spec["default"] == "dynamic" else 0
    if not _is_int(budget):
        raise invalid("generation_config.thinking_config.thinking_budget", "TYPE_INT32", budget)
    budget = int(budget)
    if budget == -1:  # dynamic: the model decides, here from the prompt's size
        return min(spec["max"], 200 + 4 * prompt_tokens)
    if budget == 0:
        if not spec["can_disable"]:
            raise bad("Budget 0 is invalid. This model only works in thinking mode.")
        return 0
    if not spec["min"] <= budget <= spec["max"]:
        lo = "0 (off) or " + str(spec["min"]) if spec["can_disable"] and spec["min"] > 0 else str(spec["min"])
        raise bad(f"The thinking budget {budget} is invalid. Please choose a value between {lo} and {spec['max']}.")
    return min(budget, 16 + budget // 8)


def mentions(prompt: str, name: str) -> bool:
    low = prompt.lower()
    return name.lower() in low or name.replace("_", " ").lower() in low


def pick_function(functions: list[dict], allowed: list[str] | None, prompt: str) -> dict | None:
    usable = [f for f in functions if not allowed or f["name"] in allowed]
    if not usable:
        return None
    return next((f for f in usable if mentions(prompt, f["name"])), usable[0])


def directive(prompt: str) -> int | None:
    m = CHUNKS_DIRECTIVE.search(prompt)
    return None if m is None else max(1, min(MAX_CHUNKS, int(m.group(1))))


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

    # The current turn is the last one; the prompt is the last user text anywhere.
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

    gen = b.get("generationConfig") or {}
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

    think = gen.get("thinkingConfig")
    if think is not None and not isinstance(think, dict):
        raise invalid("generation_config.thinking_config", "ThinkingConfig", think)
    think = think or {}
    ask.thinking_tokens = resolve_thinking(record, ask.prompt_tokens, budget=think.get("thinkingBudget"),
                                           level=think.get("thinkingLevel"))
    ask.include_thoughts = bool(think.get("includeThoughts")) and ask.thinking_tokens > 0

    if not isinstance(b.get("safetySettings") or [], list):
        raise invalid("safety_settings", "SafetySetting", b.get("safetySettings"))
    for i, setting in enumerate(b.get("safetySettings") or []):
        if not isinstance(setting, dict):
            raise invalid(f"safety_settings[{i}]", "SafetySetting", setting)
        if setting.get("category") not in HARM_CATEGORIES:
            raise invalid(f"safety_settings[{i}].category", "HarmCategory", setting.get("category"))
        if setting.get("threshold") not in THRESHOLDS:
            raise invalid(f"safety_settings[{i}].threshold", "SafetySetting.HarmBlockThreshold",
                          setting.get("threshold"))

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
    return ask


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
    if isinstance(body.get("prompt_cache_key"), str) and body["prompt_cache_key"]:
        ask.cached_tokens = ask.prompt_tokens // 2
    ask.blocked = TRIGGER in ask.prompt
    ask.chunks = directive(ask.prompt)

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
    return ask
