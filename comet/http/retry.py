"""How the client retries (issue 2 section 5): which failures, how often, how long it waits."""

from __future__ import annotations

import random
from dataclasses import dataclass

from comet.core.errors import CometError


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter (``jitter`` = the largest fraction taken off a
    computed delay, as the openai SDK does). A server's own delay is used as given."""

    attempts: int = 4
    base_s: float = 0.5
    cap_s: float = 8.0
    total_s: float = 30.0
    jitter: float = 0.25

    def delay(self, error: CometError, attempt: int, elapsed_s: float) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to stop here."""
        if not error.retryable or attempt >= self.attempts:
            return None
        wait = getattr(error, "retry_after", None)
        if wait is None:
            wait = min(self.cap_s, self.base_s * 2 ** (attempt - 1))
            wait *= 1 - self.jitter * random.random()
        return None if elapsed_s + wait > self.total_s else wait
