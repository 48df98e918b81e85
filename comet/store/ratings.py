"""Human ratings of runs, and judges' verdicts beside them: how often a judge agrees with people.

A rating is good or bad, with an optional comment, by a person (the signed-in identity, the
CLI's user, or "" unknown) at a time; one per person and run (rating again replaces it). The
run's latest rating is also kept on its row (``rating``, ``rating_comment``), so History filters
by it and its exports carry it. A :class:`Verdict` is what a judge said of a stored run (a batch's
model-graded check, or *Ask a judge* under a comparison). :class:`Agreement` counts, per judge
model and rubric, the runs that have both and how many of them the judge and the person agree on
(good with pass, bad with fail). The SQL is :mod:`comet.store.ratings_sql`, on both backends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RATINGS = ("good", "bad")
MAX_COMMENT = 2_000  # characters


class RatingError(ValueError):
    """A rating that cannot be kept (not good or bad, a comment too long); nothing was written."""


def check_rating(rating: Any, comment: Any) -> tuple[str, str]:
    """(rating, comment) as stored, or :class:`RatingError` saying what to write."""
    if rating not in RATINGS:
        raise RatingError(f"a rating is 'good' or 'bad', not {rating!r}")
    comment = "" if comment is None else str(comment).strip()
    if len(comment) > MAX_COMMENT:
        raise RatingError(f"the comment is {len(comment):,} characters, over the limit of {MAX_COMMENT:,}: shorten it")
    return rating, comment


@dataclass(frozen=True)
class Rating:
    run_id: int
    rating: str  # "good" or "bad"
    comment: str = ""
    rated_by: str = ""
    rated_at: float = 0.0
    run_uid: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run_id, "rating": self.rating, "comment": self.comment, "rated_by": self.rated_by,
                "rated_at": self.rated_at}


@dataclass(frozen=True)
class Verdict:
    """A judge's verdict on one stored run. ``judge`` is the target as pages name it
    (``Gemini native · gemini-2.5-pro``); ``criterion`` the rubric, reference or criterion asked."""

    run_id: int
    judge: str
    kind: str  # llm-rubric, factuality, select-best
    criterion: str
    passed: bool
    reason: str = ""
    score: float | None = None
    group_id: str | None = None  # the comparison or batch the run belongs to
    judged_at: float = 0.0


@dataclass(frozen=True)
class Agreement:
    judge: str
    kind: str
    criterion: str
    runs: int  # runs with both a rating and a verdict (a run rated by two people counts twice)
    agree: int

    @property
    def share(self) -> float:
        return self.agree / self.runs if self.runs else 0.0

    def said(self) -> str:
        """``agrees with people on 3 of 4 rated runs (75%)``."""
        return f"agrees with people on {self.agree} of {self.runs} rated runs ({self.share:.0%})"
