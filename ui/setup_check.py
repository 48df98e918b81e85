"""The sidebar's *Check setup*: :func:`comet.tools.doctor.run` on the app's own connection, shown in a
dialog as a model-by-route matrix, each failure with its fix in CometAPI's guide's words.

The check runs only when asked (it spends a few tokens) and its report stays in the session, so
reopening the dialog shows the last one. The key is handed to the doctor, never shown.
"""

from __future__ import annotations

import os

import streamlit as st

from comet.core.config import BASE_URL_ENV
from comet.tools import doctor

from . import spending
from .inert import inert

MODELS_KEY = "setup_models"
REPORT_KEY = "setup_report"
STATUS_BOX = {doctor.OK: st.success, doctor.WARN: st.warning, doctor.FAIL: st.error,
              doctor.SKIPPED: st.info}


def sidebar(conn) -> None:
    """The *Check setup* button under the connection; it opens the dialog."""
    if st.sidebar.button("Check setup", key="setup_open", icon=":material/fact_check:",
                         help="Is the key accepted, is the base URL CometAPI's, does each model "
                              "answer on both routes? One-token requests; the tokens are counted."):
        _dialog(conn)


def _raw_base_url(conn) -> str:
    """The address as the user set it (before the app tidies a trailing /v1 away)."""
    return conn.base_url if conn.demo else (os.environ.get(BASE_URL_ENV) or conn.base_url)


@st.dialog("Check setup", width="large")
def _dialog(conn) -> None:
    if conn.demo:
        st.caption("Demo mode: this checks the local emulator. Set COMETAPI_KEY, or type a key in "
                   "the sidebar, to check your CometAPI setup.")
    if MODELS_KEY not in st.session_state:
        st.session_state[MODELS_KEY] = st.session_state.get("pg_model") or doctor.DEFAULT_MODELS[0]
    models = st.text_input("Models to try (comma-separated)", key=MODELS_KEY,
                           help="each one gets a one-token request on the Gemini native and the "
                                "OpenAI-compatible route")
    if st.button("Run the check", key="setup_run", type="primary") and spending.allowed(conn):
        with st.spinner("Checking the key, the base URL and each model on both routes..."):
            st.session_state[REPORT_KEY] = doctor.run(
                _raw_base_url(conn), conn.api_key, [m for m in models.split(",") if m.strip()])
    report = st.session_state.get(REPORT_KEY)
    if isinstance(report, doctor.Report):
        show(report)


def show(report: doctor.Report) -> None:
    """The setup rows, the matrix, each problem's fix, then what it spent."""
    for check in report.checks:
        if not check.route:
            box = STATUS_BOX[check.status]
            box(f"**{check.subject}: {check.outcome}**  \n{check.detail}")
    rows = doctor.matrix(report)
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    for (outcome, fix), names in report.fixes():
        st.markdown(inert(f"**{', '.join(names)}: {outcome}.** {fix}"))
    st.caption(f"{report.spent()} {report.verdict()}")
    with st.expander("Details (as `python -m comet doctor` prints them)"):
        st.code(report.table(), language=None)
