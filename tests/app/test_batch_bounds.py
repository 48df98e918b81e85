"""Bounded batches on the pages (#27): the Batch page refuses an upload over the row limit with the
reason, asks first (showing the cost estimate) above a number of requests, and the pages' requests
in flight are capped server-wide (ui/inflight.py): a batch at 8 in flight under a cap of 2 never
has more than 2 open at the upstream."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler

from app_support import APP, TIMEOUT, no_exception, texts
from loopback import serving
from streamlit.testing.v1 import AppTest

from ui.batch_bounds import CONFIRM_ABOVE, ROW_LIMIT


def open_batch() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    return no_exception(at.switch_page("pages/batch.py").run())


def upload(at: AppTest, rows: int) -> AppTest:
    text = "country\n" + "".join(f"land {i}\n" for i in range(rows))
    return no_exception(at.file_uploader(key="bat_upload").set_value(("cases.csv", text.encode(), "text/csv")).run())


def until_finished(at: AppTest, limit_s: float = 90) -> AppTest:
    deadline = time.monotonic() + limit_s
    while not at.session_state["bat_run"].finished:
        assert time.monotonic() < deadline, "the batch did not finish"
        time.sleep(0.2)
        at.run()
    return no_exception(at.run())


def test_an_upload_over_the_row_limit_is_refused_with_the_reason(on_emulator):
    at = upload(open_batch(), ROW_LIMIT + 1)
    assert f"{ROW_LIMIT + 1:,} rows, over the limit of {ROW_LIMIT:,} cases" in texts(at, "error")
    kept = at.session_state["bat_cases"] if "bat_cases" in at.session_state else []
    assert len(kept) <= 1  # the table keeps its default case: nothing of the file was read into it
    at = upload(at, 3)  # a file within the limit is taken
    assert len(at.session_state["bat_cases"]) == 3 and not texts(at, "error")


def test_a_large_batch_shows_its_cost_estimate_and_asks_first(on_emulator):
    cases = CONFIRM_ABOVE // 2 + 1  # two targets by default: just over the threshold
    at = upload(open_batch(), cases)
    before = len(on_emulator.received)
    at = no_exception(at.button(key="bat_go").click().run())
    asked = texts(at, "warning")
    assert f"This batch sends **{cases * 2:,} requests**" in asked and "Estimated cost:" in asked
    assert "input and up to" in asked and "output tokens" in asked
    assert "bat_run" not in at.session_state and len(on_emulator.received) == before  # nothing sent yet
    at = no_exception(at.button(key="bat_confirm_cancel").click().run())
    assert "bat_run" not in at.session_state and "This batch sends" not in texts(at, "warning")
    at = no_exception(at.button(key="bat_go").click().run())
    at = no_exception(at.button(key="bat_confirm_go").click().run())
    run = at.session_state["bat_run"]
    assert run.total == cases * 2
    no_exception(at.button(key="bat_stop").click().run())


def test_a_small_batch_runs_at_once(on_emulator):
    at = until_finished(no_exception(upload(open_batch(), 2).button(key="bat_go").click().run()))
    assert at.session_state["bat_run"].total == 4 and "This batch sends" not in texts(at, "warning")


class Counting(BaseHTTPRequestHandler):
    """An upstream that answers both routes after a pause and counts the requests open at once."""

    protocol_version = "HTTP/1.1"
    lock, now, most, total = threading.Lock(), 0, 0, 0

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        cls = type(self)
        with cls.lock:
            cls.now, cls.total = cls.now + 1, cls.total + 1
            cls.most = max(cls.most, cls.now)
        try:
            time.sleep(0.3)
            self._answer(body)
        finally:
            with cls.lock:
                cls.now -= 1

    def _answer(self, body: dict) -> None:
        if "/chat/completions" in self.path:
            message = {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
            chunk = {"choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]}
            data = (b"data: " + json.dumps(chunk).encode() + b"\n\ndata: [DONE]\n\n" if body.get("stream")
                    else json.dumps({"choices": [message]}).encode())
        else:
            answer = {"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}
            data = (b"data: " + json.dumps(answer).encode() + b"\n\n" if "streamGenerateContent" in self.path
                    else json.dumps(answer).encode())
        stream = data.startswith(b"data: ")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream" if stream else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_pages_requests_in_flight_are_capped_server_wide(monkeypatch):
    with serving(Counting) as base_url:
        monkeypatch.setenv("COMETAPI_BASE_URL", base_url)
        monkeypatch.setenv("COMETAPI_KEY", "test-key")
        monkeypatch.setenv("COMET_PAGES_IN_FLIGHT", "2")
        at = upload(open_batch(), 6)
        at.number_input(key="bat_concurrency").set_value(8).run()
        at = until_finished(no_exception(at.button(key="bat_go").click().run()))
        assert at.session_state["bat_run"].total == 12 and Counting.total == 12
        assert Counting.most == 2, Counting.most  # 8 workers, 2 slots: never more open at once
