"""Code that sends a request: curl, Python and Node, raw HTTP and the official SDKs.

Every snippet starts from :func:`comet.core.call.prepare`, the value :class:`comet.http.client.Client`
sends, so a raw snippet is that request (same method, URL and JSON body) and an SDK snippet
sends the same body up to :func:`canonical`. The key is always read from the environment
(``COMETAPI_KEY``), never written into the code. One small module per target:

    curl        curl through a quoted here-document          prints the response body
    python      httpx2                                       prints the answer text
    python-sdk  google-genai (Gemini) / openai (OpenAI)      prints the answer text
    node        Node 18+ built-in fetch (ES module)          prints the answer text
    node-sdk    @google/genai (Gemini) / openai (OpenAI)     prints the answer text

Streaming calls print the text as it arrives. A call that makes images also gets its images
written to files by the Python and Node snippets (:mod:`comet.tools.snippets.images`). Quoting
for every language lives in
:mod:`comet.tools.snippets.literals`.
"""

from __future__ import annotations

from dataclasses import dataclass

from comet.core.call import Call, prepare
from comet.core.config import normalise_base_url

from . import curl, node, node_sdk, python, python_sdk
from .canonical import canonical

__all__ = ["LANGS", "EXTENSIONS", "Snippet", "render", "canonical"]

_MODULES = {"curl": curl, "python": python, "python-sdk": python_sdk, "node": node,
            "node-sdk": node_sdk}
LANGS = tuple(_MODULES)
EXTENSIONS = {"curl": "sh", "python": "py", "python-sdk": "py", "node": "mjs", "node-sdk": "mjs"}


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
