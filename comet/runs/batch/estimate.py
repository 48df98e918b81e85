"""What a batch may cost before anything is sent, for the page's "are you sure" above a size.

An estimate, and said as one: input tokens from each case's request text at about
:data:`~comet.runs.tally.CHARS_PER_TOKEN` characters a token, output tokens at the request's own
maximum (``maxOutputTokens`` / ``max_completion_tokens``) or :data:`ASSUMED_OUTPUT_TOKENS` when it
sets none, priced by the model list. Thinking tokens are not foreseen; a target whose model has
no price is named, not guessed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from comet.body import form
from comet.runs.compare import Planned
from comet.runs.tally import CHARS_PER_TOKEN

from .suite import Suite

ASSUMED_OUTPUT_TOKENS = 1_000  # a reply's tokens when the request sets no maximum


@dataclass(frozen=True)
class Estimate:
    requests: int
    input_tokens: int
    output_tokens: int
    usd: float | None  # the priced targets' sum; None when none has a price
    unpriced: tuple[str, ...] = ()  # models without a price in the model list

    def sentence(self) -> str:
        """``about $0.42 (120,000 input and 300,000 output tokens at most)``, and what is not priced."""
        tokens = f"{self.input_tokens:,} input and up to {self.output_tokens:,} output tokens"
        said = f"about ${self.usd:,.2f} ({tokens})" if self.usd is not None else f"not known ({tokens})"
        if self.unpriced:
            said += f"; no price for {', '.join(self.unpriced)}, so those runs are not in the sum"
        return said


def estimate(suite: Suite, planned: Sequence[Planned], catalog: Mapping[str, Any]) -> Estimate:
    """The batch of ``suite`` over ``planned`` targets, priced by ``catalog`` (model id -> ModelInfo)."""
    base = len(json.dumps(suite.call.body, ensure_ascii=False))
    chars = sum(base + sum(len(str(v)) for v in case.vars.values()) for case in suite.cases)
    input_each = math.ceil(chars / CHARS_PER_TOKEN)  # all the cases, once per target
    cases, total_in, total_out, usd, unpriced = len(suite.cases), 0, 0, None, []
    for p in planned:
        cap = form.read(p.call.route, p.call.body).get("max_output_tokens")
        output = (cap if isinstance(cap, int) and cap > 0 else ASSUMED_OUTPUT_TOKENS) * cases
        total_in, total_out = total_in + input_each, total_out + output
        info = catalog.get(p.call.model)
        pricing = getattr(info, "pricing", None)
        if pricing is None:
            unpriced.append(p.call.model)
            continue
        usd = (usd or 0.0) + (input_each * pricing.input + output * pricing.output) / 1_000_000
    return Estimate(cases * len(planned), total_in, total_out, usd, tuple(dict.fromkeys(unpriced)))
