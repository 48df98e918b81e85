"""Code that sends a request: curl, Python and Node, raw HTTP and the official SDKs.

Every snippet starts from :func:`comet.call.prepare`, the value :class:`comet.client.Client`
sends, so a raw snippet is that request (same method, URL and JSON body) and an SDK snippet
sends the same body up to :func:`canonical`. The key is always read from the environment
(``COMETAPI_KEY``), never written into the code. One small module per target:

    curl        curl through a quoted here-document          prints the response body
    python      httpx                                        prints the answer text
    python-sdk  google-genai (Gemini) / openai (OpenAI)      prints the answer text
    node        Node 18+ built-in fetch (ES module)          prints the answer text
    node-sdk    @google/genai (Gemini) / openai (OpenAI)     prints the answer text

Streaming calls print the text as it arrives. Quoting for every language lives in
:mod:`comet.snippets.literals`.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass

from ..call import Call, Route, prepare, simple_body
from ..config import BASE_URL_ENV, DEFAULT_BASE_URL, normalise_base_url
from ..errors import ConfigError
from . import curl, node, node_sdk, python, python_sdk
from .canonical import canonical

__all__ = ["LANGS", "EXTENSIONS", "Snippet", "render", "canonical", "cli"]

_MODULES = {"curl": curl, "python": python, "python-sdk": python_sdk, "node": node,
            "node-sdk": node_sdk}
LANGS = tuple(_MODULES)
EXTENSIONS = {"curl": "sh", "python": "py", "python-sdk": "py", "node": "mjs", "node-sdk": "mjs"}
LABELS = {"curl": "curl", "python": "Python (httpx)", "python-sdk": "Python SDK",
          "node": "Node (fetch)", "node-sdk": "Node SDK"}


@dataclass(frozen=True)
class Snippet:
    code: str
    lang: str
    warnings: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"comet.{EXTENSIONS[self.lang]}"


def render(call: Call, lang: str, *, base_url: str) -> Snippet:
    """The snippet in ``lang`` that sends ``call`` to ``base_url`` (key from the environment)."""
    if lang not in _MODULES:
        raise ValueError(f"unknown snippet language {lang!r}: use one of {', '.join(LANGS)}")
    base = normalise_base_url(base_url)
    code, warnings = _MODULES[lang].render(call, prepare(call, base), base)
    return Snippet(code=code, lang=lang, warnings=tuple(warnings))


def cli(args) -> int:
    """``python -m comet snippet``: print the snippet; warnings go to stderr."""
    try:
        route = Route.parse(args.route)
        body = _read_body(args, route)
        base = args.base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        stream = args.stream or (route is Route.OPENAI and body.get("stream") is True)
        snippet = render(Call(route, args.model, body, stream=stream), args.lang, base_url=base)
    except (ValueError, ConfigError, OSError) as exc:
        print(f"comet snippet: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(snippet.code)
    for warning in snippet.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _read_body(args, route: Route) -> dict:
    if args.body is None:
        if args.prompt is None:
            raise ValueError("give the request as --prompt TEXT or --body FILE (- for standard input)")
        return simple_body(route, args.prompt)
    if args.prompt is not None:
        raise ValueError("give --prompt or --body, not both")
    if args.body == "-":
        text = sys.stdin.read()
    else:
        with open(args.body, encoding="utf-8") as f:
            text = f.read()
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body
