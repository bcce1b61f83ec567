"""Standard errors against hand-coded sandwich formulas (independent of linearmodels)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from govcluster.errors import EstimationError, FewClustersWarning
from govcluster.panel import PanelIVSpec, PanelSpec, fit_panel_iv, fit_panel_model


def make_panel(seed: int, n: int = 60, t: int = 8, unbalanced: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n), t)
    years = np.tile(np.arange(2001, 2001 + t), n)
    a = rng.normal(size=n)[ids]
    g = rng.normal(size=t)[years - 2001]
    x1 = 0.5 * a + rng.normal(size=n * t)
    x2 = rng.normal(size=n * t) + 0.3 * g
    e = rng.normal(size=n * t) * (1 + np.abs(x1)) + rng.normal(size=n)[ids] * 0.5
    y = 1.0 + 2.0 * x1 - 1.0 * x2 + a + g + e
    df = pd.DataFrame({"id": ids, "year": years, "y": y, "x1": x1, "x2": x2})
    if unbalanced:
        df = df.drop(rng.choice(len(df), size=len(df) // 10, replace=False))
    return df.reset_index(drop=True)


def within(a: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Within transformation of each column: x - entity mean + grand mean."""
    out = np.empty_like(a)
    for g in np.unique(codes):
        m = codes == g
        out[m] = a[m] - a[m].mean(axis=0)
    return out + a.mean(axis=0)


def hand_fe(df: pd.DataFrame, twoway: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Within design with intercept (and year dummies), coefficients, residuals, n effects."""
    ent = pd.factorize(df["id"], sort=True)[0]
    cols = [df["x1"].to_numpy(), df["x2"].to_numpy(), np.ones(len(df))]
    if twoway:
        years = sorted(df["year"].unique())
        cols += [(df["year"] == yr).to_numpy(float) for yr in years[1:]]
    x = within(np.column_stack(cols), ent)
    x[:, 2] = 1.0
    y = within(df[["y"]].to_numpy(), ent)[:, 0]
    b = np.linalg.solve(x.T @ x, x.T @ y)
    return x, b, y - x @ b, ent.max()


def cluster_cov(x: np.ndarray, u: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    n = len(u)
    bread = np.linalg.inv(x.T @ x)
    groups = np.unique(codes)
    meat = sum(
        np.outer(x[codes == g].T @ u[codes == g], x[codes == g].T @ u[codes == g]) for g in groups
    )
    g = len(groups)
    return g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread


@pytest.mark.parametrize("twoway", [False, True])
def test_cluster_entity_matches_stata_formula(twoway: bool) -> None:
    df = make_panel(1)
    spec = PanelSpec(
        outcome="y",
        regressors=["x1"],
        controls=["x2"],
        entity="id",
        time="year",
        estimator="twoway_fe" if twoway else "entity_fe",
    )
    est = fit_panel_model(df, spec)
    x, b, u, _ = hand_fe(df, twoway)
    v = cluster_cov(x, u, pd.factorize(df["id"], sort=True)[0], x.shape[1])
    np.testing.assert_allclose(est.params[["x1", "x2", "const"]], b[:3], rtol=1e-8)
    np.testing.assert_allclose(est.cov_array, v[:3, :3], rtol=1e-8)
    assert est.df_inference == df["id"].nunique() - 1
    assert est.n_clusters == df["id"].nunique()


def test_cluster_twoway_matches_cgm_formula() -> None:
    df = make_panel(2, n=40, t=35)
    spec = PanelSpec(
        outcome="y",
        regressors=["x1"],
        controls=["x2"],
        entity="id",
        time="year",
        estimator="entity_fe",
        cov_type="cluster_twoway",
    )
    est = fit_panel_model(df, spec)
    x, _, u, _ = hand_fe(df, False)
    ent = pd.factorize(df["id"], sort=True)[0]
    yr = pd.factorize(df["year"], sort=True)[0]
    both = pd.factorize(pd.Series(list(zip(ent, yr, strict=True))))[0]
    k = x.shape[1]
    v = cluster_cov(x, u, ent, k) + cluster_cov(x, u, yr, k) - cluster_cov(x, u, both, k)
    np.testing.assert_allclose(est.cov_array, v, rtol=1e-8)
    assert est.df_inference == min(df["id"].nunique(), df["year"].nunique()) - 1


def test_robust_and_unadjusted_count_the_effects() -> None:
    df = make_panel(3)
    base = PanelSpec(
        outcome="y",
        regressors=["x1"],
        controls=["x2"],
        entity="id",
        time="year",
        estimator="entity_fe",
        cov_type="robust",
    )
    x, _, u, n_eff = hand_fe(df, False)
    n, k = x.shape
    bread = np.linalg.inv(x.T @ x)
    v_rob = n / (n - k - n_eff) * bread @ (x * u[:, None]).T @ (x * u[:, None]) @ bread
    np.testing.assert_allclose(fit_panel_model(df, base).cov_array, v_rob, rtol=1e-8)
    v_un = (u @ u) / (n - k - n_eff) * bread
    est_u = fit_panel_model(df, base.replace(cov_type="unadjusted"))
    np.testing.assert_allclose(est_u.cov_array, v_un, rtol=1e-8)
    assert est_u.df_inference == n - k - n_eff


def test_driscoll_kraay_matches_bartlett_formula() -> None:
    df = make_panel(4, n=30, t=40, unbalanced=False)
    spec = PanelSpec(
        outcome="y",
        regressors=["x1"],
        controls=["x2"],
        entity="id",
        time="year",
        estimator="entity_fe",
        cov_type="driscoll_kraay",
        dk_bandwidth=3,
    )
    est = fit_panel_model(df, spec)
    x, _, u, _ = hand_fe(df, False)
    n, k = x.shape
    yr = pd.factorize(df["year"], sort=True)[0]
    h = np.array([(x[yr == t] * u[yr == t, None]).sum(axis=0) for t in range(yr.max() + 1)])
    s = h.T @ h
    for j in range(1, 4):
        s += (1 - j / 4) * (h[j:].T @ h[:-j] + h[:-j].T @ h[j:])
    bread = np.linalg.inv(x.T @ x)
    np.testing.assert_allclose(est.cov_array, n / (n - k) * bread @ s @ bread, rtol=1e-8)
    assert est.dk_bandwidth == 3 and est.df_inference == 39


@pytest.mark.parametrize(
    "cov_type", ["cluster_entity", "cluster_twoway", "driscoll_kraay", "robust", "unadjusted"]
)
@pytest.mark.parametrize("estimator", ["entity_fe", "twoway_fe", "first_difference", "pooled"])
def test_iv_with_instruments_equal_to_regressors_is_ols(
    cov_type: str, estimator: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The identity IV = OLS checks the IV arithmetic; the estimator refuses such an instrument
    # as a specification error (test_iv_refuses_an_instrument_that_copies_the_regressor), so
    # that check is switched off here.
    monkeypatch.setattr("govcluster.panel.iv.check_first_stage", lambda *args, **kwargs: None)
    df = make_panel(5, n=40, t=35)
    df["z1"] = df["x1"]
    spec = PanelSpec(
        outcome="y",
        regressors=["x1"],
        controls=["x2"],
        entity="id",
        time="year",
        estimator=estimator,
        cov_type=cov_type,
    )
    ivspec = PanelIVSpec(
        outcome="y",
        endogenous=["x1"],
        instruments=["z1"],
        controls=["x2"],
        entity="id",
        time="year",
        estimator=estimator,
        cov_type=cov_type,
    )
    ols = fit_panel_model(df, spec)
    iv = fit_panel_iv(df, ivspec)
    assert iv.names == ols.names
    np.testing.assert_allclose(iv.params_array, ols.params_array, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(iv.cov_array, ols.cov_array, rtol=1e-7, atol=1e-12)
    assert iv.df_inference == ols.df_inference
    assert iv.n_obs == ols.n_obs


def test_iv_refuses_an_instrument_that_copies_the_regressor() -> None:
    df = make_panel(5, n=40, t=35)
    df["z1"] = df["x1"]
    ivspec = PanelIVSpec(
        outcome="y",
        endogenous=["x1"],
        instruments=["z1"],
        controls=["x2"],
        entity="id",
        time="year",
        estimator="twoway_fe",
    )
    with pytest.raises(EstimationError, match="Specification error"):
        fit_panel_iv(df, ivspec)


def test_no_small_sample_correction_uses_normal() -> None:
    df = make_panel(6)
    spec = PanelSpec(
        outcome="y",
        regressors=["x1"],
        controls=["x2"],
        entity="id",
        time="year",
        estimator="entity_fe",
        small_sample=False,
    )
    est = fit_panel_model(df, spec)
    x, _, u, _ = hand_fe(df, False)
    codes = pd.factorize(df["id"], sort=True)[0]
    g, n, k = codes.max() + 1, len(u), x.shape[1]
    v = cluster_cov(x, u, codes, k) / (g / (g - 1) * (n - 1) / (n - k))
    np.testing.assert_allclose(est.cov_array, v, rtol=1e-8)
    assert est.df_inference is None
    from scipy import stats

    z = est.params["x1"] / est.std_errors["x1"]
    np.testing.assert_allclose(est.pvalues["x1"], 2 * stats.norm.sf(abs(z)))


def test_result_is_read_only_and_json() -> None:
    df = make_panel(7)
    est = fit_panel_model(
        df, PanelSpec(outcome="y", regressors="x1", controls=["x2"], entity="id", time="year")
    )
    with pytest.raises(ValueError):
        est.params_array[0] = 0.0
    with pytest.raises(AttributeError):
        est.n_obs = 3  # type: ignore[misc]
    record = json.loads(json.dumps(est.to_dict()))
    assert record["kind"] == "panel_estimate"
    assert [c["name"] for c in record["coefficients"]] == ["x1", "x2", "const"]
    assert record["n_dropped"]["missing_values"] == 0
    assert record["clusters"] == {"id": df["id"].nunique()}
    ci = est.conf_int(0.9)
    assert (ci["lower"] < est.params).all() and (est.params < ci["upper"]).all()
    lc = est.lincom({"x1": 1.0, "x2": 1.0})
    np.testing.assert_allclose(lc.estimate, est.params["x1"] + est.params["x2"])
    w = est.wald_test([{"x1": 1.0}, {"x2": 1.0}], [2.0, -1.0])
    assert w.distribution == "F" and w.df == 2


def test_few_clusters_warning_is_recorded() -> None:
    df = make_panel(8, n=12, t=6)
    spec = PanelSpec(outcome="y", regressors="x1", entity="id", time="year")
    with pytest.warns(FewClustersWarning, match="Only 12 clusters in 'id'"):
        est = fit_panel_model(df, spec)
    assert any("Only 12 clusters" in w for w in est.warnings)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_panel_model(df, spec.replace(cov_type="robust"))
