"""Partial fixed effects out of the outcome and the regressors (Frisch-Waugh-Lovell)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from govcluster.errors import EstimationError


def partial_out_fixed_effects(
    matrix: np.ndarray,
    fixed_effects: Sequence[np.ndarray],
    *,
    tolerance: float = 1e-12,
    max_iterations: int = 10_000,
) -> np.ndarray:
    """Residualise the columns of ``matrix`` on one or more sets of fixed effects.

    Parameters
    ----------
    matrix : ndarray, shape (n,) or (n, p)
        Columns to residualise.
    fixed_effects : sequence of ndarray of shape (n,)
        Integer group codes, one array per fixed-effect dimension (entity, year, ...).
    tolerance : float
        Alternating projections stop when no column moves by more than ``tolerance`` times
        its scale.
    max_iterations : int
        Upper bound on the sweeps.

    Returns
    -------
    ndarray
        The residuals of ``matrix`` on the dummies of all fixed-effect dimensions.

    Notes
    -----
    One dimension is a group demeaning. With several, the method of alternating projections
    (Guimaraes and Portugal 2010; Gaure 2013) demeans by each dimension in turn until the
    result no longer changes; for a balanced two-way panel one sweep is exact.
    """
    out = np.array(matrix, dtype=float, copy=True)
    squeeze = out.ndim == 1
    if squeeze:
        out = out[:, None]
    codes = [np.unique(np.asarray(fe), return_inverse=True)[1] for fe in fixed_effects]
    for c in codes:
        if c.shape[0] != out.shape[0]:
            raise EstimationError(
                f"a fixed-effect code array has {c.shape[0]} rows but the data have "
                f"{out.shape[0]}; pass one code per observation."
            )
    if not codes:
        return out[:, 0] if squeeze else out
    scale = np.maximum(np.abs(out).max(axis=0), 1.0)
    for _ in range(max_iterations):
        before = out.copy()
        for c in codes:
            counts = np.bincount(c)
            means = (
                np.column_stack(
                    [
                        np.bincount(c, weights=out[:, j], minlength=counts.size)
                        for j in range(out.shape[1])
                    ]
                )
                / counts[:, None]
            )
            out -= means[c]
        if len(codes) == 1 or np.max(np.abs(out - before) / scale) < tolerance:
            break
    else:
        raise EstimationError(
            f"partialling out {len(codes)} sets of fixed effects did not converge in "
            f"{max_iterations} sweeps; check for singleton or disconnected groups."
        )
    return out[:, 0] if squeeze else out
