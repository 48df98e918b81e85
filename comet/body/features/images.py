"""Image generation: ``generationConfig.responseModalities`` and ``imageConfig`` (Gemini route).

The output kinds (``text``, ``image``, ``both``: :data:`comet.core.capabilities.OUTPUTS`), the
aspect ratio and the size are limited to what the chosen model takes
(:func:`comet.core.capabilities.image_spec`); reference images are the images attached to the
prompt's turn (through :mod:`.media`), at most the model's limit. A model the tables know
makes text only is refused an image output. Chat Completions has no field for any of it: the
route switch drops them and says so.

    >>> body = {"contents": [{"parts": [{"text": "a red kite"}]}]}
    >>> set(Route.GEMINI, body, output="both", aspect_ratio="16:9")["generationConfig"]
    {'responseModalities': ['TEXT', 'IMAGE'], 'imageConfig': {'aspectRatio': '16:9'}}
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from comet.body import spelling
from comet.body.spelling import FormConflict
from comet.core.call import Route
from comet.core.capabilities import IMAGE, OUTPUTS, image_spec, known_text_model
from comet.core.errors import Problem

GEMINI_ONLY = {
    "responseModalities": "output modalities are not a Chat Completions setting here",
    "imageConfig": "image output has no Chat Completions field",
}
KEYS = frozenset({"generationConfig", "generation_config", "contents"})
IMAGE_MODELS = tuple(IMAGE)
_KEEP: Any = object()
_FIELDS = {"aspect_ratio": "aspectRatio", "image_size": "imageSize"}


def _config(body: Mapping[str, Any]) -> tuple[str | None, Any]:
    gkey = spelling.key(body, "generationConfig")
    return gkey, (body.get(gkey) if gkey else None)


def output_of(modalities: Any) -> str | None:
    """The output kind a ``responseModalities`` list stands for, or None (unset or another mix)."""
    if not isinstance(modalities, list) or not all(isinstance(m, str) for m in modalities):
        return None
    wanted = sorted({m.upper() for m in modalities})
    return next((name for name, mods in OUTPUTS.items() if sorted(mods) == wanted), None)


def read(route: Route, body: Mapping[str, Any]) -> dict[str, Any]:
    """``output`` (text, image, both or None), ``aspect_ratio`` and ``image_size`` as set."""
    out = {"output": None, "aspect_ratio": None, "image_size": None}
    if route is not Route.GEMINI:
        return out
    _, gen = _config(body)
    out["output"] = output_of(spelling.get(gen, "responseModalities"))
    image = spelling.get(gen, "imageConfig")
    for name, field in _FIELDS.items():
        value = spelling.get(image, field)
        out[name] = value if isinstance(value, str) else None
    return out


def set(route: Route, body: Mapping[str, Any], *, output: Any = _KEEP, aspect_ratio: Any = _KEEP,  # noqa: A001
        image_size: Any = _KEEP) -> dict[str, Any]:
    """Write the output kind, the aspect ratio or the size (``None`` removes it, and an
    ``imageConfig`` or ``generationConfig`` left empty goes too); other fields untouched."""
    if route is not Route.GEMINI:
        raise FormConflict("Image generation is a Gemini native feature; switch to that route")
    out = copy.deepcopy(dict(body))
    gkey = spelling.key(out, "generationConfig") or spelling.new_key(out, "generationConfig")
    gen = out.get(gkey)
    if gen is None:
        gen = {}
    if not isinstance(gen, dict):
        raise FormConflict(f"`{gkey}` is not an object, so the form cannot set the image output; fix it in the JSON tab")
    if output is not _KEEP:
        mkey = spelling.key(gen, "responseModalities") or spelling.new_key(gen, "responseModalities")
        if output is None:
            gen.pop(mkey, None)
        elif output not in OUTPUTS:
            raise FormConflict(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")
        else:
            gen[mkey] = list(OUTPUTS[output])
    edits = {f: v for f, v in (("aspectRatio", aspect_ratio), ("imageSize", image_size)) if v is not _KEEP}
    if edits:
        ikey = spelling.key(gen, "imageConfig") or spelling.new_key(gen, "imageConfig")
        image = gen.get(ikey) or {}
        if not isinstance(image, dict):
            raise FormConflict(f"`{ikey}` is not an object; fix it in the JSON tab")
        for field, value in edits.items():
            fkey = spelling.key(image, field) or spelling.new_key(image, field)
            if value is None:
                image.pop(fkey, None)
            else:
                image[fkey] = value
        gen[ikey] = image
        if not image:
            del gen[ikey]
    if gen:
        out[gkey] = gen
    else:
        out.pop(gkey, None)
    return out


def _is_image(part: Any) -> bool:
    for name in ("inlineData", "fileData"):
        data = spelling.get(part, name)
        mime = spelling.get(data, "mimeType")
        if isinstance(mime, str) and mime.startswith("image/"):
            return True
    return False


def references(route: Route, body: Mapping[str, Any]) -> int:
    """The images in the prompt's turn: what an image model takes as its references."""
    turn = spelling.last_user_turn(route, body) if route is Route.GEMINI else None
    return sum(1 for p in spelling.parts(route, turn) if _is_image(p)) if turn else 0


def problems(route: Route, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """An image output asked of a text model; a ratio, size or number of references the image
    model does not take; each with the fix."""
    if route is not Route.GEMINI:
        return []
    gkey, gen = _config(body)
    spec = image_spec(model)
    out: list[Problem] = []
    if isinstance(gen, Mapping):
        mkey, modalities = spelling.item(gen, "responseModalities") or (None, None)
        ikey, image = spelling.item(gen, "imageConfig") or (None, None)
        asks_image = isinstance(modalities, list) and any(isinstance(m, str) and m.upper() == "IMAGE"
                                                          for m in modalities)
        if (asks_image or ikey) and known_text_model(model):
            out.append(Problem(route.value, f"$.{gkey}.{mkey if asks_image else ikey}", f"{model} makes no images",
                               f"choose an image model ({' or '.join(IMAGE_MODELS)}), or set the output to text"))
        elif spec is not None and isinstance(image, Mapping):
            out += _config_problems(route, model, spec, f"$.{gkey}.{ikey}", image)
    if spec is not None:
        n = references(route, body)
        if n > spec.references:
            out.append(Problem(route.value, "$.contents[-1].parts", f"{n} reference images; {model} takes at most "
                               f"{spec.references}", f"remove {n - spec.references} of the attached images"))
    return out


def _config_problems(route: Route, model: str, spec: Any, where: str, image: Mapping[str, Any]) -> list[Problem]:
    out = []
    for field, allowed, what in (("aspectRatio", spec.ratios, "aspect ratio"), ("imageSize", spec.sizes, "size")):
        fkey, value = spelling.item(image, field) or (None, None)
        if fkey is None or value in allowed:
            continue
        if not allowed:
            out.append(Problem(route.value, f"{where}.{fkey}", f"{model} takes no image {what}",
                               f"remove `{fkey}`"))
        else:
            out.append(Problem(route.value, f"{where}.{fkey}", f"{value!r} is not an image {what} {model} takes",
                               "use one of " + ", ".join(allowed)))
    return out


def edit_this(route: Route, body: Mapping[str, Any], reply_text: str, image_part: dict[str, Any],
              signature: str | None = None) -> dict[str, Any]:
    """"Edit this image": the reply goes back as the model's turn (its text, then the image part,
    e.g. ``inlineData`` naming an attachment, with its ``thoughtSignature``: Gemini 3 image models
    keep their context through it), and a new, empty user turn waits for the instruction."""
    if route is not Route.GEMINI:
        raise FormConflict("Editing an image is a Gemini native feature; switch to that route")
    if signature:
        image_part = {**image_part, "thoughtSignature": signature}
    out, seq = spelling.with_turns(route, body)
    seq.append({"role": "model", "parts": ([{"text": reply_text}] if reply_text else []) + [image_part]})
    seq.append({"role": "user", "parts": [{"text": ""}]})
    return out
