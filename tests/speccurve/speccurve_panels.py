"""Panels and curves of the specification-curve tests: latent constructs of the simulator."""

import numpy as np
import pandas as pd

from govcluster.simulate import simulate_latent_panel
from govcluster.speccurve.spec import CurveDimensions

#: The simulator's static DGP (no lagged effects, no regional heterogeneity), as the Monte
#: Carlo study of the estimators uses it: the two-way model with the controls is then correct.
STATIC = {"lag_effects": [0.0, 0.0], "heterogeneity": 0.0}
#: The same with no effect of GOV on SCA at all (no direct effect, no mechanism path).
NULL_EFFECT = {**STATIC, "a": [0.0] * 6, "c_prime": 0.0}


def latent_panel(seed: int, *, n_clusters: int = 240, drop_rows: int = 0, **params) -> pd.DataFrame:
    """The latent panel of a seeded simulation, with ``drop_rows`` cluster-years removed."""
    panel, _ = simulate_latent_panel(n_clusters=n_clusters, seed=seed, **{**STATIC, **params})
    if drop_rows:
        rng = np.random.default_rng(seed)
        panel = panel.drop(index=rng.choice(panel.index, drop_rows, replace=False))
    return panel.reset_index(drop=True)


def small_dimensions(**changes) -> CurveDimensions:
    """A curve of the latent panel (one data variant), 8 specifications unless changed."""
    values = {
        "index_methods": ["entropy"],
        "winsorize": [True],
        "control_sets": {"none": [], "baseline": ["ln_employment", "ln_firms", "ln_gdp_pc"]},
        "fixed_effects": ["entity_year", "entity_region_year"],
        "samples": ["full", "balanced"],
        "se_types": ["cluster_entity"],
        "n_permutations": 99,
        "seed": 7,
        **changes,
    }
    return CurveDimensions(**values)
