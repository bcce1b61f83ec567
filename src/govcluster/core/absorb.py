r"""Group codes, design matrices and the absorption of fixed effects.

Absorbing a set of fixed effects means replacing every column :math:`x` by its residual
:math:`M_D x` on the dummies :math:`D` of the effects; by the Frisch-Waugh-Lovell theorem a
regression on the absorbed columns gives the coefficients (and residuals) of the regression
with all the dummies. :func:`absorb` takes any number of effects, each a key per row (entity,
year, or any categorical key such as an industry-by-year cell, see :func:`interaction_codes`):

one effect (``one_way``)
    the within transformation :math:`x_{it} - \bar x_{i}`, exact (:func:`demean`);
two effects, balanced (``two_way_balanced``)
    every pair of levels observed exactly once, so
    :math:`x_{it} - \bar x_{i\cdot} - \bar x_{\cdot t} + \bar x`, exact;
otherwise: within the largest effect, the others partialled out (``within_dense``, ``within_cg``)
    Let :math:`F` be the effect with the most levels (the firm) and :math:`D` the dummies of
    all the other effects (:math:`L` levels in all: years, industry x year cells, ...). By
    Frisch-Waugh-Lovell, :math:`M_{[F, D]} x = M_F x - \tilde D \hat\gamma` with
    :math:`\tilde D = M_F D` and :math:`\tilde D'\tilde D \hat\gamma = \tilde D' x`. None of it
    is formed at the size of the data:

    - :math:`M_F x` is one group-mean pass (``np.bincount``);
    - :math:`\tilde D'\tilde D = D'D - C'\,\mathrm{diag}(1/n_f)\,C`, with :math:`C` the
      :math:`F \times L` matrix of the counts of each firm's rows at each level (dense when
      the system is solved densely and :math:`F L` is at most twice the number of rows,
      sparse otherwise);
    - :math:`\tilde D' x = D' x - C'\bar x_f`, group sums of the column and of its firm
      means;
    - :math:`\tilde D\hat\gamma = D\hat\gamma - \overline{(D\hat\gamma)}_f` with the firm means
      :math:`C\hat\gamma / n_f`.

    An effect constant within the levels of another (the year within industry x year cells,
    or within firms) is left out first: its dummies add nothing to the span.
    The :math:`L \times L` system is singular (one level of each effect is redundant, and
    more when effects are nested); any solution gives the same :math:`\tilde D\hat\gamma`.
    With at most ``dense_limit`` levels (default :data:`DENSE_LEVELS`) it is solved by the
    eigendecomposition (pseudo-inverse; exact to rounding, no iterations: ``within_dense``);
    with more, by conjugate gradients on the sparse system with a diagonal preconditioner,
    to a relative residual ``tol`` (``within_cg``; the iterations are reported);
``alternating_projections`` (on request: ``method="alternating_projections"``)
    the method of alternating projections (Guimaraes and Portugal 2010; Gaure 2013): demean
    by each effect in turn until a full sweep changes no column by more than ``tol`` times
    its largest absolute value; the number of sweeps is reported in :class:`Absorbed`.

Everything is vectorised over rows (``np.bincount`` on integer codes); the only Python loops
run over columns, effects and iterations, never over groups, and the columns are transformed
in place (:func:`absorb_coded` with ``overwrite=True``), so a panel of millions of rows is
handled in memory proportional to the data.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from govcluster.core.options import check_option
from govcluster.errors import GovclusterWarning

if TYPE_CHECKING:
    import scipy.sparse

AbsorbMethod = Literal[
    "none", "one_way", "two_way_balanced", "within_dense", "within_cg", "alternating_projections"
]
#: What a caller may ask for: the best exact method (``auto``) or the alternating projections.
AbsorbRequest = Literal["auto", "alternating_projections"]

#: Largest number of levels of the smaller effects solved densely (above: conjugate gradients).
DENSE_LEVELS = 1000

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
    fast = _integer_codes(keys)
    if fast is not None:
        return fast
    series = keys if isinstance(keys, pd.Series) else pd.Series(np.asarray(keys))
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(series.astype(str), sort=True)
    return codes.astype(np.int64, copy=False), tuple(uniques.tolist())


def _integer_codes(keys: pd.Series | np.ndarray | Sequence) -> tuple[np.ndarray, tuple] | None:
    """Codes of integer keys of a modest range by counting (no hashing, no sort); else None.

    Integer keys whose range is at most four times the number of rows (firm numbers, years,
    codes) are numbered by one ``np.bincount`` and a cumulative sum; the result is the one of
    ``pd.factorize(keys, sort=True)``.
    """
    if isinstance(keys, pd.Series):
        if not isinstance(keys.dtype, np.dtype):
            return None
        keys = keys.to_numpy()
    if not isinstance(keys, np.ndarray) or keys.ndim != 1 or keys.dtype.kind not in "iu":
        return None
    if keys.size == 0:
        return None
    low, high = int(keys.min()), int(keys.max())
    if high - low > 4 * keys.size + 1024:
        return None
    shifted = keys - low if low else keys
    present = np.bincount(shifted, minlength=high - low + 1) > 0
    labels = tuple(range(low, high + 1)) if present.all() else None
    if labels is not None:  # already 0 .. G-1 after the shift: no renumbering
        return shifted.astype(np.int64, copy=False), labels
    number = np.cumsum(present) - 1
    codes = number[shifted].astype(np.int64, copy=False)
    return codes, tuple((np.flatnonzero(present) + low).tolist())


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
    arrays = [np.asarray(c) for c in codes]
    combined = _mixed_radix(arrays)
    if combined is None:  # negative codes or a product of ranges beyond int64
        index = pd.MultiIndex.from_arrays(arrays)
        return pd.factorize(index, sort=True)[0].astype(np.int64)
    if combined.size == 0:
        return combined
    # the combinations in sorted order are the mixed-radix numbers in sorted order
    low, high = int(combined.min()), int(combined.max())
    if high - low <= 4 * combined.size + 1024:  # number them by counting
        shifted = combined - low
        present = np.bincount(shifted, minlength=high - low + 1) > 0
        return (np.cumsum(present) - 1)[shifted].astype(np.int64, copy=False)
    return np.unique(combined, return_inverse=True)[1].astype(np.int64).reshape(-1)


def _mixed_radix(arrays: list[np.ndarray]) -> np.ndarray | None:
    """One int64 per row that orders the rows as the tuples of ``arrays`` do; else None.

    ``((c_1 * G_2 + c_2) * G_3 + c_3) ...`` with ``G_k`` one more than the largest code of
    key ``k``; None when a code is negative or not an integer, or the product of the ``G_k``
    does not fit in an int64.
    """
    if any(a.dtype.kind not in "iu" or a.ndim != 1 for a in arrays):
        return None
    if arrays[0].size == 0:
        return np.zeros(0, dtype=np.int64)
    sizes = []
    for a in arrays:
        if int(a.min()) < 0:
            return None
        sizes.append(int(a.max()) + 1)
    if math.prod(sizes) >= np.iinfo(np.int64).max:
        return None
    combined = arrays[0].astype(np.int64)
    for a, size in zip(arrays[1:], sizes[1:], strict=True):
        combined *= size
        combined += a
    return combined


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
    method : {"none", "one_way", "two_way_balanced", "within_dense", "within_cg", \
"alternating_projections"}
    iterations : int
        Sweeps of the alternating projections, or conjugate-gradient iterations (0 for the
        exact methods).
    converged : bool
    max_change : float
        Largest relative change of the last sweep (alternating projections) or relative
        residual of the reduced system (conjugate gradients); 0 for the exact methods.
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
    method: AbsorbRequest = "auto",
    dense_limit: int = DENSE_LEVELS,
) -> Absorbed:
    """Remove one or several fixed effects from the columns of ``values``.

    Parameters
    ----------
    values : numpy.ndarray
        ``(n,)`` or ``(n, m)`` columns (not modified).
    effects : sequence of numpy.ndarray
        One ``(n,)`` array of keys per effect (any labels; see :func:`group_codes` and
        :func:`interaction_codes`).
    tol : float
        Tolerance of the iterative methods: the relative residual of the conjugate gradients,
        or the relative change per sweep of the alternating projections.
    max_iter : int
        Largest number of iterations or sweeps; reaching it issues an
        :class:`AbsorptionWarning`.
    method : {"auto", "alternating_projections"}
        ``auto``: the exact method of the module docstring; ``alternating_projections`` for
        every pattern of effects (kept for comparison and benchmarks).
    dense_limit : int
        Levels of the smaller effects up to which their system is solved densely.

    Returns
    -------
    Absorbed

    Notes
    -----
    See the module docstring for the methods. The alternating projections converge to
    :math:`M_D x` for any pattern of missing cells (von Neumann-Halperin theorem); their rate
    depends on how well the effects' levels are connected. The within-and-partial-out methods
    are exact for any pattern (the conjugate gradients up to ``tol``).
    """
    coded = [group_codes(e)[0] for e in effects]
    n_levels = tuple(int(c.max()) + 1 if len(c) else 0 for c in coded)
    v = np.array(values, dtype=float, copy=True)
    two_d = v.ndim == 2
    out = absorb_coded(
        v if two_d else v[:, None],
        coded,
        n_levels,
        tol=tol,
        max_iter=max_iter,
        method=method,
        dense_limit=dense_limit,
        overwrite=True,
    )
    if two_d:
        return out
    return Absorbed(
        out.values[:, 0], out.method, out.iterations, out.converged, out.max_change, n_levels
    )


def absorb_coded(
    values: np.ndarray,
    codes: Sequence[np.ndarray],
    n_levels: Sequence[int],
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    method: AbsorbRequest = "auto",
    dense_limit: int = DENSE_LEVELS,
    overwrite: bool = False,
) -> Absorbed:
    """:func:`absorb` on effects given as integer codes, optionally in place.

    Parameters
    ----------
    values : numpy.ndarray
        ``(n, m)`` float columns.
    codes : sequence of numpy.ndarray of int
        Codes ``0 .. L_e - 1`` of each effect, every code occurring.
    n_levels : sequence of int
        ``L_e`` of each effect.
    tol, max_iter, method, dense_limit
        As in :func:`absorb`.
    overwrite : bool
        Transform ``values`` in place (it must then be a float64 array; column-major order is
        fastest). Otherwise a copy is transformed.

    Returns
    -------
    Absorbed
        ``values`` is the (transformed) input array itself when ``overwrite`` is True.
    """
    check_option(method, AbsorbRequest, name="method")
    n_levels = tuple(int(g) for g in n_levels)
    if overwrite:
        if values.dtype != np.float64 or values.ndim != 2:
            raise ValueError("absorb_coded(overwrite=True) needs a 2-d float64 array")
        v = values
    else:
        v = np.array(values, dtype=float, order="F", copy=True)
        v = v if v.ndim == 2 else v[:, None]
    codes = list(codes)
    if not codes:
        return Absorbed(v, "none", 0, True, 0.0, n_levels)
    if method == "alternating_projections":
        return _alternating_projections(v, codes, n_levels, tol=tol, max_iter=max_iter)
    if len(codes) == 1:
        _demean_columns(v, codes[0], _counts(codes[0], n_levels[0]))
        return Absorbed(v, "one_way", 0, True, 0.0, n_levels)
    if len(codes) == 2 and _is_balanced_pair(codes[0], codes[1], *n_levels):
        a, b = codes
        means_a = group_means(v, a, n_levels[0])
        means_b = group_means(v, b, n_levels[1])
        grand = v.mean(axis=0)
        scratch = np.empty(v.shape[0])
        for j in range(v.shape[1]):
            column = v[:, j]
            column -= np.take(np.ascontiguousarray(means_a[:, j]), a, out=scratch)
            column -= np.take(np.ascontiguousarray(means_b[:, j]), b, out=scratch)
            column += grand[j]
        return Absorbed(v, "two_way_balanced", 0, True, 0.0, n_levels)
    return _within_and_partial_out(
        v, codes, n_levels, tol=tol, max_iter=max_iter, dense_limit=dense_limit
    )


def _counts(codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Rows per group, as floats."""
    return np.bincount(codes, minlength=n_groups).astype(float)


def _demean_columns(v: np.ndarray, codes: np.ndarray, counts: np.ndarray) -> None:
    """Subtract the group means from every column of ``v``, in place."""
    g = len(counts)
    scratch = np.empty(v.shape[0])
    for j in range(v.shape[1]):
        column = v[:, j]
        means = np.bincount(codes, weights=column, minlength=g) / counts
        column -= np.take(means, codes, out=scratch)


def _within_and_partial_out(
    v: np.ndarray,
    codes: list[np.ndarray],
    n_levels: tuple[int, ...],
    *,
    tol: float,
    max_iter: int,
    dense_limit: int,
) -> Absorbed:
    """Demean within the largest effect, then partial out the others' dummies (docstring)."""
    n, m = v.shape
    big = int(np.argmax(n_levels))
    firm, n_firms = codes[big], n_levels[big]
    small = [(c, g) for e, (c, g) in enumerate(zip(codes, n_levels, strict=True)) if e != big]
    small = _without_spanned_effects(firm, n_firms, small)
    if not small:
        _demean_columns(v, firm, _counts(firm, n_firms))
        return Absorbed(v, "one_way", 0, True, 0.0, n_levels)
    firm_count = _counts(firm, n_firms)
    offsets = np.cumsum([0, *(g for _, g in small)])
    total = int(offsets[-1])
    dense = total <= dense_limit
    # C dense when the system is solved densely and C is small beside the data (F L <= 2 n)
    counts_by_firm = _firm_level_counts(
        firm, n_firms, small, offsets, dense=dense and n_firms * total <= 2 * n
    )
    gram = _reduced_gram(small, offsets, counts_by_firm, firm_count, sparse=not dense)
    # D' M_F v = D'v - C' (firm means of v): no pass over the demeaned column is needed
    firm_means = np.empty((n_firms, m))
    rhs = np.empty((total, m))
    for j in range(m):
        column = v[:, j]
        firm_means[:, j] = np.bincount(firm, weights=column, minlength=n_firms) / firm_count
        for (c, g), start in zip(small, offsets, strict=False):
            rhs[start : start + g, j] = np.bincount(c, weights=column, minlength=g)
    rhs -= np.asarray(counts_by_firm.T @ firm_means)
    if dense:
        gamma = _pseudo_inverse_solve(gram, rhs)
        iterations, converged, residual, method = 0, True, 0.0, "within_dense"
    else:
        gamma, iterations, converged, residual = _conjugate_gradients(
            gram, rhs, tol=tol, max_iter=max_iter
        )
        method = "within_cg"
        if not converged:
            warnings.warn(
                f"The conjugate gradients did not reach the tolerance {tol:g} in {max_iter} "
                f"iterations (relative residual {residual:.3g}); the fixed effects are poorly "
                "connected. Raise max_iter or check the effects for tiny, weakly linked groups.",
                AbsorptionWarning,
                stacklevel=3,
            )
    # M_F (v - D gamma) = v - D gamma - (firm means of v - C gamma / n_f)[firm]
    firm_means -= np.asarray(counts_by_firm @ gamma) / firm_count[:, None]
    scratch = np.empty(n)  # one buffer for every gather: no temporaries of the size of a column
    for j in range(m):
        column = v[:, j]
        column -= np.take(np.ascontiguousarray(firm_means[:, j]), firm, out=scratch)
        for (c, g), start in zip(small, offsets, strict=False):
            column -= np.take(gamma[start : start + g, j], c, out=scratch)
    return Absorbed(v, method, iterations, converged, residual, n_levels)


def _is_function_of(coarse: np.ndarray, fine: np.ndarray, n_fine: int) -> bool:
    """Whether every level of ``fine`` lies in one level of ``coarse`` (one pass, no sort)."""
    level_of = np.empty(n_fine, dtype=coarse.dtype)
    level_of[fine] = coarse  # the last row of each fine level wins
    return bool(np.array_equal(level_of[fine], coarse))


def _without_spanned_effects(
    firm: np.ndarray, n_firms: int, small: list[tuple[np.ndarray, int]]
) -> list[tuple[np.ndarray, int]]:
    """The smaller effects whose dummies the others do not span.

    An effect constant within every level of another effect (the year within industry x year
    cells, the industry within firms that never change industry) adds nothing to the space the
    dummies span, so it is left out of the reduced system (the residuals are the same).
    """
    kept = []
    for position, (codes, levels) in enumerate(small):
        finer = [(firm, n_firms)] + [
            (c, g)
            for other, (c, g) in enumerate(small)
            if other != position and (g > levels or (g == levels and other < position))
        ]
        if any(g >= levels and _is_function_of(codes, c, g) for c, g in finer):
            continue
        kept.append((codes, levels))
    return kept


def _firm_level_counts(
    firm: np.ndarray,
    n_firms: int,
    small: list[tuple[np.ndarray, int]],
    offsets: np.ndarray,
    *,
    dense: bool,
) -> np.ndarray | scipy.sparse.csr_matrix:
    """``C``: rows of each firm (row) at each level of the smaller effects (column)."""
    import scipy.sparse  # imported when used: the workflow's plan imports this module

    total = int(offsets[-1])
    if dense:
        out = np.empty((n_firms, total))
        for (c, g), start in zip(small, offsets, strict=False):
            block = np.bincount(firm * g + c, minlength=n_firms * g).reshape(n_firms, g)
            out[:, start : start + g] = block
        return out
    blocks = []
    for c, g in small:
        ones = np.ones(len(c))
        blocks.append(scipy.sparse.coo_matrix((ones, (firm, c)), shape=(n_firms, g)).tocsr())
    return scipy.sparse.hstack(blocks, format="csr")


def _reduced_gram(
    small: list[tuple[np.ndarray, int]],
    offsets: np.ndarray,
    counts_by_firm: np.ndarray | scipy.sparse.csr_matrix,
    firm_count: np.ndarray,
    *,
    sparse: bool,
) -> np.ndarray | scipy.sparse.csr_matrix:
    r""":math:`D'D - C'\,\mathrm{diag}(1/n_f)\,C` (dense, or sparse for conjugate gradients)."""
    import scipy.sparse  # imported when used: the workflow's plan imports this module

    total = int(offsets[-1])
    rows, cols, vals = [], [], []
    for s, (cs, gs) in enumerate(small):
        level = np.arange(gs)
        rows.append(offsets[s] + level)
        cols.append(offsets[s] + level)
        vals.append(np.bincount(cs, minlength=gs).astype(float))
        for r in range(s + 1, len(small)):
            cr, gr = small[r]
            pair = scipy.sparse.coo_matrix((np.ones(len(cs)), (cs, cr)), shape=(gs, gr))
            pair.sum_duplicates()
            rows += [offsets[s] + pair.row, offsets[r] + pair.col]
            cols += [offsets[r] + pair.col, offsets[s] + pair.row]
            vals += [pair.data, pair.data]
    cross = scipy.sparse.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(total, total),
    )
    if isinstance(counts_by_firm, np.ndarray):
        within = counts_by_firm.T @ (counts_by_firm / firm_count[:, None])
    else:
        scaled = scipy.sparse.diags(1.0 / firm_count) @ counts_by_firm
        within = counts_by_firm.T @ scaled
    if sparse:
        return (cross.tocsr() - scipy.sparse.csr_matrix(within)).tocsr()
    dense_within = within.toarray() if scipy.sparse.issparse(within) else within
    return cross.toarray() - dense_within


def _pseudo_inverse_solve(gram: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """A solution of the singular symmetric system ``gram @ x = rhs`` (minimum norm)."""
    gram = (gram + gram.T) / 2
    eigenvalues, vectors = np.linalg.eigh(gram)
    largest = float(np.abs(eigenvalues).max()) if eigenvalues.size else 0.0
    keep = eigenvalues > largest * len(eigenvalues) * np.finfo(float).eps * 16
    basis = vectors[:, keep]
    return basis @ ((basis.T @ rhs) / eigenvalues[keep][:, None])


def _conjugate_gradients(
    gram: scipy.sparse.csr_matrix, rhs: np.ndarray, *, tol: float, max_iter: int
) -> tuple[np.ndarray, int, bool, float]:
    """Jacobi-preconditioned conjugate gradients, all right-hand sides at once.

    Returns the solution, the iterations, whether every column reached a relative residual
    ``tol``, and the largest relative residual.
    """
    diagonal = gram.diagonal()
    inverse_diagonal = np.where(diagonal > 0, 1.0 / np.where(diagonal > 0, diagonal, 1.0), 0.0)
    x = np.zeros_like(rhs)
    r = rhs.copy()
    norm_b = np.linalg.norm(rhs, axis=0)
    norm_b[norm_b == 0] = 1.0
    z = inverse_diagonal[:, None] * r
    p = z.copy()
    rz = np.einsum("ij,ij->j", r, z)
    iterations = 0
    relative = np.linalg.norm(r, axis=0) / norm_b
    while iterations < max_iter and relative.max() > tol:
        q = gram @ p
        pq = np.einsum("ij,ij->j", p, q)
        active = (relative > tol) & (pq > 0)
        alpha = np.where(active, rz / np.where(active, pq, 1.0), 0.0)
        x += alpha * p
        r -= alpha * q
        z = inverse_diagonal[:, None] * r
        rz_new = np.einsum("ij,ij->j", r, z)
        beta = np.where(active, rz_new / np.where(rz != 0, rz, 1.0), 0.0)
        p = z + beta * p
        rz = rz_new
        iterations += 1
        relative = np.linalg.norm(r, axis=0) / norm_b
        if not active.any():
            break
    largest = float(relative.max()) if relative.size else 0.0
    return x, iterations, largest <= tol, largest


def _alternating_projections(
    v: np.ndarray,
    codes: list[np.ndarray],
    n_levels: tuple[int, ...],
    *,
    tol: float,
    max_iter: int,
) -> Absorbed:
    """Demean by each effect in turn, in place, until a sweep changes nothing (docstring)."""
    scale = np.abs(v).max(axis=0) if v.size else np.ones(v.shape[1])
    scale[scale == 0] = 1.0
    counts = [_counts(c, g) for c, g in zip(codes, n_levels, strict=True)]
    before = np.empty_like(v)
    change = np.inf
    sweeps = 0
    while sweeps < max_iter:
        np.copyto(before, v)
        for j in range(v.shape[1]):
            column = v[:, j]
            for c, g, count in zip(codes, n_levels, counts, strict=True):
                column -= (np.bincount(c, weights=column, minlength=g) / count)[c]
        sweeps += 1
        if v.size:
            np.subtract(v, before, out=before)
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
            stacklevel=3,
        )
    return Absorbed(v, "alternating_projections", sweeps, converged, change, n_levels)
