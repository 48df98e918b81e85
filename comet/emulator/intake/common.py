"""What both routes' intake shares: the refusal, the Ask, casing (B.3) and shared checks."""

from __future__ import annotations

import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from comet.core.capabilities import MEDIA_TYPES as MEDIA_MIME

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
    code_execution: bool = False  # tools: [{"codeExecution": {}}]
    url_context: list[str] = field(default_factory=list)  # the prompt's URLs, with urlContext on
    modalities: tuple[str, ...] = ()  # Gemini responseModalities (an image model's default: TEXT, IMAGE)
    image_ratio: str | None = None  # imageConfig.aspectRatio
    image_size: str | None = None  # imageConfig.imageSize


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
