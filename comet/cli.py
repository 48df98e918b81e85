"""``python -m comet send`` and ``python -m comet models`` (issue 2 section 8).

``send`` prints exactly one JSON object (:meth:`Exchange.summary`). Exit codes: 0 ok; 1 an
API or transport error (the JSON is still printed); 2 bad input or configuration (a message
on stderr naming the field and route; nothing sent). The key comes from ``COMETAPI_KEY`` and
never appears in any output.
"""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path

from .call import Call, Route, simple_body
from .errors import CometError, ConfigError, Problem, RequestError
from .validate import parse_json

OK, FAILED, BAD_INPUT = 0, 1, 2


def _read_body(args: Namespace, route: Route) -> dict:
    if args.body is not None and args.prompt is not None:
        raise RequestError(Problem(route.value, "--body/--prompt", "both --body and --prompt given",
                                   "give one of them"))
    if args.prompt is not None:
        return simple_body(route, args.prompt)
    if args.body is None:
        raise RequestError(Problem(route.value, "--body", "no request body given",
                                   "pass --body FILE, --body - (standard input) or --prompt TEXT"))
    try:
        text = sys.stdin.read() if args.body == "-" else Path(args.body).read_text(encoding="utf-8")
    except OSError as exc:
        raise RequestError(Problem(route.value, "--body", f"cannot read {args.body}: "
                                   f"{exc.strerror or exc}", "check the file path")) from None
    return parse_json(text, route)


def _call(args: Namespace) -> Call:
    route = Route.parse(args.route)
    body = _read_body(args, route)
    # --model always wins; --stream wins when given, else an OpenAI body's own "stream" stays.
    stream = bool(args.stream) or (route is Route.OPENAI and body.get("stream") is True)
    return Call(route, args.model, body, stream=stream)


def _client(args: Namespace):
    from .client import Client  # httpx loads only when something is sent
    return Client(base_url=args.base_url)


def _fail(err: CometError) -> int:
    print(f"error: {err}", file=sys.stderr)
    fix = err.fix
    if fix and fix not in str(err):
        print(f"fix: {fix}", file=sys.stderr)
    return BAD_INPUT


def send(args: Namespace) -> int:
    try:
        call = _call(args)
        client = _client(args)
        with client:
            exchange = client.send(call)
    except (RequestError, ConfigError) as err:
        return _fail(err)
    print(json.dumps(exchange.summary(), ensure_ascii=False))
    return OK if exchange.ok else FAILED


def models(args: Namespace) -> int:
    """Print the merged model list, one JSON object per line, Gemini models first."""
    try:
        with _client(args) as client:
            listed = client.models()
    except ConfigError as err:
        return _fail(err)
    except CometError as err:
        print(json.dumps({"error": {"kind": err.kind, "message": err.message, "status": err.status,
                                    "retryable": err.retryable}}))
        print(f"error: {err}", file=sys.stderr)
        return FAILED
    for model in listed:
        print(json.dumps(model.to_dict(), ensure_ascii=False))
    return OK
