"""The one rulebook: may this call be sent?

:func:`problems` gathers everything wrong with a :class:`~comet.core.call.Call`, each with the JSON
path and the fix: the body against its route (:func:`comet.body.validate.problems`, edge limits
included), the model ID, the features' rules (a thinking budget outside the model's range,
functions allowed but not declared ...: :func:`comet.body.features.problems`) and the attached
files. The editor shows the list and holds Send back; the client calls :func:`validate`
before anything goes on the wire, so ``python -m comet send`` refuses (exit 2) exactly what
the Playground refuses.
"""

from __future__ import annotations

from comet.core import limits
from comet.core.call import Call, Route
from comet.core.errors import Problem, RequestError

from . import features
from .validate import attachment_problems, problems as body_problems


def problems(call: Call, encoded: bytes | None = None) -> list[Problem]:
    """Everything that stops ``call`` being sent; empty when it may go.

    ``encoded`` (the call's body bytes, when the caller has them) saves encoding the body
    again to look for attachment placeholders."""
    found = body_problems(call.route, call.body)
    bad_model = limits.model_problems(call.route, call.model)
    if bad_model:
        found[:0] = bad_model
    else:
        if call.route is Route.GEMINI and not call.model.strip():
            found.insert(0, Problem(call.route.value, "model", "no model chosen", "pick a model or type its ID"))
        found += features.problems(call.route, call.model, call.body)  # [] for a body that is no object
    if call.attachments or encoded is None or b"<attachment:" in encoded:
        found += attachment_problems(call)
    return found


def validate(call: Call, encoded: bytes | None = None) -> None:
    """Raise :class:`RequestError` (nothing is sent) when :func:`problems` finds any."""
    found = problems(call, encoded)
    if found:
        raise RequestError(found)


__all__ = ["problems", "validate"]
