"""Cleaning the validated panel, auditing every dropped row and every changed cell.

:func:`clean_panel` turns the ingested frame (every column text exactly as in the raw file,
plus the file row number ``source_row``) into the cleaned panel, in nine steps applied in
this order:

1. ``normalise_names``: whitespace (including full-width spaces) removed from identifiers and
   names, province spellings unified to the official names, years read as integers, region
   taken from the region column or derived from the province;
2. ``drop_exact_duplicates``: rows repeating an earlier row in every column but ``source_row``;
3. ``parse_numbers``: yearbook number text ("12,345.6", "１２", "—") read as floats;
4. ``convert_units``: money variables of rows reported in another unit converted to 万元;
5. ``deflate``: money variables times ``base / price_index``;
6. ``fix_scale_typos``: values off by the typo factor (x100) relative to the cluster's median;
7. ``interpolate``: short runs of missing values filled within a cluster over the years;
8. ``winsorize``: continuous variables clipped at pooled quantiles;
9. ``drop_incomplete``: rows still missing a variable the analysis needs.

Each step is a public function ``step(frame, config) -> StepResult`` that can be run and
tested on its own. Every step reports what it did: the audit (one row per dropped row or
changed cell, deflated cells included; see :data:`AUDIT_COLUMNS`) and one row of the
sample-construction table (rows in, rows out, rows dropped, cells changed).

Every step that changes values (5 to 8) is off unless the configuration turns it on, so that
a user's file is analysed as it is; :mod:`govcluster.clean_summary` counts what did change.

The steps work with the pipeline's names (``cluster_id``, ``year``); what a user reads names
the entity and the time as the user's file does (:mod:`govcluster.user_names`): the error
messages, the sentences of the sample-construction table ("missing years filled within
firms") and the audit of :func:`clean_panel`, whose entity and time columns (and the
``variable`` of their audited cells) carry the names of the file (``firm_id``, ``fyear``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govcluster import datachecks
from govcluster.columns import (
    ENTITY,
    INDUSTRY,
    MONEY_UNIT,
    NAME,
    PROVINCE,
    REGION,
    SOURCE_ROW,
    TIME,
)
from govcluster.config import ProjectConfig, config_file_in_use
from govcluster.errors import DataValidationError
from govcluster.parsing import map_text, parse_numeric, plain_number_mask, text_cells
from govcluster.regions import REGIONS, normalise_province, region_of, strip_whitespace
from govcluster.user_names import UserNames, user_names

logger = logging.getLogger(__name__)

#: The unit of every money variable after cleaning.
BASE_MONEY_UNIT = "万元"

#: Columns of the audit, in order.
AUDIT_COLUMNS = (
    "step",
    "reason",
    "source_row",
    "cluster_id",
    "year",
    "variable",
    "old_value",
    "new_value",
)

#: Columns of the sample-construction table, in order.
SAMPLE_COLUMNS = ("step", "description", "rows_in", "rows_out", "rows_dropped", "cells_changed")

#: Kinds of variable checked for scale typos.
SCALE_TYPO_KINDS = frozenset({"money", "count", "amount"})

#: Kinds of variable winsorised (binary variables and the price index never are).
WINSORIZE_KINDS = frozenset({"money", "count", "share", "amount", "score", "real"})

#: Descriptive columns of the cleaned panel, in order, when present.
DESCRIPTIVE_COLUMNS = (NAME, PROVINCE, INDUSTRY, REGION, MONEY_UNIT)

#: Region labels accepted in a region column -> canonical region.
REGION_ALIASES: dict[str, str] = {
    **{region: region for region in REGIONS},
    "eastern": "east",
    "东部": "east",
    "东部地区": "east",
    "东": "east",
    "中部": "central",
    "中部地区": "central",
    "中": "central",
    "western": "west",
    "西部": "west",
    "西部地区": "west",
    "西": "west",
}

#: Character ranges of CJK scripts and full-width forms (the ideographic space excluded).
_CJK = "\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uffef"
_SPACE = r"[\s\u200b\ufeff]"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}]){_SPACE}+|{_SPACE}+(?=[{_CJK}])")
_SPACE_RUN = re.compile(rf"{_SPACE}+")
_PLAIN_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_PLAIN_INTEGER = r"[+-]?[0-9]+"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class StepResult:
    """What one cleaning step did.

    Attributes
    ----------
    frame : pandas.DataFrame
        The data after the step.
    audit : pandas.DataFrame
        One row per dropped row or changed cell (columns :data:`AUDIT_COLUMNS`).
    description : str
        One sentence for the sample-construction table.
    cells_changed : int
        Number of cells the step changed.
    """

    frame: pd.DataFrame
    audit: pd.DataFrame
    description: str
    cells_changed: int


@dataclass(frozen=True, eq=False)
class CleanResult:
    """The cleaned panel with its audit and sample-construction table.

    Attributes
    ----------
    panel : pandas.DataFrame
        Sorted by (cluster_id, year): cluster_id, year, source_row, the descriptive columns
        present and every configured variable as float64 in its final unit.
    audit : pandas.DataFrame
        One row per dropped row (``variable`` missing) or changed cell, columns
        :data:`AUDIT_COLUMNS`, with ``cluster_id`` and ``year`` named as in the user's file
        (:func:`audit_for_user`).
    sample : pandas.DataFrame
        One row per step, columns :data:`SAMPLE_COLUMNS`; ``rows_out`` of a step is
        ``rows_in`` of the next and the last ``rows_out`` is the number of panel rows.
    """

    panel: pd.DataFrame
    audit: pd.DataFrame
    sample: pd.DataFrame


# --------------------------------------------------------------------------- audit helpers


def empty_audit() -> pd.DataFrame:
    """Return an audit with no rows and the audit's column types."""
    return _EMPTY_AUDIT.copy()


def _typed_audit(audit: pd.DataFrame) -> pd.DataFrame:
    """Give the audit its column order and types (row numbers and years as nullable ints)."""
    types = {column: "string" for column in AUDIT_COLUMNS}
    types.update(source_row="Int64", year="Int64")
    return audit.loc[:, list(AUDIT_COLUMNS)].astype(types).reset_index(drop=True)


_EMPTY_AUDIT = _typed_audit(pd.DataFrame({column: [] for column in AUDIT_COLUMNS}))


def _format_value(value: object) -> object:
    """Text of one audited value: strings as they are, numbers in shortest exact form."""
    if value is None or value is pd.NA:
        return pd.NA
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return pd.NA if np.isnan(value) else repr(float(value))
    return str(value)


def _as_text(values: Sequence[object] | np.ndarray | pd.Series) -> list[object]:
    """Text of the audited values (only the few changed cells are formatted)."""
    items = values.tolist() if isinstance(values, (np.ndarray, pd.Series)) else list(values)
    return [_format_value(value) for value in items]


def audit_cells(
    step: str,
    frame: pd.DataFrame,
    variable: str,
    changed: np.ndarray,
    old: Sequence[object] | np.ndarray | pd.Series,
    new: Sequence[object] | np.ndarray | pd.Series,
    reason: str | Sequence[str] | np.ndarray,
) -> pd.DataFrame:
    """Audit rows for the changed cells of one column.

    Parameters
    ----------
    step : str
        Name of the step.
    frame : pandas.DataFrame
        The data after the change (source_row, cluster_id and year are read from it).
    variable : str
        The changed column.
    changed : numpy.ndarray of bool
        Which rows of ``frame`` changed.
    old, new : array-like
        Values before and after, for every row of ``frame``.
    reason : str or array-like of str
        One reason for all cells, or one per row of ``frame``.

    Returns
    -------
    pandas.DataFrame
        One audit row per changed cell.
    """
    rows = _audit_rows(step, frame, variable, changed, old, new, reason)
    return empty_audit() if rows is None else _typed_audit(rows)


def _audit_rows(
    step: str,
    frame: pd.DataFrame,
    variable: str,
    changed: np.ndarray,
    old: Sequence[object] | np.ndarray | pd.Series,
    new: Sequence[object] | np.ndarray | pd.Series,
    reason: str | Sequence[str] | np.ndarray,
) -> pd.DataFrame | None:
    """The rows of :func:`audit_cells` before their column types are set; None if none changed.

    A step collects these for all its columns and types them once (:func:`_audit_of`).
    """
    changed = np.asarray(changed, dtype=bool)
    if not changed.any():
        return None
    reasons = reason if isinstance(reason, str) else np.asarray(reason, dtype=object)[changed]
    rows = frame[[SOURCE_ROW, ENTITY, TIME]].loc[changed]
    return pd.DataFrame(
        {
            "step": step,
            "reason": reasons,
            "source_row": rows[SOURCE_ROW].to_numpy(),
            "cluster_id": rows[ENTITY].to_numpy(dtype=object),
            "year": _year_values(rows[TIME]),
            "variable": variable,
            "old_value": _as_text(np.asarray(old, dtype=object)[changed]),
            "new_value": _as_text(np.asarray(new, dtype=object)[changed]),
        }
    )


def _audit_of(pieces: Sequence[pd.DataFrame | None]) -> pd.DataFrame:
    """One typed audit of the rows of :func:`_audit_rows` (None for columns left unchanged)."""
    filled = [piece for piece in pieces if piece is not None]
    if not filled:
        return empty_audit()
    return _typed_audit(pd.concat(filled, ignore_index=True))


def audit_dropped_rows(step: str, dropped: pd.DataFrame, reasons: Sequence[str]) -> pd.DataFrame:
    """Audit rows for dropped rows (``variable``, ``old_value`` and ``new_value`` missing)."""
    if dropped.empty:
        return empty_audit()
    audit = pd.DataFrame(
        {
            "step": step,
            "reason": list(reasons),
            "source_row": dropped[SOURCE_ROW].to_numpy(),
            "cluster_id": dropped[ENTITY].to_numpy(dtype=object),
            "year": _year_values(dropped[TIME]),
            "variable": pd.NA,
            "old_value": pd.NA,
            "new_value": pd.NA,
        }
    )
    return _typed_audit(audit)


def _year_values(years: pd.Series) -> pd.Series:
    """Years as nullable integers (years still held as text are read, unreadable ones NA)."""
    if pd.api.types.is_integer_dtype(years):
        return years.astype("Int64").reset_index(drop=True)
    parsed, _ = parse_numeric(years)
    whole = parsed.where(parsed == np.round(parsed))
    return whole.astype("Int64").reset_index(drop=True)


def audit_for_user(audit: pd.DataFrame, names: UserNames) -> pd.DataFrame:
    """The audit as a user reads it: entity and time named as in the user's file.

    The columns ``cluster_id`` and ``year`` take the user's names (``firm_id``, ``fyear``),
    and so does the ``variable`` of the audited cells of these two columns (an identifier
    whose whitespace was normalised, a year read as a whole number).
    """
    variable = audit["variable"].replace(names.renames) if len(audit) else audit["variable"]
    return names.to_user(audit.assign(variable=variable))


def _concat_audits(audits: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate audits, skipping empty ones."""
    filled = [audit for audit in audits if not audit.empty]
    if not filled:
        return empty_audit()
    return _typed_audit(pd.concat(filled, ignore_index=True))


def _rows_of(frame: pd.DataFrame, mask: np.ndarray) -> list[int]:
    """File row numbers of the rows selected by ``mask``."""
    return frame.loc[np.asarray(mask, dtype=bool), SOURCE_ROW].astype(int).tolist()


def _file_column(config: ProjectConfig, name: str) -> str:
    """The user's column name of a canonical column or variable (for error messages)."""
    if name in config.variables:
        return config.variables[name].column
    data = config.data
    file_columns = {
        ENTITY: data.entity,
        TIME: data.time,
        NAME: data.name,
        PROVINCE: data.province,
        INDUSTRY: data.industry,
        REGION: data.region,
        MONEY_UNIT: data.money_unit,
    }
    return file_columns.get(name) or name


def _source(config: ProjectConfig) -> str:
    """The user's data file, for error messages."""
    return str(config.data.path)


def _text_changed(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Where two text columns differ (both missing counts as equal)."""
    old_text = old.astype("string")
    new_text = new.astype("string")
    differ = old_text.ne(new_text).fillna(False).to_numpy(dtype=bool)
    one_missing = old_text.isna().to_numpy() != new_text.isna().to_numpy()
    return differ | one_missing


# --------------------------------------------------------------------------- 1 names


def normalise_whitespace(value: object) -> object:
    """Normalise the whitespace of a name or identifier; keep NA as it is.

    Whitespace next to a Chinese (or other CJK) character is removed, since yearbooks pad
    names with full-width spaces ("余姚　塑料" -> "余姚塑料"); other runs of whitespace become
    one space ("Ningbo  garment" -> "Ningbo garment"); leading and trailing whitespace
    (including full-width and no-break spaces) is removed.
    """
    if not isinstance(value, str):
        return value
    without_padding = _SPACE_NEXT_TO_CJK.sub("", value)
    return _SPACE_RUN.sub(" ", without_padding).strip()


def normalise_region_label(value: object) -> object:
    """Map a region label ("East", " 东部 ") to east/central/west; NA when unknown."""
    if not isinstance(value, str):
        return pd.NA
    stripped = strip_whitespace(value).lower()
    return REGION_ALIASES.get(stripped, pd.NA)


def parse_years(
    years: pd.Series,
    source_rows: pd.Series,
    column: str,
    *,
    file: str | None = None,
    noun: str = "year",
) -> pd.Series:
    """Read years written as text into int64 (parsed by :func:`govcluster.datachecks.parse_years`).

    Raises
    ------
    DataValidationError
        When a year is missing, not a number or not a whole number.
    """
    parsed, invalid = datachecks.parse_years(years)
    bad = invalid.to_numpy(dtype=bool)
    if bad.any():
        raise DataValidationError(
            f"Some {noun}s are missing or are not whole numbers.",
            file=file,
            column=column,
            rows=source_rows.to_numpy()[bad].astype(int).tolist(),
            fix=f"Write every {noun} as a whole number"
            + (" such as 2015." if noun == "year" else "."),
        )
    return pd.Series(parsed.to_numpy(dtype="int64"), index=years.index, name=years.name)


def _normalise_years(frame: pd.DataFrame, config: ProjectConfig) -> tuple[pd.Series, np.ndarray]:
    """The years as int64 and where their text was not already a plain integer."""
    raw = frame[TIME]
    years = parse_years(
        raw,
        frame[SOURCE_ROW],
        _file_column(config, TIME),
        file=_source(config),
        noun=user_names(config).time_noun,
    )
    if pd.api.types.is_numeric_dtype(raw):
        return years, np.zeros(len(frame), dtype=bool)
    plain = raw.astype("string").str.fullmatch(_PLAIN_INTEGER).fillna(False)
    return years, ~plain.to_numpy(dtype=bool)


def _check_entities(frame: pd.DataFrame, config: ProjectConfig) -> None:
    """Raise when an entity identifier is missing or empty."""
    missing = datachecks.entity_keys(frame[ENTITY]).isna().to_numpy(dtype=bool)
    if missing.any():
        noun = user_names(config).entity_noun
        raise DataValidationError(
            f"Some rows have no {noun} identifier.",
            file=_source(config),
            column=_file_column(config, ENTITY),
            rows=_rows_of(frame, missing),
            fix=f"Fill in the {noun} identifier of every row, or delete the empty rows.",
        )


#: Text columns normalised by step 1 and how.
TEXT_NORMALISERS: dict[str, Callable[[object], object]] = {
    ENTITY: normalise_whitespace,
    NAME: normalise_whitespace,
    INDUSTRY: normalise_whitespace,
    PROVINCE: normalise_province,
    REGION: normalise_region_label,
    MONEY_UNIT: strip_whitespace,
}


def _text_change_reasons(column: str, old: pd.Series, new: pd.Series) -> np.ndarray | str:
    """Audit reason of each changed cell of a text column normalised by step 1."""
    if column == PROVINCE:
        renamed = _text_changed(map_text(old, strip_whitespace), new)
        return np.where(renamed, "province name unified to its official name", "whitespace removed")
    if column == REGION:
        return np.where(
            new.isna().to_numpy(), "unknown region label set missing", "region label unified"
        )
    return "whitespace normalised"


def _region_note(frame: pd.DataFrame, region_given: bool) -> str:
    """How the region column came about, for the sample-construction table."""
    if region_given:
        return "region labels unified to east/central/west"
    if REGION not in frame.columns:
        return "no province or region column, so no region"
    unknown = int((frame[PROVINCE].notna() & frame[REGION].isna()).sum())
    if unknown:
        return (
            f"region derived from the province ({unknown} rows with a province that is not one "
            "of the 31 official names have no region)"
        )
    return "region derived from the province"


def normalise_names(frame: pd.DataFrame, config: ProjectConfig) -> StepResult:
    """Step 1: normalise identifiers, names, provinces, years and regions.

    Whitespace of cluster_id, cluster_name and industry is normalised
    (:func:`normalise_whitespace`), province spellings are unified to the official names
    (:func:`govcluster.regions.normalise_province`), whitespace is removed from money units,
    and years are read as int64. The region is taken from the region column when there is one
    (labels unified to east/central/west, unknown labels set missing) and otherwise derived from
    the province; a derived region column is new, so its cells are not audited. Every other
    changed cell is audited, cosmetic changes included.

    Parameters
    ----------
    frame : pandas.DataFrame
        The ingested frame (text columns as in the raw file).
    config : ProjectConfig

    Returns
    -------
    StepResult

    Raises
    ------
    DataValidationError
        When a cluster identifier or a year is missing or a year is not a whole number.
    """
    step = "normalise_names"
    names = user_names(config)
    result = frame.copy()
    years, year_changed = _normalise_years(frame, config)
    result[TIME] = years
    columns = [column for column in TEXT_NORMALISERS if column in frame.columns]
    for column in columns:
        result[column] = map_text(frame[column], TEXT_NORMALISERS[column])
    _check_entities(result, config)
    audits = [
        _audit_rows(
            step,
            result,
            TIME,
            year_changed,
            frame[TIME],
            years,
            f"{names.time_noun} read as a whole number",
        )
    ]
    for column in columns:
        old, new = frame[column], result[column]
        reasons = _text_change_reasons(column, old, new)
        audits.append(_audit_rows(step, result, column, _text_changed(old, new), old, new, reasons))
    region_given = REGION in frame.columns
    if not region_given and PROVINCE in frame.columns:
        result[REGION] = region_of(result[PROVINCE])
    audit = _audit_of(audits)
    description = (
        "Whitespace normalised in identifiers and names, province spellings unified to "
        f"official names, {names.time_plural} read as integers; "
        f"{_region_note(result, region_given)}"
    )
    return StepResult(result, audit, description, len(audit))


# --------------------------------------------------------------------------- 2 duplicates


def drop_exact_duplicates(frame: pd.DataFrame, config: ProjectConfig) -> StepResult:
    """Step 2: drop rows identical to an earlier row in every column except source_row.

    The first row in file order (smallest source_row) is kept; each dropped row is audited
    with the row number of the row it repeats. Does nothing when
    ``config.clean.drop_exact_duplicates`` is false.
    """
    step = "drop_exact_duplicates"
    if not config.clean.drop_exact_duplicates:
        return StepResult(frame, empty_audit(), "Disabled: exact duplicate rows are kept", 0)
    compared = [column for column in frame.columns if column != SOURCE_ROW]
    order = np.argsort(frame[SOURCE_ROW].to_numpy(), kind="stable")
    in_file_order = frame.iloc[order]
    # Identical rows share their entity and year: compare every column only where these repeat.
    candidates = in_file_order.duplicated(subset=[ENTITY, TIME], keep=False).to_numpy()
    shared_keys = in_file_order.loc[candidates]
    repeats_among = shared_keys.duplicated(subset=compared, keep="first").to_numpy()
    description = "Rows identical to an earlier row in every column but source_row dropped"
    if not repeats_among.any():
        return StepResult(frame, empty_audit(), description, 0)
    groups = shared_keys.groupby(compared, dropna=False, sort=False).ngroup().to_numpy()
    first_row_of_group = (
        pd.Series(shared_keys[SOURCE_ROW].to_numpy()).groupby(groups).transform("first")
    )
    repeats_sorted = np.zeros(len(frame), dtype=bool)
    repeats_sorted[candidates] = repeats_among
    first_row_sorted = np.zeros(len(frame), dtype="int64")
    first_row_sorted[candidates] = first_row_of_group.to_numpy()
    repeats = np.empty_like(repeats_sorted)
    repeats[order] = repeats_sorted
    first_row = np.empty(len(frame), dtype="int64")
    first_row[order] = first_row_sorted
    reasons = [f"exact duplicate of source row {row}" for row in first_row[repeats]]
    audit = audit_dropped_rows(step, frame.loc[repeats], reasons)
    return StepResult(frame.loc[~repeats], audit, description, 0)


def check_unique_keys(frame: pd.DataFrame, config: ProjectConfig) -> None:
    """Raise when two rows share a (cluster_id, year) key.

    Raises
    ------
    DataValidationError
        Naming the rows that share a key.
    """
    shared = datachecks.duplicated_key_mask(frame[ENTITY], frame[TIME]).to_numpy()
    if shared.any():
        names = user_names(config)
        pairs = frame.loc[shared, [ENTITY, TIME]].drop_duplicates().head(5)
        listed = "; ".join(
            names.key(entity, time) for entity, time in zip(pairs[ENTITY], pairs[TIME], strict=True)
        )
        raise DataValidationError(
            f"Several rows describe the same {names.entity_noun} and {names.time_noun} but "
            f"differ in some column ({listed}).",
            file=_source(config),
            column=f"{_file_column(config, ENTITY)}, {_file_column(config, TIME)}",
            rows=sorted(_rows_of(frame, shared)),
            fix=f"Keep one row per {names.entity_noun} and {names.time_noun} (exact duplicates "
            "are dropped automatically when clean.drop_exact_duplicates is true).",
        )


# --------------------------------------------------------------------------- 3 numbers


def describe_number_text(text: str, parsed: float) -> str:
    """Why the text of a number cell is not a plain number: what parsing changed."""
    if np.isnan(parsed):
        return "missing-value placeholder read as missing"
    changes = []
    if text != text.strip() or " " in text.strip():
        changes.append("whitespace removed")
    normalised = unicodedata.normalize("NFKC", text)
    if normalised != text:
        changes.append("full-width characters converted")
    if "," in normalised:
        changes.append("thousands separators removed")
    if normalised.strip().endswith("%"):
        changes.append("percent sign removed")
    return "; ".join(changes) if changes else "number text normalised"


def _changed_number_text(values: pd.Series) -> np.ndarray:
    """Where a number cell holds text other than a plain number literal."""
    if pd.api.types.is_numeric_dtype(values):
        return np.zeros(len(values), dtype=bool)
    cells = text_cells(values)
    if cells is not None:  # the same pattern, matched in bulk
        return cells.is_valid().to_numpy(zero_copy_only=False) & ~plain_number_mask(cells)
    text = values.astype("string")
    plain = text.str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)
    return text.notna().to_numpy() & ~plain


def parse_numbers(frame: pd.DataFrame, config: ProjectConfig) -> StepResult:
    """Step 3: read every variable as float64 with :func:`govcluster.parsing.parse_numeric`.

    Cells whose text is not a plain number literal ("12,345.6", "１２", " 7 ", "35%", or a
    placeholder such as "—" read as missing) are audited with what parsing changed.

    Raises
    ------
    DataValidationError
        When a cell holds text that is not a number.
    """
    step = "parse_numbers"
    result = frame.copy()
    audits = []
    for name in config.variables:
        parsed, unreadable = parse_numeric(frame[name])
        if unreadable.any():
            raise DataValidationError(
                "Some cells are not numbers.",
                file=_source(config),
                column=_file_column(config, name),
                rows=_rows_of(frame, unreadable.to_numpy()),
                fix="Correct the cells, or leave them empty if the value is missing.",
            )
        values = parsed.to_numpy(dtype="float64")
        result[name] = values
        changed = _changed_number_text(frame[name])
        if changed.any():
            old = frame[name].to_numpy(dtype=object)
            reasons = np.full(len(frame), "", dtype=object)
            reasons[changed] = [
                describe_number_text(str(text), value)
                for text, value in zip(old[changed], values[changed], strict=True)
            ]
            audits.append(_audit_rows(step, result, name, changed, old, values, reasons))
    audit = _audit_of(audits)
    description = "Number text (thousands separators, full-width digits, placeholders) parsed"
    return StepResult(result, audit, description, len(audit))


# --------------------------------------------------------------------------- 4 units


def _money_factors(frame: pd.DataFrame, config: ProjectConfig, money: list[str]) -> np.ndarray:
    """Value in 万元 of one unit of each row's money unit.

    Raises
    ------
    DataValidationError
        When a unit is unknown, or missing in a row that reports money.
    """
    units = frame[MONEY_UNIT]
    factors = units.map(dict(config.data.money_units)).to_numpy(dtype=float, na_value=np.nan)
    unknown = units.notna().to_numpy() & np.isnan(factors)
    if unknown.any():
        names = sorted(set(units[unknown].astype(str)))
        raise DataValidationError(
            f"Unknown money units: {', '.join(names)}.",
            file=_source(config),
            column=_file_column(config, MONEY_UNIT),
            rows=_rows_of(frame, unknown),
            fix="Add each unit with its value in 万元 under data.money_units, "
            f"e.g. {{{names[0]}: 10000}}.",
        )
    reports_money = frame[money].notna().any(axis=1).to_numpy()
    missing = units.isna().to_numpy() & reports_money
    if missing.any():
        raise DataValidationError(
            "Some rows report money but do not say in which unit.",
            file=_source(config),
            column=_file_column(config, MONEY_UNIT),
            rows=_rows_of(frame, missing),
            fix=f"Fill in the money unit of these rows (e.g. {BASE_MONEY_UNIT}).",
        )
    return np.where(np.isnan(factors), 1.0, factors)


def _conversion_reasons(units: pd.Series, config: ProjectConfig) -> np.ndarray:
    """Audit reason of each row's converted money cells ("converted from 亿元 to 万元 (x10000)")."""
    reason_of = {
        unit: f"converted from {unit} to {BASE_MONEY_UNIT} (x{factor:g})"
        for unit, factor in config.data.money_units.items()
    }
    return units.map(reason_of).to_numpy(dtype=object, na_value="")


def convert_units(frame: pd.DataFrame, config: ProjectConfig) -> StepResult:
    """Step 4: convert money variables to 万元 using each row's money unit.

    Money variables (kind "money") of a row whose unit is not 万元 are multiplied by the
    unit's value in 万元 (``config.data.money_units``); afterwards the money_unit column says
    万元 in every row. Each converted cell and each changed unit cell is audited. Without a
    money_unit column all money is taken to be in 万元 already.

    Raises
    ------
    DataValidationError
        When a unit is unknown, or missing in a row that reports money.
    """
    step = "convert_units"
    money = [name for name in config.money_variables if name in frame.columns]
    if MONEY_UNIT not in frame.columns:
        description = f"No money unit column: money variables taken to be in {BASE_MONEY_UNIT}"
        return StepResult(frame, empty_audit(), description, 0)
    factors = _money_factors(frame, config, money)
    units = frame[MONEY_UNIT].astype("string")
    result = frame.copy()
    result[MONEY_UNIT] = pd.Series(BASE_MONEY_UNIT, index=frame.index, dtype="string")
    reasons = _conversion_reasons(units, config)
    audits = []
    for name in money:
        old = frame[name].to_numpy(dtype=float)
        new = old * factors
        result[name] = new
        changed = ~np.isnan(old) & (factors != 1.0)
        audits.append(_audit_rows(step, result, name, changed, old, new, reasons))
    unit_changed = _text_changed(units, result[MONEY_UNIT])
    audits.append(
        _audit_rows(
            step,
            result,
            MONEY_UNIT,
            unit_changed,
            units,
            result[MONEY_UNIT],
            f"money now in {BASE_MONEY_UNIT}",
        )
    )
    audit = _audit_of(audits)
    description = f"Money variables converted to {BASE_MONEY_UNIT} using each row's unit"
    return StepResult(result, audit, description, len(audit))


# --------------------------------------------------------------------------- 5 deflation


def deflate(frame: pd.DataFrame, config: ProjectConfig) -> StepResult:
    """Step 5: deflate money variables: real = nominal * base / price_index.

    Every changed cell is audited (reason "deflated by <price_index> (base <base>)"), like
    the cells of every other step; a cell whose price index equals the base is unchanged and
    not audited. A money value in a row whose price index is missing cannot be deflated and is
    set missing (audited as such; later steps may interpolate it).

    Raises
    ------
    DataValidationError
        When the price index column is absent or holds a value that is not positive.
    """
    step = "deflate"
    spec = config.clean.deflate
    if not spec.enabled:
        return StepResult(frame, empty_audit(), "Disabled: money variables not deflated", 0)
    index_name = spec.price_index
    if index_name not in frame.columns:
        raise DataValidationError(
            f"The price index '{index_name}' named by clean.deflate.price_index is not in the "
            "data.",
            file=_source(config),
            fix="Add the price index to `variables`, or set clean.deflate.enabled: false.",
        )
    price = frame[index_name].to_numpy(dtype=float)
    not_positive = price <= 0
    if not_positive.any():
        raise DataValidationError(
            "The price index must be positive to deflate.",
            file=_source(config),
            column=_file_column(config, index_name),
            rows=_rows_of(frame, not_positive),
            fix="Correct the price index, or set clean.deflate.enabled: false.",
        )
    factor = spec.base / price
    result = frame.copy()
    deflated_reason = f"deflated by {index_name} (base {spec.base:g})"
    lost_reason = f"set missing: price index {index_name} missing, value cannot be deflated"
    audits = []
    for name in config.money_variables:
        if name == index_name or name not in frame.columns:
            continue
        old = frame[name].to_numpy(dtype=float)
        new = old * factor
        result[name] = new
        present = ~np.isnan(old)
        lost = present & np.isnan(price)
        changed = (present & ~lost & (new != old)) | lost
        reasons = np.where(lost, lost_reason, deflated_reason)
        audits.append(_audit_rows(step, result, name, changed, old, new, reasons))
    audit = _audit_of(audits)
    description = f"Money variables deflated: real = nominal * {spec.base:g} / {index_name}"
    return StepResult(result, audit, description, len(audit))


# --------------------------------------------------------------------------- 6 scale typos


def leave_one_out_median(values: np.ndarray) -> np.ndarray:
    """Median of the other non-missing values along the last axis, for every element.

    Parameters
    ----------
    values : numpy.ndarray
        Any shape; NaN marks missing values.

    Returns
    -------
    numpy.ndarray
        Same shape: for each element, the median of the other non-missing values of its
        last-axis slice (NaN where the element is missing or has no other values).
    """
    values = np.asarray(values, dtype=float)
    width = values.shape[-1]
    if width == 0:
        return values.copy()
    ordered = np.sort(values, axis=-1)
    positions = np.argsort(values, axis=-1, kind="stable")
    rank = np.empty_like(positions)
    np.put_along_axis(rank, positions, np.broadcast_to(np.arange(width), values.shape), axis=-1)
    others = np.sum(~np.isnan(values), axis=-1, keepdims=True) - 1
    lower = np.broadcast_to(np.maximum(others - 1, 0) // 2, values.shape)
    upper = np.broadcast_to(np.maximum(others, 0) // 2, values.shape)
    median = (_kth_other(ordered, rank, lower) + _kth_other(ordered, rank, upper)) / 2
    valid = ~np.isnan(values) & (others >= 1)
    return np.where(valid, median, np.nan)


def _kth_other(ordered: np.ndarray, rank: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The k-th smallest of the other values: the sorted slice with the element itself skipped.

    ``ordered`` is the slice sorted along the last axis, ``rank`` each element's position in
    it and ``k`` the wanted position among the remaining values.
    """
    position = np.where(k < rank, k, k + 1)
    return np.take_along_axis(ordered, np.minimum(position, ordered.shape[-1] - 1), axis=-1)


@dataclass(frozen=True, eq=False)
class ClusterLayout:
    """Where each row of a frame sits in a (cluster, slot) grid, clusters sorted by id."""

    cluster: np.ndarray
    slot: np.ndarray
    n_clusters: int
    width: int


def cluster_layout(frame: pd.DataFrame) -> ClusterLayout:
    """Grid positions of the rows: one grid row per cluster, its years in increasing order."""
    cluster = frame.groupby(ENTITY, sort=True, dropna=False).ngroup().to_numpy()
    year_rank = frame[TIME].groupby(cluster).rank(method="first").to_numpy()
    slot = (year_rank - 1).astype("int64")
    n_clusters = int(cluster.max()) + 1 if len(frame) else 0
    width = int(slot.max()) + 1 if len(frame) else 0
    return ClusterLayout(cluster, slot, n_clusters, width)


def to_grid(values: np.ndarray, layout: ClusterLayout) -> np.ndarray:
    """Place row values (variables x rows) into a (variables, clusters, slots) grid of NaN."""
    grid = np.full((values.shape[0], layout.n_clusters, layout.width), np.nan)
    grid[:, layout.cluster, layout.slot] = values
    return grid


def fix_scale_typos(frame: pd.DataFrame, config: ProjectConfig) -> StepResult:
    """Step 6: divide values off by the typo factor relative to their cluster's other years.

    For each variable of kind money, count or amount and each cluster with at least
    ``min_obs`` other non-missing values, a value is a typo when ``value / m`` lies in
    ``[factor / tolerance, factor * tolerance]``, where ``m`` is the median of the cluster's
    other values (``m > 0``); it is replaced by ``value / factor``. All values are judged
    against the uncorrected data. A level shift of another size is left alone.

    With the default ``tolerance = 1.5`` and ``factor = 100`` the window is 66.7 to 150 times
    the median, so a value 51 times the median is never corrected (it may be genuine; the
    validation screen flags it for review). On data without typos the rule can only err on
    genuine values inside the window: on seeded lognormal panels with a within-cluster sd of 1
    on the log scale, far wider than yearbook series, it corrects about 1 value in 45,000
    (``tests/test_clean.py``), and none on the simulated default data drawn without typos.
    Widening the window (the simulated configuration uses 3.0) raises that rate.
    """
    step = "fix_scale_typos"
    words = user_names(config)
    spec = config.clean.scale_typos
    names = [
        name
        for name, variable in config.variables.items()
        if variable.kind in SCALE_TYPO_KINDS and name in frame.columns
    ]
    if not spec.enabled:
        return StepResult(frame, empty_audit(), "Disabled: scale typos not corrected", 0)
    description = (
        f"Values {spec.factor:g} times the median of the {words.entity_noun}'s other "
        f"{words.time_plural} "
        f"(within a factor {spec.tolerance:g}) divided by {spec.factor:g}"
    )
    if not names or frame.empty:
        return StepResult(frame, empty_audit(), description, 0)
    layout = cluster_layout(frame)
    values = frame[names].to_numpy(dtype=float).T
    grid = to_grid(values, layout)
    medians = leave_one_out_median(grid)[:, layout.cluster, layout.slot]
    others = (np.sum(~np.isnan(grid), axis=-1) - 1)[:, layout.cluster]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values / medians
    typo = (
        ~np.isnan(values)
        & (others >= spec.min_obs)
        & (medians > 0)
        & (ratio >= spec.factor / spec.tolerance)
        & (ratio <= spec.factor * spec.tolerance)
    )
    corrected = np.where(typo, values / spec.factor, values)
    result = frame.copy()
    audits = []
    for position, name in enumerate(names):
        result[name] = corrected[position]
        changed = typo[position]
        reasons = np.full(len(frame), "", dtype=object)
        reasons[changed] = [
            f"scale typo: {r:.1f} times the median of the {words.entity_noun}'s other "
            f"{words.time_plural} ({m:.6g}); divided by {spec.factor:g}"
            for r, m in zip(ratio[position][changed], medians[position][changed], strict=True)
        ]
        audits.append(
            _audit_rows(step, result, name, changed, values[position], corrected[position], reasons)
        )
    audit = _audit_of(audits)
    return StepResult(result, audit, description, len(audit))


# --------------------------------------------------------------------------- 7 interpolation


def missing_cluster_years(frame: pd.DataFrame) -> int:
    """Number of years absent from the data inside each cluster's first-to-last year span."""
    if frame.empty:
        return 0
    spans = frame.groupby(ENTITY, sort=False)[TIME].agg(["min", "max", "nunique"])
    return int((spans["max"] - spans["min"] + 1 - spans["nunique"]).sum())


def _neighbours(
    values: np.ndarray, years: np.ndarray, layout: ClusterLayout
) -> dict[str, np.ndarray]:
    """Previous and next observed value and year of every cell, within its cluster.

    ``values`` is (variables x rows); each result has that shape, plus the first and last
    year of each row's cluster (rows).
    """
    grid = to_grid(values, layout)
    year_grid = to_grid(years[np.newaxis, :].astype(float), layout)[0]
    observed_year = np.where(np.isnan(grid), np.nan, year_grid)
    n_variables, n_clusters, width = grid.shape

    def along_slots(array: np.ndarray, fill: str) -> np.ndarray:
        flat = pd.DataFrame(array.reshape(-1, width).T)
        filled = flat.ffill() if fill == "forward" else flat.bfill()
        return filled.to_numpy().T.reshape(n_variables, n_clusters, width)

    def at_rows(array: np.ndarray) -> np.ndarray:
        return array[:, layout.cluster, layout.slot]

    first_year = np.nanmin(year_grid, axis=-1)[layout.cluster]
    last_year = np.nanmax(year_grid, axis=-1)[layout.cluster]
    return {
        "previous_value": at_rows(along_slots(grid, "forward")),
        "previous_year": at_rows(along_slots(observed_year, "forward")),
        "next_value": at_rows(along_slots(grid, "backward")),
        "next_year": at_rows(along_slots(observed_year, "backward")),
        "first_year": first_year,
        "last_year": last_year,
    }


def interpolate(frame: pd.DataFrame, config: ProjectConfig) -> StepResult:
    """Step 7: fill short runs of missing values within a cluster over the years.

    Gaps are measured in years, not rows: a year absent from the data counts in the length of
    a gap, and no rows are created for absent years. An interior run of missing values between
    observed years ``y0`` and ``y1`` is filled linearly in the year when
    ``y1 - y0 - 1 <= max_gap``. With ``edges == "nearest"`` a run at the start (end) of the
    cluster's rows is filled with the first (last) observed value when it spans at most
    ``max_gap`` years. Binary variables are filled inside a gap only when both neighbours are
    equal, so that they stay 0/1. ``max_gap = 0`` fills nothing. Each filled cell is audited.
    """
    step = "interpolate"
    spec = config.clean.interpolate
    words = user_names(config)
    names = [name for name in config.variables if name in frame.columns]
    absent = missing_cluster_years(frame)
    description = (
        f"Runs of at most {spec.max_gap} missing {words.time_plural} filled within "
        f"{words.entity_plural} (edges: {spec.edges}); {absent} "
        f"{words.entity_noun}-{words.time_plural} absent from the data left as they are "
        "(no rows created)"
    )
    if spec.max_gap == 0 or not names or frame.empty:
        return StepResult(frame, empty_audit(), description, 0)
    layout = cluster_layout(frame)
    values = frame[names].to_numpy(dtype=float).T
    years = frame[TIME].to_numpy(dtype=float)
    near = _neighbours(values, years, layout)
    missing = np.isnan(values)
    has_previous = ~np.isnan(near["previous_year"])
    has_next = ~np.isnan(near["next_year"])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (years - near["previous_year"]) / (near["next_year"] - near["previous_year"])
    linear = near["previous_value"] + (near["next_value"] - near["previous_value"]) * share
    binary = np.array([config.variables[name].kind == "binary" for name in names])[:, None]
    agree = near["previous_value"] == near["next_value"]
    interior = (
        missing
        & has_previous
        & has_next
        & (near["next_year"] - near["previous_year"] - 1 <= spec.max_gap)
        & (~binary | agree)
    )
    use_edges = spec.edges == "nearest"
    leading = (
        use_edges
        & missing
        & ~has_previous
        & has_next
        & (near["next_year"] - near["first_year"] <= spec.max_gap)
    )
    trailing = (
        use_edges
        & missing
        & has_previous
        & ~has_next
        & (near["last_year"] - near["previous_year"] <= spec.max_gap)
    )
    filled = np.select(
        [interior, leading, trailing],
        [linear, near["next_value"], near["previous_value"]],
        default=values,
    )
    result = frame.copy()
    audits = []
    for position, name in enumerate(names):
        result[name] = filled[position]
        changed = interior[position] | leading[position] | trailing[position]
        reasons = np.full(len(frame), "", dtype=object)
        reasons[changed] = [
            _interpolation_reason(kind, before, after)
            for kind, before, after in zip(
                np.where(interior[position], "interior", "edge")[changed],
                near["previous_year"][position][changed],
                near["next_year"][position][changed],
                strict=True,
            )
        ]
        audits.append(
            _audit_rows(step, result, name, changed, values[position], filled[position], reasons)
        )
    audit = _audit_of(audits)
    return StepResult(result, audit, description, len(audit))


def _interpolation_reason(kind: str, previous_year: float, next_year: float) -> str:
    """Audit reason of one filled cell."""
    if kind == "interior":
        return f"linear interpolation between {previous_year:.0f} and {next_year:.0f}"
    nearest = next_year if np.isnan(previous_year) else previous_year
    return f"copied from the nearest observed year {nearest:.0f}"


# --------------------------------------------------------------------------- 8 winsorisation


def winsorized_variables(config: ProjectConfig) -> list[str]:
    """Variables that are winsorised: continuous kinds, never binary or the price index."""
    price_index = config.clean.deflate.price_index
    return [
        name
        for name, variable in config.variables.items()
        if variable.kind in WINSORIZE_KINDS and name != price_index
    ]


def winsorize(frame: pd.DataFrame, config: ProjectConfig) -> StepResult:
    """Step 8: clip each continuous variable at its pooled lower and upper quantiles.

    Quantiles are computed over all non-missing values of the variable (linear
    interpolation, as :func:`numpy.quantile`). Binary variables and the price index are not
    winsorised. Each clipped cell is audited.
    """
    step = "winsorize"
    spec = config.clean.winsorize
    if not spec.enabled:
        return StepResult(frame, empty_audit(), "Disabled: no winsorisation", 0)
    result = frame.copy()
    audits = []
    for name in winsorized_variables(config):
        if name not in frame.columns:
            continue
        old = frame[name].to_numpy(dtype=float)
        observed = old[~np.isnan(old)]
        if observed.size == 0:
            continue
        low, high = np.quantile(observed, [spec.lower, spec.upper])
        new = np.clip(old, low, high)
        result[name] = new
        changed = ~np.isnan(old) & (new != old)
        reasons = np.where(
            old < low,
            f"winsorised at the pooled {spec.lower:g} quantile ({low:.6g})",
            f"winsorised at the pooled {spec.upper:g} quantile ({high:.6g})",
        )
        audits.append(_audit_rows(step, result, name, changed, old, new, reasons))
    audit = _audit_of(audits)
    description = (
        f"Continuous variables winsorised at the pooled {spec.lower:g} and {spec.upper:g} quantiles"
    )
    return StepResult(result, audit, description, len(audit))


# --------------------------------------------------------------------------- 9 incomplete rows


def required_variables(config: ProjectConfig) -> list[str]:
    """Variables every analysed row needs: indicators, control sources, carried variables.

    The carried variables (``config.passthrough``) are those a role, model, mediation, DiD or
    case-study entry names (:func:`govcluster.config.carried_variables`).
    """
    controls = [control.variable for control in config.controls.values()]
    return list(dict.fromkeys([*config.indicator_names, *controls, *config.passthrough]))


def drop_incomplete(frame: pd.DataFrame, config: ProjectConfig) -> StepResult:
    """Step 9: drop rows still missing an indicator, a control's variable or a carried variable.

    Each dropped row is audited with the list of its missing variables. Does nothing when
    ``config.clean.drop_incomplete`` is false.
    """
    step = "drop_incomplete"
    if not config.clean.drop_incomplete:
        return StepResult(frame, empty_audit(), "Disabled: incomplete rows kept", 0)
    required = required_variables(config)
    absent = [name for name in required if name not in frame.columns]
    if absent:
        raise DataValidationError(
            f"The data lack the variables {', '.join(absent)} that the analysis needs.",
            file=_source(config),
            fix="Map these variables to columns of your file under `variables`.",
        )
    missing = frame[required].isna().to_numpy()
    incomplete = missing.any(axis=1)
    names = np.array(required, dtype=object)
    _check_rows_left(frame, config, missing, incomplete, required)
    reasons = [
        "missing after interpolation: " + ", ".join(names[row]) for row in missing[incomplete]
    ]
    audit = audit_dropped_rows(step, frame.loc[incomplete], reasons)
    description = (
        "Rows still missing an indicator, a control or a variable a model or role names dropped"
    )
    return StepResult(frame.loc[~incomplete], audit, description, 0)


def _most_often_missing(
    config: ProjectConfig, missing: np.ndarray, required: Sequence[str], limit: int = 5
) -> list[tuple[str, int]]:
    """(column in the file, rows missing it) of the variables missing most often."""
    counts = missing.sum(axis=0)
    order = np.argsort(-counts, kind="stable")
    return [
        (_file_column(config, required[position]), int(counts[position]))
        for position in order[:limit]
        if counts[position] > 0
    ]


def _check_rows_left(
    frame: pd.DataFrame,
    config: ProjectConfig,
    missing: np.ndarray,
    incomplete: np.ndarray,
    required: Sequence[str],
) -> None:
    """Stop when dropping incomplete rows leaves fewer than two; warn when it drops most.

    Raises
    ------
    DataValidationError
        Naming the variables missing most often, when fewer than two rows would be left.
    """
    n_rows, n_dropped = len(frame), int(incomplete.sum())
    if n_dropped == 0:
        return
    worst = _most_often_missing(config, missing, required)
    listed = ", ".join(f"'{column}' ({count} rows)" for column, count in worst)
    kept = n_rows - n_dropped
    if kept < 2:
        raise DataValidationError(
            f"After interpolation {n_dropped} of {n_rows} rows still miss a variable the analysis "
            f"needs, so dropping them would leave {kept} row(s). Missing most often: {listed}.",
            file=_source(config),
            column=", ".join(column for column, _ in worst),
            rows=_rows_of(frame, incomplete),
            fix="fill in these columns, or stop naming variables that are rarely observed in "
            f"constructs, controls, roles and models of {config_file_in_use()}; "
            f"clean.interpolate.max_gap fills gaps within a {user_names(config).entity_noun}.",
        )
    if n_dropped > n_rows / 2:
        logger.warning(
            "drop_incomplete drops %d of %d rows (%.0f%%) still missing a needed variable; "
            "missing most often: %s. Every dropped row is in the cleaning audit.",
            n_dropped,
            n_rows,
            100 * n_dropped / n_rows,
            listed,
        )


# --------------------------------------------------------------------------- the whole


#: The cleaning steps, in the order they are applied.
STEPS: tuple[Callable[[pd.DataFrame, ProjectConfig], StepResult], ...] = (
    normalise_names,
    drop_exact_duplicates,
    parse_numbers,
    convert_units,
    fix_scale_typos,
    deflate,
    interpolate,
    winsorize,
    drop_incomplete,
)


def prepare_input(ingested: pd.DataFrame, config: ProjectConfig) -> pd.DataFrame:
    """Check the ingested frame has the columns cleaning needs; return a fresh copy.

    The copy has a fresh RangeIndex, source_row as int64 and every other non-numeric column as
    pandas "string".

    Raises
    ------
    DataValidationError
        When a key column, source_row or a configured variable is missing, or source_row
        is not a whole number.
    """
    needed = [ENTITY, TIME, SOURCE_ROW, *config.variables]
    absent = [column for column in needed if column not in ingested.columns]
    if absent:
        raise DataValidationError(
            f"The ingested data lack the columns {', '.join(absent)}.",
            fix="Run the ingest step with the same configuration before cleaning.",
        )
    frame = ingested.reset_index(drop=True).copy()
    rows = pd.to_numeric(frame[SOURCE_ROW], errors="coerce").to_numpy(dtype=float)
    if np.isnan(rows).any() or (rows != np.round(rows)).any():
        raise DataValidationError(
            "The column source_row of the ingested data must hold whole row numbers.",
            fix="Run the ingest step again.",
        )
    frame[SOURCE_ROW] = rows.astype("int64")
    for column in frame.columns:
        if column != SOURCE_ROW and not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype("string")
    return frame


def finalise_panel(frame: pd.DataFrame, config: ProjectConfig) -> pd.DataFrame:
    """Sort by (cluster_id, year), order the columns and give them their final types."""
    descriptive = [column for column in DESCRIPTIVE_COLUMNS if column in frame.columns]
    variables = list(config.variables)
    leading = [ENTITY, TIME, SOURCE_ROW, *descriptive, *variables]
    others = [column for column in frame.columns if column not in leading]
    panel = frame.loc[:, [*leading, *others]].copy()
    types = {ENTITY: "string", TIME: "int64", SOURCE_ROW: "int64"}
    types.update({column: "string" for column in descriptive})
    types.update({name: "float64" for name in variables})
    panel = panel.astype(types)
    return panel.sort_values([ENTITY, TIME], kind="stable").reset_index(drop=True)


def _sample_row(step: str, rows_in: int, result: StepResult) -> dict[str, object]:
    """The sample-construction row of one step."""
    rows_out = len(result.frame)
    return {
        "step": step,
        "description": result.description,
        "rows_in": rows_in,
        "rows_out": rows_out,
        "rows_dropped": rows_in - rows_out,
        "cells_changed": result.cells_changed,
    }


def clean_panel(ingested: pd.DataFrame, config: ProjectConfig) -> CleanResult:
    """Clean the ingested panel, auditing every dropped row and changed cell.

    Applies :data:`STEPS` in order (see the module documentation) and checks after dropping
    exact duplicates that every (cluster_id, year) key is unique.

    Parameters
    ----------
    ingested : pandas.DataFrame
        The ingested frame: cluster_id, year, source_row, the optional descriptive columns
        and one column per configured variable, as text exactly as in the raw file.
    config : ProjectConfig

    Returns
    -------
    CleanResult
        The panel, the audit and the sample-construction table. The panel keeps the
        pipeline's names (``cluster_id``, ``year``); the audit names the entity and time as
        the user's file does (:func:`audit_for_user`).

    Raises
    ------
    DataValidationError
        When the data break a rule cleaning relies on (see each step).
    """
    frame = prepare_input(ingested, config)
    audits = []
    sample = []
    for step in STEPS:
        rows_in = len(frame)
        result = step(frame, config)
        frame = result.frame
        audits.append(result.audit)
        sample.append(_sample_row(step.__name__, rows_in, result))
        if step is drop_exact_duplicates:
            check_unique_keys(frame, config)
    sample_table = pd.DataFrame(sample, columns=list(SAMPLE_COLUMNS)).astype(
        {"step": "string", "description": "string"}
    )
    return CleanResult(
        panel=finalise_panel(frame, config),
        audit=audit_for_user(_concat_audits(audits), user_names(config)),
        sample=sample_table,
    )
