"""One request editor for Playground, Compare and Batch.

Each page holds one editor value (:class:`EditorState`: route, model, stream, body, the JSON box's
text and its error, variables) under its own key prefix (:data:`PLAYGROUND`, :data:`COMPARE`,
:data:`BATCH`), edits it through one set of callbacks, shows a JSON error one way, and is
protected alike against a browser's stale echo of a value the server has just written.

- ``page``: which page, its widgets' keys, and what its controls edit
- ``value``: the editor value
- ``echo``: telling a user's edit from a stale echo
- ``sync``: seeding and refreshing a page's widgets from the value
- ``callbacks``: every edit, as widget callbacks
- ``drafts``: the Playground's value saved as a draft (``?draft=``)
- ``draw``: the JSON box and its error, and the Playground's request bar and tabs
- ``fields``, ``feature_controls``, ``gemini_tools``: the Playground's Form tab
- ``variables``: ``{{variables}}`` fields and the filled request
"""

from .callbacks import (can_continue, continue_from, current, edit, load, on_field, on_json, on_model, on_route,
                        on_stream, playground, replace)
from .drafts import load_state, open_call, save_draft
from .draw import (ROUTES, check, form_conflict, json_box, json_error, request_bar, route_report, settings,
                   show_problems, tabs)
from .echo import mark
from .page import BATCH, COMPARE, PLAYGROUND, Page
from .value import EditorState, dump

__all__ = [
    "BATCH", "COMPARE", "PLAYGROUND", "ROUTES", "EditorState", "Page", "can_continue", "check", "continue_from",
    "current", "dump", "edit", "form_conflict", "json_box", "json_error", "load", "load_state", "mark", "on_field",
    "on_json", "on_model", "on_route", "on_stream", "open_call", "playground", "replace", "request_bar",
    "route_report", "save_draft", "settings", "show_problems", "tabs",
]
