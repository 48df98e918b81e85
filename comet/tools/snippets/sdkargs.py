"""How a route's JSON body maps onto the official SDKs' parameters.

Each body field goes to an SDK parameter when the SDK has one, and otherwise through the SDK's
own escape hatch, which merges raw JSON into the request body: ``extra_body`` for openai-python,
``http_options.extra_body`` / ``httpOptions.extraBody`` for google-genai. Nothing is dropped
silently: what an SDK cannot carry at all is listed in ``warnings`` (and the snippet says so).

The tables list only fields that both google-genai SDKs (Python and Node) move into the wire
body under the same name; ``tests/unit/test_snippets.py`` checks them against the installed SDKs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# How the body is spelled (and which members are user data) is comet.body.spelling's; the SDK
# snippets import these from here.
from comet.body.spelling import camel, fold_keys, snake  # noqa: F401

from . import literals as lit

# Top-level Gemini body fields that are GenerateContentConfig parameters, kept at top level.
GEMINI_TOP = ("systemInstruction", "safetySettings", "tools", "toolConfig", "cachedContent")

# generationConfig members that are GenerateContentConfig parameters (the SDK nests them back).
GEMINI_GENERATION = (
    "temperature", "topP", "topK", "candidateCount", "maxOutputTokens", "stopSequences",
    "responseLogprobs", "logprobs", "presencePenalty", "frequencyPenalty", "seed",
    "responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities",
    "mediaResolution", "speechConfig", "thinkingConfig", "imageConfig",
    "enableEnhancedCivicAnswers",
)

# What a Content and a Part may hold. The Python SDK rejects other keys (pydantic
# extra="forbid"); the Node SDK leaves them out of the request.
CONTENT_KEYS = ("role", "parts")
PART_KEYS = (
    "text", "inlineData", "fileData", "functionCall", "functionResponse", "thought",
    "thoughtSignature", "executableCode", "codeExecutionResult", "videoMetadata",
    "mediaResolution", "partMetadata", "toolCall", "toolResponse",
)

# Keyword parameters of openai-python's chat.completions.create (3.57); others go in extra_body.
OPENAI_PARAMS = (
    "messages", "model", "audio", "frequency_penalty", "function_call", "functions",
    "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata", "modalities",
    "n", "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
    "reasoning_effort", "response_format", "safety_identifier", "seed", "service_tier", "stop",
    "store", "stream", "stream_options", "temperature", "tool_choice", "tools", "top_logprobs",
    "top_p", "user", "verbosity", "web_search_options",
)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def member(path: str, key: str) -> str:
    """The JSON path of ``key`` inside ``path``: ``$.a.b`` for a plain name, otherwise
    ``$.a["..."]`` written by the JSON string encoder. The result holds printable characters
    only (no line break, NUL or separator), so it is safe inside a snippet's comment: a key
    in a body can never end the comment and become code."""
    return f"{path}.{key}" if _NAME.match(key) else f"{path}[{lit.quote(key, lit.JSON)}]"


@dataclass
class GeminiArgs:
    """``generate_content(model=..., contents=..., config=...)`` for a Gemini body."""

    contents: Any
    config: dict[str, Any] = field(default_factory=dict)  # camelCase parameter -> value
    extra: dict[str, Any] = field(default_factory=dict)  # merged into the body by the SDK
    dropped: list[str] = field(default_factory=list)  # JSON paths no SDK parameter can carry

    def notes(self, hatch: str) -> list[str]:
        """What the snippet says about the mapping (comment text, without the marker)."""
        notes = [f"{hatch} carries the fields the SDK has no parameter for."] if self.extra else []
        return notes + [f"Left out: {path} (the SDK has no field for it)." for path in self.dropped]

    def warnings(self) -> list[str]:
        return [f"{path} is left out of the SDK snippets: google-genai has no field for it"
                for path in self.dropped]


def gemini_args(body: dict[str, Any]) -> GeminiArgs:
    args = GeminiArgs(contents=[])
    args.contents = _checked_contents(body.get("contents", []), "$.contents", args.dropped)
    for k, v in body.items():
        name = camel(k)
        if name == "contents":
            continue
        if name == "generationConfig" and isinstance(v, dict):
            rest = {}
            for gk, gv in v.items():
                gname = camel(gk)
                if gname in GEMINI_GENERATION and gname not in args.config:
                    args.config[gname] = gv
                else:
                    rest[gk] = gv
            if rest:
                args.extra[k] = rest
        elif name in GEMINI_TOP and name not in args.config:
            if name == "systemInstruction":
                v = _checked_content(v, "$." + k, args.dropped)
            args.config[name] = v
        else:
            args.extra[k] = v
    return args


def _checked_contents(contents: Any, path: str, dropped: list[str]) -> Any:
    if isinstance(contents, list):
        return [_checked_content(c, f"{path}[{i}]", dropped) for i, c in enumerate(contents)]
    return contents


def _checked_content(content: Any, path: str, dropped: list[str]) -> Any:
    """The content without keys the google-genai SDKs cannot carry (each one noted)."""
    if not isinstance(content, dict):
        return content
    out = {}
    for k, v in content.items():
        if camel(k) not in CONTENT_KEYS:
            dropped.append(member(path, k))
        elif camel(k) == "parts" and isinstance(v, list):
            out[k] = [_checked_part(p, f"{member(path, k)}[{i}]", dropped) for i, p in enumerate(v)]
        else:
            out[k] = v
    return out


def _checked_part(part: Any, path: str, dropped: list[str]) -> Any:
    if not isinstance(part, dict):
        return part
    for k in part:
        if camel(k) not in PART_KEYS:
            dropped.append(member(path, k))
    return {k: v for k, v in part.items() if camel(k) in PART_KEYS}


@dataclass
class OpenAIArgs:
    """``chat.completions.create(**params, extra_body=extra)`` for an OpenAI body."""

    params: dict[str, Any]
    extra: dict[str, Any]


def openai_args(body: dict[str, Any]) -> OpenAIArgs:
    params = {k: v for k, v in body.items() if k in OPENAI_PARAMS}
    extra = {k: v for k, v in body.items() if k not in OPENAI_PARAMS}
    ordered = {k: params.pop(k) for k in ("model", "messages") if k in params}
    return OpenAIArgs(params={**ordered, **params}, extra=extra)
