r"""Identification-first mechanism analysis (Jiang 2022), with a within-2SLS.

江艇 (2022). 因果推断经验研究中的中介效应与调节效应. 中国工业经济, (5), 100-120.

Jiang argues that in observational economics the credible part of a mechanism analysis is the
causal effect of the treatment on the mechanism variable, estimated with the same
identification strategy as the main effect; the link from the mechanism to the outcome is
usually not identified (the mediator is not randomised) and should rest on theory and prior
evidence rather than on the coefficient :math:`b` of a regression of ``Y`` on ``T`` and ``M``.
This module reports, for every mechanism, the effect of ``T`` on ``M_k`` with the main design
(fixed effects) and, when instruments are given, with a fixed-effects 2SLS; these are the
primary mechanism evidence of the analysis.

Notes
-----
Within-2SLS. After the within transformation, with exogenous nuisance columns ``N`` (year
dummies, controls) and excluded instruments ``Z``, all residualised on ``N`` (tilde):

.. math::

    \tilde T = \tilde Z\pi + v, \qquad \hat T = \tilde Z\hat\pi, \qquad
    \hat\beta_{IV} = \frac{\hat T'\tilde y}{\hat T'\tilde T},

which by the Frisch-Waugh-Lovell theorem equals the treatment coefficient of 2SLS of ``y`` on
``[T, N]`` with instruments ``[Z, N]``. The structural residual is
:math:`\hat u = \tilde y - \hat\beta_{IV}\tilde T` and the entity-clustered variance is

.. math::

    \hat V = q\,\frac{\sum_g (\sum_{i\in g}\hat T_i\hat u_i)^2}{(\hat T'\tilde T)^2},
    \qquad q = \frac{G}{G-1}\frac{n-1}{n-k},

with ``k`` as in :mod:`govcluster.mediation.paths` (treatment, nuisance columns and the
intercept absorbed by the entity effects). The first-stage F statistic is the cluster-robust
Wald statistic of :math:`\pi = 0` divided by the number of instruments ``L`` (with one
endogenous regressor this is the Kleibergen-Paap Wald F, and with one instrument the effective
F of Montiel Olea and Pflueger); the conventional F uses the homoskedastic variance. Values
below 10 signal weak instruments.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from govcluster.core.absorb import group_sums
from govcluster.core.covariance import cluster_factor
from govcluster.core.iv import one_endogenous_2sls
from govcluster.mediation.design import PanelDesign

CAVEAT_EN = (
    "Primary mechanism evidence is the effect of the treatment on each mechanism variable, "
    "estimated with the main identification design (fixed effects{iv}). The link from a "
    "mechanism to the outcome is not identified by this design: it rests on theory and prior "
    "evidence, and the regression coefficient b of Y on T and M (and hence a*b) carries no "
    "causal interpretation without sequential ignorability (Jiang 2022)."
)
CAVEAT_ZH = (
    "机制分析的主要证据是处理变量对各机制变量的因果效应，采用与主回归相同的识别策略"
    "（固定效应{iv}）估计。机制变量对结果变量的影响并未被该设计识别，应依据理论和已有文献论证；"
    "在序贯可忽略性不成立时，Y 对 T 与 M 回归中的系数 b（以及 a*b）不具有因果解释（江艇，2022）。"
)


@dataclass(frozen=True)
class MechanismEffect:
    """Effect of the treatment on one mechanism (or the outcome) with the main design.

    Attributes
    ----------
    variable : str
    role : {"mechanism", "outcome"}
    fe_estimate, fe_se, fe_pvalue, fe_ci_lower, fe_ci_upper : float
        Fixed-effects (or pooled, ``effects="none"``) OLS with entity-clustered SEs.
    iv_estimate, iv_se, iv_pvalue, iv_ci_lower, iv_ci_upper : float or None
        Within-2SLS, when instruments are given.
    """

    variable: str
    role: str
    fe_estimate: float
    fe_se: float
    fe_pvalue: float
    fe_ci_lower: float
    fe_ci_upper: float
    iv_estimate: float | None = None
    iv_se: float | None = None
    iv_pvalue: float | None = None
    iv_ci_lower: float | None = None
    iv_ci_upper: float | None = None


@dataclass(frozen=True)
class FirstStage:
    r"""First stage of the within-2SLS.

    Attributes
    ----------
    instruments : tuple of str
    coefficients, se : tuple of float
        :math:`\hat\pi` and clustered standard errors.
    f_cluster : float
        Cluster-robust Wald F of :math:`\pi = 0`.
    f_conventional : float
        Homoskedastic F.
    df_num, df_den : int
        ``L`` and ``G - 1``.
    pvalue : float
        p-value of ``f_cluster`` in :math:`F(L, G-1)`.
    """

    instruments: tuple[str, ...]
    coefficients: tuple[float, ...]
    se: tuple[float, ...]
    f_cluster: float
    f_conventional: float
    df_num: int
    df_den: int
    pvalue: float


@dataclass(frozen=True)
class IdentificationResult:
    """Identification-first mechanism evidence (the primary evidence of the analysis).

    Attributes
    ----------
    design : {"FE", "FE-IV", "pooled", "pooled-IV"}
    effects : tuple of MechanismEffect
        One per mechanism, then the outcome (the main effect, for reference).
    first_stage : FirstStage or None
    caveat_en, caveat_zh : str
    """

    design: str
    effects: tuple[MechanismEffect, ...]
    first_stage: FirstStage | None
    caveat_en: str
    caveat_zh: str

    def to_dict(self) -> dict:
        """The JSON form, with ``role`` ``"primary_evidence"``; tuples become lists."""
        return {
            "role": "primary_evidence",
            "design": self.design,
            "effects": [asdict(e) for e in self.effects],
            "first_stage": None
            if self.first_stage is None
            else {
                **asdict(self.first_stage),
                "instruments": list(self.first_stage.instruments),
                "coefficients": list(self.first_stage.coefficients),
                "se": list(self.first_stage.se),
            },
            "caveat_en": self.caveat_en,
            "caveat_zh": self.caveat_zh,
        }


@dataclass(frozen=True)
class Within2SLS:
    """Raw output of :func:`within_2sls`."""

    estimates: np.ndarray
    se: np.ndarray
    first_stage: FirstStage


def within_2sls(
    design: PanelDesign, nuisance_coef: np.ndarray, *, responses: np.ndarray | None = None
) -> Within2SLS:
    """Fixed-effects 2SLS of each core response on the treatment (see the module notes).

    Parameters
    ----------
    design : PanelDesign
        With ``instruments``.
    nuisance_coef : (n_nuisance, n_core) array
        Coefficients of the core columns on the nuisance columns (to residualise them).
    responses : array of int, optional
        Core column indices of the responses; default: mediators and outcome.

    Returns
    -------
    Within2SLS
    """
    if design.instruments is None:
        raise ValueError("design has no instruments")
    n_core = design.n_core
    mat = design.matrix
    nuis = mat[:, n_core:]
    core = mat[:, :n_core]
    z = design.instruments
    if nuis.shape[1]:
        core = core - nuis @ nuisance_coef
        z = z - nuis @ np.linalg.lstsq(nuis, z, rcond=None)[0]
    if responses is None:
        responses = np.arange(1, n_core)
    codes = design.entity_codes
    g = design.n_entities
    n = design.n_obs
    n_instr = z.shape[1]
    extra = design.absorbed_intercept

    def esum(v: np.ndarray) -> np.ndarray:
        return group_sums(v, codes, g)[:, 0]

    fit = one_endogenous_2sls(core[:, 0], z, [core[:, j] for j in responses])
    zz = z.T @ z
    pi, v = fit.pi, fit.first_stage_resid
    k1 = n_instr + nuis.shape[1] + extra
    q1 = cluster_factor(g, n, k1)
    zz_inv = np.linalg.inv(zz)
    score = np.column_stack([esum(z[:, j] * v) for j in range(n_instr)])
    meat = score.T @ score
    v_pi = q1 * zz_inv @ meat @ zz_inv
    f_cluster = float(pi @ np.linalg.solve(v_pi, pi) / n_instr)
    sigma2 = float(v @ v) / (n - k1)
    f_conv = float(pi @ zz @ pi / n_instr / sigma2)
    first = FirstStage(
        instruments=design.instrument_names,
        coefficients=tuple(float(x) for x in pi),
        se=tuple(float(x) for x in np.sqrt(np.diag(v_pi))),
        f_cluster=f_cluster,
        f_conventional=f_conv,
        df_num=n_instr,
        df_den=g - 1,
        pvalue=float(stats.f.sf(f_cluster, n_instr, g - 1)),
    )
    k2 = 1 + nuis.shape[1] + extra
    q2 = cluster_factor(g, n, k2)
    est = fit.estimates
    se = np.empty(len(responses))
    for pos in range(len(responses)):
        s = esum(fit.fitted * fit.resid[:, pos])
        se[pos] = np.sqrt(q2 * float(s @ s)) / abs(fit.denominator)
    return Within2SLS(estimates=est, se=se, first_stage=first)


def identification_analysis(
    design: PanelDesign,
    *,
    fe_table: dict[str, tuple[float, float, float, float, float]],
    nuisance_coef: np.ndarray,
    ci_level: float,
) -> IdentificationResult:
    """Effects of the treatment on every mechanism (and the outcome) with the main design.

    Parameters
    ----------
    design : PanelDesign
    fe_table : dict
        ``variable -> (estimate, se, pvalue, ci_lower, ci_upper)`` of the FE regressions of each
        mediator and the outcome on the treatment (the ``a`` paths and ``c``).
    nuisance_coef : array
        See :func:`within_2sls`.
    ci_level : float

    Returns
    -------
    IdentificationResult
    """
    names = (*design.mediators, design.outcome)
    iv = None
    if design.instruments is not None:
        iv = within_2sls(design, nuisance_coef)
    df = design.n_entities - 1
    crit = stats.t.ppf(0.5 + ci_level / 2.0, df)
    effects = []
    for pos, name in enumerate(names):
        est, se, p, lo, hi = fe_table[name]
        extra: dict[str, float] = {}
        if iv is not None:
            b, s = float(iv.estimates[pos]), float(iv.se[pos])
            extra = {
                "iv_estimate": b,
                "iv_se": s,
                "iv_pvalue": float(2.0 * stats.t.sf(abs(b / s), df)) if s > 0 else float("nan"),
                "iv_ci_lower": b - crit * s,
                "iv_ci_upper": b + crit * s,
            }
        effects.append(
            MechanismEffect(
                variable=name,
                role="outcome" if name == design.outcome else "mechanism",
                fe_estimate=float(est),
                fe_se=float(se),
                fe_pvalue=float(p),
                fe_ci_lower=float(lo),
                fe_ci_upper=float(hi),
                **extra,
            )
        )
    base = "FE" if design.effects != "none" else "pooled"
    design_name = base + ("-IV" if iv is not None else "")
    listed = ", ".join(design.instrument_names)
    iv_text_en = f"; within-2SLS with instruments {listed}" if iv else ""
    iv_text_zh = f"；以 {listed} 为工具变量的固定效应两阶段最小二乘" if iv else ""
    return IdentificationResult(
        design=design_name,
        effects=tuple(effects),
        first_stage=None if iv is None else iv.first_stage,
        caveat_en=CAVEAT_EN.format(iv=iv_text_en),
        caveat_zh=CAVEAT_ZH.format(iv=iv_text_zh),
    )
