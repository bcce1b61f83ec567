"""govcluster.quality: missingness, panel balance and exact duplicates of a handmade panel."""

import math

import pandas as pd
import pytest

from govcluster.config import build_config
from govcluster.ingest import ingest_table
from govcluster.quality import DataQualityReport, data_quality_report

CONFIG = build_config(
    {
        "simulate": {"enabled": False},
        "data": {"path": "data/raw/panel.csv", "entity": "集群", "time": "年"},
        "variables": {
            "output": {"column": "产值", "kind": "amount"},
            "profit": {"column": "利润", "kind": "amount"},
        },
        "constructs": {"SCA": {"indicators": {"output": 1, "profit": 1}}},
        "roles": {"treatment": "SCA", "mediators": [], "outcome": "SCA"},
    }
)

#: (file row, cluster, year, output, profit)
ROWS = [
    (2, "A", "2010", "1", "5"),
    (3, "A", "2011", "", "6"),
    (4, "A", "2013", "-", "abc"),  # A lacks 2012; "abc" is unreadable
    (5, "B", "2010", "2", "7"),
    (6, "B", "2010", "2", "7"),  # exact copy of row 5
    (7, "B", "2011", "3", ""),
    (8, "B", "2012", "4", "8"),
    (9, "B", "2013", "5", "9"),  # B is balanced
    (10, "C", "2012", "", ""),
    (11, "C", "2012", "", ""),  # copies of row 10
    (12, "C", "2012", "", ""),
    (13, "D", "2010", "1", "1"),
    (14, "D", "2013", "1", "1"),  # D lacks 2011 and 2012
    (15, "", "2011", "1", "1"),  # no entity
    (16, "E", "2011年", "1", "1"),  # no valid year
]


@pytest.fixture(scope="module")
def report() -> DataQualityReport:
    raw = pd.DataFrame(
        [row[1:] for row in ROWS], columns=["集群", "年", "产值", "利润"], dtype="string"
    ).replace("", pd.NA)
    ingested = ingest_table(raw, CONFIG, source="panel.csv")
    assert ingested["source_row"].tolist() == [row[0] for row in ROWS]
    return data_quality_report(ingested, CONFIG)


def test_missingness_by_variable(report):
    table = report.missingness_by_variable.set_index("variable")
    assert table.loc["output", "column"] == "产值"
    assert table["n_cells"].tolist() == [15, 15]
    assert table["n_missing"].tolist() == [5, 5]
    assert table["n_unreadable"].tolist() == [0, 1]
    assert table.loc["output", "share_missing"] == pytest.approx(5 / 15)


#: The entity and time columns of the records, as the file names them (data.entity, data.time).
ENTITY, TIME = "集群", "年"


def test_records_name_entity_and_time_as_the_file_does(report):
    assert report.columns.to_dict() == {"entity": ENTITY, "time": TIME}
    assert list(report.panel_balance.columns[:2]) == [ENTITY, "first_year"]
    assert list(report.missingness_by_year.columns[:2]) == [TIME, "variable"]
    assert list(report.exact_duplicates.columns[:2]) == [ENTITY, TIME]
    for table in (report.missingness_by_year, report.panel_balance, report.exact_duplicates):
        assert not {"cluster_id", "year"} & set(table.columns)
    text = report.to_markdown()
    assert f"| {ENTITY} " in text and "cluster_id" not in text


def test_missingness_by_year(report):
    table = report.missingness_by_year
    assert table[TIME].unique().tolist() == [2010, 2011, 2012, 2013]  # "2011年" left out
    output = table.loc[table["variable"] == "output"].set_index(TIME)
    assert output["n_cells"].tolist() == [4, 3, 4, 3]
    assert output["n_missing"].tolist() == [0, 1, 3, 1]
    assert output.loc[2012, "share_missing"] == pytest.approx(0.75)
    profit = table.loc[table["variable"] == "profit"].set_index(TIME)
    assert profit["n_missing"].tolist() == [0, 1, 3, 1]
    assert profit["column"].unique().tolist() == ["利润"]


def test_panel_balance(report):
    table = report.panel_balance.set_index(ENTITY)
    assert table.index.tolist() == ["A", "B", "C", "D"]
    assert table["first_year"].tolist() == [2010, 2010, 2012, 2010]
    assert table["last_year"].tolist() == [2013, 2013, 2012, 2013]
    assert table["n_years_observed"].tolist() == [3, 4, 1, 2]
    assert table["n_years_in_span"].tolist() == [4, 4, 1, 4]
    assert table["n_years_expected"].tolist() == [4, 4, 4, 4]
    assert table["n_gaps"].tolist() == [1, 0, 0, 2]
    assert table["gaps"].tolist() == ["2012", "", "", "2011, 2012"]
    assert table["balanced"].tolist() == [False, True, False, False]


def test_balance_summary(report):
    summary = report.balance_summary.set_index("measure")["value"].to_dict()
    assert summary["rows"] == 15
    assert summary["rows without a valid year"] == 1
    assert summary["rows without an entity"] == 1
    assert summary["entities"] == 4
    assert (summary["first year"], summary["last year"]) == (2010, 2013)
    assert summary["years in the panel"] == 4
    assert summary["entity-years observed"] == 10
    assert summary["share of the balanced panel observed"] == pytest.approx(10 / 16)
    assert summary["balanced entities"] == 1
    assert summary["entities with gaps"] == 2
    assert summary["gap years"] == 3
    assert summary["exact duplicate rows"] == 3
    assert summary["groups of exact duplicates"] == 2


def test_exact_duplicates(report):
    table = report.exact_duplicates
    assert table[ENTITY].tolist() == ["B", "C"]
    assert table[TIME].tolist() == [2010, 2012]
    assert table["n_rows"].tolist() == [2, 3]
    assert table["source_rows"].tolist() == ["5, 6", "10, 11, 12"]


def test_markdown(report):
    text = report.to_markdown()
    assert text.startswith("# Data quality report")
    for heading in ("## Overview", "## Missing values by variable", "## Panel balance"):
        assert heading in text
    assert "| 2011, 2012 " in text  # D's gaps
    assert "10, 11, 12" in text
    assert "62.5%" in text  # share of the balanced panel observed


def test_clean_balanced_panel_has_nothing_to_report():
    raw = pd.DataFrame(
        {"集群": ["A", "A", "B", "B"], "年": [2010, 2011, 2010, 2011], "产值": 1.0, "利润": 2.0}
    )
    quality = data_quality_report(ingest_table(raw, CONFIG, source="p.csv"), CONFIG)
    assert quality.exact_duplicates.empty
    assert quality.panel_balance["balanced"].all()
    assert quality.missingness_by_variable["n_missing"].tolist() == [0, 0]
    text = quality.to_markdown()
    assert "Balanced: all 2 entities" in text
    assert "## Exact duplicate rows\n\nNone." in text


def test_panel_without_any_valid_year_does_not_fail():
    raw = pd.DataFrame({"集群": ["A", "B"], "年": ["x", None], "产值": ["1", "2"], "利润": "3"})
    quality = data_quality_report(ingest_table(raw, CONFIG, source="p.csv"), CONFIG)
    assert quality.panel_balance.empty and quality.missingness_by_year.empty
    summary = quality.balance_summary.set_index("measure")["value"].to_dict()
    assert summary["rows without a valid year"] == 2
    assert math.isnan(summary["share of the balanced panel observed"])
    assert "Data quality report" in quality.to_markdown()
