r"""Full-sample path coefficients with entity-clustered standard errors.

Equations (after the fixed effects are removed, ``X`` the controls and, for two-way effects,
the year dummies):

.. math::

    M_k &= a_k T + X\gamma_k + e_k \qquad (k = 1..K) \\
    Y   &= c\,T + X\gamma_0 + e_0 \qquad \text{(total effect)} \\
    Y   &= c'T + \textstyle\sum_k b_k M_k + X\gamma + e \qquad \text{(parallel mediators)} \\
    Y   &= c'_k T + b^{s}_k M_k + X\gamma^{s}_k + e^{s}_k \qquad \text{(mediator k alone)}

Notes
-----
Cluster-robust covariance, clustered by entity, with Stata's small-sample correction
(:func:`govcluster.core.covariance.cluster_factor`). For the
coefficient vector :math:`\beta` of one equation with regressors ``Z`` (within-transformed),

.. math::

    \hat V = q\,(Z'Z)^{-1}\Big(\sum_{g=1}^{G} Z_g'\hat u_g \hat u_g' Z_g\Big)(Z'Z)^{-1},
    \qquad q = \frac{G}{G-1}\,\frac{n-1}{n-k},

with ``G`` entities, ``n`` observations and ``k`` the number of estimated coefficients
*excluding* the entity effects, which are nested in the clusters, but including the year dummies
and one intercept. This is ``xtreg, fe vce(cluster id)`` (and ``regress, vce(cluster id)`` for
``effects="none"``, where the constant is a regressor). Tests and intervals use the
:math:`t_{G-1}` distribution. By the Frisch-Waugh-Lovell theorem the rows of
:math:`(Z'Z)^{-1}Z'` of the reported coefficients equal :math:`(\tilde Z_I'\tilde Z_I)^{-1}
\tilde Z_I'` with the reported regressors residualised on the nuisance columns, which is how
they are computed.

The influence functions :math:`\psi_g = (Z'Z)^{-1}Z_g'\hat u_g` of all reported coefficients of
all equations are stacked, so the covariance between coefficients of different equations (e.g.
:math:`a_k` and :math:`b_k`, used by the delta method and the Monte Carlo interval) is

.. math::

    \widehat{\operatorname{cov}}(\hat\theta_j, \hat\theta_l)
    = \sqrt{q_j q_l}\sum_g \psi_{gj}\psi_{gl}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from govcluster.core.absorb import group_sums
from govcluster.core.covariance import cluster_factor
from govcluster.mediation.crossprod import CoreSolution, partial_out_nuisance, solve_crossproducts
from govcluster.mediation.design import PanelDesign, unpack_symmetric


@dataclass(frozen=True)
class PathFit:
    """Full-sample coefficients and their joint cluster-robust covariance.

    Attributes
    ----------
    names : tuple of str
        ``a[m]``, ``c``, ``c_prime``, ``b[m]``, ``c_prime_single[m]``, ``b_single[m]``.
    estimates : (n,) array
    cov : (n, n) array
    n_regressors : (n,) int array
        ``k`` of the coefficient's equation in the small-sample correction.
    df_resid : int
        ``G - 1``, the degrees of freedom of the t tests.
    solution : CoreSolution
        The same coefficients as a one-replicate solution (the bootstrap centre).
    r2_mediator, r2_outcome_single : (K,) arrays
        Within R-squared of the mediator equations and of the single-mediator outcome
        equations (``1 - SSR / TSS``, TSS of the within-transformed variable; centred for
        ``effects="none"``).
    r2_total, r2_parallel : float
    nuisance_coef : (n_nuisance, K + 2) array
        Coefficients of the core variables on the nuisance columns (full sample).
    """

    names: tuple[str, ...]
    estimates: np.ndarray
    cov: np.ndarray
    n_regressors: np.ndarray
    df_resid: int
    solution: CoreSolution
    r2_mediator: np.ndarray
    r2_outcome_single: np.ndarray
    r2_total: float
    r2_parallel: float
    nuisance_coef: np.ndarray

    @property
    def se(self) -> np.ndarray:
        """Standard errors: square roots of the diagonal of :attr:`cov`."""
        return np.sqrt(np.diag(self.cov))

    def index(self, name: str) -> int:
        """Position of coefficient ``name`` in :attr:`names`."""
        return self.names.index(name)

    def table(self, ci_level: float) -> pd.DataFrame:
        """Estimate, se, t, pvalue, ci_lower, ci_upper and k of every coefficient."""
        se = self.se
        with np.errstate(divide="ignore", invalid="ignore"):
            t = self.estimates / se
        p = 2.0 * stats.t.sf(np.abs(t), self.df_resid)
        crit = stats.t.ppf(0.5 + ci_level / 2.0, self.df_resid)
        return pd.DataFrame(
            {
                "estimate": self.estimates,
                "se": se,
                "t": t,
                "pvalue": p,
                "ci_lower": self.estimates - crit * se,
                "ci_upper": self.estimates + crit * se,
                "k": self.n_regressors,
            },
            index=pd.Index(self.names, name="coefficient"),
        )


def _r2(resid: np.ndarray, target: np.ndarray, centre: bool) -> np.ndarray:
    if centre:
        target = target - target.mean(axis=0)
    tss = np.einsum("i...,i...->...", target, target)
    ssr = np.einsum("i...,i...->...", resid, resid)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - ssr / tss


def fit_paths(design: PanelDesign, total_xp: np.ndarray) -> PathFit:
    """Estimate all equations on the full sample.

    Parameters
    ----------
    design : PanelDesign
    total_xp : (p(p+1)/2,) array
        Sum of the per-entity cross-products (the full-sample :math:`G'G`).

    Returns
    -------
    PathFit
    """
    k_med = design.n_mediators
    n_core = design.n_core
    p = design.n_columns
    matrices = unpack_symmetric(total_xp[None, :], p)
    sol = solve_crossproducts(matrices, k_med)
    if sol.degenerate[0]:
        raise RuntimeError("full-sample system is singular although the design was checked")
    mat = design.matrix
    core, nuis = mat[:, :n_core], mat[:, n_core:]
    if nuis.shape[1]:
        a_nn = matrices[0, n_core:, n_core:]
        a_nv = matrices[0, n_core:, :n_core]
        coef = np.linalg.solve(a_nn, a_nv)
        core = core - nuis @ coef
    else:
        coef = np.zeros((0, n_core))
    s, _ = partial_out_nuisance(matrices, n_core)
    s = s[0]
    t_ = core[:, 0]
    m_ = core[:, 1 : k_med + 1]
    y_ = core[:, k_med + 1]
    a = sol.a[0]
    c = sol.c[0]
    c_prime = sol.c_prime[0]
    b = sol.b[0]
    cps = sol.c_prime_single[0]
    bs = sol.b_single[0]

    codes = design.entity_codes
    g = design.n_entities
    n = design.n_obs

    def esum(v: np.ndarray) -> np.ndarray:
        return group_sums(v, codes, g)[:, 0]

    u_a = m_ - t_[:, None] * a
    u_c = y_ - c * t_
    u_par = y_ - c_prime * t_ - m_ @ b
    u_single = y_[:, None] - cps * t_[:, None] - bs * m_

    s_tt = s[0, 0]
    psi: list[np.ndarray] = []
    names: list[str] = []
    n_reg: list[int] = []
    n_nuis = nuis.shape[1]
    extra = design.absorbed_intercept
    for j, m in enumerate(design.mediators):
        psi.append(esum(t_ * u_a[:, j]) / s_tt)
        names.append(f"a[{m}]")
        n_reg.append(1 + n_nuis + extra)
    psi.append(esum(t_ * u_c) / s_tt)
    names.append("c")
    n_reg.append(1 + n_nuis + extra)
    x_par = core[:, : k_med + 1]
    score = np.column_stack([esum(x_par[:, j] * u_par) for j in range(k_med + 1)])
    infl = np.linalg.solve(s[: k_med + 1, : k_med + 1], score.T).T
    psi.extend(infl.T)
    names.append("c_prime")
    names.extend(f"b[{m}]" for m in design.mediators)
    n_reg.extend([1 + k_med + n_nuis + extra] * (k_med + 1))
    single_c: list[np.ndarray] = []
    single_b: list[np.ndarray] = []
    for j in range(k_med):
        idx = [0, j + 1]
        sys2 = s[np.ix_(idx, idx)]
        u = u_single[:, j]
        score = np.column_stack([esum(t_ * u), esum(m_[:, j] * u)])
        infl = np.linalg.solve(sys2, score.T).T
        single_c.append(infl[:, 0])
        single_b.append(infl[:, 1])
    psi.extend(single_c)
    names.extend(f"c_prime_single[{m}]" for m in design.mediators)
    psi.extend(single_b)
    names.extend(f"b_single[{m}]" for m in design.mediators)
    n_reg.extend([2 + n_nuis + extra] * (2 * k_med))

    n_reg_arr = np.asarray(n_reg)
    q = cluster_factor(g, n, n_reg_arr)
    infl_mat = np.column_stack(psi) * np.sqrt(q)[None, :]
    cov = infl_mat.T @ infl_mat
    estimates = np.concatenate([a, [c, c_prime], b, cps, bs])

    centre = design.effects == "none"
    raw = design.matrix[:, :n_core]
    r2_med = _r2(u_a, raw[:, 1 : k_med + 1], centre)
    r2_single = _r2(u_single, np.repeat(raw[:, [k_med + 1]], k_med, axis=1), centre)
    r2_total = float(_r2(u_c, raw[:, k_med + 1], centre))
    r2_par = float(_r2(u_par, raw[:, k_med + 1], centre))
    return PathFit(
        names=tuple(names),
        estimates=estimates,
        cov=cov,
        n_regressors=n_reg_arr,
        df_resid=g - 1,
        solution=sol,
        r2_mediator=np.asarray(r2_med),
        r2_outcome_single=np.asarray(r2_single),
        r2_total=r2_total,
        r2_parallel=r2_par,
        nuisance_coef=coef,
    )
