"""Whether the Playground's request may be sent, and why not, in words short enough to stand at
Send: "JSON error, line 13", "Fill {{country}}", or the rulebook's problem by its JSON path.
The full problems (with their fixes) are shown under the editor by :func:`ui.editor.show_problems`.
"""

from __future__ import annotations

from comet.core.errors import Problem

from . import variables
from .draw import check
from .value import EditorState


def problems(state: EditorState) -> list[Problem]:
    """What stops the request being sent: the rulebook's problems and unfilled variables."""
    return check(state) + variables.problems(state)


def reasons(state: EditorState) -> list[str]:
    """Why Send is blocked, one short line a reason (empty: Send may send)."""
    e = state.json_error
    if e:
        return [f"JSON error, line {e['line']}" if e.get("line") else f"JSON error at {e.get('path') or '$'}"]
    unfilled = variables.unfilled_names(state)
    said = [f"Fill {{{{{name}}}}}" for name in unfilled]
    return said + [f"{p.path}: {p.message}" for p in check(state)]
