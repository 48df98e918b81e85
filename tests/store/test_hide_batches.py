"""History's "Hide batch runs": the store filters batch runs (group ids bat-...) out in SQL, on
both backends, keeping single runs and comparisons; counted, paged and exported alike."""

from __future__ import annotations

import json

from comet import Call, Route, simple_body
from comet.core.exchange import Exchange, Reply, Timing, Usage
from comet.store import open_store


def run(prompt: str, i: int) -> Exchange:
    call = Call(Route.GEMINI, "gemini-2.5-flash", simple_body(Route.GEMINI, prompt))
    return Exchange(call, "https://api.cometapi.com", 200, Reply(text=f"reply {i}", usage=Usage(3, 4, None, 7)),
                    None, Timing(started_at=1_790_000_000.0 + i, ttft_ms=10.0, latency_ms=20.0))


def test_batch_runs_are_hidden_and_the_rest_kept(history_url):
    store = open_store(history_url)
    try:
        store.record(run("alone", 0))
        store.record(run("compared", 1), group_id="cmp-1", label="Gemini native · gemini-2.5-flash")
        for i in range(3):
            store.record(run(f"case {i}", 2 + i), group_id="bat-abc", label=f"case {i}")
        assert store.count() == 5
        assert store.count(no_batches=True) == 2
        assert [r["prompt_preview"] for r in store.page(no_batches=True)] == ["compared", "alone"]
        assert len(json.loads(store.export("json", no_batches=True))) == 2
        assert store.count(no_batches=True, group_id="bat-abc") == 0
    finally:
        store.close()
