"""A draft id is checked by its form before any database sees it, on both backends: a ``?draft=``
link holding ``%00`` or any other non-id is refused with DraftIdError (a ValueError saying what an
id looks like), never the database's own error, and nothing is written."""

from __future__ import annotations

import pytest

from comet.store import open_store
from comet.store.drafts import DraftIdError, is_id, new_id

NOT_IDS = ["\x00", "abc\x00def", "", " ", "a b", "../etc/passwd", "x" * 65, "é", "d1;DROP TABLE drafts",
           "d1\n", "%00", None, 7]


def test_new_ids_and_plain_names_are_ids():
    assert all(is_id(new_id()) for _ in range(200))
    assert is_id("d1") and is_id("draft-1_A") and is_id("x" * 64)
    assert not any(is_id(bad) for bad in NOT_IDS)


@pytest.mark.parametrize("bad", NOT_IDS, ids=repr)
def test_every_drafts_method_refuses_a_non_id(history_url, bad):
    store = open_store(history_url)
    try:
        drafts = store.drafts
        for call in (lambda: drafts.read(bad), lambda: drafts.load(bad), lambda: drafts.attachments(bad),
                     lambda: drafts.save(bad, {"model": "m"}), lambda: drafts.delete(bad)):
            with pytest.raises(DraftIdError, match="is not a draft id: one is 1 to 64 letters, digits"):
                call()
        assert drafts.ids() == []  # nothing was written
        assert drafts.save("d1", {"model": "m"}) == 1 and drafts.load("d1") == {"model": "m"}
    finally:
        store.close()


def test_the_refusal_is_a_value_error_and_shows_a_long_id_cut():
    with pytest.raises(ValueError) as err:
        open_store(":memory:").drafts.read("y" * 5000)
    assert len(str(err.value)) < 200 and "..." in str(err.value)
