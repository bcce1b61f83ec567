"""govcluster.ingest and govcluster.validate: column mapping, the panel's rules, their errors."""

import copy

import numpy as np
import openpyxl
import pandas as pd
import pytest

from govcluster import io
from govcluster.columns import ENTITY, MONEY_UNIT, PROVINCE, SOURCE_ROW, TIME
from govcluster.config import build_config
from govcluster.errors import ConfigError, DataValidationError
from govcluster.ingest import file_columns, ingest_table
from govcluster.validate import ValidationReport, validate_panel

SOURCE = "data/raw/用户面板.csv"

BASE_CONFIG = {
    "simulate": {"enabled": False},
    "data": {
        "path": SOURCE,
        "entity": "集群编码",
        "time": "年份",
        "province": "省份",
        "money_unit": "单位",
    },
    "variables": {
        "subsidy": {"column": "补贴", "kind": "money"},
        "export_share": {"column": "出口占比", "kind": "share"},
        "demo": {"column": "示范", "kind": "binary"},
        "trust": {"column": "信任", "kind": "score", "min": 0, "max": 10},
    },
    "constructs": {"GOV": {"indicators": {"subsidy": 1}}},
    "roles": {"treatment": "GOV", "mediators": [], "outcome": "GOV"},
}


def make_config(data=None, variables=None, clean=None):
    raw = copy.deepcopy(BASE_CONFIG)
    raw["data"].update(data or {})
    if variables is not None:
        raw["variables"] = variables
    if clean is not None:
        raw["clean"] = clean
    return build_config(raw)


def good_raw() -> pd.DataFrame:
    """A small raw table as read from a CSV: every column text, file rows 2-7."""
    return pd.DataFrame(
        {
            "集群编码": ["A1", "A1", "A1", "A2", "A2", "A3"],
            "年份": ["2010", "2011", "2011", "2010", "2011.0", "2010"],
            "省份": ["浙江", "浙江省", "浙江省", " Jiangsu ", "江苏", "广东"],
            "单位": ["万元", "亿元", "亿元", "万元", " 元 ", "万元"],
            "补贴": ["1,234", "0.5", "0.5", "", "3", "-"],
            "出口占比": ["12%", "3", "3", "50", "NA", "100"],
            "示范": ["0", "1", "1", "0", "0", "1"],
            "信任": ["7.5", "8", "8", "10", "0", "6"],
            "备注": ["x", "y", "y", "z", "w", "v"],
        },
        dtype="string",
    ).replace("", pd.NA)


def ingest(raw=None, config=None):
    return ingest_table(good_raw() if raw is None else raw, config or make_config(), source=SOURCE)


def with_cells(column: str, cells: dict[int, object]) -> pd.DataFrame:
    """The good raw table with some cells of ``column`` replaced (keys are file rows)."""
    raw = good_raw()
    for file_row, value in cells.items():
        raw.loc[file_row - 2, column] = value
    return raw


def validation_error(raw=None, config=None) -> DataValidationError:
    config = config or make_config()
    with pytest.raises(DataValidationError) as caught:
        validate_panel(ingest(raw, config), config, source=SOURCE)
    return caught.value


# --------------------------------------------------------------------------- ingest


def test_ingest_renames_to_canonical_names_and_numbers_rows():
    ingested = ingest()
    assert list(ingested.columns) == [
        SOURCE_ROW,
        ENTITY,
        TIME,
        PROVINCE,
        MONEY_UNIT,
        "subsidy",
        "export_share",
        "demo",
        "trust",
    ]
    assert ingested[SOURCE_ROW].tolist() == [2, 3, 4, 5, 6, 7]
    assert ingested[SOURCE_ROW].dtype == np.int64
    assert all(ingested[c].dtype == "string" for c in ingested.columns if c != SOURCE_ROW)
    assert ingested["subsidy"].tolist()[:3] == ["1,234", "0.5", "0.5"]
    assert pd.isna(ingested["subsidy"].iloc[3])
    assert ingested.attrs["ignored_columns"] == ["备注"]
    assert ingested.attrs["column_map"][ENTITY] == "集群编码"


def test_ingest_keeps_numbers_exactly_as_text():
    raw = pd.DataFrame(
        {
            "集群编码": ["A1", "A2", "A3"],
            "年份": [2010.0, 2011.0, 2012.0],
            "省份": ["浙江", None, "江苏"],
            "单位": ["万元", "万元", "万元"],
            "补贴": [0.1, np.nan, 1e16],
            "出口占比": pd.array([12, None, 7], dtype="Int64"),
            "示范": [True, False, True],
            "信任": [1 / 3, 2.5, 0.0],
        }
    )
    ingested = ingest(raw)
    assert ingested[TIME].tolist() == ["2010.0", "2011.0", "2012.0"]
    assert ingested["subsidy"].tolist()[0] == "0.1" and pd.isna(ingested["subsidy"].iloc[1])
    assert float(ingested["subsidy"].iloc[2]) == 1e16
    assert float(ingested["trust"].iloc[0]) == 1 / 3
    assert ingested["export_share"].tolist()[0] == "12"
    assert pd.isna(ingested["export_share"].iloc[1])
    assert ingested["demo"].tolist() == ["1", "0", "1"]
    assert pd.isna(ingested[PROVINCE].iloc[1])


def test_blank_rows_are_dropped_and_recorded_with_their_file_rows(tmp_path):
    path = tmp_path / "panel.csv"
    header = "集群编码,年份,省份,单位,补贴,出口占比,示范,信任,备注\n"
    body = (
        "A1,2010,浙江,万元,1,2,0,5,\n"
        "\n"
        "A2,2010,江苏,万元,1,2,0,5,\n"
        " , ,,,,,,,\n"
        ",,,,,,,,注：资料来源\n"
    )
    path.write_bytes((header + body).encode("gbk"))
    ingested = ingest(io.read_table(path))
    assert ingested[SOURCE_ROW].tolist() == [2, 4]
    assert ingested[ENTITY].tolist() == ["A1", "A2"]
    assert ingested.attrs["dropped_empty_rows"] == [3, 5, 6]
    assert ingested.attrs["encoding"] == "gb18030"


def test_xlsx_rows_are_numbered_like_the_sheet(tmp_path):
    path = tmp_path / "panel.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["集群编码", "年份", "省份", "单位", "补贴", "出口占比", "示范", "信任"])
    sheet.append(["A1", 2010, "浙江", "万元", 0.1, 3, 0, 5])
    sheet.append([None] * 8)
    sheet.append(["A2", 2010, "江苏", "万元", 1234.5, 3, 1, 5])
    workbook.save(path)
    ingested = ingest(io.read_table(path))
    assert ingested[SOURCE_ROW].tolist() == [2, 4]
    assert ingested["subsidy"].tolist() == ["0.1", "1234.5"]
    assert ingested[TIME].tolist() == ["2010", "2010"]


@pytest.mark.parametrize("suffix", [".dta", ".parquet"])
def test_stata_and_parquet_rows_are_index_plus_two(tmp_path, suffix):
    frame = pd.DataFrame(
        {
            "cid": ["A1", "A2", "A3"],
            "year": [2010, 2010, 2011],
            "v": [0.1, np.nan, 2.0],
        }
    )
    path = tmp_path / f"panel{suffix}"
    if suffix == ".dta":
        frame.to_stata(path, write_index=False, version=118)
    else:
        frame.to_parquet(path)
    config = make_config(
        data={"entity": "cid", "time": "year", "province": None, "money_unit": None},
        variables={"subsidy": {"column": "v", "kind": "money"}},
    )
    ingested = ingest_table(io.read_table(path), config, source=str(path))
    assert ingested[SOURCE_ROW].tolist() == [2, 3, 4]
    assert ingested["subsidy"].tolist()[0] == "0.1" and pd.isna(ingested["subsidy"].iloc[1])
    report = validate_panel(ingested, config, source=str(path))
    assert report.n_rows == 3
    assert "money_units_known" not in report.checks and "provinces_known" not in report.checks


def test_column_names_match_up_to_whitespace_and_full_width_forms():
    raw = good_raw().rename(columns={"年份": " 年份 ", "出口占比": "出口占比（%）"})
    variables = {
        **BASE_CONFIG["variables"],
        "export_share": {"column": "出口占比(%)", "kind": "share"},
    }
    config = make_config(variables=variables)
    ingested = ingest(raw, config)
    assert ingested[TIME].tolist()[0] == "2010"
    assert ingested.attrs["column_map"]["export_share"] == "出口占比（%）"


def test_missing_columns_are_all_listed_with_the_file_columns_and_the_fix():
    raw = good_raw().drop(columns=["集群编码", "补贴"])
    with pytest.raises(DataValidationError) as caught:
        ingest(raw)
    message = str(caught.value)
    assert SOURCE in message
    assert "'集群编码' (named by data.entity)" in message
    assert "'补贴' (named by variables.subsidy.column)" in message
    assert "'年份'" in message and "'备注'" in message  # the columns the file does have
    assert "config/config.yaml" in message
    assert caught.value.column == "集群编码, 补贴"


def test_missing_column_suggests_a_close_name():
    raw = good_raw().rename(columns={"集群编码": "集群编号"})
    with pytest.raises(DataValidationError, match="Did you mean '集群编号'"):
        ingest(raw)


def test_configured_column_repeated_in_the_header_is_an_error(tmp_path):
    path = tmp_path / "panel.csv"
    header = "集群编码,年份,省份,单位,补贴,出口占比,示范,信任,补贴\n"
    path.write_text(header + "A1,2010,浙江,万元,1,2,0,5,3\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="more than once") as caught:
        ingest(io.read_table(path))
    assert caught.value.column == "补贴"


def test_variable_named_like_a_canonical_column_is_a_config_error():
    config = make_config(
        variables={**BASE_CONFIG["variables"], "year": {"column": "信任", "kind": "real"}}
    )
    with pytest.raises(ConfigError, match="year"):
        ingest(config=config)


def test_file_columns_maps_canonical_names_to_the_users_names():
    columns = file_columns(make_config())
    assert columns[ENTITY] == "集群编码" and columns["subsidy"] == "补贴"


# --------------------------------------------------------------------------- validate: passes


def test_valid_panel_report():
    report = validate_panel(ingest(), make_config(), source=SOURCE)
    assert isinstance(report, ValidationReport)
    assert report.n_rows == 6
    assert report.n_exact_duplicates == 1  # file row 4 copies row 3
    assert report.n_entities == 3
    assert (report.first_year, report.last_year, report.n_years) == (2010, 2011, 2)
    assert report.missing_cells == {"subsidy": 2, "export_share": 1, "demo": 0, "trust": 0}
    assert report.ignored_columns == ("备注",)
    assert any("file rows 4" in note for note in report.notes)
    content = report.to_dict()
    assert content["status"] == "passed" and content["n_rows"] == 6
    assert content["checks"][0] == "years_are_integers"


def test_report_is_json_serialisable(tmp_path):
    report = validate_panel(ingest(), make_config(), source=SOURCE)
    path = io.write_json(report.to_dict(), tmp_path / "validation.json")
    assert io.read_json(path)["missing_cells"]["subsidy"] == 2


def test_validation_works_on_the_parquet_round_trip(tmp_path):
    path = io.write_parquet(ingest(), tmp_path / "ingested.parquet")
    report = validate_panel(io.read_parquet(path), make_config(), source=SOURCE)
    assert report.ignored_columns == ("备注",)


# --------------------------------------------------------------------------- validate: errors


def test_non_integer_year_names_the_column_rows_and_values():
    error = validation_error(with_cells("年份", {3: "2011年", 5: "2010.5", 6: pd.NA}))
    message = str(error)
    assert error.column == "年份" and error.file == SOURCE
    assert error.rows == [3, 5, 6]
    assert "'2011年' (row 3)" in message and "'2010.5' (row 5)" in message
    assert "(empty) (row 6)" in message
    assert SOURCE in message and "年份" in message


def test_missing_entity_is_an_error():
    error = validation_error(with_cells("集群编码", {5: "  ", 7: pd.NA}))
    assert error.column == "集群编码"
    assert error.rows == [5, 7]


def test_duplicate_keys_list_keys_and_every_row():
    raw = with_cells("补贴", {3: "0.7"})  # row 3 and its former copy, row 4, now differ
    raw = pd.concat([raw, raw.iloc[[1]]], ignore_index=True)  # row 8 copies row 3 exactly
    error = validation_error(raw)
    message = str(error)
    assert error.column == "集群编码, 年份"
    assert error.rows == [3, 4, 8]
    assert "集群编码=A1, 年份=2011: rows 3, 4, 8" in message
    assert SOURCE in message and "集群编码" in message


@pytest.mark.parametrize("identifier", [" A2 ", "A 2", "A\u30002"])
def test_keys_compare_identifiers_without_whitespace_and_years_as_numbers(identifier):
    raw = with_cells("集群编码", {7: identifier})
    raw.loc[5, "年份"] = "2011"  # row 6 says "2011.0"
    error = validation_error(raw)
    assert error.rows == [6, 7]


def test_money_units_ignore_whitespace():
    raw = with_cells("单位", {2: " 万 元", 5: "亿\u3000元"})
    assert validate_panel(ingest(raw), make_config(), source=SOURCE).n_rows == 6


def test_exact_duplicates_count_as_duplicate_keys_when_not_dropped():
    config = make_config(clean={"drop_exact_duplicates": False})
    error = validation_error(config=config)
    assert error.rows == [3, 4]


def test_non_numeric_text_names_every_column_row_and_value():
    raw = with_cells("补贴", {2: "12万", 6: "约3"})
    raw.loc[5, "信任"] = "high"
    error = validation_error(raw)
    message = str(error)
    assert error.column == "补贴, 信任"
    assert error.rows == [2, 6, 7]
    assert "'12万' (row 2)" in message and "'约3' (row 6)" in message
    assert "'high' (row 7)" in message


def test_unknown_and_missing_money_units_are_listed_with_the_known_units():
    error = validation_error(with_cells("单位", {2: "美元", 5: pd.NA, 7: "美元"}))
    message = str(error)
    assert error.column == "单位"
    assert error.rows == [2, 5, 7]
    assert "'美元' (rows 2, 7)" in message
    assert "missing unit in 1 row(s): 5" in message
    assert "亿元" in message and "data.money_units" in message


def test_out_of_range_values_name_column_rows_values_and_bounds():
    raw = with_cells("出口占比", {2: "120"})
    raw.loc[[1, 2, 4], "补贴"] = "-5"
    raw.loc[[0, 5], "示范"] = ["2", "0.5"]
    error = validation_error(raw)
    message = str(error)
    assert error.column == "补贴, 出口占比, 示范"
    assert error.rows == [2, 3, 4, 6, 7]
    assert "'补贴' (allowed 0 to inf): '-5' (rows 3, 4, 6)" in message
    assert "'出口占比' (allowed 0 to 100): '120' (row 2)" in message
    assert "'示范' (must be 0 or 1): '2' (row 2), '0.5' (row 7)" in message


def test_configured_bounds_are_used():
    error = validation_error(with_cells("信任", {6: "11"}))
    assert error.column == "信任" and error.rows == [6]
    assert "allowed 0 to 10" in str(error)


def test_unknown_province_is_listed():
    error = validation_error(with_cells("省份", {2: "香港", 6: "浙 江", 7: "Zhejing"}))
    message = str(error)
    assert error.column == "省份"
    assert error.rows == [2, 7]  # "浙 江" normalises to 浙江省
    assert "'香港' (row 2)" in message and "'Zhejing' (row 7)" in message


def test_provinces_are_not_checked_when_the_region_is_a_column():
    raw = with_cells("省份", {7: "香港"}).assign(地区=["east"] * 6)
    config = make_config(data={"region": "地区"})
    assert validate_panel(ingest(raw, config), config, source=SOURCE).n_rows == 6


def test_missing_values_are_allowed():
    raw = with_cells("信任", {2: pd.NA, 3: "-", 4: "-"})
    report = validate_panel(ingest(raw), make_config(), source=SOURCE)
    assert report.missing_cells["trust"] == 3


def test_the_first_failing_kind_is_reported():
    raw = with_cells("年份", {2: "二〇一〇"})
    raw.loc[3, "补贴"] = "n.a."
    error = validation_error(raw)
    assert error.column == "年份"


def test_gbk_file_end_to_end_error_names_the_file_and_chinese_column(tmp_path):
    frame = pd.DataFrame(
        {
            "集群编码": ["A1", "A1", "A2"],
            "年份": [2010, 2010, 2010],
            "省份": ["浙江", "浙江省", "江苏"],
        }
    ).assign(单位="万元", 补贴=[1.0, 2.0, 3.0], 出口占比=1, 示范=0, 信任=5)
    path = tmp_path / "用户面板.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    config = make_config()
    ingested = ingest_table(io.read_table(path), config, source=str(path))
    with pytest.raises(DataValidationError) as caught:
        validate_panel(ingested, config, source=str(path))
    message = str(caught.value)
    assert "用户面板.csv" in message and "集群编码" in message
    assert caught.value.rows == [2, 3]


# --------------------------------------------------------------------------- layouts and values
# Realistic ways in which a user's own file goes wrong; each must stop with a message naming
# the file, the column, the rows and the fix, or be reported as a note.


def test_column_names_below_a_title_row_are_pointed_out(tmp_path):
    path = tmp_path / "年鉴.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["表3-2 产业集群主要指标（2010-2011）"])
    sheet.append(["集群编码", "年份", "省份", "单位", "补贴", "出口占比", "示范", "信任"])
    sheet.append(["A1", 2010, "浙江", "万元", 0.1, 3, 0, 5])
    workbook.save(path)
    with pytest.raises(DataValidationError) as caught:
        ingest(io.read_table(path))
    message = str(caught.value)
    assert "are in row 2 of the file" in message and "delete the rows above row 2" in message
    assert "Did you mean" not in message


def test_a_wide_table_is_recognised():
    raw = pd.DataFrame({"集群编码": ["A1"], "2010": ["1"], "2011": ["2"], "2012年": ["3"]})
    with pytest.raises(DataValidationError) as caught:
        ingest(raw)
    message = str(caught.value)
    assert "the file looks wide" in message and "one row per cluster and year" in message


def test_missing_columns_name_the_other_sheets_of_the_workbook(tmp_path):
    path = tmp_path / "panel.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"说明": ["数据来源：统计年鉴"]}).to_excel(
            writer, sheet_name="说明", index=False
        )
        good_raw().to_excel(writer, sheet_name="面板数据", index=False)
    with pytest.raises(DataValidationError) as caught:
        ingest(io.read_table(path))
    message = str(caught.value)
    assert "Sheet '说明' of the workbook was read" in message
    assert "'面板数据'" in message and "data.sheet" in message
    assert ingest(io.read_table(path, sheet="面板数据"))[ENTITY].tolist()[0] == "A1"


def test_a_file_with_only_blank_rows_is_an_error(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text("集群编码,年份,省份,单位,补贴,出口占比,示范,信任\n,,,,,,,\n,,,,,,,\n")
    with pytest.raises(DataValidationError) as caught:
        ingest(io.read_table(path))
    error = caught.value
    assert "every configured column is empty" in str(error)
    assert error.rows == [2, 3] and error.file == SOURCE and "data.path" in error.fix


def test_identifiers_that_lost_their_leading_zeros_are_an_error():
    raw = with_cells("集群编码", {2: "000123", 3: "123", 4: "123", 5: "0045", 6: "45.0", 7: "B"})
    error = validation_error(raw)
    message = str(error)
    assert error.column == "集群编码" and error.file == SOURCE
    assert error.rows == [2, 3, 4, 5, 6]
    assert "'000123' (row 2), '123' (rows 3, 4)" in message and "'45.0' (row 6)" in message
    assert "leading zeros" in error.fix and "TEXT(" in error.fix


@pytest.mark.parametrize(("year", "shown"), [("10", "'10' (row 3)"), ("2105", "'2105' (row 3)")])
def test_implausible_years_are_an_error(year, shown):
    error = validation_error(with_cells("年份", {3: year}))
    assert error.column == "年份" and error.rows == [3]
    assert "outside 1800-2100" in str(error) and shown in str(error)
    assert "four digits" in error.fix


def test_a_single_year_is_a_cross_section_and_passes():
    config = make_config()
    raw = good_raw().iloc[[0, 3, 5]]  # file rows 2, 5 and 7, all in 2010
    report = validate_panel(ingest(raw, config), config, source=SOURCE)
    assert (report.n_years, report.n_entities) == (1, 3)
    assert not any("single year" in note for note in report.notes)


def test_a_single_cluster_is_an_error():
    raw = with_cells("集群编码", {5: "A1", 6: "A1", 7: "A1"}).iloc[[0, 1]]
    error = validation_error(raw)
    assert error.column == "集群编码" and "single cluster ('A1')" in str(error)


def test_an_empty_column_the_analysis_needs_is_an_error_and_an_unused_one_a_note():
    error = validation_error(good_raw().assign(补贴=pd.NA))
    assert error.column == "补贴" and "empty in every row" in str(error)
    assert "indicator of GOV" in str(error) and "constructs" in error.fix
    report = validate_panel(ingest(good_raw().assign(信任=pd.NA)), make_config(), source=SOURCE)
    assert any("'信任' (trust) is empty in every row" in note for note in report.notes)


def transform_config(**clean):
    raw = copy.deepcopy(BASE_CONFIG)
    raw["variables"]["founded"] = {"column": "成立年份", "kind": "real"}
    raw["variables"]["cpi"] = {"column": "价格指数", "kind": "amount"}
    raw["controls"] = {
        "ln_trust": {"variable": "trust", "transform": "log"},
        "age": {"variable": "founded", "transform": "age"},
    }
    raw["clean"] = clean
    return build_config(raw)


def transform_raw() -> pd.DataFrame:
    return good_raw().assign(成立年份="2000", 价格指数="100")


def test_values_that_cannot_be_logged_stop_validation():
    config = transform_config()
    error = validation_error(transform_raw(), config)  # 信任 is 0 in row 6
    assert error.column == "信任" and error.rows == [6]
    assert "'信任' (control ln_trust: log needs > 0): '0' (row 6)" in str(error)
    assert "transform: log1p" in error.fix


def test_a_founding_year_after_the_year_stops_validation():
    raw = transform_raw().assign(信任="5")
    raw.loc[3, "成立年份"] = "2012"  # file row 5 is in 2010
    error = validation_error(raw, transform_config())
    assert error.column == "成立年份" and error.rows == [5]
    assert "control age" in str(error) and "founding year" in error.fix


def test_a_zero_price_index_stops_validation():
    raw = transform_raw().assign(信任="5")
    raw.loc[3, "价格指数"] = "0"
    config = transform_config(deflate={"enabled": True, "price_index": "cpi"})
    error = validation_error(raw, config)
    assert error.column == "价格指数" and error.rows == [5]
    assert "price index of clean.deflate" in str(error)
    assert "clean.deflate.enabled: false" in error.fix


def test_decimal_commas_are_explained():
    error = validation_error(with_cells("信任", {2: "7,5", 5: "8,25"}))
    assert error.column == "信任" and error.rows == [2, 5]
    assert "decimal comma" in error.fix and "4.74" in error.fix


def test_suspicious_data_are_noted_and_logged(caplog):
    raw = good_raw()
    raw["出口占比"] = ["0.12", "0.3", "0.3", "0.5", pd.NA, "1"]  # fractions, not percent
    for column in ["补贴", "出口占比", "示范", "信任"]:
        raw.loc[raw["年份"].eq("2011") | raw["年份"].eq("2011.0"), column] = pd.NA
    with caplog.at_level("WARNING", logger="govcluster.validate"):
        report = validate_panel(ingest(raw), make_config(), source=SOURCE)
    notes = " ".join(report.notes)
    assert "'出口占比' (export_share) is a share in percent" in notes and "by 100" in notes
    assert "Every variable is missing in every row of 2011" in notes
    assert "1 cluster(s) appear in a single year (A3)" in notes
    assert "is a share in percent" in caplog.text and "single year" in caplog.text


def test_unknown_indicator_in_the_configuration_says_how_to_fix_it():
    raw = copy.deepcopy(BASE_CONFIG)
    raw["constructs"]["GOV"]["indicators"]["loans"] = 1
    with pytest.raises(ConfigError) as caught:
        build_config(raw)
    message = str(caught.value)
    assert "constructs.GOV.indicators names 'loans'" in message
    assert "fix: define each name that is not a key of `variables` there" in message


def test_a_constant_indicator_stops_validation_and_a_constant_passthrough_is_noted():
    raw = copy.deepcopy(BASE_CONFIG)
    raw["constructs"]["SCA"] = {"indicators": {"trust": 1, "export_share": 1}}
    raw["passthrough"] = ["demo"]
    config = build_config(raw)
    error = validation_error(good_raw().assign(信任="7"), config)
    assert error.column == "信任" and error.file == SOURCE
    assert "'信任' (trust) of construct SCA: 7 in every row" in str(error)
    assert "'trust' from constructs.SCA.indicators" in error.fix
    report = validate_panel(ingest(good_raw().assign(示范="0"), config), config, source=SOURCE)
    assert any(
        "'示范' (demo) has the same value (0) in every row; as passthrough" in note
        for note in report.notes
    )
