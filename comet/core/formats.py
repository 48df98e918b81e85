"""How a number or a target reads wherever a person sees it (the pages, the CLI's tables): one
place, so a millisecond, a dollar or a target never reads two ways. Machine-readable outputs
(JSON, CSV) keep their raw numbers.

    ms(1234.5) == "1,235 ms"    usd(0.0000241) == "$0.000024"    count(1200) == "1,200"
    ms(None) == "–"             delta_ms(-120.2) == "−120 ms"     target("openai", "m") == "OpenAI-compatible · m"
"""

from __future__ import annotations

from typing import Any

from .call import Route

EMPTY = "–"  # an unknown or empty value: never "None", "nan" or a blank that looks like zero


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # NaN, as pandas gives it


def ms(value: float | None) -> str:
    return EMPTY if _missing(value) else f"{value:,.0f} ms"


def usd(value: float | None) -> str:
    """Dollars to the millionth (a short reply costs $0.00002), no trailing zeros."""
    if _missing(value):
        return EMPTY
    return "$" + (f"{value:,.6f}".rstrip("0").rstrip(".") or "0")


def count(value: float | None) -> str:
    return EMPTY if _missing(value) else f"{value:,.0f}"


def many(n: int, word: str) -> str:
    """``1 case``, ``2 cases``, ``1,200 cases``: a count and its noun (plural by an s)."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def percent(value: float | None) -> str:
    return EMPTY if _missing(value) else f"{value:.0%}"


def _sign(value: float) -> str:
    return "+" if value > 0 else "−" if value < 0 else "±"


def delta_ms(value: float | None) -> str:
    return EMPTY if _missing(value) else _sign(round(value)) + ms(abs(value))


def delta_usd(value: float | None) -> str:
    return EMPTY if _missing(value) else _sign(round(value, 6)) + usd(abs(value))


def delta_count(value: float | None) -> str:
    return EMPTY if _missing(value) else _sign(round(value)) + count(abs(value))


def target(route: Route | str, model: str) -> str:
    """A target as people read it, on every page, in exports' labels and in the CLI."""
    return f"{Route.parse(route).label} · {model}"


def target_parts(name: str) -> tuple[str, str]:
    """(route value, model) of a name :func:`target` wrote (a saved prompt's version may come first:
    ``capitals v3 · Gemini native · gemini-2.5-flash``)."""
    label, model = name.rsplit(" · ", 2)[-2:]
    return next(r.value for r in Route if r.label == label), model
