"""Each default table's CSV ("the numbers behind the table") against its rendered numbers.

Every table the default configuration renders from a small run is written in all formats;
its CSV is read back and must have unique keys, and every number printed in the body of the
Markdown table must be in the CSV (at the printed precision). The did tables are built from
did records of a small simulated panel, as in tests/did/test_did_render.py; the case-study
tables from the case study of the small run's analysis panel.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from render_estimates import SOURCE_PATHS
from table_numbers import duplicated_keys, printed_numbers, unmatched_numbers

from govcluster.render.catalog import build_exhibit, load_sources, write_exhibit
from govcluster.render.plan import planned_exhibits

#: Numeric columns that are part of the key of a did table's numbers.
DID_KEYS = ("event_time", "M")


def sources_of(exhibit, small_run) -> dict:
    paths: dict = {source: small_run.root / SOURCE_PATHS[source] for source in exhibit.sources}
    if exhibit.panel_jobs:
        paths["panel"] = [small_run.panel_path(job) for job in exhibit.panel_jobs]
    return load_sources(paths)


def written_tables(small_run, language, root):
    """(name, Markdown text, CSV frame) of every default table, written to ``root``."""
    project = small_run.project(language)
    tables = []
    for exhibit in planned_exhibits(project):
        if exhibit.kind != "table" or exhibit.stage in ("did", "casestudy"):
            continue
        built = build_exhibit(exhibit.name, sources_of(exhibit, small_run), project)
        write_exhibit(exhibit.kind, built, root / exhibit.stem)
        stem = root / exhibit.stem
        markdown = stem.with_name(f"{stem.name}.md").read_text(encoding="utf-8")
        frame = pd.read_csv(stem.with_name(f"{stem.name}.csv"), encoding="utf-8-sig")
        tables.append((exhibit.name, markdown, frame))
    return tables


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.exhibits
def test_every_default_table_csv_holds_what_the_table_prints(small_run, tmp_path, language):
    tables = written_tables(small_run, language, tmp_path)
    names = [name for name, _, _ in tables]
    assert {"panel_baseline", "panel_iv", "mediation_paths", "mediation_causal"} <= set(names)
    for name, markdown, frame in tables:
        printed = printed_numbers(markdown)
        assert printed, f"{name}: no number printed"
        missing = unmatched_numbers(markdown, frame)
        assert not missing, f"{name}: printed but not in the CSV: " + ", ".join(
            f"{n.text!r} in row {n.row!r}" for n in missing[:10]
        )
        duplicated = duplicated_keys(frame)
        assert duplicated.empty, f"{name}: duplicated keys in the CSV:\n{duplicated.head()}"


def test_the_check_finds_a_number_the_csv_lacks():
    markdown = (
        "| | (1) | Share (%) |\n| :--- | ---: | ---: |\n"
        "| GOV | 0.464*** | 82.0 |\n| | (0.026) | |\n| p | < 0.001 | |\n"
    )
    complete = pd.DataFrame({"estimate": [0.46436, 0.0256, 0.0004], "share": [0.8197, 1.5, 2.5]})
    assert unmatched_numbers(markdown, complete) == []
    lacking = complete.assign(estimate=[0.46436, 0.0274, 0.0004])
    assert [n.text for n in unmatched_numbers(markdown, lacking)] == ["0.026"]
    no_small_p = complete.assign(estimate=[0.46436, 0.0256, 0.2])
    assert [n.text for n in unmatched_numbers(markdown, no_small_p)] == ["< 0.001"]
    not_percent = complete.assign(share=[82.0, 1.5, 2.5])
    assert [n.text for n in unmatched_numbers(markdown, not_percent)] == ["82.0"]
    assert not duplicated_keys(pd.DataFrame({"model": ["(1)", "(2)"], "v": [1, 2]})).shape[0]
    assert duplicated_keys(pd.DataFrame({"model": ["(1)", "(1)"], "v": [1, 2]})).shape[0] == 2


@pytest.fixture(scope="module")
def did_sources(did_records) -> dict:
    return {"did": did_records}


def test_every_did_table_csv_holds_what_the_table_prints(did_sources, config_en, tmp_path):
    tables = [e for e in planned_exhibits(config_en) if e.stage == "did" and e.kind == "table"]
    assert {e.name for e in tables} >= {"did_att", "did_event_study", "did_honest", "did_bacon"}
    for exhibit in tables:
        built = build_exhibit(exhibit.name, did_sources, config_en)
        write_exhibit(exhibit.kind, built, tmp_path / exhibit.name)
        markdown = (tmp_path / f"{exhibit.name}.md").read_text(encoding="utf-8")
        frame = pd.read_csv(tmp_path / f"{exhibit.name}.csv", encoding="utf-8-sig")
        missing = unmatched_numbers(markdown, frame)
        assert not missing, f"{exhibit.name}: printed but not in the CSV: " + ", ".join(
            f"{n.text!r} in row {n.row!r}" for n in missing[:10]
        )
        duplicated = duplicated_keys(frame, DID_KEYS)
        assert duplicated.empty, f"{exhibit.name}: duplicated keys:\n{duplicated.head()}"


@pytest.fixture(scope="module")
def case_study_sources(small_run) -> dict:
    """The case-study record of the small run's analysis panel (JSON round-tripped)."""
    from govcluster.casestudy.plan import run_configured_case_study

    config = small_run.config
    settings = {**config["case_study"], "placebo_max_units": 10}
    analysis = pd.read_parquet(small_run.path("analysis"))
    record = run_configured_case_study(analysis, settings, seed=config["seed"])
    return {"case_study": json.loads(json.dumps(record.to_dict()))}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.exhibits
def test_every_case_study_table_csv_holds_what_the_table_prints(
    case_study_sources, small_run, tmp_path, language
):
    project = small_run.project(language)
    tables = [e for e in planned_exhibits(project) if e.stage == "casestudy" and e.kind == "table"]
    assert {e.name for e in tables} == {"case_study_estimates", "case_study_weights"}
    for exhibit in tables:
        built = build_exhibit(exhibit.name, case_study_sources, project)
        write_exhibit(exhibit.kind, built, tmp_path / exhibit.name)
        markdown = (tmp_path / f"{exhibit.name}.md").read_text(encoding="utf-8")
        frame = pd.read_csv(tmp_path / f"{exhibit.name}.csv", encoding="utf-8-sig")
        assert printed_numbers(markdown), f"{exhibit.name}: no number printed"
        missing = unmatched_numbers(markdown, frame)
        assert not missing, f"{exhibit.name}: printed but not in the CSV: " + ", ".join(
            f"{n.text!r} in row {n.row!r}" for n in missing[:10]
        )
        duplicated = duplicated_keys(frame)
        assert duplicated.empty, f"{exhibit.name}: duplicated keys:\n{duplicated.head()}"
