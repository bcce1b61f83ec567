"""Every kind of bad input the project handles, run from one data-driven catalogue.

Each entry of ``catalogue.yaml`` names a bad input (a mutation of the good panel of
``bad_input_builders.py``, of its configuration, or a workflow fault), the stage that must
stop or flag it and a fragment of the message. The test runs the pipeline's own functions
stage by stage (read, ingest, validate, quality report, clean; configuration; run guard;
model diagnostics), asserts that every stage before the expected one passes, that the
expected stage raises the expected error (or, for ``*-warning`` stages, warns) with the
fragment, that data errors name the file and configuration errors the configuration file in
use, and that no message carries a traceback.
"""

from __future__ import annotations

import copy
import io as text_io
import os
import warnings
from contextlib import redirect_stderr
from pathlib import Path

import bad_input_builders as builders
import pytest

from govcluster import io
from govcluster.clean import clean_panel
from govcluster.config import CONFIG_FILE_VARIABLE, build_config, build_workflow_config, read_yaml
from govcluster.errors import ConfigError, DataReadError, DataValidationError, EstimationError
from govcluster.ingest import ingest_table
from govcluster.quality import data_quality_report
from govcluster.validate import validate_panel

CATALOGUE = read_yaml((Path(__file__).with_name("catalogue.yaml")).read_text(encoding="utf-8"))[
    "cases"
]

ERRORS = {
    "ConfigError": ConfigError,
    "DataReadError": DataReadError,
    "DataValidationError": DataValidationError,
    "EstimationError": EstimationError,
}

DATA_STAGES = ("read", "ingest", "validate", "validate-warning", "quality-report", "clean")


def test_catalogue_is_large_and_well_formed():
    ids = [case["id"] for case in CATALOGUE]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)
    for case in CATALOGUE:
        assert case["stage"] in {
            *DATA_STAGES,
            "config",
            "workflow-config",
            "workflow-config-warning",
            "estimate",
            "estimate-warning",
            "run-guard",
            "run-status",
        }, case["id"]
        assert case["message"], case["id"]


pytestmark = pytest.mark.usefixtures("no_config_file_in_use")


def _prepare(case: dict, tmp_path: Path) -> tuple[dict, Path]:
    """Write the case's data file; return its raw configuration and the file's path."""
    name = case.get("file_name", "用户面板.csv")
    path = tmp_path / "data" / "raw" / name
    table = builders.mutate_table(builders.good_table(), case)
    builders.write_input(table, path, case)
    config = builders.good_config(str(path))
    if case.get("ascii_header"):
        config = builders.ascii_config(config)
    builders.deep_update(config, copy.deepcopy(case.get("config", {})))
    return config, path


def _expect_error(case: dict, call) -> str:
    expected = ERRORS[case.get("error", "DataValidationError")]
    with pytest.raises(expected) as caught:
        call()
    message = str(caught.value)
    assert case["message"] in message, message
    assert "Traceback" not in message
    return message


def _run_data_stages(case: dict, config_dict: dict, path: Path) -> str:
    stage = case["stage"]
    config = build_config(config_dict)
    spec = config.data
    read = lambda: io.read_table(  # noqa: E731
        spec.path, format=spec.format, encoding=spec.encoding, sheet=spec.sheet
    )
    if stage == "read":
        return _expect_error({**case, "error": case.get("error", "DataReadError")}, read)
    raw = read()
    if stage == "ingest":
        return _expect_error(case, lambda: ingest_table(raw, config, source=str(path)))
    ingested = ingest_table(raw, config, source=str(path))
    if stage == "quality-report":
        text = data_quality_report(ingested, config).to_markdown()
        assert case["message"] in text, text
        return text
    if stage == "validate":
        return _expect_error(case, lambda: validate_panel(ingested, config, source=str(path)))
    report = validate_panel(ingested, config, source=str(path))
    if stage == "validate-warning":
        notes = "\n".join(report.notes)
        assert case["message"] in notes, notes
        return notes
    assert stage == "clean"
    return _expect_error(case, lambda: clean_panel(ingested, config))


def _run_estimate(case: dict) -> str:
    from govcluster.panel.estimators import fit_panel_model
    from govcluster.panel.iv import fit_panel_iv
    from govcluster.panel.spec import PanelIVSpec, PanelSpec

    builder = case["builder"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if builder == "within_constant":
            data = builders.within_constant_panel()
            estimate = fit_panel_model(
                data, PanelSpec(outcome="SCA", regressors="GOV", estimator="entity_fe")
            )
        else:
            data = builders.copied_instrument_panel(noise=case.get("noise", 0.0))
            spec = PanelIVSpec(
                outcome="SCA", endogenous="GOV", instruments="iv_copy", estimator="entity_fe"
            )
            if case["stage"] == "estimate":
                return _expect_error(case, lambda: fit_panel_iv(data, spec))
            estimate = fit_panel_iv(
                data,
                PanelIVSpec(
                    outcome="SCA", endogenous="GOV", instruments="iv_copy", estimator="entity_fe"
                ),
            )
    text = "\n".join(estimate.warnings)
    assert case["message"] in text, text
    return text


def _run_guard(case: dict, tmp_path: Path) -> str:
    from govcluster import run_guard

    if case["action"] == "second_run":
        holder = run_guard.acquire_run_lock(tmp_path)
        try:
            stderr = text_io.StringIO()
            with redirect_stderr(stderr):
                status = run_guard.run_guarded(["true"], directory=tmp_path)
        finally:
            holder.close()
        assert status == 1
    else:  # a lock left by a killed run: removed, and the run goes ahead
        locks = tmp_path / run_guard.SNAKEMAKE_LOCKS
        locks.mkdir(parents=True)
        (locks / "0.input.lock").write_text("data/raw/clusters.csv\n")
        stderr = text_io.StringIO()
        with redirect_stderr(stderr):
            status = run_guard.run_guarded(["true"], directory=tmp_path)
        assert status == 0
        assert not list(locks.iterdir())
    message = stderr.getvalue()
    assert case["message"] in message, message
    return message


class _Job:
    def __init__(self, outputs):
        self.output = outputs


class _Dag:
    """A stand-in for Snakemake's job graph: jobs due to run and those that finished."""

    def __init__(self, jobs, finished):
        self.jobs, self.done = jobs, finished

    def needrun_jobs(self):
        return self.jobs

    def finished(self, job):
        return job in self.done


def _run_status(case: dict, tmp_path: Path) -> str:
    from govcluster.run_status import handle_failed_run

    previous = tmp_path / "results" / "metrics.json"
    previous.parent.mkdir(parents=True)
    previous.write_text("{}")
    fresh = tmp_path / "data" / "interim" / "ingested.parquet"
    fresh.parent.mkdir(parents=True)
    fresh.write_text("new")
    jobs = [
        _Job([str(fresh)]),
        _Job([str(tmp_path / "results" / "validation.json")]),
        _Job([str(previous)]),
    ]
    stderr = text_io.StringIO()
    with redirect_stderr(stderr):
        moved = handle_failed_run(_Dag(jobs, {jobs[0]}), root=tmp_path)
    assert moved == [str(previous)]
    assert not previous.exists() and fresh.exists()
    assert (tmp_path / "stale" / "results" / "metrics.json").exists()
    message = stderr.getvalue()
    assert case["message"] in message, message
    return message


@pytest.mark.parametrize("case", CATALOGUE, ids=[case["id"] for case in CATALOGUE])
def test_bad_input_is_stopped_or_flagged_at_its_stage(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stage = case["stage"]
    if stage in ("estimate", "estimate-warning"):
        _run_estimate(case)
        return
    if stage == "run-guard":
        _run_guard(case, tmp_path)
        return
    if stage == "run-status":
        _run_status(case, tmp_path)
        return
    config_dict, path = _prepare(case, tmp_path)
    if "config_file" in case:
        os.environ[CONFIG_FILE_VARIABLE] = case["config_file"]
    if stage == "config":
        message = _expect_error({**case, "error": "ConfigError"}, lambda: build_config(config_dict))
        assert case.get("config_file", "config/config.yaml") in message
        assert len(message.splitlines()) <= 4, message
        return
    if stage == "workflow-config":
        stderr = text_io.StringIO()
        with redirect_stderr(stderr), pytest.raises(SystemExit) as exited:
            build_workflow_config(config_dict, config_files=[case.get("config_file", "x.yaml")])
        assert exited.value.code == 1
        message = stderr.getvalue()
        assert case["message"] in message, message
        assert case.get("config_file", "x.yaml") in message
        assert "Traceback" not in message
        return
    if stage == "workflow-config-warning":
        stderr = text_io.StringIO()
        with redirect_stderr(stderr):
            build_workflow_config(config_dict, config_files=[case["config_file"]])
        message = stderr.getvalue()
        assert case["message"] in message, message
        assert case["config_file"] in message
        return
    message = _run_data_stages(case, config_dict, path)
    if stage in ("read", "ingest", "validate", "clean") and case.get("names_file", True):
        assert path.name in message, message
