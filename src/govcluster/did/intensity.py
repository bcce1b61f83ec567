"""Continuous intensity: the effect of one unit of GOV induced by the designation (Wald-DiD).

Government intervention is an intensity (the composite GOV index), not only a switch. The
designation moves GOV; the Wald difference-in-differences of de Chaisemartin and
D'Haultfoeuille (2018, "Fuzzy differences-in-differences", Review of Economic Studies 85(2),
eq. 3) divides the designation's effect on the outcome by its effect on the intensity:

    W = ATT_Y / ATT_D,

the outcome's change per unit of intensity change caused by the designation. Both effects are
Callaway and Sant'Anna's overall ATT (the ``simple`` aggregation of ATT(g, t) over the
post-treatment cells with cohort-size weights), computed on the same sample with the same
comparison group and base period, so the ratio is heterogeneity-robust in the staggered design
(the numerator and denominator average the same cells with the same weights). It is a
continuous-treatment estimand under the assumptions of the paper's Theorem 3 (parallel trends
for the outcome and the intensity; the intensity's effect on the outcome homogeneous across
cells, or else a weighted average of the cell-level ratios with weights proportional to the
intensity change of each cell). ``diff_diff.ChaisemartinDHaultfoeuille`` needs units whose
treatment stays at its baseline value to serve as controls, which a continuous index that
moves every year never provides; the designation, an absorbing switch, is the instrument.

Standard error: delta method on the per-unit influence functions of the two overall ATTs
(summed from the engine's per-cell influence functions with the aggregation weights held
fixed): ``psi_W = (psi_Y - W psi_D) / ATT_D``, summed within the clusters of ``did.cluster``
before squaring. Deviation: R ``did``'s simple aggregation adds the influence of the estimated
cohort-share weights; it is left out here (as R ``did`` itself leaves it out of its calendar
aggregation), so the standard error can be slightly small when the cell effects differ
across cohorts.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from govcluster.did.data import FIRST_TREAT, StaggeredSample
from govcluster.did.results import IntensityResult
from govcluster.did.spec import DidSpec
from govcluster.errors import EstimationError

INDEX_KEYS = ("treated_idx", "control_idx")
METHOD = (
    "Wald-DiD (de Chaisemartin and D'Haultfoeuille 2018): Callaway-Sant'Anna overall ATT on "
    "the outcome divided by the overall ATT on the intensity; delta-method standard error"
)


def _overall_with_influence(
    sample: StaggeredSample, spec: DidSpec, column: str
) -> tuple[float, np.ndarray, list[tuple[int, int]]]:
    """Callaway-Sant'Anna overall ATT of ``column`` and its per-unit influence function."""
    import diff_diff

    estimator = diff_diff.CallawaySantAnna(
        control_group=spec.comparison,
        anticipation=spec.anticipation,
        estimation_method=spec.estimation_method,
        alpha=spec.alpha,
        n_bootstrap=0,
        base_period=spec.base_period,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = estimator.fit(
            sample.frame,
            outcome=column,
            unit=spec.entity,
            time=spec.time,
            first_treat=FIRST_TREAT,
            covariates=list(spec.controls) or None,
        )
    effects = fit.group_time_effects
    influence = fit._aggregation_kit.influence  # noqa: SLF001 - per-cell influence functions
    cells = sorted(
        (int(g), int(t))
        for (g, t) in effects
        if t >= g and np.isfinite(effects[(g, t)]["effect"]) and (g, t) in influence
    )
    weights = np.array([float(effects[c]["n_treated"]) for c in cells])
    weights = weights / weights.sum()
    estimate = float(weights @ np.array([effects[c]["effect"] for c in cells]))
    n_units = max(
        int(sample.frame[spec.entity].nunique()),
        1 + max(int(np.max(influence[c][k], initial=0)) for c in cells for k in INDEX_KEYS),
    )
    psi = np.zeros(n_units)
    for weight, cell in zip(weights, cells, strict=True):
        entry = influence[cell]
        np.add.at(psi, np.asarray(entry["treated_idx"]), weight * np.asarray(entry["treated_inf"]))
        np.add.at(psi, np.asarray(entry["control_idx"]), weight * np.asarray(entry["control_inf"]))
    return estimate, psi, cells


def _clustered_se(psi: np.ndarray, sample: StaggeredSample, spec: DidSpec) -> float:
    """Standard error of a per-unit influence function summed within ``spec.cluster``.

    The engine indexes units in the order of ``groupby(entity)`` (sorted identifiers), so the
    cluster of unit ``i`` is the ``i``-th entry of the same grouping.
    """
    cluster_of_unit = sample.frame.groupby(spec.entity, sort=True)[spec.cluster].first()
    codes, _ = pd.factorize(cluster_of_unit.to_numpy())
    totals = np.bincount(codes, weights=psi[: len(codes)])
    return float(np.sqrt(np.sum(totals**2)))


def fit_intensity_ratio(sample: StaggeredSample, spec: DidSpec, outcome: str) -> IntensityResult:
    """Wald-DiD effect of one unit of ``spec.intensity`` on ``outcome``.

    Parameters
    ----------
    sample : StaggeredSample
        Must carry the intensity column (``spec.intensity``) besides the outcome.
    spec : DidSpec
    outcome : str

    Returns
    -------
    IntensityResult

    Raises
    ------
    EstimationError
        When the designation does not move the intensity (its overall ATT is zero), so the
        ratio is undefined.
    """
    intensity = spec.intensity
    if intensity is None:
        raise EstimationError("did.intensity is not set: no intensity column to scale by")
    att_y, psi_y, cells_y = _overall_with_influence(sample, spec, outcome)
    att_d, psi_d, cells_d = _overall_with_influence(sample, spec, intensity)
    if cells_y != cells_d:
        raise EstimationError(
            f"did.intensity: the ATT(g, t) cells of {outcome!r} and {intensity!r} differ; both "
            "need the same estimable cells"
        )
    se_d = _clustered_se(psi_d, sample, spec)
    if att_d == 0.0 or not np.isfinite(att_d):
        raise EstimationError(
            f"did.intensity: the designation's overall effect on {intensity!r} is {att_d}; the "
            "Wald-DiD ratio is undefined"
        )
    ratio = att_y / att_d
    psi = (psi_y - ratio * psi_d) / att_d
    se = _clustered_se(psi, sample, spec)
    z = stats.norm.ppf(1.0 - spec.alpha / 2.0)
    first_stage_t = att_d / se_d if se_d > 0 else float("inf")
    return IntensityResult(
        outcome=outcome,
        intensity=intensity,
        method=METHOD,
        estimate=float(ratio),
        se=se,
        ci_lower=float(ratio - z * se),
        ci_upper=float(ratio + z * se),
        att_outcome=float(att_y),
        se_outcome=_clustered_se(psi_y, sample, spec),
        att_intensity=float(att_d),
        se_intensity=se_d,
        first_stage_t=float(first_stage_t),
        n_cells=len(cells_y),
    )
