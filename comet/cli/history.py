"""``python -m comet history ...``: the history database from the shell."""

from __future__ import annotations

import sys
from argparse import ArgumentParser, Namespace
from pathlib import Path

from .common import OK, Command


def export(args: Namespace) -> int:
    """Print the history table as CSV or JSON; a missing database prints an empty table and
    creates no file."""
    from ..history import History, default_path, export_text

    path = Path(args.db).expanduser() if args.db else default_path()
    if not path.exists():
        sys.stdout.write(export_text([], args.format))
        return OK
    with History(path) as history:
        sys.stdout.write(history.export(args.format, search=args.search, limit=args.limit))
    return OK


def _export_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help="database path (default: COMET_HISTORY_DB or the per-user file)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--search", default=None, help="full-text filter over prompts and replies")
    parser.add_argument("--limit", type=int, default=None)


COMMANDS = [Command("history export", "print the history table", export, _export_arguments)]
