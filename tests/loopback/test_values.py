"""comet.core.values.build: the shortcut that builds each run's frozen values gives the same values
the constructors give, still frozen, and refuses a missing or unknown field."""

from __future__ import annotations

import dataclasses

import pytest

from comet import Call, Route, prepare
from comet.core.call import Prepared
from comet.core.exchange import Candidate, Exchange, Reply, Timing, Usage
from comet.core.values import build

BUILT_ON_THE_SEND_PATH = (Prepared, Usage, Candidate, Reply, Timing, Exchange)


def _fields(cls: type) -> dict:
    """A value for every field of ``cls``, each different from its default."""
    call = Call(Route.GEMINI, "gemini-2.5-flash", {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
    samples = {
        Prepared: dict(route=Route.OPENAI, method="POST", url="http://x/v1/chat/completions",
                       headers={"Content-Type": "application/json"}, content=b"{}", stream=True),
        Usage: dict(input_tokens=1, output_tokens=2, thinking_tokens=3, total_tokens=6,
                    cached_tokens=0, tool_use_prompt_tokens=4),
        Candidate: dict(index=1, text="a", thoughts="b", finish_reason="stop", raw_finish_reason="STOP",
                        function_calls=()),
        Timing: dict(started_at=1.5, ttfb_ms=2.0, ttft_ms=3.0, latency_ms=4.0, chunk_ms=(1.0, 2.0)),
    }
    if cls in samples:
        return samples[cls]
    if cls is Reply:
        return {f.name: None for f in dataclasses.fields(Reply)} | dict(
            text="hello", thoughts="", usage=Usage(input_tokens=1), candidates=(Candidate(index=0, text="hello"),),
            function_calls=(), safety_ratings=(), images=(), code=(), url_context=(), raw={"candidates": []})
    return dict(call=call, base_url="http://x", status=200, reply=Reply(text="hi"), error=None,
                timing=Timing(started_at=1.0), attempts=2, stopped=False, partial=True, app_version=None)


@pytest.mark.parametrize("cls", BUILT_ON_THE_SEND_PATH, ids=lambda c: c.__name__)
def test_build_gives_what_the_constructor_gives(cls):
    fields = _fields(cls)
    made, built = cls(**fields), build(cls, **fields)
    assert type(built) is cls
    assert built == made and repr(built) == repr(made)
    assert dataclasses.asdict(built) == dataclasses.asdict(made)
    assert dataclasses.replace(built) == made  # the constructor accepts what build made
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, dataclasses.fields(cls)[0].name, None)


@pytest.mark.parametrize("cls", BUILT_ON_THE_SEND_PATH, ids=lambda c: c.__name__)
def test_the_classes_build_serves_do_nothing_after_init(cls):
    assert not hasattr(cls, "__post_init__"), f"{cls.__name__} has a __post_init__, which build would skip"


def test_a_missing_or_unknown_field_is_refused():
    fields = _fields(Timing)
    with pytest.raises(TypeError, match=r"missing \['chunk_ms'\], unknown \[\]"):
        build(Timing, **{k: v for k, v in fields.items() if k != "chunk_ms"})
    with pytest.raises(TypeError, match=r"missing \[\], unknown \['ttft'\]"):
        build(Timing, **fields, ttft=1.0)


def test_a_hashable_value_hashes_as_the_constructors():
    fields = _fields(Usage)
    assert hash(build(Usage, **fields)) == hash(Usage(**fields))


def test_prepare_still_gives_the_request():
    call = Call(Route.GEMINI, "gemini-2.5-flash", {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
                stream=True)
    p = prepare(call, "http://h")
    assert p == Prepared(route=Route.GEMINI, method="POST",
                         url="http://h/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                         headers={"Content-Type": "application/json", "Accept": "text/event-stream"},
                         content=b'{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}', stream=True)


@pytest.mark.parametrize("route", list(Route), ids=lambda r: r.value)
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_a_real_run_holds_its_fields_in_declaration_order(emulator, route, stream):
    """What the client built through the shortcut is laid out as a constructor lays it out, so
    ``vars()`` and a pickle of it read the same as before."""
    from comet.http.client import Client, RetryPolicy

    body = ({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]} if route is Route.GEMINI
            else {"messages": [{"role": "user", "content": "hi"}]})
    call = Call(route, "gemini-2.5-flash", body, stream=stream)
    with Client(emulator.base_url, "sk-values", retry=RetryPolicy(attempts=1)) as client:
        exchange = client.send(call)
    assert exchange.ok, exchange.error
    values = [exchange, exchange.timing, exchange.reply, exchange.reply.usage, *exchange.reply.candidates,
              prepare(call, emulator.base_url)]
    assert {type(v) for v in values} == set(BUILT_ON_THE_SEND_PATH)
    for value in values:
        assert list(vars(value)) == [f.name for f in dataclasses.fields(value)], type(value).__name__
        assert dataclasses.replace(value) == value
