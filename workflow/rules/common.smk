# Shared by every rule: the validated configuration and the list of final targets.
from pathlib import Path

from snakemake.utils import min_version, validate

from govcluster.config import build_config

min_version("8.0")


validate(config, schema="../schemas/config.schema.yaml")
PROJECT = build_config(config)

ENV_FILE = "../../environment.yml"
PACKAGE = Path(workflow.basedir) / "src" / "govcluster"


def package_code(*modules):
    """Source files of the package a rule depends on, so that changing them reruns it."""
    shared = ("__init__", "config", "errors", "io", "runner", "columns")
    files = []
    for module in (*shared, *modules):
        path = PACKAGE / f"{module}.py"
        files.extend(
            [path] if path.exists() else sorted((PACKAGE / module).glob("*.py"))
        )
    return [str(f) for f in files]


RAW_DATA = str(PROJECT.data.path)


def all_targets():
    """Every final output of the pipeline for the current configuration."""
    targets = [
        "results/data_quality/validation.json",
        "results/data_quality/data_quality.md",
        "results/data_quality/cleaning_audit.csv",
        "results/data_quality/sample_construction.csv",
        "data/processed/panel.parquet",
        "data/processed/analysis_panel.parquet",
        "results/tables/index_weights.csv",
        "results/tables/index_reliability.csv",
        "results/tables/summary_statistics.csv",
        "results/tables/correlations.csv",
    ]
    if PROJECT.simulate.enabled:
        targets.append("data/raw/clusters_truth.json")
    return targets
