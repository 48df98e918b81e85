"""What a run's token counts and cost can honestly say.

A finished run reports its usage. A run that was stopped or cut short did not finish counting:
Gemini's partial stream chunks carry the prompt count but no ``candidatesTokenCount`` yet (proto3
omits it, so it reads as 0), and a Chat Completions stream sends its usage chunk last, and only
when the request sets ``stream_options.include_usage`` (wire-formats C.3). So:

* :func:`comet.http.chunks.unfinished` (the client applies it) marks the output count of a run that ended early as unknown (``None``), so
  no page, history row or export says "0" beside kept text;
* :func:`tally` gives what the metrics show: the counts, an estimate of the output tokens
  (clearly an estimate) when the count is unknown, the cost or its lower bound, and a note
  saying why a count is missing;
* :func:`with_stream_usage` is what the Stream switch does to an OpenAI-compatible body.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Mapping

from comet.core.call import Route
from comet.core.exchange import Exchange, Reply, Usage
from comet.http.models import ModelInfo, cost

CHARS_PER_TOKEN = 4  # the usual rule of thumb for English text; only ever shown as an estimate
USAGE_OPTION = {"include_usage": True}


def with_stream_usage(body: Mapping[str, Any], stream: bool) -> dict[str, Any]:
    """An OpenAI-compatible body for the Stream switch: on, it asks for usage in the stream
    (``stream_options.include_usage``) unless the body already says something about it; off, it
    drops ``stream_options``, which Chat Completions accepts only with ``stream: true``."""
    out = dict(body)
    if stream:
        out.setdefault("stream_options", dict(USAGE_OPTION))
    else:
        out.pop("stream_options", None)
    return out


def asks_for_usage(body: Mapping[str, Any]) -> bool:
    options = body.get("stream_options")
    return isinstance(options, Mapping) and options.get("include_usage") is True


@dataclass(frozen=True)
class Tally:
    input_tokens: int | None
    output_tokens: int | None  # None: unknown
    thinking_tokens: int | None
    output_estimate: int | None  # when the count is unknown but text arrived
    cost: float | None  # the run's cost, or its lower bound when ``cost_partial``
    cost_partial: bool  # the cost leaves the output out (its count is unknown)
    note: str | None  # why a count is missing, in a sentence


def estimate(text: str) -> int | None:
    return math.ceil(len(text) / CHARS_PER_TOKEN) if text else None


def _why(exchange: Exchange, usage: Usage) -> str | None:
    call = exchange.call
    if (call.route is Route.OPENAI and call.stream and usage.input_tokens is None
            and exchange.error is None and not asks_for_usage(call.body)):
        return ('No token counts: a Chat Completions stream reports usage only when the request '
                'sets "stream_options": {"include_usage": true}. Switch Stream off and on again to '
                "add it back.")
    if usage.output_tokens is None and (exchange.stopped or exchange.partial):
        what = "was stopped" if exchange.stopped else "was cut short"
        return (f"The stream {what} before the service counted the output tokens: the count shown "
                f"is an estimate from the text kept (about {CHARS_PER_TOKEN} characters a token), "
                "and the cost leaves the output out.")
    return None


def tally(exchange: Exchange, model: ModelInfo | None) -> Tally:
    """The counts and cost to show for a run (see the module docstring)."""
    usage = exchange.reply.usage if exchange.reply else Usage()
    guess = estimate(exchange.text) if usage.output_tokens is None else None
    price = cost(usage, model)
    partial = False
    if price is None and usage.input_tokens is not None and usage.output_tokens is None:
        price = cost(replace(usage, output_tokens=0), model)
        partial = price is not None
    return Tally(usage.input_tokens, usage.output_tokens, usage.thinking_tokens, guess, price,
                 partial, _why(exchange, usage) if exchange.reply or exchange.stopped else None)
