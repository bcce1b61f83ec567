r"""Entity-block (cluster) bootstrap and entity jackknife from per-entity cross-products.

Notes
-----
Replicate ``r`` draws ``n_entities`` entities with replacement; :math:`w_{ri}` is the number of
times entity ``i`` is drawn (a multinomial count, :math:`\sum_i w_{ri} = n_{\text{entities}}`).
Each copy of an entity is a new entity with its own fixed effect, so (see
:mod:`govcluster.mediation.design`) the replicate's cross-product matrix is

.. math::

    A_r = \sum_i w_{ri}\, G_i'G_i ,

and for a block of replicates all of them come from one matrix product
:math:`W \,\mathrm{vec}(G_i'G_i)` (``W`` is ``replicates x entities``, the cross-products
stacked as ``entities x p(p+1)/2`` upper triangles), followed by the batched solves of
:func:`govcluster.mediation.crossprod.solve_crossproducts`. Every replicate equals a refit of
the model on the actually resampled panel.

Random numbers and determinism. The counts are drawn in fixed blocks of :data:`DRAW_BLOCK`
replicates; block ``j`` uses its own generator
``np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(BOOT_STREAM, j)))``, which
draws the entity indices ``integers(0, n_entities, size=(DRAW_BLOCK, n_entities))``. The matrix
product is always computed one draw block at a time, with the same shapes, and the solves are
per-matrix LAPACK calls. Replicate ``r`` is therefore the same whatever ``n_boot`` (its first
replicates coincide), whatever the processing block size and however many threads BLAS uses
(a GEMM splits its output, not its inner sums, among threads).

The entity jackknife, used for the BCa acceleration, drops one entity at a time:
:math:`A_{(-i)} = A - G_i'G_i`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govcluster.mediation.crossprod import solve_crossproducts, statistics_matrix
from govcluster.mediation.design import unpack_symmetric

#: Replicates per random-number block and per matrix product (fixed: changing it changes draws).
DRAW_BLOCK = 200
#: ``spawn_key`` stream of the bootstrap counts; the Monte Carlo CI uses :data:`MC_STREAM`.
BOOT_STREAM = 1
MC_STREAM = 2


@dataclass(frozen=True)
class BootstrapDraws:
    """Raw output of :func:`run_bootstrap`.

    Attributes
    ----------
    stats : (n_boot, n_stats) array
        Statistics of each replicate (NaN rows for degenerate replicates).
    degenerate : (n_boot,) bool array
    nuisance_deficient : (n_boot,) bool array
        Replicates in which some nuisance columns (e.g. a year nobody drawn observes) were not
        identified; the reported coefficients are still exact.
    """

    stats: np.ndarray
    degenerate: np.ndarray
    nuisance_deficient: np.ndarray


def rng_for(seed: int, *key: int) -> np.random.Generator:
    """The generator of stream ``key`` derived from ``seed`` (never the global state)."""
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=tuple(key)))


def draw_block_counts(seed: int, n_entities: int, block: int) -> np.ndarray:
    """Multinomial entity counts of the :data:`DRAW_BLOCK` replicates of draw block ``block``.

    Returns
    -------
    (DRAW_BLOCK, n_entities) int64 array
        Row ``r`` counts how often each entity is drawn in replicate
        ``block * DRAW_BLOCK + r``.
    """
    rng = rng_for(seed, BOOT_STREAM, block)
    idx = rng.integers(0, n_entities, size=(DRAW_BLOCK, n_entities))
    offsets = (np.arange(DRAW_BLOCK) * n_entities)[:, None]
    flat = np.bincount((idx + offsets).ravel(), minlength=DRAW_BLOCK * n_entities)
    return flat.reshape(DRAW_BLOCK, n_entities)


def bootstrap_counts(seed: int, n_entities: int, start: int, stop: int) -> np.ndarray:
    """Entity counts of replicates ``start .. stop - 1``.

    Parameters
    ----------
    seed : int
    n_entities : int
    start, stop : int

    Returns
    -------
    (stop - start, n_entities) int64 array
        Entity ``i`` is the ``i``-th entity label in sorted order
        (:attr:`govcluster.mediation.design.PanelDesign.entity_labels`).
    """
    if stop <= start:
        return np.zeros((0, n_entities), dtype=np.int64)
    first, last = start // DRAW_BLOCK, (stop - 1) // DRAW_BLOCK
    blocks = [draw_block_counts(seed, n_entities, j) for j in range(first, last + 1)]
    counts = np.vstack(blocks)
    offset = first * DRAW_BLOCK
    return counts[start - offset : stop - offset]


def replicate_crossproducts(seed: int, entity_xp: np.ndarray, block: int) -> np.ndarray:
    """Packed cross-product matrices of the replicates of one draw block.

    Returns
    -------
    (DRAW_BLOCK, p(p+1)/2) array
        ``counts @ entity_xp``: one matrix product for the whole block.
    """
    counts = draw_block_counts(seed, entity_xp.shape[0], block).astype(float)
    return counts @ entity_xp


def core_reference(entity_xp: np.ndarray, p: int, n_mediators: int) -> np.ndarray:
    """Full-sample sums of squares of the core columns (diagonal of the summed matrix)."""
    full = unpack_symmetric(entity_xp.sum(axis=0)[None, :], p)[0]
    return np.diag(full)[: n_mediators + 2].copy()


def run_bootstrap(
    entity_xp: np.ndarray,
    *,
    p: int,
    n_mediators: int,
    n_boot: int,
    seed: int,
    block_size: int,
) -> BootstrapDraws:
    """Cluster-bootstrap statistics from per-entity cross-products.

    Parameters
    ----------
    entity_xp : (n_entities, p(p+1)/2) array
        From :func:`govcluster.mediation.design.entity_crossproducts`.
    p : int
        Columns of the design.
    n_mediators : int
    n_boot : int
    seed : int
    block_size : int
        Replicates held in memory at once (rounded up to a multiple of :data:`DRAW_BLOCK`);
        it bounds memory and does not change any result.

    Returns
    -------
    BootstrapDraws
    """
    reference = core_reference(entity_xp, p, n_mediators)
    per = max(1, -(-block_size // DRAW_BLOCK))
    n_blocks = -(-n_boot // DRAW_BLOCK)
    out_stats: list[np.ndarray] = []
    out_deg: list[np.ndarray] = []
    out_def: list[np.ndarray] = []
    for first in range(0, n_blocks, per):
        blocks = range(first, min(first + per, n_blocks))
        packed = np.vstack([replicate_crossproducts(seed, entity_xp, j) for j in blocks])
        keep = min(packed.shape[0], n_boot - first * DRAW_BLOCK)
        sol = solve_crossproducts(
            unpack_symmetric(packed[:keep], p), n_mediators, reference=reference
        )
        out_stats.append(statistics_matrix(sol))
        out_deg.append(sol.degenerate)
        out_def.append(sol.nuisance_deficient)
    return BootstrapDraws(
        stats=np.vstack(out_stats),
        degenerate=np.concatenate(out_deg),
        nuisance_deficient=np.concatenate(out_def),
    )


def run_jackknife(
    entity_xp: np.ndarray, *, p: int, n_mediators: int, block_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Delete-one-entity jackknife statistics.

    Returns
    -------
    stats : (n_entities, n_stats) array
        Row ``i`` is computed without entity ``i``.
    degenerate : (n_entities,) bool array
    """
    total = entity_xp.sum(axis=0)
    reference = core_reference(entity_xp, p, n_mediators)
    n = entity_xp.shape[0]
    step = max(1, block_size)
    stats: list[np.ndarray] = []
    degenerate: list[np.ndarray] = []
    for start in range(0, n, step):
        packed = total[None, :] - entity_xp[start : start + step]
        sol = solve_crossproducts(unpack_symmetric(packed, p), n_mediators, reference=reference)
        stats.append(statistics_matrix(sol))
        degenerate.append(sol.degenerate)
    return np.vstack(stats), np.concatenate(degenerate)
