"""Source-code literals: the one place that turns JSON values into Python, JavaScript or JSON text.

Every piece of user text reaches a snippet through :func:`quote`, which writes a double-quoted
string with backslash escapes for the quote, the backslash and every character that is not
printable (control characters, line and paragraph separators U+2028/U+2029, bidi controls,
zero-width characters). What is left between the quotes is printable text that no language
treats specially inside a double-quoted string, so a prompt can never leave its string; and
invisible characters cannot hide in the code (the "Trojan Source" problem). The escapes used
(``\\" \\\\ \\n \\t \\uXXXX``) mean the same in JSON, Python and JavaScript; only characters
above U+FFFF differ (``\\U0001XXXX`` / ``\\u{1XXXX}`` / a JSON surrogate pair).

:func:`literal` pretty-prints a value: on one line when it fits, otherwise one member per line.
:func:`link_attachments` turns strings holding ``<attachment:NAME>`` tokens into expressions
that read the file, the same substitution :func:`comet.core.call.resolve_attachments` makes.
Shell quoting (:func:`sh_quote`, :func:`heredoc`) is here too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from comet.core.call import ATTACHMENT_TOKEN, Call, Prepared


class Code(str):
    """A source fragment written as is (an expression such as a variable name)."""


_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}


def _json_astral(cp: int) -> str:
    cp -= 0x10000
    return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"


@dataclass(frozen=True)
class Syntax:
    name: str
    true: str
    false: str
    null: str
    indent: str
    pad: str  # inside the braces of a one-line object: "" or " "
    trailing_comma: bool
    astral: Callable[[int], str]  # escape for a non-printable character above U+FFFF
    bare_keys: bool = False  # JavaScript: identifier keys go unquoted
    width: int = 88


PYTHON = Syntax("python", "True", "False", "None", "    ", "", True, lambda cp: f"\\U{cp:08x}")
JS = Syntax("js", "true", "false", "null", "  ", " ", True, lambda cp: f"\\u{{{cp:x}}}",
            bare_keys=True, width=80)
JSON = Syntax("json", "true", "false", "null", "  ", "", False, _json_astral, width=80)


def quote(text: str, syntax: Syntax) -> str:
    """``text`` as a double-quoted string literal of ``syntax``'s language."""
    out = ['"']
    for ch in text:
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(syntax.astral(ord(ch)))
    out.append('"')
    return "".join(out)


def comment(text: str, syntax: Syntax) -> str:
    """``text`` as a one-line comment of ``syntax``'s language. Every character that is not
    printable (line breaks, NUL, U+2028/U+2029, bidi controls ...) is written as its escape,
    as :func:`quote` writes it, so no text can end the comment and go on as code."""
    marker = "#" if syntax is PYTHON else "//"
    return marker + " " + "".join(ch if ch.isprintable() else quote(ch, syntax)[1:-1] for ch in text)


_JS_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")


def key(name: str, syntax: Syntax) -> str:
    if syntax.bare_keys and _JS_IDENTIFIER.match(name) and name != "__proto__":
        return name
    if syntax.bare_keys and name == "__proto__":
        return '["__proto__"]'  # a plain "__proto__" key would set the prototype instead
    return quote(name, syntax)


def _scalar(value: Any, syntax: Syntax) -> str:
    if isinstance(value, Code):
        return str(value)
    if isinstance(value, str):
        return quote(value, syntax)
    if value is True:
        return syntax.true
    if value is False:
        return syntax.false
    if value is None:
        return syntax.null
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _flat(value: Any, syntax: Syntax) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ", ".join(f"{key(k, syntax)}: {_flat(v, syntax)}" for k, v in value.items())
        return f"{{{syntax.pad}{items}{syntax.pad}}}"
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v, syntax) for v in value) + "]"
    return _scalar(value, syntax)


def literal(value: Any, syntax: Syntax, *, level: int = 0, used: int = 0) -> str:
    """``value`` as source text, indented for nesting ``level``; ``used`` is how many columns
    the line already holds before the value (``body = `` and the like)."""
    flat = _flat(value, syntax)
    fits = len(syntax.indent) * level + used + len(flat) < syntax.width
    if fits or not isinstance(value, (dict, list)) or not value:
        return flat
    inner = syntax.indent * (level + 1)
    if isinstance(value, dict):
        lines = [f"{inner}{key(k, syntax)}: " for k in value]
        lines = [head + literal(v, syntax, level=level + 1, used=len(head) - len(inner))
                 for head, v in zip(lines, value.values())]
        opening, closing = "{", "}"
    else:
        lines = [inner + literal(v, syntax, level=level + 1) for v in value]
        opening, closing = "[", "]"
    tail = "," if syntax.trailing_comma else ""
    return f"{opening}\n" + ",\n".join(lines) + f"{tail}\n{syntax.indent * level}{closing}"


def link_attachments(value: Any, variables: Mapping[str, str], syntax: Syntax) -> Any:
    """A copy of ``value`` where each string holding attachment tokens becomes a :class:`Code`
    expression: the literal pieces quoted, each token replaced by its variable, joined by ``+``.
    Tokens naming no known attachment stay text, as :func:`comet.core.call.resolve_attachments`
    leaves them."""
    if isinstance(value, dict):
        return {k: link_attachments(v, variables, syntax) for k, v in value.items()}
    if isinstance(value, list):
        return [link_attachments(v, variables, syntax) for v in value]
    if not isinstance(value, str) or isinstance(value, Code) or "<attachment:" not in value:
        return value
    pieces, pos = [], 0
    for match in ATTACHMENT_TOKEN.finditer(value):
        if match.group(1) not in variables:
            continue
        if match.start() > pos:
            pieces.append(quote(value[pos:match.start()], syntax))
        pieces.append(variables[match.group(1)])
        pos = match.end()
    if not pieces:
        return value
    if pos < len(value):
        pieces.append(quote(value[pos:], syntax))
    return Code(" + ".join(pieces))


def source_body(call: Call, prepared: Prepared) -> Any:
    """The body a snippet writes out: the prepared body itself, or, when attachments are
    named in it, the call's body whose tokens the snippet turns into file reads (prepare()
    makes exactly that substitution)."""
    return call.body if call.attachments and "<attachment:" in str(call.body) else prepared.json()


def leaves(value: Any) -> Iterator[Any]:
    """Every value in a JSON value that is neither an object nor a list, in document order."""
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def used_attachments(value: Any, names: set[str]) -> list[str]:
    """The attachment names whose tokens occur in ``value``, in order of first appearance."""
    found = [m.group(1) for v in leaves(value) if isinstance(v, str) for m in ATTACHMENT_TOKEN.finditer(v)]
    return [name for name in dict.fromkeys(found) if name in names]


def variable_names(names: list[str], style: str, suffix: str) -> dict[str, str]:
    """A distinct identifier per attachment name: ``snake`` (cat_png_b64), ``camel``
    (catPngB64) or ``upper`` (CAT_PNG_B64). The suffix keeps them clear of the snippet's own
    names (url, body, response ...)."""
    out: dict[str, str] = {}
    for name in names:
        words = re.findall(r"[A-Za-z0-9]+", name) or ["file"]
        if words[0][0].isdigit():
            words.insert(0, "file")
        words.append(suffix)
        if style == "camel":
            base = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
        elif style == "upper":
            base = "_".join(words).upper()
        else:
            base = "_".join(words).lower()
        candidate, n = base, 2
        while candidate in out.values():
            candidate, n = f"{base}{n}", n + 1
        out[name] = candidate
    return out


def sh_quote(text: str) -> str:
    """``text`` as one single-quoted shell word: nothing inside is expanded."""
    return "'" + text.replace("'", "'\\''") + "'"


def heredoc_delimiter(text: str, base: str = "JSON") -> str:
    """A here-document delimiter that is no line of ``text``."""
    lines = set(text.split("\n"))
    delimiter, n = base, 2
    while delimiter in lines:
        delimiter, n = f"{base}_{n}", n + 1
    return delimiter
