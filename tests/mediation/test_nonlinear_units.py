"""Causal mediation beyond the linear model: contrasts, covariances, records and errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from govcluster.errors import EstimationError
from govcluster.mediation.nonlinear import (
    NonlinearMediationResult,
    NonlinearMediationSpec,
    causal_mediation,
    default_contrast,
    r_pvalue,
)
from govcluster.mediation.nonlinear_models import fit_model


def linear_data(n=2000, seed=0, continuous=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = rng.normal(2.0, 1.5, size=n) if continuous else rng.integers(0, 2, n).astype(float)
    m = 0.3 + 0.7 * t + 0.4 * x + rng.normal(size=n)
    y = 0.1 + 0.5 * m + 0.2 * t + 0.3 * x + rng.normal(size=n)
    g = rng.integers(0, 40, n)
    return pd.DataFrame({"t": t, "m": m, "y": y, "x": x, "g": g})


def spec(**kw):
    base = dict(
        treatment="t",
        mediator="m",
        outcome="y",
        mediator_covariates=["x"],
        outcome_covariates=["x"],
        sims=2000,
    )
    return NonlinearMediationSpec(**{**base, **kw})


def test_linear_models_give_the_product_of_coefficients():
    """Linear/linear without interaction: ACME = a b (t1 - t0) for every draw, ADE = c."""
    data = linear_data()
    res = causal_mediation(data, spec(), seed=1)
    a = sm.OLS(data["m"], sm.add_constant(data[["t", "x"]])).fit().params["t"]
    fit_y = sm.OLS(data["y"], sm.add_constant(data[["m", "t", "x"]])).fit()
    b, c = fit_y.params["m"], fit_y.params["t"]
    # Monte Carlo error of the mean of 2,000 draws of a b: sd(a b) / sqrt(2000) ~ 0.0005
    assert res.effects["acme_average"].estimate == pytest.approx(a * b, abs=0.002)
    assert res.effects["ade_average"].estimate == pytest.approx(c, abs=0.003)
    np.testing.assert_allclose(res.draws["d1"], res.draws["d0"], rtol=1e-10)
    assert res.interaction_test is None


def test_continuous_treatment_uses_one_standard_deviation_by_default():
    data = linear_data(continuous=True)
    res = causal_mediation(data, spec(), seed=1)
    sd = data["t"].std(ddof=1)
    assert res.contrast.rule == "one_sd"
    assert res.contrast.treat_value - res.contrast.control_value == pytest.approx(sd)
    a = sm.OLS(data["m"], sm.add_constant(data[["t", "x"]])).fit().params["t"]
    b = sm.OLS(data["y"], sm.add_constant(data[["m", "t", "x"]])).fit().params["m"]
    assert res.effects["acme_average"].estimate == pytest.approx(a * b * sd, rel=0.02)
    assert "one-standard-deviation" in res.contrast.describe("t")
    assert "一个标准差" in res.contrast.describe("t", "zh")
    user = causal_mediation(data, spec(control_value=1.0, treat_value=3.0), seed=1)
    assert user.contrast.rule == "user"
    assert user.effects["acme_average"].estimate == pytest.approx(a * b * 2, rel=0.02)


def test_default_contrast_rules():
    assert default_contrast(pd.Series([0, 1, 1, 0])).rule == "binary"
    with pytest.raises(EstimationError, match="set both control_value and treat_value"):
        default_contrast(pd.Series([0, 1]), control_value=0.0)
    with pytest.raises(EstimationError, match="does not vary"):
        default_contrast(pd.Series([2.0, 2.0, 2.0]))


def test_interaction_test_is_reported_with_interaction():
    data = linear_data()
    data["y"] = data["y"] + 0.4 * data["t"] * data["m"]
    res = causal_mediation(data, spec(interaction=True), seed=2)
    it = res.interaction_test
    assert it is not None
    # true ACME(1) - ACME(0) = a * 0.4 = 0.28
    assert it.ci_lower < 0.28 < it.ci_upper and it.p_value < 0.01
    assert it.estimate == pytest.approx(
        res.effects["acme_treated"].estimate - res.effects["acme_control"].estimate
    )


@pytest.mark.parametrize("family", ["linear", "logit"])
def test_cluster_covariance_matches_statsmodels(family):
    """Cluster-robust (HC1-type, G/(G-1) (n-1)/(n-k)) covariance as sandwich::vcovCL.

    For probit, statsmodels uses the observed Hessian as the bread and R (and we) the
    expected information, so the comparison is made for the canonical logit link, where
    the two coincide, and for the linear model.
    """
    data = linear_data()
    X = sm.add_constant(data[["t", "x"]]).to_numpy()
    y = data["m"].to_numpy() if family == "linear" else (data["m"] > 1).astype(float).to_numpy()
    ours = fit_model(
        X,
        y,
        family=family,
        names=["c", "t", "x"],
        cov_type="cluster",
        clusters=data["g"].to_numpy(),
    )
    model = sm.OLS(y, X) if family == "linear" else sm.GLM(y, X, family=sm.families.Binomial())
    ref = model.fit(cov_type="cluster", cov_kwds={"groups": data["g"].to_numpy()})
    np.testing.assert_allclose(ours.cov, np.asarray(ref.cov_params()), rtol=1e-6)


def test_hc3_covariance_matches_statsmodels_for_the_linear_model():
    data = linear_data()
    X = sm.add_constant(data[["t", "x"]]).to_numpy()
    y = data["m"].to_numpy() * (1 + np.abs(data["x"].to_numpy()))
    ours = fit_model(X, y, family="linear", names=["c", "t", "x"], cov_type="hc3")
    ref = sm.OLS(y, X).fit(cov_type="HC3")
    np.testing.assert_allclose(ours.cov, np.asarray(ref.cov_params()), rtol=1e-10)


def test_hc3_for_probit_is_the_weighted_leverage_sandwich():
    """vcovHC(glm, "HC3") with the expected-information bread, against a direct formula."""
    rng = np.random.default_rng(5)
    X = np.column_stack([np.ones(300), rng.normal(size=(300, 2))])
    y = (X @ [0.2, 0.8, -0.5] + rng.normal(size=300) > 0).astype(float)
    ours = fit_model(X, y, family="probit", names=["c", "a", "b"], cov_type="hc3")
    from scipy import stats

    eta = X @ ours.params
    mu, dens = stats.norm.cdf(eta), stats.norm.pdf(eta)
    w = dens**2 / (mu * (1 - mu))
    bread = np.linalg.inv((X * w[:, None]).T @ X)
    h = np.array([w[i] * X[i] @ bread @ X[i] for i in range(300)])
    s = X * ((y - mu) * dens / (mu * (1 - mu)) / (1 - h))[:, None]
    np.testing.assert_allclose(ours.cov, bread @ s.T @ s @ bread, rtol=1e-10)


def test_binary_model_with_non_binary_variable_is_refused_clearly():
    data = linear_data()
    with pytest.raises(EstimationError) as err:
        causal_mediation(data, spec(mediator_model="probit"), seed=1)
    msg = str(err.value)
    assert "mediator column 'm'" in msg and "values other than 0 and 1" in msg
    assert "Recode 'm' to 0/1 or use a linear mediator model" in msg
    data["y"] = np.where(data["y"] > 0, 1, 2)
    with pytest.raises(
        EstimationError, match=r"outcome column 'y' has values other than 0 and 1: 2"
    ):
        causal_mediation(data, spec(outcome_model="logit"), seed=1)


def test_bad_options_and_columns():
    with pytest.raises(EstimationError, match="outcome_model='tobit' is not an option"):
        spec(outcome_model="tobit")
    with pytest.raises(EstimationError, match="cov_type='cluster' needs cluster"):
        spec(cov_type="cluster")
    with pytest.raises(EstimationError, match=r"column\(s\) z not in the data"):
        causal_mediation(linear_data(), spec(outcome_covariates=["z"]), seed=1)


def test_cluster_options_run_and_record_round_trips():
    data = linear_data(n=600)
    qb = causal_mediation(data, spec(cov_type="cluster", cluster="g", sims=300), seed=1)
    boot = causal_mediation(data, spec(method="bootstrap", cluster="g", sims=50), seed=1)
    for res in (qb, boot):
        record = json.loads(json.dumps(res.to_dict()))
        assert record["kind"] == "causal_mediation_nonlinear"
        back = NonlinearMediationResult.from_dict(record)
        assert back == res
    frame = qb.to_frame("zh")
    assert frame["quantity"].iloc[0] == "平均因果中介效应（对照）"
    # same seed, same result
    again = causal_mediation(data, spec(cov_type="cluster", cluster="g", sims=300), seed=1)
    assert again.effects == qb.effects


def test_r_pvalue_convention():
    assert r_pvalue(np.array([1.0, 2.0, -1.0, 3.0]), 1.0) == 0.5
    assert r_pvalue(np.array([1.0, 2.0]), 0.0) == 1.0
    assert r_pvalue(np.array([-1.0, 1.0]), 0.1) == 1.0


@pytest.mark.parametrize("family", ["probit", "logit"])
def test_bootstrap_refits_equal_statsmodels(family):
    """The warm-started IRLS of the bootstrap refits converges to statsmodels' estimates."""
    from govcluster.mediation.nonlinear_models import _irls

    rng = np.random.default_rng(1)
    X = np.column_stack([np.ones(500), rng.normal(size=(500, 3))])
    y = (X @ [0.3, 1, -0.5, 0.2] + rng.logistic(size=500) > 0).astype(float)
    link = sm.families.links.Probit() if family == "probit" else sm.families.links.Logit()
    ref = sm.GLM(y, X, family=sm.families.Binomial(link=link)).fit(tol=1e-12).params
    ours = _irls(X, y, family=family, start=np.zeros(4))
    np.testing.assert_allclose(ours, ref, atol=1e-8)
