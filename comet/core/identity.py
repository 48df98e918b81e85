"""Who is here: the :class:`Identity` of the person using the app, and the sign-in settings.

``COMET_AUTH`` picks how a session gets one (environment first, then ``st.secrets``):

- ``none`` (the default): one person on their own machine; everything is theirs and runs are
  attributed to the OS login name;
- ``header``: an authenticating proxy (oauth2-proxy, Authelia, ...) puts the email in
  ``COMET_AUTH_HEADER`` (default ``X-Forwarded-Email``); with ``COMET_AUTH_PROXY_SECRET`` set,
  ``X-Comet-Proxy-Secret`` must carry it too, so a request that went round the proxy is refused;
- ``oidc``: Streamlit's own ``st.login`` with the ``[auth]`` section of ``secrets.toml``.

``COMET_ALLOWED_USERS`` (emails and ``@domain`` entries, comma-separated; empty: anyone the
proxy or provider signed in) says who may come in, ``COMET_ADMINS`` (emails) who may delete
anything and see everyone's spend. Nothing here reads a request: the UI hands in what it saw.
"""

from __future__ import annotations

import getpass
import hmac
import os
from dataclasses import dataclass, field
from typing import Callable

from .errors import ConfigError

AUTH_ENV = "COMET_AUTH"
HEADER_ENV = "COMET_AUTH_HEADER"
PROXY_SECRET_ENV = "COMET_AUTH_PROXY_SECRET"
ALLOWED_ENV = "COMET_ALLOWED_USERS"
ADMINS_ENV = "COMET_ADMINS"
USER_ENV = "COMET_USER"
MODES = ("none", "header", "oidc")
DEFAULT_HEADER = "X-Forwarded-Email"
PROXY_SECRET_HEADER = "X-Comet-Proxy-Secret"


@dataclass(frozen=True)
class Identity:
    """One person: ``email`` is the key every store write records as ``created_by`` (the OS
    login name in ``none`` mode), ``name`` what the page shows, ``admin`` may act on anyone's."""

    email: str
    name: str = ""
    admin: bool = False

    @property
    def label(self) -> str:
        return self.name or self.email

    def owns(self, created_by: str | None) -> bool:
        """May this person delete or rename what ``created_by`` made? Its creator or an admin."""
        return self.admin or (bool(created_by) and created_by == self.email)


def os_login() -> str:
    """The OS login name (``none`` mode's person); ``unknown`` where the OS cannot say."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no login name (a container without /etc/passwd entry): still a name
        return "unknown"


def cli_user(given: str | None = None, environ: dict | None = None) -> str:
    """Who a CLI run is attributed to: ``--user``, else ``COMET_USER``, else the OS login name."""
    env = os.environ if environ is None else environ
    return (given or "").strip() or (env.get(USER_ENV) or "").strip() or os_login()


def _entries(text: str | None) -> tuple[str, ...]:
    return tuple(e.strip().lower() for e in (text or "").split(",") if e.strip())


@dataclass(frozen=True)
class AuthSettings:
    mode: str = "none"
    header: str = DEFAULT_HEADER
    proxy_secret: str = field(default="", repr=False)
    allowed: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()

    @classmethod
    def read(cls, lookup: Callable[[str], str | None] | None = None) -> "AuthSettings":
        """The settings from ``lookup(name)`` (default: the environment). An unknown mode is a
        ConfigError naming it and the fix: a typo must not open the app to everyone."""
        get = lookup or os.environ.get
        mode = (get(AUTH_ENV) or "none").strip().lower()
        if mode not in MODES:
            raise ConfigError(f"{AUTH_ENV} = {mode!r} is not a sign-in mode; set it to none, header or oidc",
                              fix=f"set {AUTH_ENV} to none, header or oidc")
        header = (get(HEADER_ENV) or DEFAULT_HEADER).strip()
        return cls(mode, header, (get(PROXY_SECRET_ENV) or "").strip(),
                   _entries(get(ALLOWED_ENV)), _entries(get(ADMINS_ENV)))

    def allows(self, email: str) -> bool:
        """Is ``email`` on the allow-list (an empty list lets in everyone signed in)?"""
        who = email.strip().lower()
        if not self.allowed or who in self.admins:
            return True
        domain = "@" + who.rpartition("@")[2] if "@" in who else None
        return who in self.allowed or (domain is not None and domain in self.allowed)

    def proxy_ok(self, presented: str | None) -> bool:
        """Did the request carry the proxy's secret (always, when none is configured)?"""
        if not self.proxy_secret:
            return True
        return hmac.compare_digest((presented or "").encode(), self.proxy_secret.encode())

    def person(self, email: str, name: str = "") -> Identity:
        who = email.strip().lower()
        return Identity(who, name.strip(), who in self.admins)

    def local(self) -> Identity:
        """``none`` mode's person: the OS login name, who owns everything on their own machine."""
        return Identity(os_login(), admin=True)
