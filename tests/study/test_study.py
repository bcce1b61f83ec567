"""The simulation study: seeds, summaries, and results independent of the number of jobs."""

import copy
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from govcluster.errors import ConfigError
from govcluster.study import (
    ReplicationResult,
    build_study_spec,
    replication_seed,
    run_replication,
    summarise_study,
)

ROOT = Path(__file__).resolve().parents[2]
TINY = {
    "replications": 2,
    "first_year": 2008,
    "last_year": 2011,
    "design": {"n_clusters": [20], "endogeneity": [0.0, 0.8]},
    "estimators": ["twoway_fe", "twoway_fe_iv", "mediation"],
    "simulate_params": {"lag_effects": [0.0, 0.0], "heterogeneity": 0.0},
}


def test_design_grid_is_every_combination():
    spec = build_study_spec(
        {"design": {"n_clusters": [60, 240], "endogeneity": [0.0, 0.5]}}, seed=1
    )
    assert [d.name for d in spec.designs] == [
        "n60_endo0",
        "n60_endo0p5",
        "n240_endo0",
        "n240_endo0p5",
    ]
    assert [d.index for d in spec.designs] == [0, 1, 2, 3]


def test_pre_trend_is_refused_with_a_reason():
    with pytest.raises(ConfigError, match="no pre-trend violation"):
        build_study_spec({"design": {"pre_trend": [0.0, 0.1]}}, seed=1)


def test_unknown_estimator_is_refused():
    with pytest.raises(ConfigError, match="study.estimators"):
        build_study_spec({"estimators": ["ols"]}, seed=1)


def test_replication_seeds_are_fixed_and_distinct():
    seeds = {replication_seed(20240601, d, r) for d in range(4) for r in range(500)}
    assert len(seeds) == 2000
    assert replication_seed(20240601, 2, 17) == replication_seed(20240601, 2, 17)
    assert replication_seed(1, 2, 17) != replication_seed(2, 2, 17)


@pytest.mark.slow
def test_replication_is_reproducible_and_near_the_truth():
    spec = build_study_spec(
        {**TINY, "design": {"n_clusters": [120], "endogeneity": [0.0]}, "last_year": 2016},
        seed=5,
    )
    first = run_replication(spec, spec.designs[0], 0)
    again = run_replication(spec, spec.designs[0], 0)
    assert first.to_dict() == again.to_dict()
    assert ReplicationResult.from_dict(first.to_dict()) == first
    fe = next(r for r in first.rows if r["estimator"] == "twoway_fe")
    # exogenous GOV: the FE estimate is within 4 standard errors of the true total effect
    assert abs(fe["estimate"] - fe["truth"]) < 4 * fe["std_error"]
    assert fe["truth"] == pytest.approx(0.515)


def test_summary_counts_coverage_and_rejections():
    spec = build_study_spec({"design": {"n_clusters": [60], "endogeneity": [0.0]}}, seed=1)
    rows = [
        # (estimate, se, ci_lower, ci_upper, p)
        (1.1, 0.1, 0.9, 1.3, 0.001),
        (1.5, 0.1, 1.3, 1.7, 0.001),
        (0.9, 0.2, 0.5, 1.3, 0.20),
        (1.0, 0.1, 0.8, 1.2, 0.03),
    ]
    results = [
        ReplicationResult(
            design="n60_endo0",
            replication=k,
            seed=k,
            rows=(
                {
                    "estimator": "twoway_fe",
                    "parameter": "total_effect",
                    "truth": 1.0,
                    "estimate": e,
                    "std_error": s,
                    "ci_lower": lo,
                    "ci_upper": hi,
                    "p_value": p,
                },
            ),
        )
        for k, (e, s, lo, hi, p) in enumerate(rows)
    ]
    table = summarise_study(spec, list(reversed(results)))
    row = table.iloc[0]
    errors = np.array([0.1, 0.5, -0.1, 0.0])
    assert row["bias"] == pytest.approx(errors.mean())
    assert row["rmse"] == pytest.approx(np.sqrt((errors**2).mean()))
    assert row["coverage"] == pytest.approx(0.75)
    assert row["rejection_rate"] == pytest.approx(0.75)
    assert not row["null"]


# ------------------------------------------------------------- the workflow target


def _run_study(run, workdir: Path, cores: int) -> subprocess.CompletedProcess:
    """Run a tiny simulation study in ``workdir`` with ``cores`` cores."""
    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    config = copy.deepcopy(config)
    config["study"] = {**config["study"], **TINY}
    with open(workdir / "config.yaml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, allow_unicode=True, sort_keys=False)
    return run(workdir, "--cores", str(cores), "simulation_study")


@pytest.mark.slow
@pytest.mark.pipeline
def test_study_results_do_not_depend_on_the_number_of_jobs(tmp_path, snakemake):
    one, two = tmp_path / "cores1", tmp_path / "cores2"
    for workdir, cores in ((one, 1), (two, 2)):
        workdir.mkdir()
        result = _run_study(snakemake, workdir, cores)
        assert result.returncode == 0, result.stderr[-3000:]
    files = sorted(
        p.relative_to(one)
        for p in (one / "results" / "study").rglob("*")
        if p.is_file() and p.suffix in (".json", ".csv", ".md")
    )
    assert len(files) == 2 * 2 + 2
    for relative in files:
        assert (one / relative).read_bytes() == (two / relative).read_bytes(), relative
    summary = (one / "results" / "study" / "study_summary.csv").read_text()
    assert "twoway_fe_iv" in summary and "indirect_INNOV" in summary
