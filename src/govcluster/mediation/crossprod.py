r"""From summed cross-product matrices to the coefficients of every equation of the analysis.

Given :math:`A = \sum_i w_i G_i'G_i` (one matrix per bootstrap replicate, jackknife sample or
the full sample, stacked as ``(b, p, p)``), every equation is solved without touching the rows.

Notes
-----
Write the core variables :math:`V = [T, M_1..M_K, Y]` and the nuisance columns ``N``. The
nuisance block is partialled out once (Frisch-Waugh-Lovell):

.. math::

    S = A_{VV} - A_{VN} A_{NN}^{+} A_{NV},

the cross-products of the core variables residualised on ``N``. :math:`A_{NN}^{+}` is computed
from the eigen-decomposition of the unit-diagonal scaled :math:`A_{NN}`, with eigenvalues below
``RANK_TOL`` times the largest treated as zero: this is the pseudo-inverse, which gives the exact
residualised cross-products even when a replicate lacks a period (an all-zero year dummy)
because :math:`A_{NV}` lies in the column space of :math:`A_{NN}`. Such replicates are flagged
``nuisance_deficient`` but are valid. The equations are then

.. math::

    a_k = S_{TM_k}/S_{TT}, \qquad c = S_{TY}/S_{TT},

    \begin{pmatrix} c' \\ b \end{pmatrix} =
    \begin{pmatrix} S_{TT} & S_{TM} \\ S_{MT} & S_{MM} \end{pmatrix}^{-1}
    \begin{pmatrix} S_{TY} \\ S_{MY} \end{pmatrix} \quad\text{(parallel)},

and the single-mediator outcome equation of mediator ``k`` is the 2x2 version with
:math:`M_k` only. The residual moments of the mediator and total-effect equations give the
inputs of the sensitivity analysis of :mod:`govcluster.mediation.causal`:
:math:`\tilde\rho_k = \operatorname{corr}(\varepsilon_{1}, \varepsilon_{2k})` and
:math:`\sigma_1/\sigma_{2k}`.

A replicate is *degenerate* when a reported coefficient is not identified in it: the treatment
has no variation left (:math:`S_{TT}` below ``IDENT_TOL`` times its raw sum of squares), the
parallel system or a single-mediator system is singular (smallest eigenvalue of its
unit-diagonal scaling below ``IDENT_TOL``), or a result is not finite. Its statistics are NaN
and it is counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from govcluster.records.mediation import TOTAL as RECORD_TOTAL

#: Eigenvalues of the scaled nuisance block below this share of the largest are treated as 0.
RANK_TOL = 1e-10
#: Relative size under which a core system is treated as singular.
IDENT_TOL = 1e-10

#: Per-mediator statistics, in the order of :func:`statistic_names`.
MEDIATOR_STATS = (
    "a",
    "b",
    "indirect",
    "proportion",
    "b_single",
    "c_prime_single",
    "indirect_single",
    "proportion_single",
    "rho_tilde",
    "sigma_ratio",
)
#: Label of the total indirect effect (the sum over mediators) in every table and record
#: (defined with the records, so that reading a record does not import the estimators).
TOTAL = RECORD_TOTAL


@dataclass(frozen=True)
class CoreSolution:
    """Coefficients of every equation for a stack of ``b`` cross-product matrices.

    Attributes
    ----------
    a : (b, K) array
        Treatment coefficient in the mediator equations.
    c : (b,) array
        Total effect (treatment coefficient without mediators).
    c_prime, b : (b,) and (b, K) arrays
        Direct effect and mediator coefficients of the parallel outcome equation.
    c_prime_single, b_single : (b, K) arrays
        The same in the outcome equation with mediator ``k`` alone.
    rho_tilde, sigma_ratio : (b, K) arrays
        Correlation of the total-effect and mediator-equation residuals, and the ratio of
        their standard deviations (total over mediator).
    degenerate, nuisance_deficient : (b,) bool arrays
    """

    a: np.ndarray
    c: np.ndarray
    c_prime: np.ndarray
    b: np.ndarray
    c_prime_single: np.ndarray
    b_single: np.ndarray
    rho_tilde: np.ndarray
    sigma_ratio: np.ndarray
    degenerate: np.ndarray
    nuisance_deficient: np.ndarray


def partial_out_nuisance(matrices: np.ndarray, n_core: int) -> tuple[np.ndarray, np.ndarray]:
    """Residualised cross-products of the core variables.

    Parameters
    ----------
    matrices : (b, p, p) array
        Cross-product matrices, core columns first.
    n_core : int

    Returns
    -------
    S : (b, n_core, n_core) array
    deficient : (b,) bool array
        True where the nuisance block is rank deficient (pseudo-inverse used).
    """
    a_vv = matrices[:, :n_core, :n_core]
    b = matrices.shape[0]
    if matrices.shape[1] == n_core:
        return a_vv.copy(), np.zeros(b, dtype=bool)
    a_nn = matrices[:, n_core:, n_core:]
    a_nv = matrices[:, n_core:, :n_core]
    scale = np.sqrt(np.clip(np.diagonal(a_nn, axis1=1, axis2=2), 0.0, None))
    scale = np.where(scale > 0.0, scale, 1.0)
    scaled = a_nn / (scale[:, :, None] * scale[:, None, :])
    lam, vec = np.linalg.eigh(scaled)
    top = np.maximum(lam[:, -1:], np.finfo(float).tiny)
    keep = lam > RANK_TOL * top
    inv = np.zeros_like(lam)
    np.divide(1.0, lam, out=inv, where=keep)
    proj = np.matmul(vec.transpose(0, 2, 1), a_nv / scale[:, :, None])
    s = a_vv - np.matmul(proj.transpose(0, 2, 1), proj * inv[:, :, None])
    s = 0.5 * (s + s.transpose(0, 2, 1))
    return s, ~keep.all(axis=1)


def _solve_scaled(system: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve a stack of symmetric systems; NaN and flag where singular."""
    diag = np.diagonal(system, axis1=1, axis2=2)
    scale = np.sqrt(np.clip(diag, 0.0, None))
    ok = (scale > 0.0).all(axis=1)
    scale = np.where(scale > 0.0, scale, 1.0)
    scaled = system / (scale[:, :, None] * scale[:, None, :])
    lam = np.linalg.eigvalsh(scaled)
    ok &= lam[:, 0] > IDENT_TOL * np.maximum(lam[:, -1], np.finfo(float).tiny)
    out = np.full(rhs.shape, np.nan)
    if ok.any():
        sol = np.linalg.solve(scaled[ok], (rhs[ok] / scale[ok])[..., None])[..., 0]
        out[ok] = sol / scale[ok]
    return out, ~ok


def solve_crossproducts(
    matrices: np.ndarray, n_mediators: int, *, reference: np.ndarray | None = None
) -> CoreSolution:
    """Solve every equation for a stack of cross-product matrices.

    Parameters
    ----------
    matrices : (b, p, p) array
        Core columns first: treatment, ``n_mediators`` mediators, outcome; then nuisance.
    n_mediators : int
    reference : (n_core,) array, optional
        Sums of squares of the core columns in the full sample. A treatment or mediator whose
        residualised sum of squares in a replicate is below ``IDENT_TOL`` times its reference
        has no identifying variation there (this is a scale-free test even when the
        replicate's own variation is rounding noise). Default: each matrix's own diagonal.

    Returns
    -------
    CoreSolution
    """
    k = n_mediators
    n_core = k + 2
    s, deficient = partial_out_nuisance(matrices, n_core)
    raw_diag = np.diagonal(matrices, axis1=1, axis2=2)[:, :n_core]
    if reference is not None:
        raw_diag = np.broadcast_to(np.asarray(reference, dtype=float), raw_diag.shape)
    s_tt = s[:, 0, 0]
    s_tm = s[:, 0, 1 : k + 1]
    s_ty = s[:, 0, k + 1]
    s_mm = np.diagonal(s, axis1=1, axis2=2)[:, 1 : k + 1]
    s_my = s[:, 1 : k + 1, k + 1]
    s_yy = s[:, k + 1, k + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        absorbed = ~(s_tt > IDENT_TOL * raw_diag[:, 0])
        safe_tt = np.where(absorbed, 1.0, s_tt)
        a = s_tm / safe_tt[:, None]
        c = s_ty / safe_tt
        system = s[:, : k + 1, : k + 1]
        rhs = s[:, : k + 1, k + 1]
        par, par_singular = _solve_scaled(system, rhs)
        par_singular |= ~(s_mm > IDENT_TOL * raw_diag[:, 1 : k + 1]).all(axis=1)
        det = s_tt[:, None] * s_mm - s_tm**2
        single_singular = ~(det > IDENT_TOL * s_tt[:, None] * s_mm) | ~(
            s_mm > IDENT_TOL * raw_diag[:, 1 : k + 1]
        )
        safe_det = np.where(single_singular, 1.0, det)
        c_prime_single = (s_mm * s_ty[:, None] - s_tm * s_my) / safe_det
        b_single = (s_tt[:, None] * s_my - s_tm * s_ty[:, None]) / safe_det
        e_m = s_mm - s_tm**2 / safe_tt[:, None]
        e_y = s_yy - s_ty**2 / safe_tt
        cov = s_my - s_tm * s_ty[:, None] / safe_tt[:, None]
        rho_tilde = cov / np.sqrt(e_m * e_y[:, None])
        sigma_ratio = np.sqrt(e_y[:, None] / e_m)
    degenerate = absorbed | par_singular | single_singular.any(axis=1)
    core = np.column_stack([a, c, par, c_prime_single, b_single])
    degenerate |= ~np.isfinite(core).all(axis=1)
    nan = np.where(degenerate, np.nan, 1.0)
    return CoreSolution(
        a=a * nan[:, None],
        c=c * nan,
        c_prime=par[:, 0] * nan,
        b=par[:, 1:] * nan[:, None],
        c_prime_single=c_prime_single * nan[:, None],
        b_single=b_single * nan[:, None],
        rho_tilde=rho_tilde * nan[:, None],
        sigma_ratio=sigma_ratio * nan[:, None],
        degenerate=degenerate,
        nuisance_deficient=deficient,
    )


def contrast_pairs(mediators: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs ``(j, k)``, ``j < k``, of the pairwise contrasts."""
    n = len(mediators)
    return [(j, k) for j in range(n) for k in range(j + 1, n)]


def statistic_names(mediators: Sequence[str]) -> tuple[str, ...]:
    """Names of the columns of :func:`statistics_matrix`.

    ``"<stat>[<mediator>]"`` for each of :data:`MEDIATOR_STATS` and mediator, then ``"c"``,
    ``"c_prime"``, ``"indirect[TOTAL]"``, ``"proportion[TOTAL]"`` and the pairwise contrasts
    ``"contrast[<m_j>-<m_k>]"`` (:math:`a_jb_j - a_kb_k`, parallel model).
    """
    names = [f"{stat}[{m}]" for stat in MEDIATOR_STATS for m in mediators]
    names += ["c", "c_prime", f"indirect[{TOTAL}]", f"proportion[{TOTAL}]"]
    names += [f"contrast[{mediators[j]}-{mediators[k]}]" for j, k in contrast_pairs(mediators)]
    return tuple(names)


def statistics_matrix(sol: CoreSolution) -> np.ndarray:
    r"""Every reported statistic of every replicate, as a ``(b, n_stats)`` array.

    Notes
    -----
    With :math:`c` the total effect, the specific indirect effects are :math:`a_kb_k` (parallel
    model) and :math:`a_kb_k^{\text{single}}` (mediator alone), the proportions mediated are
    indirect over :math:`c`, the total indirect effect is :math:`\sum_k a_kb_k`, and the
    contrasts are :math:`a_jb_j - a_kb_k`.
    """
    indirect = sol.a * sol.b
    indirect_single = sol.a * sol.b_single
    total = indirect.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        proportion = indirect / sol.c[:, None]
        proportion_single = indirect_single / sol.c[:, None]
        proportion_total = total / sol.c
    blocks = [
        sol.a,
        sol.b,
        indirect,
        proportion,
        sol.b_single,
        sol.c_prime_single,
        indirect_single,
        proportion_single,
        sol.rho_tilde,
        sol.sigma_ratio,
        sol.c[:, None],
        sol.c_prime[:, None],
        total[:, None],
        proportion_total[:, None],
    ]
    k = sol.a.shape[1]
    pairs = contrast_pairs(range(k))
    if pairs:
        blocks.append(np.column_stack([indirect[:, j] - indirect[:, m] for j, m in pairs]))
    return np.column_stack(blocks)
