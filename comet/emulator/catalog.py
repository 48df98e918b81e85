"""The emulator's models: what each list endpoint shows and what thinking each model allows.

``MODELS`` holds one plain dict per model the emulator serves (JSON-ready, so the UI can show
it as is). Keys:

``id``, ``name`` (display name), ``provider``, ``family`` ("gemini" or "other"),
``description``, ``model_type``, ``features``, ``input_token_limit``, ``output_token_limit``,
``pricing`` (CometAPI's catalog shape, wire-formats A.2) and ``thinking``:

the model's entry in the product's :data:`comet.core.capabilities.THINKING` table (the emulator
reads the same ranges the Playground checks, and enforces them with a 400 like the real
service does for an out-of-range budget), or ``None`` for non-Gemini models (only
``reasoning_effort`` on the OpenAI route).

``FAULTS`` maps each fault model ID to its one-line description; fault models answer like
``FAULT_BASE`` when they do answer. Non-Gemini models (gpt-5.1, deepseek-v4-pro ...) are served on
the OpenAI-compatible route only, and appear in the public catalog so that "Gemini first"
sorting has something to sort.
"""

from __future__ import annotations

from typing import Any

from comet.core.capabilities import FAULT_BASE, RETIRED as RETIRED_IDS, THINKING

CREATED = 1767225600  # 2026-01-01T00:00:00Z: a fixed "created" keeps every answer deterministic
CURRENCY = "USD / M Tokens"


def _model(id: str, name: str, provider: str, description: str, *, thinking: dict | None,
           price_in: float, price_out: float, per_request: float = 0.0, model_type: str = "text",
           features: list[str] | None = None, limits: tuple[int, int] = (1048576, 65536)) -> dict[str, Any]:
    return {
        "id": id, "name": name, "provider": provider,
        "family": "gemini" if id.startswith("gemini") else "other",
        "description": description, "model_type": model_type,
        "features": features or ["text-to-text"],
        "input_token_limit": limits[0], "output_token_limit": limits[1],
        "pricing": {"currency": CURRENCY, "input": price_in, "output": price_out,
                    "per_request": per_request, "per_second": 0.0},
        "thinking": thinking,
    }


_IMAGE = ["text-to-image", "image-to-image", "text-to-text"]
_MM = ["text-to-text", "image-to-text", "pdf-to-text", "function-calling", "web-search", "structured-output"]

# Listed in catalog order: deliberately not Gemini-first, so the client's sorting shows.
MODELS: list[dict[str, Any]] = [
    _model("gpt-5.1", "GPT-5.1", "OpenAI", "OpenAI's flagship chat model (OpenAI-compatible route only).",
           thinking=None, price_in=1.0, price_out=8.0, limits=(400000, 128000)),
    _model("gemini-2.5-flash", "Gemini 2.5 Flash", "Google",
           "Fast hybrid-reasoning model; thinking budget 0 to 24576, dynamic by default.",
           thinking=THINKING["gemini-2.5-flash"], price_in=0.24, price_out=2.0, features=_MM),
    _model("deepseek-v4-pro", "DeepSeek V4 Pro", "DeepSeek", "DeepSeek's large model (OpenAI-compatible route only).",
           thinking=None, price_in=0.5, price_out=2.0, limits=(131072, 32768)),
    _model("gemini-2.5-pro", "Gemini 2.5 Pro", "Google",
           "Most capable 2.5 model; thinking budget 128 to 32768 and cannot be turned off.",
           thinking=THINKING["gemini-2.5-pro"], price_in=1.0, price_out=8.0, features=_MM),
    _model("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", "Google",
           "Cheapest 2.5 model; thinking off by default, budget 512 to 24576 when on.",
           thinking=THINKING["gemini-2.5-flash-lite"], price_in=0.08, price_out=0.32, features=_MM),
    _model("gpt-4.1-nano", "GPT-4.1 nano", "OpenAI", "Small, cheap OpenAI model (OpenAI-compatible route only).",
           thinking=None, price_in=0.08, price_out=0.32, limits=(1047576, 32768)),
    _model("gemini-3-flash-preview", "Gemini 3 Flash Preview", "Google",
           "Gemini 3 Flash; thinking levels MINIMAL, LOW, MEDIUM, HIGH (default HIGH).",
           thinking=THINKING["gemini-3-flash-preview"], price_in=0.4, price_out=2.4, features=_MM),
    _model("gemini-3-pro-preview", "Gemini 3 Pro Preview", "Google",
           "Gemini 3 Pro; thinking levels LOW and HIGH (default HIGH), cannot be turned off.",
           thinking=THINKING["gemini-3-pro-preview"], price_in=1.6, price_out=9.6, features=_MM),
    _model("gemini-3.1-flash-image-preview", "Gemini 3.1 Flash Image Preview", "Google",
           "Image generation and editing (Nano Banana 2): text and PNG images (inlineData), a draft image first; "
           "14 aspect ratios, sizes 512 to 4K, up to 14 reference images.",
           thinking=THINKING["gemini-3-flash-preview"], price_in=0.4, price_out=48.0, model_type="image",
           features=_IMAGE, limits=(131072, 32768)),
    _model("gemini-3-pro-image-preview", "Gemini 3 Pro Image Preview", "Google",
           "Image generation and editing (Nano Banana Pro): text and PNG images (inlineData), a draft image first; "
           "10 aspect ratios, sizes 1K to 4K, up to 14 reference images.",
           thinking=THINKING["gemini-3-pro-preview"], price_in=1.6, price_out=96.0, model_type="image",
           features=_IMAGE, limits=(65536, 32768)),
    _model("gpt-image-2", "GPT Image 2", "OpenAI", "Image generation (listed in the catalog; not served here).",
           thinking=None, price_in=0.0, price_out=0.0, per_request=0.04, model_type="image",
           features=["text-to-image"]),
]

FAULTS: dict[str, str] = {
    "fault-rate-limit": "Always 429 (Google RetryInfo retryDelay on /v1beta, CometAPI envelope on /v1).",
    "fault-rate-limit-once": "429 on the first attempt of a request body, success when the same body is sent again.",
    "fault-server-error": "Always 500 internal error.",
    "fault-unavailable": "Always 503 overloaded.",
    "fault-slow": "No first byte for 30 s (scaled by time_scale), then a normal answer.",
    "fault-drop-stream": "A few chunks, then the connection is cut without the proper end.",
    "fault-bad-sse": "A malformed event mid-stream (data: {not json); plain: malformed JSON with 200.",
    "fault-html": "An HTML page with status 404 (text/html), like a base URL that is a web site, not the API.",
    "fault-gateway": "An HTML 502 Bad Gateway page from a proxy (text/html); retried like a JSON 502.",
    "fault-bad-verdict": "Answers normally, but a judge request (a model-graded check) gets a malformed verdict.",
}

# Shut down by the provider (comet.core.capabilities.RETIRED): not listed, and a request for one gets
# Google's 404 NOT_FOUND on /v1beta, as the service gives for a model it no longer serves.
RETIRED = RETIRED_IDS

BY_ID: dict[str, dict[str, Any]] = {m["id"]: m for m in MODELS}
SERVED = {m["id"] for m in MODELS if m["model_type"] == "text" or m["family"] == "gemini"}  # Gemini image models too


def lookup(model: str, route: str) -> dict[str, Any] | None:
    """The record that answers for ``model`` on ``route`` ("gemini"/"openai"), or None.

    Fault models answer with FAULT_BASE's record; non-Gemini models only on the OpenAI route."""
    if model in FAULTS:
        return BY_ID[FAULT_BASE]
    record = BY_ID.get(model)
    if record is None or model not in SERVED:
        return None
    if route == "gemini" and record["family"] != "gemini":
        return None
    return record


def _gemini_ids() -> list[str]:
    return [m["id"] for m in MODELS if m["family"] == "gemini"] + list(FAULTS)


def gemini_model(model: str) -> dict[str, Any] | None:
    """One ``Model`` resource as ``GET /v1beta/models/{model}`` shows it (wire-formats B.8)."""
    if model in FAULTS:
        record, description = BY_ID[FAULT_BASE], FAULTS[model]
        name = model
    elif model in BY_ID and BY_ID[model]["family"] == "gemini":
        record = BY_ID[model]
        description, name = record["description"], record["name"]
    else:
        return None
    return {
        "name": f"models/{model}", "baseModelId": model, "version": "001", "displayName": name,
        "description": description, "inputTokenLimit": record["input_token_limit"],
        "outputTokenLimit": record["output_token_limit"],
        "supportedGenerationMethods": ["generateContent", "streamGenerateContent", "countTokens"],
        "temperature": 1, "topP": 0.95, "topK": 64, "maxTemperature": 2, "thinking": True,
    }


def gemini_list(page_size: int, offset: int) -> dict[str, Any]:
    """``GET /v1beta/models`` with Google's paging (``pageSize``, ``nextPageToken``)."""
    ids = _gemini_ids()
    page = ids[offset:offset + page_size]
    out: dict[str, Any] = {"models": [gemini_model(i) for i in page]}
    if offset + page_size < len(ids):
        out["nextPageToken"] = str(offset + page_size)
    return out


def openai_model(model: str) -> dict[str, Any] | None:
    """One item of ``GET /v1/models``: the OpenAI shape plus a ``description`` (wire-formats C.5)."""
    if model in FAULTS:
        return {"id": model, "object": "model", "created": CREATED, "owned_by": "comet-emulator",
                "description": FAULTS[model]}
    record = BY_ID.get(model)
    if record is None:
        return None
    return {"id": model, "object": "model", "created": CREATED, "owned_by": record["provider"].lower(),
            "description": record["description"]}


def openai_list() -> dict[str, Any]:
    return {"object": "list", "data": [openai_model(m["id"]) for m in MODELS] +
            [openai_model(f) for f in FAULTS]}


def catalog() -> dict[str, Any]:
    """``GET /api/models``: CometAPI's public catalog envelope (wire-formats A.2); page 0 = unpaged."""
    data = [{"id": m["id"], "provider": m["provider"], "model_type": m["model_type"],
             "features": list(m["features"]), "pricing": dict(m["pricing"]),
             "api_doc_url": ("https://apidoc.cometapi.com/api/text/gemini-generating-content"
                             if m["family"] == "gemini" else "https://apidoc.cometapi.com/chat")}
            for m in MODELS]
    return {"success": True, "page": 0, "page_size": len(data), "total": len(data), "data": data}
