"""A spending limit on a deployment's shared key: ``COMET_USER_BUDGET_USD`` per person per rolling
24 hours, summed from the store's runs, so it holds across replicas and processes (no counter to
drift: the runs are the record).

    >>> used = spend(store, "ana@team.example", 5.0, top=top_price(catalog))   # doctest: +SKIP
    >>> used.over, used.message()

A run's spend is the cost the app showed for it; a run whose price was unknown (cost empty) counts
its tokens at the catalog's highest Gemini price (:func:`top_price`), so an unpriced model cannot
be used to escape the limit. What is checked is what has been spent: below the limit a send goes
out, at or over it sends are refused until the oldest spend leaves the window.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from comet.core.errors import ConfigError
from comet.http.models import Pricing, is_gemini

BUDGET_ENV = "COMET_USER_BUDGET_USD"
WINDOW_S = 24 * 3600.0
# where the catalog lists no Gemini price at all: above any Gemini model's list price (USD per M)
CEILING = Pricing(input=10.0, output=40.0)


def read_limit(lookup: Callable[[str], Any] | None = None) -> float | None:
    """The limit in USD (None: no limit). A value that is not a non-negative amount is a
    ConfigError naming it: a typo must not lift the limit."""
    raw = str((lookup or os.environ.get)(BUDGET_ENV) or "").strip().lstrip("$")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{BUDGET_ENV} = {raw!r} is not an amount in US dollars",
                          fix=f"set {BUDGET_ENV} to a number such as 5 or 0.50, or unset it for no limit")
    return value


def top_price(models: Iterable[Any]) -> Pricing:
    """The highest input and output price among the catalog's Gemini models (:data:`CEILING`
    when it prices none)."""
    priced = [m.pricing for m in models if getattr(m, "pricing", None) is not None and is_gemini(m.id)]
    if not priced:
        return CEILING
    return Pricing(input=max(p.input for p in priced), output=max(p.output for p in priced))


@dataclass(frozen=True)
class Spend:
    """What ``who`` spent in the window ending ``now``; ``oldest``: when its oldest spend was."""

    who: str
    spent: float
    limit: float
    oldest: float | None
    now: float

    @property
    def over(self) -> bool:
        return self.spent >= self.limit

    @property
    def resets_at(self) -> float | None:
        """When the oldest spend leaves the window (None: nothing spent)."""
        return None if self.oldest is None else self.oldest + WINDOW_S

    def message(self) -> str:
        """Why a send is refused: spent, the limit, and when the oldest spend leaves the window."""
        when = ""
        if self.resets_at is not None:
            at = datetime.fromtimestamp(self.resets_at, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            left = max(0, int(self.resets_at - self.now))
            when = f" The oldest of it leaves the 24-hour window at {at} (in {left // 3600} h {left % 3600 // 60} min)."
        return (f"Spending limit reached: you have spent ${self.spent:.4f} of your ${self.limit:.2f} in the last "
                f"24 hours on this deployment's key ({BUDGET_ENV}), so nothing was sent.{when} A key of your "
                "own typed in the sidebar is not limited.")


_SPEND_SQL = """
SELECT COALESCE(SUM(s), 0) AS spent, MIN(CASE WHEN s > 0 THEN created_at END) AS oldest FROM (
    SELECT created_at, CASE WHEN cost IS NOT NULL THEN cost ELSE
        (COALESCE(input_tokens, 0) + COALESCE(tool_use_prompt_tokens, 0)) * ?
        + (COALESCE(output_tokens, 0) + COALESCE(thinking_tokens, 0)) * ? END AS s
    FROM runs WHERE created_by = ? AND created_at >= ?) t
"""


def spend(store: Any, who: str, limit: float, *, top: Pricing = CEILING, now: float | None = None) -> Spend:
    """``who``'s spend in the rolling window, from the runs in ``store`` (an SQL backend)."""
    now = time.time() if now is None else now
    params = (top.input / 1e6, top.output / 1e6, who, now - WINDOW_S)
    with store._tx() as conn:
        found = store._run(conn, _SPEND_SQL, params).fetchone()
    return Spend(who, float(found["spent"] or 0.0), limit, found["oldest"], now)


def usage(store: Any, who: str | None, *, days: int = 30, top: Pricing = CEILING,
          now: float | None = None) -> list[dict[str, Any]]:
    """Spend by day (UTC), person and model over the last ``days`` days, newest day first
    (``who`` None: everyone's, for admins). Unknown prices are counted as :func:`spend` counts them."""
    now = time.time() if now is None else now
    mine = "AND created_by = ?" if who is not None else ""
    sql = ("SELECT created_at, created_by, model, CASE WHEN cost IS NOT NULL THEN cost ELSE "
           "(COALESCE(input_tokens, 0) + COALESCE(tool_use_prompt_tokens, 0)) * ? "
           "+ (COALESCE(output_tokens, 0) + COALESCE(thinking_tokens, 0)) * ? END AS s, cost IS NULL AS unpriced "
           f"FROM runs WHERE created_at >= ? {mine}")
    params = [top.input / 1e6, top.output / 1e6, now - days * 86400.0, *([who] if who is not None else [])]
    totals: dict[tuple[str, str, str], dict[str, Any]] = {}
    with store._tx() as conn:
        for r in store._run(conn, sql, params):
            day = datetime.fromtimestamp(r["created_at"], timezone.utc).strftime("%Y-%m-%d")
            row = totals.setdefault((day, r["created_by"], r["model"]), {
                "day": day, "person": r["created_by"], "model": r["model"], "runs": 0, "usd": 0.0, "unpriced": 0})
            row["runs"] += 1
            row["usd"] += float(r["s"] or 0.0)
            row["unpriced"] += 1 if r["unpriced"] else 0
    return sorted(totals.values(), key=lambda x: (x["day"], x["person"], x["model"]), reverse=True)
