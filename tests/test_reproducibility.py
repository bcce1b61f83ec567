"""Results that CI checks: the golden key estimates, determinism, and the DVC round trip."""

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from govcluster.metrics import compare_with_golden

pytestmark = pytest.mark.pipeline

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "reference" / "golden_default.json"
BIN = Path(sys.executable).parent

# The pipeline is deterministic: the same configuration and seed give the same numbers up to
# floating-point summation order (BLAS kernels may differ between machines). A relative
# tolerance of 1e-6 absorbs that and nothing else: any real change of data, code or
# configuration moves the estimates by far more.
RTOL = 1e-6
ATOL = 1e-9


def run_ok(snakemake, workdir: Path, config: Path, *args: str) -> None:
    result = snakemake(workdir, *args, configfile=config)
    assert result.returncode == 0, result.stderr[-4000:]


def write_config(path: Path, config: dict) -> Path:
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def test_default_run_reproduces_the_golden_estimates(tmp_path, default_config_dict, snakemake):
    """The default configuration, run from scratch, gives the committed key estimates.

    tests/reference/golden_default.json is changed only deliberately (README, "Changing the
    golden estimates"); this test never rewrites it.
    """
    config = write_config(tmp_path / "config.yaml", default_config_dict)
    run_ok(snakemake, tmp_path, config, "--cores", "2", "estimates_ready")
    metrics = json.loads((tmp_path / "results" / "metrics.json").read_text())
    golden = json.loads(GOLDEN.read_text())
    assert compare_with_golden(metrics, golden, rtol=RTOL, atol=ATOL) == []


def test_a_drifted_estimate_is_caught():
    """The comparison CI relies on fails when a golden value is deliberately altered."""
    golden = json.loads(GOLDEN.read_text())
    run = copy.deepcopy(golden)
    assert compare_with_golden(run, golden, rtol=RTOL, atol=ATOL) == []
    altered = copy.deepcopy(golden)
    altered["indirect_TOTAL"]["estimate"] *= 1 + 10 * RTOL
    problems = compare_with_golden(run, altered, rtol=RTOL, atol=ATOL)
    assert len(problems) == 1 and problems[0].startswith("indirect_TOTAL.estimate")
    del altered["iv_twoway_fe"]
    assert any("iv_twoway_fe" in p for p in compare_with_golden(run, altered, rtol=RTOL, atol=ATOL))


def test_estimates_do_not_depend_on_the_number_of_cores(finished_run, tmp_path, snakemake):
    """The DAG with 1 core writes the estimates the shared 2-core run wrote, byte for byte."""
    project, config = finished_run

    def estimates(root: Path) -> dict[Path, bytes]:
        files = sorted((root / "results" / "estimates").rglob("*.*"))
        files.append(root / "results" / "metrics.json")
        return {f.relative_to(root): f.read_bytes() for f in files}

    run_ok(
        snakemake,
        tmp_path,
        write_config(tmp_path / "config.yaml", config),
        "--cores",
        "1",
        "estimates_ready",
    )
    one_core, two_cores = estimates(tmp_path), estimates(project)
    assert one_core.keys() == two_cores.keys()
    for name in one_core:
        assert one_core[name] == two_cores[name], name


def _run(command: list[str], cwd: Path, env: dict) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, (
        f"{' '.join(command)}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    )
    return result.stdout + result.stderr


def test_dvc_round_trip_with_a_local_remote(tmp_path, copy_project):
    """A user's raw data: dvc add, push, lose data and cache, pull, dvc repro, dvc status."""
    from govcluster.simulate import simulate_cluster_panel

    repo, remote = tmp_path / "repo", tmp_path / "remote"
    repo.mkdir()
    copy_project(repo)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]

    # The user's own data (here a small simulated panel saved as their file).
    raw, _ = simulate_cluster_panel(n_clusters=25, years=(2012, 2019), seed=7)
    user_file = repo / "data" / "raw" / "my_clusters.csv"
    user_file.parent.mkdir(parents=True, exist_ok=True)
    raw.to_csv(user_file, index=False)
    config = yaml.safe_load((repo / "config" / "config.yaml").read_text("utf-8"))
    config["simulate"]["enabled"] = False
    config["data"]["path"] = "data/raw/my_clusters.csv"
    config["mediation"]["n_boot"] = 200
    config["simulate"].update(n_clusters=25, first_year=2012, last_year=2019)
    # Eight years: the event window must fit in them (did.event_window names the fix).
    config["did"].update(event_window=[-3, 4], outcomes=["SCA"], n_bootstrap=99)
    config["case_study"]["placebo_max_units"] = 5
    write_config(repo / "config" / "config.yaml", config)

    _run(["git", "init", "-q"], repo, env)
    _run(["dvc", "add", "data/raw/my_clusters.csv"], repo, env)  # dvc add before git add
    _run(["git", "add", "-A"], repo, env)
    _run([*git, "commit", "-qm", "data and code"], repo, env)
    _run(["dvc", "repro"], repo, env)
    _run(["git", "add", "-A"], repo, env)  # dvc.lock and the git-tracked metrics
    _run([*git, "commit", "-qm", "results"], repo, env)
    _run(["dvc", "remote", "add", "-d", "local", str(remote)], repo, env)
    _run(["dvc", "push"], repo, env)
    original = user_file.read_bytes()
    metrics = (repo / "results" / "metrics.json").read_bytes()
    analysis = pd.read_parquet(repo / "data" / "processed" / "analysis_panel.parquet")
    assert analysis["cluster_id"].nunique() == 25

    # Another machine: the data, the results and the cache are gone; pull brings them back.
    user_file.unlink()
    shutil.rmtree(repo / "data" / "processed")
    shutil.rmtree(repo / "results" / "tables")
    shutil.rmtree(repo / ".dvc" / "cache")
    _run(["dvc", "pull"], repo, env)
    assert user_file.read_bytes() == original
    assert (repo / "data" / "processed" / "analysis_panel.parquet").is_file()
    assert (repo / "results" / "tables" / "panel_baseline.docx").is_file()

    reproduced = _run(["dvc", "repro"], repo, env)
    assert "Running stage" not in reproduced, reproduced
    assert (repo / "results" / "metrics.json").read_bytes() == metrics
    status = _run(["dvc", "status"], repo, env)
    assert "Data and pipelines are up to date" in status, status
