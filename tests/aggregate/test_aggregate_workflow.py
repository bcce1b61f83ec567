"""The aggregate stage in the workflow: wiring through the configuration, and a small run."""

import copy
import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from govcluster.aggregate import build_aggregate_spec
from govcluster.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.pipeline


def _snakemake(run, workdir: Path, config: dict, *args: str) -> subprocess.CompletedProcess:
    """Write ``config`` to ``workdir/config.yaml`` and run the workflow there with ``run``."""
    with open(workdir / "config.yaml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, allow_unicode=True, sort_keys=False)
    return run(workdir, *args)


def _enabled(default_config_dict: dict, *, wire: bool) -> dict:
    config = copy.deepcopy(default_config_dict)
    config["aggregate"]["enabled"] = True
    if wire:
        config["data"]["path"] = config["aggregate"]["output"]
    return config


def test_enabled_without_data_path_is_a_clear_error(tmp_path, default_config_dict, snakemake):
    result = _snakemake(snakemake, tmp_path, _enabled(default_config_dict, wire=False), "--dry-run")
    assert result.returncode != 0
    assert "set data.path to data/interim/clusters_from_firms.csv" in result.stdout + result.stderr


def test_enabled_and_wired_puts_aggregate_before_ingest(tmp_path, default_config_dict, snakemake):
    result = _snakemake(snakemake, tmp_path, _enabled(default_config_dict, wire=True), "--dry-run")
    assert result.returncode == 0, result.stderr[-3000:]
    for rule in ("simulate_firms", "aggregate", "ingest"):
        assert f"rule {rule}:" in result.stdout


def test_disabled_by_default(tmp_path, default_config_dict, snakemake):
    result = _snakemake(snakemake, tmp_path, copy.deepcopy(default_config_dict), "--dry-run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rule aggregate:" not in result.stdout


def test_unknown_option_names_the_key():
    with pytest.raises(ConfigError, match="aggregate.on_two_clusters must be one of"):
        build_aggregate_spec({"indicators": {"n": {"stat": "count"}}, "on_two_clusters": "merge"})
    with pytest.raises(ConfigError, match="needs 'denominator'"):
        build_aggregate_spec({"indicators": {"r": {"stat": "ratio", "numerator": "x"}}})


@pytest.mark.slow
def test_small_run_from_firms_to_validated_panel(tmp_path, default_config_dict, snakemake):
    config = _enabled(default_config_dict, wire=True)
    config["simulate"].update(n_clusters=12, first_year=2008, last_year=2011)
    result = _snakemake(
        snakemake,
        tmp_path,
        config,
        "--cores",
        "2",
        "results/data_quality/aggregate_audit.json",
        "results/data_quality/validation.json",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    audit = json.loads((tmp_path / "results/data_quality/aggregate_audit.json").read_text())
    assert audit["kind"] == "aggregate_audit" and audit["dropped"] == {}
    assert len(audit["files"]) == 4
    validation = json.loads((tmp_path / "results/data_quality/validation.json").read_text())
    assert validation["status"] == "passed"
    assert validation["source"] == "data/interim/clusters_from_firms.csv"
    panel = pd.read_csv(tmp_path / "data/interim/clusters_from_firms.csv")
    raw = pd.read_csv(tmp_path / "data/raw/clusters.csv")
    assert len(panel) == len(raw)
    firms = pd.concat(
        pd.read_parquet(p) for p in sorted((tmp_path / "data/raw/firms").glob("*.parquet"))
    )
    assert panel.drop_duplicates(["cluster_id", "year"])["n_firms"].sum() <= len(firms)
