"""comet.store.background.Writer on a real SQLite history that cannot be opened until the test lets
it (a file stands where its folder should be: open_store's own ConfigError): writes wait in a
bounded queue, a full queue refuses and counts, a keyed write replaces its queued namesake, and
everything queued lands, once each, when the store answers again."""

from __future__ import annotations

import time

from comet import Call, Route, simple_body
from comet.core.exchange import Exchange, Reply, Timing
from comet.store import open_store
from comet.store.background import Full, Writer


def exchange(prompt: str) -> Exchange:
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body(Route.GEMINI, prompt))
    return Exchange(call, "https://api.cometapi.com", 200, Reply(text="ok", finish_reason="stop"), None,
                    Timing(started_at=1_790_000_000.0, latency_ms=5.0))


def until(condition, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "not within the limit"
        time.sleep(0.02)


def blocked_store(tmp_path):
    """An opener of a history whose folder is a file for now, and the function that clears the way."""
    blocker = tmp_path / "history"
    blocker.write_text("not a folder")
    path = blocker / "history.sqlite3"
    opened = []

    def opener():
        if not opened:
            opened.append(open_store(path))
        return opened[0]

    return opener, blocker.unlink, opened


def test_a_full_queue_refuses_and_counts_and_the_rest_lands_once_the_store_answers(tmp_path):
    opener, clear, opened = blocked_store(tmp_path)
    said: list[str | None] = []
    writer = Writer(opener, limit=3, waits=(0.05,), probe_s=0.1, on_change=said.append)
    tickets = [writer.record(exchange(f"run {i}"), cost=0.5) for i in range(5)]
    assert [type(t.error) for t in tickets[3:]] == [Full, Full] and all(t.done for t in tickets[3:])
    assert writer.dropped == {"run": 2} and writer.waiting == {"run": 3}
    until(lambda: writer.down)
    assert "cannot be used" in writer.problem and said and said[-1] == writer.problem
    assert not tickets[0].wait(0.3)  # still waiting while the store cannot be opened
    clear()
    assert writer.drain(20)
    assert [t.value for t in tickets[:3]] == [1, 2, 3] and not writer.down and said[-1] is None
    store = opened[0]
    assert [r["prompt_preview"] for r in store.page()] == ["run 2", "run 1", "run 0"]
    assert writer.dropped == {"run": 2} and not writer.waiting  # the drops stay counted for the banner
    store.close()


def test_a_keyed_write_replaces_the_one_queued_under_its_key(tmp_path):
    opener, clear, opened = blocked_store(tmp_path)
    writer = Writer(opener, waits=(0.05,), probe_s=0.1)
    first = writer.put("draft", lambda store: store.drafts.save("d1", {"text": "first"}), key="d1")
    until(lambda: writer.down)  # the first is being tried: a newer one queues behind it
    writes = [writer.put("draft", lambda store, n=n: store.drafts.save("d1", {"text": n}), key="d1")
              for n in ("second", "third", "fourth")]
    assert writer.waiting == {"draft": 2}
    assert writes[0].done and writes[1].done and not writes[2].done  # replaced, never written
    clear()
    assert writer.drain(20) and first.value == 1 and writes[2].value == 2
    assert opened[0].drafts.read("d1") == ({"text": "fourth"}, 2)
    opened[0].close()


def test_an_error_about_the_write_itself_is_given_up_not_retried(tmp_path):
    store = open_store(tmp_path / "h.sqlite3")
    writer = Writer(lambda: store, waits=(0.05,), probe_s=0.1)
    bad = writer.put("run", lambda s: s.record("not an exchange"))
    good = writer.record(exchange("after the bad one"))
    assert writer.drain(20) and isinstance(bad.error, AttributeError) and good.value == 1
    assert writer.failed == {"run": 1} and writer.problem is None
    store.close()
