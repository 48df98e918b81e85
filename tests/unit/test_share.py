"""Share links and files: compact, URL-safe, lossless, and never a key or a reply."""

from __future__ import annotations

import base64
import json
import os
import re
import zlib

import pytest

from comet.core.call import Attachment, Call, Route, simple_body
from comet.core.exchange import Exchange, Reply, Timing
from comet.store.history import History
from comet.tools import share
from comet.tools.share import LINK_LIMIT, ShareError, decode, encode, from_file, to_file


def gemini_call(**extra) -> Call:
    body = simple_body("gemini", "Explain the Doppler effect — briefly, please 🙂", system="be brief")
    body["generationConfig"] = {"temperature": 0.4, "thinkingConfig": {"thinkingBudget": 1024}}
    return Call(Route.GEMINI, "gemini-2.5-flash", {**body, **extra}, stream=True)


def openai_call() -> Call:
    return Call(Route.OPENAI, "gemini-3-flash-preview", {"messages": [{"role": "user", "content": "hi"}],
                                                         "reasoning_effort": "low"})


@pytest.mark.parametrize("call", [gemini_call(), openai_call()], ids=["gemini", "openai"])
def test_a_link_gives_back_the_same_call(call):
    token = encode(call)
    assert re.fullmatch(r"1[A-Za-z0-9_-]+", token)
    assert len(token) < 300  # compact: a short request makes a short link
    assert decode(token) == call
    assert decode(f"http://localhost:8501/?share={token}&tab=json") == call


def test_a_file_gives_back_the_same_call():
    cat = Attachment("cat.png", "image/png", os.urandom(64))
    call = Call(Route.GEMINI, "gemini-2.5-flash", {"contents": [{"role": "user", "parts": [
        {"inlineData": {"mimeType": "image/png", "data": cat.token}}]}]}, attachments=(cat,))
    data = to_file(call)
    assert json.loads(data)["comet_playground_request"] == 1
    assert from_file(data) == call and from_file(data.decode()) == call
    assert decode(encode(call)) == call  # small attachments fit in a link too


def test_a_bare_body_file_is_accepted():
    assert from_file(json.dumps(openai_call().body)) == openai_call()
    gem = from_file(json.dumps(simple_body("gemini", "hi")))
    assert gem.route is Route.GEMINI and gem.body == simple_body("gemini", "hi") and gem.model == ""
    with pytest.raises(ShareError, match="neither"):
        from_file(b'{"hello": 1}')


def test_too_large_for_a_link_says_to_use_a_file():
    big = gemini_call(contents=[{"role": "user", "parts": [{"text": base64.b64encode(os.urandom(6000)).decode()}]}])
    with pytest.raises(ShareError, match="too large for a link.*file") as err:
        encode(big)
    assert f"{LINK_LIMIT:,}" in str(err.value)
    assert from_file(to_file(big)) == big


@pytest.mark.parametrize("token, message", [
    ("", "holds no request"),
    ("   ", "holds no request"),
    ("2abc", "another version"),
    ("1!!!not-base64", "damaged"),
    ("1" + "A" * 40, "damaged"),
    ("1" + "x" * (LINK_LIMIT * 2 + 1), "too long"),
    ("http://localhost:8501/?tab=json&share=", "holds no request"),
])
def test_corrupt_tokens_give_clear_errors(token, message):
    with pytest.raises(ShareError, match=message):
        decode(token)


def test_a_cut_short_token_is_refused():
    token = encode(gemini_call())
    with pytest.raises(ShareError, match="cut short"):
        decode(token[: len(token) // 2])


def pack(payload) -> str:
    return "1" + base64.urlsafe_b64encode(zlib.compress(json.dumps(payload).encode())).decode().rstrip("=")


@pytest.mark.parametrize("payload, message", [
    ([1, 2], "does not hold a request"),
    ({"route": "bard", "model": "m", "body": {}}, "no known route"),
    ({"route": "gemini", "model": 3, "body": {}}, "wrong type"),
    ({"route": "gemini", "model": "m", "body": "text"}, "wrong type"),
    ({"route": "gemini", "model": "m", "body": {}, "attachments": [{"name": "a"}]}, "damaged attachment"),
])
def test_damaged_payloads_give_clear_errors(payload, message):
    with pytest.raises(ShareError, match=message):
        decode(pack(payload))


def test_a_token_that_inflates_too_far_is_refused(monkeypatch):
    monkeypatch.setattr(share, "FILE_LIMIT", 1000)
    with pytest.raises(ShareError, match="more than a request"):
        decode(pack({"route": "gemini", "model": "m", "body": {"pad": "a" * 5000}}))


def test_bad_files_give_clear_errors(monkeypatch):
    with pytest.raises(ShareError, match=r"not valid JSON \(line 1, column"):
        from_file(b'{"route": ')
    with pytest.raises(ShareError, match="not valid JSON"):
        from_file(b"\xff\xfe")
    monkeypatch.setattr(share, "FILE_LIMIT", 10)
    with pytest.raises(ShareError, match="too large"):
        from_file(b'{"route": "gemini", "model": "m", "body": {}}')


def test_shares_never_hold_the_key_or_a_reply(canary_key, tmp_path):
    call = gemini_call()
    exchange = Exchange(call=call, base_url="https://api.cometapi.com", status=200,
                        reply=Reply(text="THE-REPLY-TEXT", raw={"text": "THE-REPLY-TEXT"}), error=None,
                        timing=Timing(started_at=0.0))
    with History(tmp_path / "h.sqlite3") as history:
        reopened = history.call(history.save(exchange))
    for shared in (share.decode(encode(reopened)), from_file(to_file(reopened))):
        assert shared == call
    for text in (json.dumps(zlib.decompress(base64.urlsafe_b64decode(encode(call)[1:] + "==="))
                            .decode()), to_file(call).decode()):
        assert canary_key not in text and "THE-REPLY-TEXT" not in text
    pasted = gemini_call(contents=[{"role": "user", "parts": [{"text": f"my key is {canary_key}"}]}])
    assert canary_key not in to_file(pasted).decode()
    assert canary_key not in json.dumps(decode(encode(pasted)).body)
