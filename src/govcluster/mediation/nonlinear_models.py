r"""Mediator and outcome models of the causal mediation analysis: fits and covariances.

Linear models are fitted by least squares, probit and logit models by maximum likelihood
(:class:`statsmodels.api.GLM`, binomial family). The covariance of the coefficients used for
the quasi-Bayesian draws is one of

``classical``
    The model's usual covariance (:math:`\hat\sigma^2 (X'X)^{-1}`; the inverse Fisher
    information for probit / logit), as R's ``vcov``.
``hc3``
    :math:`B \big(\sum_i s_i s_i' / (1-h_i)^2\big) B`, with :math:`B` the bread
    (:math:`(X'WX)^{-1}`), :math:`s_i` the score of observation :math:`i` and :math:`h_i` its
    (weighted) leverage: R ``sandwich::vcovHC`` default, used by ``mediate(robustSE=TRUE)``.
``cluster``
    :math:`\frac{G}{G-1}\frac{n-1}{n-k} B \big(\sum_g S_g S_g'\big) B` with :math:`S_g` the
    cluster sums of the scores: R ``sandwich::vcovCL`` default (type HC1), used by
    ``mediate(cluster=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special, stats

from govcluster.errors import EstimationError

ModelFamily = Literal["linear", "probit", "logit"]
CovarianceType = Literal["classical", "hc3", "cluster"]


@dataclass(frozen=True)
class FittedModel:
    """Coefficients, covariance and (linear models) residual scale of one fitted model."""

    family: str
    names: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    sigma: float  # residual standard deviation (linear); nan for binary models


def inverse_link(family: str, eta: np.ndarray) -> np.ndarray:
    """Mean of the outcome given the linear predictor."""
    if family == "probit":
        return special.ndtr(eta)
    if family == "logit":
        return special.expit(eta)
    return eta


def check_binary(values: pd.Series, *, column: str, role: str) -> None:
    """Raise a clear error unless every value of a binary model's variable is 0 or 1."""
    numeric = pd.to_numeric(values, errors="coerce")
    bad = values[~numeric.isin([0, 1])]
    if len(bad):
        shown = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in pd.unique(bad)[:8])
        rows = [int(i) for i in bad.index[:10]]
        raise EstimationError(
            f"the {role} model is binary (probit/logit) but {role} column {column!r} has "
            f"values other than 0 and 1: {shown} (at index {rows}"
            f"{' ...' if len(bad) > 10 else ''}; {len(bad)} in all). Recode {column!r} to "
            f"0/1 or use a linear {role} model."
        )


def design_matrix(data: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, list[str]]:
    """Intercept and ``columns`` as a design matrix.

    Text (object or string dtype, pyarrow-backed included) or categorical columns become
    dummies (first level dropped, as R's treatment contrasts).
    """
    blocks = [np.ones((len(data), 1))]
    names = ["const"]
    for c in columns:
        col = data[c]
        if not pd.api.types.is_numeric_dtype(col.dtype) or isinstance(
            col.dtype, pd.CategoricalDtype
        ):  # object, string (also pyarrow-backed) and categorical columns
            dummies = pd.get_dummies(col, prefix=c, drop_first=True, dtype=float)
            blocks.append(dummies.to_numpy())
            names.extend(dummies.columns)
        else:
            blocks.append(col.to_numpy(dtype=float)[:, None])
            names.append(c)
    return np.hstack(blocks), names


def fit_model(
    X: np.ndarray,
    y: np.ndarray,
    *,
    family: ModelFamily,
    names: list[str],
    cov_type: CovarianceType = "classical",
    clusters: np.ndarray | None = None,
) -> FittedModel:
    """Fit a linear, probit or logit model and compute the requested covariance."""
    n, k = X.shape
    if np.linalg.matrix_rank(X) < k:
        raise EstimationError(
            f"the design of the {family} model is collinear (columns {', '.join(names)}); "
            "drop a redundant covariate."
        )
    if family == "linear":
        res = sm.OLS(y, X).fit()
        params = np.asarray(res.params)
        mu = X @ params
        resid = y - mu
        sigma = float(np.sqrt(resid @ resid / (n - k)))
        weight = np.ones(n)
        score_resid = resid
        classical = np.asarray(res.cov_params())
    else:
        link = sm.families.links.Probit() if family == "probit" else sm.families.links.Logit()
        res = sm.GLM(y, X, family=sm.families.Binomial(link=link)).fit()
        params = np.asarray(res.params)
        eta = X @ params
        mu = np.clip(inverse_link(family, eta), 1e-12, 1 - 1e-12)
        dmu = stats.norm.pdf(eta) if family == "probit" else mu * (1 - mu)
        weight = dmu**2 / (mu * (1 - mu))
        score_resid = (y - mu) * dmu / (mu * (1 - mu))
        sigma = float("nan")
        classical = np.linalg.inv(X.T @ (X * weight[:, None]))
        if not res.converged:
            raise EstimationError(
                f"the {family} model did not converge (perfect separation or too few 0/1 "
                "outcomes); simplify the model or check the binary variable."
            )
    bread = np.linalg.inv(X.T @ (X * weight[:, None]))
    scores = X * score_resid[:, None]
    if cov_type == "classical":
        cov = classical
    elif cov_type == "hc3":
        leverage = np.einsum("ij,jk,ik->i", X, bread, X) * weight
        meat = (scores / (1 - leverage)[:, None]).T @ (scores / (1 - leverage)[:, None])
        cov = bread @ meat @ bread
    else:
        if clusters is None:
            raise EstimationError("cov_type='cluster' needs a cluster column.")
        codes = pd.factorize(pd.Series(clusters))[0]
        G = int(codes.max()) + 1
        if G < 2:
            raise EstimationError("cov_type='cluster' needs at least 2 clusters.")
        sums = np.zeros((G, k))
        np.add.at(sums, codes, scores)
        cov = G / (G - 1) * (n - 1) / (n - k) * bread @ (sums.T @ sums) @ bread
    return FittedModel(
        family=family, names=tuple(names), params=params, cov=np.asarray(cov), sigma=sigma
    )


def fit_point(
    X: np.ndarray, y: np.ndarray, *, family: ModelFamily, start: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """Coefficients (and residual scale for linear models) only: the bootstrap refits.

    ``start`` (the full-sample estimates) warm-starts the maximum-likelihood iterations.
    """
    n, k = X.shape
    if family == "linear":
        params, *_ = np.linalg.lstsq(X, y, rcond=None)
        resid = y - X @ params
        return params, float(np.sqrt(resid @ resid / (n - k)))
    if start is not None:
        params = _irls(X, y, family=family, start=start)
        if params is not None:
            return params, float("nan")
    link = sm.families.links.Probit() if family == "probit" else sm.families.links.Logit()
    res = sm.GLM(y, X, family=sm.families.Binomial(link=link)).fit(start_params=start)
    return np.asarray(res.params), float("nan")


def _irls(
    X: np.ndarray, y: np.ndarray, *, family: str, start: np.ndarray, max_iter: int = 50
) -> np.ndarray | None:
    """Iteratively reweighted least squares for a binary GLM from a warm start.

    The same iterations as statsmodels' GLM (Fisher scoring) without its per-call overhead,
    for the bootstrap refits; returns None (so the caller falls back to statsmodels) if the
    iterations do not converge to a relative change of 1e-10.
    """
    beta = np.asarray(start, dtype=float).copy()
    for _ in range(max_iter):
        eta = X @ beta
        mu = np.clip(inverse_link(family, eta), 1e-12, 1 - 1e-12)
        density = stats.norm.pdf(eta) if family == "probit" else mu * (1 - mu)
        dmu = np.maximum(density, 1e-300)
        w = dmu**2 / (mu * (1 - mu))
        z = eta + (y - mu) / dmu
        try:
            new = np.linalg.solve(X.T @ (X * w[:, None]), X.T @ (w * z))
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(new)):
            return None
        if np.max(np.abs(new - beta)) <= 1e-10 * (1 + np.max(np.abs(beta))):
            return new
        beta = new
    return None
