"""Make the README's screenshots: ``python scripts/screenshot.py``.

Starts ``streamlit run app.py`` in demo mode (the built-in emulator, a throw-away history), drives
Debian's chromium with Playwright and writes, in Streamlit's light and dark themes (the app
follows the browser's colour scheme):

* ``docs/playground-{light,dark}.png``: a prompt sent, the streamed reply with its metrics
  (``docs/playground.png`` is the light one, as before);
* ``docs/compare-{light,dark}.png``: one request on four targets, with the summary line;
* ``docs/history-{light,dark}.png``: the runs so far, the newest open beside the list;
* ``docs/batch-{light,dark}.png``: the Batch page's own suite run, its matrix and a result opened.

Not run by the tests: run it by hand when a page changes. Needs ``/usr/bin/chromium``
(``apt-get install chromium``); never downloads a browser.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
THEMES = ("light", "dark")


def start_app(tmp: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("COMETAPI_KEY", "COMETAPI_BASE_URL")}
    env.update(COMET_HISTORY_DB=str(tmp / "history.sqlite3"), COMET_EMULATOR_CHUNK_MS="15")
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.port", str(port), "--server.address", "127.0.0.1",
                               "--browser.gatherUsageStats", "false"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return server, url


def idle(page) -> None:
    page.wait_for_timeout(400)
    page.wait_for_function("() => document.querySelector('.stApp')"
                           ".getAttribute('data-test-script-state') !== 'running'")


def playground(page, url: str) -> None:
    page.goto(url)
    page.locator(".st-key-pg_send button").first.wait_for()
    page.get_by_label("System instruction", exact=True).fill("Answer in two short paragraphs.")
    page.get_by_label("Prompt", exact=True).fill("What does the Playground show next to a reply?")
    page.get_by_label("Prompt", exact=True).press("Tab")
    idle(page)
    page.locator(".st-key-pg_send button").first.click()
    page.get_by_text("Served model").first.wait_for()
    idle(page)


def compare(page, url: str) -> None:
    page.goto(url + "/compare")
    page.locator(".st-key-cmp_run button").first.wait_for()
    targets = page.get_by_label("Targets")
    targets.fill("4")
    targets.press("Enter")
    page.get_by_label("Model 4").wait_for()
    idle(page)
    for i in (2, 3):  # four distinct targets: the same two routes with a second model
        box = page.get_by_label(f"Model {i + 1}")
        box.click()
        box.fill("gemini-2.5-pro")
        box.press("Enter")
        idle(page)
    page.locator(".st-key-cmp_run button").first.click()
    page.get_by_text("Fastest first token:").first.wait_for()
    idle(page)
    page.locator(".st-key-cmp_run button").first.scroll_into_view_if_needed()  # the columns below the buttons


def history(page, url: str) -> None:
    page.goto(url + "/history")
    grid = page.locator(".st-key-hist_table")
    grid.wait_for()
    idle(page)
    box = grid.locator("canvas").first.bounding_box()  # the grid itself, under its toolbar
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + 35 + 17)  # the newest run opens beside the list
    page.locator(".st-key-hist_detail").wait_for()
    idle(page)
    grid.scroll_into_view_if_needed()


def batch(page, url: str) -> None:
    page.goto(url + "/batch")
    page.locator(".st-key-bat_go button").first.wait_for()
    idle(page)
    page.locator(".st-key-bat_go button").first.click()  # the page's own request, case and checks
    page.get_by_text("passed,").first.wait_for()
    idle(page)
    grid = page.locator(".st-key-bat_matrix")
    grid.scroll_into_view_if_needed()
    box = grid.locator("canvas").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + 35 + 17)  # case 1 on the second target
    page.locator(".st-key-bat_result").wait_for()
    idle(page)
    page.mouse.wheel(0, -250)  # the summary line above the matrix


SHOTS = (("playground", playground), ("compare", compare), ("history", history), ("batch", batch))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNG files")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server, url = start_app(Path(tempfile.mkdtemp(prefix="comet-shot-")))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
            for theme in THEMES:
                page = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1,
                                        color_scheme=theme)
                page.set_default_timeout(120_000)  # a busy machine is slow; nothing here is timed
                for name, drive in SHOTS:
                    drive(page, url)
                    path = out / f"{name}-{theme}.png"
                    page.screenshot(path=str(path), full_page=False)
                    print(path)
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    shutil.copyfile(out / "playground-light.png", out / "playground.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
