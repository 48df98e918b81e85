"""What ``python -m comet batch`` says and checks about cost: ``--dry-run`` (the number of requests
and what they may cost, nothing sent but the model list and a token count) and ``--max-cost-usd``
(checked, every target priced, and said when it stops the batch); ``--submit`` prints the same
line (:func:`say_submitted`), priced offline."""

from __future__ import annotations

import sys
from typing import Any, Sequence

from .common import OK, BadInput, client as sender


def cap(value: Any) -> float | None:
    """``--max-cost-usd``: a positive number of dollars, else exit 2 naming the flag."""
    from comet.runs.batch.spend import CapError, cap as checked

    try:
        return checked(value, "--max-cost-usd")
    except CapError as err:
        raise BadInput(f"{err.where}: {err.message}", err.fix) from None


def batch_only(value: Any, mode: str) -> None:
    """``--max-cost-usd`` is a batch's: given with SUITE.json (run here, ``--record`` or
    ``--submit``: stored with the batch) or ``--resume`` (a new cap); a worker (``--work``) and
    ``--results`` have none of their own: refused, not ignored."""
    if value is not None and mode in ("--work", "--results"):
        raise BadInput(f"--max-cost-usd does not go with {mode}: the cost cap belongs to a batch, and every worker "
                       "heeds the one stored with it",
                       "give --max-cost-usd with --submit, or with --resume BATCH_ID to set a new cap")


def catalog(client: Any) -> dict[str, Any]:
    """The model list by id (prices), or empty with a warning when the service gives none."""
    from comet.core.errors import CometError

    try:
        return {m.id: m for m in client.models()}
    except CometError as err:
        print(f"warning: no model list ({err.message}); costs are not known", file=sys.stderr)
        return {}


def counter(client: Any):
    """The service's own token count (Gemini's ``:countTokens``) for Gemini-route calls."""
    from comet.core.call import Route

    return lambda call: client.count_tokens(call) if call.route is Route.GEMINI else None


def say_preview(suite: Any, planned: Sequence[Any], client: Any, out=None) -> None:
    """One line: how many requests and what they may cost (:func:`comet.runs.batch.estimate.preview`)."""
    from comet.runs.batch.estimate import preview

    print(preview(suite, planned, catalog(client), counter(client)), file=out or sys.stdout)


def say_submitted(suite: Any, planned: Sequence[Any], usd: float | None = None) -> None:
    """``--submit`` sends nothing, not even for prices: the preview on stderr (stdout is the batch
    id), priced by the built-in copy of CometAPI's public price list; with a cap every target
    needs a price there (exit 2 before anything is stored)."""
    from comet.emulator.catalog import catalog as built_in
    from comet.http.models import merge
    from comet.runs.batch.estimate import preview

    known = {m.id: m for m in merge(None, built_in())}
    if usd is not None:
        _priced(known, planned)
    print(preview(suite, planned, known) + " (built-in price list)", file=sys.stderr)


def dry_run(suite: Any, planned: Sequence[Any], base_url: str | None) -> int:
    """``--dry-run``: the preview on stdout; no answer is asked for."""
    with sender(base_url) as client:
        say_preview(suite, planned, client)
    return OK


def ensure_priced(client: Any, planned: Sequence[Any], usd: float | None) -> None:
    """With a cap, every target's model needs a price, or its runs would spend without counting."""
    if usd is not None:
        _priced(catalog(client), planned)


def _priced(known: dict[str, Any], planned: Sequence[Any]) -> None:
    missing = [p.call.model for p in planned if getattr(known.get(p.call.model), "pricing", None) is None]
    if missing:
        raise BadInput(f"--max-cost-usd: no price for {', '.join(dict.fromkeys(missing))}, so its spend cannot be "
                       "counted", "leave out --max-cost-usd, or those targets")


def say_stopped(run: Any) -> None:
    """The line on stderr when the cap stopped the batch (its results are still reported)."""
    from comet.runs.batch.spend import resume_hint, stopped

    if run.capped:
        said = stopped(run.spent, run.max_cost_usd, len(run.results), run.total)
        if run.history is not None and len(run.results) < run.total:  # --record stored it: it stays resumable
            said += "; " + resume_hint(run.batch_id, run.spent)
        print(said, file=sys.stderr)
