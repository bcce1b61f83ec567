"""The mediation analysis the configuration asks for.

Each analysis runs under the user's names of the entity and the time (``data.entity``,
``data.time``; :class:`govcluster.user_names.UserNames`): the analysis panel's ``cluster_id``
and ``year`` are renamed before estimating, so that the records name the panel identifiers
(``spec.entity``, ``spec.time``) as the user's file does. The numbers do not depend on the
names.
"""

from __future__ import annotations

import pandas as pd

from govcluster.config import ProjectConfig
from govcluster.errors import ConfigError
from govcluster.mediation.analysis import panel_mediation
from govcluster.mediation.interaction import InteractionMediationResult, interaction_mediation
from govcluster.mediation.moderated import (
    ModeratedMediationResult,
    ModeratorSpec,
    moderated_mediation,
)
from govcluster.mediation.results import MediationResults
from govcluster.user_names import user_names


def in_user_names(data: pd.DataFrame, project: ProjectConfig) -> tuple[pd.DataFrame, dict]:
    """``data`` with the entity and time renamed as in the user's file, and those names.

    Returns
    -------
    data : DataFrame
    identifiers : dict
        ``{"entity": ..., "time": ...}``, the keyword arguments of the analyses.
    """
    names = user_names(project).usable(data)
    return names.to_user(data), {"entity": names.entity, "time": names.time}


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
    data, identifiers = in_user_names(data, project)
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
        **identifiers,
    )


def run_configured_moderated_mediation(
    data: pd.DataFrame, project: ProjectConfig
) -> ModeratedMediationResult | None:
    """Run :func:`moderated_mediation` as ``mediation.moderated`` asks (None when disabled).

    The treatment, mechanisms, outcome, controls, effects, bootstrap replicates, level,
    interval method and seed are those of :func:`run_configured_mediation`, so replicate
    ``r`` of both analyses draws the same clusters.
    """
    settings = project.mediation
    section = dict(settings.get("moderated") or {})
    if not (settings.get("enabled", True) and section.get("enabled", False)):
        return None
    if not project.roles.mediators:
        raise ConfigError("roles.mediators is empty: name the mechanisms to analyse.")
    controls = settings.get("controls")
    if controls is None:
        controls = project.models.get("controls", [])
    moderator = ModeratorSpec(
        column=section.get("moderator", "region"),
        groups=section.get("groups"),
        values=section.get("values"),
        continuous=bool(section.get("continuous", False)),
        stage=section.get("stage", "first"),
    )
    data, identifiers = in_user_names(data, project)
    return moderated_mediation(
        data,
        treatment=project.roles.treatment,
        mediators=list(project.roles.mediators),
        outcome=project.roles.outcome,
        moderator=moderator,
        controls=[c for c in controls if c != moderator.column],
        effects=settings["effects"],
        n_boot=settings["n_boot"],
        seed=project.seed,
        ci_level=settings["ci_level"],
        ci_method=settings["ci_method"],
        min_group_clusters=int(section.get("min_group_clusters", 5)),
        **identifiers,
    )


def run_configured_interaction_mediation(
    data: pd.DataFrame, project: ProjectConfig
) -> InteractionMediationResult | None:
    """Run :func:`interaction_mediation` as ``mediation.interaction`` asks (None when off).

    Mechanisms, treatment, outcome and controls as :func:`run_configured_mediation`; the
    seed is the top-level seed.
    """
    settings = project.mediation
    section = dict(settings.get("interaction") or {})
    if not (settings.get("enabled", True) and section.get("enabled", False)):
        return None
    if not project.roles.mediators:
        raise ConfigError("roles.mediators is empty: name the mechanisms to analyse.")
    controls = settings.get("controls")
    if controls is None:
        controls = project.models.get("controls", [])
    data, identifiers = in_user_names(data, project)
    return interaction_mediation(
        data,
        treatment=project.roles.treatment,
        mediators=list(project.roles.mediators),
        outcome=project.roles.outcome,
        controls=list(controls),
        sims=int(section.get("sims", 1000)),
        seed=project.seed,
        level=settings["ci_level"],
        **identifiers,
    )
