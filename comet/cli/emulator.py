"""``python -m comet emulator``: print the base URL first, serve until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from argparse import ArgumentParser, Namespace

from .common import OK, Command


def serve(args: Namespace) -> int:
    from ..emulator import Emulator

    emu = Emulator(args.host, args.port, ttft_ms=args.ttft_ms, chunk_ms=args.chunk_ms,
                   gemini_errors=args.gemini_errors, crlf=args.crlf).start()
    print(emu.base_url, flush=True)
    print(f"CometAPI emulator on {emu.base_url} (ttft {emu.ttft_ms:g} ms, chunk {emu.chunk_ms:g} ms); "
          "Ctrl-C stops it", file=sys.stderr, flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    finally:
        emu.stop()
    return OK


def _arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--ttft-ms", type=float, default=None, help="delay before the first chunk")
    parser.add_argument("--chunk-ms", type=float, default=None, help="delay between stream chunks")
    parser.add_argument("--gemini-errors", choices=("google", "comet"), default="google",
                        help="error envelope on /v1beta: Google's (default) or CometAPI's")
    parser.add_argument("--crlf", action="store_true", help="frame Gemini SSE with CRLF")


COMMANDS = [Command("emulator", "run the local CometAPI emulator (prints its base URL first)", serve,
                    _arguments)]
