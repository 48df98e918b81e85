"""Building the frozen values of every run cheaply: :func:`build`.

One of the hot path's tricks (the others: ``comet.http.answer.loads`` and the SSE event in
:mod:`comet.http.sse`), kept because ``bench/client_overhead.py`` shows it earns its place. A frozen
dataclass's ``__init__`` writes each field through ``object.__setattr__``: ~0.35 us a field, four
times a plain assignment (Reply's 16 fields: 7.5 us against 1.8 unfrozen). Every send builds a
Prepared, a Usage, a Candidate, a Reply, a Timing and an Exchange (49 fields); :func:`build`
fills their ``__dict__`` at once instead. Same-run A/B against the constructors, client CPU per
request over raw httpx2's (thread time, 60 rounds): plain calls +0.31/+0.32 ms -> +0.26/+0.27,
20-chunk streams +0.38/+0.45 -> +0.32/+0.36: 1.5 to 2 % of a request's time in the bench.

The values stay what they are: frozen (assigning raises), equal, hashable and printed as
before. Only the constructions on the send path take the shortcut; each is checked to name
every field, and names them in declaration order, so ``vars()`` and a pickle read as before
(tests/test_values.py checks the order on real runs of both routes).
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")
_new = object.__new__


def build(cls: type[T], /, **fields: Any) -> T:
    """``cls(**fields)`` for a frozen dataclass with no ``__post_init__``, every field given by
    name (a missing or unknown name raises TypeError, as the constructor would)."""
    if fields.keys() != cls.__dataclass_fields__.keys():  # type: ignore[attr-defined]
        expected = cls.__dataclass_fields__.keys()  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__} needs every field by name: missing "
                        f"{sorted(expected - fields.keys())}, unknown {sorted(fields.keys() - expected)}")
    value = _new(cls)
    value.__dict__.update(fields)
    return value
