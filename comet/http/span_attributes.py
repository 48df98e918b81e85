"""What a run's span says: OpenTelemetry's GenAI attributes and the playground's own (``comet.``).

:func:`request_attributes` is known before the run (set when its span starts, as the conventions
ask); :func:`response_attributes` once its Exchange is there. Prompt and reply text come in only
with ``capture`` (``COMET_OTEL_CAPTURE_CONTENT=true``), as the conventions' ``gen_ai.input.messages``,
``gen_ai.system_instructions`` and ``gen_ai.output.messages`` (JSON text). :mod:`comet.http.tracing`
masks the keys in all of it before it reaches a span.
"""

from __future__ import annotations

import json
from typing import Any, Mapping
from urllib.parse import urlsplit

from comet.body import form, spelling
from comet.body.features import images
from comet.core.call import Call, Route
from comet.core.digest import request_hash
from comet.core.exchange import Exchange

OPERATION = {Route.GEMINI: "generate_content", Route.OPENAI: "chat"}
# gen_ai.provider.name discriminates the telemetry flavour: each route speaks one provider's API
# (CometAPI is the server, and server.address says so): docs/tracing.md says why.
PROVIDER = {Route.GEMINI: "gcp.gemini", Route.OPENAI: "openai"}
# The form's fields (comet.body.form) -> gen_ai.request.* attributes, where the body sets them.
REQUEST_FIELDS = {"temperature": "temperature", "top_p": "top_p", "top_k": "top_k",
                  "max_output_tokens": "max_tokens", "stop": "stop_sequences",
                  "presence_penalty": "presence_penalty", "frequency_penalty": "frequency_penalty"}
_ROLES = {"model": "assistant", "user": "user", "system": "system", "assistant": "assistant",
          "tool": "tool", "function": "tool", "developer": "system"}


def request_attributes(call: Call, base_url: str, capture: bool) -> dict[str, Any]:
    parts = urlsplit(base_url)
    values: dict[str, Any] = {
        "gen_ai.operation.name": OPERATION[call.route], "gen_ai.provider.name": PROVIDER[call.route],
        "gen_ai.request.model": call.model, "gen_ai.request.stream": call.stream,
        "server.address": parts.hostname, "server.port": parts.port or (443 if parts.scheme == "https" else 80),
        "comet.route": call.route.value, "comet.request_hash": request_hash(call),
    }
    try:
        settings = form.read(call.route, call.body)
    except Exception:  # an odd body the rules let through: its settings are not worth a failed run
        settings = {}
    for name, attribute in REQUEST_FIELDS.items():
        value = settings.get(name)
        if isinstance(value, bool) or value in (None, "", []):
            continue
        if isinstance(value, (int, float)) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            values[f"gen_ai.request.{attribute}"] = value
    values.update(_output_and_sampling(call, settings))
    if capture:
        system, messages = input_messages(call)
        values["gen_ai.input.messages"] = _json(messages)
        if system:
            values["gen_ai.system_instructions"] = _json(system)
    return values


def _output_and_sampling(call: Call, settings: Mapping[str, Any]) -> dict[str, Any]:
    """``gen_ai.output.type`` where the request asks for JSON or images (and the image's shape),
    ``gen_ai.request.seed`` and ``gen_ai.request.choice.count`` (when not 1) where set."""
    gemini = call.route is Route.GEMINI
    config = spelling.get(call.body, "generationConfig") if gemini else call.body
    config = config if isinstance(config, Mapping) else {}
    image = images.read(call.route, call.body) if gemini else {}
    values: dict[str, Any] = {name: image[key] for name, key in (("comet.image.aspect_ratio", "aspect_ratio"),
                                                                  ("comet.image.size", "image_size")) if image.get(key)}
    if image.get("output") in ("image", "both"):
        values["gen_ai.output.type"] = "image"
    elif settings.get("json_output"):
        values["gen_ai.output.type"] = "json"
    seed = spelling.get(config, "seed") if gemini else config.get("seed")
    count = spelling.get(config, "candidateCount") if gemini else config.get("n")
    if isinstance(seed, int) and not isinstance(seed, bool):
        values["gen_ai.request.seed"] = seed
    if isinstance(count, int) and not isinstance(count, bool) and count != 1:
        values["gen_ai.request.choice.count"] = count
    return values


def response_attributes(exchange: Exchange, cost: float | None, capture: bool) -> dict[str, Any]:
    reply, timing, error = exchange.reply, exchange.timing, exchange.error
    values: dict[str, Any] = {
        "comet.attempts": exchange.attempts, "comet.latency_ms": _rounded(timing.latency_ms),
        "comet.ttft_ms": _rounded(timing.ttft_ms), "comet.cost_usd": cost,
        "comet.stopped": exchange.stopped, "comet.partial": exchange.partial,
        "http.response.status_code": exchange.status,
    }
    if timing.ttft_ms is not None:
        values["gen_ai.response.time_to_first_chunk"] = timing.ttft_ms / 1000
    if error is not None:
        values["error.type"] = error.kind
    if reply is not None:
        usage = reply.usage
        reasons = [c.raw_finish_reason or c.finish_reason for c in reply.candidates
                   if c.raw_finish_reason or c.finish_reason]
        if not reasons and (reply.raw_finish_reason or reply.finish_reason):
            reasons = [reply.raw_finish_reason or reply.finish_reason]
        values.update({"gen_ai.response.model": reply.model_version, "gen_ai.response.id": reply.response_id,
                       "gen_ai.usage.input_tokens": usage.input_tokens,
                       "gen_ai.usage.output_tokens": usage.output_tokens,
                       "gen_ai.usage.reasoning.output_tokens": usage.thinking_tokens,
                       "gen_ai.usage.cache_read.input_tokens": usage.cached_tokens,
                       "gen_ai.response.finish_reasons": reasons or None})
        if capture:
            values["gen_ai.output.messages"] = _json(output_messages(exchange))
    return values


def input_messages(call: Call) -> tuple[list[dict], list[dict]]:
    """(system instructions as parts, the turns as messages), in the conventions' shapes."""
    body = call.body
    if call.route is Route.GEMINI:
        system = spelling.get(body, "systemInstruction")
        turns = [{"role": _ROLES.get(str(spelling.get(t, "role") or "user"), "user"),
                  "parts": _parts(spelling.get(t, "parts"))}
                 for t in _list(spelling.get(body, "contents")) if isinstance(t, Mapping)]
        return (_parts(spelling.get(system, "parts")) if isinstance(system, Mapping) else []), turns
    system: list[dict] = []
    turns = []
    for message in _list(body.get("messages")):
        if not isinstance(message, Mapping):
            continue
        role = _ROLES.get(str(message.get("role") or "user"), "user")
        parts = _parts(message.get("content"))
        if role == "system":
            system += parts
        else:
            turns.append({"role": role, "parts": parts})
    return system, turns


def output_messages(exchange: Exchange) -> list[dict]:
    reply = exchange.reply
    if reply is None:
        return []
    parts: list[dict] = []
    if reply.thoughts:
        parts.append({"type": "reasoning", "content": reply.thoughts})
    if reply.text:
        parts.append({"type": "text", "content": reply.text})
    for called in reply.function_calls:
        parts.append({"type": "tool_call", "id": called.id, "name": called.name, "arguments": called.args})
    for image in reply.images:
        parts.append({"type": "blob", "modality": "image", "mime_type": image.mime_type})
    reason = reply.raw_finish_reason or reply.finish_reason
    return [{"role": "assistant", "parts": parts, "finish_reason": reason or ""}]


def _parts(value: Any) -> list[dict]:
    """Text as text parts; anything else (media, files, tool results) by its kind only."""
    if isinstance(value, str):
        return [{"type": "text", "content": value}]
    parts = []
    for part in _list(value):
        if isinstance(part, str):
            parts.append({"type": "text", "content": part})
        elif isinstance(part, Mapping):
            text = part.get("text")
            if isinstance(text, str):
                parts.append({"type": "text", "content": text})
            else:
                kind = str(part.get("type") or next(iter(part), "part"))
                parts.append({"type": "blob" if "image" in kind.lower() or "data" in kind.lower() else kind})
    return parts


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _rounded(ms: float | None) -> float | None:
    return None if ms is None else round(ms, 3)
