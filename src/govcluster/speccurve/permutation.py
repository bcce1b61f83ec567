r"""Seeded permutations of whole cluster treatment paths, shared by every specification.

The treatment (GOV) varies by cluster and year. Under the sharp null that it has no effect on
the outcome, a cluster's outcome path would have been the same whichever treatment path it
had received, so the assignment of the observed paths to the clusters can be permuted. A
permutation moves a *whole path* from one cluster to another (cluster :math:`i` receives the
path :math:`(x_{\pi(i),t})_t` of cluster :math:`\pi(i)`): this keeps the serial dependence and
the level of each path, which a permutation of single cluster-years would destroy (and would
then reject far too often). Paths are exchanged only between clusters of the same stratum
(the configured ``speccurve.strata``, e.g. the region, since government intervention is more
intense in some regions) and with the same years observed in the specification's sample, so
that every recipient gets a complete path.

Every specification must use the *same* draws, so that the joint test can count, draw by
draw, how many specifications are significant. Permutation :math:`p` is therefore defined by
one uniform key per cluster, :math:`u_{p,c}`, that depends only on the seed and the cluster
identifier (not on which other clusters are present). Within a group of exchangeable clusters
of a specification's sample, the cluster ranked :math:`j` by identifier receives the path of
the cluster ranked :math:`j` by key. On the full sample this is a uniform random permutation
within each group; a specification on a subsample (a region dropped, edge years dropped) uses
the permutation that the same keys induce on its clusters, which is again uniform. Results do
not depend on the number of jobs or cores.

numpy only.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np


def cluster_keys(cluster_ids: Sequence[str], *, seed: int, n_permutations: int) -> np.ndarray:
    """Uniform keys of each cluster in each permutation, shape ``(n_permutations, n_clusters)``.

    The keys of a cluster are drawn from ``np.random.default_rng([seed, crc32(identifier)])``,
    so they are the same in every specification and every job.
    """
    keys = np.empty((n_permutations, len(cluster_ids)))
    for j, identifier in enumerate(cluster_ids):
        rng = np.random.default_rng([int(seed), zlib.crc32(str(identifier).encode("utf-8"))])
        keys[:, j] = rng.random(n_permutations)
    return keys


def exchangeable_groups(stratum: np.ndarray, presence: np.ndarray) -> np.ndarray:
    """Group code of each cluster: same stratum and same years observed.

    Parameters
    ----------
    stratum : ndarray of int, shape (n_clusters,)
        Stratum code of each cluster.
    presence : ndarray of bool, shape (n_clusters, n_years)
        Whether the cluster is in the sample in each year.
    """
    rows = np.column_stack([stratum.astype(np.int64), presence.astype(np.int64)])
    _, codes = np.unique(rows, axis=0, return_inverse=True)
    return codes.reshape(-1)


def donor_matrix(keys: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Whose path each cluster receives in each permutation, shape ``(n_permutations, n_clusters)``.

    Parameters
    ----------
    keys : ndarray, shape (n_permutations, n_clusters)
        Keys of the sample's clusters (columns in the order of cluster identifiers).
    groups : ndarray of int, shape (n_clusters,)
        Exchangeable groups (:func:`exchangeable_groups`).
    """
    n_perm, n_clusters = keys.shape
    donors = np.empty((n_perm, n_clusters), dtype=np.int64)
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        order = np.argsort(keys[:, members], axis=1, kind="stable")
        donors[:, members] = members[order]
    return donors
