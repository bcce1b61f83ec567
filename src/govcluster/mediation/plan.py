"""The mediation analysis the configuration asks for."""

from __future__ import annotations

import pandas as pd

from govcluster.config import ProjectConfig
from govcluster.errors import ConfigError
from govcluster.mediation.analysis import panel_mediation
from govcluster.mediation.results import MediationResults


def run_configured_mediation(data: pd.DataFrame, project: ProjectConfig) -> MediationResults:
    """Run :func:`panel_mediation` with the ``mediation`` section, roles and seed of ``project``.

    Controls are ``mediation.controls`` or, when null, ``models.controls``; instruments are
    ``roles.instruments`` when ``mediation.use_instruments``; the seed is the top-level seed.
    """
    settings = project.mediation
    if not settings.get("enabled", True):
        raise ConfigError("mediation.enabled is false in the configuration.")
    if not project.roles.mediators:
        raise ConfigError("roles.mediators is empty: name the mechanisms to analyse.")
    controls = settings.get("controls")
    if controls is None:
        controls = project.models.get("controls", [])
    instruments = project.roles.instruments if settings.get("use_instruments", True) else ()
    return panel_mediation(
        data,
        treatment=project.roles.treatment,
        mediators=list(project.roles.mediators),
        outcome=project.roles.outcome,
        controls=list(controls),
        effects=settings["effects"],
        instruments=list(instruments),
        n_boot=settings["n_boot"],
        seed=project.seed,
        ci_level=settings["ci_level"],
        ci_method=settings["ci_method"],
        n_mc=settings["n_mc"],
    )
