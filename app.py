"""Comet Playground: ``streamlit run app.py``.

One sidebar for every page (where requests go, the key), then the page the user picked.
"""

import streamlit as st

from comet.http import tracing
from ui import auth, connection, setup_check

st.set_page_config(page_title="Comet Playground", page_icon="☄️", layout="wide")
person = auth.gate()  # first: a session without an identity sees only the sign-in page
tracing.set_user(lambda: auth.who().email)  # runs' spans name the session's person (docs/tracing.md)

pages = {  # by address: the sign-in page answers at each (ui/auth.py PATHS) and resume() goes back to one
    "": st.Page("pages/playground.py", title="Playground", icon=":material/play_arrow:", default=True),
    "compare": st.Page("pages/compare.py", title="Compare", icon=":material/view_column:"),
    "batch": st.Page("pages/batch.py", title="Batch", icon=":material/checklist:"),
    "history": st.Page("pages/history.py", title="History", icon=":material/history:"),
    "usage": st.Page("pages/usage.py", title="Usage", icon=":material/savings:"),
}
page = st.navigation(list(pages.values()))
auth.resume(pages)  # after signing in: the link the signed-out session opened
auth.signed_in_sidebar(person)
setup_check.sidebar(connection.sidebar())
page.run()
