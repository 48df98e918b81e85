"""A ``?draft=`` link that is not a draft id (``%00``, a path, a space) opens the Playground on a
new draft and says why; no store is asked about it, so no database error reaches the page."""

from __future__ import annotations

import pytest
from app_support import no_exception, start, texts

from comet.store.drafts import is_id


@pytest.mark.parametrize("bad", ["\x00", "../../etc/passwd", "a b", "x" * 65])
def test_a_link_whose_draft_is_not_an_id_opens_a_new_draft(bad):
    at = no_exception(start(draft=bad))
    opened = at.query_params["draft"]
    assert opened != bad and is_id(opened)
    assert "is not a draft id" in texts(at, "warning")


def test_the_warning_does_not_echo_the_links_text():
    at = no_exception(start(draft="![x](http://198.51.100.7/pixel.png)"))
    assert "is not a draft id" in texts(at, "warning") and "198.51.100.7" not in texts(at, "warning")
