"""The spending limit before anything is sent (Playground, Compare, Batch, Check setup), and the
Usage view. The sums are :mod:`comet.store.budget`'s, over the shared store's runs.

Only the deployment's key is limited (``COMETAPI_KEY`` or ``st.secrets``): the emulator costs
nothing, and a key the person typed into the sidebar is their own.
"""

from __future__ import annotations

import streamlit as st

from comet import CometError
from comet.store import budget

from . import auth, connection, history_store


def limit() -> float | None:
    return budget.read_limit(auth._lookup)


def refusal(conn: connection.Connection, catalog=None) -> str | None:
    """Why a send on ``conn`` must not go out now, or None."""
    if conn.demo or conn.key_source == "this session":
        return None
    try:
        usd = limit()
    except CometError as err:  # a misspelt limit refuses rather than lifting the limit
        return f"{err} ({err.fix})."
    if usd is None:
        return None
    store = history_store.history()
    if store is None:
        return "The spending limit cannot be checked while the history is off, so nothing was sent."
    models = list(catalog.values()) if isinstance(catalog, dict) else catalog
    top = budget.top_price(models if models is not None else connection.models(conn)[0])
    try:
        used = budget.spend(store.store, auth.who().email, usd, top=top)
    except CometError as err:
        return f"The spending limit cannot be checked ({err}), so nothing was sent."
    return used.message() if used.over else None


def allowed(conn: connection.Connection, catalog=None) -> bool:
    """:func:`refusal`, said on the page where the button is; True when the send may go out."""
    why = refusal(conn, catalog)
    if why:
        st.error(why, icon=":material/savings:")
    return why is None


def usage_view() -> None:
    """Each person's own spend by day and model over 30 days; admins see everyone's."""
    store = history_store.history()
    if store is None:
        st.stop()  # the banner says why
    person = auth.who()
    usd = None
    try:
        usd = limit()
    except CometError as err:
        st.error(f"{err} ({err.fix}).")
    conn = connection.current()
    top = budget.top_price(connection.models(conn)[0])
    if usd is not None:
        used = budget.spend(store.store, person.email, usd, top=top)
        st.metric("Spent in the last 24 hours", f"${used.spent:.4f}", help=f"of ${usd:.2f} ({budget.BUDGET_ENV})")
        if used.over:
            st.warning(used.message())
    everyone = person.admin and st.toggle("Everyone's spend", key="use_everyone", value=True)
    rows = budget.usage(store.store, None if everyone else person.email, top=top)
    if not rows:
        st.info("No runs in the last 30 days.")
        return
    st.dataframe(rows, hide_index=True, width="stretch", column_config={
        "usd": st.column_config.NumberColumn("USD", format="$%.6f"),
        "unpriced": st.column_config.NumberColumn("Unpriced runs", help="counted at the catalog's highest Gemini price"),
    })
    if person.admin:
        _deletes_log(store)


def _deletes_log(store) -> None:
    from datetime import datetime, timezone

    from comet.store.owners import deletes

    st.subheader("Deletes")
    found = deletes(store.store)
    if not found:
        st.caption("Nothing has been deleted.")
        return
    st.dataframe([{**d, "at": datetime.fromtimestamp(d["at"], timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")}
                  for d in found], hide_index=True, width="stretch")
