"""The request value at the centre of everything, and the one function that prepares it.

A :class:`Call` is what goes on the wire, minus the key. :func:`prepare` turns it into the
exact method, URL, headers (without the key) and body bytes. The client, the snippet
generators and history all start from that one :class:`Prepared` value, so a snippet is the
request that was sent.

On the OpenAI-compatible route ``model`` and ``stream`` live in the body (the model picker and
the stream switch write them there). On the Gemini-native route the model is in the URL and
streaming picks the operator. :func:`prepare` adds nothing to the body.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping
from urllib.parse import quote

from . import limits
from .capabilities import INLINE_LIMIT, MEDIA_TYPES  # noqa: F401  (re-exported: comet.call names them)
from .errors import ROUTE_LABELS, Problem, RequestError


class Route(str, Enum):
    GEMINI = "gemini"
    OPENAI = "openai"

    @property
    def label(self) -> str:
        return ROUTE_LABELS[self]  # keyed by the str value; Route hashes and compares as it

    @classmethod
    def parse(cls, value: "Route | str") -> "Route":
        if isinstance(value, Route):
            return value
        v = str(value).strip().lower()
        aliases = {"gemini": cls.GEMINI, "native": cls.GEMINI, "gemini-native": cls.GEMINI,
                   "openai": cls.OPENAI, "chat": cls.OPENAI, "openai-compatible": cls.OPENAI}
        if v not in aliases:
            raise ValueError(f"unknown route {value!r}: use 'gemini' or 'openai'")
        return aliases[v]



# Which header carries the key on each route. Only client.send puts a key in it.
KEY_HEADER = {Route.GEMINI: "x-goog-api-key", Route.OPENAI: "Authorization"}
MASK = "••••••••"


# Media the user attached are held beside the body; the body names them with a placeholder
# token that prepare() swaps for the base64 data (issue 6). The JSON tab stays readable and the
# token keeps pointing at the file through edits.
ATTACHMENT_TOKEN = re.compile(r"<attachment:([^<>]+)>")


@dataclass(frozen=True)
class Attachment:
    name: str
    mime_type: str
    data: bytes = field(repr=False)

    @property
    def token(self) -> str:
        return f"<attachment:{self.name}>"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")


def resolve_attachments(value: Any, attachments: Mapping[str, Attachment]) -> Any:
    """A copy of ``value`` with every ``<attachment:NAME>`` token replaced by its base64."""
    if isinstance(value, str):
        if "<attachment:" not in value:
            return value
        return ATTACHMENT_TOKEN.sub(
            lambda m: attachments[m.group(1)].base64() if m.group(1) in attachments else m.group(0), value)
    if isinstance(value, list):
        return [resolve_attachments(v, attachments) for v in value]
    if isinstance(value, dict):
        return {k: resolve_attachments(v, attachments) for k, v in value.items()}
    return value


def attachment_names(value: Any) -> list[str]:
    """Names of all attachment tokens in a body, in order of appearance."""
    return ATTACHMENT_TOKEN.findall(json.dumps(value, ensure_ascii=False)) if value else []


# One encoder for every request: json.dumps with options builds a new JSONEncoder each call.
# NaN and Infinity are not JSON: never written (comet.core.limits names the field instead).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_body(body: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, the bytes that go on the wire (non-ASCII kept as is)."""
    return _ENCODER.encode(body).encode("utf-8")


@dataclass(frozen=True)
class Origin:
    """Where a request came from: a saved prompt's name and version (:mod:`comet.store.prompts`), and
    whether it was edited since it was loaded. A run records it (History's prompt and version)."""

    prompt: str
    version: int
    modified: bool = False

    def __str__(self) -> str:
        return f"{self.prompt} v{self.version}" + (" (modified)" if self.modified else "")


@dataclass(frozen=True)
class Call:
    """One request: route, model, stream switch and the route's own JSON body.

    The body is copied on construction, so a Call never changes under you. On the OpenAI route
    the constructor writes ``model`` and ``stream`` into the body; use :meth:`from_body` when
    the body (for example, the JSON tab) should win instead.

    ``route`` may be given as a name (``Call("gemini", ...)`` in a REPL): it is parsed here
    once, and every function inside ``comet`` then takes the :class:`Route` itself.
    """

    route: Route
    model: str
    body: dict[str, Any] = field(default_factory=dict)
    stream: bool = False
    attachments: tuple[Attachment, ...] = ()
    origin: Origin | None = field(default=None, compare=False)  # the saved prompt it came from, if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "attachments", tuple(self.attachments or ()))
        route = Route.parse(self.route)
        object.__setattr__(self, "route", route)
        _must_be_object(route, self.body)
        try:
            body = copy.deepcopy(dict(self.body)) if self.body is not None else {}
        except RecursionError:  # far past comet.core.limits.MAX_DEPTH: say where, not a traceback
            raise _beyond_limits(route, self.model, self.body) from None
        if route is Route.OPENAI:
            body["model"] = self.model
            if self.stream:
                body["stream"] = True
            else:
                body.pop("stream", None)
        object.__setattr__(self, "body", body)

    @classmethod
    def from_body(cls, route: Route, body: Mapping[str, Any], *, model: str = "",
                  stream: bool = False, attachments: tuple[Attachment, ...] = ()) -> "Call":
        """Build a Call where an OpenAI body's own ``model`` / ``stream`` win over the
        arguments (the JSON tab is the source of truth there)."""
        _must_be_object(route, body)
        if route is Route.OPENAI:
            if isinstance(body.get("model"), str) and body.get("model"):
                model = body["model"]
            if "stream" in body:
                stream = body.get("stream") is True
        return cls(route=route, model=model, body=dict(body), stream=stream, attachments=attachments)

    def replace(self, **changes: Any) -> "Call":
        values = {"route": self.route, "model": self.model, "body": self.body, "stream": self.stream,
                  "attachments": self.attachments, "origin": self.origin}
        values.update(changes)
        return Call(**values)


@dataclass(frozen=True)
class Prepared:
    """The exact request: method, URL, headers without the key, body bytes."""

    route: Route
    method: str
    url: str
    headers: dict[str, str]
    content: bytes
    stream: bool

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def path(self) -> str:
        """Path and query, as a server sees it."""
        rest = self.url.split("://", 1)[-1]
        slash = rest.find("/")
        return rest[slash:] if slash >= 0 else "/"

    def shown_headers(self) -> dict[str, str]:
        """Headers as the page shows them: the key header present, its value masked."""
        shown = dict(self.headers)
        name = KEY_HEADER[self.route]
        shown[name] = f"Bearer {MASK}" if name == "Authorization" else MASK
        return shown


@functools.lru_cache(maxsize=256)  # pure, and on every request's path
def endpoint(route: Route, model: str, stream: bool, base_url: str, *,
             operator: str | None = None) -> str:
    bad_model = limits.model_problems(route, model)  # cached with the URL: free on the hot path
    if bad_model:
        raise RequestError(bad_model)
    base = base_url.rstrip("/")
    if route is Route.OPENAI:
        return f"{base}/v1/chat/completions"
    op = operator or ("streamGenerateContent?alt=sse" if stream else "generateContent")
    name = model[len("models/"):] if model.startswith("models/") else model
    return f"{base}/v1beta/models/{quote(name, safe='.-_')}:{op}"


def wire_body(call: Call) -> dict[str, Any]:
    """The body as sent: the call's body with attachment tokens replaced by their data."""
    if not call.attachments:
        return call.body
    return resolve_attachments(call.body, {a.name: a for a in call.attachments})


def prepare(call: Call, base_url: str) -> Prepared:
    """The exact request. A body or model ID beyond :mod:`comet.core.limits` (a lone surrogate,
    NaN, a huge number, deep nesting) raises :class:`~comet.core.errors.RequestError` naming it."""
    headers = {"Content-Type": "application/json"}
    if call.stream:
        headers["Accept"] = "text/event-stream"
    try:
        url = endpoint(call.route, call.model, call.stream, base_url)
        content = encode_body(wire_body(call))
    except (ValueError, TypeError, RecursionError):  # UnicodeEncodeError is a ValueError
        raise _beyond_limits(call.route, call.model, call.body) from None
    return Prepared(route=call.route, method="POST", url=url, headers=headers, content=content,
                    stream=call.stream)


def _must_be_object(route: Route, body: Any) -> None:
    if body is not None and not isinstance(body, Mapping):
        raise RequestError(Problem(route.value, "$", f"the body must be a JSON object, not {type(body).__name__}",
                                   "wrap the request in { ... }"))


def _beyond_limits(route: Route, model: Any, body: Any) -> Exception:
    """The RequestError for a call that cannot be copied or encoded (found the slow way, only
    once the fast path failed)."""
    found = limits.model_problems(route, model)
    try:
        found += limits.problems(body, route)
    except RecursionError:
        pass
    return RequestError(found or [Problem(route.value, "$", "the body cannot be encoded as JSON",
                                          "keep to strings, numbers, true/false, null, lists and objects")])


def auth_headers(route: Route, api_key: str) -> dict[str, str]:
    """The key header for a route. Called by the client's send path only."""
    if route is Route.GEMINI:
        return {"x-goog-api-key": api_key}
    return {"Authorization": f"Bearer {api_key}"}


def user_text(body: Mapping[str, Any], route: Route) -> str:
    """The last user prompt's text, for previews and history search."""
    if route is Route.GEMINI:
        for content in reversed(_list(body.get("contents"))):
            if isinstance(content, Mapping) and content.get("role", "user") == "user":
                texts = [p.get("text", "") for p in _list(content.get("parts"))
                         if isinstance(p, Mapping) and isinstance(p.get("text"), str)]
                if texts:
                    return "\n".join(texts)
        return ""
    for message in reversed(_list(body.get("messages"))):
        if isinstance(message, Mapping) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return "\n".join(p["text"] for p in content
                                 if isinstance(p, Mapping) and p.get("type") == "text" and isinstance(p.get("text"), str))
    return ""


def _list(value: Any) -> list:
    """``value`` when it is a list, else an empty one (a malformed body reads as empty)."""
    return value if isinstance(value, list) else []


def simple_body(route: Route | str, prompt: str, *, system: str | None = None) -> dict[str, Any]:
    """A minimal body for a prompt (and optional system instruction) in the route's shape.

    A REPL entry point: ``route`` may be a name (``"gemini"``), parsed here once."""
    route = Route.parse(route)
    if route is Route.GEMINI:
        body: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        return body
    messages = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": prompt}]
    return {"messages": messages}
