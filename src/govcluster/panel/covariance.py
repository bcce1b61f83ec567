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
``cluster``
    One-way clustering on the column named by the specification's ``cluster`` (province,
    year, ...), with the same :math:`q` as ``cluster_entity``; the entity effects are counted
    in :math:`K` unless every entity lies within one cluster (as ``reghdfe``). Tests use
    :math:`t(G-1)`.
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

The numpy implementation of these formulas, used by the 2SLS estimator
(:mod:`govcluster.panel.iv`), is :func:`govcluster.core.covariance.sandwich`, with the factor
:func:`govcluster.core.covariance.cluster_factor`; the 2SLS estimator uses them with the projected
regressors :math:`\hat X = P_Z X` in place of :math:`X` (the conventions of ``ivreghdfe``;
``xtivreg2, fe`` would also count the absorbed entity effects in :math:`K` when clustering).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govcluster.core.covariance import bandwidth

#: Human-readable description of each covariance type.
DESCRIPTIONS = {
    "cluster_entity": "cluster-robust by entity",
    "cluster": "cluster-robust by a column",
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
    cluster_ids: np.ndarray | None = None,
) -> dict[str, Any]:
    """Keyword arguments of a linearmodels ``fit`` implementing ``cov_type`` (see module doc).

    ``cluster_ids`` are the integer cluster codes of ``cov_type="cluster"``.
    """
    opts: dict[str, Any] = {"debiased": bool(small_sample)}
    if cov_type == "cluster":
        opts.update(
            cov_type="clustered",
            clusters=pd.DataFrame({"cluster": cluster_ids}, index=index),
            group_debias=bool(small_sample),
        )
    elif cov_type == "cluster_entity":
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
        counted = cov_type in ("robust", "unadjusted") or (
            cov_type == "cluster" and not _nested(entity_ids, cluster_ids)
        )
        opts.update(auto_df=False, count_effects=counted)
    return opts


def _nested(entity_ids: np.ndarray, cluster_ids: np.ndarray | None) -> bool:
    """Whether every entity lies within one cluster."""
    pairs = pd.DataFrame({"e": entity_ids, "c": cluster_ids}).drop_duplicates()
    return bool(pairs["e"].is_unique)


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
    if cov_type in ("cluster_entity", "cluster_twoway", "cluster"):
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
