"""The wild cluster bootstrap of a baseline panel model, as the panel stage runs it.

:func:`wild_bootstrap_of_panel_model` rebuilds the estimation sample of a
:class:`~govcluster.panel.spec.PanelSpec` exactly as :func:`~govcluster.panel.fit_panel_model`
does (same rows, lags and first differences) and, when the model clusters on fewer than
``below_clusters`` groups (or the configuration asks for it ``always``), reports the CRV1 and
the wild cluster bootstrap results side by side (:func:`few_cluster_inference`).

Which models get it: the estimators ``pooled``, ``entity_fe``, ``twoway_fe`` and
``first_difference`` (the pooled regression of the differences with an intercept), with a
one-way clustered covariance (``cluster_entity``: the entity; ``cluster``: the column the
specification names). Random effects, the between estimator, two-way clustering and the
non-clustered covariances get no wild bootstrap (the record holds ``null``).

Configuration (``inference.wild_bootstrap``)::

    inference:
      wild_bootstrap: {below_clusters: 50, always: false, draws: 9999, weights: webb,
                       type: restricted, seed: 20240601}

The bootstrap has its own seed so that changing the simulation seed does not rerun the panel
models (the top-level ``seed`` drives the simulated data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import pandas as pd

from govcluster.core.options import check_option
from govcluster.errors import ConfigError
from govcluster.inference.few_clusters import FewClusterReport, few_cluster_inference
from govcluster.inference.weights import WeightType

#: ``type`` of the configuration: restricted (WCR, the null imposed) or unrestricted (WCU).
WildType = Literal["restricted", "unrestricted"]

_BOOTSTRAP_TYPES = {"restricted": "WCR", "unrestricted": "WCU"}

#: Estimators the wild bootstrap supports, and the estimator of their transformed design.
_DESIGN_ESTIMATOR = {
    "pooled": "pooled",
    "entity_fe": "entity_fe",
    "twoway_fe": "twoway_fe",
    "first_difference": "pooled",
}


@dataclass(frozen=True, kw_only=True)
class WildBootstrapSettings:
    r"""What the panel stage asks of the wild cluster bootstrap.

    Attributes
    ----------
    seed : int
        Seed of the bootstrap weights (``inference.wild_bootstrap.seed``).
    below_clusters : int
        Run it when the model's clusters are fewer than this (default 50).
    always : bool
        Run it whatever the number of clusters.
    draws : int
        Replicates (Rademacher weights with :math:`2^G \\le` draws are enumerated instead).
    weights : {"webb", "rademacher", "mammen"}
    type : {"restricted", "unrestricted"}
        WCR (null imposed, the default) or WCU.
    """

    seed: int = 20240601
    below_clusters: int = 50
    always: bool = False
    draws: int = 9999
    weights: WeightType = "webb"
    type: WildType = "restricted"

    def __post_init__(self) -> None:
        check_option(self.weights, WeightType, name="inference.wild_bootstrap.weights")
        check_option(self.type, WildType, name="inference.wild_bootstrap.type")
        for key in ("below_clusters", "draws"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(
                    f"inference.wild_bootstrap.{key} must be a positive integer; got {value!r}."
                )

    @property
    def bootstrap_type(self) -> str:
        """``"WCR"`` or ``"WCU"``."""
        return _BOOTSTRAP_TYPES[self.type]

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> WildBootstrapSettings:
        """Settings from the ``inference.wild_bootstrap`` mapping (None: the defaults)."""
        values = dict(section or {})
        known = {"below_clusters", "always", "draws", "weights", "type", "seed"}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(
                f"inference.wild_bootstrap has unknown key(s) {unknown}; known: {sorted(known)}."
            )
        if "seed" in values:
            values["seed"] = int(values["seed"])
        return cls(**values)


def _cluster_column(spec: Any) -> str | None:
    if spec.cov_type == "cluster_entity":
        return spec.entity
    if spec.cov_type == "cluster":
        return spec.cluster
    return None


@dataclass(frozen=True)
class _Design:
    """The lag-free design that :func:`few_cluster_inference` reads."""

    outcome: str
    regressors: tuple[str, ...]
    controls: tuple[str, ...]
    entity: str
    time: str
    estimator: str
    level: float


def wild_bootstrap_of_panel_model(
    data: pd.DataFrame, spec: Any, settings: WildBootstrapSettings
) -> FewClusterReport | None:
    """CRV1 and wild cluster bootstrap results of a baseline panel model, when due.

    Parameters
    ----------
    data : DataFrame
        The data the model is estimated on (its sample restriction already applied).
    spec : PanelSpec
    settings : WildBootstrapSettings

    Returns
    -------
    FewClusterReport or None
        None when the model's estimator or covariance is not supported (see the module
        docstring) or when it has at least ``below_clusters`` clusters and ``always`` is
        off. Coefficients carry the names of the panel estimate (``GOV``, ``GOV_lag1``,
        ...; for first differences the variable, not its difference).
    """
    from govcluster.panel.estimators import build_sample, undiff

    cluster = _cluster_column(spec)
    design_estimator = _DESIGN_ESTIMATOR.get(spec.estimator)
    if cluster is None or design_estimator is None:
        return None
    sample, dependent, columns, _ = build_sample(data, spec)
    frame = sample.frame  # carries the entity and the column of cov_type="cluster"
    n_clusters = int(frame[cluster].nunique())
    if not settings.always and n_clusters >= settings.below_clusters:
        return None
    n_regressors = len(spec.design_regressors)
    design = _Design(
        outcome=dependent,
        regressors=tuple(columns[:n_regressors]),
        controls=tuple(columns[n_regressors:]),
        entity=sample.entity,
        time=sample.time,
        estimator=design_estimator,
        level=float(spec.level),
    )
    report = few_cluster_inference(
        frame,
        design,
        seed=settings.seed,
        cluster=cluster,
        threshold=settings.below_clusters,
        bootstrap_type=settings.bootstrap_type,
        weights=settings.weights,
        draws=settings.draws,
        always=settings.always,
    )
    if spec.estimator == "first_difference":
        rows = tuple(replace(row, coefficient=undiff(row.coefficient)) for row in report.rows)
        report = replace(report, rows=rows)
    return report
