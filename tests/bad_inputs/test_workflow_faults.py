"""Workflow-level faults, run with Snakemake for real on a small configuration.

- a run killed mid-job (SIGKILL of the whole run, as in a power loss) is recovered by the
  next guarded run (what ``make run`` calls), whose results are identical to a clean run;
  to keep the test affordable the runs build the data stage (target ``data_ready``: simulate,
  ingest, validate, clean, indices, describe), which exercises the same lock and
  incomplete-file recovery as the whole DAG;
- a failed run after a good one sets the earlier results it did not remake aside and says
  which they are;
- a misspelled key and a missing data file stop the run at once with one precise message
  naming the configuration file in use (no schema dump, no stack frames).
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from govcluster.provenance import file_sha256

pytestmark = [pytest.mark.pipeline, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
GUARD = [sys.executable, "-m", "govcluster.run_guard"]
TARGET = "data_ready"
ENV = {**os.environ, "MPLBACKEND": "Agg"}


def _snakemake_args(workdir: Path, *args: str) -> list[str]:
    return [
        *SNAKEMAKE,
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--configfile",
        str(workdir / "config.yaml"),
        "--replace-workflow-config",
        *args,
    ]


def _guarded(workdir: Path, *args: str, **popen) -> subprocess.Popen:
    """A guarded run in ``workdir``, as ``make run`` starts it."""
    return subprocess.Popen(
        [*GUARD, *_snakemake_args(workdir, "--cores", "2", *args, TARGET)],
        cwd=workdir,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


def _small_config(default_config_dict: dict) -> dict:
    config = copy.deepcopy(default_config_dict)
    config["simulate"].update(n_clusters=40, first_year=2008, last_year=2019)
    config["mediation"]["n_boot"] = 200
    return config


def _write_config(workdir: Path, config: dict) -> None:
    with open(workdir / "config.yaml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, allow_unicode=True, sort_keys=False)


def _result_hashes(workdir: Path) -> dict[str, str]:
    folders = ("data/processed", "results/data_quality", "results/descriptives")
    files = sorted(p for folder in folders for p in (workdir / folder).rglob("*"))
    return {str(p.relative_to(workdir)): file_sha256(p) for p in files if p.is_file()}


def _kill_everything_in(workdir: Path, group: int) -> None:
    """SIGKILL the run's process group and any process still working in ``workdir``."""
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass
    target = workdir.resolve()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) == target:
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:
            continue


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, default_config_dict):
    workdir = tmp_path_factory.mktemp("clean_run")
    config = _small_config(default_config_dict)
    _write_config(workdir, config)
    run = _guarded(workdir)
    output, _ = run.communicate()
    assert run.returncode == 0, output[-4000:]
    return workdir, config


def test_killed_run_is_recovered_by_the_next_run(clean_run, tmp_path):
    _, config = clean_run
    _write_config(tmp_path, config)
    run = _guarded(tmp_path, start_new_session=True)
    marker = tmp_path / "results" / "data_quality" / "validation.json"
    deadline = time.monotonic() + 1800
    while not marker.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert run.poll() is None, "the run ended before it could be killed"
    _kill_everything_in(tmp_path, run.pid)
    run.wait()
    assert list((tmp_path / ".snakemake" / "locks").glob("*")), "the kill left no lock"

    again = _guarded(tmp_path)
    output, _ = again.communicate()
    assert again.returncode == 0, output[-4000:]
    assert "an earlier run was interrupted" in output
    hashes = _result_hashes(tmp_path)
    assert len(hashes) >= 10
    assert hashes == _result_hashes(clean_run[0])


def test_failed_run_sets_aside_the_results_it_did_not_remake(clean_run):
    workdir, config = clean_run
    data = pd.read_csv(workdir / "data" / "raw" / "clusters.csv", dtype=str)
    data.loc[5, "gov_subsidy"] = "1e300"
    own = workdir / "data" / "raw" / "own_panel.csv"
    data.to_csv(own, index=False)
    bad = copy.deepcopy(config)
    bad["simulate"]["enabled"] = False
    bad["data"]["path"] = "data/raw/own_panel.csv"
    _write_config(workdir, bad)
    run = _guarded(workdir)
    output, _ = run.communicate()
    assert run.returncode != 0
    assert "cannot be right" in output
    assert "are NOT valid" in output
    for result in ("data/processed/panel.parquet", "results/descriptives/correlations.csv"):
        assert not (workdir / result).exists()
        assert (workdir / "stale" / result).exists()
    assert (workdir / "data" / "interim" / "ingested.parquet").exists()  # remade by this run
    assert "Traceback" not in output


def test_misspelled_key_gives_one_line_naming_the_config_file(tmp_path, default_config_dict):
    config = _small_config(default_config_dict)
    config["clean"]["winsorise"] = {"enabled": False}
    case = tmp_path / "config" / "cases" / "mine.yaml"
    case.parent.mkdir(parents=True)
    with open(case, "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, allow_unicode=True)
    command = [
        *SNAKEMAKE,
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--configfile",
        "config/cases/mine.yaml",
        "--replace-workflow-config",
        "--dry-run",
    ]
    result = subprocess.run(command, cwd=tmp_path, env=ENV, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "config/cases/mine.yaml is invalid" in output
    assert "clean.winsorise: not a configuration key" in output
    assert "did you mean 'winsorize'?" in output
    assert "Traceback" not in output and 'File "' not in output
    assert len(output.strip().splitlines()) < 10, output


def test_missing_data_file_gets_the_projects_message(tmp_path, default_config_dict):
    config = _small_config(default_config_dict)
    config["simulate"]["enabled"] = False
    config["data"]["path"] = "data/raw/not_there.csv"
    _write_config(tmp_path, config)
    result = subprocess.run(
        _snakemake_args(tmp_path, "--dry-run"),
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "data/raw/not_there.csv does not exist" in output
    assert f"working directory: {tmp_path}" in output
    assert "MissingInputException" not in output
