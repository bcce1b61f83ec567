"""Categorical regressors and absorbed fixed effects in the design of a panel regression.

:func:`expand_categories` replaces each categorical regressor or control by the indicators of
its levels but the base (:func:`govcluster.categories.indicator_columns`);
:func:`absorbed_indicators` builds the indicator columns of the further fixed effects of
``PanelSpec.absorb`` and leaves out those that the other columns of the design (the entity
effects, the year dummies, the intercept, earlier effects) already span, so that the design
has full rank, as reghdfe and pyfixest drop redundant levels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.linalg

from govcluster.categories import absorb_codes, absorb_terms, indicator_columns, is_category
from govcluster.core.absorb import demean
from govcluster.errors import EstimationError
from govcluster.panel.sample import Sample

#: A residual column whose largest pivot is below this fraction of the first is redundant.
_RANK_TOL = 1e-9


def expand_categories(
    data: pd.DataFrame, variables: Sequence[str], *, lags: Mapping[str, Sequence[int]]
) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    """Add the indicator columns of every categorical variable among ``variables``.

    Parameters
    ----------
    data : pandas.DataFrame
        The analysis panel.
    variables : sequence of str
        The regressors and controls of a specification.
    lags : mapping
        Their lags; a categorical variable cannot be lagged.

    Returns
    -------
    data : pandas.DataFrame
        ``data`` with the indicator columns added (a copy, when any).
    expansion : dict
        Categorical variable -> the names of its indicator columns.

    Raises
    ------
    EstimationError
        When a categorical variable is lagged or has a single level.
    """
    expansion: dict[str, tuple[str, ...]] = {}
    added = []
    for variable in variables:
        if variable not in data.columns or not is_category(data[variable]):
            continue
        if any(k for k in lags.get(variable, (0,))):
            raise EstimationError(
                f"The category {variable!r} cannot be lagged; remove it from lags."
            )
        indicators, _ = indicator_columns(data[variable], variable)
        expansion[variable] = tuple(indicators.columns)
        added.append(indicators)
    if not added:
        return data, expansion
    return pd.concat([data, *added], axis=1), expansion


def sample_categories(
    data: pd.DataFrame,
    sample: Sample,
    variables: Sequence[str],
    *,
    differenced: bool = False,
) -> pd.DataFrame:
    """``data`` with each categorical variable restricted to the levels its estimation uses.

    Parameters
    ----------
    data : pandas.DataFrame
        The rows given to the estimation.
    sample : Sample
        The estimation sample built from ``data`` (with indicators of every level).
    variables : sequence of str
        The regressors and controls; the categorical ones are restricted.
    differenced : bool
        The design holds first differences, so the previous year's row of every sample row
        enters it too.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` in which a level that occurs in no row entering the estimation is
        missing and no longer a category (the categories keep their order, so the configured
        base stays the base when it occurs, and the next level is the base otherwise). The
        rows entering the estimation are unchanged, so the sample built again is the same.
    """
    keys = sample.frame[[sample.entity, sample.time]]
    if differenced:
        previous = keys.assign(**{sample.time: keys[sample.time] - 1})
        keys = pd.concat([keys, previous], ignore_index=True)
    index = pd.MultiIndex.from_frame(data[[sample.entity, sample.time]])
    used = index.isin(pd.MultiIndex.from_frame(keys))
    out = data.copy()
    for variable in variables:
        if variable not in data.columns or not is_category(data[variable]):
            continue
        column = data[variable]
        levels = set(column[used].dropna())
        kept = [level for level in column.cat.categories if level in levels]
        out[variable] = column.cat.set_categories(kept)
    return out


def category_bases(data: pd.DataFrame, variables: Sequence[str]) -> dict[str, str]:
    """Base level of every categorical variable among ``variables``."""
    return {
        variable: indicator_columns(data[variable], variable)[1]
        for variable in variables
        if variable in data.columns and is_category(data[variable])
    }


def expanded_names(columns: Sequence[str], expansion: Mapping[str, Sequence[str]]) -> list[str]:
    """``columns`` with each categorical variable replaced by its indicator columns."""
    return [name for column in columns for name in expansion.get(column, (column,))]


def absorbed_indicators(
    frame: pd.DataFrame,
    absorb: Sequence[str],
    *,
    design: np.ndarray,
    entity_codes: np.ndarray | None,
    n_checked: int = 0,
) -> tuple[np.ndarray, list[str]]:
    """Indicator columns of the absorbed effects that the rest of the design does not span.

    Parameters
    ----------
    frame : pandas.DataFrame
        The estimation sample (holds the absorbed key columns).
    absorb : sequence of str
        The effects, ``industry`` or ``industry^year``.
    design : numpy.ndarray
        ``(n, k)`` the other columns (regressors, controls, intercept, year dummies).
    entity_codes : numpy.ndarray or None
        Entity codes when the estimator removes entity effects (the indicators and the design
        are then compared within entities), else None.
    n_checked : int
        The first ``n_checked`` columns of ``design`` are regressors and controls, checked not
        to lie in the span of the absorbed effects.

    Returns
    -------
    indicators : numpy.ndarray
        ``(n, m)`` 0/1 columns, one per level that adds to the design.
    names : list of str
        ``absorb_<effect>_<level number>``.

    Raises
    ------
    EstimationError
        When the absorbed effects span a regressor or control (it cannot be estimated).
    """
    blocks, names = [], []
    for term in absorb_terms(absorb):
        codes = absorb_codes(frame, term)
        n_levels = int(codes.max()) + 1
        block = np.zeros((len(frame), n_levels))
        block[np.arange(len(frame)), codes] = 1.0
        blocks.append(block)
        names += [f"absorb_{'^'.join(term)}_{level}" for level in range(n_levels)]
    dummies = np.hstack(blocks)
    base = np.asarray(design, dtype=float)
    if entity_codes is not None:
        dummies = demean(dummies, entity_codes)
        base = demean(base, entity_codes)
    checked = base[:, :n_checked]
    base = base[:, np.abs(base).max(axis=0) > 0]  # the intercept vanishes within entities
    coef = np.linalg.lstsq(base, dummies, rcond=None)[0] if base.shape[1] else None
    residual = dummies - base @ coef if coef is not None else dummies
    scale = np.abs(residual).max() if residual.size else 0.0
    if scale <= _RANK_TOL:
        keep: list[int] = []
    else:
        _, r, pivots = scipy.linalg.qr(residual, mode="economic", pivoting=True)
        diagonal = np.abs(np.diag(r))
        rank = int((diagonal > _RANK_TOL * diagonal[0]).sum())
        keep = sorted(pivots[:rank].tolist())
    indicators = np.hstack(blocks)[:, keep]
    span = np.linalg.matrix_rank(dummies) if dummies.size else 0
    if n_checked and np.linalg.matrix_rank(np.hstack([dummies, checked])) < span + n_checked:
        raise EstimationError(
            f"A regressor or control is absorbed by the fixed effects {', '.join(absorb)}: it "
            "does not vary within their cells. Remove it, or absorb fewer effects."
        )
    return indicators, [names[j] for j in keep]
