"""``select-best`` in a batch: a case's results wait until every target of the case is done,
then one judge request picks the best reply and each result gets its verdict.

A result of a case without a select-best check passes straight through. When the batch ends
before a case is complete (Stop, Ctrl-C), its waiting results are let go as they are: their
select-best verdict says it was not judged (an error, not a fail).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from comet.runs import judge as judging

from .checks import WAITING, choose


class BestOf:
    """Holds back the results of cases with a select-best check until the case is complete."""

    def __init__(self, targets: int, asker: judging.Asker, workers: int):
        self.targets, self.asker = targets, asker
        self._waiting: dict[tuple[int, int], list[Any]] = {}  # (case, repeat): its results so far
        self._workers = workers
        self._lock = threading.Lock()

    def settle(self, result: Any, names: list[str], targets: list[Any]) -> list[Any]:
        """The results ready to report now: ``result`` itself, nothing (it waits), or the whole
        case judged (``names``/``targets``: the batch's target names and targets, by index)."""
        if not any(c.type == "select-best" for c in result.case.checks):
            return [result]
        key = (result.case.number, getattr(result, "repeat", 1))  # each repeat of a case is judged apart
        with self._lock:
            case = self._waiting.setdefault(key, [])
            case.append(result)
            if len(case) < self.targets:
                return []
            del self._waiting[key]
        return self._judge(sorted(case, key=lambda r: r.target), names, targets)

    def _judge(self, results: list[Any], names: list[str], targets: list[Any]) -> list[Any]:
        verdicts = {r.target: list(r.verdicts) for r in results}
        for check in (c for c in results[0].case.checks if c.type == "select-best"):
            held = [r for r in results if check.applies_to(targets[r.target])]
            texts = [None if r.error is not None else r.text for r in held]
            said = choose(check, texts, self.asker, [names[r.target] for r in held])
            for r, verdict in zip(held, said):
                mine = verdicts[r.target]
                if r.error is None:  # a failed request has no verdicts: it stays an error
                    at = next(i for i, v in enumerate(mine) if v.type == "select-best" and v.message
                              == WAITING and v.judgement is None)
                    mine[at] = verdict
        return [replace(r, verdicts=tuple(verdicts[r.target])) for r in results]

    def leave(self) -> list[Any]:
        """A worker is done; the last one lets every waiting result go, unjudged."""
        with self._lock:
            self._workers -= 1
            if self._workers > 0:
                return []
            rest = [r for case in self._waiting.values() for r in case]
            self._waiting.clear()
        return rest
