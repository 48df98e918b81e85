"""Input tokens before sending: Gemini's ``:countTokens`` where the service offers it, else an
estimate said as one.

CometAPI's documentation does not list ``:countTokens``, so a service may answer it 404 (or 405,
501): that is "not offered", never a broken request. :func:`count` then falls back to
:func:`estimate`, marked ``estimated`` (shown as *est.*): about
:data:`~comet.runs.tally.CHARS_PER_TOKEN` characters a token for text, and each attached medium
by Google's documented token cost (:data:`MEDIA_TOKENS`). :func:`probe` asks once whether the
endpoint is offered (the setup check, or a batch estimate before it counts many requests).

    >>> estimate(Call(Route.GEMINI, "gemini-2.5-flash", {"contents": [{"parts": [{"text": "Say hi to Ada"}]}]}))
    4
"""

from __future__ import annotations

import json
import math
import re
import struct
from dataclasses import dataclass
from typing import Any

from comet.core.call import Call, Route, attachment_names, simple_body
from comet.core.errors import CometError

from .tally import CHARS_PER_TOKEN

NOT_OFFERED = "countTokens is not offered by this service"
# Google's documented token costs: an image 258 (each 768x768 tile of a large one, here one
# tile), a PDF page 258, video 263 a second, audio 32 a second (ai.google.dev "Understand and
# count tokens"). The seconds of a file are read from a WAV header, else guessed from its size
# at a typical bitrate (bytes a second).
MEDIA_TOKENS = {"image": 258, "page": 258, "video_second": 263, "audio_second": 32}
BYTES_PER_SECOND = {"audio/flac": 88_000, "audio/aiff": 176_400, "audio/wav": 176_400, "video": 250_000,
                    "audio": 16_000}
WAV_HEADER = 44  # bytes before the samples in a plain WAV file
_PAGE = re.compile(rb"/Type\s*/Page(?!s)")
_TEXT_KEYS = frozenset({"text", "content"})


@dataclass(frozen=True)
class TokenCount:
    """Input tokens, and whether they are an estimate (then ``why``: what was not offered)."""

    tokens: int
    estimated: bool = False
    why: str = ""

    @property
    def label(self) -> str:
        return f"{self.tokens:,}" + (" est." if self.estimated else "")


def not_offered(err: CometError) -> bool:
    """An answer that says the endpoint is not there (404, 405, 501), not that the request is bad."""
    return err.kind == "not_found" or err.status in (404, 405, 501)


def count(client: Any, call: Call) -> TokenCount:
    """``:countTokens`` on the Gemini route; where it is not offered (or on the OpenAI route, which
    has no such endpoint) the estimate, marked. Other errors (a refused key) are raised."""
    if call.route is Route.GEMINI:
        try:
            return TokenCount(client.count_tokens(call))
        except CometError as err:
            if not not_offered(err):
                raise
        return TokenCount(estimate(call), True, NOT_OFFERED)
    return TokenCount(estimate(call), True, "Chat Completions has no token-count endpoint")


def probe(client: Any, model: str) -> bool | None:
    """Whether ``:countTokens`` is offered: True, False (404, 405, 501), or None when another
    error (a refused key, a dead address) leaves it unknown."""
    try:
        client.count_tokens(Call(Route.GEMINI, model, simple_body(Route.GEMINI, "hi")))
    except CometError as err:
        return False if not_offered(err) else None
    return True


def estimate(call: Call) -> int:
    """About four characters a token for the request's text, plus each attached medium at its
    documented token cost."""
    chars = _text_chars(call.body)
    named = set(attachment_names(call.body))
    tokens = sum(media_tokens(a.mime_type, a.data) for a in call.attachments if a.name in named)
    return math.ceil(chars / CHARS_PER_TOKEN) + tokens


def media_tokens(mime: str, data: bytes) -> int:
    """One attached file's tokens by Google's documented costs (text files: by their characters)."""
    top = mime.partition("/")[0]
    if top == "image":
        return MEDIA_TOKENS["image"]
    if mime == "application/pdf":
        return MEDIA_TOKENS["page"] * max(1, len(_PAGE.findall(data)))
    if mime == "text/plain":
        return math.ceil(len(data.decode("utf-8", "replace")) / CHARS_PER_TOKEN)
    if top in ("audio", "video"):
        rate = _wav_rate(data) if mime == "audio/wav" else None
        size = len(data) - WAV_HEADER if rate else len(data)
        rate = rate or BYTES_PER_SECOND.get(mime) or BYTES_PER_SECOND[top]
        return math.ceil(max(0, size) / rate * MEDIA_TOKENS[f"{top}_second"])
    return MEDIA_TOKENS["image"]


def _wav_rate(data: bytes) -> int | None:
    if len(data) >= 32 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        rate = struct.unpack("<I", data[28:32])[0]
        return rate or None
    return None


def _text_chars(value: Any, key: str = "") -> int:
    """Characters of the text the model reads: text parts and messages, the system instruction,
    and tool declarations as JSON; not inline data or attachment placeholders."""
    if isinstance(value, str):
        return len(value) if key in _TEXT_KEYS else 0
    if isinstance(value, list):
        return sum(_text_chars(v, key) for v in value)
    if isinstance(value, dict):
        return sum(len(json.dumps(v, ensure_ascii=False)) if k in ("tools", "functionDeclarations")
                   else _text_chars(v, k) for k, v in value.items())
    return 0
