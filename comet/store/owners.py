"""Who made what, and who may undo it: a store as one person sees it.

    >>> mine = Owned(open_store(url), Identity("ana@team.example"))   # doctest: +SKIP
    >>> run_id = mine.record(exchange)            # created_by = "ana@team.example"
    >>> Owned(store, bo).delete(run_id)           # NotYours: only Ana or an admin may

:class:`Owned` wraps any :class:`~comet.store.base.Store`: every write it passes on records
``created_by`` (runs, presets, drafts; comparisons and batches through their runs), and deleting a
run, renaming or deleting a preset is refused unless the person made it or is an admin. The
refusal is here, not on a page, so the pages and scripts cannot disagree. Every delete is written
to the ``deletes`` table (who, what, when), which :func:`deletes` lists for admins. A draft made by
someone else is read as a copy (:meth:`OwnedDrafts.owner` tells the editor to save it anew).
Rows from before attribution have ``created_by`` empty: unknown, so only an admin may delete them.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Iterable

from comet.core.exchange import Exchange
from comet.core.identity import Identity, cli_user

from .presets import Preset, PresetError


class NotYours(PresetError):  # a PresetError too: the presets box already says those on the page
    """Deleting or renaming what someone else made; the message names its creator and the fix."""

    kind = "not_allowed"

    @property
    def fix(self) -> str:
        return "ask its creator or an admin (COMET_ADMINS) to do it"


def creator_of_run(store: Any, run_id: int) -> str | None:
    """``created_by`` of run ``run_id`` ("" unknown), or None when there is no such run."""
    with store._tx() as conn:
        found = store._run(conn, "SELECT created_by FROM runs WHERE id = ?", (run_id,)).fetchone()
    return None if found is None else (found["created_by"] or "")


def people(store: Any) -> list[str]:
    """Everyone who has made a run ("" for runs from before attribution), sorted: a skip-scan
    over the creator index, as fast at a million runs as at ten (like ``models_seen``)."""
    with store._tx() as conn:
        rows = store._run(conn, """
            WITH RECURSIVE seen(who) AS (
                SELECT MIN(created_by) FROM runs
                UNION ALL
                SELECT (SELECT MIN(created_by) FROM runs WHERE created_by > seen.who) FROM seen
                WHERE seen.who IS NOT NULL)
            SELECT who FROM seen WHERE who IS NOT NULL""").fetchall()
    return [r["who"] for r in rows]


def log_delete(store: Any, who: str, kind: str, what: str, owner: str) -> None:
    with store._tx(write=True) as conn:
        store._run(conn, "INSERT INTO deletes (at, who, kind, what, owner) VALUES (?, ?, ?, ?, ?)",
                   (time.time(), who, kind, what, owner or ""))


def deletes(store: Any, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest deletes: ``at`` (Unix seconds), ``who``, ``kind`` (run, preset), ``what``, ``owner``."""
    with store._tx() as conn:
        rows = store._run(conn, "SELECT at, who, kind, what, owner FROM deletes ORDER BY id DESC LIMIT ?",
                          (int(limit),)).fetchall()
    return [dict(r) for r in rows]


def _refuse(person: Identity, doing: str, owner: str) -> NotYours:
    made = f"{owner} made it" if owner else "who made it is not known (it predates sign-in)"
    return NotYours(f"You may not {doing}: {made}, and only its creator or an admin may; you are signed in "
                    f"as {person.email}.")


def cli_owner(store: Any, user: str | None = None) -> "Owned":
    """``store`` for a command's ``--record``: runs attributed to ``--user``, else ``COMET_USER``,
    else the OS login name (:func:`comet.core.identity.cli_user`)."""
    return Owned(store, Identity(cli_user(user)))


class OwnedDrafts:
    """A draft store whose saves record who made each draft."""

    def __init__(self, drafts: Any, person: Identity):
        self._drafts, self.person = drafts, person

    def __getattr__(self, name: str) -> Any:
        return getattr(self._drafts, name)

    def owner(self, draft_id: str) -> str:
        """Who made the draft ("" unknown or no such draft)."""
        data, _ = self._drafts.read(draft_id)
        return str((data or {}).get("created_by") or "")

    def mine(self, draft_id: str) -> bool:
        """May this person save over it? Their own, or one whose creator is unknown."""
        return self.owner(draft_id) in ("", self.person.email)

    def save(self, draft_id: str, data: dict[str, Any], attachments: Any = None, *, base: int = 0) -> int:
        return self._drafts.save(draft_id, {**data, "created_by": self.person.email}, attachments, base=base)


class Owned:
    """``store`` as ``person`` uses it: writes attributed, deletes and renames checked and logged."""

    def __init__(self, store: Any, person: Identity):
        self.store, self.person = store, person

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    @property
    def drafts(self) -> OwnedDrafts:
        return OwnedDrafts(self.store.drafts, self.person)

    def record(self, exchange: Exchange, **kw: Any) -> int:
        return self.store.record(exchange, **{**kw, "created_by": self.person.email})

    def record_many(self, exchanges: Iterable[Exchange], **kw: Any) -> list[int | None]:
        return self.store.record_many(exchanges, **{**kw, "created_by": self.person.email})

    def delete(self, run_id: int) -> bool:
        owner = creator_of_run(self.store, run_id)
        if owner is None:
            return False
        if not self.person.owns(owner):
            raise _refuse(self.person, f"delete run {run_id}", owner)
        gone = self.store.delete(run_id)
        if gone:
            log_delete(self.store, self.person.email, "run", str(run_id), owner)
        return gone

    def rate(self, run_id: int, rating: str, **kw: Any) -> Any:  # a rating says who gave it (comet.store.ratings)
        return self.store.rate(run_id, rating, **{**kw, "by": self.person.email})

    # the prompt library (comet.store.prompts): versions and label moves say who made them
    def save_prompt(self, name: str, call: Any, **kw: Any) -> Any:
        return self.store.save_prompt(name, call, **{**kw, "by": self.person.email})

    def label_prompt(self, name: str, version: int, label: str) -> Any:
        return self.store.label_prompt(name, version, label, by=self.person.email)

    def import_prompts(self, entries: Any) -> Any:
        return self.store.import_prompts(entries, by=self.person.email)

    def _check_preset(self, name: str, doing: str) -> Preset | None:
        found = self.store.preset(name)
        if found is not None and not self.person.owns(found.created_by):
            raise _refuse(self.person, f"{doing} the preset {name!r}", found.created_by)
        return found

    def save_preset(self, preset: Preset) -> bool:
        """Save, or replace one of one's own (an admin may replace anyone's; its creator stays)."""
        found = self._check_preset(preset.name, "replace")
        creator = (found.created_by if found is not None else "") or self.person.email
        return self.store.save_preset(dataclasses.replace(preset, created_by=creator))

    def rename_preset(self, name: str, new_name: str) -> bool:
        self._check_preset(name, "rename")
        return self.store.rename_preset(name, new_name)

    def delete_preset(self, name: str) -> bool:
        found = self._check_preset(name, "delete")
        gone = self.store.delete_preset(name)
        if gone:
            log_delete(self.store, self.person.email, "preset", name, found.created_by if found else "")
        return gone
