"""Simulated data with known truth (the data-generating processes are defined here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from govcluster.core.covariance import sandwich
from govcluster.core.iv import kp_rk_statistic
from govcluster.panel import (
    PanelIVSpec,
    PanelSpec,
    fit_panel_iv,
    fit_panel_model,
    hausman_test,
    mundlak_test,
)

BETA = 0.5


def twoway_dgp(
    rng: np.random.Generator, n: int, t: int, *, corr_effects: float = 1.0, rho: float = 0.5
) -> pd.DataFrame:
    """Two-way panel: y = BETA x + 0.3 c + a_i + g_t + e.

    x is correlated with a_i and g_t, and the errors are AR(1) and heteroskedastic within
    entities.
    """
    a = rng.normal(size=n)
    g = rng.normal(size=t)
    ids = np.repeat(np.arange(n), t)
    yrs = np.tile(np.arange(t), n)
    x = corr_effects * a[ids] + g[yrs] + rng.normal(size=n * t)
    c = rng.normal(size=n * t)
    e = np.empty(n * t)
    shocks = rng.normal(size=(n, t)) * (0.5 + rng.uniform(size=n))[:, None]
    for i in range(n):
        ei = np.empty(t)
        ei[0] = shocks[i, 0]
        for s in range(1, t):
            ei[s] = rho * ei[s - 1] + shocks[i, s]
        e[i * t : (i + 1) * t] = ei
    y = BETA * x + 0.3 * c + a[ids] + g[yrs] + e
    return pd.DataFrame({"id": ids, "year": 2000 + yrs, "y": y, "x": x, "c": c})


def spec(**kw: object) -> PanelSpec:
    base = dict(outcome="y", regressors=["x"], controls=["c"], entity="id", time="year")
    base.update(kw)
    return PanelSpec(**base)  # type: ignore[arg-type]


def test_twoway_fe_recovers_the_coefficient() -> None:
    rng = np.random.default_rng(20240601)
    df = twoway_dgp(rng, 400, 10)
    est = fit_panel_model(df, spec())
    assert abs(est.params["x"] - BETA) < 4 * est.std_errors["x"]
    assert abs(est.params["c"] - 0.3) < 4 * est.std_errors["c"]
    assert est.std_errors["x"] < 0.02
    pooled = fit_panel_model(df, spec(estimator="pooled"))
    assert abs(pooled.params["x"] - BETA) > 10 * pooled.std_errors["x"]  # effects correlate


@pytest.mark.slow
def test_cluster_confidence_interval_coverage() -> None:
    # 200 replications of a 40 x 6 panel with serially correlated, heteroskedastic errors;
    # 95% cluster-robust intervals with t(G-1). The number of covering intervals is
    # Binomial(200, 0.95) if the coverage is right: sd = 3.1, so we accept 180..200
    # (about -3.2 sd).
    rng = np.random.default_rng(7)
    covered = 0
    reps = 200
    for _ in range(reps):
        df = twoway_dgp(rng, 40, 6, rho=0.8)
        est = fit_panel_model(df, spec())
        lo, hi = est.conf_int().loc["x"]
        covered += lo <= BETA <= hi
    assert 180 <= covered <= 200


def iv_dgp(rng: np.random.Generator, n: int, t: int) -> pd.DataFrame:
    """Panel with an endogenous regressor x and a valid instrument z.

    x is endogenous (its shock v enters the error u) and correlated with the entity effect;
    z is a valid instrument that is correlated with the entity effect too.
    """
    ids = np.repeat(np.arange(n), t)
    yrs = np.tile(np.arange(t), n)
    a = rng.normal(size=n)[ids]
    z = 0.7 * a + rng.normal(size=n * t)
    v = rng.normal(size=n * t)
    u = 0.8 * v + rng.normal(size=n * t)
    x = 0.6 * z + a + v
    y = BETA * x + 2 * a + u
    return pd.DataFrame({"id": ids, "year": 2000 + yrs, "y": y, "x": x, "z": z})


@pytest.mark.slow
def test_fe_iv_recovers_the_truth_where_fe_is_biased() -> None:
    rng = np.random.default_rng(11)
    df = iv_dgp(rng, 300, 6)
    fe = fit_panel_model(
        df, PanelSpec(outcome="y", regressors="x", entity="id", time="year", estimator="twoway_fe")
    )
    assert fe.params["x"] - BETA > 10 * fe.std_errors["x"]
    iv = fit_panel_iv(
        df, PanelIVSpec(outcome="y", endogenous="x", instruments="z", entity="id", time="year")
    )
    assert abs(iv.params["x"] - BETA) < 3 * iv.std_errors["x"]
    fs = iv.first_stages[0]
    assert fs.f_statistic > 100 and 0 < fs.partial_r2 < 1
    # one endogenous regressor: the KP rk Wald F is the cluster-robust first-stage F
    np.testing.assert_allclose(iv.kp_rk_wald_f, fs.f_statistic, rtol=1e-10)
    # Anderson-Rubin: rejects beta = 0, its set contains the truth and the estimate
    assert iv.anderson_rubin.test.p_value < 1e-6
    ((lo, hi),) = iv.anderson_rubin.confidence_set
    assert lo < BETA < hi and lo < iv.params["x"] < hi
    assert iv.anderson_rubin.bounded
    at_truth = fit_panel_iv(df, iv.spec.replace(ar_null=BETA)).anderson_rubin.test
    assert at_truth.p_value > 0.01
    # the boundaries of the set are where the AR p-value equals 1 - level
    for b in (lo, hi):
        p = fit_panel_iv(df, iv.spec.replace(ar_null=b)).anderson_rubin.test.p_value
        np.testing.assert_allclose(p, 0.05, atol=1e-6)


def test_anderson_rubin_set_is_unbounded_with_irrelevant_instrument() -> None:
    rng = np.random.default_rng(12)
    df = iv_dgp(rng, 200, 5)
    df["noise"] = rng.normal(size=len(df))
    iv = fit_panel_iv(
        df, PanelIVSpec(outcome="y", endogenous="x", instruments="noise", entity="id", time="year")
    )
    assert iv.first_stages[0].f_statistic < 10
    ar = iv.anderson_rubin
    assert ar.bounded is False
    assert any(np.isinf(b) for interval in ar.confidence_set for b in interval)


def test_kleibergen_paap_equals_cragg_donald_under_homoskedastic_standardisation() -> None:
    # With V(vec Pi) = Sigma kron (Z'Z)^-1 and G'G = Sigma, the rk statistic of rank K1 - 1
    # is the Cragg-Donald statistic min eig(G^-T Pi' Z'Z Pi G^-1).
    rng = np.random.default_rng(3)
    n = 500
    z = rng.normal(size=(n, 3))
    pi_true = np.array([[1.0, 0.2], [0.3, 0.4], [0.0, 0.25]])
    y = z @ pi_true + rng.normal(size=(n, 2)) @ np.array([[1.0, 0.5], [0.0, 1.0]])
    pi = np.linalg.lstsq(z, y, rcond=None)[0]
    v = y - z @ pi
    codes = np.arange(n)
    vpi = sandwich(
        z,
        v,
        cov_type="unadjusted",
        small_sample=True,
        entity_codes=codes,
        time_codes=codes,
        n_absorbed=0,
    )
    sigma = v.T @ v / (n - 3)
    g = np.linalg.cholesky(sigma).T
    rk = kp_rk_statistic(pi, vpi, z, y, g_matrix=g)
    gi = np.linalg.inv(g)
    cd = np.linalg.eigvalsh(gi.T @ pi.T @ z.T @ z @ pi @ gi).min()
    np.testing.assert_allclose(rk, cd, rtol=1e-8)
    # and with the default (ranktest) standardisation it is positive and finite
    assert 0 < kp_rk_statistic(pi, vpi, z, y) < np.inf


def test_kleibergen_paap_small_when_rank_deficient() -> None:
    rng = np.random.default_rng(4)
    n = 400
    z = rng.normal(size=(n, 3))
    common = z @ np.array([1.0, 0.5, 0.2])
    y = np.column_stack([common, 2 * common]) + rng.normal(size=(n, 2))
    pi = np.linalg.lstsq(z, y, rcond=None)[0]
    v = y - z @ pi
    codes = np.arange(n)
    vpi = sandwich(
        z,
        v,
        cov_type="robust",
        small_sample=True,
        entity_codes=codes,
        time_codes=codes,
        n_absorbed=0,
    )
    rk = kp_rk_statistic(pi, vpi, z, y)
    assert stats.chi2.sf(rk, 2) > 0.001  # rank 1: not rejected


@pytest.mark.slow
def test_hausman_and_mundlak_power_and_size() -> None:
    # Power: one large draw with effects correlated with x: both tests reject at 1%.
    rng = np.random.default_rng(21)
    df = twoway_dgp(rng, 300, 5, corr_effects=1.0, rho=0.0)
    s = spec(estimator="entity_fe")
    assert hausman_test(df, s).p_value < 0.01
    assert mundlak_test(df, s).p_value < 0.01
    # Size: 40 draws with effects uncorrelated with x (homoskedastic errors so that the
    # classic test is valid). Rejections at 5% are Binomial(40, 0.05) under the null:
    # P(>= 8) = 0.001, so we accept at most 7 for each test.
    rej_h = rej_m = 0
    for _ in range(40):
        d = re_dgp(rng, 100, 5)
        rej_h += hausman_test(d, s).p_value < 0.05
        rej_m += mundlak_test(d, s).p_value < 0.05
    assert rej_h <= 7 and rej_m <= 7


def re_dgp(rng: np.random.Generator, n: int, t: int) -> pd.DataFrame:
    ids = np.repeat(np.arange(n), t)
    yrs = np.tile(np.arange(t), n)
    a = rng.normal(size=n)[ids]
    x = rng.normal(size=n * t)
    c = rng.normal(size=n * t)
    y = BETA * x + 0.3 * c + a + rng.normal(size=n * t)
    return pd.DataFrame({"id": ids, "year": 2000 + yrs, "y": y, "x": x, "c": c})


@pytest.mark.parametrize("estimator", ["random", "pooled", "between", "first_difference"])
def test_other_estimators_are_consistent_without_correlated_effects(estimator: str) -> None:
    rng = np.random.default_rng(5)
    df = re_dgp(rng, 300, 6)
    est = fit_panel_model(
        df,
        spec(
            estimator=estimator, cov_type="robust" if estimator == "between" else "cluster_entity"
        ),
    )
    assert abs(est.params["x"] - BETA) < 4 * est.std_errors["x"]
