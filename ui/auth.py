"""The sign-in gate: who this session is (:class:`comet.core.identity.Identity`), or a page that
says how to get in and nothing else.

:func:`gate` runs first in ``app.py``, before the sidebar, the model list, the emulator or the
store are touched. A session without an identity gets one hidden-navigation page (no sidebar,
whatever URL or query it opened) and the script stops there, so nothing of the deployment's
history or key reaches it. ``none`` mode is today's app: the OS login name, owning everything.
"""

from __future__ import annotations

import streamlit as st

from comet import ConfigError
from comet.core.identity import PROXY_SECRET_HEADER, AuthSettings, Identity

WHO = "auth_identity"  # this session's Identity, set by gate() on every run
PATHS = ("", "compare", "batch", "history", "usage")  # app.py's pages' addresses


def _lookup(name: str) -> str | None:
    """The environment first, then ``st.secrets`` (a missing or malformed file: nothing)."""
    import os

    if os.environ.get(name):
        return os.environ[name]
    try:
        if not st.secrets.load_if_toml_exists():
            return None
        value = st.secrets.get(name)
    except Exception:  # a malformed secrets file reads as no setting; COMET_AUTH unset stays none
        return None
    return None if value is None else str(value)


def settings() -> AuthSettings:
    return AuthSettings.read(_lookup)


def who() -> Identity:
    """This session's person, set by :func:`gate` (``none`` mode's person outside the app). With
    sign-in on and no gate passed it is an error, never a guess: nobody gets the local admin."""
    found = st.session_state.get(WHO)
    if isinstance(found, Identity):
        return found
    conf = settings()
    if conf.mode != "none":
        raise RuntimeError("no signed-in person in this session: ui.auth.gate() must run first")
    return conf.local()


def _header_identity(conf: AuthSettings) -> tuple[Identity | None, str]:
    headers = st.context.headers
    if not conf.proxy_ok(headers.get(PROXY_SECRET_HEADER)):
        return None, "refused"
    email = (headers.get(conf.header) or "").strip()
    return (conf.person(email), "") if email else (None, "ask")


def _oidc_identity(conf: AuthSettings) -> tuple[Identity | None, str]:
    user = st.user
    if not user.get("is_logged_in"):  # AppTest's st.user lacks the key: signed out
        return None, "sign-in"
    email = str(user.get("email") or "").strip()
    if not email:
        return None, "no-email"
    return conf.person(email, str(user.get("name") or "")), ""


_SAYS = {
    "ask": ("Sign-in needed", "This deployment lets people in through the team's sign-in proxy, and this "
            "request did not come through it. Ask your administrator for the address to use."),
    "refused": ("Refused", "This request did not come through the team's sign-in proxy. Ask your "
                "administrator for the address to use."),
    "no-email": ("No email address", "The sign-in provider did not say your email address. Ask your "
                 "administrator to add the email scope to the provider's settings."),
    "not-allowed": ("Not allowed", "You are signed in, but this deployment is not open to you. Ask your "
                    "administrator to add you to COMET_ALLOWED_USERS."),
    "config": ("Sign-in is misconfigured", ""),
}


def _sign_in_page(reason: str, detail: str = "") -> None:
    """The one page a session without an identity sees; then the script stops."""
    def page() -> None:
        if reason == "sign-in":
            st.title("Comet Playground")
            st.write("Sign in to use this deployment.")
            if detail:
                st.error(f"Sign-in could not start: {detail}")
            st.button("Sign in", key="auth_sign_in", type="primary", on_click=_login)
            _script(_REMEMBER)
            return
        title, text = _SAYS[reason]
        st.title(title)
        st.info(detail or text)
        if reason in ("not-allowed", "no-email") and settings().mode == "oidc":
            st.button("Sign out", key="auth_sign_out", on_click=st.logout)

    # every address the app has answers with this page (an unknown one would open "page not found")
    pages = [st.Page(page, title="Sign in", url_path=path or "sign-in", default=not path) for path in PATHS]
    st.navigation(pages, position="hidden").run()
    st.stop()


# Streamlit's sign-in ends on the app's root: the address a signed-out session opened (a ?share= or
# ?draft= link, a page) is kept in a cookie, which the first signed-in session reads and clears.
RESUME_COOKIE = "comet_after_sign_in"
RESUME = "auth_resume"  # the address to go back to, for resume()
_REMEMBER = """<script>
const here = window.parent.location;
if (here.pathname.replace(/\\/+$/, '') !== '' || here.search) {
  window.parent.document.cookie = 'comet_after_sign_in=' + encodeURIComponent(here.pathname + here.search)
    + '; path=/; max-age=600; samesite=lax';
}
</script>"""
_FORGET = """<script>
window.parent.document.cookie = 'comet_after_sign_in=; path=/; max-age=0; samesite=lax';
</script>"""


def _script(code: str) -> None:
    import streamlit.components.v1 as components

    components.html(code, height=0)


def _login() -> None:
    try:
        st.login()
    except Exception as err:  # no [auth] section, or one missing a field: say which, never its values
        st.session_state["auth_problem"] = f"{type(err).__name__}: {err}"


def gate() -> Identity:
    """This session's :class:`Identity`, or the sign-in page and a stop. Call before anything else."""
    try:
        conf = settings()
    except ConfigError as err:
        _sign_in_page("config", f"{err} ({err.fix}).")
    if conf.mode == "none":
        person = conf.local()
    else:
        person, reason = (_header_identity if conf.mode == "header" else _oidc_identity)(conf)
        if person is None:
            _sign_in_page(reason, st.session_state.pop("auth_problem", ""))
        if not conf.allows(person.email):
            _sign_in_page("not-allowed")
        if conf.mode == "oidc" and WHO not in st.session_state and st.context.cookies.get(RESUME_COOKIE):
            st.session_state[RESUME] = st.context.cookies[RESUME_COOKIE]  # resume() goes there
            _script(_FORGET)
    st.session_state[WHO] = person
    return person


def resume(pages: dict[str, object]) -> None:
    """After signing in: go to the page and query the signed-out session had opened, once.
    ``pages`` maps an address (``""``, ``"history"``, ...) to its ``st.Page``."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    wanted = st.session_state.pop(RESUME, None)
    if not wanted:
        return
    parts = urlsplit(unquote(wanted))
    target = pages.get(parts.path.strip("/"))
    if target is not None and not parts.netloc:  # only this app's own addresses
        st.switch_page(target, query_params=dict(parse_qsl(parts.query)))


def signed_in_sidebar(person: Identity) -> None:
    """The person's name and, with ``oidc``, a sign-out button beside it (none: nothing shown)."""
    mode = settings().mode
    if mode == "none":
        return
    with st.sidebar:
        name, out = st.columns([3, 1], vertical_alignment="center")
        name.markdown(f"**{person.label}**" + (" · admin" if person.admin else ""))
        if mode == "oidc":
            out.button("Sign out", key="auth_sign_out", on_click=st.logout)
