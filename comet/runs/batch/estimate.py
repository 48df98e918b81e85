"""What a batch may cost before anything is sent: the page's line above Run, ``batch --dry-run``
and ``--submit`` (:func:`preview` is the one sentence they all print).

An estimate, and said as one: input tokens from each case's request text at about
:data:`~comet.runs.tally.CHARS_PER_TOKEN` characters a token (``est.``), or, where the service
counts tokens (Gemini's ``:countTokens``, passed in as ``count``), that count for the first case on
each target, scaled to the others by their length; output tokens at the request's own maximum
(``maxOutputTokens`` / ``max_completion_tokens``) or :data:`ASSUMED_OUTPUT_TOKENS` when it sets
none; times the suite's repeats; priced by the model list. Thinking tokens are not foreseen; a
target whose model has no price is named, not guessed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from comet.body import form
from comet.body.variables import fill
from comet.core import formats
from comet.core.call import Call
from comet.runs.compare import Planned
from comet.runs.tally import CHARS_PER_TOKEN

from .suite import Suite

ASSUMED_OUTPUT_TOKENS = 1_000  # a reply's tokens when the request sets no maximum
Counter = Callable[[Call], "int | None"]  # a call's input tokens as the service counts them, or None


@dataclass(frozen=True)
class Estimate:
    requests: int
    input_tokens: int
    output_tokens: int
    usd: float | None  # the priced targets' sum; None when none has a price
    unpriced: tuple[str, ...] = ()  # models without a price in the model list
    counted: bool = False  # every target's input tokens came from the service's count

    def sentence(self) -> str:
        """``about $0.42 (est.: 120,000 input and up to 300,000 output tokens)``, and what is not
        priced; ``counted:`` instead of ``est.:`` when the service counted the input."""
        how = "counted" if self.counted else "est."
        tokens = f"{how}: {self.input_tokens:,} input and up to {self.output_tokens:,} output tokens"
        usd = None if self.usd is None else formats.usd(self.usd) if self.usd < 0.01 else f"${self.usd:,.2f}"
        said = f"about {usd} ({tokens})" if usd is not None else f"not known ({tokens})"
        if self.unpriced:
            said += f"; no price for {', '.join(self.unpriced)}, so those runs are not in the sum"
        return said


def estimate(suite: Suite, planned: Sequence[Planned], catalog: Mapping[str, Any],
             count: Counter | None = None) -> Estimate:
    """The batch of ``suite`` over ``planned`` targets, priced by ``catalog`` (model id -> ModelInfo)."""
    base = len(json.dumps(suite.call.body, ensure_ascii=False))
    sizes = [base + sum(len(str(v)) for v in case.vars.values()) for case in suite.cases]
    runs, total_in, total_out, usd, unpriced, counted = len(suite.cases) * suite.repeat, 0, 0, None, [], True
    for p in planned:
        measured = _counted(p, suite, count)
        counted = counted and measured is not None
        input_each = (math.ceil(measured * sum(sizes) / sizes[0]) if measured is not None and sizes
                      else math.ceil(sum(sizes) / CHARS_PER_TOKEN)) * suite.repeat  # all the runs on this target
        cap = form.read(p.call.route, p.call.body).get("max_output_tokens")
        output = (cap if isinstance(cap, int) and cap > 0 else ASSUMED_OUTPUT_TOKENS) * runs
        total_in, total_out = total_in + input_each, total_out + output
        pricing = getattr(catalog.get(p.call.model), "pricing", None)
        if pricing is None:
            unpriced.append(p.call.model)
            continue
        usd = (usd or 0.0) + (input_each * pricing.input + output * pricing.output) / 1_000_000
    return Estimate(runs * len(planned), total_in, total_out, usd, tuple(dict.fromkeys(unpriced)),
                    counted and bool(planned))


def _counted(p: Planned, suite: Suite, count: Counter | None) -> int | None:
    """The service's count of the first case's input on this target, when it offers one."""
    if count is None or not suite.cases:
        return None
    try:
        found = count(Call(p.call.route, p.call.model, fill(p.call.body, suite.cases[0].vars), stream=p.call.stream,
                           attachments=p.call.attachments))
    except Exception:  # a count is a refinement: a service without one leaves the estimate to the text
        return None
    return found if isinstance(found, int) and found >= 0 else None


def preview(suite: Suite, planned: Sequence[Planned], catalog: Mapping[str, Any], count: Counter | None = None) -> str:
    """``12 requests (2 cases x 2 targets x 3 runs); cost about $0.01 (...)``: what the page,
    ``--dry-run`` and ``--submit`` say before anything is sent."""
    found = estimate(suite, planned, catalog, count)
    runs = f" x {suite.repeat} runs" if suite.repeat > 1 else ""
    return (f"{formats.many(found.requests, 'request')} ({formats.many(len(suite.cases), 'case')} x "
            f"{formats.many(len(planned), 'target')}{runs}); "
            f"cost {found.sentence()}")
