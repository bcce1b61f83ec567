r"""Causal mediation in the linear structural equation model, with sensitivity analysis.

Imai, K., Keele, L. and Yamamoto, T. (2010). Identification, inference and sensitivity analysis
for causal mediation effects. *Statistical Science*, 25(1), 51-71.

Notes
-----
One mediator at a time. The linear SEM (after the fixed effects and controls are partialled
out) is

.. math::

    Y &= \alpha_1 + \beta_1 T + \varepsilon_1 \\
    M &= \alpha_2 + \beta_2 T + \varepsilon_2 \\
    Y &= \alpha_3 + \beta_3 T + \gamma M + \varepsilon_3 .

Under sequential ignorability the average causal mediation effect is
:math:`\mathrm{ACME} = \beta_2\gamma` (:math:`= a_k b_k` of the single-mediator model), the
average direct effect is :math:`\mathrm{ADE} = \beta_3` (:math:`c'_k`) and the total effect
is :math:`\beta_1 = \mathrm{ACME} + \mathrm{ADE}` (:math:`c`).

Sequential ignorability implies :math:`\rho = \operatorname{corr}(\varepsilon_2,
\varepsilon_3) = 0`. For a given :math:`\rho` the ACME is identified (IKY 2010, Theorem 2;
the closed form used by R ``mediation::medsens`` for a continuous mediator and outcome):

.. math::

    \mathrm{ACME}(\rho) = \frac{\beta_2\sigma_1}{\sigma_2}
        \Big\{\tilde\rho - \rho\sqrt{(1-\tilde\rho^2)/(1-\rho^2)}\Big\},
    \qquad \sigma_j^2 = \operatorname{var}(\varepsilon_j),\;
    \tilde\rho = \operatorname{corr}(\varepsilon_1, \varepsilon_2).

At :math:`\rho = 0` it equals :math:`\beta_2\gamma`, and it is zero at
:math:`\rho = \tilde\rho`. In terms of the share of variance an unobserved confounder
explains, the ACME is zero when :math:`R^{2*}_M R^{2*}_Y = \tilde\rho^2` (shares of the
residual variances) or :math:`\tilde R^2_M \tilde R^2_Y = \tilde\rho^2(1-R^2_M)(1-R^2_Y)`
(shares of the total variances, :math:`R^2_M` and :math:`R^2_Y` those of the mediator and
outcome models). Residuals are within residuals, so :math:`\rho` is the correlation of the
idiosyncratic errors. Intervals of the ACME curve are pointwise bootstrap intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def acme_at_rho(
    beta2: np.ndarray | float,
    sigma_ratio: np.ndarray | float,
    rho_tilde: np.ndarray | float,
    rho: np.ndarray | float,
) -> np.ndarray:
    r"""ACME as a function of the error correlation :math:`\rho` (broadcasts).

    Parameters
    ----------
    beta2 : float or array
        Effect of the treatment on the mediator (:math:`a`).
    sigma_ratio : float or array
        :math:`\sigma_1/\sigma_2`.
    rho_tilde : float or array
        :math:`\operatorname{corr}(\varepsilon_1, \varepsilon_2)`.
    rho : float or array
        Values of :math:`\rho` in (-1, 1).
    """
    beta2 = np.asarray(beta2, dtype=float)
    rho = np.asarray(rho, dtype=float)
    rho_tilde = np.asarray(rho_tilde, dtype=float)
    return beta2 * sigma_ratio * (rho_tilde - rho * np.sqrt((1 - rho_tilde**2) / (1 - rho**2)))


@dataclass(frozen=True)
class SensitivityCurve:
    r"""ACME over a grid of :math:`\rho`, with pointwise bootstrap intervals."""

    rho: tuple[float, ...]
    acme: tuple[float, ...]
    ci_lower: tuple[float, ...]
    ci_upper: tuple[float, ...]

    def to_dict(self) -> dict:
        """The JSON form: the grid and the ACME with its interval bounds, as lists."""
        return {
            "rho": list(self.rho),
            "acme": list(self.acme),
            "ci_lower": list(self.ci_lower),
            "ci_upper": list(self.ci_upper),
        }


@dataclass(frozen=True)
class CausalMediation:
    r"""Linear causal mediation of one mediator (IKY 2010).

    Attributes
    ----------
    mediator : str
    acme, ade, total : float
        :math:`a_kb_k`, :math:`c'_k`, :math:`c`.
    acme_ci, ade_ci, total_ci : tuple of float
        Bootstrap intervals.
    proportion_mediated : float
        ACME / total.
    rho_at_zero : float
        :math:`\rho` at which the ACME is 0 (:math:`= \tilde\rho`).
    rho_at_zero_ci : tuple of float
        Bootstrap interval of :math:`\tilde\rho`.
    r2_product_residual : float
        :math:`R^{2*}_M R^{2*}_Y` at which the ACME is 0.
    r2_product_total : float
        :math:`\tilde R^2_M \tilde R^2_Y` at which the ACME is 0.
    r2_mediator, r2_outcome : float
        Within R-squared of the mediator and outcome models.
    sigma_ratio : float
        :math:`\sigma_1/\sigma_2`.
    curve : SensitivityCurve
    """

    mediator: str
    acme: float
    acme_ci: tuple[float, float]
    ade: float
    ade_ci: tuple[float, float]
    total: float
    total_ci: tuple[float, float]
    proportion_mediated: float
    rho_at_zero: float
    rho_at_zero_ci: tuple[float, float]
    r2_product_residual: float
    r2_product_total: float
    r2_mediator: float
    r2_outcome: float
    sigma_ratio: float
    curve: SensitivityCurve

    def to_dict(self) -> dict:
        """The JSON form: every attribute, tuples as lists, the curve as its own record."""
        out = {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in self.__dict__.items()
            if k != "curve"
        }
        out["curve"] = self.curve.to_dict()
        return out


def causal_mediation(
    *,
    mediator: str,
    acme: float,
    ade: float,
    total: float,
    beta2: float,
    sigma_ratio: float,
    rho_tilde: float,
    r2_mediator: float,
    r2_outcome: float,
    rho_grid: np.ndarray,
    boot_beta2: np.ndarray,
    boot_sigma_ratio: np.ndarray,
    boot_rho_tilde: np.ndarray,
    intervals: dict[str, tuple[float, float]],
    ci_level: float,
) -> CausalMediation:
    """Assemble the causal-mediation result of one mediator.

    ``intervals`` holds the bootstrap intervals of ``"acme"``, ``"ade"``, ``"total"`` and
    ``"rho_tilde"``; the curve's pointwise intervals are percentile intervals of
    :func:`acme_at_rho` over the valid bootstrap replicates.
    """
    curve = acme_at_rho(beta2, sigma_ratio, rho_tilde, rho_grid)
    ok = np.isfinite(boot_beta2) & np.isfinite(boot_sigma_ratio) & np.isfinite(boot_rho_tilde)
    draws = acme_at_rho(
        boot_beta2[ok, None],
        boot_sigma_ratio[ok, None],
        boot_rho_tilde[ok, None],
        rho_grid[None, :],
    )
    alpha = 1.0 - ci_level
    if draws.shape[0]:
        lo = np.quantile(draws, alpha / 2.0, axis=0)
        hi = np.quantile(draws, 1.0 - alpha / 2.0, axis=0)
    else:
        lo = hi = np.full(rho_grid.shape, np.nan)
    return CausalMediation(
        mediator=mediator,
        acme=float(acme),
        acme_ci=tuple(float(x) for x in intervals["acme"]),
        ade=float(ade),
        ade_ci=tuple(float(x) for x in intervals["ade"]),
        total=float(total),
        total_ci=tuple(float(x) for x in intervals["total"]),
        proportion_mediated=float(acme / total) if total != 0 else float("nan"),
        rho_at_zero=float(rho_tilde),
        rho_at_zero_ci=tuple(float(x) for x in intervals["rho_tilde"]),
        r2_product_residual=float(rho_tilde**2),
        r2_product_total=float(rho_tilde**2 * (1 - r2_mediator) * (1 - r2_outcome)),
        r2_mediator=float(r2_mediator),
        r2_outcome=float(r2_outcome),
        sigma_ratio=float(sigma_ratio),
        curve=SensitivityCurve(
            rho=tuple(float(x) for x in rho_grid),
            acme=tuple(float(x) for x in curve),
            ci_lower=tuple(float(x) for x in lo),
            ci_upper=tuple(float(x) for x in hi),
        ),
    )
