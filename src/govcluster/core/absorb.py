r"""Group codes, design matrices and the absorption of fixed effects.

Absorbing a set of fixed effects means replacing every column :math:`x` by its residual
:math:`M_D x` on the dummies :math:`D` of the effects; by the Frisch-Waugh-Lovell theorem a
regression on the absorbed columns gives the coefficients (and residuals) of the regression
with all the dummies. :func:`absorb` takes any number of effects, each a key per row (entity,
year, or any categorical key such as an industry-by-year cell, see :func:`interaction_codes`):

one effect
    the within transformation :math:`x_{it} - \bar x_{i}`, exact (:func:`demean`);
two effects, balanced
    every pair of levels observed exactly once, so
    :math:`x_{it} - \bar x_{i\cdot} - \bar x_{\cdot t} + \bar x`, exact;
otherwise
    the method of alternating projections (Guimaraes and Portugal 2010; Gaure 2013): demean
    by each effect in turn until a full sweep changes no column by more than ``tol`` times
    its largest absolute value; the number of sweeps is reported in :class:`Absorbed`.

Everything is vectorised over rows (``np.bincount`` on integer codes); the only Python loops
run over columns and sweeps, never over groups, so a panel of millions of rows is handled in
memory proportional to the data.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from govcluster.errors import GovclusterWarning

AbsorbMethod = Literal["none", "one_way", "two_way_balanced", "alternating_projections"]

#: Default convergence tolerance of the alternating projections (relative change per sweep).
DEFAULT_TOL = 1e-10
#: Default maximum number of sweeps of the alternating projections.
DEFAULT_MAX_ITER = 10_000


class AbsorptionWarning(GovclusterWarning):
    """The alternating projections stopped before reaching the tolerance."""


def group_codes(keys: pd.Series | np.ndarray | Sequence) -> tuple[np.ndarray, tuple]:
    """Integer codes ``0 .. G-1`` of the keys, in sorted label order.

    Parameters
    ----------
    keys : array-like
        One key per row (no missing values).

    Returns
    -------
    codes : numpy.ndarray of int64
    labels : tuple
        The label of each code. Keys that cannot be sorted together (mixed types) are sorted
        as text.
    """
    series = keys if isinstance(keys, pd.Series) else pd.Series(np.asarray(keys))
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(series.astype(str), sort=True)
    return codes.astype(np.int64), tuple(uniques.tolist())


def interaction_codes(*codes: np.ndarray) -> np.ndarray:
    """Codes of the cells of several keys (e.g. industry x year), ``0 .. C-1``.

    Parameters
    ----------
    *codes : numpy.ndarray of int
        Integer codes ``0 .. G_k - 1`` of each key, one per row.

    Returns
    -------
    numpy.ndarray of int64
        One code per observed combination, numbered in sorted order of the combinations.
    """
    if not codes:
        raise ValueError("interaction_codes needs at least one key")
    index = pd.MultiIndex.from_arrays([np.asarray(c) for c in codes])
    return pd.factorize(index, sort=True)[0].astype(np.int64)


def _n_groups(codes: np.ndarray, n_groups: int | None) -> int:
    """``n_groups`` if given, else one more than the largest code."""
    if n_groups is not None:
        return int(n_groups)
    return int(codes.max()) + 1 if len(codes) else 0


def group_sums(values: np.ndarray, codes: np.ndarray, n_groups: int | None = None) -> np.ndarray:
    """Column sums of ``values`` within each group.

    Parameters
    ----------
    values : numpy.ndarray
        ``(n,)`` or ``(n, m)``.
    codes : numpy.ndarray of int
        ``(n,)`` group codes ``0 .. G-1``.
    n_groups : int, optional
        ``G``; default ``codes.max() + 1``.

    Returns
    -------
    numpy.ndarray
        ``(G, m)`` sums (rows in code order), accumulated in row order.
    """
    v = np.asarray(values, dtype=float)
    v = v if v.ndim == 2 else v[:, None]
    g = _n_groups(codes, n_groups)
    out = np.empty((g, v.shape[1]))
    for j in range(v.shape[1]):
        out[:, j] = np.bincount(codes, weights=v[:, j], minlength=g)
    return out


def group_means(values: np.ndarray, codes: np.ndarray, n_groups: int | None = None) -> np.ndarray:
    """Column means of ``values`` within each group, ``(G, m)`` (rows in code order).

    Parameters
    ----------
    values : numpy.ndarray
        ``(n,)`` or ``(n, m)``.
    codes : numpy.ndarray of int
        ``(n,)`` group codes ``0 .. G-1``; every code must occur.
    n_groups : int, optional
        ``G``; default ``codes.max() + 1``.

    Returns
    -------
    numpy.ndarray
    """
    g = _n_groups(codes, n_groups)
    counts = np.bincount(codes, minlength=g).astype(float)
    return group_sums(values, codes, g) / counts[:, None]


def demean(values: np.ndarray, codes: np.ndarray, n_groups: int | None = None) -> np.ndarray:
    r"""Subtract from every row the mean of its group (the one-way within transformation).

    Parameters
    ----------
    values : numpy.ndarray
        ``(n,)`` or ``(n, m)``.
    codes : numpy.ndarray of int
        ``(n,)`` group codes ``0 .. G-1``.
    n_groups : int, optional
        ``G``; default ``codes.max() + 1``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``values``: :math:`x_{it} - \bar x_i`, the mean over the group's own
        rows (exact in unbalanced panels).
    """
    v = np.asarray(values, dtype=float)
    two_d = v.ndim == 2
    v = v if two_d else v[:, None]
    out = v - group_means(v, codes, n_groups)[codes]
    return out if two_d else out[:, 0]


def year_dummies(time_codes: np.ndarray, n_periods: int) -> np.ndarray:
    """Dummies of every period but the first (the baseline).

    Parameters
    ----------
    time_codes : numpy.ndarray of int
        ``(n,)`` period codes ``0 .. T-1`` in calendar order.
    n_periods : int
        ``T``.

    Returns
    -------
    numpy.ndarray
        ``(n, T - 1)`` of 0/1; column ``j`` is period ``j + 1``.
    """
    out = np.zeros((len(time_codes), max(int(n_periods) - 1, 0)))
    rows = np.flatnonzero(time_codes > 0)
    out[rows, time_codes[rows] - 1] = 1.0
    return out


@dataclass(frozen=True)
class Absorbed:
    """Columns with the fixed effects removed.

    Attributes
    ----------
    values : numpy.ndarray
        Residuals of every column on the dummies of all the effects (shape of the input).
    method : {"none", "one_way", "two_way_balanced", "alternating_projections"}
    iterations : int
        Sweeps of the alternating projections (0 for the exact methods).
    converged : bool
    max_change : float
        Largest relative change of the last sweep (0 for the exact methods).
    n_levels : tuple of int
        Number of levels of each effect.
    """

    values: np.ndarray
    method: AbsorbMethod
    iterations: int
    converged: bool
    max_change: float
    n_levels: tuple[int, ...]


def _is_balanced_pair(a: np.ndarray, b: np.ndarray, ga: int, gb: int) -> bool:
    """True if every (a, b) combination occurs exactly once."""
    if len(a) != ga * gb:
        return False
    return bool(np.all(np.bincount(a * gb + b, minlength=ga * gb) == 1))


def absorb(
    values: np.ndarray,
    effects: Sequence[np.ndarray],
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> Absorbed:
    """Remove one or several fixed effects from the columns of ``values``.

    Parameters
    ----------
    values : numpy.ndarray
        ``(n,)`` or ``(n, m)`` columns.
    effects : sequence of numpy.ndarray
        One ``(n,)`` array of keys per effect (any labels; see :func:`group_codes` and
        :func:`interaction_codes`).
    tol : float
        Convergence tolerance of the alternating projections: a sweep that changes no column
        by more than ``tol`` times its largest absolute value ends them.
    max_iter : int
        Largest number of sweeps; reaching it issues an :class:`AbsorptionWarning`.

    Returns
    -------
    Absorbed

    Notes
    -----
    See the module docstring for the three methods. The alternating projections converge
    to :math:`M_D x` for any pattern of missing cells (von Neumann-Halperin theorem); their
    rate depends on how well the effects' levels are connected.
    """
    v = np.asarray(values, dtype=float)
    two_d = v.ndim == 2
    v = v if two_d else v[:, None]
    codes = [group_codes(e)[0] for e in effects]
    n_levels = tuple(int(c.max()) + 1 if len(c) else 0 for c in codes)

    def shaped(out: np.ndarray) -> np.ndarray:
        return out if two_d else out[:, 0]

    if not codes:
        return Absorbed(shaped(v.copy()), "none", 0, True, 0.0, n_levels)
    if len(codes) == 1:
        return Absorbed(shaped(demean(v, codes[0], n_levels[0])), "one_way", 0, True, 0.0, n_levels)
    if len(codes) == 2 and _is_balanced_pair(codes[0], codes[1], *n_levels):
        a, b = codes
        out = (
            v
            - group_means(v, a, n_levels[0])[a]
            - group_means(v, b, n_levels[1])[b]
            + v.mean(axis=0)
        )
        return Absorbed(shaped(out), "two_way_balanced", 0, True, 0.0, n_levels)
    scale = np.abs(v).max(axis=0)
    scale[scale == 0] = 1.0
    # Column by column, in place, on a column-major copy: the same arithmetic as demeaning all
    # columns at once (every column is swept on its own), without the temporaries.
    out = np.array(v, dtype=float, order="F", copy=True)
    counts = [
        np.bincount(c, minlength=g).astype(float) for c, g in zip(codes, n_levels, strict=True)
    ]
    before = np.empty_like(out)
    change = np.inf
    sweeps = 0
    while sweeps < max_iter:
        np.copyto(before, out)
        for j in range(out.shape[1]):
            column = out[:, j]
            for c, g, count in zip(codes, n_levels, counts, strict=True):
                column -= (np.bincount(c, weights=column, minlength=g) / count)[c]
        sweeps += 1
        if out.size:
            np.subtract(out, before, out=before)
            change = float((np.abs(before).max(axis=0) / scale).max())
        else:
            change = 0.0
        if change <= tol:
            break
    converged = change <= tol
    if not converged:
        warnings.warn(
            f"The alternating projections did not reach the tolerance {tol:g} in {max_iter} "
            f"sweeps (last relative change {change:.3g}); the fixed effects are poorly "
            "connected. Raise max_iter or check the effects for tiny, weakly linked groups.",
            AbsorptionWarning,
            stacklevel=2,
        )
    return Absorbed(shaped(out), "alternating_projections", sweeps, converged, change, n_levels)
