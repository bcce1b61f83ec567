r"""Covariance estimators and their small-sample corrections.

Every estimate reports its covariance type, its number of clusters and the reference
distribution of its tests. With ``small_sample=True`` (the default) the conventions are
Stata's, so that standard errors can be compared with ``xtreg``/``reghdfe``/``ivreghdfe``:

``cluster_entity`` (default)
    :math:`\hat V = q\,(X'X)^{-1}\big(\sum_g X_g'\hat u_g \hat u_g' X_g\big)(X'X)^{-1}` with
    :math:`q = \frac{G}{G-1}\frac{N-1}{N-K}`, where :math:`K` counts the regressors and the
    intercept but **not** the entity fixed effects, which are nested in the clusters
    (Stata ``xtreg, fe vce(cluster id)``; Cameron and Miller 2015, sec. VI.B). In linearmodels
    this is ``PanelOLS(..., entity_effects=True)`` with a constant,
    ``cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True`` and
    ``auto_df=False, count_effects=False``: by default (``auto_df=True``) linearmodels counts
    the effects whenever the model has more than one kind of effect or the clusters are not
    the entity alone, which would give :math:`(N-1)/(N-K-n_{entities}+1)`, as Stata's ``areg``
    does. The year effects of ``twoway_fe`` are year dummies among the regressors, so they are
    counted in :math:`K` (as in ``xtreg y x i.year, fe vce(cluster id)`` and ``reghdfe``).
    Tests use :math:`t(G-1)` and :math:`F(q, G-1)`.
``cluster_twoway``
    Cameron, Gelbach and Miller (2011): :math:`\hat V_{entity} + \hat V_{year} -
    \hat V_{entity\cap year}`, each term with its own :math:`\frac{G}{G-1}\frac{N-1}{N-K}`
    (as ``cgmreg``; ``reghdfe`` and ``ivreg2`` use the smaller :math:`G` in all three terms).
    Entity effects are not counted in :math:`K`. Tests use :math:`t(G_{min}-1)`.
``driscoll_kraay``
    Driscoll and Kraay (1998): Bartlett kernel on the year sums of the scores,
    :math:`\hat S = \sum_{|j|\le m} (1 - \frac{|j|}{m+1}) \sum_t h_t h_{t-j}'`, bandwidth
    :math:`m` = ``dk_bandwidth`` or :math:`\lfloor 4 (T/100)^{2/9}\rfloor`, scaled by
    :math:`N/(N-K)` (entity effects not counted, as for clustering). Tests use :math:`t(T-1)`
    (Stata ``xtscc``). Reliable only with many years.
``robust``
    Eicker-Huber-White with :math:`N/(N-K-d)`, :math:`d` the absorbed effects. With entity
    fixed effects and few years it is inconsistent (Stock and Watson 2008): prefer clustering.
``unadjusted``
    :math:`\hat\sigma^2 (X'X)^{-1}` with :math:`\hat\sigma^2 = \hat u'\hat u/(N-K-d)`, the
    classical within-estimator variance (``xtreg, fe``).

Random effects use the same corrections and, as ``xtreg, re``, the normal distribution.
With ``small_sample=False`` no factor is applied (clusters: :math:`q=1`) and tests use the
normal and chi-squared distributions.

The 2SLS estimator (:mod:`govcluster.panel.iv`) uses the same formulas with the projected
regressors :math:`\hat X = P_Z X` in place of :math:`X` (the conventions of ``ivreghdfe``;
``xtivreg2, fe`` would also count the absorbed entity effects in :math:`K` when clustering).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govcluster.panel.checks import bandwidth

#: Human-readable description of each covariance type.
DESCRIPTIONS = {
    "cluster_entity": "cluster-robust by entity",
    "cluster_twoway": "cluster-robust by entity and year (Cameron-Gelbach-Miller)",
    "driscoll_kraay": "Driscoll-Kraay (Bartlett kernel)",
    "robust": "heteroskedasticity-robust (White)",
    "unadjusted": "homoskedastic",
}


@dataclass(frozen=True)
class Inference:
    """Reference distribution of the tests of an estimate.

    Attributes
    ----------
    df : int or None
        Degrees of freedom of the t and F tests; None means normal and chi-squared tests.
    correction : str
        The small-sample factor applied to the covariance, in words.
    """

    df: int | None
    correction: str


def linearmodels_options(
    cov_type: str,
    *,
    small_sample: bool,
    entity_ids: np.ndarray,
    time_ids: np.ndarray,
    index: pd.MultiIndex,
    has_effects: bool,
    dk_bandwidth: int | None,
    n_periods: int,
) -> dict[str, Any]:
    """Keyword arguments of a linearmodels ``fit`` implementing ``cov_type`` (see module doc)."""
    opts: dict[str, Any] = {"debiased": bool(small_sample)}
    if cov_type == "cluster_entity":
        opts.update(
            cov_type="clustered",
            clusters=pd.DataFrame({"entity": entity_ids}, index=index),
            group_debias=bool(small_sample),
        )
    elif cov_type == "cluster_twoway":
        opts.update(
            cov_type="clustered",
            clusters=pd.DataFrame({"entity": entity_ids, "time": time_ids}, index=index),
            group_debias=bool(small_sample),
        )
    elif cov_type == "driscoll_kraay":
        opts.update(
            cov_type="kernel", kernel="bartlett", bandwidth=bandwidth(n_periods, dk_bandwidth)
        )
    elif cov_type == "robust":
        opts.update(cov_type="robust")
    else:
        opts.update(cov_type="unadjusted")
    if has_effects:
        counted = cov_type in ("robust", "unadjusted")
        opts.update(auto_df=False, count_effects=counted)
    return opts


def inference(
    cov_type: str,
    *,
    small_sample: bool,
    n_obs: int,
    n_params: int,
    n_absorbed: int,
    clusters: Sequence[tuple[str, int]],
    normal: bool = False,
) -> Inference:
    """Reference distribution and correction text for an estimate (see module docstring)."""
    if not small_sample:
        return Inference(None, "none (large-sample)")
    k = f"{n_params}"
    if cov_type in ("cluster_entity", "cluster_twoway"):
        g = min(c for _, c in clusters)
        corr = f"G/(G-1)*(N-1)/(N-K), N={n_obs}, K={k} (absorbed effects not counted)"
        return Inference(None if normal else g - 1, corr)
    if cov_type == "driscoll_kraay":
        t = min(c for _, c in clusters)
        return Inference(None if normal else t - 1, f"N/(N-K), N={n_obs}, K={k}")
    df_resid = n_obs - n_params - n_absorbed
    corr = f"N/(N-K-d), N={n_obs}, K={k}, d={n_absorbed} absorbed effects"
    if cov_type == "unadjusted":
        corr = f"sigma2 = SSR/(N-K-d), N={n_obs}, K={k}, d={n_absorbed} absorbed effects"
    return Inference(None if normal else df_resid, corr)


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
    cov_type, small_sample
        See the module docstring.
    entity_codes, time_codes : ndarray of int
        Codes 0..G-1 of the entity and year of each row.
    n_absorbed : int
        Effects removed before the regression (counted only for ``robust``/``unadjusted``).
    dk_bandwidth : int or None
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

    def cluster_meat(codes: np.ndarray) -> tuple[np.ndarray, int]:
        g = int(codes.max()) + 1
        sums = np.zeros((g, scores.shape[1]))
        np.add.at(sums, codes, scores)
        return sums.T @ sums, len(np.unique(codes))

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
            s, g = cluster_meat(codes)
            factor = g / (g - 1) * (n - 1) / (n - k) if ss else 1.0
            meat += (-1.0 if i == 2 else 1.0) * factor * s
    elif cov_type == "driscoll_kraay":
        t = int(time_codes.max()) + 1
        h = np.zeros((t, scores.shape[1]))
        np.add.at(h, time_codes, scores)
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
