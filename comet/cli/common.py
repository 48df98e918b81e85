"""What every subcommand of ``python -m comet`` shares: the exit codes, the bad-input error,
the request arguments and the one way of reading a body.

Exit codes: ``OK`` 0; ``FAILED`` 1, an API or transport error (the JSON is still printed on
stdout); ``BAD_INPUT`` 2, bad input or configuration (a message on stderr naming the field and
the fix; nothing sent). Only light modules are imported here: a subcommand imports what it
drives (httpx2, sqlite, the emulator) inside its run function.
"""

from __future__ import annotations

import json
import os
import sys
from argparse import ArgumentParser, Namespace
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from comet.core import limits
from comet.core.call import Call, Route, simple_body
from comet.core.config import BASE_URL_ENV, DEMO_KEY, KEY_ENV
from comet.core.errors import RequestError

OK, FAILED, BAD_INPUT = 0, 1, 2
ROUTES = ("gemini", "openai")


class BadInput(Exception):
    """The command line or a file it names is wrong; nothing was sent (exit 2)."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message)
        self.message = message
        self.fix = fix


@dataclass(frozen=True)
class Command:
    """One subcommand: ``name`` ("send", or "history export" for an action of a group), the
    help line, a function adding its arguments, and the function that runs it and returns the
    exit code (``None`` counts as ``OK``)."""

    name: str
    help: str
    run: Callable[[Namespace], int | None]
    arguments: Callable[[ArgumentParser], None] = lambda parser: None


@contextmanager
def client(base_url: str | None, timeout: float | None = None) -> Iterator[Any]:
    """The :class:`~comet.http.client.Client` a sending command uses: ``base_url`` (``--base-url``),
    else ``COMETAPI_BASE_URL``, with ``COMETAPI_KEY``; ``timeout`` (``--timeout``) when given,
    else the client's own default. With neither a key nor a base URL this is
    demo mode, as in the app: a built-in emulator on loopback serves this one command (a line on
    stderr says so; stdout stays the command's output). A base URL without a key is bad input
    (exit 2, nothing sent): the user meant a real service."""
    from comet.http.client import Client  # httpx2 loads only when something is sent

    options = {} if timeout is None else {"timeout": timeout}  # None would mean no limit at all
    env = os.environ
    if not env.get(KEY_ENV, "").strip():
        if base_url is not None or env.get(BASE_URL_ENV, "").strip():
            where = "--base-url" if base_url is not None else BASE_URL_ENV
            raise BadInput(f"no API key: {KEY_ENV} is not set, and {where} names a service to send to",
                           f"set {KEY_ENV}, or leave out --base-url and {BASE_URL_ENV} to run on a "
                           "built-in emulator (demo mode)")
        from comet.emulator import Emulator

        with Emulator() as emulator:
            print(f"note: no {KEY_ENV}, so this is demo mode: requests go to a built-in emulator at "
                  f"{emulator.base_url} (set {KEY_ENV} to reach CometAPI)", file=sys.stderr)
            with Client(emulator.base_url, DEMO_KEY, **options) as demo:
                yield demo
        return
    with Client(base_url=base_url, **options) as real:
        yield real


def emit(value: Any) -> None:
    """Print one JSON value on one line (non-ASCII kept as is)."""
    print(json.dumps(value, ensure_ascii=False))


def body_argument(parser: ArgumentParser, *, default: str | None = None) -> None:
    parser.add_argument("--body", default=default, metavar="FILE|-",
                        help="the route's own JSON body, from a file or - for standard input")


def request_arguments(parser: ArgumentParser) -> None:
    """--route, --model, --stream, --base-url, --prompt and --body: one request."""
    parser.add_argument("--route", choices=ROUTES, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--prompt", default=None, help="shortcut: a one-turn body with this text")
    body_argument(parser)
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                        help="a value for {{NAME}} in the body (repeat for each variable)")


def read_text(path: str, what: str = "--body") -> str:
    """The text of ``path`` (``-`` is standard input); a missing file is :class:`BadInput`."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{what}: cannot read {path}: {exc.strerror or exc}",
                       "check the file path") from None
    except UnicodeDecodeError as exc:
        raise BadInput(f"{what}: {path} is not UTF-8 text ({exc.reason})", "save it as UTF-8") from None


def parse_object(text: str, what: str = "the body") -> dict:
    """``text`` as a JSON object; otherwise :class:`BadInput` with the line and column, or the
    :class:`~comet.core.errors.RequestError` of a limit it breaks (:mod:`comet.core.limits`)."""
    try:
        value = limits.loads(text)
    except RequestError as exc:
        first = exc.problems[0]
        if not first.message.startswith("invalid JSON"):
            raise
        raise BadInput(f"{what} is not valid JSON: {first.message.removeprefix('invalid JSON: ')} "
                       f"(line {first.line}, column {first.column})", "correct the JSON at that position") from None
    if not isinstance(value, dict):
        raise BadInput(f"{what} must be a JSON object, not {type(value).__name__}",
                       "wrap the request in { ... }")
    return value


def read_body(args: Namespace, route: Route) -> dict:
    """The body from ``--prompt TEXT`` or ``--body FILE|-`` (exactly one of them)."""
    prompt = getattr(args, "prompt", None)
    if args.body is not None and prompt is not None:
        raise BadInput("give --prompt or --body, not both", "keep one of them")
    if prompt is not None:
        return simple_body(route, prompt)
    if args.body is None:
        raise BadInput("no request body given",
                       "give the request as --prompt TEXT or --body FILE (- for standard input)")
    return parse_object(read_text(args.body))


def call_from(args: Namespace) -> Call:
    """The :class:`Call` the request arguments describe. ``--model`` always wins; ``--stream``
    wins when given, else an OpenAI body's own ``"stream": true`` stays."""
    route = Route.parse(args.route)
    body = filled(read_body(args, route), getattr(args, "var", []))
    stream = bool(args.stream) or (route is Route.OPENAI and body.get("stream") is True)
    return Call(route, args.model, body, stream=stream)


def filled(body: dict, pairs: list[str]) -> dict:
    """``body`` with its ``{{variables}}`` filled from ``--var NAME=VALUE``; one left without a
    value is refused (as the Playground refuses it), naming it."""
    from comet.body.variables import Unfilled, fill

    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadInput(f"--var {pair!r} is not NAME=VALUE", "write --var country=Portugal")
        values[name.strip()] = value
    try:
        return fill(body, values)
    except Unfilled as exc:
        raise BadInput(f"the variable {{{{{exc.name}}}}} at {exc.path} has no value",
                       f"pass --var {exc.name}=VALUE") from None
