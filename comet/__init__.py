"""Comet Playground's engine: one request value, two CometAPI routes, and everything around them.

    >>> from comet import Call, Client, Route
    >>> call = Call(Route.GEMINI, "gemini-2.5-flash", {"contents": [{"parts": [{"text": "hi"}]}]})
    >>> Client().send(call).text            # doctest: +SKIP

Layers, each a package that imports only the ones before it (docs/architecture.md):
``core`` (Call, Exchange, errors, limits, config, capabilities) -> ``body`` (what a body says:
form, features, rules, schema, convert) -> ``http`` (the client, the only network code) ->
``runs`` (compare, batch, tally, timeline) -> ``tools`` (snippets, curl import, share, doctor)
-> ``store`` (history, presets, drafts) -> ``emulator`` -> ``cli``.
Nothing here imports streamlit or pandas.
"""

__version__ = "0.3.0"  # the one version: pyproject reads it, `comet --version`, the sidebar, each run

from comet.body.rules import validate
from comet.body.validate import parse_json, problems
from comet.core.call import (Attachment, Call, Prepared, Route, auth_headers, endpoint, prepare, simple_body, user_text,
                             wire_body)
from comet.core.config import DEFAULT_BASE_URL, Settings
from comet.core.errors import (APIError, AuthError, BadRequest, CometError, ConfigError, ErrorInfo, NotFound, Problem,
                               ProtocolError, RateLimited, RequestError, ServerError, Timeout, TransportError, classify)
from comet.core.exchange import (Candidate, Exchange, FunctionCall, Reply, Retrying, TextDelta, ThoughtDelta, Timing,
                                 Usage)

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
        from comet.http import client
        return getattr(client, name)
    if name == "Emulator":
        from comet.emulator import Emulator
        return Emulator
    raise AttributeError(f"module 'comet' has no attribute {name!r}")
