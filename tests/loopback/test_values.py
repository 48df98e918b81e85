"""The values of a run (Prepared, Usage, Candidate, Reply, Timing, Exchange), built by their own
constructors on the send path: frozen, equal to their copies, hashable, holding each field as
given and laid out in declaration order."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from comet import Call, Route, prepare
from comet.core.call import Prepared
from comet.core.exchange import Candidate, Exchange, Reply, Timing, Usage

VALUES_OF_A_RUN = (Prepared, Usage, Candidate, Reply, Timing, Exchange)


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


@pytest.mark.parametrize("cls", VALUES_OF_A_RUN, ids=lambda c: c.__name__)
def test_a_value_equals_its_copy_prints_the_same_and_stays_frozen(cls):
    fields = _fields(cls)
    value, again = cls(**fields), cls(**fields)
    assert type(value) is cls
    assert value == again and repr(value) == repr(again)
    assert dataclasses.asdict(value) == dataclasses.asdict(again)
    assert dataclasses.replace(value) == value
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, dataclasses.fields(cls)[0].name, None)


@pytest.mark.parametrize("cls", VALUES_OF_A_RUN, ids=lambda c: c.__name__)
def test_construction_keeps_every_field_as_given(cls):
    fields = _fields(cls)
    value = cls(**fields)
    assert vars(value).keys() == fields.keys()
    changed = [name for name, given in fields.items() if getattr(value, name) is not given]
    assert not changed, f"{cls.__name__} changed {changed} on construction"


def test_a_missing_or_unknown_field_is_refused():
    fields = _fields(Timing)
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'started_at'"):
        Timing(**{k: v for k, v in fields.items() if k != "started_at"})
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'ttft'"):
        Timing(**fields, ttft=1.0)


def test_a_hashable_value_hashes_as_its_equals():
    fields = _fields(Usage)
    assert hash(Usage(**fields)) == hash(Usage(**fields)) == hash(dataclasses.replace(Usage(**fields)))


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
    """What the client built is laid out in declaration order, so ``vars()`` and a pickle of it
    read the fields in the order the class declares them."""
    from comet.http.client import Client, RetryPolicy

    body = ({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]} if route is Route.GEMINI
            else {"messages": [{"role": "user", "content": "hi"}]})
    call = Call(route, "gemini-2.5-flash", body, stream=stream)
    with Client(emulator.base_url, "sk-values", retry=RetryPolicy(attempts=1)) as client:
        exchange = client.send(call)
    assert exchange.ok, exchange.error
    values = [exchange, exchange.timing, exchange.reply, exchange.reply.usage, *exchange.reply.candidates,
              prepare(call, emulator.base_url)]
    assert {type(v) for v in values} == set(VALUES_OF_A_RUN)
    for value in values:
        assert list(vars(value)) == [f.name for f in dataclasses.fields(value)], type(value).__name__
        assert dataclasses.replace(value) == value
        assert pickle.loads(pickle.dumps(value)) == value
