"""A small run of the real pipeline functions, written in the layout the rendering rules read.

60 simulated clusters over 2008-2017 go through ingest, clean, indices, describe, every panel
job of the shipped configuration, the mediation analysis (199 bootstrap replicates) and its
index-weight bootstrap, and
each result is written where the workflow writes it (``results/descriptives/``,
``results/estimates/``, ``data/processed/``). Tests read the files back, so the exhibits are
rendered from the same JSON types as in the workflow.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from govcluster import io
from govcluster.clean import clean_panel
from govcluster.clean_summary import summarise_cleaning
from govcluster.columns import ENTITY, TIME
from govcluster.config import ProjectConfig, build_config
from govcluster.describe import correlation_matrix, panel_summary_statistics
from govcluster.index_bootstrap import baseline_jobs, index_weight_uncertainty
from govcluster.indices import build_analysis_panel
from govcluster.ingest import ingest_table
from govcluster.mediation.plan import run_configured_mediation
from govcluster.panel.plan import project_panel_jobs, run_panel_job
from govcluster.simulate import simulate_cluster_panel

ROOT = Path(__file__).resolve().parents[2]

#: Where each source of the rendering rules is written, relative to the run's root.
SOURCE_PATHS = {
    "summary_statistics": "results/descriptives/summary_statistics.csv",
    "cleaning_summary": "results/data_quality/cleaning_summary.json",
    "correlations": "results/descriptives/correlations.csv",
    "index_weights": "results/descriptives/index_weights.csv",
    "index_reliability": "results/descriptives/index_reliability.csv",
    "analysis": "data/processed/analysis_panel.parquet",
    "mediation": "results/estimates/mediation.json",
    "bootstrap": "results/estimates/mediation_bootstrap.parquet",
    "index_uncertainty": "results/estimates/index_weight_uncertainty.json",
}


@dataclass(frozen=True)
class SmallRun:
    """The files of a small run and the configuration that made them."""

    root: Path
    config: dict[str, Any] = field(repr=False)

    def project(self, language: str = "en", **overrides: Any) -> ProjectConfig:
        """The run's configuration in ``language``, with top-level keys replaced."""
        return build_config({**copy.deepcopy(self.config), "language": language, **overrides})

    def path(self, source: str) -> Path:
        return self.root / SOURCE_PATHS[source]

    def panel_path(self, job: str) -> Path:
        return self.root / "results" / "estimates" / "panel" / f"{job}.json"

    @property
    def jobs(self) -> list[str]:
        """Panel job names, in configuration order."""
        return list(project_panel_jobs(self.project()))

    def records(self, prefix: str = "") -> dict[str, dict[str, Any]]:
        """Job records (read back from JSON) whose names start with ``prefix``."""
        return {
            job: io.read_json(self.panel_path(job)) for job in self.jobs if job.startswith(prefix)
        }

    @property
    def mediation(self) -> dict[str, Any]:
        return io.read_json(self.path("mediation"))

    @property
    def bootstrap(self) -> pd.DataFrame:
        return io.read_parquet(self.path("bootstrap"))


def small_config() -> dict[str, Any]:
    """The shipped configuration with a small simulated panel and a short bootstrap."""
    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    config["simulate"].update(n_clusters=60, first_year=2008, last_year=2017)
    config["mediation"].update(n_boot=199, n_mc=2000)
    return config


def run_small(root: Path) -> SmallRun:
    """Run the pipeline's functions on the small configuration and write every result."""
    config = small_config()
    project = build_config(config)
    simulate = config["simulate"]
    raw, _ = simulate_cluster_panel(
        n_clusters=simulate["n_clusters"],
        years=(simulate["first_year"], simulate["last_year"]),
        seed=project.seed,
    )
    raw_path = io.write_csv(raw, root / "data" / "raw" / "clusters.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingested = ingest_table(io.read_table(raw_path), project, source=str(raw_path))
        cleaned = clean_panel(ingested, project)
        panel = cleaned.panel
        changes = summarise_cleaning(cleaned.audit, cleaned.sample)
        io.write_json(changes.to_dict(), root / SOURCE_PATHS["cleaning_summary"])
        indices = build_analysis_panel(panel, project)
        analysis = indices.analysis
        variables = [*project.constructs, *project.controls, *project.passthrough]
        io.write_parquet(analysis, root / SOURCE_PATHS["analysis"])
        io.write_csv(indices.weights, root / SOURCE_PATHS["index_weights"])
        io.write_csv(indices.reliability, root / SOURCE_PATHS["index_reliability"])
        summary = panel_summary_statistics(analysis, variables, entity=ENTITY, time=TIME)
        io.write_csv(summary, root / SOURCE_PATHS["summary_statistics"])
        io.write_csv(correlation_matrix(analysis, variables), root / SOURCE_PATHS["correlations"])
        for name, job in project_panel_jobs(project).items():
            record = run_panel_job(analysis, job)
            io.write_json(record, root / "results" / "estimates" / "panel" / f"{name}.json")
        mediation = run_configured_mediation(analysis, project)
        uncertainty = index_weight_uncertainty(
            analysis, panel, project, panel_jobs=baseline_jobs(project)
        )
    io.write_json(uncertainty.to_dict(), root / SOURCE_PATHS["index_uncertainty"])
    io.write_json(mediation.to_dict(), root / SOURCE_PATHS["mediation"])
    io.write_parquet(mediation.boot, root / SOURCE_PATHS["bootstrap"])
    return SmallRun(root=root, config=config)
