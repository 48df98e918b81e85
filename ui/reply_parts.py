"""What a Gemini reply holds besides its text, drawn with it: images the model made (shown and
downloadable), code execution (the code and its outcome and output, in order with the text) and
URL context (each URL and its retrieval status)."""

from __future__ import annotations

import streamlit as st

from comet.core.exchange import CodeRun, Exchange, InlineImage

from .inert import inert, inert_rows

_OUTCOMES = {"OUTCOME_OK": "ran", "OUTCOME_FAILED": "failed", "OUTCOME_DEADLINE_EXCEEDED": "timed out"}


def has_parts(exchange: Exchange) -> bool:
    reply = exchange.reply
    return bool(reply and (reply.images or reply.code))


def show_in_order(exchange: Exchange, *, key: str, plain: bool = False) -> None:
    """The reply's text cut where each image or code run came, with them in between."""
    reply = exchange.reply
    text = exchange.text
    items = sorted([*reply.images, *reply.code], key=lambda item: item.at)
    start, images = 0, 0
    for item in items:
        _text(text[start:item.at], plain)
        start = max(start, item.at)
        if isinstance(item, InlineImage):
            images += 1
            _image(item, images, key)
        else:
            _code(item)
    _text(text[start:], plain)


def _text(piece: str, plain: bool) -> None:
    if piece.strip():
        st.text(piece) if plain else st.markdown(inert(piece))  # no image loads from elsewhere


def _image(image: InlineImage, number: int, key: str) -> None:
    label = f"Image {number} · {image.mime_type} · {len(image.data):,} bytes"
    if image.mime_type.startswith("image/"):
        st.image(image.data, caption=label)
    else:
        st.caption(label)
    st.download_button(f"Download image {number}", image.data, file_name=f"image-{number}.{image.extension}",
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
