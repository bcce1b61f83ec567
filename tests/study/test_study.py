"""The simulation study: seeds, summaries, and results independent of the number of jobs."""

import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from slurm_cluster import FAST_STATUS_CHECKS, CancelFirstRunningJob, require_slurm_cluster
from tiny_study import ROOT, TINY, write_tiny_study_config

from govcluster.errors import ConfigError
from govcluster.study import (
    ReplicationResult,
    build_study_spec,
    replication_seed,
    run_replication,
    summarise_study,
)


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


def _study_results(workdir: Path) -> dict[Path, bytes]:
    """The study's records, summary table and Markdown in ``workdir``, by relative path."""
    folder = workdir / "results" / "study"
    return {
        path.relative_to(folder): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in (".json", ".csv", ".md")
    }


@pytest.fixture(scope="module")
def two_core_study(tmp_path_factory, snakemake) -> dict[Path, bytes]:
    """Results of the tiny study run locally with two cores (the reference of the tests below)."""
    workdir = tmp_path_factory.mktemp("study_two_cores")
    write_tiny_study_config(workdir)
    ran = snakemake(workdir, "--cores", "2", "simulation_study")
    assert ran.returncode == 0, ran.stderr[-3000:]
    results = _study_results(workdir)
    assert len(results) == 2 * 2 + 2
    summary = results[Path("study_summary.csv")].decode()
    assert "twoway_fe_iv" in summary and "indirect_INNOV" in summary
    return results


@pytest.mark.slow
@pytest.mark.pipeline
def test_an_interrupted_study_recomputes_only_what_is_missing(
    two_core_study, tmp_path, snakemake_cli
):
    """One core, stopped after its first replication, restarted: the same bytes as two cores.

    The replication finished before the interruption is not run again (its file keeps its
    modification time); the rest is computed by the restart.
    """
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    # The interruption races the jobs: when the signal lands after the last replication (a
    # fast machine), the scenario did not happen and is set up again in a fresh directory.
    for attempt in range(3):
        workdir = tmp_path / f"attempt{attempt}"
        workdir.mkdir()
        write_tiny_study_config(workdir)
        command = snakemake_cli(workdir, "--cores", "1", "simulation_study")
        records = workdir / "results" / "study" / "replications"
        _interrupt_after_first_replication(command, workdir, environment, records)
        finished = {path: path.stat().st_mtime_ns for path in records.rglob("*.json")}
        if len(finished) < 4:
            break
    assert 1 <= len(finished) < 4, "the run was not stopped part-way through the replications"

    restarted = subprocess.run(
        command, cwd=workdir, env=environment, capture_output=True, text=True
    )
    assert restarted.returncode == 0, restarted.stderr[-3000:]
    assert {path: path.stat().st_mtime_ns for path in finished} == finished
    assert _study_results(workdir) == two_core_study


def _interrupt_after_first_replication(command, workdir, environment, records) -> None:
    """Start the study; stop it once one replication is written and the next has started.

    The first is then complete in Snakemake's eyes and the second is cut off.
    """
    with subprocess.Popen(
        command,
        cwd=workdir,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # a test run started in the background inherits an ignored SIGINT: restore it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as first:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and first.poll() is None:
            started = list((workdir / "logs" / "study").rglob("rep*.log"))
            if list(records.rglob("*.json")) and len(started) >= 2:
                break
            time.sleep(0.05)
        first.send_signal(signal.SIGINT)
        first.wait(timeout=120)


@pytest.mark.slow
@pytest.mark.pipeline
def test_study_on_slurm_equals_the_local_run_after_a_killed_job(
    two_core_study, tmp_path, snakemake
):
    """Through SLURM (``profiles/slurm``), with one replication job cancelled while it runs.

    The profile's ``retries`` resubmit the cancelled job, and every result equals the local
    run's bytes.
    """
    require_slurm_cluster()
    write_tiny_study_config(tmp_path)
    with CancelFirstRunningJob("study_replication") as cancelled:
        ran = snakemake(
            tmp_path,
            "--profile",
            str(ROOT / "profiles" / "slurm"),
            "--jobs",
            "4",
            *FAST_STATUS_CHECKS,
            "simulation_study",
        )
    log = ran.stdout + ran.stderr
    assert ran.returncode == 0, log[-4000:]
    assert "submitted with SLURM jobid" in log, "the jobs did not go through SLURM"
    assert cancelled.job is not None, "no replication job was seen running, none was cancelled"
    assert "Trying to restart job" in log, log[-4000:]
    assert _study_results(tmp_path) == two_core_study
