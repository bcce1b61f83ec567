"""Diagnostics that catch degenerate models before their numbers are read as evidence.

Pure functions on the estimation sample or on first-stage statistics; each returns the
messages it finds (an empty tuple when the model is sound) and :func:`warn_all` issues them as
:class:`~govcluster.errors.SpecificationWarning`, which the estimators record in the
``warnings`` of their results.

- :func:`first_stage_messages`: an instrument that is (nearly) a copy of the endogenous
  regressor gives a partial R-squared of about 1 and an IV estimate equal to OLS: a
  specification error, not a strong instrument;
- :func:`within_variation_shares` and :func:`low_within_variation_messages`: under entity
  fixed effects only the variation of a regressor around its entity mean identifies its
  coefficient; when that is a negligible share of the total, the estimate rests on noise
  (for example an index that is constant within clusters except for a deflator);
- :func:`future_year_messages`: years after the current year.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from govcluster.errors import EstimationError, SpecificationWarning

#: A first stage with a partial R-squared at least this high is a copy, not an instrument.
NEAR_PERFECT_PARTIAL_R2 = 0.99

#: From this partial R-squared on, the instruments reproduce the regressor exactly.
EXACT_PARTIAL_R2 = 1 - 1e-9

#: A regressor whose within-entity variance is below this share of its total variance is
#: identified by almost nothing under entity fixed effects.
NEGLIGIBLE_WITHIN_SHARE = 0.01

#: Estimators whose coefficients rest on the variation within entities.
WITHIN_ESTIMATORS = frozenset({"entity_fe", "twoway_fe", "first_difference"})


def first_stage_messages(
    endogenous: str,
    *,
    partial_r2: float,
    f_statistic: float,
    threshold: float = NEAR_PERFECT_PARTIAL_R2,
) -> tuple[str, ...]:
    """A message when the first stage of ``endogenous`` is perfect or nearly so.

    Parameters
    ----------
    endogenous : str
        The endogenous regressor.
    partial_r2 : float
        Share of the endogenous regressor's variation (net of the exogenous regressors)
        explained by the excluded instruments.
    f_statistic : float
        First-stage F statistic, for the message.
    threshold : float
        Partial R-squared from which the first stage counts as near-perfect.
    """
    if not (isinstance(partial_r2, float | int) and math.isfinite(partial_r2)):
        return ()
    if partial_r2 < threshold:
        return ()
    return (
        f"specification error: the first stage of {endogenous} is (nearly) perfect (partial "
        f"R-squared {partial_r2:.4f}, F = {f_statistic:.3g}); the instruments are "
        f"(almost) a copy of {endogenous}, so IV reproduces OLS and identifies nothing. Use "
        f"instruments that are not a function of {endogenous}.",
    )


def check_first_stage(endogenous: str, *, partial_r2: float, f_statistic: float) -> None:
    """Raise on an exact first stage; warn on a near-perfect one (see :func:`first_stage_messages`).

    Raises
    ------
    EstimationError
        When the instruments reproduce ``endogenous`` exactly (partial R-squared of 1), so that
        the IV estimate is OLS and its identification statistics cannot be computed.
    """
    messages = first_stage_messages(endogenous, partial_r2=partial_r2, f_statistic=f_statistic)
    if messages and partial_r2 >= EXACT_PARTIAL_R2:
        raise EstimationError(
            f"Specification error: the excluded instruments reproduce {endogenous} exactly "
            f"(first-stage partial R-squared {partial_r2:.6f}): an instrument is a copy or a "
            f"linear function of {endogenous}, so IV equals OLS and identifies nothing. Use "
            f"instruments that are not a function of {endogenous}."
        )
    warn_all(messages)


def within_variation_shares(
    frame: pd.DataFrame, columns: Sequence[str], *, entity: str
) -> dict[str, float]:
    """Share of each column's variance that lies within entities.

    ``var(x - mean_i(x)) / var(x)``: 1 when the entity means are all equal, 0 when the
    column is constant within every entity. NaN for a column without any variance.
    """
    shares = {}
    groups = frame[entity]
    for column in columns:
        values = frame[column].astype("float64")
        total = float(values.var(ddof=0))
        if not np.isfinite(total) or total <= 0:
            shares[column] = math.nan
            continue
        within = values - values.groupby(groups).transform("mean")
        shares[column] = float(within.var(ddof=0)) / total
    return shares


def low_within_variation_messages(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    entity: str,
    estimator: str,
    threshold: float = NEGLIGIBLE_WITHIN_SHARE,
    entities: str = "entities",
) -> tuple[str, ...]:
    """Messages naming each regressor whose within-entity variation is negligible.

    Only estimators that use the variation within entities (:data:`WITHIN_ESTIMATORS`) are
    checked. A column with no within variation at all is an error the estimators raise
    themselves, so it is not repeated here. ``entities`` is the word for the entities in the
    messages (firms, cities).
    """
    if estimator not in WITHIN_ESTIMATORS:
        return ()
    messages = []
    for column, share in within_variation_shares(frame, columns, entity=entity).items():
        if math.isfinite(share) and 0 < share < threshold:
            messages.append(
                f"{column} varies almost only between {entities}: its variation within "
                f"{entities} is {share:.2%} of the total, so the {estimator} coefficient of "
                f"{column} rests on a sliver of the data (its estimate and standard error are "
                "unreliable); use a pooled or between comparison, or a regressor that varies "
                "over time."
            )
    return tuple(messages)


def future_year_messages(years: Iterable[int], *, current_year: int) -> tuple[str, ...]:
    """A message when the data hold years after ``current_year``."""
    future = sorted({int(y) for y in years if y is not None and int(y) > current_year})
    if not future:
        return ()
    shown = ", ".join(str(y) for y in future[:10])
    return (
        f"the data hold {len(future)} year(s) after {current_year} ({shown}): data cannot "
        "come from the future; check the year column for typos.",
    )


def warn_all(messages: Iterable[str]) -> None:
    """Issue each message as a :class:`~govcluster.errors.SpecificationWarning`."""
    for message in messages:
        warnings.warn(message, SpecificationWarning, stacklevel=2)
