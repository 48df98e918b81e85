"""The README and docs/ stay true to the tree: every relative link and image resolves (a
``#anchor`` to a heading of its page), every file and module they name exists, the README stays
short and opens with the two commands, and every page of docs/ is reachable from the README."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAX_README_LINES = 250

_FENCE = re.compile(r"^ *(```|~~~).*?^ *\1 *$", re.S | re.M)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _pages() -> list[Path]:
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def _prose(text: str) -> str:
    """The text without code blocks and code spans, where a bracket is not a link."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def _links(page: Path) -> list[str]:
    return _LINK.findall(_prose(page.read_text(encoding="utf-8")))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())  # a link's text
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    return {_slug(m) for m in re.findall(r"^#{1,6} +(.+?) *#* *$", text, re.M)}


def _broken(page: Path) -> list[str]:
    broken = []
    for target in _links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target} (no such heading)")
    return broken


def test_every_relative_link_and_image_resolves():
    broken = {str(p.relative_to(ROOT)): b for p in _pages() if (b := _broken(p))}
    assert broken == {}


def test_the_link_check_sees_a_broken_link_and_a_missing_heading(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## The `comet_emulator` fixture, in short\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("[ok](other.md#the-comet_emulator-fixture-in-short) ![gone](gone.png) [no](other.md#nope)\n"
                    "`[not a link](nowhere.md)`\n\n```\n[nor this](nowhere.md)\n```\n"
                    "[web](https://example.com/x.md) [here](#page)\n\n# Page\n", encoding="utf-8")
    assert _broken(page) == ["gone.png (no such file)", "other.md#nope (no such heading)"]


_PATH = re.compile(r"(?<![\w./-])((?:comet|ui|pages|tests|bench|scripts|examples|\.ci)/[\w./-]*)")
_MODULE = re.compile(r"(?<![\w./])(comet(?:\.\w+)+)")


def _named(dotted: str) -> bool:
    """``comet.a.b.name``: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def test_every_path_and_module_the_docs_name_exists():
    """A file or module renamed in a restructuring is renamed in the docs too (code spans only:
    `comet/store/base.py`, `comet.runs.stamp.request_hash`)."""
    stale = []
    for page in _pages():
        spans = set(_CODE_SPAN.findall(_FENCE.sub("", page.read_text(encoding="utf-8"))))
        for span in spans:
            stale += [f"{page.name}: {p}" for p in _PATH.findall(span) if not (ROOT / p.rstrip(".")).exists()]
            stale += [f"{page.name}: {m}" for m in _MODULE.findall(span) if not _named(m)]
    assert sorted(stale) == []


def test_the_readme_stays_short():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines < MAX_README_LINES, f"README.md has {lines} lines: move the detail to docs/"


def test_the_readme_starts_with_the_two_commands():
    """After the title, the first thing a newcomer reads: one command that sets up and starts the
    app, one that sets up and runs the tests; and what their comments promise is what they do."""
    text = README.read_text(encoding="utf-8")
    opening = re.match(r"# [^\n]+\n+```bash\n([^\n]+)\n([^\n]+)\n```\n", text)
    assert opening, "README.md must open with its title and one bash block of two commands"
    app, tests = (line.split("#", 1)[0].strip() for line in opening.groups())
    assert app == "pip install -r requirements.txt && streamlit run app.py"
    assert tests == "bash .ci/run"
    assert (ROOT / "requirements.txt").is_file() and (ROOT / "app.py").is_file()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for step in ("pip install", "requirements-dev.txt", "chromium", "npm ci", ".ci/postgres start", "pytest"):
        assert step in ci, f".ci/run no longer does what the README says: {step}"


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in _links(README)}
    orphans = [p.name for p in sorted((ROOT / "docs").glob("*.md")) if p.resolve() not in linked]
    assert orphans == []
