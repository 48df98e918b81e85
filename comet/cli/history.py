"""``python -m comet history ...``: the history from the shell (export, copy between stores)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser, Namespace
from pathlib import Path

from .common import OK, Command, emit


def export(args: Namespace) -> int:
    """Print the history table as CSV or JSON; a missing SQLite database prints an empty table
    and creates no file."""
    from comet.store import config
    from comet.store.history import History, export_text
    from comet.store.records import write_export

    where: str | Path = args.url or (Path(args.db).expanduser() if args.db else config.history_url())
    if isinstance(where, str) and config.scheme(where) in ("sqlite", "path"):
        where = Path(config.sqlite_path(where))
    if isinstance(where, Path) and not where.exists():
        sys.stdout.write(export_text([], args.format))
        return OK
    with History(where) as history:  # streamed: PostgreSQL reads through a server-side cursor
        write_export(history.export_rows(search=args.search, limit=args.limit, **_of_prompt(args.of_prompt)),
                     args.format, sys.stdout)
    return OK


def _of_prompt(ref: str | None) -> dict:
    """``--of-prompt NAME[@VERSION]`` as the store's filters (runs sent from that saved prompt)."""
    if ref is None:
        return {}
    name, at, number = ref.rpartition("@")
    if at and name and number.isdigit():
        return {"prompt_name": name, "prompt_version": int(number)}
    return {"prompt_name": ref}


def copy(args: Namespace) -> int:
    """Copy runs, attachments and drafts from one store to another; prints what was copied."""
    from comet.store import open_store
    from comet.store.copy import copy_history

    source = open_store(args.source)
    target = open_store(args.target)
    try:
        def report(done) -> None:
            print(f"{done.runs:,} runs copied, {done.runs_skipped:,} already there", file=sys.stderr)

        done = copy_history(source, target, batch=args.batch, progress=report)
    finally:
        source.close()
        target.close()
    emit(done.to_dict())
    return OK


def _export_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help="database path (default: COMET_HISTORY_DB or the per-user file)")
    parser.add_argument("--url", default=None, help="a store URL (default: COMET_HISTORY_URL)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--search", default=None, help="full-text filter over prompts and replies")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--of-prompt", default=None, metavar="NAME[@VERSION]",
                        help="only runs sent from this saved prompt (and version)")


def _copy_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--from", dest="source", required=True, metavar="URL",
                        help="the store to copy from: sqlite:///PATH or postgresql://...")
    parser.add_argument("--to", dest="target", required=True, metavar="URL", help="the store to copy into")
    parser.add_argument("--batch", type=int, default=200, help="runs per transaction")


COMMANDS = [Command("history export", "print the history table", export, _export_arguments),
            Command("history copy", "copy runs, attachments and drafts to another store", copy, _copy_arguments)]
