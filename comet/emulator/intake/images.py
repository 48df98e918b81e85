"""Image output on the Gemini route: ``generationConfig.responseModalities`` and ``imageConfig``,
checked against what the model takes (:data:`comet.core.capabilities.IMAGE`, the product's
table, so the Playground and the emulator enforce one set), with Google's 400s."""

from __future__ import annotations

from typing import Any

from comet.core.capabilities import IMAGE

from .common import Ask, bad, invalid

MODALITIES = ("TEXT", "IMAGE", "AUDIO")


def read_images(ask: Ask, gen: dict) -> None:
    """Fill ``ask.modalities``, ``ask.image_ratio`` and ``ask.image_size``, or refuse what the
    model would (an image asked of a text model, a ratio or size it does not take, more
    reference images than its limit)."""
    spec = IMAGE.get(ask.model)
    modalities = gen.get("responseModalities")
    if modalities is not None:
        if not isinstance(modalities, list) or not all(isinstance(m, str) for m in modalities):
            raise invalid("generation_config.response_modalities", "TYPE_ENUM", modalities)
        wanted = tuple(m.upper() for m in modalities)
        for m in wanted:
            if m not in MODALITIES:
                raise invalid("generation_config.response_modalities", "GenerationConfig.Modality", m)
        if "IMAGE" in wanted and spec is None:
            raise bad("Model does not support the requested response modalities: image")
        ask.modalities = wanted
    elif spec is not None:
        ask.modalities = ("TEXT", "IMAGE")  # an image model's default: text and an image
    image = gen.get("imageConfig")
    if image is not None:
        _image_config(ask, image, spec)
    if spec is not None:
        refs = sum(1 for a in ask.attachments if a.modality == "IMAGE")
        if refs > spec["references"]:
            raise bad(f"Too many input images: {refs}. {ask.model} accepts at most {spec['references']} "
                      "reference images per request.")


def _image_config(ask: Ask, image: Any, spec: dict | None) -> None:
    if not isinstance(image, dict):
        raise invalid("generation_config.image_config", "ImageConfig", image)
    if spec is None:
        raise bad("Image config is not supported for this model.")
    ratio, size = image.get("aspectRatio"), image.get("imageSize")
    if ratio is not None and ratio not in spec["ratios"]:
        raise bad(f"Unsupported aspect ratio: {ratio}. Supported aspect ratios for {ask.model}: "
                  f"{', '.join(spec['ratios'])}.")
    if size is not None and size not in spec["sizes"]:
        raise bad(f"Unsupported image size: {size}. Supported image sizes for {ask.model}: "
                  f"{', '.join(spec['sizes'])}.")
    ask.image_ratio, ask.image_size = ratio, size
