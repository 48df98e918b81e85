"""The storage interface the pages and the CLI use, whatever holds the runs.

A backend (:mod:`comet.store.sqlite`, ...) implements :class:`Store`; record building and key
scrubbing are in :mod:`comet.store.records`, so a new backend only moves records in and out of
its tables. Filters are keywords shared by every reading method: ``search`` (plain words, every
one must match the prompt or the reply, the last may be a prefix), ``route``, ``model``,
``status``, ``group_id`` (a value or a list of values), ``since`` / ``until`` (Unix seconds, a
datetime, a date or an ISO string).

A share needs no storage: a share link or file is the request itself (:mod:`comet.tools.share`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Protocol, runtime_checkable

from comet.core.call import Call
from comet.core.exchange import Exchange

from .presets import Preset


@dataclass(frozen=True)
class Run:
    """A stored run: the :class:`~comet.core.exchange.Exchange` the client produced, and what the
    store added (its id, the comparison it belongs to, the target's label, the cost)."""

    id: int
    exchange: Exchange
    group_id: str | None = None
    label: str | None = None
    cost: float | None = None
    uid: str | None = field(default=None, compare=False)  # identity across stores (history copy)
    created_by: str = field(default="", compare=False)  # who sent it: email, OS login, "" unknown

    @property
    def created_at(self) -> float:
        return self.exchange.timing.started_at

    @property
    def status(self) -> str:
        return "stopped" if self.exchange.stopped else "ok" if self.exchange.ok else "error"


@runtime_checkable
class Store(Protocol):
    """Runs, newest first, filtered and counted by the store itself (never in Python)."""

    location: str  # where the runs live, shown to people: never with a password

    def record(self, exchange: Exchange, *, group_id: str | None = None, label: str | None = None,
               cost: float | None = None, created_by: str | None = None) -> int: ...

    def record_many(self, exchanges: Iterable[Exchange], *, group_ids: Iterable[str | None] | None = None,
                    labels: Iterable[str | None] | None = None, costs: Iterable[float | None] | None = None,
                    uids: Iterable[str | None] | None = None,
                    created_by: str | Iterable[str] | None = None) -> list[int | None]: ...

    def page(self, *, limit: int | None = 50, offset: int = 0, **filters: Any) -> list[dict[str, Any]]: ...

    def count(self, **filters: Any) -> int: ...

    def timings(self, *, newest: int = 10_000, **filters: Any) -> list[dict[str, Any]]: ...

    def samples(self, *, newest: int = 10_000, **filters: Any) -> list[dict[str, Any]]: ...

    def get(self, run_id: int) -> Run | None: ...

    def details(self, run_id: int) -> dict[str, Any] | None: ...

    def call(self, run_id: int) -> Call | None: ...

    def runs_after(self, after: int = 0, limit: int = 500) -> list[Run]: ...

    def delete(self, run_id: int) -> bool: ...

    def groups(self, *, limit: int = 50) -> list[dict[str, Any]]: ...

    def models_seen(self) -> list[str]: ...

    def export_rows(self, **filters: Any) -> Iterator[dict[str, Any]]: ...

    def export(self, fmt: str = "csv", *, limit: int | None = None, **filters: Any) -> str: ...

    # -- presets (comet.store.presets): named requests, shared by everyone who uses the store. A backend
    # keeps records.PRESET_COLUMNS in a table keyed by name (SQLite: migration 6, table presets)
    # and turns rows back with records.preset_of; names are unique, compared exactly.
    def presets(self) -> list[Preset]: ...  # all saved presets, by name (case-insensitive order)

    def preset(self, name: str) -> Preset | None: ...

    def save_preset(self, preset: Preset) -> bool: ...  # insert or replace by name; True if it replaced one

    def rename_preset(self, name: str, new_name: str) -> bool: ...  # PresetError if new_name is taken

    def delete_preset(self, name: str) -> bool: ...

    # -- the prompt library (comet.store.prompts, SQL in comet.store.prompts_sql): a name with immutable
    # versions 1, 2, 3... and labels that point at one; saving adds a version, nothing is overwritten
    def prompts(self) -> list[Any]: ...  # Prompt values: name, newest version, labels

    def prompt_versions(self, name: str) -> list[Any]: ...  # every Version, oldest first

    def resolve_prompt(self, ref: Any) -> Any: ...  # NAME, NAME@3, NAME:LABEL -> Version (PromptError if unknown)

    def save_prompt(self, name: str, call: Call, **kw: Any) -> Any: ...  # message, variables, by -> the new Version

    def label_prompt(self, name: str, version: int, label: str, **kw: Any) -> Any: ...  # -> the LabelMove

    # -- batches: a batch's results document (comet.runs.batch.report.document), by batch id
    def save_batch(self, batch_id: str, report: dict[str, Any]) -> None: ...

    def batch(self, batch_id: str) -> dict[str, Any] | None: ...

    @property
    def drafts(self) -> Any: ...  # a :class:`comet.store.drafts.DraftStore`

    def close(self) -> None: ...
