"""The pieces that keep a split key out of what the client hands out (comet.http.redact), on
hand-made input: the seams a socket delivers at random are placed here on purpose."""

from __future__ import annotations

from comet.core.exchange import TextDelta, ThoughtDelta
from comet.http.redact import MASK, Held, Watch, split_masked

KEY = "sk-unit-5e8d1c44-do-not-leak"


def test_a_key_fed_one_character_a_delta_is_never_handed_out():
    held = Held((KEY,))
    text = f"say {KEY} twice {KEY}, sk-"
    out = [d for ch in text for d in held.deltas([TextDelta(ch)])] + held.flush()
    assert "".join(d.text for d in out) == f"say {MASK} twice {MASK}, sk-"
    assert all(len(d.text) < 8 or MASK in d.text for d in out)


def test_text_and_thoughts_and_candidates_are_held_apart():
    held = Held((KEY,))
    first = held.deltas([ThoughtDelta("a " + KEY[:5]), TextDelta("b " + KEY[:9], 1), TextDelta("c")])
    second = held.deltas([TextDelta(KEY[9:], 1), ThoughtDelta(KEY[5:] + "!")])
    assert first == [ThoughtDelta("a "), TextDelta("b ", 1), TextDelta("c")]
    assert second == [TextDelta(MASK, 1), ThoughtDelta(MASK + "!")]
    assert held.flush() == []


def test_a_key_split_between_two_reads_is_seen_in_the_bytes():
    watch = Watch((KEY,))
    data = b'{"modelVersion": "' + KEY.encode() + b'"}'
    watch.read(data[:25])
    assert not watch.seen
    watch.read(data[25:])
    assert watch.seen


def test_a_key_split_between_the_parts_of_one_answer_is_blanked_in_each():
    answer = {"candidates": [{"content": {"parts": [{"text": "key " + KEY[:6]}, {"text": KEY[6:] + " end"}]}}],
              "modelVersion": "m"}
    kept = split_masked(answer, (KEY,))
    assert [p["text"] for p in kept["candidates"][0]["content"]["parts"]] == ["key " + MASK, " end"]
    assert answer["candidates"][0]["content"]["parts"][0]["text"] == "key " + KEY[:6]  # a copy, the answer untouched
