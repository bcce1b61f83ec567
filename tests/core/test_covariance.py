"""Small-sample factors and sandwich covariances against Stata's formula and linearmodels.

Stata's cluster-robust factor (``[R] regress``, Methods and formulas, vce(cluster)):
q = G/(G-1) * (N-1)/(N-K); the robust factor N/(N-K). linearmodels' ``IV2SLS`` with
``debiased=True`` applies the same factors (clustered: n/(n-k) * G/(G-1) * (n-1)/n), so an OLS
fitted there is an independent implementation of :func:`sandwich`. Tolerance 1e-10 relative.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from linearmodels.iv import IV2SLS

from govcluster.core.covariance import bandwidth, cluster_factor, sandwich


@pytest.mark.parametrize(("g", "n", "k"), [(50, 500, 4), (2, 10, 3), (120, 1200, 17)])
def test_cluster_factor_is_statas_formula(g: int, n: int, k: int) -> None:
    exact = Fraction(g, g - 1) * Fraction(n - 1, n - k)
    assert cluster_factor(g, n, k) == pytest.approx(float(exact), rel=1e-15)


def test_cluster_factor_takes_one_k_per_equation() -> None:
    out = cluster_factor(30, 300, np.array([2, 5]))
    np.testing.assert_allclose(out, [30 / 29 * 299 / 298, 30 / 29 * 299 / 295], rtol=1e-15)


def test_bandwidth_rule_of_thumb() -> None:
    assert bandwidth(100, None) == 4
    assert bandwidth(20, None) == 2  # floor(4 * 0.2^(2/9)) = floor(2.8)
    assert bandwidth(20, 5) == 5


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(7)
    n, g = 400, 40
    codes = np.repeat(np.arange(g), n // g)
    times = np.tile(np.arange(n // g), g)
    x = np.column_stack([np.ones(n), rng.normal(size=(n, 2)) + rng.normal(size=(g, 1))[codes]])
    u = rng.normal(size=n) * (1 + np.abs(x[:, 1])) + rng.normal(size=g)[codes]
    y = x @ np.array([1.0, 0.5, -0.3]) + u
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    return x, y, y - x @ beta, codes, times


@pytest.mark.parametrize(
    ("cov_type", "lm_kwargs"),
    [
        ("cluster_entity", {"cov_type": "clustered"}),
        ("robust", {"cov_type": "robust"}),
        ("unadjusted", {"cov_type": "unadjusted"}),
    ],
)
def test_sandwich_matches_linearmodels(regression, cov_type, lm_kwargs) -> None:
    x, y, resid, codes, times = regression
    ours = sandwich(
        x,
        resid,
        cov_type=cov_type,
        small_sample=True,
        entity_codes=codes,
        time_codes=times,
        n_absorbed=0,
    )
    if cov_type == "cluster_entity":
        lm_kwargs = {**lm_kwargs, "clusters": pd.Series(codes)}
    ref = IV2SLS(y, x, None, None).fit(debiased=True, **lm_kwargs)
    np.testing.assert_allclose(ours, ref.cov.to_numpy(), rtol=1e-10)
