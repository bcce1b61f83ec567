"""Panels with the simulator's moderated mechanism paths (shared by the moderated tests).

Truth: :class:`govcluster.simulate.SimulationParameters`: ``a_k`` in the east and
``a_k (1 + heterogeneity)`` in the less-developed regions (central and west), ``b_k`` and
``c'`` common; entity effects and standard normal errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govcluster.simulate.parameters import SimulationParameters

PARAMS = SimulationParameters()
A_EAST = np.asarray(PARAMS.a)
H = PARAMS.heterogeneity
B = np.asarray(PARAMS.b)
C_PRIME = PARAMS.c_prime
MEDIATORS = ("OPEN", "COOP", "ABSORB", "INNOV", "BRAND", "SOCAP")
GROUPS = {"east": ["east"], "less_developed": ["central", "west"]}


def _draw(rng, n_panels: int, n_entities: int, n_periods: int):
    """(panels, entities, periods) arrays of T, M (K) and Y, and the less-developed flag."""
    less = np.zeros(n_entities, dtype=bool)
    less[n_entities // 2 :] = True
    shape = (n_panels, n_entities, n_periods)
    alpha = rng.standard_normal((n_panels, n_entities, 1))
    T = alpha + rng.standard_normal(shape)
    a = A_EAST[:, None] * (1.0 + H * less[None, :])  # (K, entities)
    M = (
        a[None, :, :, None] * T[:, None]
        + 0.5 * alpha[:, None]
        + rng.standard_normal((n_panels, len(MEDIATORS), n_entities, n_periods))
    )
    Y = C_PRIME * T + np.einsum("k,pket->pet", B, M) + alpha + rng.standard_normal(shape)
    return T, M, Y, less


def _frame(T, M, Y, less) -> pd.DataFrame:
    n_entities, n_periods = T.shape
    rows = {
        "cluster_id": np.repeat([f"C{i:03d}" for i in range(n_entities)], n_periods),
        "year": np.tile(np.arange(2008, 2008 + n_periods), n_entities),
        "region": np.repeat(np.where(less, "west", "east"), n_periods),
        "GOV": T.ravel(),
        "SCA": Y.ravel(),
    }
    for k, m in enumerate(MEDIATORS):
        rows[m] = M[k].ravel()
    frame = pd.DataFrame(rows)
    # half of the less-developed clusters are in the centre
    centre = np.repeat(less & (np.arange(n_entities) % 2 == 0), n_periods)
    frame.loc[centre, "region"] = "central"
    return frame


def _truth() -> dict[str, np.ndarray]:
    east = A_EAST * B
    less = A_EAST * (1 + H) * B
    return {
        "east": np.append(east, east.sum()),
        "less_developed": np.append(less, less.sum()),
        "index": np.append(less - east, (less - east).sum()),
    }
