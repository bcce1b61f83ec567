"""Provenance records, key estimates and the truth comparison, on small inputs."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from govcluster.metrics import key_estimates
from govcluster.provenance import (
    build_provenance,
    file_sha256,
    job_record,
    package_versions,
    recorded_packages,
    written_files,
)
from govcluster.truth import compare_mediation_with_truth


def test_job_records_combine_into_provenance_of_every_output(tmp_path):
    data, table = tmp_path / "data.csv", tmp_path / "table.csv"
    data.write_text("a\n1\n")
    table.write_text("b\n2\n")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    first = job_record(
        rule="clean",
        wildcards={},
        inputs=[str(data)],
        outputs=[str(table)],
        params={"x": 1},
        seed=7,
        started=start,
        finished=start + timedelta(seconds=2),
    )
    table.write_text("b\n3\n")  # the rule ran again later and changed its output
    second = job_record(
        rule="clean",
        wildcards={},
        inputs=[str(data)],
        outputs=[str(table)],
        params={"x": 2},
        seed=7,
        started=start,
        finished=start + timedelta(seconds=9),
    )
    provenance = build_provenance(
        [second, first], code_directory=tmp_path, outputs=[str(table), "missing.csv"]
    )
    entry = provenance["outputs"][str(table)]
    assert entry["params"] == {"x": 2} and entry["sha256"] == file_sha256(table)
    assert entry["inputs"] == {str(data): file_sha256(data)} and entry["seconds"] == 9.0
    assert provenance["outputs_without_record"] == ["missing.csv"]
    assert provenance["git_state"] == "not a git repository"
    assert provenance["packages"]["numpy"]


def test_a_record_whose_file_changed_since_is_reported_stale(tmp_path):
    table = tmp_path / "table.csv"
    table.write_text("b\n2\n")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    record = job_record(
        rule="clean",
        wildcards={},
        inputs=[],
        outputs=[str(table)],
        params={},
        seed=None,
        started=start,
        finished=start,
    )
    table.write_text("b\n3\n")  # rewritten by something that left no record
    provenance = build_provenance([record], code_directory=tmp_path, outputs=[str(table)])
    assert provenance["outputs_with_stale_record"] == [str(table)]
    assert provenance["outputs_without_record"] == []


def test_written_files_walks_the_output_folders_on_disk(tmp_path):
    for relative in ("results/a.csv", "results/sub/b.md", "data/processed/p.parquet",
                     "data/raw/raw.csv", "results/provenance.json"):  # fmt: skip
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    found = written_files(tmp_path, exclude=[tmp_path / "results/provenance.json"])
    relative = sorted(str(Path(p).relative_to(tmp_path)) for p in found)
    assert relative == ["data/processed/p.parquet", "results/a.csv", "results/sub/b.md"]


def test_recorded_packages_are_govclusters_requirements_from_its_metadata():
    from importlib import metadata

    names = recorded_packages()
    assert names[0] == "govcluster"
    required = {
        re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower()
        for r in metadata.requires("govcluster")
        if "extra" not in r
    }
    assert {n.lower() for n in names[1:]} == required
    assert "tqdm" not in names  # not a requirement of govcluster
    versions = package_versions()
    assert versions["govcluster"] == metadata.version("govcluster")
    assert set(versions) <= set(names)


def _coefficient(name, estimate):
    return {"name": name, "estimate": estimate, "ci_lower": estimate - 1, "ci_upper": estimate + 1}


def test_key_estimates_pick_the_treatment_of_the_headline_and_iv_jobs():
    panel = {
        "baseline_twoway_fe": {
            "kind": "baseline",
            "result": {"coefficients": [_coefficient("x", 9.0), _coefficient("GOV", 0.2)]},
        },
        "baseline_pooled": {
            "kind": "baseline",
            "result": {"coefficients": [_coefficient("GOV", 0.5)]},
        },
        "iv_fe": {"kind": "iv", "result": {"coefficients": [_coefficient("GOV", 0.3)]}},
    }
    mediation = {
        "paths": [
            {"path": "c", "estimate": 0.4, "ci_lower": 0.3, "ci_upper": 0.5},
            {"path": "a", "estimate": 9.0, "ci_lower": 8.0, "ci_upper": 10.0},
        ],
        "indirect": [{"mediator": "TOTAL", "estimate": 0.1, "ci_lower": 0.0, "ci_upper": 0.2}],
    }
    metrics = key_estimates(panel, mediation, treatment="GOV")
    assert metrics == {
        "total_effect_twoway_fe": {"estimate": 0.2, "ci_lower": -0.8, "ci_upper": 1.2},
        "iv_fe": {"estimate": 0.3, "ci_lower": -0.7, "ci_upper": 1.3},
        "total_effect_c": {"estimate": 0.4, "ci_lower": 0.3, "ci_upper": 0.5},
        "indirect_TOTAL": {"estimate": 0.1, "ci_lower": 0.0, "ci_upper": 0.2},
    }


def test_truth_comparison_reports_coverage_and_attenuation():
    def path(kind, estimate, mediator=None):
        return {
            "path": kind,
            "mediator": mediator,
            "estimate": estimate,
            "se": 0.1,
            "ci_lower": estimate - 0.2,
            "ci_upper": estimate + 0.2,
        }

    mediation = {
        "paths": [path("a", 0.4, "M"), path("b", 0.1, "M"), path("c", 0.3), path("c_prime", 0.26)],
        "indirect": [
            {"mediator": m, "estimate": 0.04, "se": 0.01, "ci_lower": 0.02, "ci_upper": 0.06}
            for m in ("M", "TOTAL")
        ],
    }
    truth = {
        "effects": {
            "standardised": {
                "a_population_average": {"M": 0.5},
                "b": {"M": 0.0},
                "indirect_effects": {"M": 0.05},
                "c_prime": 0.25,
                "total_effect": 0.9,
            }
        }
    }
    table = compare_mediation_with_truth(mediation, truth).set_index("quantity")
    assert table.loc["a[M]", "ratio_to_truth"] == pytest.approx(0.8)
    assert table.loc["a[M]", "covers_truth"]
    assert table.loc["b[M]", "ratio_to_truth"] != table.loc["b[M]", "ratio_to_truth"]  # NaN
    assert not table.loc["c (total)", "covers_truth"]
