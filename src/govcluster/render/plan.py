"""The exhibits of a configuration: which tables, figures and numbers files it gets.

The workflow asks :func:`planned_exhibits` for the exhibits of the configuration and defines
one rendering rule for each. Exhibits that depend on an optional part of the analysis are
planned only when that part is configured:

- the index tables and the index-trends figure need constructs (and the trends a region);
- the panel exhibits need panel jobs of their kind, whatever their names (the replication
  cases name their jobs differently); the robustness table needs a baseline specification
  estimated under more than one covariance estimator;
- the mediation exhibits need ``mediation.enabled`` and at least one mediator.
"""

from __future__ import annotations

from govcluster.config import ProjectConfig
from govcluster.errors import ConfigError
from govcluster.panel.plan import project_panel_jobs
from govcluster.render.catalog import Exhibit
from govcluster.render.panel_tables import covariance_variants


def _region_available(project: ProjectConfig) -> bool:
    return bool(project.data.region or project.data.province)


def planned_exhibits(project: ProjectConfig) -> tuple[Exhibit, ...]:
    """Every exhibit of the configuration, in the order of the paper.

    Parameters
    ----------
    project : ProjectConfig

    Returns
    -------
    tuple of Exhibit
    """
    jobs = project_panel_jobs(project)

    def of_kind(kind: str) -> tuple[str, ...]:
        return tuple(name for name, job in jobs.items() if job.kind == kind)

    planned = [
        Exhibit("summary_statistics", "table", "descriptives", ("summary_statistics",)),
        Exhibit("correlations", "table", "descriptives", ("correlations", "summary_statistics")),
    ]
    if project.constructs:
        planned += [
            Exhibit("index_weights", "table", "descriptives", ("index_weights",)),
            Exhibit("index_reliability", "table", "descriptives", ("index_reliability",)),
        ]
        if _region_available(project):
            planned.append(Exhibit("index_trends", "figure", "descriptives", ("analysis",)))
    planned.append(Exhibit("correlation_heatmap", "figure", "descriptives", ("correlations",)))

    baseline = of_kind("baseline")
    tests = of_kind("specification_tests")
    if baseline:
        planned.append(Exhibit("panel_baseline", "table", "panel", panel_jobs=baseline + tests))
        specs = {
            name: {
                **jobs[name].spec.to_dict(),
                "years": list(jobs[name].years) if jobs[name].years else None,
            }
            for name in baseline
        }
        if covariance_variants(specs):
            planned.append(Exhibit("panel_robustness", "table", "panel", panel_jobs=baseline))
        planned.append(Exhibit("baseline_coefficients", "figure", "panel", panel_jobs=baseline))
    projections = of_kind("local_projections")
    if projections:
        planned += [
            Exhibit("panel_horizons", "table", "panel", panel_jobs=projections[:1]),
            Exhibit("horizons", "figure", "panel", panel_jobs=projections[:1]),
        ]
    heterogeneity = of_kind("heterogeneity")
    if heterogeneity:
        planned += [
            Exhibit("panel_heterogeneity", "table", "panel", panel_jobs=heterogeneity),
            Exhibit("heterogeneity", "figure", "panel", panel_jobs=heterogeneity),
        ]
    iv = of_kind("iv")
    if iv:
        planned.append(Exhibit("panel_iv", "table", "panel", panel_jobs=iv + baseline))
    if jobs:
        planned.append(Exhibit("panel", "numbers", "panel", panel_jobs=tuple(jobs)))
    if project.mediation.get("enabled", True) and project.roles.mediators:
        planned += [
            Exhibit("mediation_paths", "table", "mediation", ("mediation",)),
            Exhibit("mediation_indirect", "table", "mediation", ("mediation",)),
            Exhibit("mediation_parallel", "table", "mediation", ("mediation",)),
            Exhibit("mediation_causal", "table", "mediation", ("mediation",)),
            Exhibit("mediation_path_diagram", "figure", "mediation", ("mediation",)),
            Exhibit("mediation_bootstrap", "figure", "mediation", ("mediation", "bootstrap")),
            Exhibit("mediation_sensitivity", "figure", "mediation", ("mediation",)),
            Exhibit("mediation", "numbers", "mediation", ("mediation",)),
        ]
    did = project.raw.get("did") or {}
    if did.get("enabled") and did.get("outcomes"):
        estimators = did.get("estimators") or ["twfe", "callaway_santanna"]
        planned += [
            Exhibit("did_att", "table", "did", ("did",)),
            Exhibit("did_event_study", "table", "did", ("did",)),
            Exhibit("did_event_study_plot", "figure", "did", ("did",)),
        ]
        if "callaway_santanna" in estimators:
            planned += [
                Exhibit("did_mechanisms", "table", "did", ("did",)),
                Exhibit("did_mechanism_event_studies", "figure", "did", ("did",)),
                Exhibit("did_honest", "table", "did", ("did",)),
                Exhibit("did_honest_sensitivity", "figure", "did", ("did",)),
            ]
        if "twfe" in estimators:
            planned += [
                Exhibit("did_bacon", "table", "did", ("did",)),
                Exhibit("did_bacon_scatter", "figure", "did", ("did",)),
            ]
    return tuple(planned)


def planned_exhibit(project: ProjectConfig, name: str, kind: str | None = None) -> Exhibit:
    """The planned exhibit called ``name`` (of ``kind``, when names repeat across kinds).

    Raises
    ------
    ConfigError
        If the configuration plans no such exhibit.
    """
    for exhibit in planned_exhibits(project):
        if exhibit.name == name and (kind is None or exhibit.kind == kind):
            return exhibit
    raise ConfigError(f"the configuration plans no exhibit called '{name}'")
