r"""Wild bootstrap weight distributions, drawn in a way that does not depend on chunking.

Every distribution has mean 0 and variance 1:

``rademacher``
    :math:`\pm 1` with probability 1/2 each.
``webb``
    Webb (2023) six-point: :math:`\pm\sqrt{1/2}, \pm 1, \pm\sqrt{3/2}`, each 1/6.
``mammen``
    Mammen (1993): :math:`-(\sqrt5-1)/2` with probability :math:`(\sqrt5+1)/(2\sqrt5)`,
    :math:`(\sqrt5+1)/2` otherwise.

Draws are made row by row (one row of ``n_clusters`` weights per bootstrap replicate) from one
uniform stream of :func:`numpy.random.default_rng`, so the weights of replicate ``b`` are the
same whether the replicates are made in one block or in chunks.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np

from govcluster.panel.spec import check_option

WeightType = Literal["rademacher", "webb", "mammen"]

_SQRT5 = np.sqrt(5.0)
#: Values of the Webb six-point distribution, in increasing order.
WEBB_VALUES = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
#: Mammen's two values and the probability of the first (negative) one.
MAMMEN_VALUES = np.array([-(_SQRT5 - 1) / 2, (_SQRT5 + 1) / 2])
MAMMEN_P_NEGATIVE = (_SQRT5 + 1) / (2 * _SQRT5)


def weights_from_uniform(uniform: np.ndarray, weights: WeightType) -> np.ndarray:
    """Map uniform draws on [0, 1) to wild bootstrap weights (same shape)."""
    check_option(weights, WeightType, "weights")
    if weights == "rademacher":
        return np.where(uniform < 0.5, -1.0, 1.0)
    if weights == "webb":
        return WEBB_VALUES[np.minimum((uniform * 6).astype(np.int64), 5)]
    return np.where(uniform < MAMMEN_P_NEGATIVE, MAMMEN_VALUES[0], MAMMEN_VALUES[1])


def draw_wild_weights(
    rng: np.random.Generator, *, n_draws: int, n_clusters: int, weights: WeightType
) -> np.ndarray:
    """Draw an ``(n_draws, n_clusters)`` array of weights, one row per replicate.

    Consecutive calls on the same generator continue the same stream row by row, so drawing
    ``B`` rows at once or in chunks gives identical weights.
    """
    return weights_from_uniform(rng.random((n_draws, n_clusters)), weights)


def enumerate_rademacher(n_clusters: int) -> np.ndarray:
    """All :math:`2^G` Rademacher sign vectors, as a ``(2**G, G)`` array (first row all -1)."""
    if n_clusters > 20:
        raise ValueError(f"enumerating 2^{n_clusters} sign vectors is too many; draw instead.")
    return np.array(list(itertools.product((-1.0, 1.0), repeat=n_clusters)))
