"""Usage: what you spent on the deployment's key, by day and model (admins: everyone's, and the
deletes log)."""

import streamlit as st

from ui import spending
from ui.shell import ensure_app

ensure_app()  # before drawing: see ui/shell.py

st.title("Usage")
st.caption("Spend on this deployment's key over the last 30 days, as the app priced each run; a run whose "
           "price was unknown counts its tokens at the catalog's highest Gemini price.")
spending.usage_view()
