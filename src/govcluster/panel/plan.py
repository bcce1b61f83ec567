"""From the ``models`` section of the configuration to named estimation jobs.

Specifications come from the configuration, not from code. Each entry of ``models`` becomes
one :class:`PanelJob` with a unique name (the Snakemake rule ``estimate_panel`` runs one job per
name and writes ``results/estimates/panel/<name>.json``):

=======================  ===============================  ==================================
config entry             job name                         function
=======================  ===============================  ==================================
``baseline.<key>``       ``baseline_<key>``               :func:`fit_panel_model`
``specification_tests``  ``specification_tests``          :func:`specification_tests`
``local_projections``    ``local_projections``            :func:`fit_local_projections`
``heterogeneity.<key>``  ``heterogeneity_<key>``          :func:`fit_heterogeneity`
``iv.<key>``             ``iv_<key>``                     :func:`fit_panel_iv`
=======================  ===============================  ==================================

Every entry may set any field of the corresponding specification; unset fields take the
section-wide defaults (``models.controls``, ``models.cov_type``, ``models.level``,
``models.small_sample``) and the roles (``roles.outcome``, ``roles.treatment``,
``roles.instruments``). ``years: [first, last]`` restricts a job's sample to those years (the
rows left out are counted in the record).

JSON record of a job (``run_panel_job``)::

    {"schema_version": 1, "job": str, "kind": "baseline" | "specification_tests" | "local_projections"
     | "heterogeneity" | "iv", "years": [first, last] | null,
     "n_rows_outside_years": int, "result": <the result's to_dict()>}
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from govcluster.columns import TIME
from govcluster.errors import ConfigError
from govcluster.panel.estimators import fit_panel_model
from govcluster.panel.heterogeneity import fit_heterogeneity
from govcluster.panel.horizons import fit_local_projections
from govcluster.panel.iv import fit_panel_iv
from govcluster.panel.spec import (
    HeterogeneitySpec,
    LocalProjectionSpec,
    PanelIVSpec,
    PanelSpec,
)
from govcluster.panel.spectests import specification_tests
from govcluster.records.base import SCHEMA_VERSION, stamp

JobKind = Literal["baseline", "specification_tests", "local_projections", "heterogeneity", "iv"]

#: Section-wide defaults every specification understands.
SHARED_DEFAULTS = ("controls", "cov_type", "level", "small_sample", "dk_bandwidth")


@dataclass(frozen=True)
class PanelJob:
    """One estimation the pipeline runs.

    Attributes
    ----------
    name : str
        Unique name; the output is ``results/estimates/panel/<name>.json``.
    kind : JobKind
    spec : PanelSpec or PanelIVSpec or LocalProjectionSpec or HeterogeneitySpec
    years : tuple of int or None
        Sample restriction (first, last), inclusive.
    options : mapping
        Further keyword arguments of the estimating function (``mundlak_base``).
    """

    name: str
    kind: JobKind
    spec: Any
    years: tuple[int, int] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


def _entry_settings(
    entry: Mapping[str, Any] | None, models: Mapping[str, Any], where: str
) -> tuple[dict[str, Any], tuple[int, int] | None]:
    settings = {key: models[key] for key in SHARED_DEFAULTS if models.get(key) is not None}
    settings.update(copy.deepcopy(dict(entry or {})))
    years = settings.pop("years", None)
    if years is not None:
        if len(years) != 2 or years[0] > years[1]:
            raise ConfigError(f"{where}.years must be [first, last] with first <= last")
        years = (int(years[0]), int(years[1]))
    return settings, years


def _make(spec_class, settings: dict[str, Any], where: str):
    try:
        return spec_class(**settings)
    except TypeError as error:
        fields = ", ".join(f for f in spec_class.__dataclass_fields__ if not f.startswith("_"))
        raise ConfigError(f"{where}: {error}. Valid keys: {fields}, years") from None


def panel_jobs(
    models: Mapping[str, Any], *, outcome: str, treatment: str, instruments: tuple[str, ...]
) -> dict[str, PanelJob]:
    """Build the named estimation jobs of the ``models`` configuration section.

    Parameters
    ----------
    models : mapping
        The validated ``models`` section.
    outcome, treatment : str
        Default outcome and treatment (``roles``).
    instruments : tuple of str
        Default excluded instruments (``roles.instruments``).

    Returns
    -------
    dict
        Job name -> :class:`PanelJob`, in configuration order.
    """
    jobs: dict[str, PanelJob] = {}

    def add(job: PanelJob) -> None:
        if job.name in jobs:
            raise ConfigError(f"Two model entries share the job name '{job.name}'; rename one.")
        jobs[job.name] = job

    for key, entry in (models.get("baseline") or {}).items():
        where = f"models.baseline.{key}"
        settings, years = _entry_settings(entry, models, where)
        settings.setdefault("outcome", outcome)
        settings.setdefault("regressors", [treatment])
        settings.setdefault("name", key)
        add(PanelJob(f"baseline_{key}", "baseline", _make(PanelSpec, settings, where), years))

    tests = models.get("specification_tests")
    if tests:
        where = "models.specification_tests"
        settings, years = _entry_settings(tests, models, where)
        options = {"mundlak_base": settings.pop("mundlak_base", "random")}
        settings.setdefault("outcome", outcome)
        settings.setdefault("regressors", [treatment])
        settings.setdefault("estimator", "entity_fe")
        settings.setdefault("name", "specification_tests")
        spec = _make(PanelSpec, settings, where)
        add(PanelJob("specification_tests", "specification_tests", spec, years, options))

    projections = models.get("local_projections")
    if projections:
        where = "models.local_projections"
        settings, years = _entry_settings(projections, models, where)
        settings.setdefault("outcome", outcome)
        settings.setdefault("treatment", treatment)
        settings.setdefault("name", "local_projections")
        spec = _make(LocalProjectionSpec, settings, where)
        add(PanelJob("local_projections", "local_projections", spec, years))

    for key, entry in (models.get("heterogeneity") or {}).items():
        where = f"models.heterogeneity.{key}"
        settings, years = _entry_settings(entry, models, where)
        group_settings = {k: settings.pop(k) for k in ("by", "groups") if k in settings}
        settings.setdefault("outcome", outcome)
        settings.setdefault("regressors", [treatment])
        settings.setdefault("name", key)
        base = _make(PanelSpec, settings, where)
        spec = _make(HeterogeneitySpec, {"base": base, "name": key, **group_settings}, where)
        add(PanelJob(f"heterogeneity_{key}", "heterogeneity", spec, years))

    for key, entry in (models.get("iv") or {}).items():
        where = f"models.iv.{key}"
        settings, years = _entry_settings(entry, models, where)
        settings.setdefault("outcome", outcome)
        settings.setdefault("endogenous", [treatment])
        settings.setdefault("instruments", list(instruments))
        settings.setdefault("name", key)
        if not settings["instruments"]:
            raise ConfigError(
                f"{where} has no instruments: list them in roles.instruments or in the entry"
            )
        add(PanelJob(f"iv_{key}", "iv", _make(PanelIVSpec, settings, where), years))
    return jobs


def restrict_years(
    data: pd.DataFrame, years: tuple[int, int] | None, *, time: str = TIME
) -> pd.DataFrame:
    """Rows of ``data`` whose ``time`` lies in ``years`` (all rows when ``years`` is None)."""
    if years is None:
        return data
    keep = data[time].between(years[0], years[1])
    return data.loc[keep]


def run_panel_job(data: pd.DataFrame, job: PanelJob) -> dict[str, Any]:
    """Estimate ``job`` on ``data`` and return its JSON record (see the module docstring)."""
    time = job.spec.base.time if job.kind == "heterogeneity" else job.spec.time
    sample = restrict_years(data, job.years, time=time)
    if job.kind == "baseline":
        result = fit_panel_model(sample, job.spec)
    elif job.kind == "specification_tests":
        result = specification_tests(sample, job.spec, **job.options)
    elif job.kind == "local_projections":
        result = fit_local_projections(sample, job.spec)
    elif job.kind == "heterogeneity":
        result = fit_heterogeneity(sample, job.spec)
    else:
        result = fit_panel_iv(sample, job.spec)
    return {
        "schema_version": SCHEMA_VERSION,
        "job": job.name,
        "kind": job.kind,
        "years": list(job.years) if job.years else None,
        "n_rows_outside_years": int(len(data) - len(sample)),
        "result": stamp(result.to_dict()),
    }


def project_panel_jobs(project) -> dict[str, PanelJob]:
    """The jobs of a :class:`govcluster.config.ProjectConfig` (its models and roles)."""
    return panel_jobs(
        project.models,
        outcome=project.roles.outcome,
        treatment=project.roles.treatment,
        instruments=project.roles.instruments,
    )
