"""The Run settings' **Image output** section: what an image model makes (text, an image, both),
its aspect ratio and size, limited to what the chosen model takes, and how many reference images
the prompt holds against the model's limit (the body edits live in
:mod:`comet.body.features.images`; the limits in :mod:`comet.core.capabilities`)."""

from __future__ import annotations

import streamlit as st

from comet.body.features import FormConflict, images, media
from comet.core.call import Attachment
from comet.core.capabilities import IMAGE, OUTPUTS, image_spec, known_text_model

from ..inert import inert
from . import echo
from .callbacks import current, edit
from .page import PLAYGROUND
from .sync import IMG_OUTPUT, IMG_RATIO, IMG_SIZE, sync_from_body

OUTPUT_LABELS = {None: "Model default", "text": "Text", "image": "Image", "both": "Text and image"}
_ALL_RATIOS = tuple(dict.fromkeys(r for spec in IMAGE.values() for r in spec["ratios"]))
_ALL_SIZES = tuple(dict.fromkeys(s for spec in IMAGE.values() for s in spec["sizes"]))
_WIDGET = {"output": IMG_OUTPUT, "aspect_ratio": IMG_RATIO, "image_size": IMG_SIZE}


def _on_change(name: str) -> None:
    echo.settle(PLAYGROUND)  # before reading any widget: see ui/editor/echo.py
    value = st.session_state[_WIDGET[name]]
    edit(lambda s: images.set(s.route, s.body, **{name: value}))


def _options(allowed: tuple[str, ...], key: str) -> list[str | None]:
    """The model's values, and the current one kept when the model does not take it (the rule then
    says so), so a model switch never changes the request behind the user's back."""
    current = st.session_state.get(key)
    return [None, *allowed, *([current] if current and current not in allowed else [])]


def section(state, disabled: bool) -> None:
    """The section on the Gemini route; on the OpenAI route, why there is none."""
    if state.route != "gemini":
        st.caption("Image output (responseModalities, imageConfig) is a Gemini native feature: the "
                   "OpenAI-compatible route has no equivalent.")
        return
    spec = image_spec(state.model)
    set_now = any(images.read(state.route, state.body).values())
    with st.expander("Image output", expanded=spec is not None or set_now):
        if spec is None and known_text_model(state.model) and not set_now:
            st.caption(inert(f"{state.model} makes text only: choose an image model "
                             f"({' or '.join(images.IMAGE_MODELS)}) to make images."))
            return
        if spec is None:
            st.caption(inert(f"{state.model or 'This model'}: image limits unknown; every value is offered."))
        else:
            st.caption(inert(f"{state.model}: aspect ratios {', '.join(spec.ratios)}; sizes "
                             f"{', '.join(spec.sizes) or 'none'}; up to {spec.references} reference images."))
        st.selectbox("Output", _options(spec.outputs if spec else tuple(OUTPUTS), IMG_OUTPUT), key=IMG_OUTPUT,
                     on_change=_on_change, args=("output",), disabled=disabled,
                     format_func=lambda v: OUTPUT_LABELS.get(v, v),
                     help="generationConfig.responseModalities: TEXT, IMAGE or both")
        st.selectbox("Aspect ratio", _options(spec.ratios if spec else _ALL_RATIOS, IMG_RATIO), key=IMG_RATIO,
                     on_change=_on_change, args=("aspect_ratio",), disabled=disabled,
                     format_func=lambda v: "Model default" if v is None else v,
                     help="generationConfig.imageConfig.aspectRatio")
        sizes = spec.sizes if spec else _ALL_SIZES
        if sizes or st.session_state.get(IMG_SIZE):
            st.selectbox("Image size", _options(sizes, IMG_SIZE), key=IMG_SIZE, on_change=_on_change,
                         args=("image_size",), disabled=disabled,
                         format_func=lambda v: "Model default" if v is None else v,
                         help="generationConfig.imageConfig.imageSize (up to 4K)")
        n = images.references(state.route, state.body)
        limit = f" of at most {spec.references}" if spec else ""
        st.caption(f"Reference images: {n}{limit} (attach them under Media, beside the prompt).")


EDIT_NOTE = "pg_edit_note"  # said where the reply was, after Edit this image, until the next Send
EDITED = "pg_edit_rerun"  # set by the click: the whole page reruns, so the editor shows the new turns


def edit_image(result_key: str, index: int) -> None:
    """**Edit this image**: the reply's image becomes an attachment named in the model's turn (with
    the reply's text), and a new, empty user turn waits for what to change."""
    from ..run.runner import forget

    state = current(PLAYGROUND)
    result = forget(result_key)
    if not result or state.json_error is not None:
        return
    exchange = result[0]
    image = exchange.reply.images[index]
    name = media.unique_name(f"reply-image-{index + 1}.{image.extension}", [a.name for a in state.attachments])
    attachment = Attachment(name, image.mime_type, image.data)
    try:
        body = images.edit_this(state.route, state.body, exchange.text, media.media_part(state.route, attachment),
                                image.signature)
    except FormConflict as err:
        st.session_state[EDIT_NOTE] = str(err)
        return
    state.attachments.append(attachment)
    before, state.body = state.body, body
    sync_from_body(PLAYGROUND, state, state.route, before)
    st.session_state[EDITED] = True
    st.session_state[EDIT_NOTE] = (f"Image {index + 1} is now the model's turn ({name}). Type what to change "
                                   "in the prompt, then Send.")
