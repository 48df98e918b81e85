"""Share a request: a link token, or a JSON file for requests too big for a link.

    >>> call = Call(Route.GEMINI, "gemini-2.5-flash", {"contents": [{"parts": [{"text": "hi"}]}]})
    >>> token = encode(call)            # URL-safe: ...?share=<token>
    >>> decode(token) == call
    True
    >>> from_file(to_file(call)) == call
    True

What is shared is the :class:`~comet.core.call.Call`: route, model, stream switch, body and
attachments. Never a key (a Call holds none, and any key configured here is blanked anyway)
and never a reply. A token is ``1`` (the format version) followed by the base64url (unpadded)
of the zlib-compressed compact JSON ``{route, model, stream, body[, attachments]}``. Links
stay under :data:`LINK_LIMIT` characters so that every browser and proxy takes them.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

from comet.core import limits
from comet.core.call import Attachment, Call, Route
from comet.core.errors import CometError, RequestError
from comet.http.redact import known_secrets, scrub

LINK_LIMIT = 6_000  # characters in a token; URLs up to ~8 KB pass browsers, proxies and servers
FILE_LIMIT = 30 * 1024 * 1024  # bytes in a file: 20 MB of inline media, as base64, plus the body
VERSION = "1"
FILE_MARKER = "comet_playground_request"


class ShareError(CometError):
    """A share link or file that cannot be made or read; the message says why and what to do."""

    kind = "bad_input"


def _payload(call: Call) -> dict[str, Any]:
    found = limits.model_problems(call.route, call.model) + limits.problems(call.body, call.route)
    if found:  # a lone surrogate, NaN or a huge number cannot go into a link or a file
        raise RequestError(found)
    payload: dict[str, Any] = {"route": call.route.value, "model": call.model, "stream": call.stream,
                               "body": scrub(call.body, known_secrets(), patterns=False)}
    if call.attachments:
        payload["attachments"] = [{"name": a.name, "mime_type": a.mime_type, "data": a.base64()}
                                  for a in call.attachments]
    return payload


def _call(payload: Any, what: str) -> Call:
    if not isinstance(payload, dict):
        raise ShareError(f"the {what} does not hold a request")
    try:
        route = Route.parse(payload.get("route", ""))
    except ValueError:
        raise ShareError(f"the {what} names no known route ({payload.get('route')!r})") from None
    model, stream, body = payload.get("model", ""), payload.get("stream", False), payload.get("body")
    if not isinstance(model, str) or not isinstance(stream, bool) or not isinstance(body, dict):
        raise ShareError(f"the {what} is damaged: model, stream or body has the wrong type")
    found = limits.model_problems(route, model) + limits.problems(body, route)
    if found:
        raise RequestError(found)
    attachments = []
    for item in payload.get("attachments") or []:
        try:
            attachments.append(Attachment(str(item["name"]), str(item["mime_type"]),
                                          base64.b64decode(item["data"], validate=True)))
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise ShareError(f"the {what} has a damaged attachment") from None
    return Call.from_body(route, body, model=model, stream=stream, attachments=tuple(attachments))


def encode(call: Call) -> str:
    """A compact, URL-safe token for ``call``; :class:`ShareError` when it would exceed
    :data:`LINK_LIMIT` characters (share it as a file instead)."""
    data = json.dumps(_payload(call), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    token = VERSION + base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")
    if len(token) > LINK_LIMIT:
        raise ShareError(f"this request is too large for a link ({len(token):,} characters; the limit is "
                         f"{LINK_LIMIT:,}): download it as a file and share that instead")
    return token


def decode(token: str) -> Call:
    """The Call in a token (or in a whole link holding ``share=<token>``)."""
    text = (token or "").strip()
    if "share=" in text:
        text = (parse_qs(urlsplit(text).query).get("share") or [""])[0].strip()
    if not text:
        raise ShareError("the share link holds no request")
    if len(text) > LINK_LIMIT * 2:
        raise ShareError(f"the share token is too long ({len(text):,} characters): links hold at most "
                         f"{LINK_LIMIT:,}; open large requests from a file")
    if text[0] != VERSION:
        raise ShareError("the share link was made by another version of Comet Playground, or is damaged")
    try:
        packed = base64.urlsafe_b64decode(text[1:] + "=" * (-len(text[1:]) % 4))
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, FILE_LIMIT)
        if inflater.unconsumed_tail:
            raise ShareError("the share token unpacks to more than a request can hold")
        if not inflater.eof:
            raise zlib.error("truncated")
        payload = limits.loads(data.decode("utf-8"))
    except (ShareError, RequestError):
        raise
    except (binascii.Error, ValueError, zlib.error):
        raise ShareError("the share link is damaged or cut short: copy the whole link again") from None
    return _call(payload, "share link")


def to_file(call: Call) -> bytes:
    """The request as a readable JSON file (for requests too large for a link)."""
    return (json.dumps({FILE_MARKER: 1, **_payload(call)}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def from_file(data: bytes | str) -> Call:
    """The Call in a shared file. A bare request body is accepted too (its route is detected)."""
    if len(data) > FILE_LIMIT:
        raise ShareError(f"the file is too large ({len(data):,} bytes; the limit is {FILE_LIMIT:,})")
    try:
        payload = limits.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except UnicodeDecodeError:
        raise ShareError("the file is not valid JSON (it is not UTF-8 text)") from None
    except RequestError as exc:  # beyond the limits: the problem names where and the fix
        first = exc.problems[0]
        if first.message.startswith("invalid JSON"):
            raise ShareError(f"the file is not valid JSON (line {first.line}, column {first.column})") from None
        raise
    if isinstance(payload, dict) and FILE_MARKER not in payload and "body" not in payload:
        from comet.body.convert import detect_route  # a bare body, e.g. saved from the JSON tab

        route = detect_route(payload)
        if route is None:
            raise ShareError("the file holds neither a shared request nor a Gemini or OpenAI body")
        model = payload.get("model", "") if route is Route.OPENAI else ""
        payload = {"route": route.value, "model": model if isinstance(model, str) else "",
                   "stream": payload.get("stream") is True, "body": payload}
    return _call(payload, "file")
