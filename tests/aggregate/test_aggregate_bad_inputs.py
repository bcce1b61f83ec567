"""Bad microdata: each gives a clear error, or is handled by a configured rule and audited."""

import pandas as pd
import pytest
from conftest import make_spec

from govcluster.aggregate import aggregate_firms
from govcluster.errors import DataReadError, DataValidationError

COLUMN_RULE = {"rule": "column", "column": "cluster_id"}
INDICATORS = {
    "n_firms": {"stat": "count"},
    "employment": {"stat": "sum", "column": "employees"},
}


def _spec(**overrides):
    return make_spec(assign=COLUMN_RULE, indicators=INDICATORS, **overrides)


def _firms(rows):
    return pd.DataFrame(rows, columns=["firm_id", "year", "cluster_id", "employees", "sales"])


CLEAN = [
    (1, 2020, "A", 10, 100.0),
    (2, 2020, "A", 20, 50.0),
    (3, 2020, "B", 5, 20.0),
    (1, 2021, "A", 12, 110.0),
    (3, 2021, "B", 6, 25.0),
]


def _write(tmp_path, rows, name="firms.parquet"):
    path = tmp_path / name
    _firms(rows).to_parquet(path, index=False)
    return str(path)


# ---------------------------------------------------------------- firm in two clusters


def test_firm_in_two_clusters_is_an_error_naming_firm_year_and_clusters(tmp_path):
    path = _write(tmp_path, [*CLEAN, (2, 2021, "A", 7, 10.0), (2, 2021, "B", 8, 90.0)])
    with pytest.raises(DataValidationError) as info:
        aggregate_firms([path], _spec())
    message = str(info.value)
    assert "firm 2 year 2021: clusters A, B" in message
    assert "firms.parquet" in message
    assert "on_two_clusters" in message


def test_firm_in_two_clusters_dropped_and_audited(tmp_path):
    path = _write(tmp_path, [*CLEAN, (2, 2021, "A", 7, 10.0), (2, 2021, "B", 8, 90.0)])
    dropped_file = tmp_path / "dropped.csv"
    result = aggregate_firms([path], _spec(on_two_clusters="drop"), dropped_rows_path=dropped_file)
    assert result.audit.dropped == {"two_clusters": 2}
    panel = result.panel.set_index(["cluster_id", "year"])
    assert panel.loc[("A", 2021), "n_firms"] == 1
    assert panel.loc[("B", 2021), "employment"] == 6
    dropped = pd.read_csv(dropped_file)
    assert sorted(dropped["cluster_id"]) == ["A", "B"]
    assert set(dropped["reason"]) == {"two_clusters"}
    assert set(dropped["firm"]) == {2}


def test_firm_in_two_clusters_kept_where_largest(tmp_path):
    path = _write(tmp_path, [*CLEAN, (2, 2021, "A", 7, 10.0), (2, 2021, "B", 8, 90.0)])
    result = aggregate_firms([path], _spec(on_two_clusters="largest", largest_by="sales"))
    panel = result.panel.set_index(["cluster_id", "year"])
    assert panel.loc[("B", 2021), "n_firms"] == 2
    assert panel.loc[("B", 2021), "employment"] == 14
    assert panel.loc[("A", 2021), "n_firms"] == 1
    assert result.audit.dropped == {"two_clusters": 1}


# ---------------------------------------------------------------- duplicated firm-year key


def test_duplicate_firm_year_is_an_error(tmp_path):
    path = _write(tmp_path, [*CLEAN, (1, 2020, "A", 10, 100.0)])
    with pytest.raises(DataValidationError) as info:
        aggregate_firms([path], _spec())
    message = str(info.value)
    assert "1 firm-year keys appear more than once" in message
    assert "firm 1 year 2020" in message
    assert "on_duplicate_key: drop" in message


def test_duplicate_across_files_names_a_file(tmp_path):
    first = _write(tmp_path, CLEAN, "firms_a.parquet")
    second = _write(tmp_path, [(3, 2021, "B", 6, 25.0)], "firms_b.parquet")
    with pytest.raises(DataValidationError, match=r"firm 3 year 2021 in .*firms_(a|b)\.parquet"):
        aggregate_firms([first, second], _spec())


def test_duplicate_firm_year_dropped_and_audited(tmp_path):
    path = _write(tmp_path, [*CLEAN, (1, 2020, "A", 10, 100.0)])
    dropped_file = tmp_path / "dropped.parquet"
    result = aggregate_firms([path], _spec(on_duplicate_key="drop"), dropped_rows_path=dropped_file)
    assert result.audit.dropped == {"duplicate_key": 2}
    assert result.audit.n_rows_kept == len(CLEAN) - 1
    panel = result.panel.set_index(["cluster_id", "year"])
    assert panel.loc[("A", 2020), "n_firms"] == 1
    dropped = pd.read_parquet(dropped_file)
    assert len(dropped) == 2 and set(dropped["reason"]) == {"duplicate_key"}


# ---------------------------------------------------------------- cluster without firms


def test_cluster_year_without_firms_is_audited_and_left_empty(tmp_path):
    path = _write(tmp_path, CLEAN)
    expected = pd.DataFrame(
        {"cluster_id": ["A", "A", "B", "B", "C"], "year": [2020, 2021, 2020, 2021, 2021]}
    )
    result = aggregate_firms([path], _spec(), expected=expected)
    assert result.audit.empty_cluster_years == [{"cluster_id": "C", "year": 2021}]
    panel = result.panel.set_index(["cluster_id", "year"])
    assert panel.loc[("C", 2021)].isna().all()
    assert len(result.panel) == 5


def test_cluster_without_firms_in_a_year_from_the_mapping(tmp_path):
    """Mapping rule: every mapped cluster is expected in every year of the files."""
    rows = pd.DataFrame(
        {
            "firm_id": [1, 2, 3],
            "year": [2020, 2021, 2021],
            "county": [1, 1, 2],
            "employees": [1, 2, 3],
        }
    )
    rows.to_parquet(tmp_path / "f.parquet", index=False)
    mapping = pd.DataFrame({"county": [1, 2], "cluster_id": ["A", "B"]})
    spec = make_spec(
        assign={"rule": "mapping", "keys": ["county"], "mapping": "m.csv"},
        indicators={"n_firms": {"stat": "count"}},
    )
    result = aggregate_firms([str(tmp_path / "f.parquet")], spec, mapping=mapping)
    assert result.audit.empty_cluster_years == [{"cluster_id": "B", "year": 2020}]
    with pytest.raises(DataValidationError, match="B 2020"):
        aggregate_firms(
            [str(tmp_path / "f.parquet")],
            make_spec(
                assign={"rule": "mapping", "keys": ["county"], "mapping": "m.csv"},
                indicators={"n_firms": {"stat": "count"}},
                on_empty_cluster="error",
            ),
            mapping=mapping,
        )


# ---------------------------------------------------------------- schemas


def test_file_with_a_renamed_column_names_file_and_column(tmp_path):
    good = _write(tmp_path, CLEAN, "firms_2020.parquet")
    renamed = _firms([(9, 2022, "A", 1, 1.0)]).rename(columns={"employees": "staff"})
    renamed.to_parquet(tmp_path / "firms_2022.parquet", index=False)
    with pytest.raises(DataValidationError) as info:
        aggregate_firms([str(tmp_path / "firms_*.parquet")], _spec())
    message = str(info.value)
    assert "firms_2022.parquet" in message
    assert "column: employees" in message
    assert "staff" in message
    assert good


def test_csv_file_with_text_in_a_number_column_names_file_and_column(tmp_path):
    _firms(CLEAN).to_csv(tmp_path / "a.csv", index=False)
    odd = _firms([(9, 2022, "A", 1, 1.0)]).astype({"employees": str})
    odd.loc[0, "employees"] = "1,200"
    odd.to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(DataValidationError) as info:
        aggregate_firms([str(tmp_path / "*.csv")], _spec())
    message = str(info.value)
    assert "b.csv" in message and "column: employees" in message
    assert "text here, numeric in" in message


def test_no_matching_file_is_a_read_error(tmp_path):
    with pytest.raises(DataReadError, match="no firm-level file matches"):
        aggregate_firms([str(tmp_path / "nothing_*.parquet")], _spec())


# ---------------------------------------------------------------- rows without keys


def test_rows_without_key_or_cluster_are_dropped_with_reasons(tmp_path):
    rows = _firms([*CLEAN, (None, 2020, "A", 1, 1.0), (4, 2020, None, 1, 1.0)])
    rows.to_parquet(tmp_path / "f.parquet", index=False)
    dropped_file = tmp_path / "dropped.csv"
    result = aggregate_firms([str(tmp_path / "f.parquet")], _spec(), dropped_rows_path=dropped_file)
    assert result.audit.dropped == {"missing_key": 1, "unassigned": 1}
    assert result.audit.n_rows_read == len(CLEAN) + 2
    dropped = pd.read_csv(dropped_file)
    assert sorted(dropped["reason"]) == ["missing_key", "unassigned"]


def test_mapping_with_one_key_in_two_clusters_is_an_error(tmp_path):
    rows = pd.DataFrame({"firm_id": [1], "year": [2020], "county": [1]})
    rows.to_parquet(tmp_path / "f.parquet", index=False)
    mapping = pd.DataFrame({"county": [1, 1], "cluster_id": ["A", "B"]})
    spec = make_spec(
        assign={"rule": "mapping", "keys": ["county"], "mapping": "m.csv"},
        indicators={"n_firms": {"stat": "count"}},
    )
    with pytest.raises(DataValidationError, match=r"(?s)one key to two clusters.*rows:   2, 3"):
        aggregate_firms(
            [str(tmp_path / "f.parquet")], spec, mapping=mapping, mapping_source="m.csv"
        )
