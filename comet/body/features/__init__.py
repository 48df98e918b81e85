"""The Gemini-native features as plain functions over a route's own body (no Streamlit here).

One module per feature, each with the same small surface: ``read(route, body)``,
``set(route, body, ...)`` and ``problems(route, model, body) -> list[Problem]`` (with ``KEYS``,
the top-level keys ``problems`` reads, so a send without them skips it):

- :mod:`.thinking`: thinking budget / level and what each model allows;
- :mod:`.search`: Google Search grounding;
- :mod:`.code_execution`: code execution (the model runs Python);
- :mod:`.url_context`: URL context (the model reads the pages the prompt names);
- :mod:`.safety`: safety settings;
- :mod:`.structured`: structured output (a JSON schema);
- :mod:`.functions`: function declarations, the calling mode, answering calls;
- :mod:`.turns`: the conversation's turns before the prompt;
- :mod:`.media`: attached files and file URLs;
- :mod:`.images`: image generation (output kinds, aspect ratio, size, reference images).

The registry, :data:`FEATURES`, is the truth: :func:`problems` asks every module in it (the
client, the CLI and the editor all reach it through :func:`comet.body.rules.problems`), and the
route switch reads each module's ``GEMINI_ONLY`` (the Gemini fields it owns that Chat Completions
has no form for, with the reason) through :func:`gemini_only`. A new feature is one module here
with ``read``, ``set`` and ``problems`` (optional ``KEYS`` and ``GEMINI_ONLY``), listed in
:data:`FEATURES`, or added at run time with :func:`register`.
The controls behave exactly like :mod:`comet.body.form`: only the touched field changes, clearing
a control removes its key (and a list or object the removal left empty), unknown fields stay
as they are, and Gemini's snake_case spelling is read and kept (proto3 JSON, wire-formats B.3;
see :mod:`comet.body.spelling`).

    >>> body = {"contents": [{"parts": [{"text": "hi"}]}]}
    >>> set_search(Route.GEMINI, body, True)["tools"]
    [{'googleSearch': {}}]
    >>> set_safety(body, "HARM_CATEGORY_HARASSMENT", "BLOCK_NONE")["safetySettings"]
    [{'category': 'HARM_CATEGORY_HARASSMENT', 'threshold': 'BLOCK_NONE'}]

Sources: wire-formats B.2 (thinkingConfig, Part, Tool, ToolConfig, SafetySetting), B.4
(functionCall parts, thought signatures), C.1 (Chat Completions messages, tools,
tool_choice, response_format) and B.9 (how the two map).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from comet.body.spelling import FormConflict, is_object
from comet.core.call import Route
from comet.core.capabilities import MEDIA_TYPES, Thinking, thinking_spec
from comet.core.errors import Problem

from . import (code_execution, functions as _functions, images, media, safety as _safety, search, structured, thinking,
               turns as _turns, url_context)
from .functions import (GEMINI_MODES, OPENAI_MODES, Function, add_function, allowed_functions, answer_calls,
                        calling_mode, functions, remove_function, response_value, set_allowed_functions,
                        set_calling_mode, set_function)
from .media import (KINDS, attach, check_upload, detach, inline_size, media_part, remove_url, sniff, unique_name,
                    url_part, urls)
from .safety import SAFETY_CATEGORIES, SAFETY_THRESHOLDS, safety, set_safety
from .search import Grounding, Source, Support, has_search, read_grounding, set_search
from .structured import DEFAULT_SCHEMA_NAME, SCHEMA_FIELDS, schema_name, schema_of, set_schema, set_schema_name
from .thinking import DEFAULT_CUSTOM_BUDGET, THINKING_MODES, budget_for_mode, thinking_mode
from .turns import ROLES, TurnView, add_turn, move_turn, remove_turn, set_turn, turns

# Every feature module, in the order the Form tab shows them; each has read, set and problems.
FEATURES: list[ModuleType] = [thinking, media, images, search, code_execution, url_context, structured, _safety,
                              _turns, _functions]


def register(feature: ModuleType) -> ModuleType:
    """Add ``feature`` to the registry: from now on its ``problems`` is asked on every send and
    its ``GEMINI_ONLY`` read by the route switch. Registering a module twice adds it once."""
    if not callable(getattr(feature, "problems", None)):
        raise TypeError(f"a feature module needs problems(route, model, body); {feature.__name__} has none")
    if feature not in FEATURES:
        FEATURES.append(feature)
    return feature


def unregister(feature: ModuleType) -> None:
    """Take ``feature`` out of the registry (a feature added for a test or a session)."""
    if feature in FEATURES:
        FEATURES.remove(feature)


def problems(route: Route, model: str, body: Any) -> list[Problem]:
    """Feature settings the route or model will refuse, each with its fix (gathered with the
    rest of a call's problems by :func:`comet.body.rules.problems`)."""
    if not is_object(body):
        return []
    found: list[Problem] = []
    for feature in FEATURES:
        # A feature that names the top-level keys it reads (KEYS) is skipped when all are absent.
        keys = getattr(feature, "KEYS", None)
        if keys is None or not keys.isdisjoint(body):
            found += feature.problems(route, model, body)
    return found


def gemini_only() -> dict[str, str]:
    """The Gemini fields the registered features own that have no Chat Completions form, each
    with the reason the route switch gives when it drops one."""
    found: dict[str, str] = {}
    for feature in FEATURES:
        found.update(getattr(feature, "GEMINI_ONLY", {}))
    return found


__all__ = ["Thinking", "thinking_spec", "thinking_mode", "budget_for_mode", "THINKING_MODES",
           "DEFAULT_CUSTOM_BUDGET", "has_search", "set_search", "SAFETY_CATEGORIES", "SAFETY_THRESHOLDS",
           "safety", "set_safety", "schema_of", "schema_name", "set_schema", "set_schema_name", "SCHEMA_FIELDS",
           "DEFAULT_SCHEMA_NAME", "Function", "functions", "add_function", "set_function", "remove_function",
           "calling_mode", "set_calling_mode", "allowed_functions", "set_allowed_functions",
           "GEMINI_MODES", "OPENAI_MODES", "ROLES", "TurnView", "turns", "set_turn", "move_turn", "remove_turn",
           "add_turn", "KINDS", "sniff", "inline_size", "check_upload", "unique_name", "media_part", "url_part",
           "attach", "detach", "urls", "remove_url", "response_value", "answer_calls", "problems", "MEDIA_TYPES",
           "Source", "Support", "Grounding", "read_grounding", "FEATURES", "register", "unregister", "gemini_only", "FormConflict", "code_execution",
           "url_context", "images"]
