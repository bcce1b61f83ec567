r"""Tests and intervals for indirect effects.

Notes
-----
Sobel (first-order delta method, a and b independent):

.. math:: \operatorname{se}_{S}(ab) = \sqrt{a^2 s_b^2 + b^2 s_a^2}, \qquad
    z = ab/\operatorname{se}.

Aroian (second-order term added):

.. math:: \operatorname{se}_{A}(ab) = \sqrt{a^2 s_b^2 + b^2 s_a^2 + s_a^2 s_b^2}.

Delta method with the joint covariance :math:`\Sigma` of the path coefficients, for any smooth
function :math:`f(\theta)` (total indirect effect, contrasts):
:math:`\operatorname{se} = \sqrt{\nabla f' \Sigma \nabla f}`.

Joint significance (MacKinnon et al. 2002): the indirect effect is declared significant at level
:math:`\alpha` when both :math:`a` and :math:`b` are; its p-value is :math:`\max(p_a, p_b)`.

Monte Carlo interval (Preacher & Selig 2012): draw :math:`\theta^{(r)} \sim
N(\hat\theta, \hat\Sigma)` and take the percentiles of :math:`f(\theta^{(r)})`.

Percentile bootstrap interval: the :math:`\alpha/2` and :math:`1-\alpha/2` quantiles (linear
interpolation) of the valid bootstrap draws.

BCa interval (Efron 1987): with :math:`\hat z_0 = \Phi^{-1}(\hat F(\hat\theta))`, the
share of draws below the estimate (ties count one half), and the acceleration from the
entity jackknife values :math:`\hat\theta_{(-i)}` with mean :math:`\bar\theta`,

.. math::

    \hat a = \frac{\sum_i (\bar\theta - \hat\theta_{(-i)})^3}
                   {6\,[\sum_i (\bar\theta - \hat\theta_{(-i)})^2]^{3/2}}, \qquad
    \alpha_1 = \Phi\Big(\hat z_0 + \frac{\hat z_0 + z_{\alpha/2}}
                   {1 - \hat a(\hat z_0 + z_{\alpha/2})}\Big),

and :math:`\alpha_2` likewise with :math:`z_{1-\alpha/2}`; the interval is the
:math:`(\alpha_1, \alpha_2)` quantiles of the draws. When every draw is on one side of the
estimate :math:`\hat z_0` is infinite and the BCa interval is NaN.

Bootstrap p-values invert the interval: with :math:`q_0` the share of draws below 0 (ties one
half) kept in :math:`[1/(2B), 1 - 1/(2B)]`, the percentile p-value is
:math:`2\min(q_0, 1-q_0)` (so the smallest reportable p-value is :math:`1/B`); the BCa
p-value is the :math:`\alpha` at which a BCa bound equals 0:
:math:`d = \Phi^{-1}(q_0) - \hat z_0`, :math:`z^* = d/(1 + \hat a d) - \hat z_0`,
:math:`p = 2\min(\Phi(z^*), 1 - \Phi(z^*))`. Either interval at level :math:`1-\alpha`
excludes 0 exactly when its p-value is below :math:`\alpha` (up to the quantile interpolation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class ProductTest:
    """A normal-theory test of an indirect effect."""

    estimate: float
    se: float
    z: float
    pvalue: float
    ci_lower: float
    ci_upper: float


def _normal_test(estimate: float, se: float, ci_level: float) -> ProductTest:
    z = estimate / se if se > 0 else np.nan
    p = float(2.0 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan
    crit = stats.norm.ppf(0.5 + ci_level / 2.0)
    return ProductTest(estimate, se, z, p, estimate - crit * se, estimate + crit * se)


def sobel_test(a: float, se_a: float, b: float, se_b: float, *, ci_level: float) -> ProductTest:
    """Sobel (1982) first-order delta test of :math:`ab`."""
    se = float(np.sqrt(a**2 * se_b**2 + b**2 * se_a**2))
    return _normal_test(a * b, se, ci_level)


def aroian_test(a: float, se_a: float, b: float, se_b: float, *, ci_level: float) -> ProductTest:
    """Aroian (1947) second-order test of :math:`ab`."""
    se = float(np.sqrt(a**2 * se_b**2 + b**2 * se_a**2 + se_a**2 * se_b**2))
    return _normal_test(a * b, se, ci_level)


def delta_test(
    estimate: float, gradient: np.ndarray, cov: np.ndarray, *, ci_level: float
) -> ProductTest:
    r"""Multivariate delta-method test, :math:`\operatorname{se}^2 = g'\Sigma g`."""
    var = float(gradient @ cov @ gradient)
    return _normal_test(estimate, float(np.sqrt(max(var, 0.0))), ci_level)


def joint_significance(p_a: float, p_b: float, *, alpha: float) -> tuple[float, bool]:
    r"""Joint-significance test: p-value :math:`\max(p_a, p_b)` and the decision."""
    p = float(max(p_a, p_b))
    return p, bool(p < alpha)


def monte_carlo_draws(
    mean: np.ndarray,
    cov: np.ndarray,
    func: Callable[[np.ndarray], np.ndarray],
    *,
    n_draws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    r"""Draws of ``func(theta)`` with :math:`\theta \sim N(\text{mean}, \text{cov})`.

    ``func`` maps an ``(n_draws, d)`` array to ``(n_draws, m)``. The square root of ``cov``
    is the symmetric one from its eigen-decomposition (negative rounding errors set to 0).
    """
    lam, vec = np.linalg.eigh(cov)
    root = vec * np.sqrt(np.clip(lam, 0.0, None))
    theta = mean[None, :] + rng.standard_normal((n_draws, mean.size)) @ root.T
    return func(theta)


def percentile_interval(draws: np.ndarray, *, ci_level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each column of ``draws`` (NaN rows ignored)."""
    alpha = 1.0 - ci_level
    lo = np.nanquantile(draws, alpha / 2.0, axis=0)
    hi = np.nanquantile(draws, 1.0 - alpha / 2.0, axis=0)
    return lo, hi


def _share_below(draws: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    valid = np.isfinite(draws)
    n = valid.sum(axis=0)
    below = (np.where(valid, draws < value, False)).sum(axis=0)
    ties = (np.where(valid, draws == value, False)).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (below + 0.5 * ties) / n, n


def bias_correction(draws: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    r""":math:`\hat z_0 = \Phi^{-1}(\hat F(\hat\theta))`, per column (inf if one-sided)."""
    share, _ = _share_below(draws, estimate[None, :])
    return stats.norm.ppf(share)


def acceleration(jackknife: np.ndarray) -> np.ndarray:
    r"""Jackknife acceleration :math:`\hat a`, per column (degenerate rows ignored)."""
    centre = np.nanmean(jackknife, axis=0)
    dev = centre[None, :] - jackknife
    num = np.nansum(dev**3, axis=0)
    den = 6.0 * np.nansum(dev**2, axis=0) ** 1.5
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0.0)


def bca_interval(
    draws: np.ndarray, estimate: np.ndarray, accel: np.ndarray, *, ci_level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BCa interval of each column.

    Returns
    -------
    lower, upper, z0 : arrays
    """
    alpha = 1.0 - ci_level
    z0 = bias_correction(draws, estimate)
    lo = np.full(estimate.shape, np.nan)
    hi = np.full(estimate.shape, np.nan)
    for j in range(estimate.size):
        col = draws[:, j]
        col = col[np.isfinite(col)]
        if col.size == 0 or not np.isfinite(z0[j]):
            continue
        levels = []
        for z_alpha in (stats.norm.ppf(alpha / 2.0), stats.norm.ppf(1.0 - alpha / 2.0)):
            w = z0[j] + z_alpha
            levels.append(stats.norm.cdf(z0[j] + w / (1.0 - accel[j] * w)))
        lo[j], hi[j] = np.quantile(col, levels)
    return lo, hi, z0


def _q0(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    share, n = _share_below(draws, np.zeros((1, draws.shape[1])))
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = 0.5 / n
    return np.clip(share, floor, 1.0 - floor), n


def percentile_pvalue(draws: np.ndarray) -> np.ndarray:
    r"""Two-sided percentile-bootstrap p-value of :math:`H_0: \theta = 0`, per column."""
    q0, _ = _q0(draws)
    return 2.0 * np.minimum(q0, 1.0 - q0)


def bca_pvalue(draws: np.ndarray, z0: np.ndarray, accel: np.ndarray) -> np.ndarray:
    r"""Two-sided BCa-bootstrap p-value of :math:`H_0: \theta = 0`, per column."""
    q0, _ = _q0(draws)
    d = stats.norm.ppf(q0) - z0
    with np.errstate(divide="ignore", invalid="ignore"):
        z_star = d / (1.0 + accel * d) - z0
    tail = stats.norm.cdf(z_star)
    return 2.0 * np.minimum(tail, 1.0 - tail)
