"""Run a user's configuration through the pipeline's steps in one process (no Snakemake).

The same package functions the workflow scripts call, in the same order: ``read_table`` ->
``ingest_table`` -> ``validate_panel`` -> ``clean_panel`` -> ``build_analysis_panel`` ->
``run_panel_job`` for every model (and ``run_configured_mediation`` when enabled). A few
seconds instead of a Snakemake run of a minute or more.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from govcluster import io
from govcluster.clean import clean_panel
from govcluster.config import build_config
from govcluster.indices import build_analysis_panel
from govcluster.ingest import ingest_table
from govcluster.panel.plan import project_panel_jobs, run_panel_job
from govcluster.validate import validate_panel


def load_config(path: Path, edit: Callable[[dict], None] | None = None) -> dict:
    """The configuration written by `govcluster init`, with the user's edits applied."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if edit is not None:
        edit(raw)
    return raw


def analysis_panel(raw_config: dict, *, root: Path) -> tuple[Any, pd.DataFrame]:
    """The project and its analysis panel, built from the data file as the workflow does."""
    project = build_config(raw_config)
    spec = project.data
    path = spec.path if spec.path.is_absolute() else root / spec.path
    table = io.read_table(path, format=spec.format, encoding=spec.encoding, sheet=spec.sheet)
    ingested = ingest_table(table, project, source=str(path))
    validate_panel(ingested, project, source=str(path))
    cleaned = clean_panel(ingested, project)
    return project, build_analysis_panel(cleaned.panel, project).analysis


def run_models(raw_config: dict, *, root: Path) -> dict[str, dict]:
    """Every panel job of the configuration: job name -> JSON record."""
    project, analysis = analysis_panel(raw_config, root=root)
    return {name: run_panel_job(analysis, job) for name, job in project_panel_jobs(project).items()}


def coefficients(record: dict) -> dict[str, dict]:
    """Coefficient name -> {estimate, std_error, ...} of a panel job record."""
    return {c["name"]: c for c in record["result"]["coefficients"]}
