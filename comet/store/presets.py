"""Named requests: save what worked under a name (with a note), load it again, share a file.

    >>> p = Preset.of("haiku", Call("gemini", "gemini-2.5-flash", simple_body("gemini", "a haiku")))
    >>> store.save_preset(p); store.preset("haiku").call() == p.call()     # doctest: +SKIP

A :class:`Preset` is a :class:`~comet.core.call.Call` (route, model, stream, body, attachments) with a
name and a note; never a key (a Call holds none). Stores keep them (``Store.save_preset`` and
friends, :mod:`comet.store.base`), so on a shared store a team shares them. :func:`dumps` and
:func:`loads` are the export file: JSON, attachments inline as base64. :data:`BUILTINS` are
examples of what each route can do; they are not stored and cannot be renamed or deleted.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from comet.core.call import Attachment, Call, Route
from comet.core.errors import CometError

FORMAT = "comet-presets"
VERSION = 1
NAME_LIMIT = 120


class PresetError(CometError):
    """A preset or preset file that cannot be used; the message names the field and the fix."""

    kind = "bad_input"


@dataclass(frozen=True)
class Preset:
    name: str
    route: Route
    model: str
    body: dict[str, Any]
    stream: bool = False
    note: str = ""
    attachments: tuple[Attachment, ...] = ()
    updated_at: float = field(default_factory=time.time)
    builtin: bool = False
    created_by: str = ""  # who saved it first (comet.store.owners); "" unknown

    @classmethod
    def of(cls, name: str, call: Call, note: str = "") -> "Preset":
        return cls(check_name(name), call.route, call.model, call.body, call.stream, note.strip(),
                   tuple(call.attachments))

    def call(self) -> Call:
        return Call.from_body(self.route, self.body, model=self.model, stream=self.stream,
                              attachments=self.attachments)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "note": self.note, "route": self.route.value, "model": self.model,
                "stream": self.stream, "body": self.body, "updated_at": self.updated_at,
                "attachments": [{"name": a.name, "mime_type": a.mime_type, "data": a.base64()}
                                for a in self.attachments]}

    @classmethod
    def from_dict(cls, data: Any, where: str = "the preset") -> "Preset":
        # the checks of comet.tools.share's request files, worded to name the preset and its field
        if not isinstance(data, dict):
            raise PresetError(f"{where} is not a JSON object; each preset is {{\"name\", \"route\", \"model\", \"body\"}}")
        try:
            route = Route.parse(data.get("route", ""))
        except ValueError:
            raise PresetError(f"{where}: \"route\" must be \"gemini\" or \"openai\"") from None
        body, model = data.get("body"), data.get("model")
        if not isinstance(body, dict):
            raise PresetError(f"{where}: \"body\" must be the route's JSON object")
        if not isinstance(model, str) or not model.strip():
            raise PresetError(f"{where}: \"model\" must be a model ID such as \"gemini-2.5-flash\"")
        note, updated = data.get("note") or "", data.get("updated_at")
        return cls(check_name(data.get("name"), where), route, model, body, data.get("stream") is True,
                   note if isinstance(note, str) else "", _attachments(data.get("attachments"), where),
                   float(updated) if isinstance(updated, (int, float)) else time.time())


def check_name(name: Any, where: str = "the preset") -> str:
    if not isinstance(name, str) or not name.strip():
        raise PresetError(f"{where}: the name is empty; give the preset a name")
    name = " ".join(name.split())
    if len(name) > NAME_LIMIT:
        raise PresetError(f"{where}: the name is {len(name)} characters; keep it under {NAME_LIMIT}")
    return name


def _attachments(items: Any, where: str) -> tuple[Attachment, ...]:
    found = []
    for i, item in enumerate(items or ()):
        try:
            found.append(Attachment(str(item["name"]), str(item.get("mime_type") or "application/octet-stream"),
                                    base64.b64decode(item["data"], validate=True)))
        except (KeyError, TypeError, AttributeError, binascii.Error):
            raise PresetError(f"{where}: attachment {i + 1} needs \"name\", \"mime_type\" and base64 \"data\"") from None
    return tuple(found)


# ---- the export file -----------------------------------------------------------------------------

def dumps(presets: list[Preset]) -> str:
    """The export file: ``{"format": "comet-presets", "version": 1, "presets": [...]}``."""
    return json.dumps({"format": FORMAT, "version": VERSION, "presets": [p.to_dict() for p in presets]},
                      ensure_ascii=False, indent=1) + "\n"


def loads(text: str | bytes) -> list[Preset]:
    """The presets of an export file (or of a bare list of presets). Raises :class:`PresetError`."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PresetError(f"the file is not JSON ({exc}); export presets from the Playground to get one") from None
    if isinstance(data, dict) and "presets" in data:
        if data.get("format", FORMAT) != FORMAT:
            raise PresetError(f"the file's format is {data.get('format')!r}, not {FORMAT!r}")
        data = data["presets"]
    if not isinstance(data, list):
        raise PresetError(f"the file holds no presets; expected {{\"format\": \"{FORMAT}\", \"presets\": [...]}}")
    found = [Preset.from_dict(item, f"preset {i + 1}") for i, item in enumerate(data)]
    names = [p.name for p in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise PresetError(f"the file names {', '.join(map(repr, twice))} more than once; keep one of each")
    return found


# ---- built-in examples ------------------------------------------------------------------------------

def _tiny_png() -> bytes:
    """A real 2x2 PNG (red, green, blue, white), so the image example sends a valid image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"\x00\xff\x00\x00\x00\xff\x00" + b"\x00\x00\x00\xff\xff\xff\xff"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _user(text: str, *more: dict[str, Any]) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": text}, *more]}]}


_EXAMPLES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("Structured output", "gemini", "The reply is JSON that fits the schema; the verdict shows under it.", {
        **_user("List three rivers of Europe with their length in km."),
        "generationConfig": {"responseMimeType": "application/json", "responseJsonSchema": {
            "type": "object", "required": ["rivers"], "properties": {"rivers": {"type": "array", "items": {
                "type": "object", "required": ["name", "length_km"],
                "properties": {"name": {"type": "string"}, "length_km": {"type": "integer"}}}}}}}}),
    ("Function calling", "gemini", "The model asks for get_weather; answer it under the reply.", {
        **_user("What is the weather in Lisbon right now?"),
        "tools": [{"functionDeclarations": [{
            "name": "get_weather", "description": "Current weather for a city",
            "parameters": {"type": "object", "required": ["city"],
                           "properties": {"city": {"type": "string"}}}}]}]}),
    ("Thinking budget", "gemini", "A 1,024-token thinking budget with thought summaries.", {
        **_user("A bat and a ball cost 1.10 in total. The bat costs 1.00 more than the ball. "
                "How much is the ball?"),
        "generationConfig": {"thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True}}}),
    ("Grounded answer", "gemini", "Google Search grounding: sources and queries show under the reply.", {
        **_user("Who won the most recent Tour de France?"), "tools": [{"googleSearch": {}}]}),
    ("Image input", "gemini", "A small image attached inline (tiny.png); replace it under the prompt.", _user(
        "Describe this image.", {"inlineData": {"mimeType": "image/png", "data": "<attachment:tiny.png>"}})),
    ("Image generation", "gemini", "An image model: text and a 16:9 image; Edit this image under the reply.", {
        **_user("A lighthouse at dusk, in watercolour."),
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"], "imageConfig": {"aspectRatio": "16:9"}}}),
)
_MODELS = {"Image generation": "gemini-3.1-flash-image-preview"}  # the examples not on gemini-2.5-flash


def _builtins() -> tuple[Preset, ...]:
    image = Attachment("tiny.png", "image/png", _tiny_png())
    return tuple(Preset(f"Example: {name}", Route.parse(route), _MODELS.get(name, "gemini-2.5-flash"), body, False,
                        note,
                        (image,) if "<attachment:tiny.png>" in json.dumps(body) else (), 0.0, builtin=True)
                 for name, route, note, body in _EXAMPLES)


BUILTINS: tuple[Preset, ...] = _builtins()
