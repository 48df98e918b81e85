"""What both directions share: the report, JSON paths, spelling, the field tables, route detection."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from comet.body import features, spelling
from comet.core.call import Route

MAPPED, APPROXIMATED, DROPPED = "mapped", "approximated", "dropped"


@dataclass(frozen=True)
class FieldReport:
    """What happened to one source field. Paths are JSON paths (``$.generationConfig.topK``)."""

    field: str  # where it was in the source
    status: str  # mapped | approximated | dropped
    target: str | None = None  # where it went in the result
    note: str = ""  # how (approximated) or why (dropped)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Conversion:
    body: dict[str, Any]
    report: tuple[FieldReport, ...] = ()
    leftover: dict[str, Any] = field(default_factory=dict)  # source values by path, for restore()


# ---- JSON paths ---------------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
_TOKEN = re.compile(r'\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _IDENT.match(key) else f"{path}[{json.dumps(key)}]"


def split_path(path: str) -> list[str | int]:
    """``$.a[0]["b c"]`` -> ``["a", 0, "b c"]``."""
    if not path.startswith("$"):
        raise ValueError(f"not a JSON path: {path!r}")
    tokens: list[str | int] = []
    pos = 1
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m:
            raise ValueError(f"not a JSON path: {path!r}")
        name, index, quoted = m.groups()
        tokens.append(name if name is not None else int(index) if index is not None else json.loads(quoted))
        pos = m.end()
    return tokens


# ---- snake_case Gemini input ----------------------------------------------------------------------

def _camel(key: str) -> str:
    if key == "_responseJsonSchema":  # the proto's json_name quirk (wire-formats B.2)
        return "responseJsonSchema"
    return spelling.camel(key)


def _camelize(value: Any) -> Any:
    """Gemini structure keys in camelCase; user data (arguments, schemas' property names) untouched.
    A key given in both spellings keeps its second spelling as is, so it is reported, not lost."""
    if isinstance(value, list):
        return [_camelize(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, v in value.items():
        name = _camel(key) if isinstance(key, str) else key
        if name in out:  # both spellings: the second one stays as typed (and is reported)
            if key != name:
                name = key
            else:
                out[spelled[name]] = out.pop(name)
        spelled[name] = key
        if name in spelling.USER_DATA:  # the user's own data: kept verbatim
            out[name] = v
        elif name == "properties" and isinstance(v, dict):
            out[name] = {prop: _camelize(schema) for prop, schema in v.items()}
        else:
            out[name] = _camelize(v)
    return out


def _as_typed(source: Any, path: str) -> str:
    """The path as the user spelled it (snake_case keys stay snake_case)."""
    out, node = "$", source
    for token in split_path(path):
        key: str | int = token
        if isinstance(token, str) and isinstance(node, dict) and token not in node:
            key = next((k for k in node if isinstance(k, str) and _camel(k) == token), token)
        out = _at(out, key)
        node = node.get(key) if isinstance(node, dict) else (
            node[key] if isinstance(node, list) and isinstance(key, int) and key < len(node) else None)
    return out


class _Report:
    """Collects report rows and leftovers while one body is translated."""

    def __init__(self, typed: Any = None):
        self.rows: list[FieldReport] = []
        self.leftover: dict[str, Any] = {}
        self._typed = typed  # the Gemini source as typed, to name fields in its own spelling

    def _field(self, path: str) -> str:
        return _as_typed(self._typed, path) if self._typed is not None else path

    def mapped(self, path: str, target: str | None, note: str = "") -> None:
        self.rows.append(FieldReport(self._field(path), MAPPED, target, note))

    def approximated(self, path: str, target: str | None, note: str, *original: Any) -> None:
        """``original``, when given, is kept in the leftover: the round trip would not give it back."""
        self.rows.append(FieldReport(self._field(path), APPROXIMATED, target, note))
        if original:
            self.keep(path, original[0])

    def dropped(self, path: str, why: str, value: Any, *, keep_at: str | None = None) -> None:
        self.rows.append(FieldReport(self._field(path), DROPPED, None, why))
        self.keep(keep_at or path, value)

    def keep(self, path: str, value: Any) -> None:
        if path in self.leftover:
            return
        for inner in [p for p in self.leftover if p.startswith((path + ".", path + "["))]:
            del self.leftover[inner]  # the whole element is kept: its parts must not come back twice
        self.leftover[path] = copy.deepcopy(value)

    def extras(self, obj: Mapping[str, Any], path: str, known: set[str], why: str) -> None:
        for key, value in obj.items():
            if key not in known:
                self.dropped(_at(path, key), why, value)


# ---- shared tables ------------------------------------------------------------------------------

# generationConfig key <-> top-level Chat Completions key, same meaning and value.
SAMPLING = {
    "temperature": "temperature", "topP": "top_p", "maxOutputTokens": "max_completion_tokens",
    "candidateCount": "n", "seed": "seed", "presencePenalty": "presence_penalty",
    "frequencyPenalty": "frequency_penalty", "responseLogprobs": "logprobs", "logprobs": "top_logprobs",
}

GEMINI_ONLY = {
    "topK": "Chat Completions has no top-k sampling",
    "cachedContent": "cached content lives on the Gemini side; Chat Completions cannot refer to it",
    "fileSearch": "file search has no Chat Completions field",
    "googleMaps": "Google Maps grounding has no Chat Completions field",
    "computerUse": "computer use has no Chat Completions field",
    "mcpServers": "MCP servers have no Chat Completions field",
    "responseModalities": "output modalities are not a Chat Completions setting here",
    "speechConfig": "speech output has no Chat Completions field",
    "mediaResolution": "Chat Completions has no media resolution setting",
    "imageConfig": "image output has no Chat Completions field",
    "enableEnhancedCivicAnswers": "Chat Completions has no such setting",
    "includeThoughts": "CometAPI's OpenAI route documents no field for thought summaries "
                       "(Google's own layer takes extra_body.google.thinking_config)",
    "thoughtSignature": "Chat Completions has no place for Gemini's thought signatures",
}


def gemini_only(key: str, default: str) -> str:
    """Why the Gemini field ``key`` has no Chat Completions form: the table above, then the
    registered features' own (:func:`comet.body.features.gemini_only`)."""
    return GEMINI_ONLY.get(key) or features.gemini_only().get(key, default)


UNKNOWN_GEMINI = "not a Gemini field this converter knows; kept for the Gemini route"

OPENAI_ONLY = {
    "logit_bias": "Gemini has no token bias",
    "stream_options": "Gemini stream chunks always carry usage",
    "user": "Gemini has no end-user id", "safety_identifier": "Gemini has no end-user id",
    "prompt_cache_key": "Gemini caches with cachedContent, not a key",
    "prompt_cache_retention": "Gemini caches with cachedContent, not a retention setting",
    "metadata": "Gemini has no request metadata", "store": "Gemini does not store completions",
    "service_tier": "Gemini has no service tier field",
    "parallel_tool_calls": "Gemini decides on parallel function calls itself",
    "modalities": "not mapped to Gemini's responseModalities", "audio": "Gemini has no audio output settings here",
    "prediction": "Gemini has no predicted outputs", "verbosity": "Gemini has no verbosity setting",
    "web_search_options": "use the Google Search tool on the Gemini route",
    "functions": "legacy functions: use tools",
    "function_call": "legacy function_call: use tool_choice",
    "extra_body": "Google's compatibility-layer field; CometAPI does not document it, so it stays on the OpenAI route",
    "name": "Gemini turns have no participant name", "refusal": "Gemini turns have no refusal field",
    "strict": "Gemini has no strict schema mode", "detail": "Gemini has no per-image detail setting",
}
UNKNOWN_OPENAI = "not a Chat Completions field this converter knows; kept for the OpenAI route"

# reasoning_effort <-> thinking (Google's table, wire-formats B.9)
BUDGETS = {"none": 0, "low": 1024, "medium": 8192, "high": 24576}
LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH")

AUDIO_FORMATS = {"audio/wav": "wav", "audio/x-wav": "wav", "audio/mp3": "mp3", "audio/mpeg": "mp3"}
_DATA_URL = re.compile(r"data:([^;,]+);base64,(.*)\Z", re.S)
GENERATED_ID = re.compile(r"comet_call_\d+\Z")  # ids convert makes up for Chat Completions


def _effort(budget: int) -> str:
    return "none" if budget == 0 else "low" if budget <= 1024 else "medium" if budget <= 8192 else "high"


def _is_gemini3(model: str | None) -> bool:
    return bool(model) and re.match(r"(models/)?gemini-3", model) is not None


# ---- route detection ----------------------------------------------------------------------------

_GEMINI_KEYS = {"contents", "systemInstruction", "generationConfig", "safetySettings", "toolConfig",
                "cachedContent"}
_OPENAI_KEYS = {"messages", "max_completion_tokens", "max_tokens", "response_format", "reasoning_effort",
                "tool_choice", "top_p", "stop", "n", "logit_bias", "stream_options"}


def detect_route(body: Any) -> Route | None:
    """The route a body is written for, from its fields; None when nothing tells."""
    if not isinstance(body, Mapping):
        return None
    keys = {_camel(k) for k in body if isinstance(k, str)}
    gemini, openai = len(keys & _GEMINI_KEYS), len(set(body) & _OPENAI_KEYS)
    if "contents" in keys and "messages" not in body:
        return Route.GEMINI
    if "messages" in body and "contents" not in keys:
        return Route.OPENAI
    if gemini != openai:
        return Route.GEMINI if gemini > openai else Route.OPENAI
    return None


def _other(route: Route) -> Route:
    return Route.OPENAI if route is Route.GEMINI else Route.GEMINI
