"""``python -m comet convert``: a body in the other route's shape, with the conversion report."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser, Namespace

from .common import OK, ROUTES, BadInput, Command, body_argument, parse_object, read_text


def convert(args: Namespace) -> int:
    from comet.body.convert import convert as converted, detect_route
    from comet.core.call import Route

    body = parse_object(read_text(args.body))
    to = Route.parse(args.to)
    source = detect_route(body)
    if source is None:
        raise BadInput("cannot tell the body's route",
                       "a Gemini body has `contents`, an OpenAI body `messages`")
    if source is to:
        print(f"note: the body is already a {to.label} body; printed unchanged", file=sys.stderr)
    conv = converted(body, to, model=args.model)
    print(json.dumps({"body": conv.body, "report": [r.to_dict() for r in conv.report]},
                     ensure_ascii=False, indent=2))
    return OK


def _arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--to", choices=ROUTES, required=True)
    parser.add_argument("--model", default=None, help="model written into an OpenAI body")
    body_argument(parser, default="-")


COMMANDS = [Command("convert", "convert a body to the other route and print the report", convert,
                    _arguments)]
