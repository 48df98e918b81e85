"""Incremental stream decoders: Server-Sent Events, and Gemini's streamed JSON array.

Both take the body as it arrives, in byte chunks cut anywhere (even inside a UTF-8 character
or between the CR and LF of a line ending), and hand back whole items as soon as they are
complete. Neither does any I/O; the client feeds them.

:class:`SSEDecoder` follows the WHATWG HTML "event stream interpretation" rules
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
lines end in CRLF, LF or CR; a leading BOM is dropped; ``:`` starts a comment; ``field: value``
loses one space after the colon; ``data`` lines join with LF; a blank line dispatches; an event
whose data buffer is empty is not dispatched. Two deliberate extensions, both for what the
official SDKs accept (wire-formats.md D.1, D.3): an event left without its final blank line
at the end of the body is still dispatched, and lines with an unknown field name are kept in
:attr:`SSEDecoder.stray` (Google's SDK rebuilds error JSON from such lines, B.6).

:class:`JSONArrayDecoder` reads ``streamGenerateContent`` without ``alt=sse``: one JSON array
of ``GenerateContentResponse`` objects written out bit by bit (wire-formats.md B.6). It yields
each element when its closing brace arrives. A bare JSON object (an error envelope) is
yielded whole at its end.

We write these ~150 lines instead of using ``httpx-sse``: that library splits lines with
httpx's line iterator, has no JSON-array mode, and would tie the decoders to httpx, while the
tests feed them hand-made byte chunks (CRLF and CR framing, split lines, comments).
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, NamedTuple

_STRAY_LIMIT = 200
MAX_EVENT = 16 * 1024 * 1024  # characters in one event (or one unfinished line): 16 MiB of ASCII


class EventTooLarge(ValueError):
    """One event (or one JSON array element) grew past :data:`MAX_EVENT` without ending."""

    def __init__(self, what: str, limit: int):
        super().__init__(f"{what} grew past {limit:,} characters without ending; no answer "
                         f"sends that much in one piece, so the stream was dropped")


class Event(NamedTuple):
    """One dispatched event."""

    data: str
    event: str = "message"
    id: str = ""
    retry: int | None = None


class SSEDecoder:
    """``feed(bytes) -> [Event]`` as the body arrives, then ``close() -> [Event]`` at its end."""

    def __init__(self, limit: int = MAX_EVENT) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")  # keeps a character cut in two
        self._pending = ""  # an unfinished line (possibly ending in a CR that may precede LF)
        self._long: list[str] = []  # pieces of a line longer than one read, joined at its end
        self._long_size = 0
        self._size = 0  # characters of the event being read (its lines so far)
        self.limit = limit
        self._started = False
        self._data: list[str] = []
        self._event = ""
        self._last_id = ""
        self._retry: int | None = None
        self.stray: list[str] = []

    def feed(self, chunk: bytes) -> list[Event]:
        text = self._utf8.decode(chunk)
        if "\n" not in text and "\r" not in text and text:  # a line going on: joined once, at its end
            self._long.append(text)
            self._long_size += len(text)
            if self._size + len(self._pending) + self._long_size > self.limit:
                raise EventTooLarge("an SSE event", self.limit)
            return []
        return self._lines(text, final=False)

    def close(self) -> list[Event]:
        events = self._lines(self._utf8.decode(b"", final=True), final=True)
        # End the last line if it had no line ending, then (our extension) a blank line to
        # dispatch an event the body left without one.
        return events + self._lines("\n\n" if self._pending else "\n", final=True)

    def _lines(self, text: str, final: bool) -> list[Event]:
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._long:
            text = "".join(self._long) + text
            self._long.clear()
            self._long_size = 0
        text = self._pending + text
        held = ""
        if "\r" in text:
            if text[-1] == "\r" and not final:
                text, held = text[:-1], "\r"  # the LF of this CRLF may be in the next chunk
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        self._pending = lines.pop() + held
        events: list[Event] = []
        data = self._data
        size = self._size
        for line in lines:  # data and blank lines, nearly all of a stream, here; the rest in _line
            size += len(line)
            if line.startswith("data: "):
                data.append(line[6:])
            elif not line:
                if data:
                    events.append(Event("\n".join(data), self._event or "message", self._last_id, self._retry))
                    data.clear()
                self._event = ""
                size = 0
            else:
                self._line(line)  # "data:" without its space lands there too
        self._size = size
        if size + len(self._pending) > self.limit and not events:  # bounded memory: one event,
            raise EventTooLarge("an SSE event", self.limit)  # raised after the events before it
        return events

    def _line(self, line: str) -> None:
        """Any line other than ``data`` or blank."""
        if line[0] == ":":
            return
        name, _, value = line.partition(":")
        if value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry":
            if value.isascii() and value.isdigit():
                self._retry = int(value)
        elif len(self.stray) < _STRAY_LIMIT:
            self.stray.append(line)


_WHITESPACE = " \t\r\n"
_STRING_SPECIAL = re.compile(r'["\\]')


class JSONArrayDecoder:
    """``feed(bytes) -> [element]`` for a JSON array streamed in pieces; ``close()`` checks
    that it ended properly. Raises ``ValueError`` on anything that is not such an array."""

    def __init__(self, limit: int = MAX_EVENT) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self.limit = limit
        self._buf = ""
        self._pos = 0  # next character of _buf to scan
        self._start = -1  # where the element being read starts in _buf, or -1
        self._depth = 0  # bracket depth, the outer array included
        self._base = 1  # depth at which an element is complete (0 for a bare object)
        self._in_string = False
        self._state = "before"  # before, inside, after

    def feed(self, chunk: bytes) -> list[Any]:
        self._buf += self._utf8.decode(chunk)
        return self._scan()

    def close(self) -> list[Any]:
        self._buf += self._utf8.decode(b"", final=True)
        out = self._scan()
        if self._state == "inside":
            raise ValueError("the JSON array stream ended before its closing bracket")
        return out

    def _scan(self) -> list[Any]:
        out: list[Any] = []
        buf, i, n = self._buf, self._pos, len(self._buf)
        while i < n:
            if self._in_string:
                m = _STRING_SPECIAL.search(buf, i)
                if m is None:
                    i = n
                    break
                i = m.start()
                if buf[i] == "\\":
                    if i + 1 >= n:
                        break  # the escaped character is in the next chunk
                    i += 2
                    continue
                self._in_string = False
                i += 1
                continue
            c = buf[i]
            if c in _WHITESPACE:
                pass
            elif self._state == "before":
                if c not in "[{":
                    raise ValueError(f"expected a JSON array, got {buf[i:i + 40]!r}")
                self._state = "inside"
                self._depth = 1
                if c == "{":  # a bare object, e.g. an error envelope
                    self._base, self._start = 0, i
            elif self._state == "after":
                raise ValueError(f"unexpected text after the JSON array: {buf[i:i + 40]!r}")
            elif c == '"' and self._start >= 0:
                self._in_string = True
            elif c in "{[":
                if self._depth == self._base:
                    self._start = i
                self._depth += 1
            elif c in "}]":
                self._depth -= 1
                if self._depth == self._base and self._start >= 0:
                    out.append(json.loads(buf[self._start:i + 1]))
                    self._start = -1
                if self._depth == 0:
                    self._state = "after"
            elif self._start < 0 and c != ",":
                raise ValueError(f"expected an object in the JSON array, got {buf[i:i + 40]!r}")
            i += 1
        # keep only what an unfinished element still needs
        keep = self._start if self._start >= 0 else i
        self._buf = buf[keep:]
        self._pos = i - keep
        if self._start >= 0:
            self._start = 0
            if len(self._buf) > self.limit and not out:
                raise EventTooLarge("one element of the JSON array stream", self.limit)
        return out
