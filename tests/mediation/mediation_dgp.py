"""Seeded simulated cluster panels with known mediation paths (shared by the mediation tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd

MEDIATORS = ("OPEN", "COOP", "ABSORB", "INNOV", "BRAND", "SOCAP")
CONTROLS = ("ln_employment", "ln_firms", "cluster_age", "ln_gdp_pc")
#: True a_k (T -> M_k). INNOV is a null mechanism with a = 0 (and b != 0).
A_TRUE = (0.50, 0.40, 0.30, 0.00, 0.35, 0.25)
#: True b_k (M_k -> Y, parallel model). ABSORB is a null mechanism with b = 0 (and a != 0).
B_TRUE = (0.40, 0.30, 0.00, 0.45, 0.25, -0.30)
C_PRIME_TRUE = 0.20


def simulate_panel(
    seed: int,
    *,
    n_entities: int = 60,
    n_periods: int = 8,
    n_mediators: int = 6,
    drop_share: float = 0.0,
    ar: float = 0.5,
    endogeneity: float = 0.0,
    first_year: int = 2008,
) -> tuple[pd.DataFrame, dict]:
    """A two-way fixed-effects panel with parallel mediators.

    ``M_k = a_k T + X g_k + alpha_ik + lambda_tk + e_k``,
    ``Y = c' T + sum_k b_k M_k + X g + alpha_i + lambda_t + e``; errors AR(1) within entity
    (coefficient ``ar``), entity effects correlated with T. ``endogeneity`` adds to every
    mediator error a multiple of the first-stage shock of T, so that FE-OLS of M on T is biased
    and the within-2SLS with ``iv_fiscal_shock`` is not. ``drop_share`` drops that share of
    rows at random (unbalanced panel).

    Returns
    -------
    data : pandas.DataFrame
    truth : dict
        ``a``, ``b``, ``c_prime``, ``indirect`` (a*b), ``total_indirect``, ``c`` per mediator
        name.
    """
    rng = np.random.default_rng(seed)
    g, t, k = n_entities, n_periods, n_mediators
    names = MEDIATORS[:k]
    a = np.asarray(A_TRUE[:k])
    b = np.asarray(B_TRUE[:k])
    n = g * t
    ent = np.repeat(np.arange(g), t)
    per = np.tile(np.arange(t), g)

    def ar_noise(scale: float) -> np.ndarray:
        shocks = rng.standard_normal((g, t)) * scale
        out = np.empty_like(shocks)
        out[:, 0] = shocks[:, 0] / np.sqrt(1 - ar**2)
        for s in range(1, t):
            out[:, s] = ar * out[:, s - 1] + shocks[:, s]
        return out.ravel()

    alpha_t = rng.normal(0, 1, g)
    controls = np.column_stack(
        [
            rng.normal(0, 1, g)[ent] + 0.3 * ar_noise(1.0),
            rng.normal(0, 1, g)[ent] + 0.3 * ar_noise(1.0),
            rng.normal(10, 3, g)[ent] + 0.5 * rng.standard_normal(n),
            rng.normal(0, 0.5, t)[per] + 0.2 * ar_noise(1.0) + 0.3 * alpha_t[ent],
        ]
    )
    z = rng.standard_normal(n)
    v = ar_noise(1.0)
    treat = alpha_t[ent] + rng.normal(0, 0.5, t)[per] + 0.6 * z + 0.2 * controls[:, 0] + v
    gam = rng.normal(0, 0.2, (4, k))
    med = np.empty((n, k))
    for j in range(k):
        med[:, j] = (
            a[j] * treat
            + controls @ gam[:, j]
            + rng.normal(0, 1, g)[ent]
            + 0.5 * alpha_t[ent]
            + rng.normal(0, 0.5, t)[per]
            + ar_noise(1.0)
            + endogeneity * v
        )
    y = (
        C_PRIME_TRUE * treat
        + med @ b
        + controls @ rng.normal(0, 0.2, 4)
        + rng.normal(0, 1, g)[ent]
        + 0.5 * alpha_t[ent]
        + rng.normal(0, 0.5, t)[per]
        + ar_noise(1.0)
    )
    data = pd.DataFrame(
        {
            "cluster_id": [f"C{i:04d}" for i in ent],
            "year": first_year + per,
            "GOV": treat,
            **{name: med[:, j] for j, name in enumerate(names)},
            "SCA": y,
            **{name: controls[:, j] for j, name in enumerate(CONTROLS)},
            "iv_fiscal_shock": z,
        }
    )
    if drop_share > 0:
        keep = rng.random(n) >= drop_share
        data = data.loc[keep].reset_index(drop=True)
    truth = {
        "a": dict(zip(names, a, strict=True)),
        "b": dict(zip(names, b, strict=True)),
        "indirect": dict(zip(names, a * b, strict=True)),
        "c_prime": C_PRIME_TRUE,
        "total_indirect": float(a @ b),
        "c": C_PRIME_TRUE + float(a @ b),
    }
    return data, truth
