"""Parsing numbers as they appear in statistical-yearbook extracts.

Yearbook tables and spreadsheets write numbers with thousands separators ("12,345.6"),
full-width digits and separators ("１２，３４５"), surrounding spaces, a trailing percent sign,
or placeholders for missing values ("-", "—", "…", "NA"). :func:`parse_numeric` turns such a
column into floats and reports which non-empty cells it could not read.

Columns of text are read in bulk: cells that are plain ASCII number literals ("12", "-0.5",
"1e-3"), nearly all of a yearbook or firm file, are matched and converted by Arrow's compute
kernels (the same correctly rounded conversion as Python's ``float``), and the few other
cells are parsed one distinct text at a time by the rules above. Columns mixing text with
other objects are read cell by cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Cell contents read as missing.
MISSING_TOKENS = frozenset(
    {"", "-", "--", "—", "——", "…", "...", "na", "n/a", "nan", "null", "none", ".", "无", "缺失"}
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
#: A plain number literal in ASCII digits (RE2 syntax for Arrow): read by ``float`` as it is.
_PLAIN_ASCII_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def _parse_one(text: str) -> float | None:
    """Parse one cell; None when it is not a number."""
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


def parse_numeric(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column into floats.

    Parameters
    ----------
    values : pandas.Series
        Strings, numbers or a mix of both.

    Returns
    -------
    parsed : pandas.Series of float
        The numbers; NaN where the cell is empty, a missing-value token or unreadable.
    unreadable : pandas.Series of bool
        True where the cell holds text that is not a number (so parsed is NaN because of an
        error, not because the value is missing).
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        parsed = values.astype("float64")
        return parsed, pd.Series(False, index=values.index)
    text = text_cells(values)
    if text is None:
        parsed, unreadable = _parse_cells(values)
    else:
        parsed, unreadable = _parse_text(text)
    return (
        pd.Series(parsed, index=values.index, name=values.name),
        pd.Series(unreadable, index=values.index, name=values.name),
    )


def text_cells(values: pd.Series) -> pa.ChunkedArray | None:
    """The column as an Arrow string array (null where missing); None unless every cell is text.

    A cell is missing when it is None, NA or a float NaN; every other cell must be a ``str``
    (a column of pandas' string dtypes, or an object column of strings and missing values).
    """
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype):
        cells = values.array
    elif pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(values, skipna=True) in (
        "string",
        "empty",
    ):
        cells = values.to_numpy(dtype=object)
    else:
        return None
    try:
        array = pa.array(cells, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, UnicodeError, TypeError, ValueError):  # e.g. lone surrogates
        return None
    return pa.chunked_array([array]) if isinstance(array, pa.Array) else array


def plain_number_mask(text: pa.ChunkedArray) -> np.ndarray:
    """True where a cell of :func:`text_cells` is a plain ASCII number literal ("-1.5e3")."""
    return _plain_numbers(text)[0]


def _plain_numbers(text: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray | None]:
    """Where the cells are plain number literals, and (when read) the numbers of the column.

    Arrow's conversion of a whole column to float64 succeeds when every cell is a plain
    number literal or a spelling of infinity or NaN ("inf", "nan"), and is then cheaper than
    matching every cell: its finite results are plain literals, and only the cells whose
    result is not finite are matched against the literal's pattern. A column with any other
    text is matched cell by cell (the numbers are then None).
    """
    try:
        numbers = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        matched = pc.match_substring_regex(text, _PLAIN_ASCII_NUMBER)
        plain = pc.fill_null(matched, False).to_numpy(zero_copy_only=False).astype(bool)
        return plain, None
    plain = np.isfinite(numbers)
    unsure = np.flatnonzero(~plain & text.is_valid().to_numpy(zero_copy_only=False))
    if unsure.size:  # overflow ("1e999") is a plain literal; "inf" and "nan" are not
        matched = pc.match_substring_regex(pc.take(text, pa.array(unsure)), _PLAIN_ASCII_NUMBER)
        plain[unsure] = pc.fill_null(matched, False).to_numpy(zero_copy_only=False)
    return plain, numbers


def distinct_text_codes(text: pa.ChunkedArray, mask: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The distinct texts of the (non-missing) cells selected by ``mask``, and each cell's code.

    Returns
    -------
    codes : numpy.ndarray of int
        For each selected cell (in order), its position in ``distinct``.
    distinct : list of str
    """
    selected = pc.filter(text, pa.array(mask))
    distinct = pc.unique(selected)
    codes = pc.index_in(selected, value_set=distinct)
    return codes.to_numpy(zero_copy_only=False).astype(np.intp), distinct.to_pylist()


def _parse_text(text: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Parse text in bulk: plain numbers by Arrow, the other texts one distinct text at a time."""
    size = len(text)
    parsed = np.full(size, np.nan)
    unreadable = np.zeros(size, dtype=bool)
    plain, numbers = _plain_numbers(text)
    if numbers is not None:
        parsed[plain] = numbers[plain]
    elif plain.any():
        numbers = pc.cast(pc.filter(text, pa.array(plain)), pa.float64())
        parsed[plain] = numbers.to_numpy(zero_copy_only=False)
    other = ~plain & text.is_valid().to_numpy(zero_copy_only=False)
    if other.any():
        codes, distinct = distinct_text_codes(text, other)
        results = [_parse_one(value) for value in distinct]
        failed = np.array([result is None for result in results], dtype=bool)
        numbers = np.array([np.nan if result is None else result for result in results])
        parsed[other] = numbers[codes]
        unreadable[other] = failed[codes]
    return parsed, unreadable


def _parse_cells(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column cell by cell (columns mixing text with numbers or other objects)."""
    parsed = np.full(len(values), np.nan)
    unreadable = np.zeros(len(values), dtype=bool)
    cache: dict[str, float | None] = {}
    for position, value in enumerate(values.to_numpy(dtype=object)):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            continue
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            parsed[position] = float(value)
            continue
        text = str(value)
        if text not in cache:
            cache[text] = _parse_one(text)
        result = cache[text]
        if result is None:
            unreadable[position] = True
        else:
            parsed[position] = result
    return parsed, unreadable


_QUARTER = re.compile(r"^(\d{4})\s*[-_/ ]?\s*[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.]|[Mm]|年)\s*(0?[1-9]|1[0-2])月?$")


def map_text(values: pd.Series, function: Callable[[str], object]) -> pd.Series:
    """Apply a text function once to each distinct value of a column; the result is "string".

    The same as ``values.astype("string").map({v: function(v) for v in distinct})
    .astype("string")``: missing cells stay missing, and a column of a million cells with a
    few thousand distinct texts calls ``function`` a few thousand times.
    """
    text = values.astype("string")
    codes, distinct = pd.factorize(text)
    mapped = pd.Series(
        [function(value) for value in distinct.to_numpy(dtype=object)], dtype=object
    ).astype("string")
    return pd.Series(
        mapped.array.take(codes, allow_fill=True), index=values.index, name=values.name
    )


def parse_period_labels(values: pd.Series) -> pd.Series | None:
    """Quarters or months written as labels, numbered consecutively; None for other columns.

    A column whose every non-empty cell is a quarter (``2010Q1``, ``2010-Q1``, ``2010q1``) is
    numbered ``year * 4 + quarter - 1``; one whose every non-empty cell is a month
    (``2010-03``, ``2010/3``, ``2010M03``, ``2010年3月``) ``year * 12 + month - 1``. So
    consecutive quarters (months) differ by one, and a lag of one is the previous quarter
    (month), across the turn of the year too.

    Each distinct text of the column is read once.

    Returns
    -------
    pandas.Series of float or None
        The period numbers (NaN where the cell is empty), or None when the column does not
        hold such labels (plain numbers included).
    """
    codes, distinct = pd.factorize(values.astype("string"))
    numbers = _period_numbers(pd.Series(distinct, dtype="string"))
    if numbers is None:
        return None
    numbers = numbers.to_numpy(dtype="float64")
    return pd.Series(np.where(codes >= 0, numbers[codes], np.nan), index=values.index)


def _present_labels(text: pd.Series) -> pd.Series:
    """The non-empty cells of a "string" column, stripped (missing-value tokens left out)."""
    text = text.str.strip()
    return text.mask(text.str.lower().isin(MISSING_TOKENS)).dropna()


def _period_numbers(text: pd.Series) -> pd.Series | None:
    """Period numbers of a "string" column's cells (NaN where empty), or None if not labels."""
    present = _present_labels(text)
    if present.empty:
        return None
    for pattern, per_year in ((_QUARTER, 4), (_MONTH, 12)):
        parts = present.str.extract(pattern)
        if parts.notna().all().all():
            numbers = parts[0].astype(int) * per_year + parts[1].astype(int) - 1
            return numbers.astype(float).reindex(text.index)
    return None


def period_label_kind(values: pd.Series) -> str | None:
    """``"quarter"`` or ``"month"`` when every non-empty cell is such a label, else None."""
    distinct = pd.Series(pd.unique(values.astype("string").dropna()), dtype="string")
    present = _present_labels(distinct)
    if present.empty:
        return None
    for pattern, kind in ((_QUARTER, "quarter"), (_MONTH, "month")):
        if present.str.fullmatch(pattern).all():
            return kind
    return None
