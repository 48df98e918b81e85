"""Media: files attached inline (held beside the body, named by a placeholder token) and
public file URLs, on the prompt turn.

Which types may be attached and the inline limit are :mod:`comet.core.capabilities`'; the sizes
of the files held are checked with the rest of a call in :mod:`comet.body.validate`.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import mimetypes
import re
from collections.abc import Mapping  # isinstance against it is much cheaper than typing.Mapping
from typing import Any

from comet.body import spelling
from comet.body.spelling import FormConflict
from comet.core.call import Attachment, Route
from comet.core.capabilities import INLINE_LIMIT, OPENAI_AUDIO, OPENAI_MEDIA
from comet.core.errors import Problem

KINDS = {"image/png": "PNG image", "image/jpeg": "JPEG image", "image/webp": "WebP image",
         "image/gif": "GIF image", "application/pdf": "PDF", "audio/wav": "WAV audio", "audio/mp3": "MP3 audio",
         "audio/aiff": "AIFF audio", "audio/aac": "AAC audio", "audio/ogg": "Ogg audio", "audio/flac": "FLAC audio",
         "video/mp4": "MP4 video", "video/mpeg": "MPEG video", "video/mov": "QuickTime video",
         "video/webm": "WebM video", "text/plain": "plain text"}
_SUPPORTED = "an image (PNG, JPEG, WebP, GIF), a PDF, audio (WAV, MP3, AIFF, AAC, Ogg, FLAC), video (MP4, MPEG, MOV, WebM) or plain text"


def sniff(data: bytes) -> str | None:
    """The media type the bytes themselves say (magic numbers), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.lstrip()[:5] == b"%PDF-":
        return "application/pdf"
    return _sniff_av(data)


def _sniff_av(data: bytes) -> str | None:
    """Audio and video by their magic numbers (WAV, AIFF, Ogg, FLAC, MP3, AAC, MP4/MOV, WebM, MPEG)."""
    head = data[:12]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "audio/aiff"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:3] == b"ID3" or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mp3"
    if head[:2] in (b"\xff\xf1", b"\xff\xf9"):
        return "audio/aac"  # ADTS frames
    if head[4:8] == b"ftyp":
        return "video/mov" if head[8:12] == b"qt  " else "video/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "video/mpeg"
    return None


def _plain_text(name: str, data: bytes, declared: str | None) -> bool:
    """A .txt file (or one declared text/plain) whose bytes are UTF-8 text."""
    if declared != "text/plain" and not name.lower().endswith(".txt"):
        return False
    try:
        return "\x00" not in data.decode("utf-8")
    except UnicodeDecodeError:
        return False


def inline_size(attachments: Any) -> int:
    """Bytes the attachments take on the wire (base64)."""
    return sum(4 * ((len(a.data) + 2) // 3) for a in attachments)


def check_upload(name: str, data: bytes, declared: str | None, held: Any = ()) -> tuple[str | None, str | None]:
    """(media type, None) for a file that may be attached, or (None, why not): a type other
    than PNG, JPEG, WebP, GIF or PDF (by content, whatever the name says), or inline data
    that would pass 20 MB in all (issue 6)."""
    mime = sniff(data) or ("text/plain" if _plain_text(name, data, declared) else None)
    if mime is None:
        shown = declared or mimetypes.guess_type(name)[0] or "an unknown type"
        return None, f"{name} is {shown}, not a supported file: attach {_SUPPORTED}"
    total = inline_size(held) + 4 * ((len(data) + 2) // 3)
    if total > INLINE_LIMIT:
        return None, (f"{name} ({len(data) / 1e6:.1f} MB) would bring inline media to "
                      f"{total / 1e6:.1f} MB once encoded, over the 20 MB limit: attach a smaller "
                      "file, or give a public file URL (fileData) instead")
    broken = image_problem(data, mime)
    if broken:
        return None, (f"{name} starts like a {KINDS[mime]} but cannot be read as one ({broken}): "
                      "export or save the image again and attach that file")
    return mime, None


@functools.lru_cache(maxsize=32)  # the page asks on every rerun; bytes hash once per object
def image_problem(data: bytes, mime: str) -> str | None:
    """Why image bytes do not decode (a PNG signature followed by garbage), or None when they
    do or are not an image. Decoding needs Pillow (Streamlit's own dependency); without it
    nothing is claimed."""
    if not mime.startswith("image/"):
        return None
    try:
        from PIL import Image  # local: only uploads and previews need it
    except ImportError:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Exception as exc:  # noqa: BLE001 - a decoder fails on garbage in many ways
        said = re.sub(r"\s*<[^<>]*>", "", str(exc)).strip().rstrip(".")  # no object addresses
        return said[:120] or type(exc).__name__
    return None


def unique_name(name: str, taken: Any) -> str:
    """``name``, or ``stem-2.ext`` ... when another attachment has that name. Characters that
    would end a placeholder token (< and >) are replaced."""
    name = re.sub(r"[<>\s]+", "_", name.strip()) or "file"
    taken = frozenset(taken)
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, "." + ext) if dot else (name, "")
    n = 2
    while f"{stem}-{n}{ext}" in taken:
        n += 1
    return f"{stem}-{n}{ext}"


def media_part(route: Route, attachment: Attachment) -> dict[str, Any]:
    """The part that names an attachment: ``inlineData`` on Gemini; an ``image_url`` data URL
    or a ``file`` part (PDF) on the OpenAI route. The data is the placeholder token."""
    if route is Route.GEMINI:
        return {"inlineData": {"mimeType": attachment.mime_type, "data": attachment.token}}
    if attachment.mime_type in OPENAI_AUDIO:
        return {"type": "input_audio", "input_audio": {"data": attachment.token,
                                                       "format": OPENAI_AUDIO[attachment.mime_type]}}
    if attachment.mime_type not in OPENAI_MEDIA:
        raise FormConflict(f"Chat Completions takes images, PDFs and WAV or MP3 audio, not "
                           f"{KINDS.get(attachment.mime_type, attachment.mime_type)}: use the Gemini native route")
    url = f"data:{attachment.mime_type};base64,{attachment.token}"
    if attachment.mime_type == "application/pdf":
        return {"type": "file", "file": {"filename": attachment.name, "file_data": url}}
    return {"type": "image_url", "image_url": {"url": url}}


def url_part(route: Route, url: str, mime: str | None = None) -> dict[str, Any]:
    """A public file by URL: ``fileData`` on Gemini, an ``image_url`` on the OpenAI route
    (which fetches only images by URL)."""
    url = url.strip()
    if not re.match(r"https?://[^\s/]+", url):
        raise FormConflict("give a public http(s) URL")
    mime = mime or mimetypes.guess_type(url.split("?", 1)[0])[0]
    if route is Route.GEMINI:
        if not mime:
            raise FormConflict("the URL does not say the file's type: pick it")
        return {"fileData": {"mimeType": mime, "fileUri": url}}
    if mime and not mime.startswith("image/"):
        raise FormConflict(f"the OpenAI-compatible route fetches only images by URL, not {mime}: "
                           "upload the file, or use the Gemini native route")
    return {"type": "image_url", "image_url": {"url": url}}


def attach(route: Route, body: Mapping[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Append ``part`` to the prompt (the last user turn; a new user turn if there is none)."""
    out, seq = spelling.with_turns(route, body)
    turn = spelling.last_user_turn(route, out)
    if turn is None:
        seq.append({"role": "user", "parts": [part]} if route is Route.GEMINI
                   else {"role": "user", "content": [part]})
        return out
    if route is Route.GEMINI:
        if not isinstance(turn.get("parts"), list):
            raise FormConflict("the last user turn's `parts` is not a list; fix it in the JSON tab")
        turn["parts"].append(part)
    else:
        content = turn.get("content")
        if isinstance(content, str) or content is None:
            turn["content"] = ([{"type": "text", "text": content}] if content else []) + [part]
        elif isinstance(content, list):
            content.append(part)
        else:
            raise FormConflict("the last user message's `content` is neither text nor a list; fix it in the JSON tab")
    return out


def detach(route: Route, body: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Remove every part that names attachment ``name``; a turn left without parts goes too,
    and an OpenAI content list left with only text becomes a string again."""
    token = f"<attachment:{name}>"
    out = copy.deepcopy(dict(body))
    seq = out.get(spelling.turns_key(route))
    if not isinstance(seq, list):
        return out
    for turn in list(seq):
        if not isinstance(turn, dict):
            continue
        key = "parts" if route is Route.GEMINI else "content"
        parts = turn.get(key)
        if not isinstance(parts, list):
            continue
        kept = [p for p in parts if token not in json.dumps(p, ensure_ascii=False)]
        if len(kept) == len(parts):
            continue
        if not kept and route is Route.GEMINI:
            seq.remove(turn)
        elif route is Route.OPENAI and all(isinstance(p, dict) and p.get("type") == "text" for p in kept) \
                and len(kept) <= 1:
            turn["content"] = kept[0]["text"] if kept else ""
        else:
            turn[key] = kept
    return out


def urls(route: Route, body: Mapping[str, Any]) -> list[str]:
    """Public file URLs the prompt turn refers to (fileData, or image_url not a data URL)."""
    turn = spelling.last_user_turn(route, body)
    found = []
    parts = (turn or {}).get("parts" if route is Route.GEMINI else "content")
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, Mapping):
            continue
        ref = spelling.get(part, "fileData")
        if isinstance(ref, Mapping) and isinstance(spelling.get(ref, "fileUri"), str):
            found.append(spelling.get(ref, "fileUri"))
        image = part.get("image_url") if part.get("type") == "image_url" else None
        if isinstance(image, Mapping) and isinstance(image.get("url"), str) and not image["url"].startswith("data:"):
            found.append(image["url"])
    return found


def remove_url(route: Route, body: Mapping[str, Any], url: str) -> dict[str, Any]:
    out = copy.deepcopy(dict(body))
    turn = spelling.last_user_turn(route, out)
    if turn is None:
        return out
    key = "parts" if route is Route.GEMINI else "content"
    if isinstance(turn.get(key), list):
        turn[key] = [p for p in turn[key] if not (isinstance(p, Mapping) and url in (
            spelling.get(spelling.get(p, "fileData"), "fileUri"), (p.get("image_url") or {}).get("url")
            if isinstance(p.get("image_url"), Mapping) else None))]
        if route is Route.OPENAI and all(isinstance(p, dict) and p.get("type") == "text" for p in turn[key]) \
                and len(turn[key]) <= 1:
            turn[key] = turn[key][0]["text"] if turn[key] else ""
    return out


read = urls
set = attach  # noqa: A001  (the feature's setter, as in every feature module)


def problems(route: Route, model: str, body: Mapping[str, Any]) -> list[Problem]:
    """Nothing beyond the files themselves, which :func:`comet.body.validate.problems` checks."""
    return []
