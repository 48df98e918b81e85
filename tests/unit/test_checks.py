"""The limits on a batch's regex checks that need no clock: pattern length, the repeats regex's
compiler would write out, nesting, and the length of reply a check reads."""

from __future__ import annotations

import time

import pytest

from comet.runs.batch.checks import MAX_PATTERN, MAX_SPELLED, MAX_TEXT, CheckError, Outcome, evaluate, prepare


def _refused(pattern: str) -> CheckError:
    with pytest.raises(CheckError) as err:
        prepare({"type": "regex", "value": pattern}, "$.assert[0]", {})
    assert err.value.path == "$.assert[0].value" and err.value.fix
    return err.value


def test_a_pattern_over_the_length_limit_is_refused_naming_it():
    assert f"over the limit of {MAX_PATTERN:,}" in _refused("a" * (MAX_PATTERN + 1)).message
    prepare({"type": "regex", "value": "a" * MAX_PATTERN}, "$", {})


def test_counted_repeats_that_would_spell_out_millions_are_refused_at_once():
    start = time.monotonic()
    err = _refused("(?:a{1000}){1000}")  # the regex package's compiler wrote out a million atoms (300 MB)
    assert "1,000,000" in err.message and f"{MAX_SPELLED:,}" in err.message
    assert time.monotonic() - start < 0.5
    assert "1,000,000,000" in _refused("(?:(?:a{1000}){1000}){1000}").message  # was killed for memory
    for fine in (r"\d{4}-\d{2}-\d{2}", r"(a+)+$", r"(?:x|y{3}){5}(?=b{2})", "a{1,%d}" % MAX_SPELLED):
        prepare({"type": "regex", "value": fine}, "$", {})


def test_a_bad_or_too_deeply_nested_pattern_is_refused_not_raised():
    assert "bad regex" in _refused("(unclosed").message
    assert "nests" in _refused("(" * 490 + ")" * 490).message


def test_a_reply_over_the_text_limit_is_an_error_not_a_fail():
    check = prepare({"type": "regex", "value": "^a"}, "$", {})
    verdict = evaluate(check, Outcome(text="a" * (MAX_TEXT + 1)))
    assert verdict.error and not verdict.passed and f"{MAX_TEXT:,}" in verdict.message
    assert verdict.to_dict() == {"type": "regex", "pass": False, "message": verdict.message, "error": True}
    assert evaluate(check, Outcome(text="a" * MAX_TEXT)).to_dict() == {
        "type": "regex", "pass": True, "message": "the reply matches '^a'"}
