"""govcluster.io: reading every supported format, its errors, and atomic writes."""

import json
import logging

import numpy as np
import openpyxl
import pandas as pd
import pytest

from govcluster import io
from govcluster.errors import DataReadError

CHINESE_CSV = '集群编码,年份,省份,补贴\nA1,2010,浙江,"1,234.5"\nA2,2011,江苏省,0.10\n'


def _write_bytes(path, content: bytes):
    path.write_bytes(content)
    return path


# --------------------------------------------------------------------------- CSV


def test_utf8_csv_is_read_as_text_without_altering_values(tmp_path):
    path = _write_bytes(tmp_path / "panel.csv", CHINESE_CSV.encode("utf-8"))
    table = io.read_table(path)
    assert list(table.columns) == ["集群编码", "年份", "省份", "补贴"]
    assert all(dtype == "string" for dtype in table.dtypes)
    assert table["补贴"].tolist() == ["1,234.5", "0.10"]
    assert table["省份"].tolist() == ["浙江", "江苏省"]
    assert table.attrs["encoding"] == "utf-8"
    assert table.attrs["format"] == "csv"


def test_utf8_csv_with_bom_has_clean_first_column_name(tmp_path):
    path = _write_bytes(tmp_path / "panel.csv", b"\xef\xbb\xbf" + CHINESE_CSV.encode("utf-8"))
    table = io.read_table(path)
    assert table.columns[0] == "集群编码"
    assert table.attrs["encoding"] == "utf-8-sig"
    assert table["集群编码"].tolist() == ["A1", "A2"]


def test_gbk_csv_reads_chinese_names_and_values(tmp_path):
    path = _write_bytes(tmp_path / "panel.csv", CHINESE_CSV.encode("gbk"))
    table = io.read_table(path)
    assert list(table.columns) == ["集群编码", "年份", "省份", "补贴"]
    assert table["省份"].tolist() == ["浙江", "江苏省"]
    assert table.attrs["encoding"] == "gb18030"


def test_explicit_encoding_is_used(tmp_path):
    path = _write_bytes(tmp_path / "panel.csv", CHINESE_CSV.encode("gbk"))
    table = io.read_table(path, encoding="gbk")
    assert table["省份"].tolist() == ["浙江", "江苏省"]
    assert table.attrs["encoding"] == "gbk"


def test_wrong_explicit_encoding_names_file_line_and_setting(tmp_path):
    path = _write_bytes(tmp_path / "panel.csv", CHINESE_CSV.encode("gbk"))
    with pytest.raises(DataReadError) as caught:
        io.read_table(path, encoding="utf-8")
    message = str(caught.value)
    assert "panel.csv" in message
    assert "line 1" in message
    assert "data.encoding" in message


def test_unknown_codec_is_a_clear_error(tmp_path):
    path = _write_bytes(tmp_path / "panel.csv", b"a,b\n1,2\n")
    with pytest.raises(DataReadError, match="not a known text encoding"):
        io.read_table(path, encoding="no-such-codec")


def test_empty_cells_are_missing_and_blank_lines_keep_row_positions(tmp_path):
    path = _write_bytes(tmp_path / "panel.csv", b"id,v\nA,1\n\nB,\nC,  \n")
    table = io.read_table(path)
    assert len(table) == 4  # row i of the frame is file row i + 2
    assert table["id"].tolist()[0] == "A"
    assert table.iloc[1].isna().all()
    assert table["id"].iloc[2] == "B"
    assert pd.isna(table["v"].iloc[2])
    assert table["v"].iloc[3] == "  "  # whitespace is kept as written


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_delimiter_is_detected(tmp_path, delimiter):
    text = delimiter.join(["id", "年份"]) + "\n" + delimiter.join(["A", "2010"]) + "\n"
    path = _write_bytes(tmp_path / "panel.csv", text.encode("utf-8"))
    table = io.read_table(path)
    assert list(table.columns) == ["id", "年份"]
    assert table["年份"].tolist() == ["2010"]


def test_repeated_header_names_are_recorded(tmp_path):
    path = _write_bytes(tmp_path / "panel.csv", b"id,v,v\nA,1,2\n")
    table = io.read_table(path)
    assert list(table.columns) == ["id", "v", "v.1"]
    assert table.attrs["duplicate_columns"] == ["v"]


def test_reading_never_modifies_the_raw_file(tmp_path):
    content = CHINESE_CSV.encode("gbk")
    path = _write_bytes(tmp_path / "panel.csv", content)
    before = path.stat().st_mtime_ns
    io.read_table(path)
    assert path.read_bytes() == content
    assert path.stat().st_mtime_ns == before


# --------------------------------------------------------------------------- other formats


def test_xlsx_is_read_with_its_values_and_sheet_by_name(tmp_path):
    path = tmp_path / "panel.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["这是说明页"])
    sheet = workbook.create_sheet("数据")
    sheet.append(["集群编码", "年份", "补贴"])
    sheet.append(["A1", 2010, 0.1])
    sheet.append(["A2", 2011, "1,234"])
    workbook.save(path)
    table = io.read_table(path, sheet="数据")
    assert list(table.columns) == ["集群编码", "年份", "补贴"]
    assert table["集群编码"].tolist() == ["A1", "A2"]
    assert table["年份"].tolist() == [2010, 2011]
    assert table["补贴"].tolist() == [0.1, "1,234"]
    assert table.attrs["format"] == "xlsx"
    assert io.read_table(path, sheet=1)["年份"].tolist() == [2010, 2011]


def test_missing_excel_sheet_lists_the_sheets(tmp_path):
    path = tmp_path / "panel.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(path, index=False, sheet_name="数据")
    with pytest.raises(DataReadError) as caught:
        io.read_table(path, sheet="Sheet9")
    message = str(caught.value)
    assert "panel.xlsx" in message and "'Sheet9'" in message and "'数据'" in message
    assert "data.sheet" in message
    with pytest.raises(DataReadError, match="no sheet number 4"):
        io.read_table(path, sheet=4)


def test_damaged_workbook_is_a_read_error(tmp_path):
    path = _write_bytes(tmp_path / "panel.xlsx", b"not a workbook")
    with pytest.raises(DataReadError, match="cannot be opened as an Excel workbook"):
        io.read_table(path)


def test_stata_file_is_read(tmp_path):
    path = tmp_path / "panel.dta"
    frame = pd.DataFrame({"cid": ["A1", "A2"], "year": [2010, 2011], "subsidy": [0.1, np.nan]})
    frame.to_stata(path, write_index=False, version=118)
    table = io.read_table(path)
    assert table["cid"].tolist() == ["A1", "A2"]
    assert table["year"].tolist() == [2010, 2011]
    assert table["subsidy"].iloc[0] == 0.1 and pd.isna(table["subsidy"].iloc[1])
    assert table.attrs["format"] == "dta"


def test_parquet_file_is_read(tmp_path):
    path = tmp_path / "panel.parquet"
    pd.DataFrame({"集群": ["A1", "A2"], "year": [2010, 2011]}).to_parquet(path)
    table = io.read_table(path)
    assert table["集群"].tolist() == ["A1", "A2"]
    assert table.attrs["format"] == "parquet"


def test_parquet_named_index_is_kept_as_columns(tmp_path):
    path = tmp_path / "panel.parquet"
    frame = pd.DataFrame({"cid": ["A1", "A2"], "year": [2010, 2011], "v": [1.0, 2.0]})
    frame.set_index(["cid", "year"]).to_parquet(path)
    assert list(io.read_table(path).columns) == ["cid", "year", "v"]


def test_format_can_be_given_explicitly(tmp_path):
    path = _write_bytes(tmp_path / "panel.data", b"id,v\nA,1\n")
    assert io.read_table(path, format="csv")["v"].tolist() == ["1"]


# --------------------------------------------------------------------------- read errors


def test_missing_file_names_the_path_and_the_setting(tmp_path):
    path = tmp_path / "nowhere" / "panel.csv"
    with pytest.raises(DataReadError) as caught:
        io.read_table(path)
    message = str(caught.value)
    assert str(path) in message
    assert "data.path" in message and "config/config.yaml" in message


def test_unknown_extension_lists_supported_formats(tmp_path):
    path = _write_bytes(tmp_path / "panel.sav", b"whatever")
    with pytest.raises(DataReadError) as caught:
        io.read_table(path)
    message = str(caught.value)
    assert "panel.sav" in message and "'.sav'" in message
    for extension in (".csv", ".xlsx", ".dta", ".parquet"):
        assert extension in message


def test_old_excel_format_says_how_to_convert(tmp_path):
    path = _write_bytes(tmp_path / "panel.xls", b"whatever")
    with pytest.raises(DataReadError, match="save it as .xlsx"):
        io.read_table(path)


def test_undecodable_bytes_say_what_was_tried(tmp_path):
    path = _write_bytes(tmp_path / "panel.csv", bytes(range(256)) * 4)
    with pytest.raises(DataReadError) as caught:
        io.read_table(path)
    message = str(caught.value)
    assert "panel.csv" in message
    assert "UTF-8" in message and "GB18030" in message and "charset-normalizer" in message
    assert "data.encoding" in message


def test_workbook_named_csv_is_recognised(tmp_path):
    workbook = tmp_path / "panel.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(workbook, index=False)
    path = _write_bytes(tmp_path / "panel.csv", workbook.read_bytes())
    with pytest.raises(DataReadError, match="Excel workbook"):
        io.read_table(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "is empty"), (b"\xef\xbb\xbf\r\n", "is empty"), (b"id,v\n", "no data rows")],
)
def test_empty_file_is_a_read_error(tmp_path, content, expected):
    path = _write_bytes(tmp_path / "panel.csv", content)
    with pytest.raises(DataReadError, match=expected) as caught:
        io.read_table(path)
    assert "panel.csv" in str(caught.value)


def test_ragged_rows_are_a_read_error(tmp_path):
    path = _write_bytes(tmp_path / "panel.csv", b"id,v\nA,1\nB,1,2\n")
    with pytest.raises(DataReadError, match="line 3") as caught:
        io.read_table(path)
    assert "panel.csv" in str(caught.value)


def test_a_title_line_above_the_column_names_is_pointed_out(tmp_path):
    content = "表3-2 产业集群主要指标\n集群编码;年份;补贴\nA1;2010;1\n".encode()
    path = _write_bytes(tmp_path / "panel.csv", content)
    with pytest.raises(DataReadError) as caught:
        io.read_table(path)
    message = str(caught.value)
    assert "delimiter ';'" in message  # found on the line below the title
    assert "('表3-2 产业集群主要指标') has a single field" in message
    assert "looks like a title" in message and "delete title or note lines" in message


def test_workbook_sheets_are_recorded_and_an_empty_sheet_names_the_others(tmp_path):
    path = tmp_path / "panel.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "封面"
    data = workbook.create_sheet("数据")
    data.append(["集群编码", "年份"])
    data.append(["A1", 2010])
    workbook.save(path)
    table = io.read_table(path, sheet="数据")
    assert table.attrs["sheet"] == "数据" and table.attrs["sheets"] == ["封面", "数据"]
    with pytest.raises(DataReadError) as caught:
        io.read_table(path)
    message = str(caught.value)
    assert "panel.xlsx (sheet '封面') is empty" in message
    assert "also has the sheet(s) '数据'" in message and "data.sheet" in message


def _old_stata_file(path, replacements: dict[bytes, str], encoding: str = "gbk"):
    """A Stata 13 (format 117) file whose text is in ``encoding``, as Stata 13 writes it.

    pandas writes format 117 only in Latin-1, so the file is written with ASCII placeholders
    of the same byte length, which are then replaced by the encoded text.
    """
    content = path.read_bytes()
    for placeholder, text in replacements.items():
        encoded = text.encode(encoding)
        assert len(encoded) == len(placeholder) and content.count(placeholder) >= 1
        content = content.replace(placeholder, encoded)
    path.write_bytes(content)
    return path


def test_old_stata_file_with_gbk_text_is_read_as_chinese(tmp_path):
    path = tmp_path / "panel.dta"
    frame = pd.DataFrame(
        {
            "sfxx": ["ZJxx", "JSxx"],  # 省份 / 浙江, 江苏
            "year": [2010, 2011],
            "unit": pd.Categorical(["WY", "YY"]),  # value labels 万 and 亿
        }
    )
    frame.to_stata(path, write_index=False, version=117)
    _old_stata_file(
        path, {b"sfxx": "省份", b"ZJxx": "浙江", b"JSxx": "江苏", b"WY": "万", b"YY": "亿"}
    )
    assert "省份" not in pd.read_stata(path).columns  # what pandas alone gives: mojibake
    table = io.read_table(path)
    assert list(table.columns) == ["省份", "year", "unit"]
    assert table["省份"].tolist() == ["浙江", "江苏"]
    assert [str(unit) for unit in table["unit"]] == ["万", "亿"]
    assert table.attrs["encoding"] == "gb18030"


def test_old_stata_file_with_latin1_text_is_left_alone(tmp_path):
    path = tmp_path / "panel.dta"
    pd.DataFrame({"city": ["Zürich", "Genève"], "year": [2010, 2011]}).to_stata(
        path, write_index=False, version=117
    )
    table = io.read_table(path)
    assert table["city"].tolist() == ["Zürich", "Genève"]
    assert table.attrs["encoding"] is None


def test_old_stata_text_follows_an_explicit_encoding(tmp_path):
    path = tmp_path / "panel.dta"
    pd.DataFrame({"name": ["TWxx"], "year": [2010]}).to_stata(path, write_index=False, version=117)
    _old_stata_file(path, {b"TWxx": "臺灣"}, encoding="big5")
    assert io.read_table(path, encoding="big5")["name"].tolist() == ["臺灣"]
    with pytest.raises(DataReadError, match="cannot be decoded as ascii"):
        io.read_table(path, encoding="ascii")


def test_a_stopped_step_prints_its_message_once(tmp_path, capsys):
    from govcluster.errors import DataValidationError
    from govcluster.runner import run_step

    def step():
        raise DataValidationError("Bad rows.", file="data/raw/x.csv", column="年份", rows=[3])

    log = tmp_path / "step.log"
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with pytest.raises(SystemExit) as caught:
            run_step("validate", log, step)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        logging.captureWarnings(False)
    assert caught.value.code == 1
    terminal = capsys.readouterr().err
    assert terminal.count("Bad rows.") == 1 and "column: 年份" in terminal
    assert "Traceback" not in terminal
    assert log.read_text(encoding="utf-8").count("Bad rows.") == 1


# --------------------------------------------------------------------------- writing


def test_json_handles_numpy_nan_and_chinese(tmp_path):
    path = tmp_path / "deep" / "folder" / "report.json"
    obj = {
        "n": np.int64(3),
        "share": np.float64(0.25),
        "missing": np.nan,
        "values": np.array([1.5, np.inf]),
        "flag": np.bool_(True),
        "名称": "浙江",
        "na": pd.NA,
    }
    io.write_json(obj, path)
    text = path.read_text(encoding="utf-8")
    assert "浙江" in text and "NaN" not in text
    assert json.loads(text) == {
        "n": 3,
        "share": 0.25,
        "missing": None,
        "values": [1.5, None],
        "flag": True,
        "名称": "浙江",
        "na": None,
    }
    assert io.read_json(path)["n"] == 3


def test_parquet_round_trip_keeps_types_and_attrs(tmp_path):
    frame = pd.DataFrame({"source_row": [2, 3], "v": pd.array(["0.1", None], dtype="string")})
    frame.attrs = {"encoding": "gb18030", "ignored_columns": ["备注"]}
    path = io.write_parquet(frame, tmp_path / "out" / "ingested.parquet")
    back = io.read_parquet(path)
    pd.testing.assert_frame_equal(back, frame)
    assert back.attrs == frame.attrs


def test_csv_writes_index_only_when_it_has_labels(tmp_path):
    plain = pd.DataFrame({"a": [1, 2]}, index=[5, 7])
    io.write_csv(plain, tmp_path / "plain.csv")
    assert (tmp_path / "plain.csv").read_text(encoding="utf-8") == "a\n1\n2\n"
    labelled = pd.DataFrame({"x": [1.0, 0.5]}, index=["x", "y"])
    io.write_csv(labelled, tmp_path / "labelled.csv")
    assert (tmp_path / "labelled.csv").read_text(encoding="utf-8") == ",x\nx,1.0\ny,0.5\n"


def test_text_is_written_as_is(tmp_path):
    path = io.write_text("# 报告\nline\n", tmp_path / "a" / "report.md")
    assert path.read_text(encoding="utf-8") == "# 报告\nline\n"


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "table.parquet"
    io.write_parquet(pd.DataFrame({"a": [1]}), path)
    before = path.read_bytes()
    with pytest.raises(Exception):  # noqa: B017 - pyarrow's error type is not the point
        io.write_parquet(pd.DataFrame({"a": [object()]}), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["table.parquet"]
