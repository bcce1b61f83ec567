"""Run one case study: synthetic control with in-space placebos, and synthetic DiD."""

from __future__ import annotations

import numpy as np
import pandas as pd

from govcluster.casestudy.data import CaseStudyData, prepare_case_study_data
from govcluster.casestudy.results import (
    CaseStudyResult,
    PlaceboRecord,
    SdidEstimate,
    SdidRecord,
    SyntheticControlRecord,
)
from govcluster.casestudy.sdid import fit_sdid, placebo_standard_error
from govcluster.casestudy.spec import CaseStudySpec
from govcluster.casestudy.synthetic_control import SyntheticControlFit, fit_synthetic_control


def _fit_sc(outcome: np.ndarray, predictors: np.ndarray, n_fit: int, spec: CaseStudySpec):
    return fit_synthetic_control(
        outcome,
        predictors,
        n_fit=n_fit,
        v_method=spec.v_method,
        standardize=spec.standardize_predictors,
        seed=spec.seed,
    )


def placebo_units(n_donors: int, *, max_units: int | None, seed: int) -> np.ndarray:
    """Indices of the donors used as in-space placebos (all, or a seeded random subset)."""
    if max_units is None or max_units >= n_donors:
        return np.arange(n_donors)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_donors, size=max_units, replace=False))


def run_in_space_placebos(
    data: CaseStudyData, spec: CaseStudySpec, treated_fit: SyntheticControlFit
) -> PlaceboRecord:
    r"""In-space placebos (ADH 2010, Section 2.4) and the permutation p-value.

    Each chosen donor in turn is treated as if it had received the intervention; its
    synthetic control is built from every other unit, the treated cluster included (ADH
    2010, p. 501: "shifting California to the donor pool"). The p-value is the share of the
    ``1 + n`` units (treated and placebos) whose post/pre RMSPE ratio is at least the treated
    cluster's, :math:`(1 + \#\{r_j \ge r_1\}) / (1 + n)`.
    """
    chosen = placebo_units(len(data.donor_ids), max_units=spec.placebo_max_units, seed=spec.seed)
    n_units = data.outcome.shape[1]
    ratios, pres, gaps = [], [], []
    for j in chosen:
        col = j + 1
        order = [col, *(i for i in range(n_units) if i != col)]
        fit = _fit_sc(data.outcome[:, order], data.predictors[:, order], data.n_fit, spec)
        ratios.append(fit.rmspe_ratio)
        pres.append(fit.pre_rmspe)
        gaps.append(tuple(float(g) for g in fit.gap))
    ratios_arr = np.asarray(ratios)
    p_value = (1 + np.sum(ratios_arr >= treated_fit.rmspe_ratio)) / (1 + len(ratios_arr))
    return PlaceboRecord(
        units=tuple(data.donor_ids[j] for j in chosen),
        rmspe_ratio=tuple(float(r) for r in ratios_arr),
        pre_rmspe=tuple(float(p) for p in pres),
        gaps=tuple(gaps),
        p_value=float(p_value),
    )


def estimate_case_study(data: CaseStudyData, spec: CaseStudySpec) -> CaseStudyResult:
    """Synthetic control, its placebos and the synthetic-DiD family on checked data.

    Parameters
    ----------
    data : CaseStudyData
        From :func:`govcluster.casestudy.data.prepare_case_study_data`.
    spec : CaseStudySpec

    Returns
    -------
    CaseStudyResult
    """
    sc = _fit_sc(data.outcome, data.predictors, data.n_fit, spec)
    placebo = run_in_space_placebos(data, spec, sc)
    donors_x = data.predictors[:, 1:]
    sc_record = SyntheticControlRecord(
        donor_weights=tuple(float(w) for w in sc.donor_weights),
        predictor_names=data.predictor_names,
        predictor_weights=tuple(float(v) for v in sc.predictor_weights),
        balance_treated=tuple(float(v) for v in data.predictors[:, 0]),
        balance_synthetic=tuple(float(v) for v in donors_x @ sc.donor_weights),
        balance_donor_mean=tuple(float(v) for v in donors_x.mean(axis=1)),
        synthetic_path=tuple(float(v) for v in sc.synthetic),
        gap=tuple(float(v) for v in sc.gap),
        att=sc.att,
        pre_rmspe=sc.pre_rmspe,
        post_rmspe=sc.post_rmspe,
        rmspe_ratio=sc.rmspe_ratio,
        converged=sc.converged,
        placebo=placebo,
    )
    estimates = []
    sdid_fit = None
    for variant in ("sdid", "sc", "did"):
        fit = fit_sdid(data.outcome, n_fit=data.n_fit, variant=variant)
        if variant == "sdid":
            sdid_fit = fit
        if spec.sdid_standard_error == "placebo":
            se, _ = placebo_standard_error(data.outcome, n_fit=data.n_fit, variant=variant)
        else:
            se = float("nan")
        estimates.append(
            SdidEstimate(
                estimator=variant,
                att=fit.att,
                se=se,
                effect_path=tuple(float(v) for v in fit.effect_path),
            )
        )
    assert sdid_fit is not None
    sdid_record = SdidRecord(
        estimates=tuple(estimates),
        unit_weights=tuple(float(w) for w in sdid_fit.unit_weights),
        time_weights=tuple(float(w) for w in sdid_fit.time_weights),
        se_method=spec.sdid_standard_error,
    )
    return CaseStudyResult(
        spec=spec.to_dict(),
        treated_id=data.treated_id,
        treated_name=data.treated_name,
        intervention_year=data.intervention_year,
        fit_years=data.fit_years,
        post_years=data.post_years,
        donor_ids=data.donor_ids,
        donor_names=data.donor_names,
        dropped_donors=data.dropped_donors,
        treated_path=tuple(float(v) for v in data.outcome[:, 0]),
        synthetic_control=sc_record,
        sdid=sdid_record,
    )


def run_case_study(panel: pd.DataFrame, spec: CaseStudySpec) -> CaseStudyResult:
    """Check ``panel`` against ``spec`` and run every case-study estimator.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel, one row per cluster and year.
    spec : CaseStudySpec

    Returns
    -------
    CaseStudyResult
    """
    return estimate_case_study(prepare_case_study_data(panel, spec), spec)
