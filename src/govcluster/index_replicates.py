r"""Index weights re-estimated in every cluster-bootstrap replicate, without rebuilding indices.

The construct indices of :mod:`govcluster.indices` are affine in the raw indicators: whatever
the method, the index of construct :math:`c` at a cluster-year is

.. math::

    I^c_{it} = \sum_{j \in c} \alpha_j\, x_{ijt} + \beta_c ,

with slopes

* entropy: :math:`\alpha_j = w_j d_j / (M_j - m_j)` (min-max normalisation, entropy weights),
* pca: :math:`\alpha_j = w_j d_j / s_j` (standardisation, first-component weights),
* zscore: :math:`\alpha_j = d_j / (K_c s_j)`,

and, when ``indices.standardize`` is true, all of them divided by the pooled standard deviation
of the index, :math:`\sqrt{\alpha_c' \Sigma_c \alpha_c}`. Here :math:`d_j = \pm 1` is the
direction, :math:`m_j, M_j, s_j` the minimum, maximum and sample standard deviation of indicator
:math:`j` over the pooled panel, :math:`\Sigma_c` the covariance of the construct's indicators.

A regression with entity effects (or a constant) does not see :math:`\beta_c`, so a bootstrap
replicate that re-estimates the weights on its resampled clusters only needs the replicate's
slopes :math:`\alpha^{(r)}`. They follow from per-entity statistics of the raw indicators and
the replicate's entity counts :math:`w_{ri}` (each copy of a drawn cluster counts as a cluster
of the resampled panel):

* minimum and maximum: over the entities with :math:`w_{ri} > 0` of the entity minima/maxima;
* means, covariances, standard deviations: from :math:`\sum_i w_{ri} n_i`,
  :math:`\sum_i w_{ri} \sum_t x_{it}` and :math:`\sum_i w_{ri} \sum_t x_{it} x_{it}'`
  (sample moments of the resampled rows, divisor :math:`N_r - 1`);
* entropy: with :math:`x'` the replicate's min-max normalised values,
  :math:`S_j = \sum w\,x'_j` and :math:`Q_j = \sum w\,x'_j \ln x'_j` over the rows,
  :math:`\sum p \ln p = Q_j / S_j - \ln S_j` and :math:`e_j = -(Q_j/S_j - \ln S_j)/\ln N_r`.
  The normalisation depends on the replicate's minimum and maximum, which take few distinct
  values over the replicates: :math:`S_j` and :math:`Q_j` are per-entity sums for each
  distinct pair, combined with the counts.

With every count equal to one the slopes are those of the full panel
(:func:`replicate_slopes` then reproduces the index of
:func:`govcluster.indices.build_analysis_panel` up to its constant;
``tests/test_index_bootstrap.py`` checks this, and checks replicates against indices rebuilt
from the resampled panel).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from govcluster.errors import ConfigError
from govcluster.indices import LOADING_SUM_TOLERANCE

#: Index methods whose replicate weights are available.
METHODS = ("entropy", "pca", "zscore")


@dataclass(frozen=True)
class ConstructRecipe:
    """How one construct's index is made from its indicators.

    Attributes
    ----------
    name : str
        Construct name (a column of the analysis panel).
    indicators : tuple of str
        Indicator names (columns of the cleaned panel), in configuration order.
    directions : tuple of int
        +1 or -1 for each indicator.
    """

    name: str
    indicators: tuple[str, ...]
    directions: tuple[int, ...]


@dataclass(frozen=True)
class IndexRecipe:
    """The index method and the constructs whose weights are re-estimated.

    Attributes
    ----------
    method : {"entropy", "pca", "zscore"}
    standardize : bool
        Whether the index is divided by its pooled standard deviation.
    constructs : tuple of ConstructRecipe
    """

    method: str
    standardize: bool
    constructs: tuple[ConstructRecipe, ...]

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(
                f"indices.method is '{self.method}': index weights can be re-estimated in the "
                f"bootstrap for the methods {', '.join(METHODS)} only."
            )

    @property
    def indicator_columns(self) -> tuple[str, ...]:
        """Indicators of all constructs, construct by construct (a column may repeat)."""
        return tuple(name for c in self.constructs for name in c.indicators)

    @property
    def blocks(self) -> tuple[slice, ...]:
        """Position of each construct's indicators in :attr:`indicator_columns`."""
        out, start = [], 0
        for construct in self.constructs:
            out.append(slice(start, start + len(construct.indicators)))
            start += len(construct.indicators)
        return tuple(out)


def recipe_from_config(
    constructs: Mapping[str, object], names: Sequence[str], *, method: str, standardize: bool
) -> IndexRecipe:
    """The :class:`IndexRecipe` of the constructs ``names``.

    Parameters
    ----------
    constructs : mapping of str to govcluster.config.ConstructSpec
        ``ProjectConfig.constructs``.
    names : sequence of str
        Constructs to include, in order.
    method : str
        ``indices.method``.
    standardize : bool
        ``indices.standardize``.
    """
    recipes = []
    for name in names:
        spec = constructs[name]
        recipes.append(
            ConstructRecipe(
                name=name,
                indicators=tuple(spec.indicator_names),
                directions=tuple(int(spec.directions[i]) for i in spec.indicator_names),
            )
        )
    return IndexRecipe(method=method, standardize=standardize, constructs=tuple(recipes))


@dataclass(frozen=True)
class EntityMoments:
    """Per-entity statistics of the raw indicators, enough for every replicate's slopes.

    Attributes
    ----------
    values : (n_rows, J) array
        Raw indicators, rows in any order (used by the entropy pass only).
    entity_codes : (n_rows,) int array
        Entity of each row, ``0 .. n_entities - 1``.
    n_rows : (n_entities,) array
        Rows per entity.
    sums : (n_entities, J) array
    crossproducts : (n_entities, J, J) array
    minima, maxima : (n_entities, J) array
    """

    values: np.ndarray
    entity_codes: np.ndarray
    n_rows: np.ndarray
    sums: np.ndarray
    crossproducts: np.ndarray
    minima: np.ndarray
    maxima: np.ndarray

    @property
    def n_entities(self) -> int:
        """Number of entities."""
        return int(self.n_rows.shape[0])


def entity_moments(values: np.ndarray, entity_codes: np.ndarray, n_entities: int) -> EntityMoments:
    """Per-entity counts, sums, cross-products, minima and maxima of the indicators.

    Parameters
    ----------
    values : (n_rows, J) array
        Raw indicators (finite).
    entity_codes : (n_rows,) int array
        ``0 .. n_entities - 1``.
    n_entities : int

    Returns
    -------
    EntityMoments
    """
    values = np.ascontiguousarray(values, dtype=float)
    codes = np.asarray(entity_codes, dtype=np.int64)
    n_cols = values.shape[1]
    counts = np.bincount(codes, minlength=n_entities).astype(float)
    sums = np.column_stack(
        [np.bincount(codes, weights=values[:, j], minlength=n_entities) for j in range(n_cols)]
    ).reshape(n_entities, n_cols)
    cross = np.empty((n_entities, n_cols, n_cols))
    for j in range(n_cols):
        for k in range(j, n_cols):
            column = np.bincount(codes, weights=values[:, j] * values[:, k], minlength=n_entities)
            cross[:, j, k] = column
            cross[:, k, j] = column
    minima = np.full((n_entities, n_cols), np.inf)
    maxima = np.full((n_entities, n_cols), -np.inf)
    np.minimum.at(minima, codes, values)
    np.maximum.at(maxima, codes, values)
    return EntityMoments(
        values=values,
        entity_codes=codes,
        n_rows=counts,
        sums=sums,
        crossproducts=cross,
        minima=minima,
        maxima=maxima,
    )


def _moments(moments: EntityMoments, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row count and covariance (divisor N - 1) of the resampled rows of each replicate."""
    n = counts @ moments.n_rows
    total = counts @ moments.sums
    j = moments.sums.shape[1]
    second = (counts @ moments.crossproducts.reshape(moments.n_entities, j * j)).reshape(-1, j, j)
    mean = total / n[:, None]
    cov = (second - n[:, None, None] * mean[:, :, None] * mean[:, None, :]) / (n - 1.0)[
        :, None, None
    ]
    return n, cov


def _extremes(moments: EntityMoments, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and maximum of each indicator over the drawn entities of each replicate."""
    drawn = counts > 0
    n_cols = moments.minima.shape[1]
    lowest = np.empty((counts.shape[0], n_cols))
    highest = np.empty((counts.shape[0], n_cols))
    for j in range(n_cols):  # one indicator at a time: memory of one (R, n_entities) mask
        lowest[:, j] = np.where(drawn, moments.minima[:, j][None], np.inf).min(axis=1)
        highest[:, j] = np.where(drawn, moments.maxima[:, j][None], -np.inf).max(axis=1)
    return lowest, highest


def _entropy_divergence(
    moments: EntityMoments,
    counts: np.ndarray,
    lowest: np.ndarray,
    highest: np.ndarray,
    directions: np.ndarray,
    n: np.ndarray,
) -> np.ndarray:
    """``1 - e_j`` of the entropy method for every replicate and indicator.

    The normalisation depends on the replicate only through its minimum and maximum, and most
    replicates share them (they change only when the clusters holding the extremes are not
    drawn). For each distinct pair the normalised values are computed once and summed per
    entity; the replicates' sums are then matrix products with their counts.
    """
    n_rep, n_cols = counts.shape[0], moments.values.shape[1]
    codes, n_entities = moments.entity_codes, moments.n_entities
    out = np.empty((n_rep, n_cols))
    for j in range(n_cols):
        x = moments.values[:, j]
        pairs, which = np.unique(
            np.column_stack([lowest[:, j], highest[:, j]]), axis=0, return_inverse=True
        )
        which = np.asarray(which).reshape(-1)
        s = np.empty(n_rep)
        q = np.empty(n_rep)
        for u, (lo, hi) in enumerate(pairs):
            normalized = (x - lo) / (hi - lo) if directions[j] == 1 else (hi - x) / (hi - lo)
            positive = normalized > 0
            safe = np.where(positive, normalized, 1.0)
            xlogx = np.where(positive, safe * np.log(safe), 0.0)
            entity_s = np.bincount(codes, weights=normalized, minlength=n_entities)
            entity_q = np.bincount(codes, weights=xlogx, minlength=n_entities)
            members = which == u
            s[members] = counts[members] @ entity_s
            q[members] = counts[members] @ entity_q
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy = -(q / s - np.log(s)) / np.log(n)
        out[:, j] = 1.0 - entropy
    return out


def replicate_slopes(recipe: IndexRecipe, moments: EntityMoments, counts: np.ndarray) -> np.ndarray:
    r"""Slopes :math:`\alpha` of every construct index, for every replicate.

    Parameters
    ----------
    recipe : IndexRecipe
    moments : EntityMoments
        Of the columns :attr:`IndexRecipe.indicator_columns`, in that order.
    counts : (R, n_entities) array
        How often each entity is drawn in each replicate (all ones: the full panel).

    Returns
    -------
    (R, J) array
        Slope of each indicator in its construct's index; a replicate in which some index is
        not defined (an indicator or an index constant among the drawn clusters, first-component
        loadings summing to zero) has NaN slopes for that construct.
    """
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    directions = np.array(
        [d for construct in recipe.constructs for d in construct.directions], dtype=float
    )
    n, cov = _moments(moments, counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
        slopes = np.full((counts.shape[0], directions.size), np.nan)
        if recipe.method == "entropy":
            lowest, highest = _extremes(moments, counts)
            divergence = _entropy_divergence(moments, counts, lowest, highest, directions, n)
        for block in recipe.blocks:
            size = block.stop - block.start
            d = directions[block]
            if recipe.method == "zscore":
                slopes[:, block] = d / (size * sd[:, block])
            elif recipe.method == "entropy":
                div = divergence[:, block]
                weights = div / div.sum(axis=1, keepdims=True)
                slopes[:, block] = weights * d / (highest[:, block] - lowest[:, block])
            else:
                slopes[:, block] = (
                    _pca_weights(cov[:, block, block], sd[:, block], d) * d / sd[:, block]
                )
            if recipe.standardize:
                a = slopes[:, block]
                variance = np.einsum("rj,rjk,rk->r", a, cov[:, block, block], a)
                slopes[:, block] = a / np.sqrt(variance)[:, None]
    slopes[~np.isfinite(slopes).all(axis=1)] = np.nan
    return slopes


def _pca_weights(cov: np.ndarray, sd: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """First-component weights (summing to one) of the directed correlation matrices."""
    size = cov.shape[1]
    if size == 1:
        return np.ones((cov.shape[0], 1))
    scaled = cov / (sd[:, :, None] * sd[:, None, :]) * np.outer(directions, directions)[None]
    finite = np.isfinite(scaled).all(axis=(1, 2))
    weights = np.full((cov.shape[0], size), np.nan)
    if finite.any():
        _, vectors = np.linalg.eigh(scaled[finite])
        leading = vectors[:, :, -1]
        total = leading.sum(axis=1, keepdims=True)
        ok = np.abs(total[:, 0]) >= LOADING_SUM_TOLERANCE
        values = np.where(ok[:, None], leading / np.where(ok[:, None], total, 1.0), np.nan)
        weights[finite] = values
    return weights
