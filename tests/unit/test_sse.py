"""The SSE decoder and the JSON-array stream reader, on hand-made byte chunks (no network)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from comet.http.sse import Event, JSONArrayDecoder, SSEDecoder


def decode(*chunks: bytes) -> list[Event]:
    d = SSEDecoder()
    events = [e for c in chunks for e in d.feed(c)]
    return events + d.close()


def datas(*chunks: bytes) -> list[str]:
    return [e.data for e in decode(*chunks)]


def test_lf_framing():
    assert datas(b'data: {"a":1}\n\ndata: {"a":2}\n\n') == ['{"a":1}', '{"a":2}']


def test_crlf_framing():
    assert datas(b'data: one\r\n\r\ndata: two\r\n\r\n') == ["one", "two"]


def test_cr_framing():
    assert datas(b"data: one\r\rdata: two\r\r") == ["one", "two"]


def test_crlf_split_between_cr_and_lf():
    # The CR ends one chunk and the LF starts the next: one line ending, not two.
    d = SSEDecoder()
    assert d.feed(b"data: one\r") == []
    assert d.feed(b"\n") == []
    assert [e.data for e in d.feed(b"\r")] == []
    assert [e.data for e in d.feed(b"\ndata: two\r\n\r\n")] == ["one", "two"]


def test_lone_cr_at_chunk_end_then_new_line():
    d = SSEDecoder()
    assert d.feed(b"data: one\r") == []
    assert [e.data for e in d.feed(b"\rdata: two\r\r")] == ["one"]  # the last CR may be a CRLF
    assert [e.data for e in d.feed(b"data: three\n\n")] == ["two", "three"]


def test_line_split_across_chunks():
    assert datas(b"da", b"ta: hel", b"lo\n", b"\n") == ["hello"]


def test_utf8_character_split_across_chunks():
    raw = "data: héllo ✓\n\n".encode()
    cut = raw.index("✓".encode()) + 1
    assert datas(raw[:cut], raw[cut:]) == ["héllo ✓"]


def test_comments_are_ignored():
    assert datas(b": keep-alive\n\n: another\ndata: x\n\n") == ["x"]


def test_multi_line_data_joins_with_lf():
    assert datas(b"data: a\ndata: b\ndata:\n\n") == ["a\nb\n"]


def test_one_space_after_colon_is_dropped():
    assert datas(b"data:no-space\n\ndata:  two-spaces\n\n") == ["no-space", " two-spaces"]


def test_event_id_and_retry_fields():
    [e] = decode(b"event: error\nid: 7\nretry: 1500\ndata: {}\n\n")
    assert (e.event, e.id, e.retry, e.data) == ("error", "7", 1500, "{}")
    [e] = decode(b"retry: soon\ndata: x\n\n")
    assert e.retry is None and e.event == "message"


def test_event_without_data_is_not_dispatched():
    assert decode(b"event: ping\n\n") == []


def test_done_is_just_data():
    assert datas(b'data: {"x":1}\n\ndata: [DONE]\n\n') == ['{"x":1}', "[DONE]"]


def test_no_final_blank_line_still_dispatches():
    assert datas(b'data: {"a":1}\n\ndata: {"a":2}') == ['{"a":1}', '{"a":2}']
    assert datas(b'data: last\n') == ["last"]
    assert datas(b'data: last\r') == ["last"]


def test_leading_bom_is_dropped():
    assert datas(b"\xef\xbb\xbfdata: x\n\n") == ["x"]


def test_stray_lines_are_kept_for_error_recovery():
    d = SSEDecoder()
    d.feed(b'{"error": {\n  "code": 500}\n}\n')
    assert d.close() == []
    assert "".join(d.stray).replace(" ", "") == '{"error":{"code":500}}'


def test_empty_body():
    assert decode(b"") == []


STREAM = (b'data: {"candidates":[{"content":{"parts":[{"text":"Hel"}]}}]}\r\n\r\n'
          b': comment\r\n'
          b'event: message\r\ndata: {"candidates":[{"content":{"parts":[{"text":"lo \\u2713"}]}}]}\r\n\r\n'
          b'data: a\ndata: b\r\rdata: [DONE]\n\n'
          b'data: {"x": "\xc3\xa9"}')


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_chunking_gives_the_same_events(cuts):
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0] + points, points + [len(STREAM)])]
    assert decode(*chunks) == decode(STREAM)
    assert len(decode(STREAM)) == 5


LF_EVENTS = [b'data: {"a":1}\n\n', b"event: ping\n", b"data:x\n\n", b"id: 7\nretry: 50\n",
             b"data:\n\n", b"data: \n\n", b"data: a\n", b"data: b\n\n", b"data: \xc3", b"\xa9\n\n",
             b"da", b"ta: split\n\n", b"data: \xe2\x9c\x93 end\n\n", b"data: cr\r\n\r\n",
             b"data: last\n\n"]


def test_event_per_chunk_matches_byte_by_byte():
    """One event per chunk (how servers usually write) gives the same events, every field,
    as the same body fed byte by byte or in one piece."""
    body = b"".join(LF_EVENTS)
    by_byte = decode(*[body[i:i + 1] for i in range(len(body))])
    assert decode(*LF_EVENTS) == by_byte == decode(body)
    assert [e.data for e in by_byte] == ['{"a":1}', "x", "", "", "a\nb", "\xe9", "split",
                                         "\u2713 end", "cr", "last"]
    assert by_byte[1].event == "ping" and by_byte[2].event == "message"
    assert by_byte[2].id == "7" and by_byte[2].retry == 50


# ---- JSON-array stream (streamGenerateContent without alt=sse) ---------------------------

def read_array(*chunks: bytes) -> list:
    d = JSONArrayDecoder()
    out = [x for c in chunks for x in d.feed(c)]
    return out + d.close()


ARRAY = ('[{"candidates": [{"content": {"parts": [{"text": "a ] } \\" \\\\"}]}}]},\r\n'
         ' {"candidates": [{"content": {"parts": [{"text": "é✓"}]}, "finishReason": "STOP"}],'
         ' "usageMetadata": {"promptTokenCount": 1, "details": [1, [2, {"x": null}]]}}\r\n]').encode()


def test_array_elements_arrive_one_by_one():
    d = JSONArrayDecoder()
    first_end = ARRAY.index(b"},\r\n") + 1
    assert d.feed(ARRAY[:first_end - 1]) == []
    [first] = d.feed(ARRAY[first_end - 1:first_end])
    assert first["candidates"][0]["content"]["parts"][0]["text"] == 'a ] } " \\'
    rest = d.feed(ARRAY[first_end:])
    assert rest[0]["candidates"][0]["finishReason"] == "STOP"
    assert d.close() == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(ARRAY)), max_size=12))
def test_array_split_anywhere_gives_the_same_elements(cuts):
    points = sorted(set(cuts))
    chunks = [ARRAY[a:b] for a, b in zip([0] + points, points + [len(ARRAY)])]
    assert read_array(*chunks) == json.loads(ARRAY)


def test_array_byte_by_byte():
    assert read_array(*[ARRAY[i:i + 1] for i in range(len(ARRAY))]) == json.loads(ARRAY)


def test_empty_array_and_empty_body():
    assert read_array(b"[", b" ]") == []
    assert read_array(b"") == []


def test_bare_object_is_one_element():
    assert read_array(b'{"error": {"code": 429', b', "status": "RESOURCE_EXHAUSTED"}}') == [
        {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}]


@pytest.mark.parametrize("body", [b"[{\"a\": 1}", b"[{\"a\": 1},", b"[{\"a\""])
def test_array_cut_short_raises(body):
    with pytest.raises(ValueError, match="ended before"):
        read_array(body)


@pytest.mark.parametrize("body", [b"<html>", b"[1, 2]", b'[{"a": 1}] x', b'["s"]'])
def test_not_an_array_of_objects_raises(body):
    with pytest.raises(ValueError):
        read_array(body)


def test_malformed_element_raises():
    with pytest.raises(ValueError):
        read_array(b'[{"a": nope}]')


# ---- a bound on one event --------------------------------------------------------------------

def test_one_event_is_capped_and_the_events_before_it_survive():
    from comet.http.sse import MAX_EVENT, EventTooLarge
    assert MAX_EVENT == 16 * 1024 * 1024
    d = SSEDecoder(limit=1000)
    assert [e.data for e in d.feed(b"data: small\n\ndata: " + b"x" * 600 + b"\n")] == ["small"]
    with pytest.raises(EventTooLarge, match="an SSE event grew past 1,000 characters"):
        d.feed(b"data: " + b"y" * 600 + b"\n")  # two data lines of one event: 1,212 characters


def test_a_line_that_never_ends_is_capped_without_holding_more():
    from comet.http.sse import EventTooLarge
    d = SSEDecoder(limit=1000)
    for _ in range(9):
        assert d.feed(b"z" * 100) == []
    with pytest.raises(EventTooLarge):
        d.feed(b"z" * 200)


def test_events_up_to_the_cap_pass_whole():
    d = SSEDecoder(limit=1000)
    assert [len(e.data) for e in d.feed(b"data: " + b"a" * 900 + b"\n\n" + b"data: " + b"b" * 900 + b"\n\n")] \
        == [900, 900]


def test_a_json_array_element_is_capped():
    from comet.http.sse import EventTooLarge
    d = JSONArrayDecoder(limit=1000)
    assert d.feed(b'[{"a": 1}, {"b": "') == [{"a": 1}]
    with pytest.raises(EventTooLarge, match="one element of the JSON array stream"):
        d.feed(b"c" * 1200)
