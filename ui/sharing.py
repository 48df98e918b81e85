"""Sharing a request and opening one: the share link (which History hands to the Playground), the
request file, and "Open in Playground". Never the key, never the reply."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import streamlit as st

from comet import Call

from . import editor
from .inert import inert


def open_in_playground(call: Call) -> None:
    draft_id = editor.open_call(call)  # attachments included
    st.switch_page("pages/playground.py", query_params={"draft": draft_id})


SHARE_PATH = "/history"  # the History page's URL; it hands a shared request to the Playground


def open_share_link() -> None:
    """If the URL carries ``?share=TOKEN``, open that request in the Playground (this ends the
    script run). A link that cannot be read is reported and ignored."""
    token = st.query_params.get("share")
    if not token:
        return
    from comet.tools import share

    del st.query_params["share"]
    try:
        call = share.decode(token)
    except Exception as exc:  # a truncated or tampered link: say so, open nothing
        st.error(inert(f"This share link cannot be opened: {exc}"))
        return
    open_in_playground(call)


def share_link(call: Call) -> str:
    """A link that reopens ``call`` (not the key, not the reply) in the Playground. It points
    at the History page, which opens it in the Playground, so the Playground needs no change."""
    from comet.tools import share

    token = share.encode(call)
    url = getattr(st.context, "url", None) or ""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return f"{origin}{SHARE_PATH}?share={token}"


def share_controls(call: Call, *, key: str) -> None:
    from comet.tools import share

    try:
        link = share_link(call)
    except share.ShareError as exc:  # too large for a link: the file is the way
        st.caption(inert(str(exc)))
    else:
        st.caption("A link that opens this request in the Playground (no key, no reply):")
        st.code(link, language=None, wrap_lines=True)
    st.download_button("Download request JSON", data=share.to_file(call), file_name="comet-request.json",
                       mime="application/json", key=f"{key}_file", on_click="ignore")


def upload_request() -> None:
    """Open a request file (from "Download request JSON") in the Playground."""
    uploaded = st.file_uploader("Open a request file", type=["json"], key="hist_upload",
                                help="a file saved with Download request JSON")
    if uploaded is None:
        return
    from comet.tools import share

    try:
        call = share.from_file(uploaded.getvalue())
    except Exception as exc:
        st.error(inert(f"This file is not a shared request: {exc}"))
        return
    st.caption(inert(f"{call.route.label} · {call.model}: {len(json.dumps(call.body)):,} characters of request"))
    if st.button("Open it in the Playground", key="hist_upload_open"):
        open_in_playground(call)
