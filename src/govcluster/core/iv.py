r"""Two-stage least squares and the Kleibergen-Paap rk statistic.

The functions take arrays from which the fixed effects have already been absorbed
(:mod:`govcluster.core.absorb`); by the Frisch-Waugh-Lovell theorem 2SLS on absorbed
variables gives the fixed-effects 2SLS coefficients. Covariances come from
:mod:`govcluster.core.covariance`.

:func:`two_stage_least_squares` is the general estimator,
:math:`\hat\beta = (\hat X'X)^{-1}\hat X'y` with :math:`\hat X = P_Z X`.
:func:`one_endogenous_2sls` is its closed form for one endogenous regressor whose exogenous
regressors were partialled out of every variable,
:math:`\hat\beta_j = \hat T'y_j / \hat T'T` with :math:`\hat T = Z\hat\pi`, which shares one
first stage among many responses (the mechanism equations of the mediation analysis).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def ols(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coefficients and residuals of ``y`` on ``x``.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n, k)`` regressors.
    y : numpy.ndarray
        ``(n,)`` or ``(n, m)`` responses.

    Returns
    -------
    coef : numpy.ndarray
        ``(k,)`` or ``(k, m)``.
    resid : numpy.ndarray
        Same shape as ``y``.
    """
    coef = np.linalg.lstsq(x, y, rcond=None)[0]
    return coef, y - x @ coef


@dataclass(frozen=True)
class TwoStageLeastSquares:
    r"""Result of :func:`two_stage_least_squares`.

    Attributes
    ----------
    beta : numpy.ndarray
        ``(k,)`` coefficients of ``x``.
    xhat : numpy.ndarray
        ``(n, k)`` projection :math:`P_Z X` (the regressors of the sandwich covariance).
    resid : numpy.ndarray
        ``(n,)`` structural residuals :math:`y - X\hat\beta`.
    """

    beta: np.ndarray
    xhat: np.ndarray
    resid: np.ndarray


def two_stage_least_squares(y: np.ndarray, x: np.ndarray, z: np.ndarray) -> TwoStageLeastSquares:
    r"""2SLS of ``y`` on ``x`` with instruments ``z``.

    Parameters
    ----------
    y : numpy.ndarray
        ``(n,)`` response.
    x : numpy.ndarray
        ``(n, k)`` regressors: endogenous ones and the exogenous ones.
    z : numpy.ndarray
        ``(n, l)`` instruments: the excluded ones and the exogenous regressors, ``l >= k``.

    Returns
    -------
    TwoStageLeastSquares

    Notes
    -----
    :math:`\hat X = Z(Z'Z)^{-1}Z'X` (by least squares),
    :math:`\hat\beta = (\hat X'X)^{-1}\hat X'y`.
    """
    xhat = z @ np.linalg.lstsq(z, x, rcond=None)[0]
    beta = np.linalg.solve(xhat.T @ x, xhat.T @ y)
    return TwoStageLeastSquares(beta=beta, xhat=xhat, resid=y - x @ beta)


@dataclass(frozen=True)
class OneEndogenous2SLS:
    r"""Result of :func:`one_endogenous_2sls`.

    Attributes
    ----------
    pi : numpy.ndarray
        ``(l,)`` first-stage coefficients of the instruments.
    first_stage_resid : numpy.ndarray
        ``(n,)`` first-stage residuals :math:`T - Z\hat\pi`.
    fitted : numpy.ndarray
        ``(n,)`` :math:`\hat T = Z\hat\pi`.
    denominator : float
        :math:`\hat T'T`.
    estimates : numpy.ndarray
        ``(m,)`` coefficient of ``T`` for each response.
    resid : numpy.ndarray
        ``(n, m)`` structural residuals :math:`y_j - \hat\beta_j T`.
    """

    pi: np.ndarray
    first_stage_resid: np.ndarray
    fitted: np.ndarray
    denominator: float
    estimates: np.ndarray
    resid: np.ndarray


def one_endogenous_2sls(
    endogenous: np.ndarray, instruments: np.ndarray, responses: Sequence[np.ndarray]
) -> OneEndogenous2SLS:
    r"""2SLS of each response on one endogenous regressor (exogenous ones partialled out).

    Parameters
    ----------
    endogenous : numpy.ndarray
        ``(n,)`` endogenous regressor ``T``, residualised on the exogenous regressors.
    instruments : numpy.ndarray
        ``(n, l)`` excluded instruments, residualised likewise.
    responses : sequence of numpy.ndarray
        ``m`` responses, each ``(n,)``, residualised likewise (the columns of an ``(n, m)``
        array are its transpose's rows). Each is used as given, so a column view of a larger
        matrix gives the same rounding as the inner product with that view.

    Returns
    -------
    OneEndogenous2SLS

    Notes
    -----
    :math:`\hat\pi = (Z'Z)^{-1}Z'T`, :math:`\hat T = Z\hat\pi` and
    :math:`\hat\beta_j = \hat T'y_j/\hat T'T`, which by the Frisch-Waugh-Lovell theorem is
    the coefficient of ``T`` in :func:`two_stage_least_squares` with the exogenous regressors
    among both ``x`` and ``z``.
    """
    z, t_ = instruments, endogenous
    pi = np.linalg.solve(z.T @ z, z.T @ t_)
    v = t_ - z @ pi
    t_hat = z @ pi
    denom = float(t_hat @ t_)
    est = np.empty(len(responses))
    resid = np.empty((len(t_), len(responses)))
    for j, y in enumerate(responses):
        beta = float(t_hat @ y) / denom
        est[j] = beta
        resid[:, j] = y - beta * t_
    return OneEndogenous2SLS(
        pi=pi, first_stage_resid=v, fitted=t_hat, denominator=denom, estimates=est, resid=resid
    )


def _sqrtm_psd(a: np.ndarray) -> np.ndarray:
    """Symmetric square root of a positive semi-definite matrix."""
    w, v = np.linalg.eigh((a + a.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def kp_rk_statistic(
    pi: np.ndarray,
    cov_vec_pi: np.ndarray,
    z: np.ndarray,
    y: np.ndarray,
    *,
    g_matrix: np.ndarray | None = None,
) -> float:
    r"""Kleibergen-Paap (2006) rk Wald statistic that ``rank(pi) = K1 - 1``.

    Parameters
    ----------
    pi : ndarray, shape (L, K1)
        First-stage coefficients of the excluded instruments.
    cov_vec_pi : ndarray, shape (L*K1, L*K1)
        Covariance of ``vec(pi)`` (columns stacked: instruments within endogenous).
    z, y : ndarray
        Partialled instruments and endogenous regressors (for the standardisation).
    g_matrix : ndarray, optional
        Upper-triangular G with G'G the standardisation of the endogenous regressors; the
        default is the Cholesky factor of ``y'y`` (Stata's ``ranktest``).

    Returns
    -------
    float
        The statistic, chi2((L - K1 + 1)) under the null; ``inf`` if the covariance is exactly
        singular (a first stage without error) and ``lambda`` is not zero.

    Notes
    -----
    :math:`\Theta = F\Pi G^{-1}` with :math:`F'F = Z'Z`; with the SVD
    :math:`\Theta = USV'` and :math:`q = K1 - 1`,
    :math:`A_\perp = U_{\cdot,2}U_{22}^{-1}(U_{22}U_{22}')^{1/2}`,
    :math:`B_\perp = (V_{22}V_{22}')^{1/2}V_{22}'^{-1}V_{\cdot,2}'`,
    :math:`\lambda = (B_\perp\otimes A_\perp')\mathrm{vec}\,\Theta` and
    :math:`rk = \lambda'[(B_\perp\otimes A_\perp')\hat V_\Theta(\ldots)']^{-1}\lambda`.
    """
    n_instr, k1 = pi.shape
    f = np.linalg.cholesky(z.T @ z).T
    g = np.linalg.cholesky(y.T @ y).T if g_matrix is None else g_matrix
    g_inv = np.linalg.inv(g)
    theta = f @ pi @ g_inv
    # vec(F Pi G^-1) = (G^-T kron F) vec(Pi)
    trans = np.kron(g_inv.T, f)
    v_theta = trans @ cov_vec_pi @ trans.T
    u, _, vt = np.linalg.svd(theta, full_matrices=True)
    vv = vt.T
    q = k1 - 1
    u22 = u[q:, q:]
    v22 = vv[q:, q:]
    a_perp = u[:, q:] @ np.linalg.solve(u22, _sqrtm_psd(u22 @ u22.T))
    b_perp = _sqrtm_psd(v22 @ v22.T) @ np.linalg.solve(v22.T, vv[:, q:].T)
    kron = np.kron(b_perp, a_perp.T)
    lam = kron @ theta.reshape(-1, order="F")
    omega = kron @ v_theta @ kron.T
    try:
        return float(lam @ np.linalg.solve(omega, lam))
    except np.linalg.LinAlgError:
        # an exactly singular covariance: the first stage fits without error (an instrument
        # equal to the endogenous regressor), so the rank is known with certainty
        return math.inf if np.any(lam != 0) else math.nan
