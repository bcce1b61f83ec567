r"""Covariance conventions: cluster sums, small-sample factors and the sandwich.

The conventions are Stata's, so that standard errors can be compared with
``xtreg``/``reghdfe``/``ivreghdfe`` (the panel module documents them per covariance type,
:mod:`govcluster.panel.covariance`). The cluster-robust factor is

.. math:: q = \frac{G}{G-1}\,\frac{N-1}{N-K},

with :math:`G` clusters, :math:`N` observations and :math:`K` the estimated coefficients,
the intercept included and fixed effects nested in the clusters excluded (Stata manual
``[R] regress``, "Methods and formulas", *vce(cluster clustvar)*; Cameron and Miller 2015,
sec. VI.B). The Driscoll-Kraay bandwidth rule is :math:`\lfloor 4 (T/100)^{2/9}\rfloor`
(Newey and West 1994).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govcluster.core.absorb import group_sums


def cluster_factor(n_clusters: int, n_obs: int, n_params: int | np.ndarray) -> float | np.ndarray:
    r"""Stata's small-sample factor of a cluster-robust covariance.

    Parameters
    ----------
    n_clusters : int
        ``G``.
    n_obs : int
        ``N``.
    n_params : int or numpy.ndarray of int
        ``K`` (an array gives one factor per equation).

    Returns
    -------
    float or numpy.ndarray
        :math:`\frac{G}{G-1}\frac{N-1}{N-K}`.
    """
    g, n = n_clusters, n_obs
    return g / (g - 1) * (n - 1) / (n - n_params)


def bandwidth(n_periods: int, requested: int | None) -> int:
    """Driscoll-Kraay bandwidth: ``requested`` or floor(4 (T/100)^(2/9)) (Newey-West 1994).

    Parameters
    ----------
    n_periods : int
        ``T``, the number of distinct periods.
    requested : int or None
        A bandwidth given by the user, or None for the rule of thumb.

    Returns
    -------
    int
    """
    if requested is not None:
        return int(requested)
    return int(np.floor(4 * (n_periods / 100) ** (2 / 9)))


def _cluster_meat(scores: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Outer product of the cluster sums of the scores, and the number of clusters."""
    sums = group_sums(scores, codes)
    return sums.T @ sums, len(np.unique(codes))


def sandwich(
    xhat: np.ndarray,
    resid: np.ndarray,
    *,
    cov_type: str,
    small_sample: bool,
    entity_codes: np.ndarray,
    time_codes: np.ndarray,
    n_absorbed: int,
    dk_bandwidth: int | None = None,
    n_params: int | None = None,
) -> np.ndarray:
    """Covariance of least-squares (or 2SLS, with ``xhat = P_Z X``) coefficients.

    Parameters
    ----------
    xhat : ndarray, shape (n, k)
        Regressors (projected regressors for 2SLS).
    resid : ndarray, shape (n,) or (n, m)
        Residuals; with ``m`` columns the covariance of the stacked coefficients of ``m``
        equations on the same regressors is returned (ordered equation by equation).
    cov_type : {"cluster_entity", "cluster_twoway", "driscoll_kraay", "robust", "unadjusted"}
        See :mod:`govcluster.panel.covariance`.
    small_sample : bool
        Apply the Stata small-sample factors.
    entity_codes, time_codes : ndarray of int
        Codes 0..G-1 of the entity and year of each row.
    n_absorbed : int
        Effects removed before the regression (counted only for ``robust``/``unadjusted``).
    dk_bandwidth : int or None
        Driscoll-Kraay bandwidth (None: :func:`bandwidth`'s rule of thumb).
    n_params : int, optional
        K of the small-sample factors if it differs from the columns of ``xhat`` (e.g. the
        coefficients of a partialled-out regression, whose K is that of the full one).

    Returns
    -------
    ndarray, shape (k*m, k*m)
    """
    u = resid[:, None] if resid.ndim == 1 else resid
    n, k = xhat.shape
    k = k if n_params is None else n_params
    m = u.shape[1]
    bread = np.linalg.inv(xhat.T @ xhat)
    bread_m = np.kron(np.eye(m), bread)
    scores = np.hstack([xhat * u[:, [j]] for j in range(m)])
    ss = bool(small_sample)
    if cov_type == "unadjusted":
        dof = n - k - n_absorbed if ss else n - n_absorbed
        sigma = u.T @ u / dof
        return np.kron(sigma, bread)
    if cov_type == "robust":
        scale = n / (n - k - n_absorbed) if ss else n / (n - n_absorbed)
        meat = scores.T @ scores * scale
    elif cov_type in ("cluster_entity", "cluster_twoway"):
        dims = [entity_codes] if cov_type == "cluster_entity" else [entity_codes, time_codes]
        if cov_type == "cluster_twoway":
            pair = pd.factorize(pd.MultiIndex.from_arrays([entity_codes, time_codes]))[0]
            dims.append(pair)
        meat = np.zeros((scores.shape[1], scores.shape[1]))
        for i, codes in enumerate(dims):
            s, g = _cluster_meat(scores, codes)
            factor = cluster_factor(g, n, k) if ss else 1.0
            meat += (-1.0 if i == 2 else 1.0) * factor * s
    elif cov_type == "driscoll_kraay":
        h = group_sums(scores, time_codes)
        bw = bandwidth(len(np.unique(time_codes)), dk_bandwidth)
        meat = h.T @ h
        for j in range(1, bw + 1):
            w = 1 - j / (bw + 1)
            op = h[j:].T @ h[:-j]
            meat += w * (op + op.T)
        if ss:
            meat *= n / (n - k)
    else:  # pragma: no cover - options are validated by the specifications
        raise ValueError(cov_type)
    out = bread_m @ meat @ bread_m
    return (out + out.T) / 2
