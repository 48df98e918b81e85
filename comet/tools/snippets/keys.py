"""How a snippet reads the key: from ``COMETAPI_KEY``, never written into the code.

One convenience: when the base URL is on loopback (the built-in emulator's, as in demo mode), the
emulator takes any key, so the snippet falls back to :data:`PLACEHOLDER` when ``COMETAPI_KEY`` is
unset and says so in a comment; pasted into a shell with no key set, it runs. A snippet for any
other address is unchanged: it needs the variable and holds nothing that looks like a key.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

ENV = "COMETAPI_KEY"
PLACEHOLDER = "any-key-works-on-the-emulator"
NOTE = (f"{ENV} if set, else a placeholder: this base URL is on this machine (an emulator), "
        "where any key works")


def local(base_url: str) -> bool:
    """Whether ``base_url`` names this machine (localhost or a loopback address)."""
    host = urlsplit(base_url).hostname or ""
    try:
        return host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        return False


def shell(base_url: str) -> str:
    """The key in a double-quoted shell word."""
    return f"${{{ENV}:-{PLACEHOLDER}}}" if local(base_url) else f"${ENV}"


def python(base_url: str, quote: str = '"') -> str:
    """The key as a Python expression (``quote``: the quote the expression may use inside an
    f-string, which before Python 3.12 cannot reuse the f-string's own)."""
    if local(base_url):
        return f"os.environ.get({quote}{ENV}{quote}) or {quote}{PLACEHOLDER}{quote}"
    return f"os.environ[{quote}{ENV}{quote}]"


def js(base_url: str) -> str:
    """The key as a JavaScript expression."""
    return f'process.env.{ENV} || "{PLACEHOLDER}"' if local(base_url) else f"process.env.{ENV}"
