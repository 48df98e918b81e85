"""``python -m comet``: the emulator, send, models, snippet, convert and history export.

Each subcommand's work lives beside the code it drives (``comet.emulator.cli``,
``comet.cli.send`` ...); this module only parses arguments. Exit codes: 0 ok, 1 an API or
transport error (the JSON is still printed), 2 bad input (a message on stderr, nothing sent).
"""

from __future__ import annotations

import argparse
import importlib
import sys

ROUTES = ("gemini", "openai")
LANGS = ("curl", "python", "python-sdk", "node", "node-sdk")


def _body_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--body", default=None, metavar="FILE|-",
                   help="the route's own JSON body, from a file or - for standard input")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m comet", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("emulator", help="run the local CometAPI emulator (prints its base URL first)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--ttft-ms", type=float, default=None, help="delay before the first chunk")
    p.add_argument("--chunk-ms", type=float, default=None, help="delay between stream chunks")
    p.add_argument("--gemini-errors", choices=("google", "comet"), default="google",
                   help="error envelope on /v1beta: Google's (default) or CometAPI's")
    p.add_argument("--crlf", action="store_true", help="frame Gemini SSE with CRLF")
    p.set_defaults(target="comet.emulator:cli")

    p = sub.add_parser("models", help="print the merged model list (JSON lines)")
    p.add_argument("--base-url", default=None)
    p.set_defaults(target="comet.cli:models")

    p = sub.add_parser("send", help="send one request and print one JSON object")
    p.add_argument("--route", choices=ROUTES, required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--stream", action="store_true")
    p.add_argument("--base-url", default=None)
    p.add_argument("--prompt", default=None, help="shortcut: a one-turn body with this text")
    _body_arg(p)
    p.set_defaults(target="comet.cli:send")

    p = sub.add_parser("snippet", help="print code that sends the request")
    p.add_argument("--lang", choices=LANGS, required=True)
    p.add_argument("--route", choices=ROUTES, required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--stream", action="store_true")
    p.add_argument("--base-url", default=None)
    p.add_argument("--prompt", default=None, help="shortcut: a one-turn body with this text")
    _body_arg(p)
    p.set_defaults(target="comet.snippets:cli")

    p = sub.add_parser("convert", help="convert a body to the other route and print the report")
    p.add_argument("--to", choices=ROUTES, required=True)
    p.add_argument("--model", default=None, help="model written into an OpenAI body")
    _body_arg(p)
    p.set_defaults(target="comet.convert:cli")

    p = sub.add_parser("history", help="history tools")
    hsub = p.add_subparsers(dest="history_command", required=True, metavar="ACTION")
    e = hsub.add_parser("export", help="print the history table")
    e.add_argument("--db", default=None, help="database path (default: COMET_HISTORY_DB or the per-user file)")
    e.add_argument("--format", choices=("csv", "json"), default="csv")
    e.add_argument("--search", default=None, help="full-text filter over prompts and replies")
    e.add_argument("--limit", type=int, default=None)
    e.set_defaults(target="comet.history:cli")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module, _, func = args.target.partition(":")
    return int(getattr(importlib.import_module(module), func)(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
