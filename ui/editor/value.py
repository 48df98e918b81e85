"""The editor value: one request as a page is editing it (route, model, stream, body, the JSON
box's text and its error, variables), the same dataclass on Playground, Compare and Batch.

The Playground's value is also its draft (:mod:`ui.editor.drafts`): it carries the attachments,
the route switch's leftovers and report, and the draft id. Compare and Batch leave those empty.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, fields
from typing import Any

from comet import Call, RequestError, Route, simple_body
from comet.core.call import Attachment, attachment_names

DEFAULT_MODEL = "gemini-2.5-flash"


@dataclass
class EditorState:
    route: Route = Route.GEMINI  # a draft's "gemini" is parsed in __post_init__
    model: str = DEFAULT_MODEL
    stream: bool = True
    body: dict[str, Any] = field(default_factory=lambda: simple_body("gemini", ""))
    json_text: str = ""  # the JSON box, exactly as typed
    json_error: dict[str, Any] | None = None  # see json_error(): while the text does not parse
    leftover: dict[str, Any] = field(default_factory=dict)  # route -> what switching away lost
    report: list[dict[str, Any]] = field(default_factory=list)  # the last route switch
    draft_id: str = ""
    attachments: list[Attachment] = field(default_factory=list)  # uploaded media, by name
    variables: dict[str, str] = field(default_factory=dict)  # {{name}} -> value (ui/editor/variables.py)

    def __post_init__(self) -> None:
        self.route = Route.parse(self.route)  # the edge: drafts and widgets hold the name
        if not self.json_text:
            self.json_text = dump(self.body)
        self.attachments = list(self.attachments or ())

    @classmethod
    def of(cls, call: Call, **more: Any) -> "EditorState":
        """The value holding ``call`` (its body copied, so editing never changes the call)."""
        return cls(route=call.route, model=call.model, stream=call.stream, body=copy.deepcopy(call.body),
                   attachments=list(call.attachments), **more)

    def used_attachments(self) -> tuple[Attachment, ...]:
        """The attachments the body names (an attachment whose placeholder was deleted in the
        JSON tab is kept here, but not sent)."""
        named = set(attachment_names(self.body))
        return tuple(a for a in self.attachments if a.name in named)

    def call(self) -> Call:
        """The request as it stands (the JSON wins over the pickers on the OpenAI route)."""
        return Call.from_body(self.route, self.body, model=self.model, stream=self.stream,
                              attachments=self.used_attachments())

    def to_draft(self) -> dict[str, Any]:
        """JSON for the draft store; the attachments' bytes are saved beside it (by name and
        SHA-256 here, so a changed file counts as a change)."""
        data = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)
                if f.name not in ("draft_id", "attachments")}
        data["attachments"] = [{"name": a.name, "mime_type": a.mime_type, "sha256": a.sha256}
                               for a in self.attachments]
        return data

    @classmethod
    def from_draft(cls, data: dict[str, Any], draft_id: str,
                   attachments: list[Attachment] | tuple[Attachment, ...] = ()) -> "EditorState":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__
                 and k not in ("draft_id", "attachments")}
        try:
            return cls(**known, draft_id=draft_id, attachments=list(attachments))
        except (TypeError, ValueError):  # a draft from an older shape: start afresh
            return cls(draft_id=draft_id)


def dump(body: Any) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False)


def json_error(err: RequestError) -> dict[str, Any]:
    """Why the JSON box's text is refused, as plain JSON (it is saved with a draft): the error's
    kind, sentence and fix, and where: line and column, or the JSON path."""
    p = err.problems[0]
    return {"kind": err.kind, "message": err.message, "fix": err.fix, "path": p.path,
            "line": p.line, "column": p.column}
