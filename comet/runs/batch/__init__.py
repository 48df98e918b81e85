"""Batch runs: one request over a set of cases, on several targets, with checks.

    suite (:mod:`.suite`)  ->  plan (:func:`.runner.plan`: the request per target, as Compare
    converts it)  ->  :class:`.runner.Batch` (cases x targets, concurrent, one shared rate
    limiter, Stop)  ->  results, checked by :mod:`.checks`, reported by :mod:`.report`.

    >>> suite = load("examples/capitals/suite.json")                      # doctest: +SKIP
    >>> with Client() as client:                                          # doctest: +SKIP
    ...     results = Batch(suite, plan(suite), client, concurrency=8).run()
"""

from __future__ import annotations

from .checks import TYPES as ASSERTION_TYPES
from .report import FORMATS, CaseStats, counts, document, keep, per_case, per_target, render, summary
from .runner import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, Batch, Limiter, Result, new_batch_id, plan, target_name
from .suite import MAX_REPEAT, MAX_REQUESTS, Case, Suite, SuiteError, load, parse, read_dataset, with_repeat

__all__ = ["ASSERTION_TYPES", "FORMATS", "CaseStats", "counts", "per_case", "DEFAULT_CONCURRENCY", "MAX_CONCURRENCY", "MAX_REPEAT", "MAX_REQUESTS", "Batch", "Case",
           "Limiter", "Result", "Suite", "SuiteError", "document", "keep", "load", "new_batch_id", "parse", "per_target", "plan", "read_dataset",
           "render", "summary", "target_name", "with_repeat"]
