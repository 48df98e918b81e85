"""Two runs side by side: a rerun against the run it repeats, or any two runs from History.

- :func:`compare_rerun`: same request (by :func:`comet.runs.stamp.request_hash`), served model changed
  or not, and a word diff of the replies.
- :func:`json_diff`: for replies that are JSON, the keys added, removed and changed, each with
  its path (``$.items[2].name``).
- :func:`metrics`: the numbers of both runs in one table, row by row.

The word diff is Compare's (:func:`comet.runs.compare.word_diff`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from comet.core import formats
from comet.core.exchange import Exchange

from .compare import DiffOp, diff_ratio, word_diff
from .stamp import Stamp, of


@dataclass(frozen=True)
class RerunCheck:
    """A rerun beside the run it repeats."""

    before: Stamp
    after: Stamp
    same_request: bool
    served_changed: bool
    same_reply: bool
    similarity: float  # 0..1, word by word
    diff: tuple[DiffOp, ...]

    def summary(self) -> str:
        parts = ["same request" if self.same_request else "a different request (its hash changed)"]
        if self.served_changed:
            parts.append(f"served model changed: {self.before.served_model or 'unknown'} → "
                         f"{self.after.served_model or 'unknown'}")
        else:
            parts.append(f"same served model ({self.after.served_model or 'unknown'})")
        parts.append("identical reply" if self.same_reply else f"reply {self.similarity:.0%} the same, word by word")
        return "; ".join(parts)


def compare_rerun(before: Exchange, after: Exchange, app_version: str | None = None) -> RerunCheck:
    """``after`` (the rerun) against ``before`` (the run it repeats)."""
    first, second = of(before, app_version), of(after, app_version)
    return RerunCheck(first, second, first.request_hash == second.request_hash,
                      first.served_model != second.served_model, before.text == after.text,
                      diff_ratio(before.text, after.text), tuple(word_diff(before.text, after.text)))


# ---- JSON replies ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    path: str  # $.a.b[0]
    kind: str  # "added" (only in b), "removed" (only in a), "changed"
    before: Any = None
    after: Any = None


def parse_reply(text: str) -> Any | None:
    """A reply's JSON object or array (a fenced ```json block counts), else None."""
    stripped = (text or "").strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[-1].rsplit("```", 1)[0].strip()
    if not stripped or stripped[0] not in "[{":
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    return value if isinstance(value, (dict, list)) else None


def json_diff(a: Any, b: Any, path: str = "$") -> list[Change]:
    """Every difference between two JSON values, in document order. Objects are compared key
    by key; arrays item by item (an item past the other's end is added or removed)."""
    if isinstance(a, dict) and isinstance(b, dict):
        found: list[Change] = []
        for key in list(a) + [k for k in b if k not in a]:
            where = f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key, ensure_ascii=False)}]"
            if key not in b:
                found.append(Change(where, "removed", before=a[key]))
            elif key not in a:
                found.append(Change(where, "added", after=b[key]))
            else:
                found += json_diff(a[key], b[key], where)
        return found
    if isinstance(a, list) and isinstance(b, list):
        found = []
        for i in range(max(len(a), len(b))):
            where = f"{path}[{i}]"
            if i >= len(b):
                found.append(Change(where, "removed", before=a[i]))
            elif i >= len(a):
                found.append(Change(where, "added", after=b[i]))
            else:
                found += json_diff(a[i], b[i], where)
        return found
    if type(a) is type(b) and a == b:
        return []
    return [Change(path, "changed", before=a, after=b)]


# ---- metrics -----------------------------------------------------------------------------------------

METRICS = (("route", "Route"), ("model", "Model"), ("served_model", "Served model"), ("status", "Status"),
           ("finish_reason", "Finish"), ("input_tokens", "Input tokens"), ("output_tokens", "Output tokens"),
           ("thinking_tokens", "Thinking tokens"), ("cost", "Cost"), ("ttft_ms", "Time to first token"),
           ("latency_ms", "Latency"), ("attempts", "Attempts"), ("request_hash", "Request hash"),
           ("app_version", "App version"))
# a number and a difference read as on every page (comet.core.formats); other numbers are counts
NUMBERS = {"cost": (formats.usd, formats.delta_usd), "ttft_ms": (formats.ms, formats.delta_ms),
           "latency_ms": (formats.ms, formats.delta_ms)}


def metrics(a: dict[str, Any], b: dict[str, Any], labels: Sequence[str] = ("A", "B")) -> list[dict[str, Any]]:
    """The two runs' list rows as table rows: metric, A, B and whether they differ (for
    numbers, B minus A)."""
    rows = []
    for key, label in METRICS:
        x, y = a.get(key), b.get(key)
        shown, delta = NUMBERS.get(key, (formats.count, formats.delta_count))
        number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
        row = {"metric": label, labels[0]: shown(x) if number(x) else _text(x),
               labels[1]: shown(y) if number(y) else _text(y)}
        if number(x) and number(y):
            row["difference"] = delta(y - x)
        else:
            row["difference"] = "same" if x == y else "differs"
        rows.append(row)
    return rows


def _text(value: Any) -> str:
    return formats.EMPTY if value is None else str(value)
