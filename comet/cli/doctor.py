"""``python -m comet doctor``: the setup check (:mod:`comet.tools.doctor`) from the shell.

Prints a table (``--format json`` for scripts); exits 0 when every check passes (a warning
passes), 1 otherwise. The key comes from ``COMETAPI_KEY`` and is never printed. With no key and
no base URL it checks a built-in emulator (demo mode, as every other command; a note says so).
"""

from __future__ import annotations

import json
import os
from argparse import ArgumentParser, Namespace

from comet.core.config import BASE_URL_ENV, DEMO_KEY, KEY_ENV

from .common import FAILED, OK, Command, demo_emulator, demo_mode


def doctor(args: Namespace) -> int:
    from comet.tools.doctor import DEFAULT_MODELS, run

    models = args.model or DEFAULT_MODELS
    if demo_mode(args.base_url):  # as send, models and batch: check the built-in emulator, said on stderr
        with demo_emulator() as address:
            report = run(address, DEMO_KEY, models)
    else:  # a base URL without a key is a setup to check: the key's row says it is missing
        report = run(args.base_url or os.environ.get(BASE_URL_ENV), os.environ.get(KEY_ENV), models)
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.format == "json"
          else report.table())
    return OK if report.ok else FAILED


def _arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--model", action="extend", nargs="+", default=None, metavar="M",
                        help="models to try on both routes (default gemini-2.5-flash)")
    parser.add_argument("--base-url", default=None, help="default: COMETAPI_BASE_URL, else CometAPI's; with no key either, a built-in emulator")
    parser.add_argument("--format", choices=("table", "json"), default="table")


COMMANDS = [Command("doctor", "check the key, the base URL and each model on both routes", doctor,
                    _arguments)]
