"""The whole Snakemake DAG, run for real on a small configuration in a temporary directory.

Most tests read the one shared run, ``finished_run`` (tests/conftest.py).
"""

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from govcluster.provenance import file_sha256

pytestmark = pytest.mark.pipeline

ROOT = Path(__file__).resolve().parents[1]


def _write_config(workdir: Path, config: dict) -> None:
    with open(workdir / "config.yaml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, allow_unicode=True, sort_keys=False)


def test_pipeline_writes_every_target(finished_run):
    workdir, _ = finished_run
    for relative in [
        "data/raw/clusters.csv",
        "data/raw/clusters_truth.json",
        "data/processed/panel.parquet",
        "data/processed/analysis_panel.parquet",
        "results/data_quality/validation.json",
        "results/data_quality/data_quality.md",
        "results/data_quality/cleaning_audit.csv",
        "results/data_quality/sample_construction.csv",
        "results/descriptives/index_weights.csv",
        "results/descriptives/index_reliability.csv",
        "results/descriptives/summary_statistics.md",
        "results/descriptives/correlations.csv",
        "results/estimates/panel/baseline_twoway_fe.json",
        "results/estimates/panel/iv_twoway_fe.json",
        "results/estimates/panel/local_projections.json",
        "results/estimates/mediation.json",
        "results/estimates/mediation_bootstrap.parquet",
        "results/estimates/truth_comparison.csv",
        "results/metrics.json",
        "results/provenance.json",
        "results/tables/panel_baseline.docx",
        "results/tables/mediation_indirect.tex",
        "results/figures/mediation_path_diagram.png",
        "results/numbers/mediation.tex",
    ]:
        path = workdir / relative
        assert path.is_file() and path.stat().st_size > 0, relative


def test_pipeline_accounts_for_every_row(finished_run):
    workdir, _ = finished_run
    raw_rows = len(pd.read_csv(workdir / "data/raw/clusters.csv", dtype=str))
    sample = pd.read_csv(workdir / "results/data_quality/sample_construction.csv")
    panel = pd.read_parquet(workdir / "data/processed/panel.parquet")
    analysis = pd.read_parquet(workdir / "data/processed/analysis_panel.parquet")
    assert sample["rows_in"].iloc[0] == raw_rows
    assert (sample["rows_out"].iloc[:-1].to_numpy() == sample["rows_in"].iloc[1:].to_numpy()).all()
    assert sample["rows_out"].iloc[-1] == len(panel) == len(analysis)
    audit = pd.read_csv(workdir / "results/data_quality/cleaning_audit.csv")
    dropped_rows = audit[audit["variable"].isna() & audit["source_row"].notna()]
    assert dropped_rows["source_row"].nunique() == raw_rows - len(panel)


def test_analysis_panel_has_the_indices(finished_run):
    workdir, config = finished_run
    analysis = pd.read_parquet(workdir / "data/processed/analysis_panel.parquet")
    carried = [*config["roles"]["instruments"], config["did"]["treatment"]]  # no passthrough
    for name in [*config["constructs"], *config["controls"], *carried]:
        assert name in analysis.columns
        assert analysis[name].notna().all(), name
    assert not analysis.duplicated(["cluster_id", "year"]).any()


def test_second_run_does_nothing(finished_run, snakemake):
    workdir, _ = finished_run
    config_file = workdir / "config" / "config.yaml"
    result = snakemake(workdir, "--cores", "1", "--dry-run", configfile=config_file)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Nothing to be done" in result.stdout + result.stderr


# The rules run in the one project environment and declare no per-rule `conda:` (README,
# "Other environments"); Snakemake's linter asks for one, and that is the only lint allowed.
NO_PER_RULE_ENVIRONMENT = "Specify a conda environment or container for each rule."


def test_snakemake_lint_is_clean(tmp_path, default_config_dict, snakemake):
    _write_config(tmp_path, default_config_dict)
    # Snakemake 9 prints lints as text whatever `--lint` format is asked; each lint is a
    # line "    * <title>:" under "Lints for rule <name> (...)" or "Lints for snakefile".
    result = snakemake(tmp_path, "--lint")  # exit status 1 when anything is linted
    output = result.stdout + result.stderr
    assert "Error" not in output and "Traceback" not in output, output[-4000:]
    titles = set(re.findall(r"^\s+\* (.+?):\s*$", output, flags=re.MULTILINE))
    linted_rules = re.findall(r"^Lints for rule (\w+)", output, flags=re.MULTILINE)
    assert linted_rules, "the linter ran and listed the rules without a conda environment"
    assert titles <= {NO_PER_RULE_ENVIRONMENT}, titles


def test_bad_gbk_file_stops_before_estimation_with_a_clear_error(
    tmp_path, default_config_dict, snakemake
):
    """A user's GBK-encoded file with a duplicated key: a clear message, no partial outputs."""
    frame = pd.DataFrame(
        {
            "集群编码": ["A1", "A1", "A2"],
            "年份": [2010, 2010, 2010],
            "省份": ["浙江", "浙江省", "江苏"],
            "补贴": [1.0, 2.0, 3.0],
        }
    )
    raw = tmp_path / "data" / "raw" / "user_panel.csv"
    raw.parent.mkdir(parents=True)
    frame.to_csv(raw, index=False, encoding="gbk")
    config = {
        "simulate": {"enabled": False},
        "data": {
            "path": "data/raw/user_panel.csv",
            "entity": "集群编码",
            "time": "年份",
            "province": "省份",
        },
        "variables": {"subsidy": {"column": "补贴", "kind": "money"}},
        "constructs": {"GOV": {"indicators": {"subsidy": 1}}},
        "roles": {"treatment": "GOV", "mediators": [], "outcome": "GOV"},
    }
    _write_config(tmp_path, config)
    result = snakemake(tmp_path, "--cores", "1")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "user_panel.csv" in output
    assert "集群编码" in output
    assert "Traceback" not in output
    assert not (tmp_path / "results" / "data_quality" / "validation.json").exists()
    assert not (tmp_path / "data" / "processed").exists()


def test_cleaning_corrects_exactly_the_planted_typos(finished_run):
    """Every x100 typo the simulator planted is corrected, and nothing else is touched."""
    workdir, _ = finished_run
    truth = json.loads((workdir / "data/raw/clusters_truth.json").read_text(encoding="utf-8"))
    planted = {
        (t["cluster_id"], t["year"], t["variable"]): t["true_value"]
        for t in truth["messiness"]["typos"]
    }
    audit = pd.read_csv(workdir / "results/data_quality/cleaning_audit.csv")
    corrected = audit[audit["step"] == "fix_scale_typos"]
    found = {
        (row.cluster_id, int(row.year), row.variable): float(row.new_value)
        for row in corrected.itertuples()
    }
    assert set(found) == set(planted)
    for key, true_value in planted.items():
        assert found[key] == pytest.approx(true_value, rel=1e-9)


def test_truth_file_records_the_true_effects(finished_run):
    workdir, config = finished_run
    truth = json.loads((workdir / "data/raw/clusters_truth.json").read_text(encoding="utf-8"))
    effects = truth["effects"]
    assert truth["parameters"]["n_clusters"] == config["simulate"]["n_clusters"]
    assert effects["total_effect"] == pytest.approx(
        effects["c_prime"] + effects["total_indirect_effect"]
    )
    assert sorted(effects["zero_indirect_mechanisms"]) == ["BRAND", "INNOV"]


def test_every_configured_panel_job_has_an_estimate(finished_run):
    workdir, config = finished_run
    from govcluster.config import build_config
    from govcluster.panel.plan import project_panel_jobs

    jobs = project_panel_jobs(build_config(config))
    written = {p.stem for p in (workdir / "results/estimates/panel").glob("*.json")}
    assert written == set(jobs)
    record = json.loads((workdir / "results/estimates/panel/baseline_twoway_fe.json").read_text())
    assert record["result"]["coefficients"][0]["name"] == "GOV"
    assert record["result"]["n_clusters"] == config["simulate"]["n_clusters"]


def test_provenance_covers_every_file_the_run_wrote(finished_run):
    """Every file on disk under the folders the run writes has a record, with its SHA-256.

    The files are found by walking the disk, not from the rules' declarations, so an output
    a rule writes without declaring it, or one no rule records, is caught.
    """
    workdir, config = finished_run
    provenance = json.loads((workdir / "results/provenance.json").read_text(encoding="utf-8"))
    assert provenance["outputs_without_record"] == []
    assert provenance["outputs_with_stale_record"] == []
    on_disk = {
        str(path.relative_to(workdir))
        for folder in ("results", "data/processed", "data/interim")
        for path in (workdir / folder).rglob("*")
        if path.is_file()
    } - {"results/provenance.json"}
    assert on_disk <= set(provenance["outputs"]), sorted(on_disk - set(provenance["outputs"]))
    for relative in on_disk:
        assert provenance["outputs"][relative]["sha256"] == file_sha256(workdir / relative)
    # the files the issue found without a record
    for relative in (
        "results/config_resolved.yaml",
        "results/data_quality/missingness_by_year.csv",
        "results/data_quality/panel_balance.csv",
        "results/data_quality/sample_construction.md",
        "results/plots/horizon_profile.csv",
        "results/descriptives/summary_statistics.md",
        "results/estimates/truth_comparison.md",
    ):
        assert relative in provenance["outputs"], relative
    audit = provenance["outputs"]["results/data_quality/cleaning_audit.csv"]
    assert audit["rule"] == "clean" and audit["seed"] is None  # clean draws nothing at random
    assert "data/interim/ingested.parquet" in audit["inputs"]
    clean_config = audit["params"]["config"]["values"]
    assert clean_config["clean"] == config["clean"] and "models" not in clean_config
    mediation = provenance["outputs"]["results/estimates/mediation.json"]
    assert mediation["seed"] == config["seed"]
    assert set(mediation["params"]["config"]["values"]) == {
        "output_root", "seed", "mediation", "roles", "models", "data",
    }  # fmt: skip
    # the user's names of the entity and the time, for the record
    names = {"entity", "time", "entity_label", "time_kind"}
    assert set(mediation["params"]["config"]["values"]["data"]) == names
    assert "govcluster" in provenance["packages"] and "tqdm" not in provenance["packages"]
