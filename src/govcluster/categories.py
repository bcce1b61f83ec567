"""Categorical variables: their levels, indicator columns, and fixed-effect keys.

A variable of kind ``category`` (text such as an industry, or integer codes such as a
province code) enters a regression in one of two ways:

- as a regressor or control: one indicator (0/1) column per level except the **base level**,
  named ``<variable>[<level>]``; its coefficient is the difference from the base level
  (:func:`indicator_columns`). The base level is the one configured
  (``variables.<name>.base``) or the first level in sorted order (numeric codes in numeric
  order), as R's ``factor`` and Stata's ``i.`` do;
- absorbed as fixed effects: ``absorb: [industry]`` or, interacted as reghdfe and pyfixest
  write it, ``absorb: [industry^year]`` (one effect per observed industry-year cell;
  :func:`absorb_codes`, on :func:`govcluster.core.absorb.interaction_codes`).

Nothing here reads or writes files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from govcluster.core.absorb import group_codes, interaction_codes
from govcluster.errors import ConfigError, EstimationError
from govcluster.parsing import parse_numeric

#: Separator of the keys of an interacted fixed effect (``industry^year``).
INTERACTION = "^"


def _level_text(values: pd.Series) -> pd.Series:
    """The levels as text; whole-number codes written without a decimal part (3.0 -> "3")."""
    text = values.astype("string").str.strip()
    text = text.mask(text.eq("").fillna(False).astype(bool))
    numbers, unreadable = parse_numeric(text)
    present = text.notna()
    whole = numbers.notna() & (numbers == np.round(numbers))
    if present.any() and not unreadable.any() and bool(whole[present].all()):
        return numbers.round().astype("Int64").astype("string")
    return text


def sorted_levels(values: pd.Series) -> list[str]:
    """Distinct levels, numeric codes in numeric order, text in text order."""
    levels = values.dropna().unique().tolist()
    try:
        return sorted(levels, key=float)
    except ValueError:
        return sorted(levels)


def category_column(
    values: pd.Series, *, base: str | float | None = None, name: str = "category"
) -> pd.Series:
    """``values`` as a pandas categorical whose first category is the base level.

    Parameters
    ----------
    values : pandas.Series
        Text or integer codes (missing cells stay missing).
    base : str or number, optional
        The base level; default the first level in sorted order.
    name : str
        The variable's name, for the error message.

    Returns
    -------
    pandas.Series
        Categorical with categories ``[base, other levels in sorted order]``.

    Raises
    ------
    ConfigError
        When ``base`` is not one of the levels.
    """
    text = _level_text(values)
    levels = sorted_levels(text)
    if base is not None:
        wanted = _level_text(pd.Series([base]))[0]
        if wanted not in levels:
            shown = ", ".join(repr(level) for level in levels[:20])
            raise ConfigError(
                f"variables.{name}.base is {base!r}, which is not a level of {name!r}; its "
                f"levels are {shown}."
            )
        levels = [wanted, *(level for level in levels if level != wanted)]
    return pd.Series(pd.Categorical(text, categories=levels), index=values.index, name=values.name)


def is_category(values: pd.Series) -> bool:
    """Whether a column is categorical (pandas ``category`` dtype).

    The analysis panel stores a variable of kind ``category`` so; text in a numeric column is
    an error of the estimation instead.
    """
    return isinstance(values.dtype, pd.CategoricalDtype)


def indicator_name(variable: str, level: str) -> str:
    """Name of the indicator of ``level`` of ``variable``: ``industry[textile]``."""
    return f"{variable}[{level}]"


def indicator_columns(values: pd.Series, variable: str) -> tuple[pd.DataFrame, str]:
    """One 0/1 column per level but the base, and the base level.

    Parameters
    ----------
    values : pandas.Series
        A categorical column (base level first, see :func:`category_column`) or text
        (levels in sorted order, the first the base).
    variable : str
        The variable's name (the indicators are named ``variable[level]``).

    Returns
    -------
    indicators : pandas.DataFrame
        Float columns, NaN where the category is missing; levels that do not occur in
        ``values`` get no column.
    base : str
        The base level (left out).

    Raises
    ------
    EstimationError
        When fewer than two levels occur.
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = category_column(values, name=variable)
    observed = set(values.dropna().astype(str).unique())
    levels = [str(level) for level in values.cat.categories if str(level) in observed]
    if len(levels) < 2:
        raise EstimationError(
            f"The category {variable!r} takes {len(levels)} level(s) in the estimation sample; "
            "a category needs at least two levels to enter a regression. Remove it."
        )
    base, others = levels[0], levels[1:]
    text = values.astype("string")
    missing = text.isna().to_numpy()
    columns = {}
    for level in others:
        column = (text == level).fillna(False).to_numpy(dtype=float)
        column[missing] = np.nan
        columns[indicator_name(variable, level)] = column
    return pd.DataFrame(columns, index=values.index), base


def absorb_terms(absorb: str | Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Parse ``absorb`` entries: ``"industry"`` -> ``("industry",)``, ``"a^b"`` -> ``("a", "b")``.

    Raises
    ------
    EstimationError
        When an entry is empty or names a column twice.
    """
    entries = (absorb,) if isinstance(absorb, str) else tuple(absorb)
    terms = []
    for entry in entries:
        if not isinstance(entry, str):
            raise EstimationError(f"absorb entries are column names or a^b; got {entry!r}.")
        parts = tuple(part.strip() for part in entry.split(INTERACTION))
        if not all(parts) or len(set(parts)) != len(parts):
            raise EstimationError(
                f"absorb entry {entry!r} must name columns joined by '^' (industry, "
                "industry^year), each once."
            )
        terms.append(parts)
    if len(set(terms)) != len(terms):
        raise EstimationError(f"absorb lists an effect more than once: {list(entries)!r}.")
    return tuple(terms)


def absorb_codes(data: pd.DataFrame, term: Sequence[str]) -> np.ndarray:
    """Integer codes of the cells of ``term`` (one key or an interaction ``a^b``) per row."""
    codes = []
    for column in term:
        keys = data[column]
        keys = keys.astype("string") if isinstance(keys.dtype, pd.CategoricalDtype) else keys
        codes.append(group_codes(keys)[0])
    return codes[0] if len(codes) == 1 else interaction_codes(*codes)


def term_name(term: Sequence[str]) -> str:
    """``industry^year`` for the term ``("industry", "year")``."""
    return INTERACTION.join(term)
