"""The Batch page in a real browser: ``streamlit run app.py`` in demo mode, driven by Playwright
on Debian's chromium. Upload a CSV through the file chooser, run, watch the progress bar and
the matrix fill, read the summary, Stop a long batch mid-run and keep its finished rows, and
download the results as a file a CI system would read (JUnit XML and JSON)."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser_support import Server, skip_without_browser, wait_idle

# answers slow enough (30 ms) that Stop lands mid-run
pytestmark = [pytest.mark.app_env(COMET_EMULATOR_TTFT_MS="30", COMET_EMULATOR_CHUNK_MS="0"), pytest.mark.shared_page]
playwright_api = skip_without_browser()


def open_batch(page, server: Server) -> None:
    page.goto(server.url + "/batch")
    page.get_by_text("Demo · emulator").first.wait_for()  # the sidebar's status chip
    wait_idle(page)


def upload(page, tmp_path: Path, text: str) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(text, encoding="utf-8")
    page.locator(".st-key-bat_upload input[type=file]").set_input_files(str(path))
    wait_idle(page)


def progress_text(page) -> str:
    return page.locator('[data-testid="stProgress"]').first.inner_text()


def test_upload_run_see_matrix_and_summary_and_download_the_results(server, page, tmp_path):
    open_batch(page, server)
    upload(page, tmp_path, "country\nPortugal\nPeru\nChad\n")
    page.get_by_text("3 case(s)").wait_for()  # the upload read (its rerun may start late on a busy machine)
    page.locator(".st-key-bat_go button").first.click()
    page.get_by_text("6 of 6 runs done").wait_for()
    page.get_by_text("6 passed, 0 failed, 0 errors").wait_for()
    # the summary, the matrix and the detail table (grids drawn on canvas); the summary holds the pass rate
    page.locator(".st-key-bat_details").wait_for()  # the last of them, drawn after the line above
    assert page.locator('[data-testid="stDataFrame"]').count() >= 3
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0
    with page.expect_download() as info:
        page.locator(".st-key-bat_dl_junit button").first.click()
    root = ET.parse(info.value.path()).getroot()
    assert [s.get("tests") for s in root.findall("testsuite")] == ["3", "3"]
    names = sorted(c.get("name") for c in root.iter("testcase"))
    assert names == sorted(f"case {n} (country={c})" for n, c in enumerate(("Portugal", "Peru", "Chad"), 1)
                           for _ in range(2))
    with page.expect_download() as info:
        page.locator(".st-key-bat_dl_json button").first.click()
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert data["summary"]["passed"] == 6 and {r["vars"]["country"] for r in data["results"]} == {
        "Portugal", "Peru", "Chad"}


def test_stop_mid_run_keeps_the_finished_rows(server, page, tmp_path):
    open_batch(page, server)
    upload(page, tmp_path, "country\n" + "\n".join(f"land {i}" for i in range(300)) + "\n")
    in_flight = page.locator(".st-key-bat_concurrency input")
    in_flight.fill("1")  # one at a time: 600 runs take long enough to stop on a busy machine too
    in_flight.press("Enter")
    wait_idle(page)
    page.locator(".st-key-bat_go button").first.click()
    page.locator(".st-key-bat_confirm_go button").first.click()  # 600 requests: the page asks first
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:  # wait for the first finished runs to be drawn
        shown = progress_text(page) if page.locator('[data-testid="stProgress"]').count() else ""
        if shown and not shown.startswith("0 of"):
            break
        time.sleep(0.1)
    page.get_by_text(re.compile(r"^[1-9][\d,]* result\(s\); rows 1-")).wait_for()  # the matrix fills while it runs
    assert "(stopped)" not in progress_text(page) and " done" not in progress_text(page)
    page.locator(".st-key-bat_stop button").first.click()
    page.get_by_text("runs (stopped)").wait_for()
    kept = int(progress_text(page).split(" of ")[0].replace(",", ""))
    assert 0 < kept < 600
    page.get_by_text(f"{kept:,} result(s)").wait_for()
