"""Markdown that loads nothing from elsewhere. Text from the service (a reply, a served-model name,
a provider's error message, grounding titles) or typed by a person (a model ID, a file name) is
drawn with ``st.markdown`` and friends, which would fetch every image it names: in every viewer's
browser, an exfiltration channel. :func:`inert` turns each image into a link to click instead.

- ``![alt](url)``, ``![alt][ref]`` and ``![ref]`` lose their ``!`` and read ``[image: alt]``: a
  link to the same URL, loaded only when clicked (``!![`` keeps one ``!``, then a space, so no ``![``
  is ever made). ``data:`` images stay: they load nothing.
- Raw HTML that loads a URL (``<img>``, ``<picture>``/``<source>``, ``<video>``, ``<audio>``,
  ``<iframe>``, ``<embed>``, ``<object>``, ``<input type=image>``, ``<svg>``/``<image>``,
  ``<link>``, ``<track>``) becomes ``(image: URL)`` as text, whatever a page's ``unsafe_allow_html``.
- Fenced code blocks stay as written (a reply's code examples); everything else, inline code
  included, is changed: a code span that a renderer might not see as one (inside an HTML tag)
  must not hide an image, so a rare image example in inline code reads ``[image: ...]`` too.
  A fence inside an HTML block is HTML, not a fence, so one there is not trusted.
CommonMark: https://spec.commonmark.org/0.31.2/ (images 6.4, fenced code 4.5, HTML blocks 4.6).
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_HTML_LINE = re.compile(r"^ {0,3}<")  # a line that may open an HTML block, which could swallow a fence
_HTML_LONG = re.compile(r"^ {0,3}<(?:script|pre|style|textarea|!|\?)", re.I)  # such a block runs past blank lines
_TAG = re.compile(r"<\s*(img|image|picture|source|video|audio|iframe|embed|object|input|svg|link|track)\b"
                  r"[^>]*>?", re.I)
_URL_ATTR = re.compile(r"\b(?:src|srcset|href|xlink:href|data|poster)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)
_IMAGE = re.compile(r"(!+)\[")  # the whole run: "!![" must not become "![" again
_DATA_IMAGE = re.compile(r"!\[[^\[\]\n]*\]\(\s*<?data:", re.I)


def inert(text: str) -> str:
    """``text`` with no image or media tag that would load a URL (see the module)."""
    if not text or ("![" not in text and "<" not in text):
        return text
    return "".join(part if fenced else _prose(part) for part, fenced in _blocks(text))


def _blocks(text: str) -> list[tuple[str, bool]]:
    """``text`` as (part, is a fenced code block) in order; an unclosed fence runs to the end."""
    parts: list[tuple[str, bool]] = []
    prose: list[str] = []
    lines = text.splitlines(keepends=True)
    i, html = 0, ""  # html: "" none open, "block" until a blank line, "long" to the end (to be safe)
    while i < len(lines):
        line = lines[i].rstrip("\r\n")
        opened = _FENCE.match(line)
        if opened is None or html or (opened.group(2)[0] == "`" and "`" in opened.group(3)):
            # not a fence: an info string with a backtick is inline code; inside HTML, it is HTML
            html = "long" if html == "long" or _HTML_LONG.match(line) else \
                "block" if _HTML_LINE.match(line) or (html and line.strip()) else ""
            prose.append(lines[i])
            i += 1
            continue
        fence, end = opened.group(2), i + 1
        while end < len(lines) and not _closes(lines[end], fence):
            end += 1
        parts.append(("".join(prose), False))
        prose = []
        parts.append(("".join(lines[i:end + 1]), True))
        i = end + 1
    parts.append(("".join(prose), False))
    return [p for p in parts if p[0]]


def _closes(line: str, fence: str) -> bool:
    found = _FENCE.match(line.rstrip("\r\n"))
    return (found is not None and found.group(2)[0] == fence[0] and len(found.group(2)) >= len(fence)
            and not found.group(3).strip())


def _prose(text: str) -> str:
    text = _TAG.sub(_tag_as_text, text)
    keep = {m.start() for m in _DATA_IMAGE.finditer(text)}

    def link(found: re.Match[str]) -> str:
        if found.end() - 2 in keep:
            return found.group(0)
        return found.group(1)[:-1] + (" [image: " if len(found.group(1)) > 1 else "[image: ")

    return _IMAGE.sub(link, text)


def _tag_as_text(found: re.Match[str]) -> str:
    urls = [u.strip("\"'").replace("<", "%3C").replace(">", "%3E") for u in _URL_ATTR.findall(found.group(0))]
    urls = [u for u in urls if u and not u.lower().startswith("data:")]
    what = found.group(1).lower()
    return f"({what}: {' '.join(urls)})" if urls else f"({what})"


def inert_rows(rows: list[dict]) -> list[dict]:
    """Rows for ``st.table``, whose cells are markdown too: every text cell through :func:`inert`."""
    return [{k: inert(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
