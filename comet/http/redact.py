"""Masks the keys the app knows wherever a server's words are passed on.

A server may echo the key it was sent: in a 401 message (``invalid key sk-...``), an HTML
error page, or a reply that repeats its input. :class:`comet.http.client.Client` runs what it hands
out (errors, retry notices, deltas, replies) through :func:`error_info`, :func:`reply` and
:func:`text` with its own key and ``COMETAPI_KEY``, so the CLI, the pages and History never
get to see one. The checks are plain substring tests; only a hit costs a copy.
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Any, Iterable, Sequence

from comet.core.errors import CometError, ErrorInfo

MASK = "[redacted]"
MIN_KEY = 8  # shorter strings are not keys (the demo's "demo" is not): masking them would blank words


def known_keys(*keys: str | None) -> tuple[str, ...]:
    """``keys`` and ``COMETAPI_KEY``, without blanks, duplicates or strings too short to mask."""
    found: list[str] = []
    for key in (*keys, os.environ.get("COMETAPI_KEY")):
        key = (key or "").strip()
        if len(key) >= MIN_KEY and key not in found:
            found.append(key)
    return tuple(found)


def text(value: str, keys: Iterable[str]) -> str:
    for key in keys:
        if key in value:
            value = value.replace(key, MASK)
    return value


def mentions(value: Any, keys: tuple[str, ...]) -> bool:
    """Whether a key appears in ``value`` (strings, bytes, JSON-like values, dataclasses)."""
    if not keys or value is None:
        return False
    if isinstance(value, str):
        return any(k in value for k in keys)
    if isinstance(value, (bytes, bytearray)):
        return any(k.encode("utf-8", "replace") in value for k in keys)
    if isinstance(value, dict):
        return any(mentions(k, keys) or mentions(v, keys) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(mentions(v, keys) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(mentions(getattr(value, f.name), keys) for f in dataclasses.fields(value))
    return False


def masked(value: Any, keys: tuple[str, ...]) -> Any:
    """A copy of ``value`` with every key replaced by :data:`MASK` (the same value when none
    appears)."""
    if isinstance(value, str):
        return text(value, keys)
    if isinstance(value, dict):
        return {masked(k, keys): masked(v, keys) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, keys) for v in value]
    if isinstance(value, tuple):
        return tuple(masked(v, keys) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: masked(getattr(value, f.name), keys) for f in dataclasses.fields(value)
                   if f.init and mentions(getattr(value, f.name), keys)}
        return dataclasses.replace(value, **changes) if changes else value
    return value


def error_info(info: ErrorInfo | None, keys: tuple[str, ...]) -> ErrorInfo | None:
    return masked(info, keys) if info is not None and mentions(info, keys) else info


def error(err: CometError, keys: tuple[str, ...]) -> CometError:
    """``err`` with its message, raw body and provider message masked (in place)."""
    for name in ("message", "raw_body", "provider_message"):
        value = getattr(err, name, None)
        if isinstance(value, str) and mentions(value, keys):
            setattr(err, name, text(value, keys))
    if err.args and isinstance(err.args[0], str):
        err.args = (text(err.args[0], keys), *err.args[1:])
    return err


def in_texts(texts: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    """Whether a key appears in any of ``texts`` (a reply's text and thoughts, checked at the
    end of every run: plain loops, where :func:`mentions` would walk the tuple generically)."""
    for value in texts:
        for k in keys:
            if k in value:
                return True
    return False


def deltas(items: list, keys: tuple[str, ...]) -> list:
    """Stream deltas (text, candidate) with the keys masked: ``items`` itself when none is in
    them (one substring test per delta and key, on every read of a stream)."""
    for d in items:  # plain loops, no generator: this runs on every read of every stream
        for k in keys:
            if k in d.text:
                return [type(d)(text(d.text, keys), d.candidate) for d in items]
    return items


def reply(value: Any, keys: tuple[str, ...], *, probe: bool = True) -> Any:
    """A reply with the keys masked. ``probe=False`` skips the search when the caller already
    knows a key is in it."""
    if value is None or not keys or (probe and not mentions(value, keys)):
        return value
    return masked(value, keys)


# ---- scrubbing what is stored or shared ------------------------------------------------------

_KEY_NAMES = re.compile(r"(x-goog-api-key|authorization|proxy-authorization|x-api-key|api[-_]key)\Z", re.I)
_KEY_TEXT = (
    re.compile(r"(?i)((?:x-goog-api-key|authorization|x-api-key|api[-_]key)[\"']?\s*[:=]\s*[\"']?)"
               r"(?:bearer\s+)?[^\"'\s,;}&]+"),
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)([?&]key=)[^&\s\"']+"),
)


def scrub(value: Any, secrets: Sequence[str] = (), *, patterns: bool = True) -> Any:
    """A copy of ``value`` (JSON-like) with key headers blanked and every ``secrets`` string
    replaced. ``patterns`` also blanks ``Bearer ...`` and ``x-goog-api-key: ...`` in free
    text: used for what a server sent back, not for the user's own prompt."""
    if isinstance(value, dict):
        return {k: MASK if isinstance(k, str) and _KEY_NAMES.match(k) and v not in (None, "")
                else scrub(v, secrets, patterns=patterns) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v, secrets, patterns=patterns) for v in value]
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        lower = value.lower() if patterns else ""
        if patterns and ("bearer" in lower or "key" in lower or "authorization" in lower):
            for pattern in _KEY_TEXT:
                value = pattern.sub(lambda m: m.group(1) + MASK, value)
        return value
    return value


def known_secrets(extra: Sequence[str] = ()) -> tuple[str, ...]:
    """Keys to blank wherever they appear: ``extra`` (typed in the UI) and ``COMETAPI_KEY``."""
    found = [s for s in extra if s]
    env = (os.environ.get("COMETAPI_KEY") or "").strip()
    if env:
        found.append(env)
    return tuple(s for s in found if len(s) >= 4)
