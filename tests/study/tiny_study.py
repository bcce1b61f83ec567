"""A simulation study small enough for tests: two designs of 20 clusters, two replications."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

#: Overrides of the shipped ``study`` section: 2 designs x 2 replications of 20 clusters, 4 years.
TINY = {
    "replications": 2,
    "first_year": 2008,
    "last_year": 2011,
    "design": {"n_clusters": [20], "endogeneity": [0.0, 0.8]},
    "estimators": ["twoway_fe", "twoway_fe_iv", "mediation"],
    "simulate_params": {"lag_effects": [0.0, 0.0], "heterogeneity": 0.0},
}


def write_tiny_study_config(workdir: Path) -> Path:
    """Write the shipped configuration with the :data:`TINY` study to ``workdir/config.yaml``."""
    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    config = copy.deepcopy(config)
    config["study"] = {**config["study"], **TINY}
    path = workdir / "config.yaml"
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, allow_unicode=True, sort_keys=False)
    return path
