"""``python -m comet`` (or ``comet``): the app, the emulator, send, models, snippet, convert,
import curl, doctor, history export, prompts and batch.

This package is the whole command line: it parses the arguments, reads bodies
(:mod:`comet.cli.common`), prints errors and picks the exit code for every subcommand:

* 0 ok;
* 1 an API or transport error (the JSON is still printed on stdout);
* 2 bad input or configuration (a message on stderr naming the field and the fix; nothing sent).

A reader that goes away (``python -m comet models | head -1``) ends the command quietly.

Adding a subcommand: write ``comet/cli/NAME.py`` with a ``COMMANDS`` list of
:class:`~comet.cli.common.Command` (its arguments and its run function; heavy imports go inside
the run function so start-up stays light), then add the module to ``MODULES`` below. A name with
a space (``"history export"``) is an action of a group.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from comet import __version__
from comet.core.errors import CometError
from comet.core.identity import cli_user
from comet.http import tracing

from . import batch, convert, doctor, emulator, history, imports, playground, prompts, send, snippet
from .common import BAD_INPUT, FAILED, OK, BadInput, Command

__all__ = ["build_parser", "main", "Command", "BadInput", "OK", "FAILED", "BAD_INPUT"]

# One line per module of subcommands, in the order `--help` lists them.
MODULES = (playground, emulator, send, snippet, convert, imports, doctor, history, prompts, batch)


def commands() -> list[Command]:
    return [command for module in MODULES for command in module.COMMANDS]


def program_name(argv0: str | None = None) -> str:
    """``comet`` when run as the installed command, else ``python -m comet`` (argv[0] is then
    comet/__main__.py, or a test runner calling :func:`main`)."""
    name = os.path.basename(sys.argv[0] if argv0 is None else argv0).lower()
    return "comet" if name in ("comet", "comet.exe", "comet-script.py") else "python -m comet"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=program_name(), description="Comet Playground from the shell.")
    parser.add_argument("--version", action="version", version=f"comet-playground {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    found = commands()
    groups: dict[str, argparse._SubParsersAction] = {}
    for command in found:
        group, _, action = command.name.partition(" ")
        target = sub
        if action:
            if group not in groups:
                actions = ", ".join(c.name.partition(" ")[2] for c in found if c.name.startswith(group + " "))
                holder = sub.add_parser(group, help=f"{group} tools: {actions}")
                groups[group] = holder.add_subparsers(dest=f"{group}_command", required=True, metavar="ACTION")
            target = groups[group]
        p = target.add_parser(action or group, help=command.help, description=command.help)
        command.arguments(p)
        p.set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if getattr(args, "passes_unknown", False):  # `playground`: the rest is streamlit's
        args.streamlit_args = unknown
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    tracing.set_user(cli_user(getattr(args, "user", None)))  # who the runs' spans name (docs/tracing.md)
    try:
        code = int(args.run(args) or OK)
        sys.stdout.flush()  # inside the try: a closed pipe surfaces here, not at exit
        return code
    except BadInput as err:
        return _bad_input(err.message, err.fix)
    except CometError as err:
        if err.kind in ("config", "bad_input"):
            return _bad_input(str(err), err.fix)
        return _failed(err)
    except BrokenPipeError:
        return _reader_gone()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if not tracing.flush():  # the runs' spans, sent before the command ends: at most a second or two
            print(f"warning: {tracing.unsent()}", file=sys.stderr)


def _bad_input(message: str, fix: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    if fix and fix not in message:
        print(f"fix: {fix}", file=sys.stderr)
    return BAD_INPUT


def _failed(err: CometError) -> int:
    """An API or transport error outside an exchange: the JSON on stdout, the sentence on stderr."""
    print(json.dumps({"error": {"kind": err.kind, "message": err.message, "status": err.status,
                                "retryable": err.retryable}}, ensure_ascii=False))
    print(f"error: {err}", file=sys.stderr)
    return FAILED


def _reader_gone() -> int:
    """stdout's reader closed the pipe: stop quietly. stdout now points at devnull so the
    interpreter's last flush does not fail again (the recipe in Python's signal docs)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in a test)
        pass
    return OK
