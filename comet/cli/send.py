"""``python -m comet send`` and ``python -m comet models``.

``send`` prints exactly one JSON object (:func:`comet.cli.summary.summary`) and exits 1 when the exchange
failed, or when ``--record`` could not write the run (retried with backoff, :mod:`comet.store.keeping`).
The key comes from ``COMETAPI_KEY`` and never appears in any output.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser, ArgumentTypeError, Namespace
from pathlib import Path

from comet.core.cancel import CancelToken

from .common import FAILED, OK, BadInput, Command, call_from, client, emit, request_arguments
from .summary import summary as run_summary


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1e6:  # NaN fails too
        raise ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _send_arguments(parser: ArgumentParser) -> None:
    request_arguments(parser)
    parser.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                        help="bound the whole call, retries included (default 60)")
    parser.add_argument("--record", action="store_true",
                        help="store the run in the history (COMET_HISTORY_URL, else the local file)")
    parser.add_argument("--user", default=None, metavar="NAME",
                        help="who --record attributes the run to (default: COMET_USER, else the OS login name)")
    parser.add_argument("--save-images", default=None, metavar="DIR",
                        help="write the reply's images there (image-1.png, ...; an image model's drafts "
                             "draft-1.png, ...); their paths join the JSON")


def _image_folder(folder: str | None) -> Path | None:
    """The folder for --save-images, made now, so a bad one stops the command before sending."""
    if folder is None:
        return None
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"--save-images: cannot use {folder} as a folder: {exc.strerror or exc}",
                       "give a folder you can write to") from None
    return path


def send(args: Namespace) -> int:
    call = call_from(args)
    folder = _image_folder(getattr(args, "save_images", None))
    keeper = None
    if args.record:  # opened first: a store that cannot be used stops the command (exit 2) unsent
        from comet.store import open_store
        from comet.store.keeping import Keeper

        from comet.store.owners import cli_owner

        keeper = Keeper(cli_owner(open_store(), args.user))
    try:
        with client(args.base_url, args.timeout) as sender:
            # With a token the reader thread runs, so --timeout bounds even a server that
            # sends its headers a byte at a time (see comet/http/deadline.py).
            exchange = sender.send(call, CancelToken())
        if keeper is not None:
            keeper.record(exchange)  # retried with backoff; a run it could not write stays pending
    finally:
        if keeper is not None:
            keeper.store.close()
    summary = run_summary(exchange)
    if folder is not None and exchange.reply is not None:
        _save_images(summary["images"], exchange.reply.images, folder)
        _save_images(summary["drafts"], exchange.reply.drafts, folder, "draft")
    emit(summary)
    if keeper is not None and keeper.pending:  # the run happened (the JSON says how): only its record is missing
        print(f"error: 1 of 1 runs was not recorded in history ({keeper.problem})", file=sys.stderr)
        return FAILED
    return OK if exchange.ok else FAILED


def _save_images(shown: list[dict], images: tuple, folder: Path, name: str = "image") -> None:
    """Write each image as image-N.ext (drafts as draft-N.ext); its entry in the JSON gets the
    path (or why not)."""
    for n, (entry, image) in enumerate(zip(shown, images), 1):
        target = folder / f"{name}-{n}.{image.extension}"
        try:
            target.write_bytes(image.data)
            entry["path"] = str(target)
        except OSError as exc:  # the JSON is still printed; the entry says why the file is missing
            entry["path"], entry["error"] = None, f"cannot write {target}: {exc.strerror or exc}"


def models(args: Namespace) -> int:
    """Print the merged model list, one JSON object per line, Gemini models first."""
    with client(args.base_url) as lister:
        listed = lister.models()
    for model in listed:
        emit(model.to_dict())
    return OK


def _models_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--base-url", default=None)


COMMANDS = [
    Command("models", "print the merged model list (JSON lines)", models, _models_arguments),
    Command("send", "send one request and print one JSON object", send, _send_arguments),
]
