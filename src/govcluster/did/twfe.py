"""Two-way fixed effects on a balanced staggered panel: static, event study, implicit weights.

The reference the heterogeneity-robust estimators are compared with. On a balanced panel the
two-way within transformation is exact: ``x_it - xbar_i - xbar_t + xbar``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from govcluster.did.data import FIRST_TREAT, TREATED, StaggeredSample
from govcluster.did.inference import sup_t_critical_value, wald_pretrend_test
from govcluster.did.results import EstimatorResult
from govcluster.did.spec import DidSpec


def _within(values: np.ndarray, n_units: int, n_years: int) -> np.ndarray:
    """Two-way demeaned columns of a balanced panel sorted by unit then year."""
    cube = values.reshape(n_units, n_years, -1)
    out = cube - cube.mean(axis=1, keepdims=True) - cube.mean(axis=0, keepdims=True)
    out = out + cube.mean(axis=(0, 1), keepdims=True)
    return out.reshape(n_units * n_years, -1)


def _ols_clustered(
    y: np.ndarray, x: np.ndarray, clusters: np.ndarray, n_absorbed: int
) -> tuple[np.ndarray, np.ndarray]:
    """OLS on demeaned data with the cluster-robust (CR1) covariance.

    The small-sample factor is ``G / (G - 1) * (N - 1) / (N - K)`` with ``K`` the slope
    coefficients plus ``n_absorbed``, the fixed effects not nested in the clusters (fixest's
    default ``ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE)``).
    """
    xtx_inv = np.linalg.pinv(x.T @ x)
    beta = xtx_inv @ (x.T @ y)
    resid = y - x @ beta
    codes, _ = pd.factorize(clusters)
    scores = np.zeros((codes.max() + 1, x.shape[1]))
    np.add.at(scores, codes, x * resid[:, None])
    n, k, g = len(y), x.shape[1] + n_absorbed, scores.shape[0]
    factor = g / (g - 1) * (n - 1) / (n - k)
    return beta, factor * xtx_inv @ (scores.T @ scores) @ xtx_inv


def fit_twfe(sample: StaggeredSample, spec: DidSpec, outcome: str, *, seed: int) -> EstimatorResult:
    """Static TWFE coefficient on ``treated_post`` and the binned TWFE event study.

    The event study has one dummy per event time of ``spec.event_window`` except the
    reference period ``-1 - anticipation``; event times beyond the window are binned into its
    end points (Schmidheiny and Siegloch 2023). Never-treated units have no dummy.
    """
    frame = sample.frame
    n_units = frame[spec.entity].nunique()
    n_years = frame[spec.time].nunique()
    y = _within(frame[[outcome]].to_numpy(float), n_units, n_years)[:, 0]
    clusters = frame[spec.cluster].to_numpy()
    absorbed = _absorbed_not_nested(frame, spec, n_units, n_years)
    d = _within(frame[[TREATED]].to_numpy(float), n_units, n_years)
    beta, vcov = _ols_clustered(y, d, clusters, absorbed)
    z = stats.norm.ppf(1.0 - spec.alpha / 2.0)
    se = float(np.sqrt(vcov[0, 0]))
    overall = _row("overall", "ATT", float(beta[0]), se, z)

    reference = -1 - spec.anticipation
    low, high = spec.event_window
    event_times = [e for e in range(low, high + 1) if e != reference]
    dummies = _event_dummies(frame, spec, event_times)
    x = _within(dummies, n_units, n_years)
    b, v = _ols_clustered(y, x, clusters, absorbed)
    ses = np.sqrt(np.diag(v))
    rng = np.random.default_rng(seed)
    crit = sup_t_critical_value(v, alpha=spec.alpha, draws=spec.sup_t_draws, rng=rng)
    rows = []
    for j, e in enumerate(event_times):
        rows.append(_event_row(e, float(b[j]), float(ses[j]), z, crit))
    rows.append(_event_row(reference, 0.0, float("nan"), z, crit))
    rows.sort(key=lambda r: r["event_time"])
    pre = [j for j, e in enumerate(event_times) if e < reference]
    pretrend = wald_pretrend_test(b[pre], v[np.ix_(pre, pre)])
    pretrend["n_pre"] = len(pre)
    return EstimatorResult(
        estimator="twfe",
        outcome=outcome,
        aggregations=(overall,),
        event_study=tuple(rows),
        pretrend=pretrend,
        band_method="sup-t from the clustered covariance (Gaussian draws)",
        reference_period=reference,
        n_obs=len(frame),
        notes=(
            "static coefficient on the post-treatment indicator; event study with end points "
            "binned",
        ),
    )


def _absorbed_not_nested(frame: pd.DataFrame, spec: DidSpec, n_units: int, n_years: int) -> int:
    """Fixed effects (beyond one constant) not nested in the clusters of the standard errors."""
    per_unit = frame.groupby(spec.entity)[spec.cluster].nunique()
    units_nested = bool((per_unit == 1).all())
    per_year = frame.groupby(spec.time)[spec.cluster].nunique()
    years_nested = bool((per_year == 1).all())
    # fixest counts a fixed effect nested in the clusters as one parameter.
    return (1 if units_nested else n_units - 1) + (1 if years_nested else n_years - 1)


def _event_dummies(frame: pd.DataFrame, spec: DidSpec, event_times: list[int]) -> np.ndarray:
    low, high = spec.event_window
    treated = frame[FIRST_TREAT].to_numpy() > 0
    rel = np.clip(frame[spec.time].to_numpy() - frame[FIRST_TREAT].to_numpy(), low, high)
    return np.column_stack([(treated & (rel == e)).astype(float) for e in event_times])


def twfe_implicit_weights(sample: StaggeredSample, spec: DidSpec) -> dict[str, Any]:
    """Weights of the treated cells in the static TWFE coefficient.

    Notes
    -----
    ``beta_TWFE = sum_{treated it} w_it Y_it``-part: with ``Dtilde`` the residual of the
    treatment indicator on unit and year effects, ``beta = sum_it Dtilde_it Y_it / sum_it
    Dtilde_it D_it``, so under parallel trends ``beta = sum_{D_it = 1} w_it TE_it`` with
    ``w_it = Dtilde_it / sum_{D=1} Dtilde`` (de Chaisemartin and D'Haultfoeuille 2020). The
    weights sum to one; negative weights fall on long-exposed cells of early cohorts.

    Returns
    -------
    dict
        n_treated_cells, n_negative, sum_negative (total negative weight), and
        ``weights``: rows (cohort, year, event_time, weight) summed over each cohort-year.
    """
    frame = sample.frame
    n_units = frame[spec.entity].nunique()
    n_years = frame[spec.time].nunique()
    d = frame[TREATED].to_numpy(float)
    resid = _within(d[:, None], n_units, n_years)[:, 0]
    treated = d == 1
    weights = resid[treated] / resid[treated].sum()
    cells = pd.DataFrame(
        {
            "cohort": frame.loc[treated, FIRST_TREAT].to_numpy(),
            "year": frame.loc[treated, spec.time].to_numpy(),
            "weight": weights,
        }
    )
    by_cell = cells.groupby(["cohort", "year"], as_index=False)["weight"].sum()
    by_cell["event_time"] = by_cell["year"] - by_cell["cohort"]
    return {
        "n_treated_cells": int(treated.sum()),
        "n_negative": int((weights < 0).sum()),
        "sum_negative": float(weights[weights < 0].sum()),
        "weights": by_cell[["cohort", "year", "event_time", "weight"]].to_dict("records"),
    }


def _row(level: str, label: str, estimate: float, se: float, z: float) -> dict[str, Any]:
    return {
        "level": level,
        "label": label,
        "estimate": estimate,
        "se": se,
        "ci_lower": estimate - z * se,
        "ci_upper": estimate + z * se,
    }


def _event_row(e: int, estimate: float, se: float, z: float, crit: float) -> dict[str, Any]:
    return {
        "event_time": int(e),
        "estimate": estimate,
        "se": se,
        "ci_lower": estimate - z * se,
        "ci_upper": estimate + z * se,
        "band_lower": estimate - crit * se,
        "band_upper": estimate + crit * se,
    }
