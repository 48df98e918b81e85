"""Making images in the Playground (AppTest): choose an image model, set the output, aspect
ratio and size (limited to what the model takes), attach a reference image, send; the final
image in the gallery with its download, the model's draft behind its switch; Edit this image
sends the image back as the model's turn with a new instruction. On the OpenAI route the
section says there is no equivalent."""

from __future__ import annotations

import base64
import io

from app_support import body, no_exception as ok, open_sections, start_on, texts
from PIL import Image
from snippet_golden import CAT

IMAGE_MODEL = "gemini-3.1-flash-image-preview"
PRO_IMAGE = "gemini-3-pro-image-preview"


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.size


def _posts(emulator) -> list:
    return [r for r in emulator.received if r.method == "POST"]


def _reply_images(at) -> list[str]:
    """The captions of the reply's images (the attachment's preview is an image too)."""
    return [i.captions[0] for i in at.get("image") if i.captions[0].startswith(("Image", "Draft"))]


def _prompt(at, text: str):
    return ok(at.text_area(key="pg_f_prompt").set_value(text).run())


def test_make_an_image_then_edit_it(emulator, monkeypatch):
    at = start_on(emulator, monkeypatch)
    ok(at.selectbox(key="pg_model").set_value(IMAGE_MODEL).run())
    # only what this model takes is offered: 14 ratios (1:8 among them), sizes 512 to 4K
    assert "1:8" in at.selectbox(key="pg_img_ratio").options
    assert at.selectbox(key="pg_img_size").options == ["Model default", "512", "1K", "2K", "4K"]
    ok(at.selectbox(key="pg_img_output").set_value("both").run())
    ok(at.selectbox(key="pg_img_ratio").set_value("16:9").run())
    ok(at.selectbox(key="pg_img_size").set_value("2K").run())
    _prompt(at, "A lighthouse in the style of this cat")
    ok(open_sections(at, "pg_open_media"))
    ok(at.file_uploader[0].set_value(("cat.png", CAT.data, "image/png")).run())
    sent_body = body(at)
    assert sent_body["generationConfig"] == {"responseModalities": ["TEXT", "IMAGE"],
                                             "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"}}
    assert sent_body["contents"][-1]["parts"][-1] == {"inlineData": {"mimeType": "image/png",
                                                                     "data": "<attachment:cat.png>"}}
    assert "Reference images: 1 of at most 14" in texts(at, "caption")
    emulator.clear()
    ok(at.button(key="pg_send").click().run())
    [post] = _posts(emulator)
    assert post.json["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9", "imageSize": "2K"}
    assert post.json["contents"][-1]["parts"][-1]["inlineData"]["data"] == base64.b64encode(CAT.data).decode()
    exchange = at.session_state["runs_results"]["pg_result"].value[0]
    [image], [draft] = exchange.reply.images, exchange.reply.drafts
    assert _size(image.data) == (24, 14)  # 16:9 at the emulator's 2K stand-in size
    # the gallery shows the final image with its download; the draft only behind the switch
    assert _reply_images(at) == [f"Image 1 · image/png · {len(image.data):,} bytes"]
    assert "Download image 1" in [d.proto.label for d in at.get("download_button")]
    drafts = at.toggle(key="pg_reply_drafts")
    assert drafts.label == "Show the model's drafts (1)" and not drafts.value
    ok(drafts.set_value(True).run())
    assert _reply_images(at) == [f"Image 1 · image/png · {len(image.data):,} bytes",
                                 f"Draft 1 · image/png · {len(draft.data):,} bytes"]
    # Edit this image: the image goes back as the model's turn; a new instruction is asked for
    ok(at.button(key="pg_reply_edit_1").click().run())
    edited = body(at)
    model_turn, new_turn = edited["contents"][-2:]
    assert image.signature  # Gemini 3 image models sign their parts; the signature goes back with the image
    assert model_turn["role"] == "model" and model_turn["parts"][-1] == {
        "inlineData": {"mimeType": "image/png", "data": "<attachment:reply-image-1.png>"},
        "thoughtSignature": image.signature}
    assert new_turn == {"role": "user", "parts": [{"text": ""}]}
    assert "Type what to change in the prompt, then Send" in texts(at, "info")
    _prompt(at, "Make the sky purple")
    emulator.clear()
    ok(at.button(key="pg_send").click().run())
    [follow_up] = _posts(emulator)
    sent_turns = follow_up.json["contents"]
    assert sent_turns[-1] == {"role": "user", "parts": [{"text": "Make the sky purple"}]}
    assert sent_turns[-2]["parts"][-1]["inlineData"]["data"] == base64.b64encode(image.data).decode()
    second = at.session_state["runs_results"]["pg_result"].value[0]
    assert second.error is None and len(second.reply.images) == 1


def test_the_form_holds_to_the_models_limits(emulator, monkeypatch):
    at = start_on(emulator, monkeypatch)
    ok(at.selectbox(key="pg_model").set_value(IMAGE_MODEL).run())
    ok(at.selectbox(key="pg_img_size").set_value("512").run())
    ok(at.selectbox(key="pg_model").set_value(PRO_IMAGE).run())  # 512 is 3.1 Flash Image's only
    assert body(at)["generationConfig"]["imageConfig"] == {"imageSize": "512"}  # kept, never dropped
    warned = texts(at, "warning")
    assert "imageSize" in warned and "use one of 1K, 2K, 4K" in warned
    assert at.button(key="pg_send").disabled
    ok(at.selectbox(key="pg_img_size").set_value("4K").run())
    assert not at.button(key="pg_send").disabled
    ok(at.selectbox(key="pg_model").set_value("gemini-2.5-flash").run())  # a text model: no images
    assert "gemini-2.5-flash makes no images" in texts(at, "warning")


def test_the_openai_route_says_there_is_no_equivalent(emulator, monkeypatch):
    at = start_on(emulator, monkeypatch)
    ok(at.radio(key="pg_route").set_value("openai").run())
    assert "the OpenAI-compatible route has no equivalent" in texts(at, "caption")
