"""Which page an editor value belongs to: the key prefix of its widgets and what its controls edit.

Playground, Compare and Batch each hold one :class:`~ui.editor.value.EditorState` under
``<prefix>state`` and draw its widgets under their own prefix (``pg_``, ``cmp_``, ``bat_``), so
the three never share a key and one set of callbacks serves all three.
"""

from __future__ import annotations

from dataclasses import dataclass

from comet import Route
from comet.body import form


@dataclass(frozen=True)
class Page:
    prefix: str
    json: str  # the JSON box
    field: str  # a form field's widget key, "{}" standing for the field's name
    fields: tuple[str, ...] | None = None  # the form fields the page draws; None: every one of the route
    route: str | None = None  # the pickers' widget keys (None: the page has no such picker)
    model: str | None = None
    stream: str | None = None
    wire_body: bool = False  # the body is what goes on the wire: a route switch converts it, and on
    #                          the OpenAI route the model and stream pickers write into it
    features: bool = False  # the Gemini feature controls are drawn and follow the body

    @property
    def state(self) -> str:
        """The session key of the page's editor value (not a widget key: it outlives page moves)."""
        return f"{self.prefix}state"

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def field_key(self, name: str) -> str:
        return self.field.format(name)

    def form_fields(self, route: Route) -> tuple[str, ...]:
        every = form.fields(route)
        return every if self.fields is None else tuple(n for n in every if n in self.fields)

    def pickers(self) -> tuple[str, ...]:
        return tuple(k for k in (self.route, self.model, self.stream) if k)


PLAYGROUND = Page("pg_", json="pg_json", field="pg_f_{}", route="pg_route", model="pg_model",
                  stream="pg_stream", wire_body=True, features=True)
COMPARE = Page("cmp_", json="cmp_json", field="cmp_{}", stream="cmp_stream",
               fields=("prompt", "system", "temperature", "max_output_tokens", "thinking_budget", "reasoning_effort"))
BATCH = Page("bat_", json="bat_body", field="bat_f_{}", fields=(), route="bat_route", model="bat_model",
             stream="bat_stream")
