"""Inference formulas, the Wen-Ye decision tree and the IKY sensitivity analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from govcluster.core.absorb import demean
from govcluster.mediation import inference as inf
from govcluster.mediation import panel_mediation
from govcluster.mediation.causal import acme_at_rho
from govcluster.mediation.stepwise import wen_ye_stepwise


def test_sobel_and_aroian_formulas() -> None:
    s = inf.sobel_test(0.5, 0.1, 0.4, 0.2, ci_level=0.95)
    assert s.se == pytest.approx(np.sqrt(0.5**2 * 0.2**2 + 0.4**2 * 0.1**2))
    assert s.z == pytest.approx(0.2 / s.se)
    assert s.pvalue == pytest.approx(2 * stats.norm.sf(s.z))
    a = inf.aroian_test(0.5, 0.1, 0.4, 0.2, ci_level=0.95)
    assert a.se == pytest.approx(np.sqrt(s.se**2 + 0.1**2 * 0.2**2))
    assert inf.joint_significance(0.01, 0.2, alpha=0.05) == (0.2, False)
    assert inf.joint_significance(0.01, 0.02, alpha=0.05) == (0.02, True)


def test_bca_reduces_to_percentile_when_unbiased_and_unaccelerated() -> None:
    rng = np.random.default_rng(0)
    draws = rng.standard_normal((4001, 1))
    est = np.array([np.median(draws)])
    lo, hi, z0 = inf.bca_interval(draws, est, np.zeros(1), ci_level=0.9)
    plo, phi = inf.percentile_interval(draws, ci_level=0.9)
    assert z0[0] == pytest.approx(0.0, abs=1e-3)
    assert lo[0] == pytest.approx(plo[0], abs=1e-3)
    assert hi[0] == pytest.approx(phi[0], abs=1e-3)


def test_bootstrap_pvalues_invert_the_intervals() -> None:
    rng = np.random.default_rng(1)
    draws = np.column_stack([rng.normal(mu, 1.0, 5000) for mu in (0.3, 1.0, 2.2, -2.5)])
    est = draws.mean(axis=0) + 0.1
    accel = np.array([0.05, -0.03, 0.1, 0.02])
    for level in (0.8, 0.9, 0.95):
        lo, hi, z0 = inf.bca_interval(draws, est, accel, ci_level=level)
        p = inf.bca_pvalue(draws, z0, accel)
        excluded = (lo > 0) | (hi < 0)
        assert np.array_equal(excluded, p < 1 - level), level
        plo, phi = inf.percentile_interval(draws, ci_level=level)
        pp = inf.percentile_pvalue(draws)
        assert np.array_equal((plo > 0) | (phi < 0), pp < 1 - level), level
    # the smallest reportable p-value is 1/B
    assert inf.percentile_pvalue(np.full((100, 1), 3.0))[0] == pytest.approx(0.01)


def test_jackknife_acceleration_formula() -> None:
    jk = np.array([[1.0], [2.0], [4.0], [8.0]])
    dev = jk.mean() - jk[:, 0]
    expected = (dev**3).sum() / (6 * (dev**2).sum() ** 1.5)
    assert inf.acceleration(jk)[0] == pytest.approx(expected)


def test_demean_unbalanced() -> None:
    codes = np.array([0, 0, 0, 1, 1, 2])
    x = np.array([[1.0], [2.0], [6.0], [5.0], [7.0], [4.0]])
    out = demean(x, codes, 3)
    assert out[:, 0].tolist() == [-2.0, -1.0, 3.0, -1.0, 1.0, 0.0]


CASES = [
    # (p_c, a, p_a, b, p_b, ci, c_prime, p_cp, verdict, evidence, basis)
    (
        0.01,
        0.5,
        0.001,
        0.4,
        0.001,
        (0.1, 0.3),
        0.05,
        0.40,
        "full_mediation",
        "joint_significance",
        "mediation",
    ),
    (
        0.01,
        0.5,
        0.001,
        0.4,
        0.001,
        (0.1, 0.3),
        0.30,
        0.01,
        "partial_mediation",
        "joint_significance",
        "mediation",
    ),
    (
        0.30,
        0.5,
        0.001,
        -0.4,
        0.001,
        (-0.3, -0.1),
        0.30,
        0.01,
        "suppression",
        "joint_significance",
        "suppression",
    ),
    (
        0.01,
        0.5,
        0.001,
        0.4,
        0.200,
        (0.02, 0.4),
        0.30,
        0.01,
        "partial_mediation",
        "bootstrap",
        "mediation",
    ),
    (0.01, 0.5, 0.300, 0.4, 0.001, (-0.05, 0.4), 0.30, 0.01, "no_mediation", "none", "mediation"),
    (0.01, 0.0, 0.900, 0.4, 0.001, (-0.05, 0.05), 0.30, 0.01, "no_mediation", "none", "mediation"),
]


@pytest.mark.parametrize("case", CASES)
def test_wen_ye_decision_tree(case) -> None:
    p_c, a, p_a, b, p_b, ci, cp, p_cp, verdict, evidence, basis = case
    c = cp + a * b
    d = wen_ye_stepwise(
        mediator="M",
        model="single",
        c=c,
        p_c=p_c,
        a=a,
        p_a=p_a,
        b=b,
        p_b=p_b,
        ci_lower=ci[0],
        ci_upper=ci[1],
        c_prime=cp,
        p_c_prime=p_cp,
        alpha=0.05,
    )
    assert (d.verdict, d.evidence, d.basis) == (verdict, evidence, basis)
    assert d.bootstrap_used == (evidence != "joint_significance")
    if verdict == "suppression":
        assert d.effect_ratio == pytest.approx(abs(a * b / cp))
        assert d.verdict_zh == "遮掩效应"
    elif verdict in ("full_mediation", "partial_mediation"):
        assert d.effect_ratio == pytest.approx(a * b / c)
    else:
        assert d.effect_ratio is None


def test_acme_curve_closed_form_properties() -> None:
    beta2, ratio, rho_t = 0.7, 1.3, 0.25
    assert acme_at_rho(beta2, ratio, rho_t, 0.0) == pytest.approx(beta2 * ratio * rho_t)
    assert acme_at_rho(beta2, ratio, rho_t, rho_t) == pytest.approx(0.0, abs=1e-15)
    grid = np.linspace(-0.9, 0.9, 19)
    assert np.all(np.diff(acme_at_rho(beta2, ratio, rho_t, grid)) < 0)


def _confounded_panel(seed: int, rho: float, n: int = 4000) -> pd.DataFrame:
    """T randomised; M and Y errors correlated (rho): sequential ignorability fails."""
    rng = np.random.default_rng(seed)
    t = rng.standard_normal(n)
    e2, e3 = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n).T
    m = 0.6 * t + e2
    y = 0.3 * t + 0.5 * m + e3
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n // 4), 4),
            "period": np.tile(range(4), n // 4),
            "T": t,
            "M": m,
            "Y": y,
        }
    )


def test_sensitivity_recovers_the_true_acme_at_the_true_rho() -> None:
    """With corr(e2, e3) = 0.4 the naive ACME is biased; ACME(0.4) recovers 0.6 * 0.5."""
    df = _confounded_panel(3, 0.4)
    res = panel_mediation(
        df,
        treatment="T",
        mediators=["M"],
        outcome="Y",
        entity="unit",
        time="period",
        effects="none",
        n_boot=200,
        seed=1,
    )
    cause = res.causal[0]
    assert cause.acme > 0.5  # 0.6 * (0.5 + 0.4) roughly: confounded
    rho = np.asarray(cause.curve.rho)
    acme = np.asarray(cause.curve.acme)
    at_true = acme[np.argmin(np.abs(rho - 0.4))]
    assert at_true == pytest.approx(0.30, abs=0.05)
    assert cause.r2_product_residual == pytest.approx(cause.rho_at_zero**2)
    assert 0 < cause.r2_product_total < cause.r2_product_residual
    lo, hi = np.asarray(cause.curve.ci_lower), np.asarray(cause.curve.ci_upper)
    assert np.all(lo <= acme + 1e-12) and np.all(acme <= hi + 1e-12)
    assert cause.rho_at_zero_ci[0] < cause.rho_at_zero < cause.rho_at_zero_ci[1]
