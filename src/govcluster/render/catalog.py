"""The built-in exhibits, and how an exhibit's sources are loaded and its files written.

Every table, figure and numbers file is an entry of the exhibit registry
(:mod:`govcluster.registry.exhibits`); the built-in entries are registered here, in the order
of the paper, each with its builder. :func:`govcluster.render.plan.planned_exhibits` lists the
:class:`Exhibit` s a configuration gets. A rendering rule's script calls :func:`load_sources`,
:func:`build_exhibit` and :func:`write_exhibit`. Nothing here estimates anything: every exhibit
is a function of the files the estimation rules wrote, read as typed records
(:mod:`govcluster.records`). (This module does not import the estimators, so a rendering step
starts quickly.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from govcluster import io
from govcluster.config import ProjectConfig
from govcluster.records.mediation import MediationRecord
from govcluster.records.panel import PanelJobRecord
from govcluster.registry.exhibits import (
    CATEGORIES,
    EXTENSIONS,
    FOLDERS,
    SOURCE_KINDS,
    SUBCATEGORIES,
    ExhibitEntry,
    exhibit_entry,
    register_exhibit,
)
from govcluster.render.binary_outcomes import binary_outcome_note
from govcluster.render.labels import display_labels
from govcluster.render.latex import LatexOptions
from govcluster.render.lazy import lazy_module
from govcluster.render.output import write_table
from govcluster.render.panel_records import covariance_variants, jobs_of_kind
from govcluster.render.settings import render_settings
from govcluster.render.tables import Table

# The builders' modules load on first use, so that a rendering job imports only what its
# exhibits need: a job of tables never imports matplotlib, one of panel exhibits never SciPy's
# mediation code.
casestudy_figures = lazy_module("govcluster.render.casestudy_figures")
casestudy_tables = lazy_module("govcluster.render.casestudy_tables")
descriptive_tables = lazy_module("govcluster.render.descriptive_tables")
did_figures = lazy_module("govcluster.render.did_figures")
did_numbers = lazy_module("govcluster.render.did_numbers")
did_tables = lazy_module("govcluster.render.did_tables")
figures = lazy_module("govcluster.render.figures")
index_uncertainty_figures = lazy_module("govcluster.render.index_uncertainty_figures")
index_uncertainty_tables = lazy_module("govcluster.render.index_uncertainty_tables")
mediation_figures = lazy_module("govcluster.render.mediation_figures")
mediation_tables = lazy_module("govcluster.render.mediation_tables")
numbers = lazy_module("govcluster.render.numbers")
panel_figures = lazy_module("govcluster.render.panel_figures")
panel_tables = lazy_module("govcluster.render.panel_tables")


def configured_figure_width(project: ProjectConfig) -> float:
    """The configured figure width (:func:`govcluster.render.style.configured_figure_width`)."""
    from govcluster.render.style import configured_figure_width as width

    return width(project)


@dataclass(frozen=True)
class Exhibit:
    """One planned table, figure or file of number macros of a configuration.

    Attributes
    ----------
    name : str
        File stem and rule name suffix, unique across kinds (a registered exhibit).
    kind : {"table", "figure", "numbers"}
    stage : str
        Report category key (see :data:`govcluster.registry.exhibits.CATEGORIES`).
    sources : tuple of str
        Keys of :data:`~govcluster.registry.exhibits.SOURCE_KINDS` it reads.
    panel_jobs : tuple of str
        Panel job records it reads, in configuration order.
    caption : str
        Caption file under ``workflow/report/``.
    """

    name: str
    kind: str
    stage: str
    sources: tuple[str, ...] = ()
    panel_jobs: tuple[str, ...] = ()
    caption: str = ""

    def __post_init__(self) -> None:
        unknown = [source for source in self.sources if source not in SOURCE_KINDS]
        if unknown:
            raise ValueError(f"exhibit '{self.name}' reads unknown source(s) {unknown}")
        if not self.caption:
            object.__setattr__(self, "caption", f"{self.name}.rst")

    @property
    def stem(self) -> str:
        """Output path without extension, relative to the output root."""
        return f"results/{FOLDERS[self.kind]}/{self.name}"

    @property
    def outputs(self) -> dict[str, str]:
        """Extension -> output path, relative to the output root."""
        return {extension: f"{self.stem}.{extension}" for extension in EXTENSIONS[self.kind]}

    @property
    def category(self) -> str:
        """Report category (the stage)."""
        return CATEGORIES[self.stage]

    @property
    def subcategory(self) -> str:
        """Report subcategory (the kind)."""
        return SUBCATEGORIES[self.kind]


# --------------------------------------------------------------------------- loading


def load_sources(paths: Mapping[str, str | Path | Sequence[str | Path]]) -> dict[str, Any]:
    """Read the stored results an exhibit needs.

    Parameters
    ----------
    paths : mapping
        Source key (of :data:`~govcluster.registry.exhibits.SOURCE_KINDS`) -> file, and
        ``panel`` -> the panel job records (a list of JSON files).

    Returns
    -------
    dict
        ``panel`` -> {job name: :class:`~govcluster.records.panel.PanelJobRecord`} in the
        given order; ``mediation`` as a :class:`~govcluster.records.mediation.MediationRecord`;
        CSV sources as DataFrames (the correlation matrix indexed by its first column);
        Parquet sources as DataFrames.

    Raises
    ------
    RecordError
        If a stored record does not have the layout of this version (rerun its rule).
    """
    loaded: dict[str, Any] = {}
    for key, value in paths.items():
        if key == "panel":
            files = [value] if isinstance(value, str | Path) else list(value)
            records = [PanelJobRecord.from_dict(io.read_json(path)) for path in files]
            loaded[key] = {record.job: record for record in records}
            continue
        if key not in SOURCE_KINDS:
            raise ValueError(f"unknown source '{key}'; expected one of {sorted(SOURCE_KINDS)}")
        kind = SOURCE_KINDS[key]
        if kind == "mediation_record":
            loaded[key] = MediationRecord.from_dict(io.read_json(value), where=str(value))
        elif kind == "parquet":
            loaded[key] = io.read_parquet(value)
        elif kind == "json":
            loaded[key] = io.read_json(value)
        elif kind == "json_by_outcome":
            files = [value] if isinstance(value, str | Path) else list(value)
            records = [io.read_json(path) for path in files]
            loaded[key] = {record["outcomes"][0]["outcome"]: record for record in records}
        elif kind == "csv_indexed":
            loaded[key] = pd.read_csv(value, index_col=0, encoding="utf-8-sig")
        else:
            loaded[key] = pd.read_csv(value, encoding="utf-8-sig")
    return loaded


# --------------------------------------------------------------------------- conditions


def _has_constructs(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    return bool(project.constructs)


def _has_constructs_and_region(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    return bool(project.constructs) and bool(project.data.region or project.data.province)


def _has_covariance_variants(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    specs = {
        name: {**job.spec.to_dict(), "years": list(job.years) if job.years else None}
        for name, job in jobs.items()
        if job.kind == "baseline"
    }
    return bool(covariance_variants(specs))


def _mediation_enabled(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    return bool(project.mediation.get("enabled", True) and project.roles.mediators)


def _moderated_enabled(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    moderated = project.mediation.get("moderated") or {}
    return _mediation_enabled(project, jobs) and bool(moderated.get("enabled", False))


def _interaction_enabled(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    interaction = project.mediation.get("interaction") or {}
    return _mediation_enabled(project, jobs) and bool(interaction.get("enabled", False))


# --------------------------------------------------------------------------- builders


def _common_count(summary: pd.DataFrame) -> int | None:
    counts = set(summary["N"].dropna().astype(int)) if "N" in summary else set()
    return counts.pop() if len(counts) == 1 else None


def _jobs(sources: Mapping[str, Any], kind: str) -> dict[str, PanelJobRecord]:
    return jobs_of_kind(sources.get("panel", {}), kind)


def _single_job(sources: Mapping[str, Any], kind: str) -> PanelJobRecord:
    records = _jobs(sources, kind)
    if not records:
        raise ValueError(f"no '{kind}' job record among the inputs")
    return next(iter(records.values()))


def _summary(sources, project, settings):
    from govcluster.clean_summary import CleaningSummary, describe_data_changes

    changes = sources.get("cleaning_summary")
    note = (
        describe_data_changes(CleaningSummary.from_dict(changes), language=project.language)
        if changes is not None
        else None
    )
    return descriptive_tables.summary_statistics_table(
        sources["summary_statistics"], project, digits=settings.digits, data_changes=note
    )


def _correlations(sources, project, settings):
    n_obs = _common_count(sources["summary_statistics"])
    return descriptive_tables.correlation_table(
        sources["correlations"],
        project,
        n_obs=n_obs,
        stars=n_obs is not None,
        thresholds=settings.stars,
    )


def _trends(sources, project, settings):
    trends = descriptive_tables.construct_trends_by_region(
        sources["analysis"], list(project.constructs)
    )
    return figures.index_trends_figure(
        trends,
        display_labels(project),
        language=project.language,
        zero_line=project.indices.standardize,
        width=configured_figure_width(project),
    )


def _baseline(sources, project, settings):
    tests = _jobs(sources, "specification_tests")
    return panel_tables.baseline_table(
        _jobs(sources, "baseline"),
        project,
        settings,
        tests=next(iter(tests.values()), None),
    )


for _entry in (
    ExhibitEntry(
        "summary_statistics",
        "table",
        "descriptives",
        _summary,
        ("summary_statistics", "cleaning_summary"),
    ),
    ExhibitEntry(
        "correlations",
        "table",
        "descriptives",
        _correlations,
        ("correlations", "summary_statistics"),
    ),
    ExhibitEntry(
        "index_weights",
        "table",
        "descriptives",
        lambda s, p, r: descriptive_tables.index_weights_table(
            s["index_weights"], p, digits=r.digits
        ),
        ("index_weights",),
        when=_has_constructs,
    ),
    ExhibitEntry(
        "index_reliability",
        "table",
        "descriptives",
        lambda s, p, r: descriptive_tables.index_reliability_table(
            s["index_reliability"], p, digits=r.digits
        ),
        ("index_reliability",),
        when=_has_constructs,
    ),
    ExhibitEntry(
        "index_trends",
        "figure",
        "descriptives",
        _trends,
        ("analysis",),
        when=_has_constructs_and_region,
    ),
    ExhibitEntry(
        "correlation_heatmap",
        "figure",
        "descriptives",
        lambda s, p, r: figures.correlation_heatmap(
            s["correlations"],
            display_labels(p),
            language=p.language,
            width=configured_figure_width(p),
        ),
        ("correlations",),
    ),
    ExhibitEntry(
        "panel_baseline",
        "table",
        "panel",
        _baseline,
        job_kinds=("baseline", "specification_tests"),
    ),
    ExhibitEntry(
        "panel_robustness",
        "table",
        "panel",
        lambda s, p, r: panel_tables.robustness_table(_jobs(s, "baseline"), p, r),
        job_kinds=("baseline",),
        when=_has_covariance_variants,
    ),
    ExhibitEntry(
        "baseline_coefficients",
        "figure",
        "panel",
        lambda s, p, r: panel_figures.coefficient_plot(_jobs(s, "baseline"), p),
        job_kinds=("baseline",),
    ),
    ExhibitEntry(
        "panel_horizons",
        "table",
        "panel",
        lambda s, p, r: panel_tables.horizons_table(_single_job(s, "local_projections"), p, r),
        job_kinds=("local_projections",),
        first_job_only=True,
    ),
    ExhibitEntry(
        "horizons",
        "figure",
        "panel",
        lambda s, p, r: panel_figures.horizons_figure(_single_job(s, "local_projections"), p),
        job_kinds=("local_projections",),
        first_job_only=True,
    ),
    ExhibitEntry(
        "panel_heterogeneity",
        "table",
        "panel",
        lambda s, p, r: panel_tables.heterogeneity_table(_jobs(s, "heterogeneity"), p, r),
        job_kinds=("heterogeneity",),
    ),
    ExhibitEntry(
        "heterogeneity",
        "figure",
        "panel",
        lambda s, p, r: panel_figures.heterogeneity_figure(_jobs(s, "heterogeneity"), p),
        job_kinds=("heterogeneity",),
    ),
    ExhibitEntry(
        "panel_iv",
        "table",
        "panel",
        lambda s, p, r: panel_tables.iv_table(_jobs(s, "iv"), p, r, baseline=_jobs(s, "baseline")),
        job_kinds=("iv", "baseline"),
    ),
    ExhibitEntry(
        "panel",
        "numbers",
        "panel",
        lambda s, p, r: numbers.panel_numbers(s["panel"], r),
        job_kinds=("*",),
    ),
    ExhibitEntry(
        "mediation_paths",
        "table",
        "mediation",
        lambda s, p, r: mediation_tables.paths_table(s["mediation"], p, r),
        ("mediation",),
        when=_mediation_enabled,
    ),
    ExhibitEntry(
        "mediation_indirect",
        "table",
        "mediation",
        lambda s, p, r: mediation_tables.indirect_table(s["mediation"], p, r),
        ("mediation",),
        when=_mediation_enabled,
    ),
    ExhibitEntry(
        "mediation_tests",
        "table",
        "mediation",
        lambda s, p, r: mediation_tables.indirect_tests_table(s["mediation"], p, r),
        ("mediation",),
        when=_mediation_enabled,
    ),
    ExhibitEntry(
        "mediation_parallel",
        "table",
        "mediation",
        lambda s, p, r: mediation_tables.parallel_table(s["mediation"], p, r),
        ("mediation",),
        when=_mediation_enabled,
    ),
    ExhibitEntry(
        "mediation_causal",
        "table",
        "mediation",
        lambda s, p, r: mediation_tables.causal_table(s["mediation"], p, r),
        ("mediation",),
        when=_mediation_enabled,
    ),
    ExhibitEntry(
        "mediation_path_diagram",
        "figure",
        "mediation",
        lambda s, p, r: mediation_figures.path_diagram(s["mediation"], p, r),
        ("mediation",),
        when=_mediation_enabled,
    ),
    ExhibitEntry(
        "mediation_bootstrap",
        "figure",
        "mediation",
        lambda s, p, r: mediation_figures.bootstrap_figure(s["mediation"], s["bootstrap"], p),
        ("mediation", "bootstrap"),
        when=_mediation_enabled,
    ),
    ExhibitEntry(
        "mediation_sensitivity",
        "figure",
        "mediation",
        lambda s, p, r: mediation_figures.sensitivity_figure(s["mediation"], p),
        ("mediation",),
        when=_mediation_enabled,
    ),
    ExhibitEntry(
        "mediation",
        "numbers",
        "mediation",
        lambda s, p, r: numbers.mediation_numbers(s["mediation"], r),
        ("mediation",),
        when=_mediation_enabled,
    ),
    ExhibitEntry(
        "mediation_moderated",
        "table",
        "mediation",
        lambda s, p, r: mediation_tables.moderated_table(s["moderated"], p, r),
        ("moderated",),
        when=_moderated_enabled,
    ),
    ExhibitEntry(
        "mediation_moderated_effects",
        "figure",
        "mediation",
        lambda s, p, r: mediation_figures.moderated_figure(s["moderated"], p),
        ("moderated",),
        when=_moderated_enabled,
    ),
    ExhibitEntry(
        "mediation_interaction",
        "table",
        "mediation",
        lambda s, p, r: mediation_tables.interaction_table(s["interaction"], p, r),
        ("interaction",),
        when=_interaction_enabled,
    ),
):
    register_exhibit(_entry)


def _index_weights_enabled(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    section = (project.raw.get("inference") or {}).get("index_weights") or {}
    return bool(section.get("enabled", False))


register_exhibit(
    ExhibitEntry(
        "index_weight_uncertainty",
        "table",
        "mediation",
        lambda s, p, r: index_uncertainty_tables.index_uncertainty_table(
            s["index_uncertainty"], p, r
        ),
        ("index_uncertainty",),
        when=_index_weights_enabled,
    )
)
register_exhibit(
    ExhibitEntry(
        "index_weight_widths",
        "figure",
        "mediation",
        lambda s, p, r: index_uncertainty_figures.width_ratio_figure(s["index_uncertainty"], p),
        ("index_uncertainty",),
        when=_index_weights_enabled,
    )
)
register_exhibit(
    ExhibitEntry(
        "index_weights_bootstrap",
        "numbers",
        "mediation",
        lambda s, p, r: index_uncertainty_tables.index_uncertainty_numbers(
            s["index_uncertainty"], r
        ),
        ("index_uncertainty",),
        when=_index_weights_enabled,
    )
)


def _did_estimators(project: ProjectConfig) -> tuple[str, ...]:
    did = project.raw.get("did") or {}
    if not (did.get("enabled") and did.get("outcomes")):
        return ()
    return tuple(did.get("estimators") or ("twfe", "callaway_santanna"))


def _did_enabled(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    return bool(_did_estimators(project))


def _did_with_callaway_santanna(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    return "callaway_santanna" in _did_estimators(project)


def _did_with_twfe(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    return "twfe" in _did_estimators(project)


for _name, _kind, _build, _when in (
    ("did_att", "table", lambda s, p, r: did_tables.att_table(s["did"], p, r), _did_enabled),
    (
        "did_event_study",
        "table",
        lambda s, p, r: did_tables.event_study_table(s["did"], p, r),
        _did_enabled,
    ),
    (
        "did_event_study_plot",
        "figure",
        lambda s, p, r: did_figures.event_study_figure(s["did"], p),
        _did_enabled,
    ),
    (
        "did_mechanisms",
        "table",
        lambda s, p, r: did_tables.mechanism_table(s["did"], p, r),
        _did_with_callaway_santanna,
    ),
    (
        "did_mechanism_event_studies",
        "figure",
        lambda s, p, r: did_figures.mechanism_figure(s["did"], p),
        _did_with_callaway_santanna,
    ),
    (
        "did_honest",
        "table",
        lambda s, p, r: did_tables.honest_table(s["did"], p, r),
        _did_with_callaway_santanna,
    ),
    (
        "did_honest_sensitivity",
        "figure",
        lambda s, p, r: did_figures.honest_figure(s["did"], p),
        _did_with_callaway_santanna,
    ),
    ("did_bacon", "table", lambda s, p, r: did_tables.bacon_table(s["did"], p, r), _did_with_twfe),
    (
        "did_bacon_scatter",
        "figure",
        lambda s, p, r: did_figures.bacon_figure(s["did"], p),
        _did_with_twfe,
    ),
):
    register_exhibit(ExhibitEntry(_name, _kind, "did", _build, ("did",), when=_when))


def _did_with_randomization(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    randomization = (project.raw.get("did") or {}).get("randomization") or {}
    return bool(_did_estimators(project)) and bool(randomization.get("enabled"))


for _name, _kind, _build in (
    (
        "did_randomization",
        "table",
        lambda s, p, r: did_tables.randomization_table(s["did"], p, r),
    ),
    (
        "did_randomization_distribution",
        "figure",
        lambda s, p, r: did_figures.randomization_figure(s["did"], p),
    ),
):
    register_exhibit(
        ExhibitEntry(_name, _kind, "did", _build, ("did",), when=_did_with_randomization)
    )
register_exhibit(
    ExhibitEntry(
        "did",
        "numbers",
        "did",
        lambda s, p, r: did_numbers.did_numbers(s["did"], r),
        ("did",),
        when=_did_enabled,
    )
)


def _case_study_enabled(project: ProjectConfig, jobs: Mapping[str, Any]) -> bool:
    return bool(project.raw.get("case_study", {}).get("enabled", False))


for _entry in (
    ExhibitEntry(
        "case_study_estimates",
        "table",
        "casestudy",
        lambda s, p, r: casestudy_tables.case_study_estimates_table(s["case_study"], p, r),
        ("case_study",),
        when=_case_study_enabled,
    ),
    ExhibitEntry(
        "case_study_weights",
        "table",
        "casestudy",
        lambda s, p, r: casestudy_tables.case_study_weights_table(s["case_study"], p, r),
        ("case_study",),
        when=_case_study_enabled,
    ),
    ExhibitEntry(
        "case_study_paths",
        "figure",
        "casestudy",
        lambda s, p, r: casestudy_figures.case_study_paths_figure(s["case_study"], p),
        ("case_study",),
        when=_case_study_enabled,
    ),
    ExhibitEntry(
        "case_study_gap",
        "figure",
        "casestudy",
        lambda s, p, r: casestudy_figures.case_study_gap_figure(s["case_study"], p),
        ("case_study",),
        when=_case_study_enabled,
    ),
    ExhibitEntry(
        "case_study_donor_weights",
        "figure",
        "casestudy",
        lambda s, p, r: casestudy_figures.case_study_weights_figure(s["case_study"], p),
        ("case_study",),
        when=_case_study_enabled,
    ),
):
    register_exhibit(_entry)


# --------------------------------------------------------------------------- building


def build_exhibit(name: str, sources: Mapping[str, Any], project: ProjectConfig) -> Any:
    """Build the exhibit ``name`` from its loaded sources.

    Parameters
    ----------
    name : str
        A registered exhibit (:mod:`govcluster.registry.exhibits`).
    sources : mapping
        As returned by :func:`load_sources`.
    project : ProjectConfig
        Labels, language and the ``render`` settings.

    Returns
    -------
    Table, matplotlib.figure.Figure or str
        A table, a figure, or the text of a numbers file. A table of models whose dependent
        variable is binary (0/1) notes that they are linear probability models
        (:mod:`govcluster.render.binary_outcomes`).
    """
    built = exhibit_entry(name).build(sources, project, render_settings(project.raw))
    if isinstance(built, Table):
        note = binary_outcome_note(sources, project)
        if note is not None:
            built = replace(built, notes=(note, *built.notes))
    return built


def write_exhibit(
    kind: str, built: Any, stem: str | Path, *, latex: LatexOptions | None = None
) -> list[Path]:
    """Write a built exhibit of ``kind`` to ``stem`` plus each extension; return the paths.

    ``latex`` lays out the ``.tex`` of a table (default: :class:`LatexOptions`).
    """
    if kind == "table":
        if not isinstance(built, Table):
            raise TypeError(f"a table exhibit must be a Table, got {type(built).__name__}")
        return list(write_table(built, stem, EXTENSIONS["table"], latex=latex).values())
    if kind == "figure":
        return list(figures.save_figure(built, stem))
    if kind == "numbers":
        stem = Path(stem)
        return [io.write_text(str(built), stem.with_name(f"{stem.name}.tex"))]
    raise ValueError(f"unknown exhibit kind {kind!r}; expected one of {sorted(EXTENSIONS)}")
