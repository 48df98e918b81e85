"""What every subcommand of ``python -m comet`` shares: the exit codes, the bad-input error,
the request arguments and the one way of reading a body.

Exit codes: ``OK`` 0; ``FAILED`` 1, an API or transport error (the JSON is still printed on
stdout); ``BAD_INPUT`` 2, bad input or configuration (a message on stderr naming the field and
the fix; nothing sent). Only light modules are imported here: a subcommand imports what it
drives (httpx2, sqlite, the emulator) inside its run function.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import sys
from argparse import ArgumentParser, Namespace
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from comet.core import limits
from comet.core.call import Attachment, Call, Origin, Route, simple_body
from comet.core.config import BASE_URL_ENV, DEMO_KEY, KEY_ENV
from comet.core.errors import CometError, RequestError

OK, FAILED, BAD_INPUT = 0, 1, 2
ROUTES = ("gemini", "openai")
DEFAULT_MODEL = "gemini-2.5-flash"  # the app's default model, so `send --prompt hi` is enough


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
        with demo_emulator() as address:
            with Client(address, DEMO_KEY, **options) as demo:
                yield demo
        return
    with Client(base_url=base_url, **options) as real:
        yield real


def demo_mode(base_url: str | None) -> bool:
    """No key and no base URL (``--base-url`` or ``COMETAPI_BASE_URL``): the app's demo mode."""
    env = os.environ
    return not env.get(KEY_ENV, "").strip() and base_url is None and not env.get(BASE_URL_ENV, "").strip()


@contextmanager
def demo_emulator() -> Iterator[str]:
    """A built-in emulator on loopback for this one command, and a ``note:`` line on stderr saying
    so (stdout stays the command's output); yields its base URL."""
    from comet.emulator import Emulator

    with Emulator() as emulator:
        print(f"note: no {KEY_ENV}, so this is demo mode: requests go to a built-in emulator at "
              f"{emulator.base_url} (set {KEY_ENV} to reach CometAPI)", file=sys.stderr)
        yield emulator.base_url


def emit(value: Any) -> None:
    """Print one JSON value on one line (non-ASCII kept as is)."""
    print(json.dumps(value, ensure_ascii=False))


def body_argument(parser: ArgumentParser, *, default: str | None = None) -> None:
    parser.add_argument("--body", default=default, metavar="FILE|-",
                        help="the route's own JSON body, from a file or - for standard input")


def request_arguments(parser: ArgumentParser) -> None:
    """--route, --model, --stream, --base-url, --prompt, --saved, --body and --import: one request."""
    parser.add_argument("--route", choices=ROUTES, default=None,
                        help="default: the route the body is written for, else gemini")
    parser.add_argument("--model", default=None,
                        help=f"default: the model the body or import names, else {DEFAULT_MODEL}")
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--prompt", default=None, help="shortcut: a one-turn body with this text")
    parser.add_argument("--saved", default=None, metavar="NAME[@VERSION|:LABEL]",
                        help="a saved prompt's version (the newest, a number or a label); the run records it")
    body_argument(parser)
    parser.add_argument("--import", dest="curl", default=None, metavar="FILE|-",
                        help="the request in a curl command, from a file or - for standard input")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                        help="a value for {{NAME}} in the body (repeat for each variable)")


def read_text(path: str, what: str = "--body") -> str:
    """The text of ``path`` (``-`` is standard input); a missing file is :class:`BadInput`."""
    if path == "-":
        if sys.stdin is not None and sys.stdin.isatty():  # a person at a terminal: say what to do
            print(f"waiting for {what} on standard input: paste it, then press Enter and Ctrl-D "
                  "(or pass a file instead of -)", file=sys.stderr, flush=True)
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


@dataclass(frozen=True)
class Given:
    """What the input itself says about the request, before the command line's options win:
    ``route`` and ``model`` are None where it says nothing; ``body`` is None for ``--prompt``."""

    route: Route | None = None
    model: str | None = None
    stream: bool = False
    body: dict | None = None
    attachments: tuple[Attachment, ...] = ()
    origin: Origin | None = None  # a saved prompt's version (--saved)
    variables: dict | None = None  # its kept {{variable}} values


def read_given(args: Namespace) -> Given:
    """The request from exactly one of ``--prompt``, ``--body FILE|-`` (a route's body, or the
    ``{route, model, stream, body}`` that ``import curl`` prints and shared request files hold)
    and ``--import FILE|-`` (a curl command)."""
    sources = [(flag, value) for flag, value in (("--prompt", getattr(args, "prompt", None)),
               ("--saved", getattr(args, "saved", None)), ("--body", args.body),
               ("--import", getattr(args, "curl", None))) if value is not None]
    if len(sources) > 1:
        raise BadInput(f"give {sources[0][0]} or {sources[1][0]}, not both", "keep one of them")
    if not sources:
        raise BadInput("no request body given", "give the request as --prompt TEXT or --body FILE "
                       "(- for standard input), a saved prompt as --saved NAME, or a curl command as --import FILE")
    flag, value = sources[0]
    if flag == "--prompt":
        return _saved(value) if _names_a_saved_prompt(value) else Given()
    if flag == "--saved":
        return _saved(value)
    if flag == "--import":
        return _imported(value)
    found = parse_object(read_text(value))
    return _envelope(found) if _is_envelope(found) else Given(body=found)


_REFERENCE = re.compile(r"(?P<name>[^\s@:]+)(@\d+|:[^\s@:\x00-\x1f\x7f]+)")


def _names_a_saved_prompt(text: str) -> bool:
    """``--prompt capitals@2`` or ``--prompt capitals:production``: one word, a version or a label, and
    ``capitals`` is a saved prompt of the configured history (one that exists: none is created to
    ask). Any other text, or a history that cannot be read, is a one-turn prompt, as it always was."""
    found = _REFERENCE.fullmatch(text or "")
    if found is None:
        return False
    from comet.store import config, open_store

    url = config.history_url()
    if config.scheme(url) in ("sqlite", "path") and not Path(config.sqlite_path(url)).is_file():
        return False
    try:
        store = open_store(url)
    except CometError:
        return False
    try:
        return bool(store.prompt_versions(found["name"]))
    finally:
        store.close()


def _saved(ref: str) -> Given:
    """The version a ``--saved`` reference names, from the history store's prompt library."""
    from comet.store import open_store

    store = open_store()
    try:
        found = store.resolve_prompt(ref)  # a PromptError (exit 2) names an unknown prompt, version or label
    finally:
        store.close()
    return Given(found.route, found.model, found.stream, found.body, found.attachments, found.origin,
                 found.variables)


def _imported(source: str) -> Given:
    from comet.tools.curl_import import parse

    found = parse(read_text(source, "the curl command"), cwd=Path.cwd())
    for warning in found.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return Given(found.route, found.model or None, found.stream, found.body)


def _is_envelope(value: dict) -> bool:
    """``{route, body: {...}}``: no route's own body has both of these at its top."""
    return "route" in value and isinstance(value.get("body"), dict)


def _envelope(value: dict) -> Given:
    try:
        route = Route.parse(value["route"] if isinstance(value["route"], str) else "")
    except ValueError:
        raise BadInput(f"--body: $.route is {value['route']!r}, not one of {', '.join(ROUTES)}",
                       'write "route": "gemini" or "route": "openai"') from None
    model, stream = value.get("model"), value.get("stream", False)
    if model is not None and not isinstance(model, str):
        raise BadInput("--body: $.model must be a string", 'write "model": "gemini-2.5-flash"')
    if not isinstance(stream, bool):
        raise BadInput("--body: $.stream must be true or false", 'write "stream": true or leave it out')
    return Given(route, model or None, stream, value["body"], _attachments(value.get("attachments") or []))


def _attachments(items: Any) -> tuple[Attachment, ...]:
    """A shared request file's media: ``[{name, mime_type, data (base64)}]``."""
    out = []
    for n, item in enumerate(items if isinstance(items, list) else [None]):
        try:
            out.append(Attachment(str(item["name"]), str(item["mime_type"]),
                                  base64.b64decode(item["data"], validate=True)))
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise BadInput(f"--body: $.attachments[{n}] is damaged",
                           "give each attachment as {name, mime_type, data (base64)}, as a shared "
                           "request file holds it") from None
    return tuple(out)


def call_from(args: Namespace, *, fill: bool = True) -> Call:
    """The :class:`Call` the request arguments describe. ``--route``, ``--model`` and ``--stream``
    win when given; else what the input says (an OpenAI body's own ``model`` and ``"stream": true``
    count); else the Gemini route and :data:`DEFAULT_MODEL`. An OpenAI-compatible stream asks for
    its usage (``stream_options.include_usage``) unless the body says otherwise, as the app does.
    ``fill=False`` keeps the ``{{variables}}`` as written (``prompts save``)."""
    from comet.body.convert import detect_route
    from comet.runs.tally import with_stream_usage

    given = read_given(args)
    route = (Route.parse(args.route) if args.route else given.route
             or (detect_route(given.body) if given.body is not None else None) or Route.GEMINI)
    if given.origin is not None and route is not given.route:
        raise BadInput(f"{given.origin}: the prompt is written for the {given.route.value} route, not "
                       f"{route.value}", "leave out --route, or save a version on that route (prompts save)")
    body = simple_body(route, args.prompt) if given.body is None else given.body  # --prompt: text, or a version
    kept = [f"{k}={v}" for k, v in (given.variables or {}).items()]
    body = filled(body, kept + list(getattr(args, "var", []))) if fill else body
    openai = route is Route.OPENAI
    own = body.get("model") if openai and isinstance(body.get("model"), str) else None
    model = args.model or given.model or own or DEFAULT_MODEL
    stream = bool(args.stream) or given.stream or (openai and body.get("stream") is True)
    if openai and stream:
        body = with_stream_usage(body, True)
    origin = given.origin
    if origin is not None and (model, stream) != (given.model, given.stream):  # --model or --stream changed it
        origin = Origin(origin.prompt, origin.version, modified=True)
    return Call(route, model, body, stream=stream, attachments=given.attachments, origin=origin)


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
