"""From the ``models`` section of the configuration to named estimation jobs.

Specifications come from the configuration, not from code. Each entry of ``models`` becomes
one :class:`PanelJob` with a unique name (the Snakemake rule ``estimate_panel`` runs one job per
name and writes ``results/estimates/panel/<name>.json``). Which entries exist, how each
becomes a specification and which function fits it is declared once, in the estimator registry
(:mod:`govcluster.registry.estimators`); the built-in entries are:

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

    {"schema_version": 2, "job": str, "kind": <estimator kind>,
     "columns": {"entity": str, "time": str},
     "years": [first, last] | null, "n_rows_outside_years": int,
     "result": <the result's to_dict(), with "schema_version" first>,
     "wild_bootstrap": <FewClusterReport.to_dict()> | null}

``wild_bootstrap`` holds the CRV1 and wild cluster bootstrap results of a ``baseline`` model
clustered on fewer than ``inference.wild_bootstrap.below_clusters`` groups (or of every
supported baseline model with ``always: true``; :mod:`govcluster.inference.panel_wild`).

The job is fitted under the user's names of the entity and the time (``data.entity``,
``data.time``; :class:`govcluster.user_names.UserNames`), not the pipeline's ``cluster_id``
and ``year``: the record names the panel identifiers as the user's file does (the
specification's ``entity`` and ``time``, the keys of ``clusters``, the clustering column, the
absorbed terms), ``columns`` says which is which, and the messages of the model checks speak
of the user's columns and entities ("'lemploy' has no variation within firms"). The numbers
do not depend on the names.

read back by :class:`govcluster.records.panel.PanelJobRecord`.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from govcluster.columns import ENTITY, TIME
from govcluster.errors import ConfigError, EstimationError
from govcluster.panel.spec import Vocabulary
from govcluster.records.base import PANEL_JOB_SCHEMA_VERSION, stamp
from govcluster.registry.estimators import ESTIMATORS, Roles, estimator
from govcluster.user_names import UserNames, user_names

#: Job kinds: the kinds of the registered estimators (:mod:`govcluster.registry.estimators`).
JobKind = str

#: Section-wide defaults every specification understands.
SHARED_DEFAULTS = ("controls", "cov_type", "level", "small_sample", "dk_bandwidth")


@dataclass(frozen=True)
class PanelJob:
    """One estimation the pipeline runs.

    Attributes
    ----------
    name : str
        Unique name; the output is ``results/estimates/panel/<name>.json``.
    kind : str
        The kind of a registered estimator.
    spec : PanelSpec or PanelIVSpec or LocalProjectionSpec or HeterogeneitySpec
        Or the specification class of another registered estimator.
    years : tuple of int or None
        Sample restriction (first, last), inclusive.
    options : mapping
        Further keyword arguments of the estimating function (``mundlak_base``).
    wild_bootstrap : WildBootstrapSettings or None
        Settings of the wild cluster bootstrap run next to a ``baseline`` model
        (:mod:`govcluster.inference.panel_wild`); None for the other kinds.
    where : str
        The job's entry in the configuration (``models.baseline.twoway_fe``).
    names : UserNames
        The user's names of the entity and the time: :func:`run_panel_job` fits the job and
        writes its record under them. ``spec`` itself uses the pipeline's names, those of the
        analysis panel.
    """

    name: str
    kind: JobKind
    spec: Any
    years: tuple[int, int] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    wild_bootstrap: Any = None
    where: str = ""
    names: UserNames = field(default_factory=UserNames)


#: Estimators whose assumptions need several periods of each entity.
PANEL_ONLY_ESTIMATORS = ("entity_fe", "twoway_fe", "random", "first_difference", "hdfe")
#: Job kinds that need several periods whatever their estimator.
PANEL_ONLY_KINDS = ("specification_tests", "local_projections")


def panel_requirement(job: PanelJob) -> str | None:
    """Why ``job`` needs a panel (several periods), or None when it runs on a cross-section."""
    if job.kind in PANEL_ONLY_KINDS:
        return f"{job.kind.replace('_', ' ')} compare estimates over time"
    spec = getattr(job.spec, "base", job.spec)
    estimator_name = getattr(spec, "estimator", None)
    if estimator_name in PANEL_ONLY_ESTIMATORS:
        return {
            "entity_fe": "estimator entity_fe removes each entity's mean over its periods",
            "twoway_fe": "estimator twoway_fe removes entity and period effects",
            "random": "estimator random separates entity effects from the error over periods",
            "first_difference": "estimator first_difference differences consecutive periods",
            "hdfe": "estimator hdfe removes entity and period effects",
        }[estimator_name]
    if getattr(spec, "lags", ()):
        return "its lags need the previous period"
    return None


def check_panel_job(data: pd.DataFrame, job: PanelJob, *, time: str = TIME) -> None:
    """Raise a clear error when ``job`` needs a panel and ``data`` hold a single period.

    Raises
    ------
    ConfigError
        Naming the model's configuration key, why it needs several periods, and the fix.
    """
    if time not in data.columns or data[time].nunique() >= 2:
        return
    reason = panel_requirement(job)
    if reason is None:
        return
    where = job.where or job.name
    raise ConfigError(
        f"{where}: the data are a cross-section (one period), but this model needs a panel "
        f"({reason}). Use estimator: pooled (OLS) for a cross-section, or remove {where}."
    )


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


def panel_jobs(
    models: Mapping[str, Any],
    *,
    outcome: str,
    treatment: str,
    instruments: tuple[str, ...],
    wild_bootstrap: Any = None,
    column_names: Mapping[str, str] | None = None,
    names: UserNames | None = None,
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
    wild_bootstrap : WildBootstrapSettings, optional
        Given to the ``baseline`` jobs (:mod:`govcluster.inference.panel_wild`).
    column_names : mapping, optional
        The user's entity and time column names -> the pipeline's (``{"年份": "year"}``), so
        that ``absorb: [industry^年份]`` and ``cluster: 年份`` may use the names of the file.
    names : UserNames, optional
        The user's names of the entity and the time, kept in each job (:attr:`PanelJob.names`)
        for its record and messages; the pipeline's names by default.

    Returns
    -------
    dict
        Job name -> :class:`PanelJob`: the registered estimators in registration order, each
        estimator's entries in configuration order.
    """
    roles = Roles(outcome=outcome, treatment=treatment, instruments=tuple(instruments))
    jobs: dict[str, PanelJob] = {}

    def add(job: PanelJob) -> None:
        if job.name in jobs:
            raise ConfigError(f"Two model entries share the job name '{job.name}'; rename one.")
        jobs[job.name] = job

    for kind, entry in ESTIMATORS.items():
        section = models.get(kind)
        if not section:
            continue
        if entry.keyed:
            items = [(key, value, f"models.{kind}.{key}") for key, value in section.items()]
        else:
            items = [(None, section, f"models.{kind}")]
        for key, value, where in items:
            settings, years = _entry_settings(value, models, where)
            _rename_columns(settings, column_names or {})
            name = key if entry.keyed else kind
            try:
                spec, options = entry.build_spec(settings, name, roles, where)
            except EstimationError as error:
                raise ConfigError(f"{where}: {error}") from None
            wild = wild_bootstrap if kind == "baseline" else None
            job = PanelJob(entry.job_name(key), kind, spec, years, options, wild, where)
            add(dataclasses.replace(job, names=names or UserNames()))
    return jobs


def _rename_columns(settings: dict[str, Any], names: Mapping[str, str]) -> None:
    """The user's entity and time names in ``absorb`` and ``cluster`` -> the pipeline's."""
    if not names:
        return
    absorb = settings.get("absorb")
    if absorb:
        terms = [absorb] if isinstance(absorb, str) else list(absorb)
        settings["absorb"] = [
            "^".join(names.get(part.strip(), part.strip()) for part in str(term).split("^"))
            for term in terms
        ]
    cluster = settings.get("cluster")
    if isinstance(cluster, str) and cluster in names:
        settings["cluster"] = names[cluster]


def restrict_years(
    data: pd.DataFrame, years: tuple[int, int] | None, *, time: str = TIME
) -> pd.DataFrame:
    """Rows of ``data`` whose ``time`` lies in ``years`` (all rows when ``years`` is None)."""
    if years is None:
        return data
    keep = data[time].between(years[0], years[1])
    return data.loc[keep]


def run_panel_job(data: pd.DataFrame, job: PanelJob) -> dict[str, Any]:
    """Estimate ``job`` on ``data`` and return its JSON record (see the module docstring).

    ``data`` is the analysis panel, with the pipeline's column names; the job is fitted with
    the entity and time columns renamed to the user's names (:attr:`PanelJob.names`), so that
    the record and the messages name them as the user does. The record is read back with the
    estimator's typed record before it is returned, so a result the renderers could not read
    fails here, at estimation.
    """
    entry = estimator(job.kind)
    check_panel_job(data, job, time=entry.time_column(job.spec))
    sample = restrict_years(data, job.years, time=entry.time_column(job.spec))
    names = job.names.usable(sample)
    spec = in_user_names(job.spec, names)
    sample = names.to_user(sample)
    result = entry.fit(sample, spec, **job.options)
    wild = None
    if job.wild_bootstrap is not None:
        from govcluster.inference.panel_wild import wild_bootstrap_of_panel_model

        wild = wild_bootstrap_of_panel_model(sample, spec, job.wild_bootstrap)
    record = {
        "schema_version": PANEL_JOB_SCHEMA_VERSION,
        "job": job.name,
        "kind": job.kind,
        "columns": names.to_dict(),
        "years": list(job.years) if job.years else None,
        "n_rows_outside_years": int(len(data) - len(sample)),
        "result": stamp(result.to_dict()),
        "wild_bootstrap": wild.to_dict() if wild is not None else None,
    }
    entry.record.from_dict(record["result"], where=f"panel job {job.name}: result")
    return record


def in_user_names(spec: Any, names: UserNames) -> Any:
    """``spec`` with the panel identifiers renamed to the user's names.

    The fields ``entity`` and ``time``, a clustering column (``cluster``), a grouping column
    (``by``) and each part of the absorbed terms (``industry^year`` -> ``industry^fyear``)
    that is the entity or the time; a nested specification (``base``) likewise. ``vocabulary``
    (the words of the messages) becomes the user's. Specifications of other shapes keep the
    fields they lack.
    """
    if not dataclasses.is_dataclass(spec):
        return spec
    present = {f.name for f in dataclasses.fields(spec)}
    changes: dict[str, Any] = {}
    for name in ("entity", "time", "cluster", "by"):
        value = getattr(spec, name, None) if name in present else None
        if isinstance(value, str) and names.user_column(value) != value:
            changes[name] = names.user_column(value)
    if "absorb" in present and spec.absorb:
        changes["absorb"] = tuple(
            "^".join(names.user_column(part) for part in str(term).split("^"))
            for term in spec.absorb
        )
    if "base" in present and dataclasses.is_dataclass(spec.base):
        changes["base"] = in_user_names(spec.base, names)
    if "vocabulary" in present:
        changes["vocabulary"] = Vocabulary.of(names)
    return dataclasses.replace(spec, **changes) if changes else spec


def project_panel_jobs(project, *, wild_bootstrap: bool = True) -> dict[str, PanelJob]:
    """The jobs of a :class:`govcluster.config.ProjectConfig`.

    Its models and roles, and for the baseline jobs ``inference.wild_bootstrap`` (not read with
    ``wild_bootstrap=False``, for callers that use only the models).
    """
    settings = None
    if wild_bootstrap:
        from govcluster.inference.panel_wild import WildBootstrapSettings

        section = (project.raw.get("inference") or {}).get("wild_bootstrap")
        settings = WildBootstrapSettings.from_config(section)
    data = project.data
    return panel_jobs(
        project.models,
        outcome=project.roles.outcome,
        treatment=project.roles.treatment,
        instruments=project.roles.instruments,
        wild_bootstrap=settings,
        column_names={
            user: canonical
            for user, canonical in ((data.entity, ENTITY), (data.time, TIME))
            if user and user != canonical
        },
        names=user_names(project),
    )
