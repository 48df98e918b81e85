"""Copying a history from one store to another (SQLite to PostgreSQL and back).

Runs keep their identity (``uid``), comparison id, label and cost, and come back as the same
Exchange; attachments travel with their runs, drafts with their files, and a batch's kept
verdicts (:meth:`Store.save_batch`) with its runs, pointing at their new ids, and people's
ratings and judges' verdicts (:mod:`comet.store.ratings`) with the runs they are about; the prompt
library goes whole (every version and label, :mod:`comet.store.prompts`). Copying is
idempotent (a run or draft already in the target is skipped, so running it twice adds nothing)
and resumable (runs go over in batches, each committed on its own: after an interruption the
next run skips what arrived and carries on).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .drafts import DraftConflict


@dataclass
class Copied:
    runs: int = 0  # copied now
    runs_skipped: int = 0  # already in the target
    drafts: int = 0
    drafts_skipped: int = 0
    batches: int = 0  # batch verdict documents
    batches_skipped: int = 0
    ratings: int = 0  # of the runs copied now
    verdicts: int = 0  # judges' verdicts on them (a batch's come with its document)
    prompt_versions: int = 0  # of the prompt library (comet.store.prompts): versions not in the target yet

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def copy_history(source: Any, target: Any, *, batch: int = 200,
                 progress: Callable[[Copied], None] | None = None) -> Copied:
    """Copy every run and draft of ``source`` into ``target`` (two :class:`~comet.store.Store`)."""
    done = Copied()
    after = 0
    moved: dict[int, int] = {}  # source run id -> target run id, for the batch documents
    batches: set[str] = set()
    while True:
        runs = source.runs_after(after, batch)
        if not runs:
            break
        ids = target.record_many([r.exchange for r in runs], group_ids=[r.group_id for r in runs],
                                 labels=[r.label for r in runs], costs=[r.cost for r in runs],
                                 uids=[r.uid for r in runs], created_by=[r.created_by for r in runs])
        now = {r.id: new for r, new in zip(runs, ids) if new is not None}
        moved.update(now)
        _copy_judging(source, target, now, done)
        batches.update(r.group_id for r in runs if r.group_id and r.group_id.startswith("bat-"))
        copied = sum(1 for i in ids if i is not None)
        done.runs += copied
        done.runs_skipped += len(runs) - copied
        after = runs[-1].id
        if progress:
            progress(done)
    _copy_drafts(source.drafts, target.drafts, done)
    _copy_batches(source, target, sorted(batches), moved, done)
    # the prompt library: every version (message, author, time kept) and label; one held already is skipped
    done.prompt_versions = sum(len(v) for v in target.import_prompts(source.prompt_entries()).values())
    return done


def _copy_batches(source: Any, target: Any, batch_ids: list[str], moved: dict[int, int], done: Copied) -> None:
    for batch_id in batch_ids:
        report = source.batch(batch_id)
        if report is None:
            continue
        if target.batch(batch_id) is not None:
            done.batches_skipped += 1
            continue
        for result in report.get("results") or ():
            result["run"] = moved.get(result.get("run"))  # type: ignore[arg-type]
        target.save_batch(batch_id, report)
        done.batches += 1


def _copy_judging(source: Any, target: Any, moved: dict[int, int], done: Copied) -> None:
    """The ratings of the runs just copied, and the verdicts on them that no batch document brings."""
    from dataclasses import replace

    if not moved:
        return
    rated = [replace(r, run_id=moved[r.run_id]) for found in source.ratings(list(moved)).values() for r in found]
    done.ratings += target.keep_ratings(rated)
    said = [replace(v, run_id=moved[v.run_id]) for v in source.verdicts(run_ids=list(moved))
            if not (v.group_id or "").startswith("bat-")]
    done.verdicts += target.save_verdicts(said)


def _copy_drafts(source: Any, target: Any, done: Copied) -> None:
    for draft_id in source.ids():
        data, _ = source.read(draft_id)
        if data is None:
            continue
        try:  # base=0: only where the target has no such draft
            target.save(draft_id, data, source.attachments(draft_id), base=0)
            done.drafts += 1
        except DraftConflict:
            done.drafts_skipped += 1
