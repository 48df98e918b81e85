"""Where requests go and with which key.

The key is read here and handed to :class:`comet.http.client.Client` only; it never enters a
:class:`~comet.core.call.Call`, an :class:`~comet.core.exchange.Exchange`, a snippet or a log line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigError

DEFAULT_BASE_URL = "https://api.cometapi.com"
KEY_ENV = "COMETAPI_KEY"
BASE_URL_ENV = "COMETAPI_BASE_URL"
DEMO_KEY = "demo"  # the key demo mode sends to its emulator, which accepts any non-empty key


def normalise_base_url(url: str) -> str:
    """Check a base URL and strip the trailing slash (and a mistaken ``/v1`` suffix).

    CometAPI's own docs give ``https://api.cometapi.com/v1`` for the OpenAI SDK and
    ``https://api.cometapi.com`` for the Gemini SDK; we keep the host root and add the
    route's path ourselves, so either spelling works here.
    """
    raw = (url or "").strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"base URL {raw!r} is not an http(s) URL; set {BASE_URL_ENV} to something like "
            f"{DEFAULT_BASE_URL}"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"base URL {raw!r} must not carry a query or fragment")
    path = parts.path.rstrip("/")
    for suffix in ("/v1beta", "/v1"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: os._Environ | dict | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        base = env.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        key = (env.get(KEY_ENV) or "").strip() or None
        return cls(base_url=normalise_base_url(base), api_key=key)

    def __repr__(self) -> str:  # never print the key
        return f"Settings(base_url={self.base_url!r}, api_key={'set' if self.api_key else None})"
