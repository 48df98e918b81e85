"""The History chart's numbers: p50 and p95 time to first token and latency per route and model,
and cost per model, from the rows ``Store.samples`` gives (the newest matching runs).

Percentiles are nearest-rank on the sorted values (p95 of 20 runs is the 19th), the usual reading
of "95 % of runs were at least this fast". Pure; no pandas.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Iterable, Mapping

from comet.core import formats


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile ``q`` (0-100) of ``values``; None when there are none."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def by_target(samples: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per route and model: ``target`` (its readable label), ``runs`` and the p50/p95 of
    TTFT and latency in ms, rounded to 0.1 ms. Busiest first."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for s in samples:
        groups[(s["route"], s["model"])].append(s)
    out = []
    for (route, model), rows in groups.items():
        row: dict[str, Any] = {"target": formats.target(route, model), "route": route,
                               "model": model, "runs": len(rows)}
        for field, name in (("ttft_ms", "TTFT"), ("latency_ms", "Latency")):
            values = [r[field] for r in rows if r[field] is not None]
            for q in (50, 95):
                found = percentile(values, q)
                row[f"{name} p{q}"] = None if found is None else round(found, 1)
        out.append(row)
    return sorted(out, key=lambda r: (-r["runs"], r["target"]))


def cost_by_model(samples: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per model with a known cost: ``runs`` priced, ``total`` and ``mean`` USD."""
    costs: dict[str, list[float]] = defaultdict(list)
    for s in samples:
        if s.get("cost") is not None:
            costs[s["model"]].append(float(s["cost"]))
    return sorted(({"model": m, "runs": len(v), "total": sum(v), "mean": sum(v) / len(v)}
                   for m, v in costs.items()), key=lambda r: -r["total"])
