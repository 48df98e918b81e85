"""``select-best`` in a batch: a case's results wait until every target of the case is done,
then one judge request picks the best reply and each result gets its verdict.

A result of a case without a select-best check passes straight through. When the batch ends
before a case is complete (Stop, Ctrl-C), its waiting results are let go as they are: their
select-best verdict says it was not judged (an error, not a fail). A stored batch's workers
judge a case with :func:`judge_case` once its last item is finished (comet.store.batch_best).
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from typing import Any

from comet.runs import judge as judging

from .checks import choose


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
        return judge_case(results, names, targets, self.asker)

    def leave(self) -> list[Any]:
        """A worker is done; the last one lets every waiting result go, unjudged."""
        with self._lock:
            self._workers -= 1
            if self._workers > 0:
                return []
            rest = [r for case in self._waiting.values() for r in case]
            self._waiting.clear()
        return rest


def judge_case(results: list[Any], names: list[str], targets: list[Any], asker: judging.Asker) -> list[Any]:
    """One case's results (every target's, by target) with each select-best verdict replaced by
    the judge's: one judge request a select-best check. A failed request has no verdicts: it
    stays an error."""
    verdicts = {r.target: list(r.verdicts) for r in results}
    for n, check in enumerate(c for c in results[0].case.checks if c.type == "select-best"):
        held = [r for r in results if check.applies_to(targets[r.target])]
        texts = [None if r.error is not None else r.text for r in held]
        said = choose(check, texts, asker, [names[r.target] for r in held])
        for r, verdict in zip(held, said):
            mine = verdicts[r.target]
            at = [i for i, v in enumerate(mine) if v.type == "select-best"]
            if r.error is None:  # its n-th select-best among the checks that hold for its target
                mine[at[_nth(results[0].case.checks, n, targets[r.target])]] = verdict
    return [replace(r, verdicts=tuple(verdicts[r.target])) for r in results]


def _nth(checks: Any, n: int, target: Any) -> int:
    """Which of a target's select-best verdicts is the case's ``n``-th select-best check's."""
    best = [c for c in checks if c.type == "select-best"]
    return sum(1 for c in best[:n] if c.applies_to(target))


def judgements(results: list[Any]) -> dict[int, Any]:
    """The select-best judgements the results hold, each once (by identity: the results of one
    case share their check's judgement)."""
    return {id(v.judgement): v.judgement for r in results for v in r.verdicts
            if v.type == "select-best" and v.judgement is not None}


def judge_cost(results: list[Any]) -> float:
    """What the judge requests of one case's select-best checks cost (each counted once)."""
    return sum(j.cost_usd or 0.0 for j in judgements(results).values())


def shared(results: list[Any]) -> list[Any]:
    """Results read back from the store, each with a copy of its case's select-best judgement,
    made to share one (as the batch that judged them had): a report counts it once."""
    seen: dict[Any, Any] = {}

    def one(r: Any, v: Any) -> Any:
        if v.type != "select-best" or v.judgement is None:
            return v
        return replace(v, judgement=seen.setdefault((r.case.number, r.repeat, json.dumps(v.judgement.to_dict(), sort_keys=True)), v.judgement))

    return [replace(r, verdicts=tuple(one(r, v) for v in r.verdicts)) for r in results]
