"""Masks the keys the app knows wherever a server's words are passed on.

A server may echo the key it was sent: in a 401 message (``invalid key sk-...``), an HTML
error page, or a reply that repeats its input. :class:`comet.http.client.Client` runs what it hands
out (errors, retry notices, deltas, replies) through :func:`error_info`, :func:`reply` and
:func:`text` with its own key and ``COMETAPI_KEY``, so the CLI, the pages and History never
get to see one. The checks are plain substring tests; only a hit costs a copy.

A stream may split a key between chunks. :class:`Held` masks the deltas handed out while they
arrive, holding back at most a key's length of text that could begin one; :class:`Watch` sees a
key whole in the bytes of a stream, whatever field it is in; and :func:`stream_reply` masks the
finished reply, the raw chunks included, where each half of a split key is blanked in its own
chunk (:func:`split_masked`).
"""

from __future__ import annotations

import dataclasses
import json
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


class Held:
    """Stream deltas with the keys masked, also a key split over two or more deltas: the end of
    each text that could begin a key is held back (never more than a key's length) until the
    next delta of the same kind and candidate shows whether it does; :meth:`flush` hands out
    what is still held when the stream ends."""

    __slots__ = ("keys", "pending")

    def __init__(self, keys: tuple[str, ...]):
        self.keys = keys
        self.pending: dict[tuple[type, int], str] = {}  # (delta kind, candidate) -> text held back

    def deltas(self, items: list) -> list:
        """``items`` with keys masked and possible key beginnings held back (``items`` itself
        when nothing changes: the common case, on every read of every stream)."""
        out: list = []
        changed = False
        pending, keys = self.pending, self.keys
        for d in items:
            slot = (type(d), d.candidate)
            value = pending.pop(slot, "") + d.text if pending else d.text
            for k in keys:
                if k in value:
                    value = value.replace(k, MASK)
            cut = _key_start(value, keys)
            if cut:
                pending[slot], value = value[-cut:], value[:-cut]
            if value is d.text:
                out.append(d)
            else:
                changed = True
                if value:
                    out.append(type(d)(value, d.candidate))
        return out if changed else items

    def flush(self) -> list:
        """What is still held back (the stream ended: it was no key), as deltas."""
        held = [kind(text, candidate) for (kind, candidate), text in self.pending.items()]
        self.pending = {}
        return held


def _key_start(value: str, keys: tuple[str, ...]) -> int:
    """The length of the longest end of ``value`` that a key begins with (0: none)."""
    longest = 0
    for k in keys:
        i = value.find(k[0], max(0, len(value) - len(k) + 1))
        while i != -1:
            if k.startswith(value[i:]):
                longest = max(longest, len(value) - i)
                break
            i = value.find(k[0], i + 1)
    return longest


class Watch:
    """Whether a key went by in a body read piece by piece, also one split between two reads
    (the end of each read is kept to look across the seam)."""

    __slots__ = ("keys", "seen", "_tail", "_keep")

    def __init__(self, keys: tuple[str, ...]):
        self.keys = tuple(k.encode("utf-8") for k in keys)
        self.seen = False
        self._tail = b""
        self._keep = max(map(len, self.keys), default=1) - 1

    def read(self, data: bytes) -> None:
        if self.seen:
            return
        seam = self._tail + data[:self._keep]
        for k in self.keys:
            if k in data or k in seam:
                self.seen = True
                return
        self._tail = seam[-self._keep:] if len(data) < self._keep else data[-self._keep:]


def in_reply(value: Any, keys: tuple[str, ...]) -> bool:
    """Whether a key is in what a reply joins from many chunks: each candidate's text and
    thoughts and its function calls (OpenAI streams arguments in fragments)."""
    texts = [value.text, value.thoughts]
    for c in value.candidates:
        texts += (c.text, c.thoughts)
    return in_texts(tuple(texts), keys) or any(mentions(c.function_calls, keys) for c in value.candidates)


def stream_reply(value: Any, keys: tuple[str, ...]) -> Any:
    """A reply with every key masked: in its fields, and in its raw chunks, also one split
    between the fragments that make a joined field."""
    return masked(dataclasses.replace(value, raw=split_masked(value.raw, keys)), keys)


def split_masked(raw: Any, keys: tuple[str, ...]) -> Any:
    """``raw`` (JSON-like: a stream's chunks or one answer) with each key masked where its
    pieces lie in strings at the same place (the same keys, list positions aside) of successive
    chunks or parts, as a text streamed in fragments: the piece where it begins becomes
    :data:`MASK`, the other pieces are cut out."""
    raw = json.loads(json.dumps(raw))  # a copy to edit in place
    places: dict[tuple, list[tuple[Any, Any]]] = {}
    _strings(raw, (), places)
    for spots in places.values():
        pieces = [holder[at] for holder, at in spots]
        joined = "".join(pieces)
        if not any(k in joined for k in keys):
            continue
        for (holder, at), piece in zip(spots, _cut(pieces, _spans(joined, keys))):
            holder[at] = piece
    return raw


def _strings(value: Any, where: tuple, places: dict) -> None:
    """Every string in ``value`` as (its container, its key or index), grouped by its place."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for at, item in items:
        place = where + ((at,) if isinstance(value, dict) else ())
        if isinstance(item, str):
            places.setdefault(place, []).append((value, at))
        else:
            _strings(item, place, places)


def _spans(joined: str, keys: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the keys are in ``joined``, overlapping ones merged, in order."""
    found = []
    for k in keys:
        i = joined.find(k)
        while i != -1:
            found.append((i, i + len(k)))
            i = joined.find(k, i + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _cut(pieces: list[str], spans: list[tuple[int, int]]) -> list[str]:
    """``pieces`` (which join into the text ``spans`` index) with each span cut out, and
    :data:`MASK` put where a span begins."""
    out, offset = [], 0
    for piece in pieces:
        end, kept, at = offset + len(piece), [], offset
        for start, stop in spans:
            if stop <= offset or start >= end:
                continue
            kept.append(piece[at - offset:max(start, offset) - offset])
            if start >= offset:
                kept.append(MASK)
            at = min(stop, end)
        kept.append(piece[at - offset:])
        out.append("".join(kept))
        offset = end
    return out


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
