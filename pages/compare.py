"""Compare page: placeholder, owned by the Compare/History engineer (issue 5)."""

import streamlit as st

st.title("Compare")
st.info("Coming soon.")
