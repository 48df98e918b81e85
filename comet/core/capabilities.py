"""What each model and each route can take: the product's tables, which the emulator reads.

- :data:`THINKING`: the thinking each Gemini model allows, by model ID:

  * ``{"kind": "budget", "min": lo, "max": hi, "can_disable": bool, "default": "dynamic"|"off"}``
    for Gemini 2.5 (``thinkingBudget``; -1 is dynamic, 0 is off where allowed), or
  * ``{"kind": "level", "levels": [...], "default": "HIGH", "can_disable": bool, "min": lo, "max": hi}``
    for Gemini 3 (``thinkingLevel``; a budget is still accepted for backward compatibility).

  The 2.5 ranges are third-party figures (wire-formats B.2, [UNCONFIRMED]); the Playground
  flags a budget outside them and the emulator refuses it with a 400, like the real service.
- :data:`MEDIA_TYPES` and :data:`INLINE_LIMIT`: the files that may be attached inline, and
  Gemini's limit for inline data in one request.
- :data:`IMAGE`: what each Gemini image model takes (``generationConfig.responseModalities``
  and ``imageConfig``): the output kinds, the aspect ratios, the sizes (``imageSize``, up to
  4K where the model takes it) and how many reference images one request may hold; and
  :data:`RETIRED`, model IDs the provider has shut down, with the date and the model to use.

  Sources: CometAPI's "Generate images with Gemini" page (4K, multi-turn editing, up to 14
  reference images, thought images; ``gemini-2.5-flash-image`` shut down on 2026-10-02, use
  ``gemini-3.1-flash-image-preview`` or ``gemini-3-pro-image-preview``), Google's
  ``ImageConfig`` (the ten ratios 1:1 ... 21:9; sizes 1K, 2K, 4K) and the Gemini 3.1 Flash
  Image announcement (the ratios 1:4, 4:1, 1:8, 8:1 and a 512 size on that model only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

AUDIO_TYPES = ("audio/wav", "audio/mp3", "audio/aiff", "audio/aac", "audio/ogg", "audio/flac")
VIDEO_TYPES = ("video/mp4", "video/mpeg", "video/mov", "video/webm")
MEDIA_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf", *AUDIO_TYPES,
               *VIDEO_TYPES, "text/plain")
# What Chat Completions takes inline: images, PDFs (file parts) and input_audio in wav or mp3.
OPENAI_AUDIO = {"audio/wav": "wav", "audio/mp3": "mp3"}
OPENAI_MEDIA = ("image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf", *OPENAI_AUDIO)
INLINE_LIMIT = 20 * 1024 * 1024  # Gemini's limit for inline data in one request (20 MB in all)

_BUDGET_25_FLASH = {"kind": "budget", "min": 0, "max": 24576, "can_disable": True, "default": "dynamic"}
_BUDGET_25_PRO = {"kind": "budget", "min": 128, "max": 32768, "can_disable": False, "default": "dynamic"}
_BUDGET_25_LITE = {"kind": "budget", "min": 512, "max": 24576, "can_disable": True, "default": "off"}
_LEVEL_3_FLASH = {"kind": "level", "levels": ["MINIMAL", "LOW", "MEDIUM", "HIGH"], "default": "HIGH",
                  "can_disable": False, "min": 128, "max": 32768}
_LEVEL_3_PRO = {"kind": "level", "levels": ["LOW", "HIGH"], "default": "HIGH",
                "can_disable": False, "min": 128, "max": 32768}

THINKING: dict[str, dict[str, Any]] = {
    "gemini-2.5-flash": _BUDGET_25_FLASH,
    "gemini-2.5-pro": _BUDGET_25_PRO,
    "gemini-2.5-flash-lite": _BUDGET_25_LITE,
    "gemini-3-flash-preview": _LEVEL_3_FLASH,
    "gemini-3-pro-preview": _LEVEL_3_PRO,
}

# Output kinds, as the form names them, and the responseModalities each stands for.
OUTPUTS: dict[str, tuple[str, ...]] = {"text": ("TEXT",), "image": ("IMAGE",), "both": ("TEXT", "IMAGE")}
_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
IMAGE: dict[str, dict[str, Any]] = {
    "gemini-3.1-flash-image-preview": {"outputs": ("text", "image", "both"),
                                       "ratios": _RATIOS + ("1:4", "4:1", "1:8", "8:1"),
                                       "sizes": ("512", "1K", "2K", "4K"), "references": 14, "drafts": True},
    "gemini-3-pro-image-preview": {"outputs": ("text", "image", "both"), "ratios": _RATIOS,
                                   "sizes": ("1K", "2K", "4K"), "references": 14, "drafts": True},
}
# Shut down by the provider: (the date, the model to use instead). The service answers such an ID
# with Google's 404 NOT_FOUND, as for any model it no longer serves.
RETIRED: dict[str, tuple[str, str]] = {
    "gemini-2.5-flash-image": ("2026-10-02", "gemini-3.1-flash-image-preview"),
}

# Model IDs the table does not list, by family: the longest matching prefix wins. The
# emulator's fault models (``fault-...``) answer as FAULT_BASE.
FAULT_BASE = "gemini-2.5-flash"
FAULT_PREFIX = "fault-"
_FAMILIES = (("gemini-2.5-flash-lite", "gemini-2.5-flash-lite"), ("gemini-2.5-flash", "gemini-2.5-flash"),
             ("gemini-2.5-pro", "gemini-2.5-pro"), ("gemini-3.1-pro", "gemini-3-pro-preview"),
             ("gemini-3-pro", "gemini-3-pro-preview"), ("gemini-3.1-flash", "gemini-3-flash-preview"),
             ("gemini-3-flash", "gemini-3-flash-preview"), (FAULT_PREFIX, FAULT_BASE))


@dataclass(frozen=True)
class Thinking:
    """What thinking a model allows (from :data:`THINKING`)."""

    kind: str  # "budget" (Gemini 2.5: thinkingBudget) or "level" (Gemini 3: thinkingLevel)
    min: int
    max: int
    can_disable: bool
    default: str  # "dynamic" / "off" (budget) or the default level
    levels: tuple[str, ...] = ()

    def budget_range(self) -> str:
        if self.min == 0:
            return f"-1 (dynamic), or 0 (off) to {self.max}"
        off = "0 (off), " if self.can_disable else ""
        return f"-1 (dynamic), {off}or {self.min} to {self.max}"


def thinking_spec(model: str) -> Thinking | None:
    """The thinking a model allows, or None when unknown (then every control is offered)."""
    name = (model or "").strip().removeprefix("models/")
    spec = THINKING.get(name)
    if spec is None:
        base = next((target for prefix, target in _FAMILIES if name.startswith(prefix)), None)
        spec = THINKING.get(base) if base else None
    if not spec:
        return None
    return Thinking(kind=spec["kind"], min=int(spec["min"]), max=int(spec["max"]),
                    can_disable=bool(spec["can_disable"]), default=str(spec["default"]),
                    levels=tuple(spec.get("levels") or ()))


@dataclass(frozen=True)
class ImageSpec:
    """What an image model takes (from :data:`IMAGE`)."""

    outputs: tuple[str, ...]  # "text", "image", "both" (keys of OUTPUTS)
    ratios: tuple[str, ...]  # imageConfig.aspectRatio values
    sizes: tuple[str, ...]  # imageConfig.imageSize values; () when the model takes none
    references: int  # the most reference images one request may hold
    drafts: bool  # whether it may return thought images (parts with thought: true)


def _bare(model: str) -> str:
    return (model or "").strip().removeprefix("models/")


def image_spec(model: str) -> ImageSpec | None:
    """What an image model takes, or None for a model that makes no images (or is unknown)."""
    spec = IMAGE.get(_bare(model))
    if spec is None:
        return None
    return ImageSpec(outputs=tuple(spec["outputs"]), ratios=tuple(spec["ratios"]), sizes=tuple(spec["sizes"]),
                     references=int(spec["references"]), drafts=bool(spec["drafts"]))


def known_text_model(model: str) -> bool:
    """A model this table knows makes text only (a Gemini text model): asking it for images is
    refused. Unknown IDs are not judged."""
    return thinking_spec(model) is not None and image_spec(model) is None and _bare(model) not in RETIRED


def retired(model: str) -> tuple[str, str] | None:
    """(shut-down date, the model to use instead) for a retired model ID, else None."""
    return RETIRED.get(_bare(model))
