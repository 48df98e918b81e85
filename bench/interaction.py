"""How long does an edit keep the page busy? The Playground against a trivial page, in Chromium.

    python bench/interaction.py [--edits 40]

Runs ``streamlit run app.py`` in demo mode and a trivial Streamlit page (a text box and a number
box) side by side, and drives both in Debian's chromium (Playwright). For each edit it types a
new value into a field and commits it with Tab, as a person does, and measures in the page the
time from the Tab key going down to the app being idle again: the app's
``data-test-script-state`` attribute back to ``notRunning`` and staying so for 300 ms (a run that
starts another run counts whole; for a run too short for the state to be drawn as running, the
last change it drew in the page). The Playground's edits go round its first screen: the prompt,
the system instruction, temperature, top-p, max output tokens and stop sequences, each to a new
value every time; the trivial page's go round its two boxes. The pages take turns, one edit
each, so a busy moment of the machine falls on both.

Each page's times are printed, and their medians field by field; the last line holds each
page's p50 and p95 and the ratio of the p95s (target: at most 2.0 on a quiet machine), with the
machine's load average beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

TRIVIAL = '''import streamlit as st

st.title("Trivial")
name = st.text_input("Name")
count = st.number_input("Count", value=0)
st.write(f"{name} x {count}")
'''

# The last change the page made after Tab went down: the app's script state, or anything drawn in
# it (a run too short for the state to be drawn as running still draws its output).
WATCH = """() => { const app = document.querySelector('.stApp');
  window.__t0 = null; window.__idle = null; window.__changed = performance.now();
  document.addEventListener('keydown', e => { if (e.key === 'Tab') window.__t0 = performance.now(); }, true);
  new MutationObserver(() => { const now = performance.now(); window.__changed = now;
    if (window.__t0 !== null) window.__idle = now; })
    .observe(app, {attributes: true, childList: true, subtree: true, characterData: true}); }"""

QUIET_MS = 300


def start(script: Path, port: int, tmp: Path, **env: str) -> subprocess.Popen:
    environ = {k: v for k, v in os.environ.items() if k not in ("COMETAPI_KEY", "COMETAPI_BASE_URL")}
    environ.update(COMET_HISTORY_DB=str(tmp / "history.sqlite3"), **env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{script.name} did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def idle(page) -> None:
    page.wait_for_function(
        f"() => document.querySelector('.stApp').getAttribute('data-test-script-state') === 'notRunning'"
        f" && performance.now() - window.__changed > {QUIET_MS}")


class Target:
    """One page in its own tab, with the fields an edit goes round."""

    def __init__(self, browser, url: str, ready: str, fields: list[tuple[str, str, object]]):
        self.page = browser.new_page(viewport={"width": 1280, "height": 720})
        self.page.set_default_timeout(60_000)
        self.page.goto(url)
        self.page.locator(ready).first.wait_for()
        self.page.evaluate(WATCH)
        idle(self.page)
        self.fields, self.k, self.times, self.missed = fields, 0, [], []
        self.labels: list[str] = []  # the field of each time in ``times``

    def edit(self) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        role, label, values = self.fields[self.k % len(self.fields)]
        value = values(self.k)
        self.k += 1
        box = self.page.get_by_role(role, name=label, exact=True).first
        box.fill(str(value))
        self.page.evaluate("() => { window.__t0 = null; window.__idle = null; }")
        box.press("Tab")
        try:
            self.page.wait_for_function("() => window.__idle !== null && window.__idle > window.__t0",
                                        timeout=20_000)
        except PlaywrightTimeout:  # said, not counted: a missed edit must not pass for a fast one
            self.missed.append(f"{label}={value}")
            return
        finally:
            idle(self.page)
        self.times.append(self.page.evaluate("() => window.__idle - window.__t0"))
        self.labels.append(label)


PLAYGROUND_FIELDS = [
    ("textbox", "Prompt", lambda k: f"Write a haiku about the number {k}"),
    ("spinbutton", "Temperature", lambda k: round(0.1 + (k % 15) / 10, 1)),
    ("textbox", "System instruction", lambda k: f"Answer in {k % 7 + 2} words."),
    ("spinbutton", "Top-p", lambda k: round(0.5 + (k % 9) / 20, 2)),
    ("spinbutton", "Max output tokens", lambda k: 100 + k),
    ("textbox", "Stop sequences", lambda k: f"END{k}"),
]
TRIVIAL_FIELDS = [
    ("textbox", "Name", lambda k: f"name {k}"),
    ("spinbutton", "Count", lambda k: k),
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(edits: int) -> tuple[tuple[Target, Target], tuple[float, float, float]]:
    from browser_support import launch
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trivial = tmp / "trivial.py"
        trivial.write_text(TRIVIAL, encoding="utf-8")
        app_port, trivial_port = free_port(), free_port()
        procs = [start(ROOT / "app.py", app_port, tmp), start(trivial, trivial_port, tmp)]
        try:
            with sync_playwright() as p:
                browser = launch(p)
                playground = Target(browser, f"http://127.0.0.1:{app_port}", ".st-key-pg_send button",
                                    PLAYGROUND_FIELDS)
                plain = Target(browser, f"http://127.0.0.1:{trivial_port}", "input[aria-label=Name]",
                               TRIVIAL_FIELDS)
                for _ in range(3):  # warm both: first runs import and cache
                    playground.edit()
                    plain.edit()
                for target in (playground, plain):
                    target.times.clear()
                    target.labels.clear()
                load = os.getloadavg()
                for _ in range(edits):
                    playground.edit()
                    plain.edit()
                load = tuple(max(a, b) for a, b in zip(load, os.getloadavg()))
                browser.close()
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)
    return (playground, plain), load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40, help="edits on each page (default 40)")
    args = parser.parse_args()
    (ours, trivial), load = measure(args.edits)
    for name, target in (("playground", ours), ("trivial", trivial)):
        print(f"{name}, each edit, ms:", " ".join(f"{t:.0f}" for t in target.times))
        by_field = {label: [t for t, f in zip(target.times, target.labels) if f == label]
                    for label in dict.fromkeys(target.labels)}
        print(f"{name}, p50 by field, ms:",
              ", ".join(f"{label} {statistics.median(ts):.0f}" for label, ts in by_field.items()))
        if target.missed:
            print(f"{name}: no run seen after", ", ".join(target.missed))
    ours, trivial = ours.times, trivial.times
    p50, p95 = statistics.median(ours), pct(ours, 0.95)
    t50, t95 = statistics.median(trivial), pct(trivial, 0.95)
    print(f"commit -> idle over {len(ours)} edits each: Playground p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
          f"trivial page p50 {t50:.0f} ms, p95 {t95:.0f} ms; p95 ratio {p95 / t95:.2f}x, p50 ratio "
          f"{p50 / t50:.2f}x (target: p95 ratio at most 2.0 on a quiet machine; load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
