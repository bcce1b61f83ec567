r"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens and Wager 2021).

The unit and time weights are computed by the Frank-Wolfe solver of ``diff-diff``
(:func:`diff_diff.utils.compute_sdid_unit_weights`, :func:`diff_diff.utils.compute_time_weights`),
a port of R ``synthdid::sc.weight.fw`` with its two-pass sparsification; this module sets
the regularisation exactly as R ``synthdid`` does and adds the effect path and the placebo
standard error.

Notes
-----
With :math:`N_0` donors, one treated unit, :math:`T_0` fit-window years and :math:`T_1` post
years, the outcomes are first rescaled by the mean and standard deviation of the donors'
fit-window outcomes (an invariance of the problem, as ``diff-diff``). With
:math:`\sigma` the standard deviation of the donors' first differences over the fit window,
:math:`\zeta_\omega = (N_1 T_1)^{1/4}\sigma` and :math:`\zeta_\lambda = 10^{-6}\sigma`
(paper, eq. 2.2-2.3). The estimate is

.. math:: \hat\tau = \Big(\bar Y_{1,\mathrm{post}} - \sum_t \hat\lambda_t Y_{1t}\Big)
          - \sum_j \hat\omega_j
          \Big(\bar Y_{j,\mathrm{post}} - \sum_t \hat\lambda_t Y_{jt}\Big).

The same code gives the paper's two comparison estimators of Table 1: synthetic control
(``"sc"``: no intercept, :math:`\zeta_\omega = 10^{-6}\sigma`, no time weights) and
difference-in-differences (``"did"``: equal unit and time weights). The effect path in year
:math:`t` is :math:`(Y_{1t} - \sum_j \hat\omega_j Y_{jt}) - \sum_s \hat\lambda_s (Y_{1s} -
\sum_j \hat\omega_j Y_{js})` (R ``synthdid_effect_curve``, extended to the fit years).

The placebo standard error (paper, Algorithm 4) reassigns the treatment to donors, re-estimates
on the remaining donors and takes :math:`\sqrt{(B-1)/B}` times the standard deviation of the
placebo estimates. With one treated unit there are exactly :math:`N_0` distinct placebo
assignments; this module uses each exactly once (the limit of R's random resampling), so the
standard error is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

SdidVariant = Literal["sdid", "sc", "did"]


@dataclass(frozen=True)
class SdidFit:
    """One synthetic-DiD-family estimate on arrays.

    Attributes
    ----------
    variant : {"sdid", "sc", "did"}
    att : float
    unit_weights : numpy.ndarray
        ``(N0,)`` donor weights.
    time_weights : numpy.ndarray
        ``(T0,)`` fit-window year weights (zeros for ``"sc"``).
    effect_path : numpy.ndarray
        ``(T0 + T1,)`` effect by year (see the module notes).
    zeta_omega, noise_level : float
        Regularisation of the unit weights and the noise level (original outcome scale).
    """

    variant: str
    att: float
    unit_weights: np.ndarray
    time_weights: np.ndarray
    effect_path: np.ndarray
    zeta_omega: float
    noise_level: float


def _noise_level(pre_controls: np.ndarray) -> float:
    diffs = np.diff(pre_controls, axis=0)
    if diffs.size <= 1:
        return 0.0
    return float(np.std(diffs, ddof=1))


def fit_sdid(outcome: np.ndarray, *, n_fit: int, variant: SdidVariant = "sdid") -> SdidFit:
    """Estimate SDID (or its SC / DiD special cases) for the unit in column 0.

    Parameters
    ----------
    outcome : numpy.ndarray
        ``(T0 + T1, 1 + N0)`` outcomes, treated unit in column 0, fit-window years first.
    n_fit : int
        Number of fit-window years ``T0``.
    variant : {"sdid", "sc", "did"}

    Returns
    -------
    SdidFit
    """
    # diff-diff takes seconds to import; load it only when an estimate is asked for.
    from diff_diff.utils import compute_sdid_unit_weights, compute_time_weights

    y = np.asarray(outcome, dtype=float)
    pre_c, post_c = y[:n_fit, 1:], y[n_fit:, 1:]
    pre_t, post_t = y[:n_fit, 0], y[n_fit:, 0]
    n_post = y.shape[0] - n_fit
    n_donors = pre_c.shape[1]
    shift = float(pre_c.mean())
    scale = float(pre_c.std())
    scale = scale if np.isfinite(scale) and scale > 1e-12 * max(abs(shift), 1.0) else 1.0
    pre_cn, post_cn = (pre_c - shift) / scale, (post_c - shift) / scale
    pre_tn = (pre_t - shift) / scale
    noise_n = _noise_level(pre_cn)
    min_decrease = 1e-5 * noise_n if noise_n > 0 else 1e-5
    if variant == "did":
        omega = np.full(n_donors, 1.0 / n_donors)
        lam = np.full(n_fit, 1.0 / n_fit)
        zeta_n = 0.0
    elif variant == "sc":
        zeta_n = 1e-6 * noise_n
        omega = compute_sdid_unit_weights(
            pre_cn, pre_tn, zeta_omega=zeta_n, intercept=False, min_decrease=min_decrease
        )
        lam = np.zeros(n_fit)
    else:
        zeta_n = (1 * n_post) ** 0.25 * noise_n
        omega = compute_sdid_unit_weights(
            pre_cn, pre_tn, zeta_omega=zeta_n, min_decrease=min_decrease
        )
        lam = compute_time_weights(
            pre_cn, post_cn, zeta_lambda=1e-6 * noise_n, min_decrease=min_decrease
        )
    omega = np.asarray(omega, dtype=float)
    lam = np.asarray(lam, dtype=float)
    gap = y[:, 0] - y[:, 1:] @ omega
    path = gap - lam @ gap[:n_fit]
    att = float(post_t.mean() - lam @ pre_t - omega @ (post_c.mean(axis=0) - lam @ pre_c))
    return SdidFit(
        variant=variant,
        att=att,
        unit_weights=omega,
        time_weights=lam,
        effect_path=path,
        zeta_omega=zeta_n * scale,
        noise_level=noise_n * scale,
    )


def placebo_standard_error(
    outcome: np.ndarray, *, n_fit: int, variant: SdidVariant = "sdid"
) -> tuple[float, np.ndarray]:
    """Placebo standard error over every donor (Arkhangelsky et al. 2021, Algorithm 4).

    Parameters
    ----------
    outcome : numpy.ndarray
        ``(T, 1 + N0)`` outcomes with the treated unit in column 0 (not used: placebos are
        drawn from the donors only).
    n_fit : int
    variant : {"sdid", "sc", "did"}

    Returns
    -------
    se : float
        ``sqrt((B - 1) / B) * sd(placebo estimates)`` with ``B = N0`` placebos.
    estimates : numpy.ndarray
        ``(N0,)`` placebo estimates, donor ``j`` treated in entry ``j``.
    """
    controls = np.asarray(outcome, dtype=float)[:, 1:]
    n_donors = controls.shape[1]
    if n_donors < 3:
        return float("nan"), np.full(n_donors, np.nan)
    estimates = np.empty(n_donors)
    for j in range(n_donors):
        order = [j, *(i for i in range(n_donors) if i != j)]
        estimates[j] = fit_sdid(controls[:, order], n_fit=n_fit, variant=variant).att
    b = n_donors
    se = float(np.sqrt((b - 1) / b) * np.std(estimates, ddof=1))
    return se, estimates
