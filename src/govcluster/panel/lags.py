"""Lags, leads and first differences built by calendar year, not by row position.

The lag ``k`` of ``x`` for entity ``i`` in year ``t`` is the value of ``x`` of entity ``i`` in
year ``t - k``. If that year is not in the data (a gap, or before the first year) the lag is
missing: it is never the value of the previous *row*. Leads and differences follow the same
rule (a first difference across a gap is missing). The time column must hold integer years.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from govcluster.errors import EstimationError
from govcluster.panel.spec import GENERIC_WORDS, Vocabulary, diff_name, lag_name, lead_name


def check_panel_index(
    data: pd.DataFrame, *, entity: str, time: str, vocabulary: Vocabulary = GENERIC_WORDS
) -> None:
    """Check that ``entity`` and ``time`` exist, ``time`` is integer-valued and pairs are unique.

    ``vocabulary`` gives the words of the messages (firm, year).

    Raises
    ------
    EstimationError
        If a column is missing, a year is not an integer, or an (entity, year) pair repeats.
    """
    for col, role in ((entity, "entity"), (time, "time")):
        if col not in data.columns:
            shown = ", ".join(map(str, data.columns))
            raise EstimationError(
                f"The {role} column {col!r} is not in the data; available columns: {shown}. "
                f"Set {role}= to one of them."
            )
    years = pd.to_numeric(data[time], errors="coerce")
    bad = data[time].notna() & (years.isna() | (years.notna() & (years % 1 != 0)))
    if bad.any():
        examples = ", ".join(repr(v) for v in data.loc[bad, time].unique()[:5])
        raise EstimationError(
            f"The time column {time!r} must hold integer years; found {examples}. Convert it "
            "to integer years before estimating."
        )
    keys = data[[entity, time]].dropna()
    dup = keys.duplicated(keep=False)
    if dup.any():
        pairs = keys[dup].drop_duplicates().head(5).itertuples(index=False)
        shown = "; ".join(f"{e!r} in {t}" for e, t in pairs)
        raise EstimationError(
            f"{int(dup.sum())} rows share an ({entity}, {time}) pair, e.g. {shown}. Each "
            f"{vocabulary.entity} may have one row per {vocabulary.period}: remove or aggregate "
            "the duplicates."
        )


def _shifted(data: pd.DataFrame, column: str, shift: int, *, entity: str, time: str) -> np.ndarray:
    """Values of ``column`` at (entity, time - shift) for each row (NaN where absent)."""
    valid = data[entity].notna() & data[time].notna()
    src = data.loc[valid]
    series = pd.Series(
        pd.to_numeric(src[column], errors="coerce").to_numpy(dtype=float),
        index=pd.MultiIndex.from_arrays([src[entity].to_numpy(), src[time].astype("int64")]),
    )
    out = np.full(len(data), np.nan)
    target = pd.MultiIndex.from_arrays(
        [src[entity].to_numpy(), src[time].astype("int64").to_numpy() - shift]
    )
    out[valid.to_numpy()] = series.reindex(target).to_numpy(dtype=float)
    return out


def add_lags(
    data: pd.DataFrame,
    lags: Mapping[str, Sequence[int] | int],
    *,
    entity: str,
    time: str,
) -> pd.DataFrame:
    """Return a copy of ``data`` with lagged columns ``{var}_lag{k}`` added, by calendar year.

    Parameters
    ----------
    data : DataFrame
        Long panel with one row per entity and year.
    lags : mapping of str to int or sequence of int
        ``{variable: [k, ...]}``; lag 0 is the variable itself and adds nothing.
    entity, time : str
        Identifier columns; ``time`` must be integer years.

    Returns
    -------
    DataFrame
        The data (same rows, same order) with the lag columns; a lag whose year is absent is
        NaN. Existing columns of the same names are replaced.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 1, 1], "year": [2000, 2001, 2003], "x": [1.0, 2.0, 4.0]})
    >>> add_lags(df, {"x": [1]}, entity="id", time="year")["x_lag1"].tolist()
    [nan, 1.0, nan]
    """
    check_panel_index(data, entity=entity, time=time)
    out = data.copy()
    for var, ks in lags.items():
        _require(data, var)
        for k in (ks,) if isinstance(ks, int) else ks:
            if k < 0:
                raise EstimationError(f"Lag {k} of {var!r} is negative; use add_leads for leads.")
            if k:
                out[lag_name(var, k)] = _shifted(data, var, k, entity=entity, time=time)
    return out


def add_leads(
    data: pd.DataFrame,
    leads: Mapping[str, Sequence[int] | int],
    *,
    entity: str,
    time: str,
) -> pd.DataFrame:
    """Return a copy of ``data`` with lead columns ``{var}_lead{h}`` (value in year t + h).

    See :func:`add_lags`; a lead whose year is absent is NaN.
    """
    check_panel_index(data, entity=entity, time=time)
    out = data.copy()
    for var, hs in leads.items():
        _require(data, var)
        for h in (hs,) if isinstance(hs, int) else hs:
            if h < 0:
                raise EstimationError(f"Lead {h} of {var!r} is negative; use add_lags for lags.")
            if h:
                out[lead_name(var, h)] = _shifted(data, var, -h, entity=entity, time=time)
    return out


def add_differences(
    data: pd.DataFrame, variables: Iterable[str], *, entity: str, time: str
) -> pd.DataFrame:
    """Return a copy of ``data`` with ``d_{var}`` = x(t) - x(t-1), by calendar year.

    The difference is NaN in an entity's first year and after a gap.
    """
    check_panel_index(data, entity=entity, time=time)
    out = data.copy()
    for var in variables:
        _require(data, var)
        current = pd.to_numeric(data[var], errors="coerce").to_numpy(dtype=float)
        out[diff_name(var)] = current - _shifted(data, var, 1, entity=entity, time=time)
    return out


def _require(data: pd.DataFrame, var: str) -> None:
    if var not in data.columns:
        shown = ", ".join(map(str, data.columns))
        raise EstimationError(f"Variable {var!r} is not in the data; available columns: {shown}.")
