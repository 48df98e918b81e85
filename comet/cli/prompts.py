"""``python -m comet prompts ...``: the prompt library from the shell (:mod:`comet.store.prompts`).

``list`` prints one JSON object a prompt; ``show NAME[@VERSION|:LABEL]`` the version's request as
JSON; ``save NAME --body FILE|-`` adds a version (never overwrites one); ``label NAME VERSION LABEL``
points a label at a version; ``diff NAME V1 V2`` the JSON-aware diff and the word diff of two
versions. An unknown prompt, version or label, or a bad label name, exits 2 with a message naming it.
"""

from __future__ import annotations

from argparse import ArgumentParser, Namespace
from contextlib import contextmanager
from typing import Any, Iterator

from .common import OK, ROUTES, BadInput, Command, body_argument, call_from, emit


@contextmanager
def library(user: str | None = None) -> Iterator[Any]:
    """The history store (COMET_HISTORY_URL, else the local file), writes attributed to ``user``."""
    from comet.store import open_store
    from comet.store.owners import cli_owner

    store = open_store()
    try:
        yield cli_owner(store, user)
    finally:
        store.close()


def shown(version: Any, labels: dict[str, int] | None = None) -> dict[str, Any]:
    """A version as ``show`` prints it: where it is from, then the request."""
    return {"prompt": version.name, "version": version.version, "message": version.message,
            "created_by": version.created_by, "created_at": version.created_at,
            "labels": sorted(k for k, v in (labels or {}).items() if v == version.version), **version.request()}


def list_prompts(args: Namespace) -> int:
    with library() as store:
        for p in store.prompts():
            emit({"name": p.name, "latest": p.latest, "labels": p.labels, "updated_at": p.updated_at,
                  "created_by": p.created_by})
    return OK


def show(args: Namespace) -> int:
    with library() as store:
        version = store.resolve_prompt(args.ref)
        emit(shown(version, store.prompt_labels(version.name)))
    return OK


def save(args: Namespace) -> int:
    if args.body is None:
        raise BadInput("prompts save needs the request", "give --body FILE (a route's body, or the "
                       "{route, model, stream, body} that prompts show and import curl print), or - for standard input")
    args.prompt = args.curl = args.saved = None  # the request is the body file's
    call = call_from(args, fill=False)
    with library(args.user) as store:
        made = store.save_prompt(args.name, call, message=args.message or "")
    emit({"prompt": made.name, "version": made.version, "message": made.message, "created_by": made.created_by})
    return OK


def label(args: Namespace) -> int:
    with library(args.user) as store:
        move = store.label_prompt(args.name, _number(args.version), args.label)
    emit({"prompt": move.name, "label": move.label, "from_version": move.from_version,
          "to_version": move.to_version, "moved_by": move.moved_by, "moved_at": move.moved_at})
    return OK


def diff(args: Namespace) -> int:
    from comet.store.prompts import diff as version_diff

    with library() as store:
        a, b = (store.resolve_prompt(_ref(args.name, which)) for which in (args.v1, args.v2))
    emit(version_diff(a, b))
    return OK


def _number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise BadInput(f"VERSION {text!r} is not a version number", "give a whole number from 1, as prompts list shows")
    return int(text)


def _ref(name: str, which: str) -> Any:
    """A version number, or a label (``production``) of ``name``."""
    from comet.store.prompts import Ref

    return Ref(name, version=int(which)) if which.isdigit() else Ref(name, label=which)


def _ref_argument(parser: ArgumentParser) -> None:
    parser.add_argument("ref", metavar="NAME[@VERSION|:LABEL]", help="the newest version, a number or a label")


def _save_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    body_argument(parser)
    parser.add_argument("--route", choices=ROUTES, default=None, help="default: the route the body is written for")
    parser.add_argument("--model", default=None, help="default: the model the body names, else gemini-2.5-flash")
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--message", default="", help="why this version (shown in the version list)")
    parser.add_argument("--user", default=None, metavar="NAME",
                        help="who saved it (default: COMET_USER, else the OS login name)")
    parser.set_defaults(var=[])


def _label_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("version", metavar="VERSION")
    parser.add_argument("label", metavar="LABEL", help="no spaces or control characters: production, alice-trial")
    parser.add_argument("--user", default=None, metavar="NAME",
                        help="who moved it (default: COMET_USER, else the OS login name)")


def _diff_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("v1", metavar="V1", help="a version number or a label")
    parser.add_argument("v2", metavar="V2", help="a version number or a label")


COMMANDS = [
    Command("prompts list", "list the saved prompts (JSON lines)", list_prompts),
    Command("prompts show", "print one version's request as JSON", show, _ref_argument),
    Command("prompts save", "save a request as a new version of a prompt", save, _save_arguments),
    Command("prompts label", "point a label at a version (the move is kept)", label, _label_arguments),
    Command("prompts diff", "the JSON-aware diff and the word diff of two versions", diff, _diff_arguments),
]
