"""History page: placeholder, owned by the Compare/History engineer (issue 5)."""

import streamlit as st

st.title("History")
st.info("Coming soon.")
