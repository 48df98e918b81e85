"""Which store: ``COMET_HISTORY_URL`` (``sqlite:///path`` or ``postgresql://...``), else the
SQLite file at ``COMET_HISTORY_DB``, else the per-user default. A URL is shown to people only
through :func:`redact` (no password, ever)."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from comet.core.errors import ConfigError

URL_ENV = "COMET_HISTORY_URL"
DB_ENV = "COMET_HISTORY_DB"
TIMEOUT_ENV = "COMET_HISTORY_TIMEOUT"
DEFAULT_TIMEOUT_S = 5.0
SCHEMES = ("sqlite", "postgresql", "postgres")


def default_path() -> Path:
    """The SQLite history: ``$COMET_HISTORY_DB``, else the per-user data directory (XDG on Linux)."""
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV]).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "comet-playground" / "history.sqlite3"


def history_url(secrets: Mapping[str, Any] | None = None) -> str:
    """The configured URL: the environment first, then ``secrets`` (``st.secrets``), else the
    SQLite default (``COMET_HISTORY_DB`` or the per-user file)."""
    found = (os.environ.get(URL_ENV) or "").strip()
    if not found and secrets is not None:
        try:
            found = str(secrets.get(URL_ENV) or "").strip()
        except Exception:  # no secrets file: st.secrets raises on any access
            found = ""
    return found or f"sqlite:///{default_path()}"


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***``: the only form of a URL that is shown."""
    text = str(url)
    parts = urlsplit(text)
    if parts.password is None:
        return text
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))


def scheme(url: str) -> str:
    """``sqlite``, ``postgresql`` or ``path`` (a bare file path); ConfigError for anything else."""
    text = str(url)
    if "://" not in text:
        return "path"
    name = text.split("://", 1)[0].lower()
    if name not in SCHEMES:
        raise ConfigError(f"{URL_ENV} = {redact(text)} names no known store: use sqlite:///PATH or "
                          "postgresql://USER:PASSWORD@HOST:PORT/DBNAME")
    return "postgresql" if name == "postgres" else name


def sqlite_path(url: str) -> str:
    """The file of a ``sqlite:///PATH`` URL (``sqlite:///:memory:`` is an in-memory database)."""
    rest = str(url).split("://", 1)[1] if "://" in str(url) else str(url)
    if rest.startswith("/:memory:") or rest == ":memory:":
        return ":memory:"
    if not rest.strip("/"):
        raise ConfigError(f"{URL_ENV} = {url} names no file: use sqlite:///PATH")
    if rest.startswith("/"):
        rest = "/" + rest.lstrip("/")  # sqlite:////abs/path (four slashes) is the same file
    return str(Path(rest).expanduser())


def timeout_s() -> float:
    """``COMET_HISTORY_TIMEOUT`` in seconds (default 5): the longest one PostgreSQL statement may
    run, and the longest a SQLite call waits for another writer's lock."""
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.5 <= value <= 3600:  # NaN fails too
        raise ConfigError(f"{TIMEOUT_ENV} = {text!r} is not a number of seconds from 0.5 to 3600",
                          fix=f"set {TIMEOUT_ENV} to a number of seconds, for example 5, or unset it")
    return value
