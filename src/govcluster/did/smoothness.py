"""Rambachan-Roth smoothness restrictions (``Delta^SD(M)``): optimal fixed-length CIs.

The event-study coefficients ``beta = (beta_pre, beta_post)`` (every one relative to the
reference period ``r = -1 - anticipation``, so a universal base period) estimate ``tau + delta``
with ``tau_pre = 0``; ``Delta^SD(M)`` bounds the second differences of the violation path
``delta`` (with ``delta_r = 0``) by ``M`` in absolute value (Rambachan and Roth 2023, eq. 8).
The target is ``theta = l' tau_post`` (default: the average of the post-period effects).

Fixed-length confidence interval (Section 4.1; Armstrong and Kolesar 2018): for an affine
estimator ``v' beta`` with ``v = (v_pre, l)``, the bias ``v_pre' delta_pre + l' delta_post`` is
bounded on ``Delta^SD(M)`` only if it vanishes on linear trends (``sum_t v_t (t - r) = 0``); its
worst case is then ``M B(v)``, ``B(v)`` the value of a linear programme over ``Delta^SD(1)``,
and ``v' beta +- cv_alpha(M B(v) / sd(v)) sd(v)`` covers ``theta`` with probability at least
``1 - alpha`` whatever ``delta`` in ``Delta^SD(M)`` (``cv_alpha(b)``: the ``1 - alpha`` quantile
of ``|N(b, 1)|``). The half-length is minimised over ``v_pre`` (Nelder-Mead on the null space of
the trend constraint, started from the generalised-least-squares extrapolation, which is the
optimum at ``M = 0``). Any ``v`` gives a valid interval, so an imperfect minimisation can only
lengthen it. The estimated identified set (``delta_pre = beta_pre``) is the range of ``l'(beta_post
- delta_post)`` over the ``delta`` in ``Delta^SD(M)``; it is empty (None) when the observed
pre-trend bends by more than ``M``.

Own code (numpy and scipy ``linprog`` / ``minimize``): ``diff_diff.HonestDiD(method=
"smoothness")`` gives the same intervals where it returns them (checked in
tests/did/test_honest_smoothness.py) but returns NaN beyond small ``M`` on the default event
studies and takes seconds per value of ``M``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize, special


@dataclass(frozen=True)
class SmoothnessInterval:
    """The robust confidence interval and identified set at one ``M``."""

    M: float
    ci_lower: float
    ci_upper: float
    lower: float | None
    upper: float | None


def folded_normal_quantile(bias: float, alpha: float) -> float:
    """``cv_alpha(b)``: the ``1 - alpha`` quantile of ``|N(b, 1)|``."""
    bias = abs(float(bias))

    def coverage(c: float) -> float:
        return special.ndtr(c - bias) - special.ndtr(-c - bias) - (1.0 - alpha)

    return float(optimize.brentq(coverage, 0.0, bias + 10.0, xtol=1e-11))


class SmoothnessProblem:
    """The event study and the linear programmes of ``Delta^SD`` for one target.

    Parameters
    ----------
    beta : array
        Coefficients of the event times ``times`` (the reference period left out).
    sigma : array
        Their covariance.
    times : sequence of int
        Event times of ``beta``; together with ``reference`` they must be consecutive
        integers, with at least one pre-period besides the reference.
    reference : int
    weights : array, optional
        ``l`` over the post-period coefficients (``time > reference``); default equal weights.
    """

    def __init__(self, beta, sigma, times, reference: int, weights=None) -> None:
        times = [int(t) for t in times]
        order = np.argsort(times)
        self.times = [times[k] for k in order]
        self.beta = np.asarray(beta, dtype=float)[order]
        self.sigma = np.asarray(sigma, dtype=float)[np.ix_(order, order)]
        self.reference = int(reference)
        path = sorted([*self.times, self.reference])
        if path != list(range(path[0], path[-1] + 1)) or len(set(path)) != len(path):
            raise ValueError(
                f"smoothness restrictions need consecutive event times around the reference "
                f"{self.reference}; got {self.times}"
            )
        self.pre = np.array([t < self.reference for t in self.times])
        if self.pre.sum() < 1 or (~self.pre).sum() < 1:
            raise ValueError("smoothness restrictions need a pre-period and a post-period")
        n_post = int((~self.pre).sum())
        self.weights = (
            np.full(n_post, 1.0 / n_post) if weights is None else np.asarray(weights, float)
        )
        self.path = path
        distance = np.array(self.times, dtype=float) - self.reference
        self.trend_pre, self.trend_post = distance[self.pre], distance[~self.pre]
        # second-difference rows over the whole path (delta_reference = 0 is dropped)
        column = {t: k for k, t in enumerate(self.times)}
        rows = []
        for k in range(1, len(path) - 1):
            row = np.zeros(len(self.times))
            for t, coefficient in ((path[k - 1], 1.0), (path[k], -2.0), (path[k + 1], 1.0)):
                if t in column:
                    row[column[t]] += coefficient
            rows.append(row)
        self.second_differences = np.array(rows)
        self.paths = self._paths_from_second_differences()

    def _paths_from_second_differences(self) -> np.ndarray:
        """``T``: violation at each of ``times`` per unit second difference (pinned path)."""
        path, reference = self.path, self.reference
        centres = path[1:-1]
        out = np.zeros((len(self.times), len(centres)))
        for j, centre in enumerate(centres):
            delta = {reference: 0.0, reference - 1: 0.0}
            for t in path:  # forward: delta_{t+1} = 2 delta_t - delta_{t-1} + d_t
                if t > reference:
                    delta[t] = 2 * delta[t - 1] - delta[t - 2] + (t - 1 == centre)
            for t in reversed(path):  # backward: delta_{t-1} = 2 delta_t - delta_{t+1} + d_t
                if t < reference - 1:
                    delta[t] = 2 * delta[t + 1] - delta[t + 2] + (t + 1 == centre)
            out[:, j] = [delta[t] for t in self.times]
        return out

    # --- fixed-length confidence interval -------------------------------------------------
    def _full(self, v_pre: np.ndarray) -> np.ndarray:
        v = np.zeros(len(self.times))
        v[self.pre], v[~self.pre] = v_pre, self.weights
        return v

    def worst_bias(self, v_pre: np.ndarray) -> float:
        """``B(v)``: the largest bias of ``v' beta`` over ``Delta^SD(1)``.

        With ``delta_r = delta_{r-1} = 0`` (the second pin removes the linear-trend direction,
        on which the bias vanishes), ``delta = T d`` maps the second differences ``d`` one to
        one onto the violation paths, so the maximum over ``|d| <= 1`` is ``||T' v||_1``.
        """
        return float(np.abs(self.paths.T @ self._full(v_pre)).sum())

    def _least_squares_start(self) -> np.ndarray:
        """The ``v_pre`` of smallest variance whose bias vanishes on linear trends (M = 0)."""
        s_pp = self.sigma[np.ix_(self.pre, self.pre)]
        s_pq = self.sigma[np.ix_(self.pre, ~self.pre)]
        a, target = self.trend_pre, -float(self.weights @ self.trend_post)
        inverse_a = linalg.solve(s_pp, a, assume_a="pos")
        inverse_b = linalg.solve(s_pp, s_pq @ self.weights, assume_a="pos")
        multiplier = (target + a @ inverse_b) / (a @ inverse_a)
        return multiplier * inverse_a - inverse_b

    def interval(self, m: float, alpha: float) -> tuple[float, float, np.ndarray]:
        """The optimal fixed-length confidence interval at ``M = m``; also its ``v_pre``."""
        start = self._least_squares_start()
        null_space = linalg.null_space(self.trend_pre[None, :])

        def half_length(z: np.ndarray) -> float:
            v_pre = start + null_space @ z
            v = self._full(v_pre)
            sd = float(np.sqrt(v @ self.sigma @ v))
            bias = m * self.worst_bias(v_pre) if m > 0 else 0.0
            return folded_normal_quantile(bias / sd, alpha) * sd

        best_z = np.zeros(null_space.shape[1])
        if m > 0 and null_space.shape[1] > 0:
            scale = max(1.0, float(np.abs(start).max()))
            result = optimize.minimize(
                half_length,
                best_z,
                method="Nelder-Mead",
                options={
                    "xatol": 1e-8,
                    "fatol": 1e-11,
                    "maxiter": 2000,
                    "initial_simplex": np.vstack([best_z, np.eye(len(best_z)) * 0.5 * scale]),
                },
            )
            if result.fun < half_length(best_z):
                best_z = result.x
        v_pre = start + null_space @ best_z
        center = float(self._full(v_pre) @ self.beta)
        half = half_length(best_z)
        return center - half, center + half, v_pre

    # --- estimated identified set ---------------------------------------------------------
    def identified_set(self, m: float) -> tuple[float, float] | None:
        """Range of ``l'(beta_post - delta_post)`` with ``delta_pre = beta_pre``; None if empty."""
        n = len(self.times)
        objective = self._full(np.zeros(int(self.pre.sum())))
        a_ub = np.vstack([self.second_differences, -self.second_differences])
        b_ub = np.full(a_ub.shape[0], float(m))
        bounds = [(self.beta[k], self.beta[k]) if self.pre[k] else (None, None) for k in range(n)]
        extremes = []
        for sign in (1.0, -1.0):
            solution = optimize.linprog(
                sign * objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs"
            )
            if solution.status != 0:
                return None
            extremes.append(sign * float(solution.fun))
        post = float(self.weights @ self.beta[~self.pre])
        low_delta, high_delta = extremes[0], extremes[1]
        return post - high_delta, post - low_delta


def smoothness_intervals(
    problem: SmoothnessProblem, m_grid, *, alpha: float
) -> list[SmoothnessInterval]:
    """Robust interval and identified set at every ``M`` of ``m_grid``."""
    out = []
    for m in m_grid:
        low, high, _ = problem.interval(float(m), alpha)
        identified = problem.identified_set(float(m))
        out.append(
            SmoothnessInterval(
                M=float(m),
                ci_lower=low,
                ci_upper=high,
                lower=None if identified is None else identified[0],
                upper=None if identified is None else identified[1],
            )
        )
    return out


def smoothness_breakdown(
    problem: SmoothnessProblem, *, alpha: float, tolerance: float = 1e-4
) -> float | None:
    """Smallest ``M`` at which the robust interval includes zero.

    0.0 when it does at ``M = 0`` already; None when it does not up to ``M`` of 2^40 times the
    largest standard error of the event study.
    """

    def includes_zero(m: float) -> bool:
        low, high, _ = problem.interval(m, alpha)
        return low <= 0.0 <= high

    if includes_zero(0.0):
        return 0.0
    high = max(1e-3, float(np.sqrt(np.diag(problem.sigma)).max()))
    for _ in range(40):
        if includes_zero(high):
            break
        high *= 2.0
    else:
        return None
    low = 0.0
    while high - low > tolerance * max(1.0, high):
        middle = 0.5 * (low + high)
        low, high = (low, middle) if includes_zero(middle) else (middle, high)
    return high
