"""Comet Playground's engine: one request value, two CometAPI routes, and everything around them.

    >>> from comet import Call, Client, Route
    >>> call = Call(Route.GEMINI, "gemini-2.5-flash", {"contents": [{"parts": [{"text": "hi"}]}]})
    >>> Client().send(call).text            # doctest: +SKIP

Modules: ``call`` (the request value and ``prepare``), ``validate``, ``errors``, ``exchange``
(what a run produced), ``client`` (the only network code), ``emulator`` (a local CometAPI),
``snippets``, ``convert``, ``store`` (run history; ``history`` is its row-dict view), ``models``, ``form`` and ``features`` (the Playground's
controls as functions over a body), ``schema`` (structured output checked against its schema).
Nothing here imports streamlit or pandas.
"""

__version__ = "0.3.0"  # the one version: pyproject reads it, `comet --version`, the sidebar, each run

from .call import (Attachment, Call, Prepared, Route, auth_headers, endpoint, prepare, simple_body,
                   user_text, wire_body)
from .config import DEFAULT_BASE_URL, Settings
from .errors import (APIError, AuthError, BadRequest, CometError, ConfigError, ErrorInfo,
                     NotFound, Problem, ProtocolError, RateLimited, RequestError, ServerError,
                     Timeout, TransportError, classify)
from .exchange import (Candidate, Exchange, FunctionCall, Reply, Retrying, TextDelta,
                       ThoughtDelta, Timing, Usage)
from .rules import validate
from .validate import parse_json, problems

__all__ = [
    "__version__",
    "Call", "Attachment", "wire_body", "Prepared", "Route", "prepare", "endpoint", "auth_headers", "simple_body", "user_text",
    "Settings", "DEFAULT_BASE_URL",
    "CometError", "ConfigError", "RequestError", "TransportError", "Timeout", "APIError",
    "BadRequest", "AuthError", "NotFound", "RateLimited", "ServerError", "ProtocolError",
    "ErrorInfo", "Problem", "classify",
    "Exchange", "Reply", "Usage", "Timing", "Candidate", "FunctionCall", "TextDelta",
    "ThoughtDelta", "Retrying",
    "parse_json", "problems", "validate",
    "Client", "CancelToken", "Emulator",
]


def __getattr__(name):  # the client and emulator load on first use: `import comet` stays light
    if name in ("Client", "CancelToken"):
        from . import client
        return getattr(client, name)
    if name == "Emulator":
        from .emulator import Emulator
        return Emulator
    raise AttributeError(f"module 'comet' has no attribute {name!r}")
