"""Heterogeneity-robust staggered estimators, computed by the ``diff-diff`` library.

Callaway and Sant'Anna (2021), Sun and Abraham (2021) and Borusyak, Jaravel and Spiess (2024)
are taken from ``diff_diff`` (evaluated in docs/methods/did.md) and wrapped in the project's
:class:`~govcluster.did.results.EstimatorResult`. Uniform bands: Callaway-Sant'Anna's come from
its clustered multiplier bootstrap; Sun-Abraham's from the sup-t critical value of its
clustered event-study covariance.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from govcluster.did.data import FIRST_TREAT, StaggeredSample
from govcluster.did.inference import sup_t_critical_value, wald_pretrend_test
from govcluster.did.results import EstimatorResult
from govcluster.did.spec import DidSpec
from govcluster.errors import EstimationError


def _library():
    import diff_diff

    return diff_diff


def _fit_kwargs(sample: StaggeredSample, spec: DidSpec, outcome: str) -> dict[str, Any]:
    return {
        "data": sample.frame,
        "outcome": outcome,
        "unit": spec.entity,
        "time": spec.time,
        "first_treat": FIRST_TREAT,
    }


def _cluster(spec: DidSpec) -> str | None:
    return spec.cluster


def _in_window(event_time: int, spec: DidSpec) -> bool:
    return spec.event_window[0] <= event_time <= spec.event_window[1]


def _agg_row(level: str, label: Any, estimate: float, se: float, z: float) -> dict[str, Any]:
    return {
        "level": level,
        "label": str(label),
        "estimate": float(estimate),
        "se": float(se),
        "ci_lower": float(estimate - z * se),
        "ci_upper": float(estimate + z * se),
    }


def fit_callaway_santanna(
    sample: StaggeredSample, spec: DidSpec, outcome: str, *, seed: int
) -> tuple[EstimatorResult, Any]:
    """Group-time ATT(g, t) and their aggregations (Callaway and Sant'Anna 2021).

    Returns the record and the library's event-study object (the input of HonestDiD).
    """
    dd = _library()
    estimator = dd.CallawaySantAnna(
        control_group=spec.comparison,
        anticipation=spec.anticipation,
        estimation_method=spec.estimation_method,
        alpha=spec.alpha,
        cluster=_cluster(spec),
        n_bootstrap=spec.n_bootstrap,
        seed=seed,
        base_period=spec.base_period,
        cband=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = estimator.fit(
            **_fit_kwargs(sample, spec, outcome), covariates=list(spec.controls) or None
        )
        event_study = fit.aggregate("event_study")
        by_group = fit.aggregate("group").to_dataframe()
    z = stats.norm.ppf(1.0 - spec.alpha / 2.0)
    table = event_study.to_dataframe()
    rows = []
    for record in table.to_dict("records"):
        e = int(record["event_time"])
        if not _in_window(e, spec):
            continue
        rows.append(
            {
                "event_time": e,
                "estimate": float(record["att"]),
                "se": float(record["se"]),
                "ci_lower": float(record["conf_int_lower"]),
                "ci_upper": float(record["conf_int_upper"]),
                "band_lower": float(record.get("cband_lower", np.nan)),
                "band_upper": float(record.get("cband_upper", np.nan)),
            }
        )
    aggregations = [
        {
            "level": "overall",
            "label": "ATT",
            "estimate": float(fit.overall_att),
            "se": float(fit.overall_se),
            "ci_lower": float(fit.overall_conf_int[0]),
            "ci_upper": float(fit.overall_conf_int[1]),
        }
    ]
    aggregations += _library_rows(by_group, "cohort", z)
    aggregations += _calendar_rows(fit, z)
    pretrend = _pretrend_from_event_study(event_study, spec)
    band = (
        f"multiplier bootstrap ({spec.n_bootstrap} draws, clustered by {spec.cluster}), sup-t"
        if spec.n_bootstrap
        else "none (did.n_bootstrap = 0)"
    )
    record = EstimatorResult(
        estimator="callaway_santanna",
        outcome=outcome,
        aggregations=tuple(aggregations),
        event_study=tuple(rows),
        pretrend=pretrend,
        band_method=band,
        reference_period=-1 - spec.anticipation,
        n_obs=len(sample.frame),
        notes=(
            f"estimation_method={spec.estimation_method}, comparison={spec.comparison}, "
            f"base_period={spec.base_period}",
        ),
    )
    return record, event_study


def universal_base_event_study(sample: StaggeredSample, spec: DidSpec, outcome: str) -> Any:
    """Callaway-Sant'Anna event study with a universal base period (analytic, no bootstrap).

    The smoothness restriction of Rambachan and Roth bounds second differences of the
    violation path relative to one reference period, so its input must be every event-time
    coefficient relative to ``-1 - anticipation``; with ``base_period = "varying"`` the
    pre-period coefficients are period-to-period changes instead, and this refit supplies the
    right ones (the post-period coefficients are the same under both base periods).
    """
    dd = _library()
    estimator = dd.CallawaySantAnna(
        control_group=spec.comparison,
        anticipation=spec.anticipation,
        estimation_method=spec.estimation_method,
        alpha=spec.alpha,
        cluster=_cluster(spec),
        n_bootstrap=0,
        base_period="universal",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = estimator.fit(
            **_fit_kwargs(sample, spec, outcome), covariates=list(spec.controls) or None
        )
        return fit.aggregate("event_study")


def _library_rows(table: pd.DataFrame, level: str, z: float) -> list[dict[str, Any]]:
    label = next(c for c in ("label", "group", "period", "time") if c in table.columns)
    estimate = "att" if "att" in table.columns else "effect"
    return [_agg_row(level, r[label], r[estimate], r["se"], z) for r in table.to_dict("records")]


def _calendar_rows(fit: Any, z: float) -> list[dict[str, Any]]:
    """Calendar-year aggregation: mean of ATT(g, t) over the cohorts treated by ``t``.

    Weights are the cohort sizes (as in R ``did::aggte(type = "calendar")``); the standard
    error combines the library's per-unit influence functions of the ATT(g, t) with those
    weights (unit-level, like the library's own analytic standard errors).
    """
    effects = fit.group_time_effects
    influence = fit._aggregation_kit.influence  # noqa: SLF001 - per-cell influence functions
    cells = [(g, t) for (g, t) in effects if t >= g and np.isfinite(effects[(g, t)]["effect"])]
    n_units = 1 + max(
        max(np.max(c["treated_idx"], initial=0), np.max(c["control_idx"], initial=0))
        for c in influence.values()
    )
    rows = []
    for year in sorted({t for _, t in cells}):
        group = [(g, t) for (g, t) in cells if t == year]
        w = np.array([float(effects[c]["n_treated"]) for c in group])
        w = w / w.sum()
        estimate = float(sum(wi * effects[c]["effect"] for wi, c in zip(w, group, strict=True)))
        psi = np.zeros(int(n_units))
        for wi, cell in zip(w, group, strict=True):
            entry = influence[cell]
            np.add.at(psi, np.asarray(entry["treated_idx"]), wi * np.asarray(entry["treated_inf"]))
            np.add.at(psi, np.asarray(entry["control_idx"]), wi * np.asarray(entry["control_inf"]))
        rows.append(_agg_row("year", int(year), estimate, float(np.sqrt(np.sum(psi**2))), z))
    return rows


def _pretrend_from_event_study(event_study: Any, spec: DidSpec) -> dict[str, Any]:
    vcov = getattr(event_study, "vcov", None)
    index = getattr(event_study, "vcov_index", None)
    table = event_study.to_dataframe()
    reference = -1 - spec.anticipation
    pre = table[(table["event_time"] < reference + (spec.base_period == "varying"))]
    pre = pre[(pre["event_time"] >= spec.event_window[0]) & pre["se"].gt(0)]
    pre = pre[pre["event_time"] != reference] if spec.base_period == "universal" else pre
    if vcov is None or index is None or pre.empty:
        return {"test": "wald", "statistic": None, "df": 0, "p_value": None, "n_pre": len(pre)}
    position = {int(e): k for k, e in enumerate(index)}
    keep = [position[int(e)] for e in pre["event_time"] if int(e) in position]
    b = pre.set_index("event_time").loc[[int(index[k]) for k in keep], "att"].to_numpy(float)
    result = wald_pretrend_test(b, np.asarray(vcov)[np.ix_(keep, keep)])
    result["n_pre"] = len(keep)
    return result


def fit_sun_abraham(
    sample: StaggeredSample, spec: DidSpec, outcome: str, *, seed: int
) -> tuple[EstimatorResult, Any]:
    """Interaction-weighted event study (Sun and Abraham 2021)."""
    dd = _library()
    estimator = dd.SunAbraham(
        control_group=spec.comparison,
        anticipation=spec.anticipation,
        alpha=spec.alpha,
        cluster=_cluster(spec),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = estimator.fit(**_fit_kwargs(sample, spec, outcome))
    z = stats.norm.ppf(1.0 - spec.alpha / 2.0)
    index = [int(e) for e in fit.event_study_vcov_index]
    vcov = np.asarray(fit.event_study_vcov)
    window = [k for k, e in enumerate(index) if _in_window(e, spec)]
    rng = np.random.default_rng(seed)
    crit = sup_t_critical_value(
        vcov[np.ix_(window, window)], alpha=spec.alpha, draws=spec.sup_t_draws, rng=rng
    )
    rows = []
    reference = int(fit.reference_period) if fit.reference_period is not None else -1
    for e in sorted(set(index[k] for k in window) | {reference}):
        if e == reference:
            rows.append(_event(e, 0.0, float("nan"), z, crit))
            continue
        effect = fit.event_study_effects[e]
        rows.append(_event(e, effect["effect"], effect["se"], z, crit))
    pre = [k for k in window if index[k] < reference]
    b = np.array([fit.event_study_effects[index[k]]["effect"] for k in pre])
    pretrend = wald_pretrend_test(b, vcov[np.ix_(pre, pre)])
    pretrend["n_pre"] = len(pre)
    aggregations = [_agg_row("overall", "ATT", fit.overall_att, fit.overall_se, z)]
    record = EstimatorResult(
        estimator="sun_abraham",
        outcome=outcome,
        aggregations=tuple(aggregations),
        event_study=tuple(rows),
        pretrend=pretrend,
        band_method="sup-t from the clustered event-study covariance (Gaussian draws)",
        reference_period=reference,
        n_obs=len(sample.frame),
        notes=(f"comparison={spec.comparison}",),
    )
    return record, fit


def fit_imputation(
    sample: StaggeredSample, spec: DidSpec, outcome: str, *, seed: int
) -> EstimatorResult:
    """Imputation estimator (Borusyak, Jaravel and Spiess 2024) with its pre-trend test.

    Untreated outcomes are imputed from unit and year effects estimated on untreated
    observations only; the pre-trend test is BJS's Test 1 (leads added to the untreated-only
    regression, joint F-test).
    """
    dd = _library()
    estimator = dd.ImputationDiD(
        anticipation=spec.anticipation,
        alpha=spec.alpha,
        cluster=_cluster(spec),
        horizon_max=spec.event_window[1],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = estimator.fit(**_fit_kwargs(sample, spec, outcome))
        event_study = fit.aggregate("event_study").to_dataframe()
        groups = fit.aggregate("group").to_dataframe()
        n_leads = min(-spec.event_window[0] - 1 - spec.anticipation, 99)
        test = fit.pretrend_test(n_leads=max(n_leads, 1))
    z = stats.norm.ppf(1.0 - spec.alpha / 2.0)
    rows = []
    for record in event_study.to_dict("records"):
        e = int(record["event_time"])
        if not _in_window(e, spec) or e < 0:
            continue
        rows.append(
            {
                "event_time": e,
                "estimate": float(record["att"]),
                "se": float(record["se"]),
                "ci_lower": float(record["conf_int_lower"]),
                "ci_upper": float(record["conf_int_upper"]),
                "band_lower": None,
                "band_upper": None,
            }
        )
    aggregations = [_agg_row("overall", "ATT", fit.overall_att, fit.overall_se, z)]
    aggregations += _library_rows(groups, "cohort", z)
    return EstimatorResult(
        estimator="imputation",
        outcome=outcome,
        aggregations=tuple(aggregations),
        event_study=tuple(rows),
        pretrend={
            "test": "BJS test 1 (F)",
            "statistic": float(test["f_stat"]),
            "df": int(test["df"]),
            "p_value": float(test["p_value"]),
            "n_pre": int(test["n_leads"]),
        },
        band_method="none (the library gives no joint covariance of the horizons)",
        reference_period=-1 - spec.anticipation,
        n_obs=len(sample.frame),
        notes=("post-period event times only; pre-trends by BJS test 1",),
    )


def _event(e: int, estimate: float, se: float, z: float, crit: float) -> dict[str, Any]:
    return {
        "event_time": int(e),
        "estimate": float(estimate),
        "se": float(se),
        "ci_lower": float(estimate - z * se),
        "ci_upper": float(estimate + z * se),
        "band_lower": float(estimate - crit * se),
        "band_upper": float(estimate + crit * se),
    }


def check_estimable(record: EstimatorResult) -> None:
    """Raise when the overall ATT is not a finite number (an estimator failed silently)."""
    value = record.overall()["estimate"]
    if value is None or not np.isfinite(value):
        raise EstimationError(
            f"{record.estimator} gave no finite overall ATT for {record.outcome!r}; check the "
            "cohorts and the comparison group in the sample summary"
        )
