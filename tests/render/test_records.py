"""Typed records of the stored results.

Every file the estimators write reads back unchanged, and a file of another layout, version or
kind is refused with a message saying what to do.
"""

from __future__ import annotations

import copy
import json

import pytest

from govcluster import io
from govcluster.records.base import PANEL_JOB_SCHEMA_VERSION, SCHEMA_VERSION, RecordError
from govcluster.records.mediation import MediationRecord
from govcluster.records.panel import (
    HeterogeneityRecord,
    LocalProjectionsRecord,
    PanelEstimateRecord,
    PanelIVEstimateRecord,
    PanelJobRecord,
    SpecificationTestsRecord,
)

RESULT_RECORDS = {
    "baseline": PanelEstimateRecord,
    "specification_tests": SpecificationTestsRecord,
    "local_projections": LocalProjectionsRecord,
    "heterogeneity": HeterogeneityRecord,
    "iv": PanelIVEstimateRecord,
}


def test_every_panel_job_file_reads_back_unchanged(small_run):
    kinds = set()
    for job in small_run.jobs:
        text = small_run.panel_path(job).read_text(encoding="utf-8")
        stored = json.loads(text)
        record = PanelJobRecord.from_dict(stored)
        kinds.add(record.kind)
        assert isinstance(record.result, RESULT_RECORDS[record.kind])
        assert record.to_dict() == stored
        # same keys in the same order: the record is the file, not a summary of it
        assert json.dumps(record.to_dict(), ensure_ascii=False, indent=2) + "\n" == text
        assert stored["schema_version"] == PANEL_JOB_SCHEMA_VERSION == 2
        assert stored["result"]["schema_version"] == SCHEMA_VERSION
        assert stored["columns"] == {"entity": "cluster_id", "time": "year"}  # the default names
    assert kinds == set(RESULT_RECORDS)


def test_the_mediation_file_reads_back_unchanged(small_run):
    stored = small_run.mediation
    record = MediationRecord.from_dict(stored)
    assert record.to_dict() == stored
    assert list(record.to_dict()) == list(stored)
    assert (stored["schema_version"], stored["kind"]) == (SCHEMA_VERSION, "mediation_result")
    assert (
        record.path("c").estimate
        == next(p for p in stored["paths"] if p["path"] == "c")["estimate"]
    )


def test_records_are_read_only(small_run):
    record = PanelJobRecord.from_dict(small_run.records("baseline_twoway_fe")["baseline_twoway_fe"])
    with pytest.raises(AttributeError):
        record.result.n_obs = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=3), "schema_version 3 cannot be read"),
        (lambda d: d.pop("columns"), r"missing key\(s\) \['columns'\]"),
        (lambda d: d.pop("schema_version"), "missing key"),
        (lambda d: d["result"].update(extra=1), r"unknown key\(s\) \['extra'\]"),
        (lambda d: d["result"].update(kind="no_such_result"), "no reader for record kind"),
        (lambda d: d["result"].update(n_obs="many"), "n_obs: expected an integer"),
        (lambda d: d["result"]["coefficients"][0].pop("p_value"), "missing key"),
    ],
)
def test_a_file_of_another_layout_is_refused(small_run, change, message):
    stored = copy.deepcopy(small_run.records("baseline_twoway_fe")["baseline_twoway_fe"])
    change(stored)
    with pytest.raises(RecordError, match=message):
        PanelJobRecord.from_dict(stored)


def test_a_mediation_file_of_another_kind_is_refused(small_run, tmp_path):
    stored = copy.deepcopy(small_run.mediation)
    stored["kind"] = "panel_estimate"
    with pytest.raises(RecordError, match="is not a MediationRecord"):
        MediationRecord.from_dict(stored)
    from govcluster.render.catalog import load_sources

    path = io.write_json({**small_run.mediation, "schema_version": 0}, tmp_path / "m.json")
    with pytest.raises(RecordError, match="rerun the rule"):
        load_sources({"mediation": path})
