"""Registry of the panel estimators: one entry per kind of estimation job.

An :class:`EstimatorEntry` says everything the pipeline needs to know about a kind of job:

- ``kind``: its name, which is also its key in the ``models`` section of the configuration
  (``models.<kind>.<key>`` for a keyed estimator, one job per key named ``<kind>_<key>``;
  ``models.<kind>`` for a single one, one job named ``<kind>``);
- ``spec`` and ``build_spec``: the specification class and how a configuration entry (with
  the section-wide defaults and the roles) becomes one;
- ``fit``: the public fit function, ``fit(data, spec, **options)``, whose result has a
  ``to_dict()``;
- ``record``: the typed record (:mod:`govcluster.records`) that reads the stored result;
- ``exhibits``: the exhibits that read its jobs (from :mod:`govcluster.registry.exhibits`).

:func:`govcluster.panel.plan.panel_jobs` turns the configuration into jobs with these entries,
:func:`govcluster.panel.plan.run_panel_job` fits them, and the rendering plan
(:func:`govcluster.render.plan.planned_exhibits`) plans the exhibits of the kinds that have
jobs. The built-in estimators are registered at the end of this module, in the order their
jobs are listed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from govcluster.errors import ConfigError
from govcluster.panel.spec import (
    HeterogeneitySpec,
    LocalProjectionSpec,
    PanelIVSpec,
    PanelSpec,
)
from govcluster.records.base import Record
from govcluster.records.panel import (
    HeterogeneityRecord,
    LocalProjectionsRecord,
    PanelEstimateRecord,
    PanelIVEstimateRecord,
    SpecificationTestsRecord,
)


@dataclass(frozen=True)
class Roles:
    """Defaults taken from the ``roles`` section of the configuration."""

    outcome: str
    treatment: str
    instruments: tuple[str, ...]


#: ``build_spec(settings, name, roles, where) -> (spec, options)``: ``settings`` is the
#: configuration entry with the section-wide defaults filled in (``years`` removed), ``name``
#: the entry's key (or the kind, for a single estimator), ``where`` the configuration path for
#: messages; ``options`` are further keyword arguments of the fit function.
SpecBuilder = Callable[[dict[str, Any], str, Roles, str], tuple[Any, dict[str, Any]]]


@dataclass(frozen=True)
class EstimatorEntry:
    """One kind of panel estimation job (see the module docstring).

    Attributes
    ----------
    kind : str
    keyed : bool
        Several named entries (``models.<kind>.<key>``) or one (``models.<kind>``).
    spec : type
        The specification class.
    build_spec : callable
        See :data:`SpecBuilder`.
    fit : callable
        ``fit(data, spec, **options)``.
    record : type of Record
        Reads the stored ``result`` of a job of this kind.
    time_column : callable
        ``time_column(spec) -> str``: the column a ``years`` restriction applies to.
    description : str
        One line for the documentation.
    """

    kind: str
    keyed: bool
    spec: type
    build_spec: SpecBuilder
    fit: Callable[..., Any]
    record: type[Record]
    time_column: Callable[[Any], str] = field(default=lambda spec: spec.time)
    description: str = ""

    def job_name(self, key: str | None) -> str:
        """Name of the job of entry ``key`` (the kind itself for a single estimator)."""
        return f"{self.kind}_{key}" if self.keyed else self.kind

    @property
    def exhibits(self) -> tuple[str, ...]:
        """Names of the registered exhibits that read jobs of this kind."""
        from govcluster.registry.exhibits import exhibits_reading

        return tuple(entry.name for entry in exhibits_reading(self.kind))


#: Registered estimators by kind, in the order their jobs are listed.
ESTIMATORS: dict[str, EstimatorEntry] = {}


def register_estimator(entry: EstimatorEntry) -> EstimatorEntry:
    """Add ``entry`` to :data:`ESTIMATORS` (a kind may be registered once)."""
    if entry.kind in ESTIMATORS and ESTIMATORS[entry.kind] is not entry:
        raise ValueError(f"an estimator of kind {entry.kind!r} is already registered")
    ESTIMATORS[entry.kind] = entry
    return entry


def unregister_estimator(kind: str) -> None:
    """Remove the estimator ``kind`` (for tests that register a temporary one)."""
    ESTIMATORS.pop(kind, None)


def estimator(kind: str) -> EstimatorEntry:
    """The registered estimator of ``kind``.

    Raises
    ------
    ConfigError
        If no estimator of that kind is registered.
    """
    if kind not in ESTIMATORS:
        raise ConfigError(
            f"no panel estimator of kind {kind!r}; registered: {', '.join(ESTIMATORS)}"
        )
    return ESTIMATORS[kind]


def make_spec(spec_class: type, settings: Mapping[str, Any], where: str) -> Any:
    """``spec_class(**settings)``, a wrong key reported with the valid keys."""
    try:
        return spec_class(**settings)
    except TypeError as error:
        fields = ", ".join(
            f
            for f in spec_class.__dataclass_fields__
            if not f.startswith("_") and f != "vocabulary"  # from data.entity_label, not a key
        )
        raise ConfigError(f"{where}: {error}. Valid keys: {fields}, years") from None


# --------------------------------------------------------------------------- built-in entries


def _baseline_spec(settings: dict[str, Any], name: str, roles: Roles, where: str):
    settings.setdefault("outcome", roles.outcome)
    settings.setdefault("regressors", [roles.treatment])
    settings.setdefault("name", name)
    return make_spec(PanelSpec, settings, where), {}


def _specification_tests_spec(settings: dict[str, Any], name: str, roles: Roles, where: str):
    options = {"mundlak_base": settings.pop("mundlak_base", "random")}
    settings.setdefault("outcome", roles.outcome)
    settings.setdefault("regressors", [roles.treatment])
    settings.setdefault("estimator", "entity_fe")
    settings.setdefault("name", name)
    return make_spec(PanelSpec, settings, where), options


def _local_projections_spec(settings: dict[str, Any], name: str, roles: Roles, where: str):
    settings.setdefault("outcome", roles.outcome)
    settings.setdefault("treatment", roles.treatment)
    settings.setdefault("name", name)
    return make_spec(LocalProjectionSpec, settings, where), {}


def _heterogeneity_spec(settings: dict[str, Any], name: str, roles: Roles, where: str):
    group_settings = {k: settings.pop(k) for k in ("by", "groups") if k in settings}
    settings.setdefault("outcome", roles.outcome)
    settings.setdefault("regressors", [roles.treatment])
    settings.setdefault("name", name)
    base = make_spec(PanelSpec, settings, where)
    spec = make_spec(HeterogeneitySpec, {"base": base, "name": name, **group_settings}, where)
    return spec, {}


def _iv_spec(settings: dict[str, Any], name: str, roles: Roles, where: str):
    settings.setdefault("outcome", roles.outcome)
    settings.setdefault("endogenous", [roles.treatment])
    settings.setdefault("instruments", list(roles.instruments))
    settings.setdefault("name", name)
    if not settings["instruments"]:
        raise ConfigError(
            f"{where} has no instruments: list them in roles.instruments or in the entry"
        )
    return make_spec(PanelIVSpec, settings, where), {}


#: Modules of the fit functions registered with :func:`fit_imported_on_call` (the job server
#: imports them before any step, see :func:`govcluster.job_server.preloaded_modules`).
FIT_MODULES: list[str] = []


def fit_imported_on_call(module: str, name: str) -> Callable[..., Any]:
    """The fit function ``module.name``, imported when it is first called.

    The registry is read when the workflow is planned, in Snakemake's own process, which
    needs the jobs and their specifications but never fits: the estimators' modules import
    linearmodels and scipy (about 1.5 s), so they are imported only by the steps that fit.
    """

    def fit(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    fit.__name__ = fit.__qualname__ = name
    fit.__module__ = module
    fit.__doc__ = f"``{module}.{name}``, imported on first call."
    if module not in FIT_MODULES:
        FIT_MODULES.append(module)
    return fit


register_estimator(
    EstimatorEntry(
        kind="baseline",
        keyed=True,
        spec=PanelSpec,
        build_spec=_baseline_spec,
        fit=fit_imported_on_call("govcluster.panel.estimators", "fit_panel_model"),
        record=PanelEstimateRecord,
        description="linear panel models: pooled, entity / two-way FE, random, between, FD",
    )
)
register_estimator(
    EstimatorEntry(
        kind="specification_tests",
        keyed=False,
        spec=PanelSpec,
        build_spec=_specification_tests_spec,
        fit=fit_imported_on_call("govcluster.panel.spectests", "specification_tests"),
        record=SpecificationTestsRecord,
        description="poolability F, Breusch-Pagan LM, Hausman and Mundlak tests",
    )
)
register_estimator(
    EstimatorEntry(
        kind="local_projections",
        keyed=False,
        spec=LocalProjectionSpec,
        build_spec=_local_projections_spec,
        fit=fit_imported_on_call("govcluster.panel.horizons", "fit_local_projections"),
        record=LocalProjectionsRecord,
        description="effect of the treatment h = 0..H years later",
    )
)
register_estimator(
    EstimatorEntry(
        kind="heterogeneity",
        keyed=True,
        spec=HeterogeneitySpec,
        build_spec=_heterogeneity_spec,
        fit=fit_imported_on_call("govcluster.panel.heterogeneity", "fit_heterogeneity"),
        record=HeterogeneityRecord,
        time_column=lambda spec: spec.base.time,
        description="split samples and an interaction model by group",
    )
)
register_estimator(
    EstimatorEntry(
        kind="iv",
        keyed=True,
        spec=PanelIVSpec,
        build_spec=_iv_spec,
        fit=fit_imported_on_call("govcluster.panel.iv", "fit_panel_iv"),
        record=PanelIVEstimateRecord,
        description="fixed-effects / first-difference 2SLS with weak-instrument diagnostics",
    )
)
