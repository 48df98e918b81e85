"""The live reply's repaint timing (issue 14, item 3): the first text is painted the moment it
arrives, later ones at most every FLUSH_S, and a held-back delta waits only until that deadline.

The panes draw into a recording stand-in for Streamlit's containers (what was drawn, in order):
the timing logic is the subject here; the browser benchmark bench/first_paint.py measures the
whole path."""

from __future__ import annotations

from time import perf_counter

from comet import TextDelta, ThoughtDelta
from ui.run import live as reply


class Slot:
    def __init__(self, log: list):
        self.log = log

    def empty(self) -> "Slot":
        return Slot(self.log)

    def container(self) -> "Slot":
        return Slot(self.log)

    def expander(self, *args, **kwargs) -> "Slot":
        return Slot(self.log)

    def markdown(self, text: str) -> None:
        self.log.append(("markdown", text))

    def text(self, text: str) -> None:
        self.log.append(("text", text))

    def caption(self, text: str) -> None:
        self.log.append(("caption", text))

    warning = caption


def drawn(log: list) -> list[str]:
    return [text for kind, text in log if kind in ("markdown", "text")]


def test_first_text_is_painted_at_once_even_right_after_a_paint():
    log: list = []
    live = reply._Live(Slot(log))
    live.paint(final=False)  # a status repaint just happened...
    assert live.take([TextDelta("Hello")]) is None
    live.paint(final=False)  # ...and the first text still goes out now
    assert drawn(log) == ["Hello"]


def test_later_text_is_throttled_and_waits_only_until_the_deadline():
    log: list = []
    live = reply._Live(Slot(log))
    live.take([TextDelta("Hello")])
    live.paint(final=False)
    live.take([TextDelta(" world")])
    live.paint(final=False)
    assert drawn(log) == ["Hello"]  # held back: painted less than FLUSH_S ago
    wait = live.wait()
    assert 0 <= wait <= reply.FLUSH_S < reply.POLL_S  # not a full poll interval
    live.last_paint = perf_counter() - reply.FLUSH_S  # the deadline has come
    assert live.wait() == 0
    live.paint(final=False)
    assert drawn(log)[-1] == "Hello world"


def test_the_first_thought_is_painted_at_once_too():
    log: list = []
    live = reply._Live(Slot(log))
    live.take([TextDelta("")])  # an empty first delta (a role chunk) paints nothing visible
    live.paint(final=False)
    live.take([ThoughtDelta("Considering")])
    live.paint(final=False)
    assert "Considering" in drawn(log)


def test_nothing_waiting_means_a_full_poll_interval():
    live = reply._Live(Slot([]))
    assert live.wait() == reply.POLL_S
