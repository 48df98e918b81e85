"""``comet playground``: start the Streamlit app, with every option ``streamlit run`` takes.

The app's files are found beside the ``comet`` package: ``comet_app/app.py`` in an installed
wheel (pyproject ships app.py, pages/, ui/ and .streamlit/config.toml there), else ``app.py`` of
the checkout. Either way the app's ``.streamlit/config.toml`` sits beside app.py, where Streamlit
reads a script's own config from any working folder: usage statistics off, the minimal toolbar
and the theme hold wherever ``comet playground`` starts (a ``--section.option`` flag still
wins). Streamlit runs as ``python -m streamlit run APP ...`` (the process replaces itself with it
on POSIX, a child process elsewhere), so nothing under ``comet/`` imports streamlit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from argparse import ArgumentParser, Namespace
from pathlib import Path
from typing import Sequence

from .common import BAD_INPUT, Command

PACKAGE = Path(__file__).resolve().parent.parent  # comet/


def app_path() -> Path:
    """The app's ``app.py``: the installed copy, else the checkout's."""
    for candidate in (PACKAGE.parent / "comet_app" / "app.py", PACKAGE.parent / "app.py"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("the Streamlit app (app.py) is not installed beside the comet package; "
                            "reinstall with `pip install comet-playground` or run from the checkout")


def command(streamlit_args: Sequence[str]) -> list[str]:
    """The command line that runs the app: ``streamlit run APP`` plus the user's options."""
    return [sys.executable, "-m", "streamlit", "run", str(app_path()), *streamlit_args]


def run(args: Namespace) -> int:
    """Run the app until it stops; its exit code is ours. Ctrl-C stops Streamlit cleanly."""
    try:
        argv = command(args.streamlit_args)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    if os.name == "posix":  # become Streamlit: a signal to `comet playground` reaches the app itself
        os.execv(argv[0], argv)  # and stopping it leaves no orphaned server behind
    child = subprocess.Popen(argv)
    try:
        return child.wait()
    except KeyboardInterrupt:  # the child got the same SIGINT and is shutting down
        return child.wait()


def _arguments(parser: ArgumentParser) -> None:
    parser.set_defaults(streamlit_args=[], passes_unknown=True)  # main() hands them to streamlit


COMMANDS = [Command("playground", "start the app (Streamlit); takes every `streamlit run` option: "
                    "--server.port 8502, --server.headless true ...", run, _arguments)]
