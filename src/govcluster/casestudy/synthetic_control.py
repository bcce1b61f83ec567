r"""Synthetic control (Abadie and Gardeazabal 2003; Abadie, Diamond and Hainmueller 2010).

Notes
-----
With predictors :math:`X_1` (treated, :math:`k` values) and :math:`X_0` (:math:`k \times J`
donors), each predictor divided by its standard deviation across the :math:`J + 1` units when
``standardize`` is set (as R ``Synth``), the donor weights solve

.. math:: W^*(V) = \arg\min_{W \ge 0,\ 1'W = 1} (X_1 - X_0 W)' V (X_1 - X_0 W)

for a diagonal :math:`V \ge 0` with :math:`\operatorname{tr} V = 1`. With
``v_method="nested"`` :math:`V` minimises the mean squared prediction error of the outcome
over the fit window, :math:`\frac{1}{T_0}\lVert Z_1 - Z_0 W^*(V) \rVert^2` (ADH 2010,
Section 2.3), searched by Nelder-Mead over a softmax parameterisation from the equal
weights and seeded random starts; ``v_method="equal"`` keeps :math:`V = I/k`. The inner
problem is solved as a non-negative least-squares problem with the adding-up constraint
imposed by a heavily weighted extra row, then renormalised. The gap is
:math:`\hat\alpha_{1t} = Y_{1t} - \sum_j w_j Y_{jt}`, the effect estimate the mean gap over
the post-intervention years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize, nnls

#: Weight of the adding-up row relative to the scale of the predictors.
_ADDING_UP_WEIGHT = 1e5


@dataclass(frozen=True)
class SyntheticControlFit:
    """Result of one synthetic-control fit on arrays.

    Attributes
    ----------
    donor_weights : numpy.ndarray
        ``(J,)`` non-negative, summing to one.
    predictor_weights : numpy.ndarray
        ``(k,)`` diagonal of V, summing to one.
    synthetic : numpy.ndarray
        ``(T,)`` synthetic outcome path.
    gap : numpy.ndarray
        ``(T,)`` treated minus synthetic.
    pre_rmspe, post_rmspe, rmspe_ratio : float
        Root mean squared gap over the fit window and the post years, and their ratio.
    att : float
        Mean gap over the post years.
    fit_mspe : float
        Objective of the V search at the optimum (fit-window outcome MSPE).
    converged : bool
        Whether the V search reported convergence (always True for ``equal``).
    """

    donor_weights: np.ndarray
    predictor_weights: np.ndarray
    synthetic: np.ndarray
    gap: np.ndarray
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    att: float
    fit_mspe: float
    converged: bool


def simplex_weights(target: np.ndarray, donors: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Donor weights on the simplex minimising the V-weighted distance to ``target``.

    Parameters
    ----------
    target : numpy.ndarray
        ``(k,)`` predictors of the treated unit.
    donors : numpy.ndarray
        ``(k, J)`` predictors of the donors.
    v : numpy.ndarray
        ``(k,)`` non-negative predictor weights.

    Returns
    -------
    numpy.ndarray
        ``(J,)`` weights, non-negative and summing to one.
    """
    root = np.sqrt(np.maximum(v, 0.0))
    a = root[:, None] * donors
    b = root * target
    scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)), 1.0)
    big = _ADDING_UP_WEIGHT * scale
    a_full = np.vstack([a, np.full((1, donors.shape[1]), big)])
    b_full = np.append(b, big)
    w, _ = nnls(a_full, b_full, maxiter=50 * donors.shape[1] + 100)
    total = w.sum()
    if total <= 0:
        return np.full(donors.shape[1], 1.0 / donors.shape[1])
    return w / total


def _softmax(theta: np.ndarray) -> np.ndarray:
    e = np.exp(theta - theta.max())
    return e / e.sum()


def fit_synthetic_control(
    outcome: np.ndarray,
    predictors: np.ndarray,
    *,
    n_fit: int,
    v_method: str = "nested",
    standardize: bool = True,
    n_starts: int = 1,
    seed: int = 0,
    max_evaluations: int | None = None,
) -> SyntheticControlFit:
    """Fit a synthetic control for the unit in column 0.

    Parameters
    ----------
    outcome : numpy.ndarray
        ``(T, 1 + J)`` outcome paths, treated unit in column 0, fit-window years first.
    predictors : numpy.ndarray
        ``(k, 1 + J)`` predictors, treated unit in column 0.
    n_fit : int
        Number of fit-window (pre-intervention) rows of ``outcome``.
    v_method : {"nested", "equal"}
        How V is chosen (see the module notes).
    standardize : bool
        Divide each predictor by its standard deviation across units.
    n_starts : int
        Starts of the V search: the equal weights and ``n_starts - 1`` seeded random ones.
    seed : int
        Seed of the random starts.
    max_evaluations : int, optional
        Budget of objective evaluations per start (default ``max(200, 25 * k)``); a search
        that exhausts it is reported with ``converged=False``.

    Returns
    -------
    SyntheticControlFit
    """
    x = np.asarray(predictors, dtype=float)
    if standardize:
        sd = x.std(axis=1, ddof=1)
        sd[~np.isfinite(sd) | (sd <= 0)] = 1.0
        x = x / sd[:, None]
    x1, x0 = x[:, 0], x[:, 1:]
    z1, z0 = outcome[:n_fit, 0], outcome[:n_fit, 1:]
    k = x.shape[0]

    def mspe_of(v: np.ndarray) -> tuple[float, np.ndarray]:
        w = simplex_weights(x1, x0, v)
        resid = z1 - z0 @ w
        return float(resid @ resid) / n_fit, w

    equal = np.full(k, 1.0 / k)
    converged = True
    if v_method == "equal" or k == 1:
        v = equal
        best, w = mspe_of(v)
    else:
        rng = np.random.default_rng(seed)
        starts = [np.zeros(k)] + [rng.normal(scale=1.0, size=k) for _ in range(n_starts - 1)]
        budget = max_evaluations or max(200, 25 * k)
        best, v, w = np.inf, equal, None
        converged = False
        best_start = mspe_of(equal)[0]
        for start in starts:
            res = minimize(
                lambda th: mspe_of(_softmax(th))[0],
                start,
                method="Nelder-Mead",
                options={
                    "maxfev": budget,
                    "xatol": 1e-4,
                    "fatol": 1e-8 * max(best_start, 1e-12),
                    "adaptive": True,
                },
            )
            if res.fun < best:
                best, v = float(res.fun), _softmax(res.x)
                converged = bool(res.success)
        best, w = mspe_of(v)
        # The equal weights are a start; never return something worse.
        eq_mspe, eq_w = mspe_of(equal)
        if eq_mspe < best:
            best, v, w = eq_mspe, equal, eq_w
    synthetic = outcome[:, 1:] @ w
    gap = outcome[:, 0] - synthetic
    pre = float(np.sqrt(np.mean(gap[:n_fit] ** 2)))
    post = float(np.sqrt(np.mean(gap[n_fit:] ** 2)))
    ratio = post / pre if pre > 0 else np.inf
    return SyntheticControlFit(
        donor_weights=w,
        predictor_weights=v,
        synthetic=synthetic,
        gap=gap,
        pre_rmspe=pre,
        post_rmspe=post,
        rmspe_ratio=float(ratio),
        att=float(gap[n_fit:].mean()),
        fit_mspe=float(best),
        converged=converged,
    )
