"""What an exhibit is, what it reads, and how it is built and written.

An :class:`Exhibit` names a table, figure or file of number macros, the stored results it
reads and where it goes; :func:`govcluster.render.plan.planned_exhibits` lists those of a
configuration. A rendering rule's script calls :func:`load_sources`, :func:`build_exhibit` and
:func:`write_exhibit`. Nothing here estimates anything: every exhibit is a function of the
files the estimation rules wrote. (This module does not import the estimators, so a
rendering step starts quickly.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from govcluster import io
from govcluster.config import ProjectConfig
from govcluster.render import (
    did_figures,
    did_tables,
    exhibits,
    figures,
    mediation_figures,
    mediation_tables,
    numbers,
    panel_figures,
    panel_tables,
)
from govcluster.render.labels import display_labels
from govcluster.render.output import TABLE_FORMATS, write_table
from govcluster.render.settings import RenderSettings, render_settings
from govcluster.render.tables import Table

ExhibitKind = Literal["table", "figure", "numbers"]
Stage = Literal["descriptives", "panel", "mediation", "did"]

#: Extensions written for each kind of exhibit.
EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "table": TABLE_FORMATS,
    "figure": ("png", "pdf"),
    "numbers": ("tex",),
}
#: Folder of each kind of exhibit under ``results/``.
FOLDERS: Mapping[str, str] = {"table": "tables", "figure": "figures", "numbers": "numbers"}
#: Report category of each stage and subcategory of each kind (``snakemake --report``).
CATEGORIES: Mapping[str, str] = {
    "descriptives": "3. Descriptive statistics",
    "panel": "4. Panel models",
    "mediation": "5. Mediation",
    "did": "6. Staggered designation (difference-in-differences)",
}
SUBCATEGORIES: Mapping[str, str] = {
    "table": "Tables",
    "figure": "Figures",
    "numbers": "Numbers in the text",
}
#: Stored results an exhibit can read (besides panel job records), by source key.
SOURCE_KINDS: Mapping[str, str] = {
    "summary_statistics": "csv",
    "correlations": "csv_indexed",
    "index_weights": "csv",
    "index_reliability": "csv",
    "analysis": "parquet",
    "mediation": "json",
    "bootstrap": "parquet",
    "did": "json_by_outcome",
}


@dataclass(frozen=True)
class Exhibit:
    """One table, figure or file of number macros.

    Attributes
    ----------
    name : str
        File stem and rule name suffix, unique across kinds.
    kind : {"table", "figure", "numbers"}
    stage : {"descriptives", "panel", "mediation"}
    sources : tuple of str
        Keys of :data:`SOURCE_KINDS` it reads.
    panel_jobs : tuple of str
        Panel job records it reads, in configuration order.
    """

    name: str
    kind: ExhibitKind
    stage: Stage
    sources: tuple[str, ...] = ()
    panel_jobs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [source for source in self.sources if source not in SOURCE_KINDS]
        if unknown:
            raise ValueError(f"exhibit '{self.name}' reads unknown source(s) {unknown}")

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
        Source key (of :data:`SOURCE_KINDS`) -> file, and ``panel`` -> the panel job records
        (a list of JSON files).

    Returns
    -------
    dict
        ``panel`` -> {job name: record} in the given order; CSV sources as DataFrames (the
        correlation matrix indexed by its first column); ``mediation`` as a dict; Parquet
        sources as DataFrames.
    """
    loaded: dict[str, Any] = {}
    for key, value in paths.items():
        if key == "panel":
            files = [value] if isinstance(value, str | Path) else list(value)
            records = [io.read_json(path) for path in files]
            loaded[key] = {record["job"]: record for record in records}
            continue
        if key not in SOURCE_KINDS:
            raise ValueError(f"unknown source '{key}'; expected one of {sorted(SOURCE_KINDS)}")
        kind = SOURCE_KINDS[key]
        if kind == "json_by_outcome":
            files = [value] if isinstance(value, str | Path) else list(value)
            records = [io.read_json(path) for path in files]
            loaded[key] = {record["outcomes"][0]["outcome"]: record for record in records}
        elif kind == "json":
            loaded[key] = io.read_json(value)
        elif kind == "parquet":
            loaded[key] = io.read_parquet(value)
        elif kind == "csv_indexed":
            loaded[key] = pd.read_csv(value, index_col=0, encoding="utf-8-sig")
        else:
            loaded[key] = pd.read_csv(value, encoding="utf-8-sig")
    return loaded


# --------------------------------------------------------------------------- building


def _jobs(sources: Mapping[str, Any], kind: str) -> dict[str, Any]:
    return {
        name: record
        for name, record in sources.get("panel", {}).items()
        if record.get("kind") == kind
    }


def _common_count(summary: pd.DataFrame) -> int | None:
    counts = set(summary["N"].dropna().astype(int)) if "N" in summary else set()
    return counts.pop() if len(counts) == 1 else None


def _summary(sources, project, settings):
    return exhibits.summary_statistics_table(
        sources["summary_statistics"], project, digits=settings.digits
    )


def _correlations(sources, project, settings):
    n_obs = _common_count(sources["summary_statistics"])
    return exhibits.correlation_table(
        sources["correlations"],
        project,
        n_obs=n_obs,
        stars=n_obs is not None,
        thresholds=settings.stars,
    )


def _weights(sources, project, settings):
    return exhibits.index_weights_table(sources["index_weights"], project, digits=settings.digits)


def _reliability(sources, project, settings):
    return exhibits.index_reliability_table(
        sources["index_reliability"], project, digits=settings.digits
    )


def _trends(sources, project, settings):
    trends = exhibits.construct_trends_by_region(sources["analysis"], list(project.constructs))
    return figures.index_trends_figure(
        trends,
        display_labels(project),
        language=project.language,
        zero_line=project.indices.standardize,
    )


def _heatmap(sources, project, settings):
    return figures.correlation_heatmap(
        sources["correlations"], display_labels(project), language=project.language
    )


def _baseline(sources, project, settings):
    tests = _jobs(sources, "specification_tests")
    return panel_tables.baseline_table(
        _jobs(sources, "baseline"),
        project,
        settings,
        tests=next(iter(tests.values()), None),
    )


def _single_job(sources: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    records = _jobs(sources, kind)
    if not records:
        raise ValueError(f"no '{kind}' job record among the inputs")
    return next(iter(records.values()))


BUILDERS: Mapping[str, Callable[[Mapping[str, Any], ProjectConfig, RenderSettings], Any]] = {
    "summary_statistics": _summary,
    "correlations": _correlations,
    "index_weights": _weights,
    "index_reliability": _reliability,
    "index_trends": _trends,
    "correlation_heatmap": _heatmap,
    "panel_baseline": _baseline,
    "panel_robustness": lambda s, p, r: panel_tables.robustness_table(_jobs(s, "baseline"), p, r),
    "baseline_coefficients": lambda s, p, r: panel_figures.coefficient_plot(
        _jobs(s, "baseline"), p
    ),
    "panel_horizons": lambda s, p, r: panel_tables.horizons_table(
        _single_job(s, "local_projections"), p, r
    ),
    "horizons": lambda s, p, r: panel_figures.horizons_figure(
        _single_job(s, "local_projections"), p
    ),
    "panel_heterogeneity": lambda s, p, r: panel_tables.heterogeneity_table(
        _jobs(s, "heterogeneity"), p, r
    ),
    "heterogeneity": lambda s, p, r: panel_figures.heterogeneity_figure(
        _jobs(s, "heterogeneity"), p
    ),
    "panel_iv": lambda s, p, r: panel_tables.iv_table(
        _jobs(s, "iv"), p, r, baseline=_jobs(s, "baseline")
    ),
    "panel": lambda s, p, r: numbers.panel_numbers(s["panel"], r),
    "mediation_paths": lambda s, p, r: mediation_tables.paths_table(s["mediation"], p, r),
    "mediation_indirect": lambda s, p, r: mediation_tables.indirect_table(s["mediation"], p, r),
    "mediation_parallel": lambda s, p, r: mediation_tables.parallel_table(s["mediation"], p, r),
    "mediation_causal": lambda s, p, r: mediation_tables.causal_table(s["mediation"], p, r),
    "mediation_path_diagram": lambda s, p, r: mediation_figures.path_diagram(s["mediation"], p, r),
    "mediation_bootstrap": lambda s, p, r: mediation_figures.bootstrap_figure(
        s["mediation"], s["bootstrap"], p
    ),
    "mediation_sensitivity": lambda s, p, r: mediation_figures.sensitivity_figure(
        s["mediation"], p
    ),
    "mediation": lambda s, p, r: numbers.mediation_numbers(s["mediation"], r),
    "did_att": lambda s, p, r: did_tables.att_table(s["did"], p, r),
    "did_event_study": lambda s, p, r: did_tables.event_study_table(s["did"], p, r),
    "did_mechanisms": lambda s, p, r: did_tables.mechanism_table(s["did"], p, r),
    "did_bacon": lambda s, p, r: did_tables.bacon_table(s["did"], p, r),
    "did_honest": lambda s, p, r: did_tables.honest_table(s["did"], p, r),
    "did_event_study_plot": lambda s, p, r: did_figures.event_study_figure(s["did"], p),
    "did_bacon_scatter": lambda s, p, r: did_figures.bacon_figure(s["did"], p),
    "did_honest_sensitivity": lambda s, p, r: did_figures.honest_figure(s["did"], p),
    "did_mechanism_event_studies": lambda s, p, r: did_figures.mechanism_figure(s["did"], p),
}


def build_exhibit(name: str, sources: Mapping[str, Any], project: ProjectConfig) -> Any:
    """Build the exhibit ``name`` from its loaded sources.

    Parameters
    ----------
    name : str
        An :attr:`Exhibit.name` (a key of :data:`BUILDERS`).
    sources : mapping
        As returned by :func:`load_sources`.
    project : ProjectConfig
        Labels, language and the ``render`` settings.

    Returns
    -------
    Table, matplotlib.figure.Figure or str
        A table, a figure, or the text of a numbers file.
    """
    if name not in BUILDERS:
        raise ValueError(f"no builder for exhibit '{name}'; known: {sorted(BUILDERS)}")
    return BUILDERS[name](sources, project, render_settings(project.raw))


def write_exhibit(kind: str, built: Any, stem: str | Path) -> list[Path]:
    """Write a built exhibit of ``kind`` to ``stem`` plus each extension; return the paths."""
    if kind == "table":
        if not isinstance(built, Table):
            raise TypeError(f"a table exhibit must be a Table, got {type(built).__name__}")
        return list(write_table(built, stem, EXTENSIONS["table"]).values())
    if kind == "figure":
        return list(figures.save_figure(built, stem))
    if kind == "numbers":
        stem = Path(stem)
        return [io.write_text(str(built), stem.with_name(f"{stem.name}.tex"))]
    raise ValueError(f"unknown exhibit kind {kind!r}; expected one of {sorted(EXTENSIONS)}")
