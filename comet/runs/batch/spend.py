"""``--max-cost-usd X``: a batch starts no new run once the spend recorded for it reaches X.

The stop condition is one small function, :func:`reached`, over two numbers (what the batch's runs
cost so far, and the cap), so the in-process runner (:class:`~comet.runs.batch.runner.Batch`) and a
stored batch's workers ask the same question, each summing the spend where it keeps it. Runs in
flight when the cap is reached finish and count; what was not started stays to do (a stored batch
stays resumable). :func:`stopped` says what happened, in one sentence.
"""

from __future__ import annotations

import math
from typing import Any

from comet.core import formats

__all__ = ["reached", "cap", "stopped", "resume_hint"]


class CapError(ValueError):
    """A cap that is not a positive number of dollars; ``where`` names the flag or field."""

    def __init__(self, where: str, message: str, fix: str):
        super().__init__(f"{where}: {message}")
        self.where, self.message, self.fix = where, message, fix


def cap(value: Any, where: str = "--max-cost-usd") -> float | None:
    """The cap in dollars (None for none); a :class:`CapError` naming ``where`` for anything but
    a positive finite number."""
    if value is None:
        return None
    try:
        usd = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        usd = math.nan
    if not math.isfinite(usd) or usd <= 0:
        raise CapError(where, f"the cost cap is a positive number of US dollars, not {str(value)[:40]!r}",
                       f"write {where} 0.50 to stop starting runs once the batch has spent $0.50")
    return usd


def reached(spent_usd: float | None, cap_usd: float | None) -> bool:
    """Whether a batch that has spent ``spent_usd`` (its finished runs' recorded costs) may start
    no new run under ``cap_usd`` (None: no cap)."""
    return cap_usd is not None and (spent_usd or 0.0) >= cap_usd


def stopped(spent_usd: float, cap_usd: float, finished: int, total: int) -> str:
    """``stopped: the batch spent $0.0012, reaching --max-cost-usd $0.001; 12 of 40 runs finished,
    28 were not started``."""
    return (f"stopped: the batch spent {formats.usd(spent_usd)}, reaching its cost cap of {formats.usd(cap_usd)}; "
            f"{finished:,} of {total:,} runs finished, {total - finished:,} were not started")


def resume_hint(batch_id: str, spent_usd: float) -> str:
    """How a stored batch its cap stopped goes on: a plain ``--resume`` keeps the cap."""
    return (f"resume with python -m comet batch --resume {batch_id} --max-cost-usd Y, "
            f"Y above the {formats.usd(spent_usd)} spent (a plain --resume keeps the cap)")
