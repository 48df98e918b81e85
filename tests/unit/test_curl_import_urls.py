"""curl import meets a malformed URL with CurlImportError and the reason (what curl itself would
reject: a space, a broken [IPv6] host, a port that is not one, no host, a scheme that is not
HTTP), never a ValueError, and never with the URL's text (it may hold a key)."""

from __future__ import annotations

import pytest

from comet.tools.curl_import import CurlImportError, parse

BODY = """-d '{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'"""
PATH = "/v1/chat/completions?key=sk-in-the-url-1234"

MALFORMED = {
    "http://[::1": "malformed",
    "http://[::1/v1/chat/completions": "malformed",
    "http://exa mple.com": "2 URLs",  # the shell makes two words of it, as curl would get them
    "'http://exa mple.com/v1/chat/completions'": "space",
    "$'http://example.com\\t/v1/chat/completions'": "space",
    f"http://example.com:99999{PATH}": "malformed",
    f"http://example.com:port{PATH}": "malformed",
    f"http://{PATH}": "no host",
    f"http://:8080{PATH}": "no host",
    f"ftp://example.com{PATH}": "ftp://",
    f"file:///etc{PATH}": "file://",
}


@pytest.mark.parametrize("url", MALFORMED, ids=str)
def test_a_malformed_url_is_refused_with_the_reason(url):
    with pytest.raises(CurlImportError, match=MALFORMED[url]) as err:
        parse(f"curl {url} {BODY}")
    assert "sk-in-the-url" not in str(err.value) + err.value.fix and err.value.fix
    assert err.value.kind == "bad_input"


@pytest.mark.parametrize("url", ["http://[::1]:8000/v1/chat/completions", "https://api.cometapi.com/v1/chat/completions",
                                 "localhost:8000/v1/chat/completions", "$COMETAPI_BASE_URL/v1/chat/completions",
                                 "HTTPS://bücher.example/v1/chat/completions"])
def test_good_urls_still_import(url):
    assert parse(f"curl {url} {BODY}").model == "m"
