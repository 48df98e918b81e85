"""Saved prompts in a suite: a ``request`` that names a prompt's version, and ``targets`` that are
versions, so one batch answers "is version 4 better than version 3 on these cases".

    "request": {"prompt": "capitals", "label": "production"}
    "targets": [{"prompt": "capitals", "version": 3}, {"prompt": "capitals", "version": 4, "model": "gemini-2.5-pro"}]

A reference is ``prompt`` with at most one of ``version`` (a number) and ``label``; neither means the
newest version. A target may add ``route`` and ``model`` (default: the version's own); its version's
request is converted to that route as Compare converts. Runs record the prompt and version they came
from, and each version target is its own column, named ``capitals v3 · Gemini native · gemini-2.5-flash``.

This layer reads no store: :func:`comet.suite.parse` is handed a resolver (``prompts=``), a function of
``(name, version, label)`` returning that version's :class:`~comet.core.call.Call` (its ``origin`` set)
or raising a :class:`~comet.core.errors.CometError` that names what is unknown;
:func:`comet.store.prompts_sql.suite_resolver` is the history store's.
"""

from __future__ import annotations

from typing import Any, Callable

from comet.core.call import Call, Origin, Route
from comet.core.errors import CometError
from comet.runs.compare import Target

Resolver = Callable[[str, "int | None", "str | None"], Call]
_REF_KEYS = {"prompt", "version", "label"}


def names_a_prompt(raw: Any) -> bool:
    return isinstance(raw, dict) and "prompt" in raw


class _Errors:
    """The suite's own error class (:class:`comet.runs.batch.suite.SuiteError`) and its reader of a
    request written out, which ``suite`` hands in: this module sits below it and may not import it."""

    kind: Any = ValueError
    written: Any = None


def _error(path: str, message: str, fix: str = "") -> Exception:
    return _Errors.kind(path, message, fix)


def use(kind: Any, written: Callable[[Any], Call]) -> None:
    _Errors.kind, _Errors.written = kind, written


def inline(call: Call) -> dict[str, Any]:
    """A version's request written out with its reference (:meth:`Suite.to_dict`): a stored or
    exported suite then runs without the library, and its runs still record the version."""
    assert call.origin is not None
    return {"prompt": call.origin.prompt, "version": call.origin.version, "saved": {
        "route": call.route.value, "model": call.model, "stream": call.stream, "body": call.body}}


def resolve(raw: dict, path: str, prompts: Resolver | None) -> Call:
    """The version a ``{"prompt", "version" | "label"}`` object names (or writes out: :func:`inline`)."""
    name, version, label = raw.get("prompt"), raw.get("version"), raw.get("label")
    if not isinstance(name, str) or not name.strip():
        raise _error(f"{path}.prompt", "prompt is a saved prompt's name", 'write "prompt": "capitals"')
    if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
        raise _error(f"{path}.version", f"version is a whole number from 1, not {version!r}", 'write "version": 3')
    if label is not None and not isinstance(label, str):
        raise _error(f"{path}.label", "label is a label's name", 'write "label": "production"')
    if version is not None and label is not None:
        raise _error(path, "give version or label, not both", "keep one of them")
    if "saved" in raw:  # written out: no library needed
        if version is None:
            raise _error(f"{path}.version", "a version written out under \"saved\" names its version",
                         'add "version": N')
        return _written(raw["saved"], f"{path}.saved").replace(origin=Origin(name.strip(), version))
    if prompts is None:
        raise _error(f"{path}.prompt", "the suite names a saved prompt, but no prompt library is open here",
                     "run it with python -m comet batch or on the Batch page (they read the history store)")
    try:
        return prompts(name.strip(), version, label)
    except CometError as exc:
        raise _error(f"{path}.prompt", str(exc), "python -m comet prompts list shows what is saved") from None


def _written(raw: Any, path: str) -> Call:
    try:
        return _Errors.written(raw)
    except Exception as exc:  # its SuiteError names $.request: say the target's path when it is one
        where = getattr(exc, "where", "$.request")
        raise _error(path + where.removeprefix("$.request"), getattr(exc, "message", str(exc)),
                     getattr(exc, "fix", "")) from None


def request(raw: dict, prompts: Resolver | None) -> Call:
    """The suite's ``request`` when it names a prompt; ``model`` and ``stream`` beside it win."""
    call = resolve(raw, "$.request", prompts)
    unknown = sorted(set(raw) - _REF_KEYS - {"model", "stream", "saved"})
    if unknown:
        raise _error(f"$.request.{unknown[0]}", "a request that names a prompt takes only version or label, "
                     "model and stream", "save a new version for any other change (prompts save)")
    model, stream = raw.get("model", call.model), raw.get("stream", call.stream)
    if not isinstance(model, str) or not model.strip():
        raise _error("$.request.model", "model is a model ID", 'write "model": "gemini-2.5-flash"')
    if not isinstance(stream, bool):
        raise _error("$.request.stream", "stream is true or false", 'write "stream": false')
    return call.replace(model=model.strip(), stream=stream)


def target(raw: dict, path: str, prompts: Resolver | None) -> Target:
    """A target that names a version: its route and model (default: the version's own)."""
    call = resolve(raw, path, prompts)
    route, model = raw.get("route", call.route.value), raw.get("model", call.model)
    try:
        route = Route.parse(route if isinstance(route, str) else "")
    except ValueError:
        raise _error(f"{path}.route", f"unknown route {route!r}", 'use "gemini" or "openai"') from None
    if not isinstance(model, str) or not model.strip():
        raise _error(f"{path}.model", "model is a model ID", 'write "model": "gemini-2.5-flash"')
    return Target(route, model.strip(), origin=call.origin, request=call)
