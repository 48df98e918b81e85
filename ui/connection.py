"""Where requests go, with which key, and the cached client, emulator and model list.

With no key the app runs on the built-in emulator (one per process, ``comet.emulator.shared``)
and says so. A key comes from a password field typed in this browser session, then
``COMETAPI_KEY``, then ``st.secrets``. The key stays on the server: it is never a widget
value sent to the browser, never in a cache key (a short fingerprint stands in), never
shown, logged or put in an error.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import streamlit as st

import comet
from comet import CometError, ConfigError, Settings
from comet.core.config import DEMO_KEY, KEY_ENV
from comet.http.models import ModelInfo, is_gemini

from . import inflight
from .inert import inert

SESSION_KEY = "conn_key"  # password field (this browser session only)
USE_EMULATOR = "conn_use_emulator"

# Shown when the model list cannot be fetched; any other ID can still be typed.
FALLBACK_MODELS = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite",
                   "gemini-3-flash-preview", "gemini-3.1-pro-preview")


@dataclass(frozen=True)
class Connection:
    base_url: str
    api_key: str = field(repr=False)
    demo: bool
    key_source: str | None  # "this session", KEY_ENV, "st.secrets" or None
    service_url: str  # where requests go with a key
    problem: str | None = None  # a configuration problem worth showing (never the key)

    @property
    def fingerprint(self) -> str:
        """Stands in for the key wherever a hashable identity is needed (caches)."""
        return hashlib.sha256(f"{self.base_url}\0{self.api_key}".encode()).hexdigest()[:16]

    def client(self):
        """The client, its requests counted against the pages' one cap (ui/inflight.py)."""
        return inflight.Gated(_client(self.base_url, self.fingerprint, _key=self.api_key))

    @property
    def label(self) -> str:
        return "Demo mode: local emulator" if self.demo else f"CometAPI at {self.base_url}"


@st.cache_resource(show_spinner=False)
def emulator():
    """The demo emulator: started once per process, shared by every session."""
    from comet.emulator import shared

    return shared()


@st.cache_resource(show_spinner=False, max_entries=16)
def _client(base_url: str, fingerprint: str, *, _key: str):
    from comet import Client

    return Client(base_url, _key)


def _secret_key() -> str | None:
    try:
        if not st.secrets.load_if_toml_exists():
            return None
        value = st.secrets.get(KEY_ENV)
    except Exception:  # a malformed secrets file is not worth failing the page over
        return None
    return str(value).strip() or None if value else None


def current() -> Connection:
    """The connection for this run, from the environment, secrets and the sidebar's state."""
    problem = None
    try:
        settings = Settings.from_env()
    except ConfigError as err:
        settings, problem = Settings(), str(err)
    typed = (st.session_state.get(SESSION_KEY) or "").strip()
    key, source = None, None
    for value, where in ((typed, "this session"), (settings.api_key, KEY_ENV), (None, "st.secrets")):
        if where == "st.secrets" and key is None:
            value = _secret_key()
        if value:
            key, source = value, where
            break
    if key and not st.session_state.get(USE_EMULATOR, False) and problem is None:
        return Connection(settings.base_url, key, False, source, settings.base_url)
    emu = emulator()
    return Connection(emu.base_url, DEMO_KEY, True, source, settings.base_url, problem)


def where(conn: Connection) -> str:
    """One line saying where requests go (never the key)."""
    if conn.demo:
        # in code style: markdown would make the emulator's address a link to a page it does not serve
        return f"Demo mode: local emulator at `{conn.base_url}` (nothing leaves this machine)"
    return f"Requests go to {conn.base_url} (key from {conn.key_source})"


def chip(conn: Connection) -> tuple[str, str]:
    """The sidebar's status chip: its label and colour (the address with a key, else demo)."""
    if conn.demo:
        return "Demo · emulator", "blue"
    return conn.base_url.split("://", 1)[-1].rstrip("/"), "green"


def sidebar() -> Connection:
    """The shared sidebar: a status chip saying where requests go, the key field and the switch
    to the emulator; the page's own caption says the rest once."""
    with st.sidebar:
        status = st.container()
        st.text_input("API key (this browser session only)", key=SESSION_KEY, type="password",
                      placeholder=f"or set {KEY_ENV}", help="kept on the server for this session; never shown")
        conn = current()
        label, colour = chip(conn)
        where_to = "an emulator in this app: nothing leaves this machine" if conn.demo else \
            f"key from {conn.key_source}"
        status.badge(label, icon=":material/science:" if conn.demo else ":material/cloud_done:", color=colour,
                     help=f"Requests go to {conn.base_url} ({where_to})")
        if conn.key_source:
            st.toggle("Use the local emulator", key=USE_EMULATOR,
                      help="send to the built-in emulator instead of CometAPI; switch back at any time")
        if conn.demo and not conn.key_source:
            st.caption(f"Set {KEY_ENV} or type a key above to talk to {conn.service_url}.")
        elif not conn.demo:
            st.caption(f"key from {conn.key_source}")
        if conn.problem:
            st.warning(inert(conn.problem))
        st.caption(f"Comet Playground {comet.__version__}")
    return conn


@st.cache_data(ttl=600, show_spinner=False)
def _models(base_url: str, fingerprint: str, _conn: Connection) -> list[ModelInfo]:
    return _conn.client().models()  # a failure raises, and is not cached


def models(conn: Connection) -> tuple[list[ModelInfo], str | None]:
    """The live model list (Gemini first), cached for ten minutes, and a note when it failed."""
    try:
        return _models(conn.base_url, conn.fingerprint, conn), None
    except CometError as err:
        return ([ModelInfo(id=m, gemini=True) for m in FALLBACK_MODELS],
                f"Model list unavailable ({err.kind}); any model ID can still be typed.")


def listed_models(conn: Connection) -> list[ModelInfo]:
    """:func:`models`, with the note (if any) drawn as a caption where the page is."""
    catalog, note = models(conn)
    if note:
        st.caption(note)
    return catalog


def model_label(model_id: str, catalog: dict[str, ModelInfo]) -> str:
    """``gemini-2.5-flash · $0.30 / $2.50 per M tokens`` where the catalog has a price."""
    info = catalog.get(model_id)
    if info is None or info.pricing is None:
        return model_id
    return f"{model_id} · ${info.pricing.input:g} in / ${info.pricing.output:g} out per M"


def sort_models(ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda m: (not is_gemini(m), m))


def snippet_base_url(conn: Connection, use_emulator: bool) -> str:
    """Snippets show the code people will paste: the service's address (CometAPI by default)
    in demo mode, unless the user asks for the emulator's to try them locally."""
    return conn.service_url if conn.demo and not use_emulator else conn.base_url
