r"""Least squares with many fixed effects absorbed, and cluster-robust standard errors.

For firm-level panels (millions of firm-years, firm and year effects, possibly industry x year
or province x year cells) the dummies cannot be formed. :func:`fit_hdfe` absorbs the effects
from the outcome and the regressors together (:func:`govcluster.core.absorb.absorb`: exact
within transformations where they exist, alternating projections otherwise) and solves the
least-squares problem of the absorbed columns (Frisch-Waugh-Lovell). The covariance is the
one-way cluster-robust sandwich with the factor

.. math:: q = \frac{G}{G-1}\,\frac{N-1}{N-K},

where :math:`K` counts the regressors and the fixed effects that are not nested in the
clusters: :math:`K = k + \sum_e L_e - (E - 1) - \sum_{e\ \mathrm{nested}} (L_e - 1)` for
:math:`E` effects with :math:`L_e` levels (one level of every effect but the first is
redundant; an effect whose every level lies in one cluster adds nothing but that redundancy).
This is fixest's ``fixef.K = "nested"`` and pyfixest's default
``ssc(k_adj=True, k_fixef="nonnested", G_adj=True)``, checked against
``pyfixest.feols(..., vcov={"CRV1": cluster})`` in ``tests/core/test_hdfe.py``.

Singletons (rows alone in a level of some effect, found repeatedly until none is left) are
dropped by default, as ``reghdfe`` and pyfixest (``fixef_rm="singleton"``) do: they are fitted
perfectly, leave the coefficients unchanged and would only overstate the degrees of freedom
(Correia 2015). Their number is reported in :class:`HDFEFit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from govcluster.core.absorb import (
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    AbsorbRequest,
    absorb_coded,
    group_codes,
)
from govcluster.core.covariance import cluster_factor
from govcluster.errors import EstimationError


@dataclass(frozen=True)
class HDFEFit:
    """Coefficients of a least-squares fit with absorbed fixed effects.

    Attributes
    ----------
    names : tuple of str
        Regressor names, in the order of :attr:`coef`.
    coef, std_error : numpy.ndarray
        Estimates and cluster-robust standard errors.
    vcov : numpy.ndarray
        Their covariance.
    n_obs, n_clusters : int
        Rows used and clusters of the covariance.
    n_singletons : int
        Rows dropped as singletons (0 with ``drop_singletons=False``).
    n_levels : tuple of int
        Levels of each absorbed effect.
    dof_k : int
        :math:`K` of the small-sample factor (regressors and non-nested effects).
    absorb_method : str
        ``one_way``, ``two_way_balanced``, ``within_dense``, ``within_cg`` or
        ``alternating_projections`` (:mod:`govcluster.core.absorb`).
    iterations : int
        Iterations of the absorption (conjugate gradients or sweeps of the alternating
        projections; 0 for the exact methods).
    converged : bool
    residuals : numpy.ndarray or None
        Residuals of the rows used (``keep_residuals=True``), else None.
    ssr : float
        Sum of squared residuals.
    tss_within : float
        Sum of squares of the absorbed outcome (the within R-squared is
        ``1 - ssr / tss_within``).
    """

    names: tuple[str, ...]
    coef: np.ndarray
    std_error: np.ndarray
    vcov: np.ndarray
    n_obs: int
    n_clusters: int
    n_singletons: int
    n_levels: tuple[int, ...]
    dof_k: int
    absorb_method: str
    iterations: int
    converged: bool
    residuals: np.ndarray | None = None
    ssr: float = float("nan")
    tss_within: float = float("nan")


def fit_hdfe(
    y: np.ndarray,
    X: np.ndarray,
    effects: Sequence[np.ndarray],
    *,
    cluster: np.ndarray,
    names: Sequence[str] | None = None,
    drop_singletons: bool = True,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    method: AbsorbRequest = "auto",
    keep_residuals: bool = False,
) -> HDFEFit:
    """Regress ``y`` on ``X`` with the fixed ``effects`` absorbed; cluster by ``cluster``.

    Parameters
    ----------
    y : numpy.ndarray, shape (n,)
        Outcome.
    X : numpy.ndarray, shape (n, k)
        Regressors (no intercept: the effects absorb it).
    effects : sequence of numpy.ndarray
        One key array of length ``n`` per effect (firm, year, or an interacted cell such as
        :func:`govcluster.core.absorb.interaction_codes` of industry and year).
    cluster : numpy.ndarray, shape (n,)
        Cluster of each row (e.g. the cluster or the province of the firm).
    names : sequence of str, optional
        Regressor names (default ``x0, x1, ...``).
    drop_singletons : bool
        Drop singleton rows first (module docstring).
    tol, max_iter
        Convergence settings of the iterative absorptions
        (:func:`govcluster.core.absorb.absorb`).
    method : {"auto", "alternating_projections"}
        The absorption (:func:`govcluster.core.absorb.absorb`): ``auto`` is exact
        (within the largest effect, the others partialled out).
    keep_residuals : bool
        Keep the residuals in the result (memory of one column).

    Returns
    -------
    HDFEFit

    Raises
    ------
    EstimationError
        Missing values, fewer than two clusters, or a regressor the effects absorb entirely.
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    n, k = X.shape
    names = tuple(names) if names is not None else tuple(f"x{j}" for j in range(k))
    if len(names) != k:
        raise EstimationError(f"fit_hdfe: {len(names)} names for {k} regressors")
    if len(y) != n or len(cluster) != n or any(len(e) != n for e in effects):
        raise EstimationError("fit_hdfe: y, X, the effects and the clusters differ in length")
    if not (np.isfinite(y).all() and np.isfinite(X).all()):
        raise EstimationError(
            "fit_hdfe: the outcome or a regressor has missing or infinite values; drop those "
            "rows first (the fit does not drop rows silently)"
        )
    codes = [group_codes(keys)[0] for keys in effects]
    cluster_codes = group_codes(cluster)[0]
    n_singletons = 0
    keep = None
    if drop_singletons and codes:
        keep, kept_counts = _singleton_drop(codes)
        n_singletons = int(n - keep.sum())
        if n_singletons:
            # renumber the levels left (a level of singletons only disappears)
            codes = [
                _kept_codes(c, keep, count) for c, count in zip(codes, kept_counts, strict=True)
            ]
            cluster_codes = _kept_codes(cluster_codes, keep)
        else:
            keep = None
    n_used = n - n_singletons
    n_levels = tuple(int(c.max()) + 1 if len(c) else 0 for c in codes)
    # one column-major block [y, X] of the rows used, transformed in place
    stacked = np.empty((n_used, k + 1), order="F")
    _copy_rows(y, keep, stacked[:, 0])
    for j in range(k):
        _copy_rows(X[:, j], keep, stacked[:, j + 1])
    scale = np.sqrt(
        np.array([_sum_of_squares(stacked[:, j + 1]) for j in range(k)]) / max(n_used, 1)
    )
    absorbed = absorb_coded(
        stacked, codes, n_levels, tol=tol, max_iter=max_iter, method=method, overwrite=True
    )
    y_tilde, x_tilde = stacked[:, 0], stacked[:, 1:]
    gram = x_tilde.T @ x_tilde
    spread = np.sqrt(np.diag(gram) / max(n_used, 1))
    absorbed_out = spread <= 1e-9 * np.where(scale > 0, scale, 1.0)
    if absorbed_out.any():
        listed = ", ".join(name for name, gone in zip(names, absorbed_out, strict=True) if gone)
        raise EstimationError(
            f"fit_hdfe: the fixed effects absorb {listed} entirely (it does not vary within "
            "their cells); remove it from the regressors or absorb fewer effects"
        )
    _check_full_rank(gram, names)
    coef = np.linalg.solve(gram, x_tilde.T @ y_tilde)
    tss_within = float(np.dot(y_tilde, y_tilde))
    # residuals in the outcome's column, scores through one buffer: no n x k temporaries
    resid = y_tilde
    scratch = np.empty(n_used)
    resid -= np.dot(x_tilde, coef, out=scratch)
    n_clusters = int(cluster_codes.max()) + 1 if n_used else 0
    if n_clusters < 2:
        raise EstimationError("fit_hdfe: cluster-robust errors need at least two clusters")
    sums = np.empty((n_clusters, k))
    for j in range(k):
        scores = np.multiply(x_tilde[:, j], resid, out=scratch)
        sums[:, j] = np.bincount(cluster_codes, weights=scores, minlength=n_clusters)
    bread = np.linalg.inv(gram)
    dof_k = k + _fixed_effect_dof(codes, n_levels, cluster_codes, n_clusters)
    vcov = cluster_factor(n_clusters, n_used, dof_k) * bread @ (sums.T @ sums) @ bread
    vcov = (vcov + vcov.T) / 2
    return HDFEFit(
        names=names,
        coef=coef,
        std_error=np.sqrt(np.diag(vcov)),
        vcov=vcov,
        n_obs=n_used,
        n_clusters=n_clusters,
        n_singletons=n_singletons,
        n_levels=n_levels,
        dof_k=dof_k,
        absorb_method=absorbed.method,
        iterations=absorbed.iterations,
        converged=absorbed.converged,
        residuals=resid.copy() if keep_residuals else None,
        ssr=float(np.dot(resid, resid)),
        tss_within=tss_within,
    )


def _check_full_rank(gram: np.ndarray, names: Sequence[str]) -> None:
    """Raise naming the first regressor that the earlier ones (after absorbing) span."""
    scale = np.sqrt(np.diag(gram))
    scaled = gram / np.outer(scale, scale)
    for j in range(1, len(names)):
        if np.linalg.eigvalsh(scaled[: j + 1, : j + 1])[0] <= 1e-10:
            earlier = ", ".join(names[:j])
            raise EstimationError(
                f"fit_hdfe: {names[j]} is collinear with {earlier} once the fixed effects are "
                "absorbed; remove one of them"
            )


def _kept_codes(
    codes: np.ndarray, keep: np.ndarray, counts: np.ndarray | None = None
) -> np.ndarray:
    """Codes of the rows kept, renumbered only if a level lost all its rows.

    ``counts``, the rows each level keeps, saves counting them again.
    """
    kept = codes[keep]
    if counts is None:
        counts = np.bincount(kept, minlength=int(codes.max()) + 1)
    present = counts > 0
    if present.all():
        return kept
    return (np.cumsum(present) - 1)[kept]


def _copy_rows(source: np.ndarray, keep: np.ndarray | None, out: np.ndarray) -> None:
    """``out[:] = source[keep]`` (or ``source`` when ``keep`` is None) without a temporary.

    With few rows dropped (singletons are usually a handful) the runs of kept rows are copied
    as slices, which is several times faster than a boolean selection.
    """
    if keep is None:
        np.copyto(out, source)
        return
    dropped = np.flatnonzero(~keep)
    if len(dropped) > _FEW_DROPPED:
        np.compress(keep, source, out=out)
        return
    start, position = 0, 0
    for row in (*dropped.tolist(), len(source)):
        size = row - start
        if size:
            out[position : position + size] = source[start:row]
            position += size
        start = row + 1


#: Up to this many dropped rows, the kept rows are copied run by run.
_FEW_DROPPED = 10_000


def _sum_of_squares(column: np.ndarray) -> float:
    return float(np.dot(column, column))


def fixed_effect_dof(effects: Sequence[np.ndarray], cluster_codes: np.ndarray) -> int:
    r"""Degrees of freedom the fixed effects take from the cluster-robust factor.

    Parameters
    ----------
    effects : sequence of numpy.ndarray
        Key arrays of the absorbed effects.
    cluster_codes : numpy.ndarray of int
        Codes ``0 .. G-1`` of the clusters.

    Returns
    -------
    int
        :math:`\sum_e L_e - (E - 1) - \sum_{e\ \mathrm{nested}} (L_e - 1)` (module docstring).
    """
    codes = [group_codes(keys)[0] for keys in effects]
    n_levels = tuple(int(c.max()) + 1 if len(c) else 0 for c in codes)
    n_clusters = int(cluster_codes.max()) + 1 if len(cluster_codes) else 0
    return _fixed_effect_dof(codes, n_levels, np.asarray(cluster_codes), n_clusters)


def _fixed_effect_dof(
    codes: Sequence[np.ndarray],
    n_levels: Sequence[int],
    cluster_codes: np.ndarray,
    n_clusters: int,
) -> int:
    """:func:`fixed_effect_dof` of coded effects; nesting found in one pass (no sort)."""
    total = 0
    for position, (level_codes, levels) in enumerate(zip(codes, n_levels, strict=True)):
        if levels < n_clusters:  # the levels of a nested effect cover every cluster
            total += levels - (1 if position > 0 else 0)
            continue
        first_cluster = np.full(levels, -1, dtype=np.int64)
        first_cluster[level_codes] = cluster_codes  # the last row of each level wins
        nested = bool(np.array_equal(first_cluster[level_codes], cluster_codes))
        total += (1 if nested else levels) - (1 if position > 0 else 0)
    return total


def non_singleton_rows(effect_codes: Sequence[np.ndarray]) -> np.ndarray:
    """Rows left after dropping singletons of every effect, repeatedly until none is left.

    Parameters
    ----------
    effect_codes : sequence of numpy.ndarray of int
        Codes ``0 .. L-1`` of each effect.

    Returns
    -------
    numpy.ndarray of bool
        True for the rows kept.
    """
    return _singleton_drop(effect_codes)[0]


def _singleton_drop(effect_codes: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """:func:`non_singleton_rows`, and the rows each level keeps.

    The levels are counted once; dropping rows then updates the counts from the dropped rows
    alone, and the rows are searched again only for an effect that has a level with one row.
    """
    n = len(effect_codes[0])
    keep = np.ones(n, dtype=bool)
    counts = [
        np.bincount(codes, minlength=int(codes.max()) + 1 if n else 0) for codes in effect_codes
    ]
    changed = True
    while changed:
        changed = False
        for codes, count in zip(effect_codes, counts, strict=True):
            if not (count == 1).any():
                continue
            single = count[codes] == 1
            single &= keep
            rows = np.flatnonzero(single)
            if len(rows):
                keep[rows] = False
                for other, other_count in zip(effect_codes, counts, strict=True):
                    np.subtract.at(other_count, other[rows], 1)
                changed = True
    return keep, counts
