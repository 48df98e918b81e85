"""``python -m comet import curl`` with a malformed URL exits 2 with the reason and the fix, never
a traceback, and never prints the URL (it may hold a key)."""

from __future__ import annotations

import pytest
from cli_support import comet

BODY = """-d '{"model": "m", "messages": []}'"""


@pytest.mark.parametrize("url, reason", [
    ("http://[::1", "the URL is malformed: Invalid IPv6 URL"),
    ("'http://exa mple.com/v1/chat/completions?key=sk-url-key-42'", "the URL has a space"),
    ("http://example.com:99999/v1/chat/completions?key=sk-url-key-42", "the URL is malformed: Port out of range"),
])
def test_a_malformed_url_exits_2_with_the_reason(url, reason):
    out = comet("import", "curl", "-", stdin=f"curl {url} {BODY}\n")
    assert out.returncode == 2, out.stderr
    assert f"error: {reason}" in out.stderr and "fix: " in out.stderr
    assert "Traceback" not in out.stderr and "sk-url-key-42" not in out.stdout + out.stderr and not out.stdout
