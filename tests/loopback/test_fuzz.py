"""Generated hostile inputs through every public function (issue 10): bodies, JSON text,
prompts, model IDs, files, replies and share tokens, through validation, conversion both ways,
every snippet flavour, the form and feature helpers, share links and files and schema checks.
Only the project's own errors may come out, and every rendered snippet must parse.

A fixed budget that fits CI (derandomized, so a failure reproduces); ``bench/fuzz.py`` runs
10,000 of the same inputs.
"""

from __future__ import annotations

from fuzz_support import drive, inputs, unparsed
from hypothesis import HealthCheck, Phase, given, settings

SNIPPETS: list[tuple[str, str]] = []
CRASHES: list[tuple[str, str, dict]] = []


@settings(max_examples=250, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inputs())
def _one(case):
    run = drive(case)
    CRASHES.extend((name, error, case) for name, error in run.crashes)
    SNIPPETS.extend(run.snippets)


def test_generated_inputs_give_only_the_projects_errors_and_snippets_that_parse():
    _one()
    assert not CRASHES, "\n".join(f"{name}: {error}\n  input: {case!r}"[:600] for name, error, case in CRASHES[:10])
    assert len(SNIPPETS) > 500  # most inputs got past the edge and rendered in every flavour
    assert unparsed(SNIPPETS) == []
