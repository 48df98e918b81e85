"""``python -m comet send`` and ``python -m comet models``.

``send`` prints exactly one JSON object (:meth:`Exchange.summary`) and exits 1 when the exchange
failed. The key comes from ``COMETAPI_KEY`` and never appears in any output.
"""

from __future__ import annotations

from argparse import ArgumentParser, Namespace

from .common import FAILED, OK, Command, call_from, emit, request_arguments


def _client(base_url: str | None):
    from ..client import Client  # httpx loads only when something is sent
    return Client(base_url=base_url)


def send(args: Namespace) -> int:
    call = call_from(args)
    with _client(args.base_url) as client:
        exchange = client.send(call)
    emit(exchange.summary())
    return OK if exchange.ok else FAILED


def models(args: Namespace) -> int:
    """Print the merged model list, one JSON object per line, Gemini models first."""
    with _client(args.base_url) as client:
        listed = client.models()
    for model in listed:
        emit(model.to_dict())
    return OK


def _models_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--base-url", default=None)


COMMANDS = [
    Command("models", "print the merged model list (JSON lines)", models, _models_arguments),
    Command("send", "send one request and print one JSON object", send, request_arguments),
]
