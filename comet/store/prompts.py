"""The prompt library: a prompt is a name with immutable versions 1, 2, 3..., and labels that point at one.

    >>> v = store.save_prompt("capitals", call, message="shorter instructions")   # doctest: +SKIP
    >>> v.version, store.label_prompt("capitals", v.version, "production").from_version  # doctest: +SKIP
    (2, 1)
    >>> store.resolve_prompt("capitals:production").call().origin                  # doctest: +SKIP
    Origin(prompt='capitals', version=2, modified=False)

A :class:`Version` keeps the whole request (route, model, stream switch, body, attachments by SHA-256,
the values of its ``{{variables}}``), who saved it, when, and an optional message. Saving under a
name that exists adds a version; nothing is ever overwritten. A label (``production``,
``alice-trial``) is a name without spaces or control characters that points at one version; every
move is kept (:class:`LabelMove`: who, when, from which version to which). ``latest`` always means
the newest version and cannot be moved.

A reference names a version: ``NAME`` (the newest), ``NAME@3`` or ``NAME:production``
(:func:`parse_ref`). The SQL is in :mod:`comet.store.prompts_sql`; the export file (the presets
file's version 2) is :func:`dumps` / :func:`loads` here, and version 1 files (presets) still load.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from comet.core.call import Attachment, Call, Origin, Route

from .presets import BUILTINS, FORMAT, Preset, PresetError, check_name

FILE_VERSION = 2  # the presets file's version that holds prompts: every version and label
LATEST = "latest"
LABEL_LIMIT = 60
_LABEL = re.compile(r"[^\s@:\x00-\x1f\x7f]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BUILTIN_NAMES = frozenset(p.name for p in BUILTINS)


class PromptError(PresetError):
    """A prompt, version, label or reference that cannot be used; the message names it and the fix."""

    kind = "bad_input"

    @property
    def fix(self) -> str:
        return "python -m comet prompts list shows the saved prompts; prompts show NAME their versions and labels"


def check_prompt_name(name: Any, where: str = "the prompt") -> str:
    """A prompt's name: what a preset's may be (not empty, under 120 characters, spaces folded),
    without control characters, and not one of the read-only built-in examples."""
    if isinstance(name, str) and _CONTROL.search(name):
        raise PromptError(f"{where}: the name holds a control character; type it again without one")
    try:
        name = check_name(name, where)
    except PresetError as exc:
        raise PromptError(str(exc).replace("the preset a name", "the prompt a name")) from None
    if name in BUILTIN_NAMES:
        raise PromptError(f"{where}: {name!r} is a built-in example and stays read-only; save it under another name")
    return name


def check_label(label: Any) -> str:
    """A label's name: 1 to 60 characters, no spaces, no control characters, no ``@`` or ``:``
    (they separate a reference's parts), and not ``latest`` (that always means the newest)."""
    if not isinstance(label, str) or not label:
        raise PromptError("the label is empty; give one such as production or staging")
    if not _LABEL.fullmatch(label):
        bad = next(c for c in label if not _LABEL.fullmatch(c))
        shown = "a space" if bad.isspace() and bad == " " else repr(bad)
        raise PromptError(f"the label {label!r} holds {shown}; a label has no spaces, control characters, "
                          "'@' or ':' (write it as production, alice-trial, v2_candidate)")
    if len(label) > LABEL_LIMIT:
        raise PromptError(f"the label is {len(label)} characters; keep it under {LABEL_LIMIT}")
    if label == LATEST:
        raise PromptError("'latest' always means the newest version and cannot be moved; pick another label")
    return label


@dataclass(frozen=True)
class Ref:
    """A reference to one version: ``name`` and at most one of ``version`` and ``label``
    (neither: the newest)."""

    name: str
    version: int | None = None
    label: str | None = None

    def __str__(self) -> str:
        return self.name + (f"@{self.version}" if self.version else f":{self.label}" if self.label else "")


def parse_ref(text: Any, names: Any = ()) -> Ref:
    """``NAME``, ``NAME@VERSION`` or ``NAME:LABEL``. A text that is a known name whole (``names``)
    is that name, so a prompt called ``Example: rivers`` needs no quoting."""
    if not isinstance(text, str) or not text.strip():
        raise PromptError("no prompt named; write NAME, NAME@VERSION or NAME:LABEL (for example capitals@2)")
    text = " ".join(text.split())
    if text in names:
        return Ref(text)
    name, at, number = text.rpartition("@")
    if at and name and re.fullmatch(r"\d+", number):
        if int(number) < 1:
            raise PromptError(f"{text!r}: versions start at 1")
        return Ref(name, version=int(number))
    name, colon, label = text.rpartition(":")
    if colon and name and label and _LABEL.fullmatch(label):
        return Ref(name, label=label)
    return Ref(text)


@dataclass(frozen=True)
class Version:
    """One immutable version of a prompt: the whole request, who saved it, when, and why."""

    name: str
    version: int
    route: Route
    model: str
    body: dict[str, Any]
    stream: bool = False
    attachments: tuple[Attachment, ...] = ()
    variables: dict[str, str] = field(default_factory=dict)
    message: str = ""
    created_by: str = ""
    created_at: float = field(default_factory=time.time)

    @property
    def origin(self) -> Origin:
        return Origin(self.name, self.version)

    def call(self) -> Call:
        """The request, marked as this version's (a run records it)."""
        made = Call.from_body(self.route, self.body, model=self.model, stream=self.stream,
                              attachments=self.attachments)
        return made.replace(origin=self.origin)

    def request(self) -> dict[str, Any]:
        """The request as JSON (what ``prompts show`` prints and ``prompts diff`` compares):
        attachments by name, type and SHA-256."""
        return {"route": self.route.value, "model": self.model, "stream": self.stream, "body": self.body,
                "attachments": [{"name": a.name, "mime_type": a.mime_type, "sha256": a.sha256}
                                for a in self.attachments],
                "variables": dict(self.variables)}

    def to_dict(self) -> dict[str, Any]:
        """The export file's form: attachments inline as base64."""
        return {"version": self.version, "route": self.route.value, "model": self.model, "stream": self.stream,
                "body": self.body, "variables": dict(self.variables), "message": self.message,
                "created_by": self.created_by, "created_at": self.created_at,
                "attachments": [{"name": a.name, "mime_type": a.mime_type, "data": a.base64()}
                                for a in self.attachments]}

    @classmethod
    def from_dict(cls, name: str, data: Any, where: str) -> "Version":
        preset = Preset.from_dict({**data, "name": name} if isinstance(data, dict) else data, where)
        number, variables = data.get("version"), data.get("variables") or {}
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise PromptError(f"{where}: \"version\" must be a whole number from 1")
        if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
            raise PromptError(f"{where}: \"variables\" must map each name to a text value")
        message, by, at = data.get("message") or "", data.get("created_by") or "", data.get("created_at")
        return cls(name, number, preset.route, preset.model, preset.body, preset.stream, preset.attachments,
                   dict(variables), message if isinstance(message, str) else "", by if isinstance(by, str) else "",
                   float(at) if isinstance(at, (int, float)) else time.time())

    @classmethod
    def of_preset(cls, preset: Preset) -> "Version":
        """A version 1 made from a preset (its note becomes the message)."""
        return cls(preset.name, 1, preset.route, preset.model, preset.body, preset.stream, preset.attachments,
                   {}, preset.note, preset.created_by, preset.updated_at)


@dataclass(frozen=True)
class LabelMove:
    """One move of a label: from ``from_version`` (None: the label was new) to ``to_version``."""

    name: str
    label: str
    from_version: int | None
    to_version: int
    moved_by: str = ""
    moved_at: float = 0.0


@dataclass(frozen=True)
class Prompt:
    """A prompt as the library lists it: its newest version number and its labels."""

    name: str
    latest: int
    labels: dict[str, int] = field(default_factory=dict)
    updated_at: float = 0.0
    created_by: str = ""


@dataclass(frozen=True)
class Entry:
    """A prompt in an export file: every version, and where each label points."""

    name: str
    versions: tuple[Version, ...]
    labels: dict[str, int] = field(default_factory=dict)


# ---- the export file (the presets file, version 2) ----------------------------------------------

def dumps(entries: list[Entry]) -> str:
    """``{"format": "comet-presets", "version": 2, "prompts": [{name, versions, labels}]}``."""
    return json.dumps({"format": FORMAT, "version": FILE_VERSION, "prompts": [
        {"name": e.name, "labels": e.labels, "versions": [v.to_dict() for v in e.versions]} for e in entries]},
        ensure_ascii=False, indent=1) + "\n"


def loads(text: str | bytes) -> list[Entry]:
    """The prompts of an export file: version 2 (prompts with versions and labels) or version 1 and
    bare lists (presets: each becomes a prompt with one version). Raises :class:`PromptError`."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PromptError(f"the file is not JSON ({exc}); export prompts from the Playground to get one") from None
    if not (isinstance(data, dict) and "prompts" in data):
        from .presets import loads as load_presets

        try:
            return [Entry(p.name, (Version.of_preset(p),)) for p in load_presets(text)]
        except PresetError as exc:
            raise PromptError(str(exc)) from None
    if data.get("format", FORMAT) != FORMAT:
        raise PromptError(f"the file's format is {data.get('format')!r}, not {FORMAT!r}")
    if not isinstance(data["prompts"], list):
        raise PromptError("$.prompts must be a list of {\"name\", \"versions\", \"labels\"}")
    found = [_entry(item, f"$.prompts[{i}]") for i, item in enumerate(data["prompts"])]
    names = [e.name for e in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise PromptError(f"the file names {', '.join(map(repr, twice))} more than once; keep one of each")
    return found


def _entry(item: Any, where: str) -> Entry:
    if not isinstance(item, dict):
        raise PromptError(f"{where} is not a JSON object; each prompt is {{\"name\", \"versions\", \"labels\"}}")
    name = check_prompt_name(item.get("name"), where)
    versions, labels = item.get("versions"), item.get("labels") or {}
    if not isinstance(versions, list) or not versions:
        raise PromptError(f"{where}.versions must be a list of at least one version")
    kept = tuple(Version.from_dict(name, v, f"{where}.versions[{i}]") for i, v in enumerate(versions))
    numbers = [v.version for v in kept]
    if len(set(numbers)) != len(numbers):
        raise PromptError(f"{where}.versions: a version number appears twice; each must be unique")
    if not isinstance(labels, dict):
        raise PromptError(f"{where}.labels must map each label to a version number")
    for label, number in labels.items():
        check_label(label)
        if number not in numbers:
            raise PromptError(f"{where}.labels.{label} points at version {number!r}, which the file does not hold")
    return Entry(name, tuple(sorted(kept, key=lambda v: v.version)), dict(labels))


# ---- two versions side by side --------------------------------------------------------------------

def texts(body: Any) -> str:
    """Every text of a body (Gemini ``text`` parts, OpenAI ``content`` strings, system instructions),
    one a line, in document order: what the word diff of two versions reads."""
    found: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in ("text", "content"):
            found.append(value)

    walk(body)
    return "\n".join(found)


def diff(a: Version, b: Version) -> dict[str, Any]:
    """``b`` against ``a``: ``changes`` (every key added, removed or changed in the request, with its
    JSON path: :func:`comet.runs.diff.json_diff`) and ``words`` (a word diff of their texts:
    :func:`comet.runs.compare.word_diff`), plus each side's message."""
    from comet.runs.compare import word_diff
    from comet.runs.diff import json_diff

    changes = json_diff(a.request(), b.request())
    return {"prompt": a.name if a.name == b.name else f"{a.name} / {b.name}",
            "from": {"version": a.version, "message": a.message},
            "to": {"version": b.version, "message": b.message},
            "changes": [{"path": c.path, "kind": c.kind, **({"before": c.before} if c.kind != "added" else {}),
                         **({"after": c.after} if c.kind != "removed" else {})} for c in changes],
            "words": [{"op": op.op, "text": op.text} for op in word_diff(texts(a.body), texts(b.body))]}
