"""``python -m comet import curl [FILE|-]``: the request in a curl command, as one JSON object
(``route``, ``model``, ``stream``, ``body``, ``base_url``, ``warnings``). ``@FILE`` bodies are
read relative to the current folder. A key written into the command is dropped (a warning says
so) and never printed. Bad input exits 2 with the fix (:mod:`comet.tools.curl_import`). The
object is what ``send --body -`` reads (``comet import curl < cmd.txt | comet send --body -``);
on a terminal, a line on stderr says that the command waits for a pasted curl command."""

from __future__ import annotations

from argparse import ArgumentParser, Namespace
from pathlib import Path

from .common import OK, Command, emit, read_text


def curl(args: Namespace) -> int:
    from comet.tools.curl_import import parse

    found = parse(read_text(args.source, "the curl command"), cwd=Path.cwd())
    emit(found.to_dict())
    return OK


def _arguments(parser: ArgumentParser) -> None:
    parser.add_argument("source", nargs="?", default="-", metavar="FILE|-",
                        help="a file holding the command, or - (the default) for standard input")


COMMANDS = [Command("import curl", "a curl command -> {route, model, stream, body, base_url, warnings}",
                    curl, _arguments)]
