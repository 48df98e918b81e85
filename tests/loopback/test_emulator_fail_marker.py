"""``[[fail=K/N]]`` in a prompt: the emulator answers the first K of every N calls of that exact
request wrong (a 200, so the client's retries never hide it), the others as usual; counted per
request (path and body), restarted by ``clear()``."""

from __future__ import annotations

import pytest

from comet import Call, Client, Route, simple_body

WRONG = "A wrong answer, on purpose"


@pytest.fixture(scope="module")
def emu():
    from comet.emulator import Emulator

    with Emulator(ttft_ms=1, chunk_ms=0) as emulator:
        yield emulator


def texts(emu, prompt: str, times: int, route: Route = Route.GEMINI, stream: bool = False) -> list[str]:
    call = Call(route, "gemini-2.5-flash", simple_body(route, prompt), stream=stream)
    found = []
    with Client(emu.base_url, "sk-fail-marker") as client:
        for _ in range(times):
            exchange = client.send(call)
            assert exchange.ok and exchange.attempts == 1  # a normal reply: nothing to retry
            found.append(exchange.text)
    return found


@pytest.mark.parametrize("route", [Route.GEMINI, Route.OPENAI])
@pytest.mark.parametrize("stream", [False, True])
def test_one_call_in_three_answers_wrong_on_both_routes(emu, route, stream):
    prompt = f"Capital of Peru? [[fail=1/3]] {route.value} {stream}"
    said = texts(emu, prompt, 6, route, stream)
    assert [WRONG in text for text in said] == [True, False, False, True, False, False]
    assert said[0] == (f"{WRONG}: [[fail=1/3]] makes call 1 of every 3 of this request answer wrong.")
    assert all("Peru" in text for text in said[1:3] + said[4:])
    assert "Peru" not in said[0] and "Peru" not in said[3]


def test_counted_per_request_and_restarted_by_clear(emu):
    assert [WRONG in t for t in texts(emu, "two of three [[fail=2/3]]", 4)] == [True, True, False, True]
    assert [WRONG in t for t in texts(emu, "another body [[fail=2/3]]", 1)] == [True]  # its own count
    emu.clear()
    assert [WRONG in t for t in texts(emu, "two of three [[fail=2/3]]", 1)] == [True]
    assert [WRONG in t for t in texts(emu, "never [[fail=0/2]]", 2)] == [False, False]
    assert [WRONG in t for t in texts(emu, "no rule [[fail=1/0]]", 2)] == [False, False]
