"""``python -m comet emulator``: print the base URL first, serve until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from argparse import ArgumentParser, Namespace

from .common import OK, BadInput, Command


def serve(args: Namespace) -> int:
    from comet.emulator import Emulator

    try:
        emu = Emulator(args.host, args.port, ttft_ms=args.ttft_ms, chunk_ms=args.chunk_ms,
                       gemini_errors=args.gemini_errors, crlf=args.crlf, seed=args.seed,
                       record=args.record, fault=args.fault,
                       count_tokens=False if args.no_count_tokens else None).start()
    except ValueError as exc:  # an unwritable --record file, an unknown --fault
        raise BadInput(str(exc), "check --record's folder and --fault's name (python -m comet models lists "
                       "the fault models)") from None
    except OSError as exc:  # the port is taken
        raise BadInput(f"--port: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                       "pick another --port, or 0 for a free one") from None
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
    parser.add_argument("--seed", type=int, default=None,
                        help="pick other reply words (the same seed gives the same replies)")
    parser.add_argument("--record", default=None, metavar="FILE",
                        help="write every request received (method, path, query, headers without the key, "
                        "body) to FILE as JSON lines")
    parser.add_argument("--fault", default=None, metavar="FAULT_MODEL",
                        help="every answer behaves as this fault model, whatever the model asked for "
                        "(fault-rate-limit, fault-drop-stream ...)")
    parser.add_argument("--no-count-tokens", action="store_true",
                        help="answer :countTokens with 404, as a service that does not offer it "
                        "(also COMET_EMULATOR_COUNT_TOKENS=off)")


COMMANDS = [Command("emulator", "run the local CometAPI emulator (prints its base URL first)", serve,
                    _arguments)]
