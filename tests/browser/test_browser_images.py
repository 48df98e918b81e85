"""Making and editing an image in a real browser: choose an image model, set the output, aspect
ratio and size, attach a reference image, send, see the image in the gallery (the draft behind
its switch), press Edit this image and send the follow-up; and Count tokens where the service
does not offer :countTokens (the app's emulator switched off: an estimate marked est.).
``streamlit run app.py`` in demo mode, Playwright on Debian's chromium."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from browser_support import json_text, pick
from snippet_golden import CAT
from test_browser_playground import (History, button, expand, history_rows, open_app, pick_model, send_and_wait,
                                     type_prompt, wait_idle)

pytestmark = pytest.mark.app_env(COMET_EMULATOR_TTFT_MS="5", COMET_EMULATOR_CHUNK_MS="5",
                                 COMET_EMULATOR_COUNT_TOKENS="off")
IMAGE_MODEL = "gemini-3.1-flash-image-preview"


def _reply_images(page):
    return page.locator(".st-key-pg_answer [data-testid=stImage] img")


def _sent(server) -> dict:
    """The request body of the last recorded run."""
    [last, *_] = history_rows(server.history)
    return History(str(server.history)).get(last["id"])["request"]


def test_make_an_image_then_edit_it(page, server, tmp_path):
    page.route(lambda url: urlsplit(url).hostname not in ("127.0.0.1", "localhost"), lambda route: route.abort())
    reference = tmp_path / "cat.png"
    reference.write_bytes(CAT.data)
    open_app(page, server.url)
    pick_model(page, IMAGE_MODEL)
    pick(page, "Output", "Text and image")
    pick(page, "Aspect ratio", "16:9")
    pick(page, "Image size", "2K")
    expand(page, "Media")  # its controls are drawn once it is open
    page.locator(".st-key-pg_upload_0 input[type=file]").set_input_files(str(reference))
    page.get_by_text("in the request as <attachment:cat.png>").wait_for()
    page.get_by_text("Reference images: 1 of at most 14").wait_for()
    type_prompt(page, "A lighthouse in the style of this cat")
    page.get_by_role("tab", name="JSON").click()
    asked = json.loads(json_text(page, "imageConfig"))
    assert asked["generationConfig"] == {"responseModalities": ["TEXT", "IMAGE"],
                                         "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"}}
    page.get_by_role("tab", name="Form").click()

    shown = send_and_wait(page, server)
    assert "Image 1 · image/png" in shown and "Download image 1" in shown
    assert _reply_images(page).count() == 1  # the final image; the draft stays hidden
    _reply_images(page).first.wait_for(state="visible")
    assert _sent(server)["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9", "imageSize": "2K"}
    page.get_by_text("Show the model's drafts (1)").click()
    page.get_by_text("Draft 1 · image/png").wait_for()
    assert _reply_images(page).count() == 2

    button(page, "pg_reply_edit_1").click()
    page.get_by_text("Type what to change in the prompt, then Send").wait_for()
    wait_idle(page)
    type_prompt(page, "Make the sky purple")
    send_and_wait(page, server)
    turns = _sent(server)["contents"]
    assert turns[-1] == {"role": "user", "parts": [{"text": "Make the sky purple"}]}
    assert turns[-2]["role"] == "model"
    assert turns[-2]["parts"][-1]["inlineData"]["data"] == "<attachment:reply-image-1.png>"
    assert turns[-2]["parts"][-1]["thoughtSignature"]  # the image's signature goes back with it
    assert _reply_images(page).count() == 1  # the edited image's reply, in the gallery


def test_count_tokens_not_offered_shows_an_estimate(page, server):
    open_app(page, server.url)
    type_prompt(page, "one two three")
    button(page, "pg_count").click()
    said = page.get_by_text("countTokens is not offered by this service")
    said.wait_for()
    assert "≈ 4 input tokens est." in said.inner_text()
