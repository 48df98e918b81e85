"""Image output as pure functions: the capability table, the feature's read/set/rules, the route
switch's report, and the token estimate used where :countTokens is not offered."""

from __future__ import annotations

import math
import struct

import pytest

from comet.body import features, rules
from comet.body.convert import convert
from comet.body.features import FormConflict, images
from comet.core.call import Attachment, Call, Route
from comet.core.capabilities import image_spec, known_text_model, retired
from comet.runs import tokens

FLASH_IMAGE, PRO_IMAGE = "gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview"
PROMPT = {"contents": [{"role": "user", "parts": [{"text": "a red kite"}]}]}
PNG = Attachment("ref.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)


def test_the_capability_table():
    flash, pro = image_spec(FLASH_IMAGE), image_spec(PRO_IMAGE)
    assert {"1:4", "4:1", "1:8", "8:1"} <= set(flash.ratios) and len(flash.ratios) == 14
    assert flash.sizes == ("512", "1K", "2K", "4K") and pro.sizes == ("1K", "2K", "4K")
    assert flash.references == pro.references == 14 and flash.drafts
    assert image_spec("models/" + PRO_IMAGE) == pro and image_spec("gemini-2.5-flash") is None
    assert known_text_model("gemini-2.5-flash") and not known_text_model(FLASH_IMAGE)
    assert not known_text_model("my-own-model")  # unknown IDs are not judged
    assert retired("gemini-2.5-flash-image") == ("2026-10-02", FLASH_IMAGE)


def test_set_and_read_touch_only_their_fields():
    body = {**PROMPT, "generationConfig": {"temperature": 0.5}}
    out = images.set(Route.GEMINI, body, output="image", aspect_ratio="21:9", image_size="4K")
    assert out["generationConfig"] == {"temperature": 0.5, "responseModalities": ["IMAGE"],
                                       "imageConfig": {"aspectRatio": "21:9", "imageSize": "4K"}}
    assert images.read(Route.GEMINI, out) == {"output": "image", "aspect_ratio": "21:9", "image_size": "4K"}
    back = images.set(Route.GEMINI, out, output=None, aspect_ratio=None, image_size=None)
    assert back == body  # cleared: the keys and the emptied imageConfig go
    assert images.set(Route.GEMINI, PROMPT, output="both") == {
        **PROMPT, "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]}}
    snake = {**PROMPT, "generation_config": {"response_modalities": ["text", "image"]}}
    assert images.read(Route.GEMINI, snake)["output"] == "both"  # either spelling, either case
    assert "image_config" in images.set(Route.GEMINI, snake, aspect_ratio="1:1")["generation_config"]
    with pytest.raises(FormConflict, match="Gemini native feature"):
        images.set(Route.OPENAI, {"messages": []}, output="image")
    with pytest.raises(FormConflict, match="generationConfig"):
        images.set(Route.GEMINI, {**PROMPT, "generationConfig": [1]}, output="image")


def _paths(model: str, body: dict, attachments=()) -> list[str]:
    return [p.path for p in rules.problems(Call(Route.GEMINI, model, body, attachments=attachments))]


def test_the_rules_hold_each_model_to_what_it_takes():
    asked = images.set(Route.GEMINI, PROMPT, output="both", aspect_ratio="8:1", image_size="512")
    assert _paths(FLASH_IMAGE, asked) == []
    assert _paths(PRO_IMAGE, asked) == ["$.generationConfig.imageConfig.aspectRatio",
                                        "$.generationConfig.imageConfig.imageSize"]
    [text_model] = rules.problems(Call(Route.GEMINI, "gemini-2.5-flash", asked))
    assert text_model.path == "$.generationConfig.responseModalities" and "makes no images" in text_model.message
    assert FLASH_IMAGE in text_model.fix
    assert _paths("some-unknown-model", asked) == []  # not judged
    many = PROMPT
    for _ in range(15):
        many = features.attach(Route.GEMINI, many, features.media_part(Route.GEMINI, PNG))
    assert images.references(Route.GEMINI, many) == 15
    assert _paths(PRO_IMAGE, many, (PNG,)) == ["$.contents[-1].parts"]


def test_edit_this_puts_the_image_in_the_models_turn():
    part = features.media_part(Route.GEMINI, PNG)
    out = images.edit_this(Route.GEMINI, PROMPT, "Here it is.", part)
    assert out["contents"][1:] == [{"role": "model", "parts": [{"text": "Here it is."}, part]},
                                   {"role": "user", "parts": [{"text": ""}]}]
    assert images.references(Route.GEMINI, out) == 0  # the model's image is not a reference
    signed = images.edit_this(Route.GEMINI, PROMPT, "", part, "c2lnbmVk")
    assert signed["contents"][1] == {"role": "model", "parts": [{**part, "thoughtSignature": "c2lnbmVk"}]}
    with pytest.raises(FormConflict):
        images.edit_this(Route.OPENAI, {"messages": []}, "", part)


def test_the_route_switch_says_chat_completions_has_no_equivalent():
    body = images.set(Route.GEMINI, PROMPT, output="both", aspect_ratio="16:9")
    result = convert(body, Route.OPENAI, model=FLASH_IMAGE)
    dropped = {r.field: r.note for r in result.report if r.status == "dropped"}
    assert any("responseModalities" in f for f in dropped) and any("imageConfig" in f for f in dropped)


def _wav(seconds: float, rate: int = 8000) -> bytes:
    frames = int(seconds * rate)
    header = b"RIFF" + struct.pack("<I", 36 + frames) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, rate, rate, 1, 8) + b"data" + struct.pack("<I", frames)
    return header + b"\x80" * frames


def test_the_estimate_counts_text_and_media_at_their_documented_cost():
    text = Call(Route.GEMINI, "m", {"contents": [{"parts": [{"text": "x" * 41}]}],
                                   "systemInstruction": {"parts": [{"text": "y" * 8}]}})
    assert tokens.estimate(text) == math.ceil(49 / 4)
    with_image = Call(Route.GEMINI, "m", features.attach(Route.GEMINI, text.body,
                                                         features.media_part(Route.GEMINI, PNG)),
                      attachments=(PNG,))
    assert tokens.estimate(with_image) == math.ceil(49 / 4) + 258  # the placeholder is not text
    assert tokens.media_tokens("audio/wav", _wav(2.0)) == 64  # 32 a second, from the WAV header
    pdf = b"%PDF-1.4 /Type /Pages /Type /Page /Type /Page /Type /Page"
    assert tokens.media_tokens("application/pdf", pdf) == 3 * 258
    assert tokens.media_tokens("video/mp4", b"\x00" * 250_000) == 263
    assert tokens.TokenCount(1234, True).label == "1,234 est." and tokens.TokenCount(5).label == "5"
