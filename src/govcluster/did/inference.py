"""Inference shared by the event studies: Wald pre-trend test and sup-t uniform bands."""

from __future__ import annotations

import numpy as np
from scipy import stats


def wald_pretrend_test(estimates: np.ndarray, vcov: np.ndarray) -> dict[str, float]:
    """Joint Wald test that all pre-period coefficients are zero.

    Parameters
    ----------
    estimates : numpy.ndarray
        The pre-period coefficients (the reference period excluded).
    vcov : numpy.ndarray
        Their covariance matrix.

    Returns
    -------
    dict
        ``statistic`` (chi-squared), ``df``, ``p_value``; NaN when there is no pre-period.

    Notes
    -----
    ``W = b' V^+ b``, compared with chi-squared(rank V); the pseudo-inverse keeps the test
    defined when two pre-period coefficients are collinear.
    """
    b = np.asarray(estimates, dtype=float)
    if b.size == 0:
        return {"test": "wald", "statistic": float("nan"), "df": 0, "p_value": float("nan")}
    v = np.atleast_2d(np.asarray(vcov, dtype=float))
    rank = int(np.linalg.matrix_rank(v))
    statistic = float(b @ np.linalg.pinv(v) @ b)
    return {
        "test": "wald",
        "statistic": statistic,
        "df": rank,
        "p_value": float(stats.chi2.sf(statistic, rank)),
    }


def sup_t_critical_value(
    vcov: np.ndarray, *, alpha: float, draws: int, rng: np.random.Generator
) -> float:
    """Critical value of the sup-t simultaneous band (Montiel Olea and Plagborg-Moller 2019).

    The ``1 - alpha`` quantile of ``max_k |Z_k| / sd_k`` with ``Z ~ N(0, vcov)``: the band
    ``estimate +/- c se`` covers the whole vector with probability ``1 - alpha`` under
    asymptotic normality.
    """
    v = np.atleast_2d(np.asarray(vcov, dtype=float))
    sd = np.sqrt(np.diag(v))
    keep = sd > 0
    if not keep.any():
        return float("nan")
    corr = v[np.ix_(keep, keep)] / np.outer(sd[keep], sd[keep])
    eigval, eigvec = np.linalg.eigh(corr)
    root = eigvec * np.sqrt(np.clip(eigval, 0.0, None))
    z = rng.standard_normal((draws, corr.shape[0])) @ root.T
    return float(np.quantile(np.abs(z).max(axis=1), 1.0 - alpha))
