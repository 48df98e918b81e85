"""The model list: ``GET /v1/models`` merged with the public catalog ``GET /api/models``.

``/v1/models`` (Bearer) has the OpenAI list shape ``{"object": "list", "data": [{"id",
"owned_by", ...}]}``; ``/api/models`` (no auth) is CometAPI's catalog ``{"success", "data":
[{"id", "provider", "model_type", "features", "pricing": {"input", "output", ...}}]}`` with
prices in USD per million tokens (wire-formats.md A.2, C.5). :func:`merge` is pure; the
client fetches. Gemini models come first, so the UI can offer them first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from comet.core.exchange import Usage


@dataclass(frozen=True)
class Pricing:
    """USD per million tokens; ``cached`` is the rate for input read from a cache, where the
    catalog gives one (``cached_input`` or ``cache_read`` in its pricing)."""

    input: float
    output: float
    cached: float | None = None


@dataclass(frozen=True)
class ModelInfo:
    id: str
    provider: str = ""
    gemini: bool = False
    pricing: Pricing | None = None
    description: str = ""
    owned_by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "provider": self.provider, "gemini": self.gemini,
                "pricing": None if self.pricing is None else
                {"input": self.pricing.input, "output": self.pricing.output,
                 **({} if self.pricing.cached is None else {"cached_input": self.pricing.cached})},
                "description": self.description, "owned_by": self.owned_by}


def is_gemini(model_id: str) -> bool:
    return model_id.removeprefix("models/").lower().startswith("gemini")


def _records(listing: Any) -> Iterable[Mapping[str, Any]]:
    data = listing.get("data") if isinstance(listing, Mapping) else listing
    if not isinstance(data, list):  # a server's odd answer (a number, an object) lists nothing
        return []
    return [r for r in data if isinstance(r, Mapping) and isinstance(r.get("id"), str)]


def _pricing(value: Any) -> Pricing | None:
    if not isinstance(value, Mapping):
        return None
    try:
        pricing = Pricing(input=float(value["input"]), output=float(value["output"]))
    except (KeyError, TypeError, ValueError):
        return None
    for name in ("cached_input", "cache_read"):
        try:
            return Pricing(pricing.input, pricing.output, cached=float(value[name]))
        except (KeyError, TypeError, ValueError):
            continue
    return pricing


def merge(listed: Any, catalog: Any) -> list[ModelInfo]:
    """Every model of either list once; ``/v1/models`` gives the IDs a key can use, the
    catalog adds provider, pricing and description. Gemini first, then by ID."""
    info: dict[str, dict[str, Any]] = {}
    for r in _records(listed):
        info[r["id"]] = {"owned_by": str(r.get("owned_by") or ""),
                         "description": str(r.get("description") or "")}
    for r in _records(catalog):
        entry = info.setdefault(r["id"], {"owned_by": "", "description": ""})
        entry["provider"] = str(r.get("provider") or "")
        entry["pricing"] = _pricing(r.get("pricing"))
        entry["description"] = entry["description"] or str(r.get("description") or "")
    models = [ModelInfo(id=mid, provider=e.get("provider") or e["owned_by"], gemini=is_gemini(mid),
                        pricing=e.get("pricing"), description=e["description"],
                        owned_by=e["owned_by"])
              for mid, e in info.items()]
    return sorted(models, key=lambda m: (not m.gemini, m.id))


def cost(usage: Usage, model: ModelInfo | None) -> float | None:
    """USD for one run. Thinking tokens are billed as output; cached input at the catalog's
    cached rate where it has one (else as input); tool-use prompt tokens as input. None when a
    price or a count is unknown."""
    if model is None or model.pricing is None or usage.input_tokens is None \
            or usage.output_tokens is None:
        return None
    price = model.pricing
    cached = min(usage.cached_tokens or 0, usage.input_tokens)
    fresh = usage.input_tokens - cached + (usage.tool_use_prompt_tokens or 0)
    output = usage.output_tokens + (usage.thinking_tokens or 0)
    cached_rate = price.input if price.cached is None else price.cached
    return (fresh * price.input + cached * cached_rate + output * price.output) / 1_000_000
