"""Make the README's screenshot of the Playground: ``python scripts/screenshot.py``.

Starts ``streamlit run app.py`` in demo mode (the built-in emulator, a throw-away history),
drives Debian's chromium with Playwright (types a prompt, sends it, waits for the streamed
reply) and writes ``docs/playground.png``. Not run by the tests: run it by hand when the page
changes. Needs ``/usr/bin/chromium`` (``apt-get install chromium``); never downloads a browser.
"""

from __future__ import annotations

import argparse
import os
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "playground.png"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = Path(tempfile.mkdtemp(prefix="comet-shot-"))
    env = {k: v for k, v in os.environ.items() if k not in ("COMETAPI_KEY", "COMETAPI_BASE_URL")}
    env.update(COMET_HISTORY_DB=str(tmp / "history.sqlite3"))
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.port", str(port), "--server.address", "127.0.0.1",
                               "--browser.gatherUsageStats", "false"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
            page.set_default_timeout(30_000)
            page.goto(url)
            page.get_by_role("button", name="Send").wait_for()
            page.get_by_label("System instruction", exact=True).fill("Answer in two short paragraphs.")
            page.get_by_label("Prompt", exact=True).fill("What does the Playground show next to a reply?")
            page.get_by_label("Prompt", exact=True).press("Tab")
            page.wait_for_timeout(500)
            page.get_by_role("button", name="Send").click()
            page.get_by_text("Served model").wait_for()
            page.wait_for_timeout(500)
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out, full_page=False)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
