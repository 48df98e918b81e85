"""What a Gemini reply holds besides its text, drawn with it: images the model made (a gallery,
each downloadable; its drafts, thought images, behind a switch), code execution (the code and its outcome and output, in order with the text) and
URL context (each URL and its retrieval status)."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from comet.core.exchange import CodeRun, Exchange, InlineImage

from .inert import inert, inert_rows

GALLERY_COLUMNS = 3
_OUTCOMES = {"OUTCOME_OK": "ran", "OUTCOME_FAILED": "failed", "OUTCOME_DEADLINE_EXCEEDED": "timed out"}


def has_parts(exchange: Exchange) -> bool:
    reply = exchange.reply
    return bool(reply and (reply.images or reply.drafts or reply.code))


def show_in_order(exchange: Exchange, *, key: str, plain: bool = False,
                  on_edit: Callable[[int], None] | None = None) -> None:
    """The reply's text cut where each code run came, with them in between; then the images the
    model made as a gallery (each with its download, and **Edit this image** where ``on_edit``
    is given: called with the image's index), and its drafts behind a switch."""
    reply = exchange.reply
    text = exchange.text
    start = 0
    for run in sorted(reply.code, key=lambda item: item.at):
        _text(text[start:run.at], plain)
        start = max(start, run.at)
        _code(run)
    _text(text[start:], plain)
    gallery(reply.images, key=key, on_edit=on_edit)
    if reply.drafts and st.toggle(f"Show the model's drafts ({len(reply.drafts)})", key=f"{key}_drafts",
                                  help="thought images (thought: true): what the model drew on its way to "
                                       "the answer, not the answer"):
        gallery(reply.drafts, key=f"{key}_draft", label="Draft")


def gallery(images: tuple[InlineImage, ...], *, key: str, label: str = "Image",
            on_edit: Callable[[int], None] | None = None) -> None:
    """Images side by side (three to a row), each with its caption and download."""
    for row in range(0, len(images), GALLERY_COLUMNS):
        cols = st.columns(GALLERY_COLUMNS)
        for i, image in enumerate(images[row:row + GALLERY_COLUMNS], row):
            with cols[i - row]:
                _image(image, i + 1, key, label)
                if on_edit is not None and image.mime_type.startswith("image/"):
                    st.button("Edit this image", key=f"{key}_edit_{i + 1}", on_click=on_edit, args=(i,),
                              help="sends this image back as the model's turn and opens a new turn for "
                                   "what to change", width="stretch")


def _text(piece: str, plain: bool) -> None:
    if piece.strip():
        st.text(piece) if plain else st.markdown(inert(piece))  # no image loads from elsewhere


def _image(image: InlineImage, number: int, key: str, label: str = "Image") -> None:
    caption = f"{label} {number} · {image.mime_type} · {len(image.data):,} bytes"
    if image.mime_type.startswith("image/"):
        st.image(image.data, caption=caption)
    else:
        st.caption(caption)
    st.download_button(f"Download {label.lower()} {number}", image.data,
                       file_name=f"{label.lower()}-{number}.{image.extension}",
                       mime=image.mime_type, key=f"{key}_image_{number}")


def _code(run: CodeRun) -> None:
    st.caption(inert(f"Code execution ({run.language.lower() or 'code'})"))
    if run.code:
        st.code(run.code, language=run.language.lower() or None)
    if run.outcome is not None:
        what = _OUTCOMES.get(run.outcome, run.outcome)
        st.caption(inert(f"Outcome: {what} ({run.outcome})" + ("; output:" if run.output else ", no output")))
        if run.output:
            st.code(run.output, language="text")


def show_url_context(exchange: Exchange) -> None:
    reply = exchange.reply
    rows = [{"URL": str(u.get("retrievedUrl") or u.get("retrieved_url") or ""),
             "Retrieval": str(u.get("urlRetrievalStatus") or u.get("url_retrieval_status") or "")
             .removeprefix("URL_RETRIEVAL_STATUS_").lower()}
            for u in (reply.url_context if reply else ()) if isinstance(u, dict)]
    if rows:
        st.markdown("**URL context** (the pages the model read)")
        st.table(inert_rows(rows))  # table cells are markdown: the service's URLs
