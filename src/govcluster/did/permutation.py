"""Randomization inference of the designation on the staggered sample (the did stage's hook).

Builds the arrays of :mod:`govcluster.inference.randomization` from a
:class:`~govcluster.did.data.StaggeredSample` (units x years outcome matrix, cohort of each
unit, strata) and checks that the observed estimates equal the estimators' own.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from govcluster.did.data import FIRST_TREAT, StaggeredSample
from govcluster.did.spec import DidSpec
from govcluster.errors import DataValidationError, EstimationError
from govcluster.inference.randomization import (
    RandomizationResult,
    callaway_santanna_unit_contributions,
    callaway_santanna_weights,
    check_enough_assignments,
    check_strata,
    permutation_distributions,
    summarise_permutations,
    twfe_unit_contributions,
)

#: Relative difference allowed between the closed form and the estimator on the data.
AGREEMENT_TOLERANCE = 1e-8

METHODS = {
    "twfe": "static TWFE coefficient, closed form in the permuted treatment column",
    "callaway_santanna": (
        "Callaway-Sant'Anna overall ATT (no covariates), closed form in the cohort-by-year sums"
    ),
}


def unit_strata(frame: pd.DataFrame, sample: StaggeredSample, spec: DidSpec) -> np.ndarray:
    """Stratum of every unit of ``sample`` (in its unit order) from the analysis panel.

    The stratum is the unit's values of the ``did.randomization.strata`` columns joined by
    ``" / "`` (one stratum, ``"all"``, without strata).

    Raises
    ------
    DataValidationError
        A stratum column missing from the panel, empty for some unit, or varying within a
        unit.
    """
    units = sample.frame[spec.entity].drop_duplicates().to_numpy()
    columns = list(spec.randomization.strata)
    if not columns:
        return np.full(units.size, "all")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"did.randomization.strata: column(s) {', '.join(missing)} not in the analysis "
            f"panel (columns: {', '.join(map(str, frame.columns))}); fix "
            "did.randomization.strata in config/config.yaml"
        )
    rows = frame[frame[spec.entity].isin(units)]
    for column in columns:
        empty = rows.loc[rows[column].isna(), spec.entity].unique()
        if empty.size:
            raise DataValidationError(
                f"did.randomization.strata column {column!r} is empty for units "
                f"{', '.join(map(str, empty[:10]))}; fill it or exclude those units "
                "(did.exclude_units)"
            )
        varying = rows.groupby(spec.entity)[column].nunique()
        varying = varying[varying > 1].index
        if len(varying):
            raise DataValidationError(
                f"did.randomization.strata column {column!r} varies within units "
                f"{', '.join(map(str, varying[:10]))}; a stratum must be constant per unit"
            )
    per_unit = rows.groupby(spec.entity)[columns].first().reindex(units)
    return per_unit.astype(str).agg(" / ".join, axis=1).to_numpy(dtype=str)


def randomization_inference(
    sample: StaggeredSample,
    spec: DidSpec,
    outcome: str,
    strata: np.ndarray,
    *,
    estimates: Mapping[str, float] | None = None,
) -> tuple[RandomizationResult, ...]:
    """Permutation distribution and p-values of each estimator of ``spec.randomization``.

    Parameters
    ----------
    sample : StaggeredSample
    spec : DidSpec
    outcome : str
    strata : numpy.ndarray
        Stratum of every unit, in the sample's unit order (:func:`unit_strata`).
    estimates : mapping, optional
        Estimator -> its overall estimate on the data; the closed form on the observed
        assignment must agree to :data:`AGREEMENT_TOLERANCE` (relative) or an
        :class:`EstimationError` is raised.

    Returns
    -------
    tuple of RandomizationResult
    """
    settings = spec.randomization
    frame = sample.frame
    units = frame[spec.entity].drop_duplicates().to_numpy()
    years = np.sort(frame[spec.time].unique())
    outcome_matrix = frame[outcome].to_numpy(float).reshape(units.size, years.size)
    first = frame.groupby(spec.entity, sort=False)[FIRST_TREAT].first().reindex(units)
    cohort_years, labels = np.unique(first.to_numpy(np.int64), return_inverse=True)
    sizes = np.bincount(labels, minlength=cohort_years.size).astype(float)
    check_strata(strata, units, settings.strata)
    n_distinct_log10 = check_enough_assignments(
        labels, strata, settings.n_permutations, settings.strata
    )
    contributions = []
    for name in settings.estimators:
        if name == "twfe":
            a = twfe_unit_contributions(outcome_matrix, labels, cohort_years, years)
        else:
            weights = callaway_santanna_weights(
                cohort_years,
                sizes,
                years,
                comparison=spec.comparison,
                anticipation=spec.anticipation,
            )
            a = callaway_santanna_unit_contributions(outcome_matrix, weights)
        observed = float(a[np.arange(units.size), labels].sum())
        _check_agreement(name, outcome, observed, (estimates or {}).get(name))
        contributions.append((name, a, observed))
    draws = permutation_distributions(
        [a for _, a, _ in contributions],
        labels,
        strata,
        n_permutations=settings.n_permutations,
        seed=settings.seed,
    )
    results = [
        summarise_permutations(
            permuted,
            observed,
            estimator=name,
            outcome=outcome,
            n_distinct_log10=n_distinct_log10,
            strata=settings.strata,
            seed=settings.seed,
            bins=settings.bins,
            method=METHODS[name],
        )
        for (name, _, observed), permuted in zip(contributions, draws, strict=True)
    ]
    return tuple(results)


def _check_agreement(name: str, outcome: str, closed_form: float, library: float | None) -> None:
    if library is None:
        return
    scale = max(abs(library), abs(closed_form), 1e-12)
    if abs(closed_form - library) > AGREEMENT_TOLERANCE * scale:
        raise EstimationError(
            f"did.randomization: the closed form of {name} on {outcome!r} gives {closed_form!r} "
            f"on the observed assignment but the estimator gives {library!r}; the permutation "
            "distribution would not be that of the reported estimate"
        )
