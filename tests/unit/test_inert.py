"""ui.inert.inert: markdown from the service or a person keeps its text and links but names no image
a browser would fetch (tests/browser/test_browser_no_remote_images.py sees it in Chromium)."""

from __future__ import annotations

import itertools
import re

import pytest

from ui.inert import inert, inert_rows

OUT = "http://images.example.invalid/x.png"


@pytest.mark.parametrize("text, shown", [
    (f"see ![cat]({OUT}) now", f"see [image: cat]({OUT}) now"),
    (f'![cat]({OUT} "a title")', f'[image: cat]({OUT} "a title")'),
    (f"![cat](<{OUT}>)", f"[image: cat](<{OUT}>)"),
    (f"![by ref][r]\n\n[r]: {OUT}\n", f"[image: by ref][r]\n\n[r]: {OUT}\n"),
    (f"![r]\n\n[r]: {OUT}\n", f"[image: r]\n\n[r]: {OUT}\n"),
    (f"Wow![x]({OUT})", f"Wow[image: x]({OUT})"),  # "!" before a link is an image: no sentence is spared
    (f"!![x]({OUT})", f"! [image: x]({OUT})"),  # dropping one "!" of two would make an image again
    (f"[![badge]({OUT})](https://example.com)", f"[[image: badge]({OUT})](https://example.com)"),
    (f'<img src="{OUT}" alt="x">', f"(img: {OUT})"),
    (f"<IMG SRC={OUT}>", f"(img: {OUT})"),
    (f'<picture><source srcset="{OUT} 2x"></picture>', f"(picture)(source: {OUT} 2x)</picture>"),
    (f'<svg><image href="{OUT}"/></svg>', f"(svg)(image: {OUT})</svg>"),
    (f'<video poster="{OUT}">', f"(video: {OUT})"),
    (f"`![x]({OUT})`", f"`[image: x]({OUT})`"),  # inline code too: a tag around it could make it prose
])
def test_every_image_becomes_a_link_or_text(text, shown):
    assert inert(text) == shown


@pytest.mark.parametrize("text", [
    "plain words, a [link](https://example.com), 3 < 4 and a <b>tag</b>",
    "![tiny](data:image/png;base64,iVBORw0KGgo=)",  # loads nothing from elsewhere
    f"```\n![x]({OUT})\n<img src={OUT}>\n```\n",  # a reply's code example stays as written
    f"~~~markdown\n![x]({OUT})\n~~~",
    f"<div>\n\n```\n![x]({OUT})\n```\n",  # the HTML block ends at the blank line: a real fence follows
    "",
])
def test_text_without_a_remote_image_is_unchanged(text):
    assert inert(text) == text


def test_a_fence_inside_an_html_block_is_not_trusted():
    """A ``` line inside an HTML block is HTML, so what follows the blank line is prose again."""
    text = f"<div>\n```\n\n![x]({OUT})\n```\n"
    assert inert(text) == f"<div>\n```\n\n[image: x]({OUT})\n```\n"
    pre = f"<pre>\n\n```\n![x]({OUT})\n```\n"  # <pre> runs past blank lines
    assert "![x]" not in inert(pre)


def test_an_unclosed_fence_runs_to_the_end():
    text = f"before ![a]({OUT})\n```\n![b]({OUT})\n"
    assert inert(text) == f"before [image: a]({OUT})\n```\n![b]({OUT})\n"


def test_table_cells_are_made_inert_too():
    """st.table draws its cells as markdown: a URL the model read or a safety category is service text."""
    assert inert_rows([{"URL": f"![x]({OUT})", "n": 3}]) == [{"URL": f"[image: x]({OUT})", "n": 3}]


PIECES = ["![a](", OUT, ")", "[r]", "\n", "\n\n", "```", "~~~", "`", "<img src=", "<div>", "\\", " ", "x", "]",
          "[", "<", ">", '"', "data:", "!"]


def remote_images(text: str) -> list[str]:
    """What a CommonMark renderer could load from ``text``, outside fences counted by the same rule:
    any ``![`` not followed by a data: destination, any media tag."""
    prose = re.sub(r"(?ms)^ {0,3}(`{3,}|~{3,})[^\n`]*\n.*?^ {0,3}\1[`~]*[ \t]*$", "", text)
    found = [m.group(0) for m in re.finditer(r"!\[(?![^\[\]\n]*\]\(\s*<?data:)", prose)]
    return found + re.findall(r"(?i)<\s*(?:img|image|source|video|audio|iframe|embed|object|input|svg|link|track)\b",
                              prose)


def test_no_mix_of_pieces_leaves_an_image():
    """Every arrangement of three to four hostile pieces: what is left outside fences names no image
    (the check's own fence rule is stricter than inert's, so it can only over-count)."""
    for size in (3, 4):
        for parts in itertools.product(PIECES, repeat=size):
            text = "".join(parts)
            assert not remote_images(inert(text)) or "```" in text or "~~~" in text, text
