"""What a Playground rerun costs, and how drawing a streamed reply grows with its length.

    python bench/app_rerun.py [--reruns 20]

1. Rerun: the Playground page (demo mode, on the built-in emulator) against a trivial
   Streamlit page, both through AppTest in this process: median wall time and the bytes of
   the messages each rerun sends to the browser.
2. Streaming: a reply of 200 and of 2,000 chunks drawn by ``ui.reply.StreamPane`` with a
   repaint after *every* chunk (the worst case; the page also throttles to ~20 repaints a
   second), against the naive way (``markdown`` of the whole text so far on every chunk).
   Bytes are counted at Streamlit's forward-message queue, i.e. what goes to the browser.
   Linear growth shows as a ratio near 10 for 10x the chunks; quadratic as one near 100.
3. End to end: the Playground sends ``[[chunks=N]]`` prompts to the emulator (no delay) and
   the bytes of the whole run are counted the same way.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("COMET_EMULATOR_TTFT_MS", "0")
os.environ.setdefault("COMET_EMULATOR_CHUNK_MS", "0")
os.environ.pop("COMETAPI_KEY", None)
os.environ.pop("COMETAPI_BASE_URL", None)
os.environ["COMET_HISTORY_DB"] = str(Path(tempfile.mkdtemp(prefix="comet-bench-")) / "history.sqlite3")

from streamlit.runtime.forward_msg_queue import ForwardMsgQueue  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

# AppTest's bare-mode "missing ScriptRunContext" warning, once per run, is noise here.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").disabled = True


class Bytes:
    """Counts the serialized size of every message a script sends toward the browser."""

    def __init__(self) -> None:
        self.total = 0
        self.messages = 0
        ForwardMsgQueue._before_enqueue_msg = self._count

    def _count(self, msg) -> None:
        self.total += msg.ByteSize()
        self.messages += 1

    def take(self) -> tuple[int, int]:
        out = (self.total, self.messages)
        self.total = self.messages = 0
        return out


def trivial_page() -> None:
    import streamlit as st

    st.title("Trivial")
    st.write("One line of text.")


def median_rerun(at: AppTest, reruns: int, counter: Bytes) -> tuple[float, float]:
    at.run()  # warm
    counter.take()
    times = []
    for _ in range(reruns):
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
    total, _ = counter.take()
    return statistics.median(times) * 1000, total / reruns


def stream_script(chunks: int, naive: bool) -> None:
    import time

    import streamlit as st

    from ui.reply import StreamPane

    words = ["Streaming ", "replies ", "grow ", "one ", "chunk ", "at ", "a ", "time", ".\n\n"]
    start = time.perf_counter()
    if naive:
        slot, text = st.empty(), ""
        for i in range(chunks):
            text += words[i % len(words)]
            slot.markdown(text)
    else:
        pane = StreamPane(st.container())
        for i in range(chunks):
            pane.add(words[i % len(words)])
            pane.flush()
    st.session_state["elapsed_ms"] = (time.perf_counter() - start) * 1000


def measure_stream(chunks: int, naive: bool, counter: Bytes) -> tuple[float, int]:
    """The script's own drawing time (AppTest's start-up left out) and the bytes it sent."""
    at = AppTest.from_function(stream_script, args=(chunks, naive), default_timeout=120)
    counter.take()
    at.run()
    assert not at.exception, at.exception
    return at.session_state["elapsed_ms"], counter.take()[0]


def measure_send(chunks: int, counter: Bytes) -> tuple[float, int, int]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.text_area(key="pg_f_prompt").set_value(f"[[chunks={chunks}]] tell me a story").run()
    counter.take()
    t = time.perf_counter()
    at.button(key="pg_send").click().run()
    elapsed = time.perf_counter() - t
    assert not at.exception, at.exception
    exchange, _ = at.session_state["runs_results"]["pg_result"].value
    return elapsed * 1000, counter.take()[0], len(exchange.reply.raw or [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=20)
    args = parser.parse_args()
    counter = Bytes()

    print("== rerun cost (AppTest, same process) ==")
    trivial_ms, trivial_b = median_rerun(AppTest.from_function(trivial_page), args.reruns, counter)
    playground = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    playground.run()
    playground.text_area(key="pg_f_prompt").set_value("Hello").run()
    play_ms, play_b = median_rerun(playground, args.reruns, counter)
    print(f"trivial page:    {trivial_ms:7.1f} ms  {trivial_b / 1024:7.1f} KiB per rerun")
    print(f"playground page: {play_ms:7.1f} ms  {play_b / 1024:7.1f} KiB per rerun")
    print(f"playground / trivial: {play_ms / trivial_ms:.1f}x time, {play_b / trivial_b:.1f}x bytes")

    print("\n== drawing a streamed reply, repaint after every chunk ==")
    rows = {}
    measure_stream(50, False, counter)  # warm: imports and the first script compile
    for naive in (False, True):
        for n in (200, 2000):
            rows[naive, n] = min((measure_stream(n, naive, counter) for _ in range(3)), key=lambda r: r[0])
            ms, b = rows[naive, n]
            print(f"{'naive markdown(all)' if naive else 'StreamPane blocks  '} {n:5d} chunks: "
                  f"{ms:8.1f} ms  {b / 1024:9.1f} KiB")
    for naive in (False, True):
        (ms1, b1), (ms2, b2) = rows[naive, 200], rows[naive, 2000]
        name = "naive" if naive else "StreamPane"
        print(f"{name:10s} 2000/200: bytes {b2 / b1:5.1f}x, time {ms2 / ms1:5.1f}x "
              f"({'linear' if b2 / b1 < 20 else 'quadratic'})")

    print("\n== end to end: Playground -> emulator (no delay) -> page ==")
    sends = {n: measure_send(n, counter) for n in (200, 2000)}
    for n, (ms, b, got) in sends.items():
        print(f"{n:5d} chunks ({got} received): {ms:8.1f} ms  {b / 1024:9.1f} KiB")
    (ms1, b1, _), (ms2, b2, _) = sends[200], sends[2000]
    print(f"2000/200: bytes {b2 / b1:.1f}x, time {ms2 / ms1:.1f}x")


if __name__ == "__main__":
    main()
