"""A seeded factor-model panel with one treated unit and a known effect path."""

from __future__ import annotations

import numpy as np
import pandas as pd


def factor_model_panel(
    *,
    seed: int,
    n_donors: int = 30,
    n_years: int = 20,
    first_post: int = 14,
    effect: float = 1.0,
    noise: float = 0.1,
) -> tuple[pd.DataFrame, dict[int, float]]:
    """Outcome ``y = unit effect + year effect + loadings . factors + noise``.

    The treated unit's loadings and fixed effect are a convex combination of three donors',
    so a synthetic control exists; its effect grows linearly from ``effect`` in the first
    post year. Returns the long panel (columns ``unit``, ``year``, ``industry``,
    ``designated``, ``x``, ``y``) and the true effect by year.
    """
    rng = np.random.default_rng(seed)
    years = np.arange(2000, 2000 + n_years)
    factors = np.cumsum(rng.normal(size=(n_years, 2)), axis=0) * 0.5
    load = rng.normal(size=(n_donors, 2))
    alpha = rng.normal(size=n_donors)
    mix = np.zeros(n_donors)
    mix[:3] = rng.dirichlet(np.ones(3))
    load_t, alpha_t = mix @ load, mix @ alpha
    time_fe = np.linspace(0.0, 1.0, n_years)
    y0 = alpha[None, :] + time_fe[:, None] + factors @ load.T
    yt = alpha_t + time_fe + factors @ load_t
    post = years >= years[first_post]
    truth = np.where(post, effect * (1 + np.cumsum(post) - 1), 0.0)
    ys = np.column_stack([yt + truth, y0]) + rng.normal(scale=noise, size=(n_years, n_donors + 1))
    units = ["T"] + [f"D{j:02d}" for j in range(n_donors)]
    x = np.concatenate([[alpha_t], alpha]) + rng.normal(scale=0.01, size=n_donors + 1)
    rows = []
    for i, unit in enumerate(units):
        for t, year in enumerate(years):
            rows.append(
                {
                    "unit": unit,
                    "name": f"name {unit}",
                    "year": int(year),
                    "industry": "a" if i % 2 == 0 or i < 4 else "b",
                    "designated": 0.0,
                    "x": x[i],
                    "y": ys[t, i],
                }
            )
    true_path = {int(y): float(v) for y, v in zip(years[post], truth[post], strict=True)}
    return pd.DataFrame(rows), true_path


COLUMNS = {"entity": "unit", "time": "year", "name": "name", "industry": "industry"}


def base_config(**overrides) -> dict:
    """A ``case_study:`` section for :func:`factor_model_panel`."""
    cfg = {
        "treated": "T",
        "intervention_year": 2014,
        "outcome": "y",
        "donor_pool": "all",
        "designation_column": "designated",
        "columns": COLUMNS,
    }
    cfg.update(overrides)
    return cfg
