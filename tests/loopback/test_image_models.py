"""The emulator's image models over real sockets: what responseModalities and imageConfig give
back (plain and streamed), the model's draft as a thought image, the 400s for what a model does
not take, and the retired ID's 404."""

from __future__ import annotations

import base64
import io

import httpx2
import pytest
from PIL import Image

from comet import Call, Route
from comet.http.client import Client

FLASH_IMAGE, PRO_IMAGE = "gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview"


def _body(text: str = "a red kite", **gen) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}], **({"generationConfig": gen} if gen else {})}


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.size


@pytest.mark.parametrize("stream", [False, True])
def test_output_kinds_ratio_and_size_shape_the_answer(client, stream):
    both = client.send(Call(Route.GEMINI, FLASH_IMAGE, _body(
        responseModalities=["TEXT", "IMAGE"], imageConfig={"aspectRatio": "1:8", "imageSize": "4K"}), stream=stream))
    assert both.ok and both.text and len(both.reply.images) == 1 and len(both.reply.drafts) == 1
    assert _size(both.reply.images[0].data) == (4, 32)  # 1:8, the 4K stand-in's long side
    assert both.reply.drafts[0].data != both.reply.images[0].data
    image_only = client.send(Call(Route.GEMINI, PRO_IMAGE, _body(responseModalities=["IMAGE"]), stream=stream))
    assert image_only.ok and image_only.text == "" and len(image_only.reply.images) == 1
    text_only = client.send(Call(Route.GEMINI, PRO_IMAGE, _body(responseModalities=["TEXT"]), stream=stream))
    assert text_only.ok and text_only.text and not text_only.reply.images and not text_only.reply.drafts


def _raw(emulator, model: str, body: dict) -> httpx2.Response:
    return httpx2.post(f"{emulator.base_url}/v1beta/models/{model}:generateContent", json=body,
                       headers={"x-goog-api-key": "test-key"})


@pytest.mark.parametrize("model, gen, message", [
    (PRO_IMAGE, {"imageConfig": {"imageSize": "512"}}, "Unsupported image size: 512"),
    (PRO_IMAGE, {"imageConfig": {"aspectRatio": "1:8"}}, "Unsupported aspect ratio: 1:8"),
    ("gemini-2.5-flash", {"responseModalities": ["IMAGE"]}, "does not support the requested response modalities"),
    ("gemini-2.5-flash", {"imageConfig": {"aspectRatio": "1:1"}}, "Image config is not supported"),
])
def test_what_a_model_does_not_take_is_a_400(emulator, model, gen, message):
    """Sent around the client's own rules (raw HTTP): the emulator refuses as the service would."""
    r = _raw(emulator, model, _body(**gen))
    assert r.status_code == 400 and message in r.json()["error"]["message"]


def test_too_many_reference_images_is_a_400(emulator):
    buf = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buf, "PNG")
    part = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(buf.getvalue()).decode()}}
    body = _body()
    body["contents"][0]["parts"] += [part] * 15
    r = _raw(emulator, PRO_IMAGE, body)
    assert r.status_code == 400 and "at most 14 reference images" in r.json()["error"]["message"]


def test_the_retired_image_model_is_not_found(emulator, make_emulator):
    with Client(emulator.base_url, "test-key") as c:
        ex = c.send(Call(Route.GEMINI, "gemini-2.5-flash-image", _body()))
    assert ex.status == 404 and ex.error.kind == "not_found"
    assert "models/gemini-2.5-flash-image is not found for API version v1beta" in ex.error.message
    comet_envelope = make_emulator(ttft_ms=0, gemini_errors="comet")  # not the unknown model's 503
    r = _raw(comet_envelope, "gemini-2.5-flash-image", _body())
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"
    listed = httpx2.get(f"{emulator.base_url}/api/models").json()["data"]
    ids = {m["id"] for m in listed}
    assert {FLASH_IMAGE, PRO_IMAGE} <= ids and "gemini-2.5-flash-image" not in ids
