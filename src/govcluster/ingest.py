"""Mapping the columns of the user's file to the pipeline's canonical names.

:func:`ingest_table` keeps the configured columns of the raw table, renames them to the
canonical names of :mod:`govcluster.columns` (the entity becomes ``cluster_id``, the time
``year``, each variable its name in the configuration), adds the file row number of every row
and stores every value as text, exactly as it was read. Parsing, checking and cleaning come
later (:mod:`govcluster.validate`, the ``clean`` step); nothing here changes a value.

The canonical names are the pipeline's own: messages and the records a user opens name the
entity and time columns as the user's file does (:mod:`govcluster.user_names`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govcluster.columns import DESCRIPTIVE_ROLES, ENTITY, SOURCE_ROW, TIME
from govcluster.config import ProjectConfig, config_file_in_use
from govcluster.errors import ConfigError, DataValidationError
from govcluster.regions import strip_whitespace
from govcluster.user_names import UserNames, user_names
from govcluster.validate import encoding_hint

#: File row number of the first data row (the header is row 1).
FIRST_DATA_ROW = 2

#: Canonical names the pipeline gives to the roles of the data configuration.
RESERVED_NAMES = frozenset({ENTITY, TIME, SOURCE_ROW, *DESCRIPTIVE_ROLES.values()})

_COLUMNS_LISTED = 30

#: Rows below the header searched for the column names when they are not in the header.
_HEADER_ROWS_SEARCHED = 10

#: A column name that is a year ("2015", "2015年"), a sign of a wide table.
_YEAR_NAME = re.compile(r"(1[89]|20)\d{2}(\.0)?年?")


@dataclass(frozen=True)
class ColumnRole:
    """One configured column of the user's file.

    Attributes
    ----------
    canonical : str
        Its name inside the pipeline (``cluster_id``, ``year``, ``province``, a variable name).
    column : str
        Its name in the user's file, as written in the configuration.
    config_key : str
        The configuration key that names it (``data.entity``, ``variables.subsidy.column``).
    """

    canonical: str
    column: str
    config_key: str


def column_roles(config: ProjectConfig) -> tuple[ColumnRole, ...]:
    """The configured columns: entity, time, descriptive columns, then the variables.

    Raises
    ------
    ConfigError
        When a variable is named like one of the pipeline's canonical columns.
    """
    data = config.data
    roles = [
        ColumnRole(canonical, column, key)
        for canonical, column, key in (
            (ENTITY, data.entity, "data.entity"),
            (TIME, data.time, "data.time"),
        )
        if column is not None  # null: numbered by file row / a cross-section (period 1)
    ]
    for role, column in data.descriptive_columns.items():
        roles.append(ColumnRole(DESCRIPTIVE_ROLES[role], column, f"data.{role}"))
    clashes = sorted(set(config.variables) & RESERVED_NAMES)
    if clashes:
        raise ConfigError(
            f"variables {', '.join(clashes)} in {config_file_in_use()} "
            "use names the pipeline reserves for the data columns "
            f"({', '.join(sorted(RESERVED_NAMES))}).\n"
            "  fix: give these variables other names (their `column` can stay as it is)."
        )
    for name, spec in {**config.variables, **config.categories}.items():
        roles.append(ColumnRole(name, spec.column, f"variables.{name}.column"))
    return tuple(roles)


def file_columns(config: ProjectConfig) -> dict[str, str]:
    """Canonical name -> column name in the user's file, for every configured column."""
    return {role.canonical: role.column for role in column_roles(config)}


def ingest_table(raw: pd.DataFrame, config: ProjectConfig, *, source: str) -> pd.DataFrame:
    """Select the configured columns of ``raw`` and give them their canonical names.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table as read by :func:`govcluster.io.read_table`: row ``i`` is file row ``i + 2``.
    config : ProjectConfig
        The configuration; ``config.data`` and ``config.variables`` name the columns.
    source : str
        The data file, for error messages.

    Returns
    -------
    pandas.DataFrame
        ``source_row`` (int64, the file row number; header = row 1), then ``cluster_id``,
        ``year``, the configured descriptive columns and one column per variable, all of
        pandas ``"string"`` dtype holding the values as read (floats written so that they
        read back the same, e.g. ``0.1`` as ``"0.1"``; booleans as ``"1"``/``"0"``; empty
        cells missing). Rows empty (or only whitespace) in every configured column, such as
        blank lines, are left out. ``attrs`` holds ``source``, ``format`` and ``encoding``
        (from ``raw.attrs``), ``column_map`` (canonical name -> column found in the file),
        ``ignored_columns`` (the file's columns not configured) and ``dropped_empty_rows``
        (file rows left out).

    Raises
    ------
    DataValidationError
        When configured columns are missing from the file (all are listed) or occur more than
        once in its header.
    ConfigError
        When a variable is named like one of the canonical columns.
    """
    roles = column_roles(config)
    read_attrs = dict(raw.attrs)
    raw = raw.reset_index(drop=True)
    found = _locate_columns(raw.columns, roles)
    missing = [role for role in roles if role.canonical not in found]
    if missing:
        raise _missing_columns_error(missing, raw, source, words=user_names(config))
    _check_unique_header(roles, read_attrs.get("duplicate_columns", []), source)

    ingested = pd.DataFrame({SOURCE_ROW: np.arange(len(raw), dtype=np.int64) + FIRST_DATA_ROW})
    for role in roles:
        ingested[role.canonical] = as_text(raw[found[role.canonical]])
    empty = blank_rows(ingested.drop(columns=SOURCE_ROW))
    dropped = [int(row) for row in ingested.loc[empty, SOURCE_ROW]]
    if empty.all():
        raise DataValidationError(
            f"The data file has {len(raw)} row(s) below the header, but every configured column "
            "is empty in all of them, so there are no data.",
            file=source,
            column=_shorten(", ".join(role.column for role in roles)),
            rows=dropped,
            fix=(
                f"check that data.path in {config_file_in_use()} names the right file "
                "(and data.sheet the right sheet of a workbook) and that the file was saved with "
                "its data."
            ),
        )
    ingested = ingested.loc[~empty].reset_index(drop=True)
    if config.data.entity is None:  # each row of the file is an entity
        ingested.insert(1, ENTITY, ingested[SOURCE_ROW].astype("string"))
    if config.data.time is None:  # a cross-section: every row in period 1
        ingested.insert(2, TIME, pd.Series("1", index=ingested.index, dtype="string"))

    used = set(found.values())
    ingested.attrs = {
        "source": str(source),
        "format": read_attrs.get("format"),
        "encoding": read_attrs.get("encoding"),
        "column_map": dict(found),
        "ignored_columns": [str(column) for column in raw.columns if column not in used],
        "dropped_empty_rows": dropped,
    }
    return ingested


def as_text(values: pd.Series) -> pd.Series:
    """``values`` as pandas ``"string"``, without losing information.

    Text is kept as it is, integers are written in full, floats in their shortest form that
    reads back as the same number (``0.1`` -> ``"0.1"``, ``2010.0`` -> ``"2010.0"``), booleans
    as ``"1"``/``"0"``; missing values and empty strings become ``NA``.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if pd.api.types.is_bool_dtype(values.dtype):
        values = values.astype(object)
    if values.dtype == object:
        values = _bools_as_digits(values)
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iuf":
        text = _numbers_as_text(values)
    else:
        text = values.astype("string")
    return text.mask(text.eq("").fillna(False).astype(bool))


def _numbers_as_text(values: pd.Series) -> pd.Series:
    """``values.astype("string")`` of a NumPy number column, written once per distinct value.

    Values are told apart by their bits, so that -0.0 keeps its sign; NaN becomes NA.
    """
    numbers = values.to_numpy()
    if numbers.dtype.kind == "f":
        codes, distinct_bits = pd.factorize(numbers.view(f"i{numbers.dtype.itemsize}"))
        distinct = distinct_bits.view(numbers.dtype)
    else:
        codes, distinct = pd.factorize(numbers)
    text = pd.Series(distinct, dtype=numbers.dtype).astype("string").array
    return pd.Series(text.take(codes, allow_fill=True), index=values.index, name=values.name)


def blank_rows(table: pd.DataFrame) -> np.ndarray:
    """True for rows whose every cell is missing or only whitespace."""
    blank = np.ones(len(table), dtype=bool)
    for column in table.columns:
        text = table[column].astype("string").str.strip()
        blank &= text.eq("").fillna(True).astype(bool).to_numpy()
    return blank


def _bools_as_digits(values: pd.Series) -> pd.Series:
    """Replace True/False by "1"/"0" in an object column, leaving every other value alone."""
    cells = values.to_numpy(dtype=object, copy=True)
    for position, value in enumerate(cells):
        if isinstance(value, (bool, np.bool_)):
            cells[position] = "1" if value else "0"
    return pd.Series(cells, index=values.index, name=values.name, dtype=object)


def _normalised_name(name: object) -> str:
    """A column name compared loosely: full-width forms folded, all whitespace removed."""
    return str(strip_whitespace(unicodedata.normalize("NFKC", str(name))))


def _locate_columns(available: pd.Index, roles: Sequence[ColumnRole]) -> dict[str, str]:
    """Canonical name -> column of the file, for every role whose column is found.

    A column is found by its exact name or, failing that, by the one column whose name is the
    same up to whitespace and full-width characters ("年份 " for "年份", "占比（%）" for
    "占比(%)").
    """
    exact = {str(column): column for column in available}
    loose: dict[str, list[str]] = {}
    for column in available:
        loose.setdefault(_normalised_name(column), []).append(column)
    found = {}
    for role in roles:
        if role.column in exact:
            found[role.canonical] = exact[role.column]
            continue
        candidates = loose.get(_normalised_name(role.column), [])
        if len(candidates) == 1:
            found[role.canonical] = candidates[0]
    return found


def _missing_columns_error(
    missing: Sequence[ColumnRole], raw: pd.DataFrame, source: str, *, words: UserNames
) -> DataValidationError:
    available = raw.columns
    names = [str(column) for column in available]
    listed = ", ".join(f"'{name}'" for name in names[:_COLUMNS_LISTED])
    if len(names) > _COLUMNS_LISTED:
        listed += f" ... and {len(names) - _COLUMNS_LISTED} more"
    lines = [
        f"The data file lacks {len(missing)} configured column(s):",
        *(f"    '{role.column}' (named by {role.config_key})" for role in missing),
        f"  The file has {len(names)} column(s): {listed}.",
    ]
    hints = _layout_hints(missing, raw, words=words)
    garbled = encoding_hint(pd.Series(names, dtype="string"), raw.attrs.get("encoding"))
    if garbled:
        hints.append(garbled.strip().replace("These values", "The column names"))
    lines.extend(f"  {hint}" for hint in hints)
    if not hints:
        for role in missing:
            close = difflib.get_close_matches(role.column, names, n=3, cutoff=0.5)
            if close:
                suggestions = " or ".join(f"'{name}'" for name in close)
                lines.append(f"  Did you mean {suggestions} for '{role.column}'?")
    return DataValidationError(
        "\n".join(lines),
        file=source,
        column=_shorten(", ".join(role.column for role in missing)),
        fix=(
            "rename the columns in the file, or change the mapping in "
            f"{config_file_in_use()}: data.entity, data.time and "
            "data.name/province/industry/region/money_unit for the identifier, year and "
            "descriptive columns, "
            "variables.<name>.column for each numeric column (set an optional descriptive "
            "column to null if the file does not have it)."
        ),
    )


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(", ", 1)[0] + ", ..."


def _layout_hints(
    missing: Sequence[ColumnRole], raw: pd.DataFrame, *, words: UserNames
) -> list[str]:
    """Why the configured columns may not be found: header row, wide layout, another sheet."""
    hints = []
    wanted = {_normalised_name(role.column) for role in missing}
    for position in range(min(len(raw), _HEADER_ROWS_SEARCHED)):
        cells = {_normalised_name(value) for value in raw.iloc[position] if not _blank(value)}
        found = len(wanted & cells)
        if found >= min(2, len(wanted)):
            hints.append(
                f"{found} of the missing column names are in row {position + FIRST_DATA_ROW} "
                "of the file: the column names must be in the first row, so delete the rows "
                f"above row {position + FIRST_DATA_ROW} (titles, notes, units)."
            )
            break
    years = [str(column) for column in raw.columns if _YEAR_NAME.fullmatch(str(column).strip())]
    if len(years) >= 3:
        hints.append(
            f"{len(years)} column names are years ({', '.join(years[:4])}, ...): the file looks "
            f"wide (one column per year). Reshape it to long form: one row per "
            f"{words.entity_noun} and year, one column per variable, and a year column."
        )
    sheet, sheets = raw.attrs.get("sheet"), list(raw.attrs.get("sheets") or [])
    others = [name for name in sheets if name != sheet]
    if sheet is not None and others:
        hints.append(
            f"Sheet '{sheet}' of the workbook was read; it also has the sheet(s) "
            f"{', '.join(repr(name) for name in others)}. If the data are on another sheet, "
            f"set data.sheet in {config_file_in_use()} to its name."
        )
    return hints


def _blank(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return not str(value).strip()


def _check_unique_header(
    roles: Sequence[ColumnRole], duplicate_columns: Sequence[str], source: str
) -> None:
    repeated = sorted({role.column for role in roles} & {str(c) for c in duplicate_columns})
    if repeated:
        raise DataValidationError(
            "Configured column(s) occur more than once in the header of the data file, so it "
            "is not clear which one to read: " + ", ".join(f"'{name}'" for name in repeated),
            file=source,
            column=", ".join(repeated),
            rows=[1],
            fix="give every column of the file a distinct name (the header is row 1).",
        )
