"""Numbers as they are printed in publication tables.

Conventions: a fixed number of decimals, thousands separators, an empty cell for a missing
value, never ``-0.000``; significance stars for *p* strictly below each threshold (with the
default ``(0.10, 0.05, 0.01)``, *p* = 0.05 earns one star, not two); the standard error or the
*t* statistic in parentheses under the coefficient.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

#: Default significance thresholds: one, two and three stars.
DEFAULT_STARS: tuple[float, ...] = (0.10, 0.05, 0.01)

BelowCoefficient = Literal["se", "t"]


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def format_number(value: object, digits: int = 3) -> str:
    """Format a number with ``digits`` decimals and thousands separators.

    Parameters
    ----------
    value : number or None
        The value; None and NaN give an empty string.
    digits : int, default 3
        Decimals.

    Returns
    -------
    str
        E.g. ``format_number(1234.5678, 2) == "1,234.57"``; a result that would read
        ``-0.00`` reads ``0.00``.
    """
    if _is_missing(value):
        return ""
    number = float(value)
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    text = f"{number:,.{digits}f}"
    if text.startswith("-") and float(text[1:].replace(",", "")) == 0:
        text = text[1:]
    return text


def format_count(value: object) -> str:
    """Format a count (observations, clusters) as an integer with thousands separators."""
    if _is_missing(value):
        return ""
    return f"{round(float(value)):,d}"


def significance_stars(pvalue: object, stars: Sequence[float] = DEFAULT_STARS) -> str:
    """Stars for a p-value: one for each threshold it is strictly below.

    Parameters
    ----------
    pvalue : float or None
        The p-value; missing gives no stars.
    stars : sequence of float, default (0.10, 0.05, 0.01)
        Thresholds, each in (0, 1), all different.

    Returns
    -------
    str
        ``"***"`` for p = 0.001 with the default thresholds, ``"*"`` for p = 0.05,
        ``""`` for p = 0.10.

    Raises
    ------
    ValueError
        If a threshold is outside (0, 1) or repeated.
    """
    thresholds = check_thresholds(stars)
    if _is_missing(pvalue):
        return ""
    p = float(pvalue)
    return "*" * sum(p < threshold for threshold in thresholds)


def check_thresholds(stars: Sequence[float]) -> tuple[float, ...]:
    """Significance thresholds checked (each in (0, 1), all different), largest first."""
    thresholds = tuple(float(s) for s in stars)
    if any(not 0 < s < 1 for s in thresholds):
        raise ValueError(f"significance thresholds must lie in (0, 1), got {thresholds}")
    if len(set(thresholds)) != len(thresholds):
        raise ValueError(f"significance thresholds must differ, got {thresholds}")
    return tuple(sorted(thresholds, reverse=True))


def format_coefficient(
    est: object,
    se: object,
    pvalue: object,
    *,
    stars: Sequence[float] = DEFAULT_STARS,
    digits: int = 3,
    below: BelowCoefficient = "se",
) -> tuple[str, str]:
    """The two cells of a coefficient in a regression table.

    Parameters
    ----------
    est, se, pvalue : float or None
        Estimate, standard error and p-value.
    stars : sequence of float, default (0.10, 0.05, 0.01)
        Significance thresholds (see :func:`significance_stars`).
    digits : int, default 3
        Decimals of the estimate and of the number in parentheses.
    below : {"se", "t"}, default "se"
        Print the standard error or the t statistic (est / se) in parentheses.

    Returns
    -------
    tuple of str
        ``(estimate with stars, "(number)")``, e.g. ``("0.123***", "(0.045)")``. A missing
        estimate gives two empty cells; a missing or zero standard error an empty second cell.
    """
    if below not in ("se", "t"):
        raise ValueError(f"below must be 'se' or 't', got {below!r}")
    if _is_missing(est):
        return "", ""
    first = format_number(est, digits) + significance_stars(pvalue, stars)
    if _is_missing(se):
        return first, ""
    if below == "t":
        if float(se) == 0:
            return first, ""
        return first, f"({format_number(float(est) / float(se), digits)})"
    return first, f"({format_number(se, digits)})"


#: Decimals of p-values.
P_DIGITS = 3


def format_pvalue(value: object, *, n_boot: int | None = None) -> str:
    """A p-value with three decimals; below 0.001 it reads ``< 0.001`` (empty when missing).

    Parameters
    ----------
    value : float or None
        The p-value.
    n_boot : int, optional
        For a bootstrap p-value, the number of valid replicates *B*. Such a p-value cannot go
        below its floor 1/*B* (no replicate beyond zero); at or below the floor it prints as
        ``< bound``, where the bound is 1/*B* rounded up to three decimals, or 0.001 when 1/*B*
        is smaller. With *B* = 2000 the floor 0.0005 reads ``< 0.001``, as any p-value below
        0.001 does; with *B* = 199 the floor 0.00503 reads ``< 0.006``.

    Returns
    -------
    str
        ``"0.042"``, ``"< 0.001"``, ``"1.000"`` or ``""``.

    Examples
    --------
    >>> format_pvalue(0.0004), format_pvalue(0.0123), format_pvalue(1 / 199, n_boot=199)
    ('< 0.001', '0.012', '< 0.006')
    """
    if _is_missing(value):
        return ""
    p = float(value)
    smallest = 10.0**-P_DIGITS
    bound = smallest
    if n_boot is not None:
        if n_boot < 1:
            raise ValueError(f"n_boot must be a positive number of replicates, got {n_boot}")
        floor = 1.0 / n_boot
        if p <= floor * (1 + 1e-9):
            bound = max(smallest, math.ceil(floor / smallest - 1e-9) * smallest)
            return f"< {bound:.{P_DIGITS}f}"
    if p < bound:
        return f"< {bound:.{P_DIGITS}f}"
    return format_number(p, P_DIGITS)


def format_interval(lower: object, upper: object, digits: int) -> str:
    """``[lower, upper]``; an unbounded end is ``-inf`` or ``inf``; empty if both are missing."""
    if lower is None and upper is None:
        return ""
    low = "-inf" if lower is None else format_number(lower, digits)
    high = "inf" if upper is None else format_number(upper, digits)
    return f"[{low}, {high}]"


def format_df(df: object, df_denom: object = None) -> str:
    """Degrees of freedom of a test: ``239`` or ``239, 3341`` (no thousands separators)."""
    parts = [format_count(value).replace(",", "") for value in (df, df_denom) if value is not None]
    return ", ".join(part for part in parts if part)
