"""``python -m comet send`` and ``python -m comet models``.

``send`` prints exactly one JSON object (:meth:`Exchange.summary`) and exits 1 when the exchange
failed. The key comes from ``COMETAPI_KEY`` and never appears in any output.
"""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError, Namespace

from .common import FAILED, OK, Command, call_from, emit, request_arguments


def _client(base_url: str | None, timeout: float | None = None):
    from ..client import Client  # httpx2 loads only when something is sent
    return Client(base_url=base_url) if timeout is None else Client(base_url=base_url, timeout=timeout)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1e6:  # NaN fails too
        raise ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _send_arguments(parser: ArgumentParser) -> None:
    request_arguments(parser)
    parser.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                        help="bound the whole call, retries included (default 60)")
    parser.add_argument("--record", action="store_true",
                        help="store the run in the history (COMET_HISTORY_URL, else the local file)")


def send(args: Namespace) -> int:
    call = call_from(args)
    store = None
    if args.record:  # opened first: a store that cannot be used stops the command (exit 2) unsent
        from ..store import open_store

        store = open_store()
    try:
        with _client(args.base_url, args.timeout) as client:
            exchange = client.send(call)
        if store is not None:
            store.record(exchange)
    finally:
        if store is not None:
            store.close()
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
    Command("send", "send one request and print one JSON object", send, _send_arguments),
]
