"""2SLS and the Kleibergen-Paap rk statistic against linearmodels.

Oracles: ``linearmodels.iv.IV2SLS`` and ``IVGMM`` (with the homoskedastic weight matrix,
whose estimator is 2SLS) for the coefficients and covariances, and
``linearmodels.iv.common.kleibergen_paap_f`` for the rk Wald F.

Where the conventions agree. The rk Wald F of :mod:`govcluster.panel.iv` is
:func:`kp_rk_statistic` / L with the covariance of vec(Pi) of the specification, whose
small-sample factor is G/(G-1)(N-1)/(N-K) (clusters) or N/(N-K) (robust), K the number of all
instruments; linearmodels computes the statistic without a factor and multiplies it by
(N-K)(G-1)/(G(N-1)) (clusters) or (N-K)/N (robust), the inverses of the same factors (the
``ivreg2`` scaling), so the two agree to rounding for one-way clustering, robust and
homoskedastic covariances (homoskedastic: the Cragg-Donald F, the covariance being a
Kronecker product).

Where they differ. (i) Two-way clustering: linearmodels does not compute the statistic.
(ii) Driscoll-Kraay: linearmodels' kernel runs over rows, not over the cross-section sums of
the scores by year. (iii) Robust and homoskedastic covariances after absorbing entity effects:
the panel estimator counts the absorbed effects in the degrees of freedom (N - K - d, as
``xtivreg, fe``), which linearmodels, given the transformed data, cannot know. (iv) The
underidentification test: linearmodels reports the rk LM statistic, the panel estimator the rk
Wald chi2 (``ranktest``'s ``wald`` option).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels.iv import IV2SLS, IVGMM
from linearmodels.iv.common import kleibergen_paap_f

from govcluster.core.covariance import sandwich
from govcluster.core.iv import (
    kp_rk_statistic,
    ols,
    one_endogenous_2sls,
    two_stage_least_squares,
)

RTOL = 1e-10


def _data(n_endog: int, n_instr: int, seed: int = 11) -> dict[str, np.ndarray]:
    """Clustered data with ``n_endog`` endogenous regressors and ``n_instr`` instruments."""
    rng = np.random.default_rng(seed)
    g, per = 50, 8
    n = g * per
    codes = np.repeat(np.arange(g), per)
    exog = np.column_stack([np.ones(n), rng.normal(size=n)])
    z = rng.normal(size=(n, n_instr)) + rng.normal(size=(g, n_instr))[codes]
    common = rng.normal(size=n) + rng.normal(size=g)[codes]
    pi = rng.uniform(0.3, 1.0, size=(n_instr, n_endog))
    x = z @ pi + 0.5 * common[:, None] + rng.normal(size=(n, n_endog))
    y = x @ np.full(n_endog, 0.5) + exog @ np.array([1.0, -0.2]) + common
    y += rng.normal(size=n) * (1 + np.abs(exog[:, 1]))
    return {"y": y, "x": x, "z": z, "exog": exog, "codes": codes}


def _cov(xhat: np.ndarray, resid: np.ndarray, codes: np.ndarray, cov_type: str, **kw):
    return sandwich(
        xhat,
        resid,
        cov_type=cov_type,
        small_sample=True,
        entity_codes=codes,
        time_codes=np.zeros_like(codes),
        n_absorbed=0,
        **kw,
    )


@pytest.mark.parametrize("n_endog", [1, 2])
def test_two_stage_least_squares_matches_linearmodels(n_endog: int) -> None:
    d = _data(n_endog, 3)
    x = np.hstack([d["x"], d["exog"]])
    z = np.hstack([d["z"], d["exog"]])
    fit = two_stage_least_squares(d["y"], x, z)
    ref = IV2SLS(d["y"], d["exog"], d["x"], d["z"]).fit(
        cov_type="clustered", clusters=pd.Series(d["codes"]), debiased=True
    )
    order = [n_endog, n_endog + 1, *range(n_endog)]  # linearmodels lists exog first
    np.testing.assert_allclose(fit.beta[order], ref.params.to_numpy(), rtol=RTOL)
    cov = _cov(fit.xhat, fit.resid, d["codes"], "cluster_entity")
    np.testing.assert_allclose(cov[np.ix_(order, order)], ref.cov.to_numpy(), rtol=1e-9)
    gmm = IVGMM(d["y"], d["exog"], d["x"], d["z"], weight_type="unadjusted").fit()
    np.testing.assert_allclose(fit.beta[order], gmm.params.to_numpy(), rtol=RTOL)


def test_one_endogenous_closed_form_equals_the_general_estimator() -> None:
    d = _data(1, 2)
    exog = d["exog"]
    _, t_ = ols(exog, d["x"][:, 0])
    _, z = ols(exog, d["z"])
    responses = np.column_stack([d["y"], 2 * d["y"] + d["exog"][:, 1]])
    _, r = ols(exog, responses)
    fit = one_endogenous_2sls(t_, z, list(r.T))
    for j in range(2):
        full = two_stage_least_squares(
            responses[:, j], np.column_stack([d["x"], exog]), np.column_stack([d["z"], exog])
        )
        assert fit.estimates[j] == pytest.approx(full.beta[0], rel=RTOL)
    np.testing.assert_allclose(fit.fitted, z @ fit.pi, rtol=0, atol=0)


@pytest.mark.parametrize("n_endog", [1, 2])
@pytest.mark.parametrize(
    ("cov_type", "lm_cov"),
    [("cluster_entity", "clustered"), ("robust", "robust"), ("unadjusted", "unadjusted")],
)
def test_kleibergen_paap_wald_f_matches_linearmodels(n_endog, cov_type, lm_cov) -> None:
    d = _data(n_endog, 3, seed=23)
    n_instr = d["z"].shape[1]
    kz = n_instr + d["exog"].shape[1]
    _, e_w = ols(d["exog"], d["x"])
    _, zt = ols(d["exog"], d["z"])
    pi, vres = ols(zt, e_w)
    vpi = _cov(zt, vres, d["codes"], cov_type, n_params=kz)
    ours = kp_rk_statistic(pi, vpi, zt, e_w) / n_instr
    config = {"clusters": d["codes"]} if lm_cov == "clustered" else None
    ref = kleibergen_paap_f(d["x"], d["z"], d["exog"], lm_cov, config)
    assert ours == pytest.approx(ref, rel=1e-9)


def test_kleibergen_paap_with_one_endogenous_is_the_first_stage_wald_f() -> None:
    d = _data(1, 3, seed=5)
    z = np.hstack([d["z"], d["exog"]])
    kz = z.shape[1]
    coef, v = ols(z, d["x"][:, 0])
    vc = _cov(z, v, d["codes"], "cluster_entity")
    wald = coef[:3] @ np.linalg.solve(vc[:3, :3], coef[:3]) / 3
    _, e_w = ols(d["exog"], d["x"])
    _, zt = ols(d["exog"], d["z"])
    pi, vres = ols(zt, e_w)
    vpi = _cov(zt, vres, d["codes"], "cluster_entity", n_params=kz)
    assert kp_rk_statistic(pi, vpi, zt, e_w) / 3 == pytest.approx(wald, rel=1e-9)
