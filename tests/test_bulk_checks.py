"""The column-at-a-time checks equal simple cell-by-cell readings of the same rules.

``parse_numeric``, ``non_value_cells``, ``panel_balance``, the period labels, the text maps
and the duplicate masks read whole columns at once (Arrow kernels, one call per distinct
text, codes instead of strings). Each is compared here with a cell-by-cell implementation
of the same rule, kept in this file as the oracle, on awkward inputs: Chinese text,
full-width digits and separators, thousands separators, percent signs, placeholders and
spreadsheet errors, whitespace of every kind, mixed objects, huge, tiny and negative-zero
numbers, overflow and infinity spellings, and random number text.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd
import pytest

from govcluster.columns import ENTITY, SOURCE_ROW, TIME
from govcluster.config import build_config
from govcluster.datachecks import (
    NON_VALUE_COLUMNS,
    SPREADSHEET_ERRORS,
    compact_text,
    duplicated_key_mask,
    non_value_cells,
)
from govcluster.ingest import as_text
from govcluster.parsing import (
    MISSING_TOKENS,
    map_text,
    parse_numeric,
    parse_period_labels,
    period_label_kind,
)
from govcluster.quality import PANEL_BALANCE_COLUMNS, panel_balance
from govcluster.regions import normalise_province, strip_whitespace
from govcluster.validate import exact_duplicate_mask

# --------------------------------------------------------------------------- oracles

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def reference_parse_one(text: str) -> float | None:
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if cleaned.lower() in MISSING_TOKENS:
        return np.nan
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    if _NUMBER.match(cleaned):
        return float(cleaned)
    return None


def reference_parse_numeric(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Every cell on its own, as the rules of ``govcluster.parsing`` state them."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64").to_numpy(), np.zeros(len(values), dtype=bool)
    parsed = np.full(len(values), np.nan)
    unreadable = np.zeros(len(values), dtype=bool)
    for position, value in enumerate(values.to_numpy(dtype=object)):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            continue
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            parsed[position] = float(value)
            continue
        result = reference_parse_one(str(value))
        if result is None:
            unreadable[position] = True
        else:
            parsed[position] = result
    return parsed, unreadable


def reference_meaning(value: object) -> str | None:
    cleaned = strip_whitespace(str(value)).lower()
    if cleaned in SPREADSHEET_ERRORS:
        return "spreadsheet error"
    if cleaned in MISSING_TOKENS and cleaned != "":
        return "placeholder for a missing value"
    return None


def reference_non_value_cells(ingested: pd.DataFrame, config) -> pd.DataFrame:
    rows = []
    for name, spec in config.variables.items():
        text = ingested[name]
        if pd.api.types.is_numeric_dtype(text):
            continue
        for position in np.flatnonzero(text.notna().to_numpy()):
            meaning = reference_meaning(text.iloc[position])
            if meaning is None:
                continue
            rows.append(
                {
                    "variable": name,
                    "column": spec.column,
                    SOURCE_ROW: int(ingested[SOURCE_ROW].iloc[position]),
                    ENTITY: ingested[ENTITY].iloc[position],
                    TIME: ingested[TIME].iloc[position],
                    "text": str(text.iloc[position]),
                    "meaning": meaning,
                }
            )
    return pd.DataFrame(rows, columns=list(NON_VALUE_COLUMNS))


def reference_panel_balance(entities: pd.Series, years: pd.Series) -> pd.DataFrame:
    valid = (entities.notna() & years.notna()).to_numpy()
    if not valid.any():
        return pd.DataFrame(columns=list(PANEL_BALANCE_COLUMNS))
    pairs = pd.DataFrame(
        {"entity": entities.loc[valid].to_numpy(), "year": years.loc[valid].astype("int64")}
    ).drop_duplicates()
    expected = int(pairs["year"].max() - pairs["year"].min() + 1)
    rows = []
    for entity, group in pairs.groupby("entity", sort=True):
        observed = sorted(int(year) for year in group["year"])
        first, last = observed[0], observed[-1]
        gaps = sorted(set(range(first, last + 1)) - set(observed))
        rows.append(
            {
                ENTITY: str(entity),
                "first_year": first,
                "last_year": last,
                "n_years_observed": len(observed),
                "n_years_in_span": last - first + 1,
                "n_years_expected": expected,
                "n_gaps": len(gaps),
                "gaps": ", ".join(str(year) for year in gaps),
                "balanced": len(observed) == expected,
            }
        )
    return pd.DataFrame(rows, columns=list(PANEL_BALANCE_COLUMNS))


_QUARTER = re.compile(r"^(\d{4})\s*[-_/ ]?\s*[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.]|[Mm]|年)\s*(0?[1-9]|1[0-2])月?$")


def reference_period_labels(values: pd.Series) -> list[float] | None:
    cells = []
    for value in values.astype("string").to_numpy(dtype=object):
        text = None if value is pd.NA else value.strip()
        cells.append(None if text is None or text.lower() in MISSING_TOKENS else text)
    present = [text for text in cells if text is not None]
    if not present:
        return None
    for pattern, per_year in ((_QUARTER, 4), (_MONTH, 12)):
        if all(pattern.search(text) for text in present):
            numbers = []
            for text in cells:
                if text is None:
                    numbers.append(np.nan)
                    continue
                year, part = pattern.search(text).groups()
                numbers.append(float(int(year) * per_year + int(part) - 1))
            return numbers
    return None


# --------------------------------------------------------------------------- inputs

AWKWARD_TEXT = [
    "12",
    "-0.5",
    "+3",
    "1.",
    ".25",
    "1e-3",
    "2.5E+10",
    "-0",
    "0.0",
    "00012",
    "1e308",
    "1e309",
    "-1e400",
    "4.9e-324",
    "1e-400",
    "123456789012345678901234567890",
    "0." + "1" * 40,
    "9007199254740993",
    "12,345.6",
    "1,234",
    "1,23",
    "12,3456",
    "4,74",
    "１２，３４５",
    "１２．５",
    "－７",
    "３５％",
    "35%",
    "35 %",
    " 7 ",
    "\t8\n",
    "7\u3000",
    "\u00a09",
    "1 000",
    "",
    " ",
    "-",
    "--",
    "—",
    "——",
    "…",
    "...",
    ".",
    "NA",
    "n/a",
    "N/A",
    "nan",
    "NaN",
    "null",
    "None",
    "无",
    "缺失",
    " na ",
    "#DIV/0!",
    "#N/A",
    "#value!",
    " #REF! ",
    "inf",
    "-inf",
    "Infinity",
    "∞",
    "nan(1)",
    "约12",
    "12万",
    "十二",
    "٣",
    "١٢",
    "1_000",
    "0x10",
    "1e",
    "e5",
    "1..2",
    "+-1",
    "浙江",
    "ÍòÔª",
    "True",
    "\ufeff5",
    "5\u200b",
]


def random_number_text(seed: int, size: int) -> list[str]:
    """Number text in many spellings: repr, %g, fixed, exponent, padded, separated."""
    rng = np.random.default_rng(seed)
    magnitudes = 10.0 ** rng.integers(-320, 300, size)
    values = rng.standard_normal(size) * magnitudes
    formats = [repr, "{:.3g}".format, "{:.17g}".format, "{:e}".format, "{:,.2f}".format]
    texts = [formats[i % len(formats)](float(v)) for i, v in enumerate(values)]
    return texts + ["".join(rng.choice(list("0123456789.eE+-,% "), 5)) for _ in range(size)]


def as_columns(texts: list[object]) -> list[pd.Series]:
    """The same cells as pandas "string", Python-backed string and object columns."""
    with_missing = [*texts, None, np.nan, pd.NA]
    strings = [t for t in with_missing if isinstance(t, str) or t is None]
    return [
        pd.Series(strings, dtype="string"),
        pd.Series(strings, dtype=pd.StringDtype("python")),
        pd.Series(with_missing, dtype=object),
        pd.Series(strings, dtype="str"),
    ]


# --------------------------------------------------------------------------- parse_numeric


@pytest.mark.parametrize(
    "texts",
    [AWKWARD_TEXT, random_number_text(1, 3000), ["1", "2", "3"], ["x"], []],
    ids=["awkward", "random", "plain", "one-bad", "empty"],
)
def test_parse_numeric_equals_the_cell_by_cell_reading(texts):
    for column in as_columns(texts):
        parsed, unreadable = parse_numeric(column)
        expected, expected_unreadable = reference_parse_numeric(column)
        np.testing.assert_array_equal(unreadable.to_numpy(), expected_unreadable)
        # equal bit for bit: NaN where NaN, and -0.0 stays -0.0
        np.testing.assert_array_equal(
            parsed.to_numpy().view(np.int64)[~np.isnan(expected)],
            expected.view(np.int64)[~np.isnan(expected)],
        )
        assert np.array_equal(np.isnan(parsed.to_numpy()), np.isnan(expected))
        assert parsed.index.equals(column.index) and parsed.name == column.name


def test_parse_numeric_reads_mixed_objects_cell_by_cell():
    column = pd.Series(
        ["1,5", 2, 3.5, np.float32(4), True, None, np.nan, pd.NaT, "x", b"7", "８"],
        dtype=object,
        name="mixed",
        index=range(10, 21),
    )
    parsed, unreadable = parse_numeric(column)
    expected, expected_unreadable = reference_parse_numeric(column)
    np.testing.assert_array_equal(parsed.to_numpy(), expected)
    np.testing.assert_array_equal(unreadable.to_numpy(), expected_unreadable)
    assert list(unreadable.index) == list(range(10, 21)) and parsed.name == "mixed"


def test_parse_numeric_of_a_column_with_an_unreadable_cell_reads_the_rest():
    """A single bad cell sends the column to the pattern path; the numbers are the same."""
    texts = [*random_number_text(2, 500), "12万"]
    column = pd.Series(texts, dtype="string")
    parsed, unreadable = parse_numeric(column)
    expected, expected_unreadable = reference_parse_numeric(column)
    np.testing.assert_array_equal(parsed.to_numpy(), expected)
    np.testing.assert_array_equal(unreadable.to_numpy(), expected_unreadable)
    assert unreadable.iloc[-1]


# --------------------------------------------------------------------------- non_value_cells


@functools.cache
def _config(n_variables: int):
    variables = {f"v{i}": {"kind": "real", "column": f"列{i}"} for i in range(n_variables)}
    return build_config(
        {
            "simulate": {"enabled": False},
            "data": {"path": "data/raw/x.csv", "entity": "firm", "time": "year"},
            "variables": variables,
            "constructs": {},
            "controls": {},
            "roles": {"treatment": "v0", "mediators": [], "outcome": "v1", "instruments": []},
            "models": {"baseline": {}},
            "clean": {
                "scale_typos": {"enabled": False},
                "interpolate": {"max_gap": 0},
                "winsorize": {"enabled": False},
                "deflate": {"enabled": False},
            },
            "mediation": {"enabled": False},
            "did": {"enabled": False},
            "case_study": {"enabled": False},
            "inference": {"index_weights": {"enabled": False}},
            "indices": {"standardize": False},
        }
    )


def test_non_value_cells_equals_the_cell_by_cell_listing():
    rng = np.random.default_rng(3)
    size = 400
    cells = rng.choice(np.array([*AWKWARD_TEXT, "1.5", "2"], dtype=object), size=(size, 3))
    ingested = pd.DataFrame(
        {
            SOURCE_ROW: np.arange(size, dtype="int64") + 2,
            ENTITY: pd.Series(
                [f"企业{i % 37}" if i % 11 else None for i in range(size)], dtype="string"
            ),
            TIME: pd.Series([str(2000 + i % 9) for i in range(size)], dtype="string"),
            "v0": pd.Series(cells[:, 0], dtype="string"),
            "v1": pd.Series(cells[:, 1], dtype=object),
            "v2": pd.Series(rng.standard_normal(size)),
        }
    )
    ingested.loc[5, "v0"] = pd.NA
    ingested.loc[7, "v1"] = 3.5  # an object column mixing text and numbers
    config = _config(3)
    found = non_value_cells(ingested, config)
    expected = reference_non_value_cells(ingested, config)
    assert len(expected) > 20
    pd.testing.assert_frame_equal(found, expected)


def test_non_value_cells_without_any_placeholder_is_an_empty_table():
    ingested = pd.DataFrame(
        {
            SOURCE_ROW: [2, 3],
            ENTITY: pd.Series(["a", "b"], dtype="string"),
            TIME: pd.Series(["1", "2"], dtype="string"),
            "v0": pd.Series(["1", "2"], dtype="string"),
            "v1": pd.Series(["x", None], dtype="string"),
        }
    )
    config = _config(2)
    pd.testing.assert_frame_equal(
        non_value_cells(ingested, config), reference_non_value_cells(ingested, config)
    )


# --------------------------------------------------------------------------- panel balance


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_panel_balance_equals_the_loop_over_entities(seed):
    rng = np.random.default_rng(seed)
    size = 3000
    names = np.array(
        ["C10", "C2", "浙江01", "a b", "Zz", "企业", "0001", "1"] + [f"F{i}" for i in range(300)],
        dtype=object,
    )
    entities = pd.Series(rng.choice(names, size), dtype="string")
    entities[rng.random(size) < 0.02] = pd.NA
    years = pd.Series(rng.integers(1990, 2021, size), dtype="Int64")
    years[rng.random(size) < 0.02] = pd.NA
    found = panel_balance(entities, years)
    expected = reference_panel_balance(entities, years)
    assert (expected["n_gaps"] > 0).any() and expected["balanced"].any() is not None
    pd.testing.assert_frame_equal(found, expected)


def test_panel_balance_of_a_balanced_panel_and_of_no_valid_row():
    entities = pd.Series(["b", "a", "b", "a"], dtype="string")
    years = pd.Series([2001, 2001, 2002, 2002], dtype="Int64")
    pd.testing.assert_frame_equal(
        panel_balance(entities, years), reference_panel_balance(entities, years)
    )
    none = pd.Series([pd.NA, pd.NA], dtype="Int64")
    pd.testing.assert_frame_equal(
        panel_balance(entities[:2], none), reference_panel_balance(entities[:2], none)
    )


# --------------------------------------------------------------------------- period labels


@pytest.mark.parametrize(
    "cells",
    [
        ["2010Q1", "2010-Q2", " 2010q3 ", "2010 Q4", None, "-", "２０１１Ｑ１"],
        ["2010-03", "2010/3", "2010M03", "2010年3月", "2010.12", "", "NA"],
        ["2010", "2011", None],
        ["2010Q1", "2010-03"],
        ["2010Q5"],
        [None, "—"],
        [],
    ],
)
def test_period_labels_equal_the_cell_by_cell_reading(cells):
    column = pd.Series(cells * 3, dtype="string")
    expected = reference_period_labels(column)
    found = parse_period_labels(column)
    if expected is None:
        assert found is None
        assert period_label_kind(column) is None
    else:
        np.testing.assert_array_equal(found.to_numpy(), np.array(expected))
        assert found.index.equals(column.index)
        assert period_label_kind(column) in ("quarter", "month")


# --------------------------------------------------------------------------- text maps and keys


def test_map_text_calls_the_function_on_each_distinct_value_and_keeps_missing_cells():
    cells = [" 浙江 ", "浙江省", "Zhejiang", None, "  ", "上海", " 浙江 ", "nowhere", pd.NA]
    column = pd.Series(cells, dtype=object, name="province", index=range(5, 14))
    found = map_text(column, normalise_province)
    text = column.astype("string")
    lookup = {value: normalise_province(value) for value in text.dropna().unique()}
    expected = text.map(lookup).astype("string")
    pd.testing.assert_series_equal(found, expected)
    calls = []
    map_text(column, lambda value: calls.append(value) or value)
    assert sorted(calls) == sorted(set(text.dropna()))


def test_compact_text_removes_every_kind_of_whitespace():
    cells = ["A 1", "A1", " A\u30001 ", "\u00a0", "", None, "企业 甲", "x\ty"]
    found = compact_text(pd.Series(cells, dtype="string"))
    expected = [None if c is None else strip_whitespace(c) for c in cells]
    expected = [pd.NA if c in (None, "") else c for c in expected]
    assert found.dtype == "string"
    assert [pd.NA if v is pd.NA else v for v in found.tolist()] == expected


def test_duplicate_masks_equal_the_comparison_of_values():
    rng = np.random.default_rng(5)
    size = 500
    frame = pd.DataFrame(
        {
            SOURCE_ROW: np.arange(size) + 2,
            ENTITY: pd.Series(rng.choice(["a", "b", "c", None], size), dtype="string"),
            TIME: pd.Series(rng.choice(["2001", "2002", None], size), dtype="string"),
            "v0": pd.Series(rng.choice(["1", "2", None], size), dtype="string"),
            "v1": pd.Series(rng.choice(["x", "y"], size), dtype="string"),
        }
    )
    expected = frame.drop(columns=[SOURCE_ROW]).duplicated(keep="first")
    pd.testing.assert_series_equal(exact_duplicate_mask(frame), expected)
    keys = pd.DataFrame({"e": frame[ENTITY].to_numpy(), "y": frame[TIME].to_numpy()})
    np.testing.assert_array_equal(
        duplicated_key_mask(frame[ENTITY], frame[TIME]).to_numpy(),
        keys.duplicated(keep=False).to_numpy(),
    )


# --------------------------------------------------------------------------- ingest


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "uint16"])
def test_number_columns_are_written_as_pandas_writes_each_cell(dtype):
    rng = np.random.default_rng(7)
    if dtype.startswith("float"):
        values = np.concatenate(
            [
                rng.standard_normal(2000) * 10.0 ** rng.integers(-300, 300, 2000),
                np.round(rng.standard_normal(500), 2),
                [0.0, -0.0, np.nan, np.inf, -np.inf, 2010.0, 0.1, 1e16, 5e-324],
            ]
        )
        with np.errstate(over="ignore"):
            values = values.astype(dtype)
    else:
        info = np.iinfo(dtype)
        values = rng.integers(info.min, info.max, 2000, dtype=dtype, endpoint=True)
    column = pd.Series(values, name="x", index=range(3, 3 + len(values)))
    expected = column.astype("string")
    expected = expected.mask(expected.eq("").fillna(False).astype(bool))
    pd.testing.assert_series_equal(as_text(column), expected)


def test_identifier_numbers_equal_the_pattern_read_one_by_one():
    from govcluster.validate import _NUMERIC_IDENTIFIER, _identifier_numbers

    keys = [
        *["000123", "123", "123.0", "123.", "+0012", "-5", "0", "000", "00.0", "-0", "007.000"],
        *["12a", "1.5", "１２３", "٣", "12.00", "0x1", ".5", "", "1e3", "+", "F410032", "企业7"],
        *["123\n", " 123", "1 2", "12.0 ", "00١"],
    ]
    expected = [
        match.group(1) if (match := _NUMERIC_IDENTIFIER.fullmatch(key)) else None for key in keys
    ]
    assert _identifier_numbers(keys) == expected
