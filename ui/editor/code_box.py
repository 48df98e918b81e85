"""The Playground's JSON editor: the body in a code editor (monospace, line numbers, bracket
matching, a JSON error marked on its line), kept in step with the plain JSON box.

The editor is streamlit-code-editor (react-ace, its frontend built into the wheel, nothing
fetched at run time), declared here over the package's own build folder so that it can take an
``on_change`` callback like any widget (the package's wrapper has none). It is a view of the one
JSON text: it is given the JSON box's text (``Page.json``) and, when the user leaves it (blur) or
presses Ctrl+Enter in it, its text goes through the same :func:`ui.editor.callbacks.on_json` as
a typed edit. The plain box stays under it, folded: a textarea for pasting very large bodies or
for a screen reader, and the widget AppTest drives.

A stale echo: the editor sends its whole text on every blur, edited or not. A blur that a
browser sends before it drew the server's last rewrite of the JSON (say, a route switch) carries
the text that rewrite replaced; :func:`ui.editor.echo.stale` tells it from an edit, so it is
dropped as the plain box's stale echo is.
"""

from __future__ import annotations

from functools import partial
from importlib.resources import files

import streamlit as st
import streamlit.components.v1 as components

from . import echo
from .callbacks import current, on_json
from .page import Page
from .value import EditorState

# The package's frontend, under a name of ours: see the module docstring.
_editor = components.declare_component("comet_json_editor", path=str(files("code_editor") / "frontend" / "build"))

ERROR_LINE = "comet-json-error-line"
# The package's own themes (streamlit_light, streamlit_dark) @import a font from Google's servers;
# Ace's GitHub themes fetch nothing, so the page stays on the machine.
_THEMES = {"dark": "github_dark", "light": "github"}
_CSS = f".{ERROR_LINE} {{ position: absolute; background: rgba(255, 75, 75, 0.22); }}"
_OPTIONS = {"showLineNumbers": True, "useWorker": False, "tabSize": 2, "wrap": False,
            "highlightActiveLine": True, "displayIndentGuides": True, "fontSize": 14}
_EMPTY = {"id": "", "type": "", "lang": "", "text": "", "selected": "", "cursor": ""}


def _theme() -> str:
    return _THEMES.get(getattr(st.context.theme, "type", None) or "light", "github")


def _key(page: Page) -> str:
    return page.key("json_code")


def _marks(state: EditorState) -> dict:
    """The error's line as Ace marks it: an annotation in the gutter and a tinted line."""
    e = state.json_error
    if not e or not e.get("line"):
        return {"annotations": [], "markers": []}
    row, column = int(e["line"]) - 1, max(int(e.get("column") or 1) - 1, 0)
    return {"annotations": [{"row": row, "column": column, "type": "error", "text": e["message"]}],
            "markers": [{"startRow": row, "startCol": 0, "endRow": row, "endCol": 1,
                         "className": ERROR_LINE, "type": "fullLine"}]}


def on_code(page: Page) -> None:
    """The editor's text, when the user left it: an edit of the JSON, unless it is unchanged or
    a stale echo."""
    value = st.session_state.get(_key(page)) or {}
    if value.get("type") not in ("blur", "submit"):
        return
    text = value.get("text")
    state = current(page)
    if not isinstance(text, str) or text == state.json_text or echo.stale(page, page.json, text):
        return
    echo.push(page, page.json, text)  # the plain box shows it too
    on_json(page)


def code_box(page: Page, state: EditorState, *, lines: tuple[int, int] = (16, 28)) -> None:
    """The code editor over the JSON text of ``page``."""
    _editor(code=state.json_text, lang="json", theme="default", shortcuts="vscode", height=list(lines),
            focus=False, allow_reset=True, replace_completer=False, response_mode=["blur"], ghost_text="",
            snippets=["", ""], completions=[], keybindings={}, buttons=[], menu={}, info={},
            options=_OPTIONS, props={**_marks(state), "theme": _theme(), "enableLiveAutocompletion": False,
                                     "enableSnippets": False, "scrollMargin": [0, 0, 0, 0]},
            editor_props={}, component_props={"globalCSS": _CSS}, key=_key(page), default=_EMPTY,
            on_change=partial(on_code, page))
