"""The limits every body, model ID and JSON text must keep, checked once at the edge.

Bodies come in as JSON text (the JSON tab, ``--body``, a share file) or as Python values (the
form, a script). Either way they reach :func:`problems` once, through :func:`loads` or
:func:`comet.body.validate.problems`, and the rest of the package may then assume them:

- nesting at most :data:`MAX_DEPTH` levels of objects and lists (the parser, copies and
  converters recurse; a few hundred levels would overflow Python's stack);
- whole numbers at most :data:`MAX_INT` in size (20 digits: every count, seed and budget fits)
  and no ``NaN`` or ``Infinity`` (JSON has neither: they would go out as invalid JSON);
- no lone UTF-16 surrogate (``"\\ud83d"`` alone) in a string or key: it has no UTF-8 form,
  so it could be neither sent, stored nor shown;
- JSON text at most :data:`MAX_TEXT_BYTES` (attachments travel beside the body, not in it);
- a model ID is a string of at most :data:`MAX_MODEL_CHARS` characters, without surrogates or
  control characters (it goes into the URL).

Each violation is a :class:`~comet.core.errors.Problem` naming the JSON path and the fix.

What a server sends is bounded too, where :mod:`comet.http.answer` reads it: a plain (not
streamed) answer of more than :data:`MAX_REPLY_BYTES` ends the run with a ProtocolError and is not
read further, and of an error body only the first :data:`MAX_ERROR_BODY_BYTES` are read and kept.
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any

from .errors import Problem, RequestError

MAX_DEPTH = 64
MAX_INT = 2 ** 64
MAX_TEXT_BYTES = 32 * 1024 * 1024
MAX_MODEL_CHARS = 256
MAX_PROBLEMS = 20  # a body with thousands of faults lists the first few
MAX_REPLY_BYTES = 64 * 1024 * 1024  # a plain answer: far above any model's output, far below a machine's memory
MAX_ERROR_BODY_BYTES = 1024 * 1024  # an error body: its message is near the start; the rest is not read

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_FINITE = "write a finite number such as 0.7 (JSON has no NaN or Infinity)"


def path_of(parts: tuple[Any, ...]) -> str:
    """``$.contents[0].parts`` from ``("contents", 0, "parts")``; odd keys are quoted with
    ASCII escapes, so a path can always be printed."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part == "…":
            out.append(part)
        elif _IDENT.match(part):
            out.append("." + part)
        else:
            out.append(f"[{json.dumps(part)}]")
    return "".join(out)


def surrogate_problem(route: str, where: str, text: str) -> Problem | None:
    m = _SURROGATE.search(text)
    if m is None:
        return None
    return Problem(route, where, f"the text holds a lone surrogate (\\u{ord(m.group()):04x}) at "
                   f"character {m.start()}, which no UTF-8 text can carry",
                   "remove it, or write the whole character (an emoji escaped as a pair, "
                   "e.g. \\ud83d\\ude00, or typed as itself)")


class _Walk:
    __slots__ = ("route", "found")

    def __init__(self, route: str):
        self.route = route
        self.found: list[Problem] = []

    def add(self, parts: tuple[Any, ...], message: str, fix: str) -> None:
        self.found.append(Problem(self.route, path_of(parts), message, fix))

    def value(self, value: Any, parts: tuple[Any, ...]) -> None:
        if len(self.found) >= MAX_PROBLEMS:
            return
        kind = type(value)
        if kind is str:
            if not value.isascii():
                p = surrogate_problem(self.route, path_of(parts), value)
                if p is not None:
                    self.found.append(p)
        elif kind is dict or kind is list or kind is tuple:
            if len(parts) >= MAX_DEPTH:
                self.add(parts[:4] + ("…",), f"the body is nested more than {MAX_DEPTH} levels deep here",
                         f"flatten it: a request needs far fewer than {MAX_DEPTH} levels of objects and lists")
            elif kind is dict:
                self.object(value, parts)
            else:
                for i, item in enumerate(value):
                    self.value(item, parts + (i,))
        elif kind is int:
            if not -MAX_INT <= value <= MAX_INT:
                digits = int(value.bit_length() * 0.30103) + 1
                self.add(parts, f"the number has about {digits:,} digits, more than any field takes",
                         "use a whole number of at most 20 digits")
        elif kind is float:
            if not math.isfinite(value):
                self.add(parts, f"{value!r} is not a JSON number", _FINITE)
        elif value is not None and kind is not bool:
            self.other(value, parts)

    def object(self, value: dict, parts: tuple[Any, ...]) -> None:
        for key, item in value.items():
            if type(key) is not str:
                self.add(parts, f"the key {key!r} is not a string", "use text keys, as JSON does")
                continue
            if not key.isascii():
                p = surrogate_problem(self.route, path_of(parts + (key,)), key)
                if p is not None:
                    self.found.append(p)
                    continue
            self.value(item, parts + (key,))

    def other(self, value: Any, parts: tuple[Any, ...]) -> None:
        for base in (str, int, float):  # subclasses (an IntEnum, a numpy-free float type) as their base
            if isinstance(value, base):
                self.value(base(value), parts)
                return
        self.add(parts, f"a {type(value).__name__} is not a JSON value",
                 "use a string, number, true/false, null, list or object")


def _fine(value: Any, depth: int) -> bool:
    """Whether ``value`` keeps every limit: the fast pass every request takes (no paths built;
    :class:`_Walk` runs only when this says no, to say where)."""
    kind = type(value)
    if kind is str:
        return value.isascii() or _SURROGATE.search(value) is None
    if kind is dict:
        if depth >= MAX_DEPTH:
            return False
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or _SURROGATE.search(key) is None) \
                    or not _fine(item, depth + 1):
                return False
        return True
    if kind is list or kind is tuple:
        if depth >= MAX_DEPTH:
            return False
        for item in value:
            if not _fine(item, depth + 1):
                return False
        return True
    if kind is int:
        return -MAX_INT <= value <= MAX_INT
    if kind is float:
        return value - value == 0  # NaN and the infinities give NaN
    return value is None or kind is bool


def problems(value: Any, route: str = "", parts: tuple[Any, ...] = ()) -> list[Problem]:
    """Every limit ``value`` breaks (empty when none), each at its JSON path."""
    if _fine(value, len(parts)):
        return []
    walk = _Walk(str(getattr(route, "value", route)))
    walk.value(value, parts)
    return walk.found


def ensure(value: Any, route: str = "", parts: tuple[Any, ...] = ()) -> None:
    """Raise :class:`RequestError` when ``value`` breaks a limit."""
    found = problems(value, route, parts)
    if found:
        raise RequestError(found)


def mend(value: Any) -> Any:
    """A server's JSON with each lone surrogate replaced by U+FFFD (the replacement character):
    what a server says is shown and stored, never refused, so it must be valid text."""
    if type(value) is str:
        if value.isascii() or _SURROGATE.search(value) is None:
            return value
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if type(value) is dict:
        return {mend(k): mend(v) for k, v in value.items()}
    if type(value) is list:
        return [mend(v) for v in value]
    return value


def model_problems(route: str, model: Any) -> list[Problem]:
    route = str(getattr(route, "value", route))
    if not isinstance(model, str):
        return [Problem(route, "model", f"the model ID must be text, not {type(model).__name__}",
                        'write it as text, e.g. "gemini-2.5-flash"')]
    if len(model) > MAX_MODEL_CHARS:  # before the cache, which then holds short IDs only
        return [Problem(route, "model", f"the model ID is {len(model):,} characters long",
                        f"use a model ID of at most {MAX_MODEL_CHARS} characters (python -m comet models lists them)")]
    return list(_text_problems(route, model))


@functools.lru_cache(maxsize=256)  # every send asks, for the same few models
def _text_problems(route: str, model: str) -> tuple[Problem, ...]:
    p = surrogate_problem(route, "model", model)
    if p is not None:
        return (p,)
    m = _CONTROL.search(model)
    if m is not None:
        return (Problem(route, "model", f"the model ID holds a control character ({m.group()!r})",
                        "remove line breaks, tabs and other control characters from the model ID"),)
    return ()


def text_problem(route: str, text: str | bytes, where: str = "$") -> Problem | None:
    """The size limit of JSON text (checked before parsing it)."""
    if isinstance(text, bytes) or text.isascii():
        size = len(text)
    else:
        size = len(text.encode("utf-8", "surrogatepass"))
    if size <= MAX_TEXT_BYTES:
        return None
    return Problem(str(getattr(route, "value", route)), where,
                   f"the JSON text is {size / 2 ** 20:.1f} MB, over the {MAX_TEXT_BYTES // 2 ** 20} MB limit",
                   "attach large media as files (they travel beside the body) or pass a public file URL")


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def loads(text: str, route: str = "") -> Any:
    """``json.loads`` within the limits: :class:`RequestError` (with line and column where the
    parser knows them) instead of RecursionError, ValueError or a value that breaks a limit."""
    route = str(getattr(route, "value", route))
    too_big = text_problem(route, text)
    if too_big is not None:
        raise RequestError(too_big)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestError(Problem(route, "$", f"invalid JSON: {exc.msg}",
                                   "correct the JSON at that position; your text is kept as typed",
                                   line=exc.lineno, column=exc.colno)) from None
    except RecursionError:
        raise RequestError(Problem(route, "$", f"the JSON is nested more than {MAX_DEPTH} levels deep",
                                   f"flatten it: a request needs far fewer than {MAX_DEPTH} levels")) from None
    except ValueError:  # an integer beyond Python's conversion limit (thousands of digits)
        m = re.search(r"\d{4000,}", text)
        line, column = _position(text, m.start()) if m else (None, None)
        raise RequestError(Problem(route, "$", "a number has thousands of digits",
                                   "use a whole number of at most 20 digits",
                                   line=line, column=column)) from None
    ensure(value, route)
    return value
