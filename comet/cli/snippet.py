"""``python -m comet snippet``: print the code that sends the request; warnings go to stderr."""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser, Namespace

from .common import OK, Command, call_from, request_arguments

LANGS = ("curl", "python", "python-sdk", "node", "node-sdk")


def snippet(args: Namespace) -> int:
    from comet.core.config import BASE_URL_ENV, DEFAULT_BASE_URL
    from comet.tools.snippets import render

    call = call_from(args)
    made = render(call, args.lang, base_url=args.base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
    sys.stdout.write(made.code)
    for warning in made.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return OK


def _arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--lang", choices=LANGS, required=True)
    request_arguments(parser)


COMMANDS = [Command("snippet", "print code that sends the request", snippet, _arguments)]
