"""The rules an ingested panel must follow before anything is cleaned or estimated.

:func:`validate_panel` checks, in this order, and stops at the first kind of problem found,
listing every offending row of that kind (as row numbers of the user's file):

1. every year is a whole number between 1800 and 2100 (any whole number, or a quarter or
   month label, with ``data.time_kind`` period, quarter or month), and every row has an
   entity identifier;
2. no identifier is written in two ways that denote the same number ("000123" and "123",
   "1001" and "1001.0": leading zeros lost by Excel), which would split a cluster in two;
3. (entity, year) is unique once exact duplicate rows are set aside (identifiers compared
   without whitespace, years as numbers, so that "A 1" and "A1", or 2010 and "2010.0", are
   the same key);
4. the data hold at least two entities (a single period is a cross-section, allowed);
5. every variable is numeric (as read by :func:`govcluster.parsing.parse_numeric`), and every
   variable the analysis needs (indicators, controls, passthrough, the price index) has at
   least one value; no indicator other than money has the same value in every row;
6. every money unit is one of ``data.money_units`` (when ``data.money_unit`` is configured);
7. every value is within the variable's allowed range (binary variables are 0 or 1), and
   is plausible: finite and within its kind's plausible magnitude (money in 万元; see
   :data:`govcluster.datachecks.PLAUSIBLE_MAGNITUDE`);
8. every value can be transformed as configured: the source of a ``log`` control is positive,
   of a ``log1p`` control above -1, a founding year (``age``) not after the row's year, and
   the price index used for deflation positive;
9. every province is one of the 31 provincial-level divisions (when the region is derived
   from the province);
10. each identifier describes one cluster: its name, province, industry and founding year
    are the same in every row.

Missing values are allowed: the ``clean`` step handles them. Problems that are not errors
(missing cells, exact duplicates, blank rows, shares that look like fractions, years in which
every variable is missing, clusters seen in a single year, years after the current year,
values far from the rest of their cluster or off by a power of ten) are recorded in the
:class:`ValidationReport` and logged as warnings. The shared checks live in
:mod:`govcluster.datachecks`.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from govcluster.columns import ENTITY, MONEY_UNIT, PROVINCE, SOURCE_ROW, TIME
from govcluster.config import ProjectConfig, config_file_in_use
from govcluster.datachecks import (
    SPREADSHEET_ERRORS,
    YEAR_RANGE,
    compact_text,
    constant_values,
    duplicated_key_mask,
    entity_attribute_conflicts,
    entity_keys,
    future_year_mask,
    implausible_mask,
    implausible_year_mask,
    parse_years,
    parsed_variables,
    plausible_maximum,
    screen_values,
)
from govcluster.errors import DataValidationError
from govcluster.parsing import map_text, parse_numeric, parse_period_labels
from govcluster.regions import REGION_OF, normalise_province
from govcluster.user_names import UserNames, user_names

#: Layout of ``validation.json`` (:meth:`ValidationReport.to_dict`).
VALIDATION_SCHEMA_VERSION = 2
VALIDATION_KIND = "validation_report"

#: The checks of :func:`validate_panel`, in the order they run.
CHECKS: tuple[str, ...] = (
    "years_are_integers",
    "entities_present",
    "entities_spelled_consistently",
    "keys_unique",
    "panel_has_two_entities_and_years",
    "variables_numeric",
    "needed_variables_observed",
    "indicators_vary",
    "money_units_known",
    "values_in_range",
    "values_plausible",
    "values_transformable",
    "provinces_known",
    "entity_attributes_constant",
)

#: A share (percent) variable whose values never exceed this looks like it holds fractions.
_FRACTION_LIMIT = 1.0

#: An identifier that is a whole number, possibly with leading zeros or a trailing ".0".
_NUMERIC_IDENTIFIER = re.compile(r"[+-]?0*(\d+)(?:\.0*)?")

#: :data:`_NUMERIC_IDENTIFIER` for ASCII text, in Arrow's (RE2) syntax.
_NUMERIC_IDENTIFIER_ASCII = r"^[+-]?0*(?P<number>[0-9]+)(?:\.0*)?$"

#: A number written with a decimal comma ("4,74", "1.234,5").
_DECIMAL_COMMA = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+")


def _transform_advice(kind: str) -> str:
    """Advice for a kind of value that cannot be transformed."""
    return {
        "log": "when zeros are genuine, use transform: log1p instead of log in "
        + config_file_in_use(),
        "log1p": "log1p needs values above -1: choose another transform in "
        + config_file_in_use()
        + " if not",
        "age": "a founding year after the year of its row is a typo",
        "price_index": "a price index is positive (or set clean.deflate.enabled: false)",
    }[kind]


logger = logging.getLogger(__name__)

_VALUES_SHOWN = 8
_ROWS_PER_VALUE = 5
_KEYS_SHOWN = 10


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate_panel` found in a panel that passed every check.

    Attributes
    ----------
    source : str
        The data file.
    encoding : str or None
        Text encoding of a CSV file, if known.
    n_rows : int
        Rows of the ingested panel (blank rows of the file excluded).
    n_exact_duplicates : int
        Rows identical to an earlier row in every ingested column.
    n_entities : int
        Distinct entities.
    first_year, last_year : int or None
        Year range.
    n_years : int
        Distinct years.
    missing_cells : mapping of str to int
        Missing (empty or placeholder) cells per variable.
    dropped_empty_rows : tuple of int
        File rows left out because every configured column was empty.
    ignored_columns : tuple of str
        Columns of the file that the configuration does not use.
    notes : tuple of str
        Problems found that are not errors.
    checks : tuple of str
        The checks that ran and passed (money units and provinces only when configured).
    columns : UserNames
        The entity and time columns as the user's file names them (the record's ``columns``
        field, ``{"entity": ..., "time": ...}``).
    """

    source: str
    encoding: str | None
    n_rows: int
    n_exact_duplicates: int
    n_entities: int
    first_year: int | None
    last_year: int | None
    n_years: int
    missing_cells: Mapping[str, int] = field(default_factory=dict)
    dropped_empty_rows: tuple[int, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    checks: tuple[str, ...] = CHECKS
    columns: UserNames = field(default_factory=UserNames)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON types, with ``"status": "passed"``.

        Schema version 2 added ``schema_version``, ``kind`` and ``columns`` (the user's
        names of the entity and time columns) to the fields of version 1.
        """
        content = asdict(self)
        content["missing_cells"] = dict(self.missing_cells)
        for key in ("dropped_empty_rows", "ignored_columns", "notes", "checks"):
            content[key] = list(content[key])
        content["columns"] = self.columns.to_dict()
        return {
            "schema_version": VALIDATION_SCHEMA_VERSION,
            "kind": VALIDATION_KIND,
            "status": "passed",
            **content,
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> ValidationReport:
        """Rebuild a report from :meth:`to_dict`; raise on another kind or schema version."""
        if record.get("kind") != VALIDATION_KIND:
            raise ValueError(
                f"expected a record of kind '{VALIDATION_KIND}', got {record.get('kind')!r}"
            )
        if record.get("schema_version") != VALIDATION_SCHEMA_VERSION:
            raise ValueError(
                f"validation report schema_version {record.get('schema_version')!r} is not "
                f"supported (expected {VALIDATION_SCHEMA_VERSION}); rerun the validate step"
            )
        return cls(
            source=record["source"],
            encoding=record.get("encoding"),
            n_rows=int(record["n_rows"]),
            n_exact_duplicates=int(record["n_exact_duplicates"]),
            n_entities=int(record["n_entities"]),
            first_year=record.get("first_year"),
            last_year=record.get("last_year"),
            n_years=int(record["n_years"]),
            missing_cells=dict(record.get("missing_cells") or {}),
            dropped_empty_rows=tuple(record.get("dropped_empty_rows") or ()),
            ignored_columns=tuple(record.get("ignored_columns") or ()),
            notes=tuple(record.get("notes") or ()),
            checks=tuple(record.get("checks") or ()),
            columns=UserNames.from_columns(record.get("columns")),
        )


# --------------------------------------------------------------------------- shared helpers


def exact_duplicate_mask(ingested: pd.DataFrame) -> pd.Series:
    """True for a row identical to an earlier row in every column but ``source_row``."""
    values = ingested.drop(columns=[SOURCE_ROW], errors="ignore")
    if values.shape[1] == 0:
        return pd.Series(False, index=ingested.index)
    keys = [column for column in (ENTITY, TIME) if column in values.columns]
    if not keys or len(keys) == values.shape[1]:
        return values.duplicated(keep="first")
    # Identical rows share their key columns: compare every column only where these repeat.
    candidates = values.duplicated(subset=keys, keep=False).to_numpy()
    copies = pd.Series(False, index=ingested.index)
    if candidates.any():
        copies[candidates] = values.loc[candidates].duplicated(keep="first").to_numpy()
    return copies


def describe_values(values: pd.Series, rows: pd.Series, *, limit: int = _VALUES_SHOWN) -> str:
    """``'x' (rows 3, 5), '' (row 9)``: distinct offending values and their file rows."""
    by_value: dict[str, list[int]] = {}
    for value, row in zip(values.tolist(), rows.tolist(), strict=True):
        shown = "(empty)" if _is_missing(value) else repr(str(value))
        by_value.setdefault(shown, []).append(int(row))
    parts = []
    for shown, value_rows in list(by_value.items())[:limit]:
        listed = ", ".join(str(r) for r in value_rows[:_ROWS_PER_VALUE])
        if len(value_rows) > _ROWS_PER_VALUE:
            listed += f", ... ({len(value_rows)} rows)"
        parts.append(f"{shown} (row{'s' if len(value_rows) > 1 else ''} {listed})")
    if len(by_value) > limit:
        parts.append(f"... and {len(by_value) - limit} more distinct values")
    return ", ".join(parts)


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _rows(ingested: pd.DataFrame, mask: pd.Series | np.ndarray) -> list[int]:
    return sorted(int(row) for row in ingested.loc[np.asarray(mask, bool), SOURCE_ROW])


# --------------------------------------------------------------------------- validation


def validate_panel(
    ingested: pd.DataFrame,
    config: ProjectConfig,
    *,
    source: str,
    current_year: int | None = None,
) -> ValidationReport:
    """Check the rules of the panel; raise on the first kind of problem found.

    Parameters
    ----------
    ingested : pandas.DataFrame
        The output of :func:`govcluster.ingest.ingest_table` (canonical column names,
        ``source_row``).
    config : ProjectConfig
        The configuration (column names in the user's file, units, bounds).
    source : str
        The data file, for error messages.
    current_year : int, optional
        Years after it are flagged as lying in the future (default: this year).

    Returns
    -------
    ValidationReport

    Raises
    ------
    DataValidationError
        Naming the file, the column as named in the file, every offending row (file row
        numbers) and the fix.
    """
    data = config.data
    names = user_names(config)
    if current_year is None:
        current_year = datetime.date.today().year
    entity_column = data.entity or "(file row number)"
    time_column = data.time or "(one period: a cross-section)"
    years = check_years(
        ingested, column=time_column, source=source, kind=data.time_kind, names=names
    )
    entities = check_entities(ingested, column=entity_column, source=source, names=names)
    check_entity_spellings(ingested, entities, column=entity_column, source=source, names=names)
    exact = exact_duplicate_mask(ingested)
    check_unique_keys(
        ingested,
        entities,
        years,
        exact,
        dropped_by_clean=config.clean.drop_exact_duplicates,
        columns=(entity_column, time_column),
        source=source,
        names=names,
    )
    check_panel_size(
        entities, years, columns=(entity_column, time_column), source=source, names=names
    )
    parsed = check_numeric(ingested, config, source=source)
    check_needed_variables(parsed, config, source=source)
    check_indicators_vary(parsed, config, source=source)
    skipped = set()
    if data.money_unit:
        check_money_units(ingested, config, source=source)
    else:
        skipped.add("money_units_known")
    check_ranges(ingested, parsed, config, source=source)
    check_plausible(ingested, config, source=source, names=names, numbers=parsed)
    check_transformable(ingested, parsed, years, config, source=source)
    if data.province and not data.region:
        check_provinces(ingested, column=data.province, source=source)
    else:
        skipped.add("provinces_known")
    check_entity_attributes(ingested, entities, config, source=source, names=names)

    missing_cells = {name: int(values.isna().sum()) for name, values in parsed.items()}
    warnings = [
        *_suspicious_values_notes(config, parsed, years),
        *_single_year_notes(entities, years, names=names),
        *(
            _future_year_notes(ingested, years, column=time_column, current_year=current_year)
            if data.time_kind == "year"
            else []
        ),
        *screened_value_notes(ingested, entities, years, config, numbers=parsed),
    ]
    for note in warnings:
        logger.warning("data note: %s", note)
    ordinary = _notes(ingested, config, exact, missing_cells)
    for note in ordinary:
        logger.info("data note: %s", note)
    notes = [*warnings, *ordinary]
    attrs = ingested.attrs
    return ValidationReport(
        source=str(source),
        encoding=attrs.get("encoding"),
        n_rows=len(ingested),
        n_exact_duplicates=int(exact.sum()),
        n_entities=int(entities.nunique()),
        first_year=int(years.min()) if years.notna().any() else None,
        last_year=int(years.max()) if years.notna().any() else None,
        n_years=int(years.nunique()),
        missing_cells=missing_cells,
        dropped_empty_rows=tuple(int(r) for r in attrs.get("dropped_empty_rows", [])),
        ignored_columns=tuple(str(c) for c in attrs.get("ignored_columns", [])),
        notes=tuple(notes),
        checks=tuple(check for check in CHECKS if check not in skipped),
        columns=names,
    )


def check_years(
    ingested: pd.DataFrame,
    *,
    column: str,
    source: str,
    kind: str = "year",
    names: UserNames | None = None,
) -> pd.Series:
    """The parsed years or periods (Int64); raise when one is missing, not whole or implausible.

    With ``kind="year"`` (``data.time_kind``) a plausible year lies in :data:`YEAR_RANGE`;
    "12" for 2012 or "2105" for 2015 do not, and quarters or months written as labels
    (2010Q1, 2010-03) ask for ``data.time_kind: quarter`` or ``month``. With ``period``,
    ``quarter`` or ``month`` any whole number is a period (quarters and months written as
    labels are numbered consecutively, see :func:`govcluster.parsing.parse_period_labels`).
    """
    names = names or UserNames()
    parsed, invalid = parse_years(ingested[TIME])
    labelled = parse_period_labels(ingested[TIME]) is not None
    if kind == "year" and labelled:
        raise DataValidationError(
            "The time column holds quarters or months (e.g. "
            + describe_values(ingested[TIME].head(3), ingested[SOURCE_ROW].head(3))
            + "), but data.time_kind is year.",
            file=source,
            column=column,
            fix=f"set data.time_kind: quarter (or month) in {config_file_in_use()}.",
        )
    if kind in ("period", "quarter", "month"):
        low, high = YEAR_RANGE
        implausible = pd.Series(False, index=parsed.index)
    else:
        low, high = YEAR_RANGE
        implausible = ~invalid & implausible_year_mask(parsed)
    if implausible.any() and not invalid.any():
        raise DataValidationError(
            f"{int(implausible.sum())} row(s) have a year outside {low}-{high}: "
            + describe_values(
                ingested.loc[implausible, TIME], ingested.loc[implausible, SOURCE_ROW]
            ),
            file=source,
            column=column,
            rows=_rows(ingested, implausible),
            fix=(
                "write every year with four digits (2012, not 12) and correct typos such as "
                "2105 for 2015; if the column holds periods numbered 1, 2, 3, ... (or 81, 82, "
                f"...), set data.time_kind: period in {config_file_in_use()}."
            ),
        )
    if invalid.any():
        raise DataValidationError(
            f"{int(invalid.sum())} row(s) have a {names.time_noun} that is missing or not a whole "
            "number: "
            + describe_values(ingested.loc[invalid, TIME], ingested.loc[invalid, SOURCE_ROW]),
            file=source,
            column=column,
            rows=_rows(ingested, invalid),
            fix=(
                "write every year as a plain number such as 2010 (no 年, no date, no decimals; "
                "a column formatted as a date in Excel must become a number), and delete rows "
                "that are not data, such as notes or totals under the table."
            ),
        )
    return parsed


def check_entities(
    ingested: pd.DataFrame, *, column: str, source: str, names: UserNames | None = None
) -> pd.Series:
    """The entity keys; raise when a row has no entity identifier."""
    names = names or UserNames()
    keys = entity_keys(ingested[ENTITY])
    missing = keys.isna()
    if missing.any():
        raise DataValidationError(
            f"{int(missing.sum())} row(s) have no entity ({names.entity_noun}) identifier.",
            file=source,
            column=column,
            rows=_rows(ingested, missing),
            fix=(
                f"fill in the identifier in column '{column}', or delete rows that are not "
                "data (notes, totals); if another column identifies the "
                f"{names.entity_plural}, set data.entity in {config_file_in_use()} to it."
            ),
        )
    return keys


def check_entity_spellings(
    ingested: pd.DataFrame,
    entities: pd.Series,
    *,
    column: str,
    source: str,
    names: UserNames | None = None,
) -> None:
    """Raise when identifiers differ only in how a number is written ("000123" and "123").

    Excel drops the leading zeros of an identifier stored as a number, and a float column
    writes "1001.0"; left alone, such rows would become a second cluster.
    """
    names = names or UserNames()
    keys = [str(key) for key in np.asarray(entities.dropna().unique(), dtype=object)]
    numbers = pd.Series(_identifier_numbers(keys), dtype=object)
    spelled = pd.DataFrame({"number": numbers, "key": keys}).dropna()
    n_spellings = spelled.groupby("number", sort=False)["key"].nunique()
    clashing = spelled.loc[spelled["number"].isin(n_spellings.index[n_spellings > 1])]
    clashes = {
        number: set(group["key"]) for number, group in clashing.groupby("number", sort=False)
    }
    if not clashes:
        return
    offending = entities.isin({name for names in clashes.values() for name in names})
    offending = offending.fillna(False).astype(bool)
    lines = []
    for number in sorted(clashes, key=lambda n: int(n))[:_KEYS_SHOWN]:
        mask = entities.isin(clashes[number]).fillna(False).astype(bool)
        lines.append(
            f"    {number}: "
            + describe_values(ingested.loc[mask, ENTITY], ingested.loc[mask, SOURCE_ROW])
        )
    if len(clashes) > _KEYS_SHOWN:
        lines.append(f"    ... and {len(clashes) - _KEYS_SHOWN} more identifiers")
    raise DataValidationError(
        f"{len(clashes)} identifier(s) are written in more than one way in '{column}' (with and "
        f"without leading zeros, or with a decimal part), so one {names.entity_noun} would be "
        "split in two:\n" + "\n".join(lines),
        file=source,
        column=column,
        rows=_rows(ingested, offending),
        fix=(
            "write each identifier the same way in every row. Excel drops leading zeros when "
            "it stores an identifier as a number: format the column as text and write the "
            'zeros back (for example with =TEXT(A2,"000000")), or remove the leading zeros '
            "everywhere."
        ),
    )


def _identifier_numbers(keys: list[str]) -> list[str | None]:
    """The number an identifier writes (``"000123"`` and ``"123.0"``: ``"123"``), else None.

    ASCII identifiers are matched in bulk by Arrow (the pattern of
    :data:`_NUMERIC_IDENTIFIER` with the digits 0-9, the only digits of ASCII text); others,
    which may hold digits of other scripts, one by one.
    """
    numbers: list[str | None] = [None] * len(keys)
    try:
        text = pa.array(keys, type=pa.large_string())
    except (pa.ArrowException, UnicodeError):
        text = None
    ascii_text = (
        np.zeros(len(keys), dtype=bool)
        if text is None
        else pc.string_is_ascii(text).to_numpy(zero_copy_only=False)
    )
    if ascii_text.any():
        positions = np.flatnonzero(ascii_text)
        found = pc.extract_regex(pc.take(text, pa.array(positions)), _NUMERIC_IDENTIFIER_ASCII)
        matched = found.is_valid().to_numpy(zero_copy_only=False)
        digits = pc.struct_field(found, "number").to_pylist()
        for position, match, number in zip(positions.tolist(), matched, digits, strict=True):
            if match:
                numbers[position] = number
    for position in np.flatnonzero(~ascii_text).tolist():
        match = _NUMERIC_IDENTIFIER.fullmatch(keys[position])
        if match:
            numbers[position] = match.group(1)
    return numbers


def check_panel_size(
    entities: pd.Series,
    years: pd.Series,
    *,
    columns: tuple[str, str],
    source: str,
    names: UserNames | None = None,
) -> None:
    """Raise when the data hold fewer than two entities.

    A single period is a cross-section: it passes here, and the models whose assumptions
    need a panel (fixed or random effects, first differences, lags) stop before estimation
    with a message naming the model (:func:`govcluster.panel.sample.check_panel_model`).
    """
    names = names or UserNames()
    entity_column, time_column = columns
    n_entities = int(entities.nunique())
    if n_entities < 2:
        noun, plural = names.entity_noun, names.entity_plural
        raise DataValidationError(
            f"The data hold a single {noun} ({entities.dropna().iloc[0]!r}); a panel needs at "
            f"least two {plural}.",
            file=source,
            column=entity_column,
            fix=(
                f"add the other {plural} to the file, or check that data.entity in "
                f"{config_file_in_use()} names the column that identifies the {plural}."
            ),
        )


def check_unique_keys(
    ingested: pd.DataFrame,
    entities: pd.Series,
    years: pd.Series,
    exact_copies: pd.Series,
    *,
    dropped_by_clean: bool,
    columns: tuple[str, str],
    source: str,
    names: UserNames | None = None,
) -> None:
    """Raise when an (entity, year) pair occurs more than once among the rows kept.

    ``exact_copies`` marks rows identical to an earlier row; they are not counted when
    ``dropped_by_clean`` (``clean.drop_exact_duplicates``). The error lists every row of each
    duplicated pair, exact copies included.
    """
    names = names or UserNames()
    keys = pd.DataFrame({"entity": entities, "year": years})
    kept = keys.loc[~exact_copies.to_numpy()] if dropped_by_clean else keys
    duplicated_keys = kept.loc[
        duplicated_key_mask(kept["entity"], kept["year"]).to_numpy()
    ].drop_duplicates()
    if duplicated_keys.empty:
        return
    offending = keys.merge(
        duplicated_keys.assign(_offending=True), how="left", on=["entity", "year"]
    )
    mask = offending["_offending"].fillna(False).astype(bool).to_numpy()
    rows = ingested.loc[mask, SOURCE_ROW].to_numpy()
    groups = keys.loc[mask].assign(row=rows).groupby(["entity", "year"], sort=True)["row"]
    lines = [
        f"    {names.key(entity, year)}: rows {', '.join(str(r) for r in sorted(group))}"
        for (entity, year), group in list(groups)[:_KEYS_SHOWN]
    ]
    if len(duplicated_keys) > _KEYS_SHOWN:
        lines.append(f"    ... and {len(duplicated_keys) - _KEYS_SHOWN} more pairs")
    entity_column, time_column = columns
    if dropped_by_clean:
        copies_note = (
            "Rows identical in every configured column are not counted, since the clean step "
            "drops them."
        )
    else:
        copies_note = (
            "Rows identical in every configured column count too, since "
            f"clean.drop_exact_duplicates is false in {config_file_in_use()}."
        )
    raise DataValidationError(
        f"{len(duplicated_keys)} ({entity_column}, {time_column}) pair(s) occur in more than "
        f"one row; each {names.entity_noun} may have one row per {names.time_noun}. "
        f"{copies_note}\n" + "\n".join(lines),
        file=source,
        column=f"{entity_column}, {time_column}",
        rows=sorted(int(r) for r in rows),
        fix=(
            f"keep one row per {names.entity_noun} and {names.time_noun}: delete or correct the "
            f"extra rows, or, if they are different {names.entity_plural}, give them different "
            f"identifiers in '{entity_column}'."
        ),
    )


def check_numeric(
    ingested: pd.DataFrame, config: ProjectConfig, *, source: str
) -> dict[str, pd.Series]:
    """Every variable parsed to float; raise when cells hold text that is not a number."""
    parsed: dict[str, pd.Series] = {}
    problems: list[tuple[str, str, pd.Series]] = []
    for name, spec in config.variables.items():
        values, unreadable = parse_numeric(ingested[name])
        parsed[name] = values
        if unreadable.any():
            problems.append((name, spec.column, unreadable))
    if problems:
        lines = [
            f"    '{column}': "
            + describe_values(ingested.loc[mask, name], ingested.loc[mask, SOURCE_ROW])
            for name, column, mask in problems
        ]
        any_bad = np.logical_or.reduce([mask.to_numpy() for _, _, mask in problems])
        bad_text = pd.concat([ingested.loc[mask, name] for name, _, mask in problems])
        decimal_comma = bad_text.astype("string").str.strip().str.fullmatch(_DECIMAL_COMMA)
        comma_advice = (
            " Numbers such as '4,74' use a decimal comma: write a decimal point (4.74), for "
            "example by saving the file with English (United States) number settings."
            if decimal_comma.fillna(False).astype(bool).any()
            else ""
        )
        spreadsheet = bad_text.astype("string").str.strip().str.lower().isin(SPREADSHEET_ERRORS)
        if spreadsheet.fillna(False).astype(bool).any():
            comma_advice += (
                " Cells such as '#DIV/0!' or '#N/A' are errors of a spreadsheet formula: correct "
                "the formula, or leave the cell empty if the value is unknown."
            )
        infinite = bad_text.astype("string").str.strip().str.lower().str.lstrip("+-")
        if infinite.isin(["inf", "infinity", "∞"]).fillna(False).astype(bool).any():
            comma_advice += (
                " Values such as 'inf' are infinite (a division by zero in the program that "
                "wrote the file?): write the real value, or leave the cell empty."
            )
        raise DataValidationError(
            f"{len(problems)} numeric column(s) hold text that is not a number:\n"
            + "\n".join(lines),
            file=source,
            column=", ".join(column for _, column, _ in problems),
            rows=_rows(ingested, any_bad),
            fix=(
                "write plain numbers in these cells (thousands separators, full-width digits "
                "and a trailing % are fine; no units or notes such as 万 or 约); leave a cell "
                "empty, or write '-' or NA, when the value is missing." + comma_advice
            ),
        )
    return parsed


def needed_variables(config: ProjectConfig) -> dict[str, str]:
    """Variables the analysis reads -> what it uses them for (indicator, control, ...)."""
    uses: dict[str, list[str]] = {}
    for construct in config.constructs.values():
        for name in construct.indicator_names:
            uses.setdefault(name, []).append(f"indicator of {construct.name}")
    for control in config.controls.values():
        uses.setdefault(control.variable, []).append(f"source of control {control.name}")
    for name in config.passthrough:
        uses.setdefault(name, []).append("passthrough")
    deflate = config.clean.deflate
    if deflate.enabled and deflate.price_index:
        uses.setdefault(deflate.price_index, []).append("price index of clean.deflate")
    return {name: ", ".join(used) for name, used in uses.items() if name in config.variables}


def check_needed_variables(
    parsed: Mapping[str, pd.Series], config: ProjectConfig, *, source: str
) -> None:
    """Raise when a variable the analysis needs has no value in any row.

    Such a column (a wrong mapping, or a series the source does not report) would otherwise
    make the clean step drop every row as incomplete.
    """
    empty = [
        (name, use)
        for name, use in needed_variables(config).items()
        if name in parsed and parsed[name].isna().all()
    ]
    if not empty:
        return
    lines = [f"    {_described(config.variables[name].column, name)}: {use}" for name, use in empty]
    raise DataValidationError(
        f"{len(empty)} column(s) that the analysis needs are empty in every row:\n"
        + "\n".join(lines),
        file=source,
        column=", ".join(config.variables[name].column for name, _ in empty),
        fix=(
            "fill in these columns, or check that variables.<name>.column in "
            f"{config_file_in_use()} names the right column; if the data do not have the variable, "
            "remove it from constructs, controls and passthrough (and set "
            "clean.deflate.enabled: false for a missing price index)."
        ),
    )


def check_indicators_vary(
    parsed: Mapping[str, pd.Series], config: ProjectConfig, *, source: str
) -> None:
    """Raise when an indicator has the same value in every row where it is observed.

    Such an indicator stays constant through cleaning and carries no information for its
    construct's index. Money indicators are left to the indices step, since rows reported in
    different units or deflated by a varying price index make equal numbers differ.
    """
    constant = []
    for construct in config.constructs.values():
        columns = {
            name: parsed[name]
            for name in construct.indicator_names
            if name in parsed and config.variables[name].kind != "money"
        }
        for name, value in constant_values(columns).items():
            constant.append((construct.name, name, value))
    if not constant:
        return
    lines = [
        f"    {_described(config.variables[name].column, name)} of construct {construct}: "
        f"{value:g} in every row"
        for construct, name, value in constant
    ]
    owners = ", ".join(
        f"'{name}' from constructs.{construct}.indicators" for construct, name, _ in constant
    )
    raise DataValidationError(
        f"{len(constant)} indicator(s) have the same value in every row, so they carry no "
        "information for their index:\n" + "\n".join(lines),
        file=source,
        column=", ".join(config.variables[name].column for _, name, _ in constant),
        fix=f"check the data, or remove {owners} in {config_file_in_use()}.",
    )


def check_money_units(ingested: pd.DataFrame, config: ProjectConfig, *, source: str) -> None:
    """Raise when a row's money unit is missing or not a key of ``data.money_units``.

    Whitespace around and inside a unit is ignored ("亿 元" is 亿元), as in the clean step.
    """
    column = config.data.money_unit
    known = config.data.money_units
    units = compact_text(ingested[MONEY_UNIT])
    missing = units.isna()
    unknown = units.notna() & ~units.isin(list(known))
    if not (missing.any() or unknown.any()):
        return
    lines = []
    if unknown.any():
        lines.append(
            "    unknown units: "
            + describe_values(ingested.loc[unknown, MONEY_UNIT], ingested.loc[unknown, SOURCE_ROW])
        )
    if missing.any():
        lines.append(
            f"    missing unit in {int(missing.sum())} row(s): "
            + ", ".join(str(r) for r in _rows(ingested, missing)[:_KEYS_SHOWN])
        )
    known_units = ", ".join(f"{unit} (= {factor:g} 万元)" for unit, factor in known.items())
    hint = encoding_hint(ingested.loc[unknown, MONEY_UNIT], ingested.attrs.get("encoding"))
    raise DataValidationError(
        f"The money unit of some rows is not one of the known units ({known_units}):\n"
        + "\n".join(lines)
        + hint,
        file=source,
        column=column,
        rows=_rows(ingested, missing | unknown),
        fix=(
            f"write one of the known units in column '{column}' of every row, or add the unit "
            f"with its value in 万元 to data.money_units in {config_file_in_use()} (for example "
            "money_units: {元: 0.0001, 千元: 0.1, 万元: 1, 亿元: 10000, 十亿元: 100000}); if "
            "all money is in 万元, set data.money_unit: null."
        ),
    )


def check_ranges(
    ingested: pd.DataFrame,
    parsed: Mapping[str, pd.Series],
    config: ProjectConfig,
    *,
    source: str,
) -> None:
    """Raise when a value lies outside its variable's bounds (binary: other than 0 and 1).

    Money values are checked in the unit they are written in; their only default bound is 0.
    """
    lines = []
    offending_columns = []
    any_bad = np.zeros(len(ingested), dtype=bool)
    for name, spec in config.variables.items():
        values = parsed[name]
        outside = _outside_bounds(values, spec.kind, spec.minimum, spec.maximum)
        if not outside.any():
            continue
        offending_columns.append(spec.column)
        any_bad |= outside.to_numpy()
        lines.append(
            f"    '{spec.column}' ({_bounds_text(spec.kind, spec.minimum, spec.maximum)}): "
            + describe_values(ingested.loc[outside, name], ingested.loc[outside, SOURCE_ROW])
        )
    if offending_columns:
        raise DataValidationError(
            f"{len(offending_columns)} column(s) hold values outside their allowed range:\n"
            + "\n".join(lines),
            file=source,
            column=", ".join(offending_columns),
            rows=_rows(ingested, any_bad),
            fix=(
                "correct these values in the file (a share is a percentage between 0 and "
                "100; counts and amounts cannot be negative); if the range itself is wrong, "
                "set min/max or the kind of the variable under variables in "
                f"{config_file_in_use()}."
            ),
        )


def _outside_bounds(
    values: pd.Series, kind: str, minimum: float | None, maximum: float | None
) -> pd.Series:
    present = values.notna()
    outside = pd.Series(False, index=values.index)
    if kind == "binary":
        outside |= present & ~values.isin([0.0, 1.0])
    if minimum is not None:
        outside |= present & (values < minimum)
    if maximum is not None:
        outside |= present & (values > maximum)
    return outside


def _bounds_text(kind: str, minimum: float | None, maximum: float | None) -> str:
    if kind == "binary":
        return "must be 0 or 1"
    low = "-inf" if minimum is None else f"{minimum:g}"
    high = "inf" if maximum is None else f"{maximum:g}"
    return f"allowed {low} to {high}"


def check_transformable(
    ingested: pd.DataFrame,
    parsed: Mapping[str, pd.Series],
    years: pd.Series,
    config: ProjectConfig,
    *,
    source: str,
) -> None:
    """Raise when a value cannot be transformed as the configuration asks.

    The source of a ``log`` control must be positive and of a ``log1p`` control above -1; a
    founding year (``age`` control) cannot be after the row's year; the price index of
    ``clean.deflate`` must be positive. Cleaning keeps the sign of every value (units and
    deflation multiply by positive factors), so these checks on the values as written hold
    after cleaning too.
    """
    year_values = years.astype("float64")
    rules: list[tuple[str, str, str, pd.Series]] = []
    for control in config.controls.values():
        if control.variable not in parsed:
            continue
        values = parsed[control.variable]
        if control.transform == "log":
            rules.append(
                (control.variable, "log", f"control {control.name}: log needs > 0", values <= 0)
            )
        elif control.transform == "log1p":
            rules.append(
                (
                    control.variable,
                    "log1p",
                    f"control {control.name}: log1p needs > -1",
                    values <= -1,
                )
            )
        elif control.transform == "age":
            rules.append(
                (
                    control.variable,
                    "age",
                    f"control {control.name}: age = year - value needs a value not after the year",
                    values > year_values,
                )
            )
    deflate = config.clean.deflate
    if deflate.enabled and deflate.price_index in parsed:
        values = parsed[deflate.price_index]
        rules.append(
            (
                deflate.price_index,
                "price_index",
                "price index of clean.deflate: needs > 0",
                values <= 0,
            )
        )
    lines = []
    columns = []
    kinds = []
    any_bad = np.zeros(len(ingested), dtype=bool)
    for name, kind, rule, bad in rules:
        bad = bad.fillna(False).astype(bool)
        if not bad.any():
            continue
        kinds.append(kind)
        column = config.variables[name].column
        columns.append(column)
        any_bad |= bad.to_numpy()
        lines.append(
            f"    '{column}' ({rule}): "
            + describe_values(ingested.loc[bad, name], ingested.loc[bad, SOURCE_ROW])
        )
    if not lines:
        return
    raise DataValidationError(
        f"{len(lines)} column(s) hold values that cannot be transformed as configured:\n"
        + "\n".join(lines),
        file=source,
        column=", ".join(dict.fromkeys(columns)),
        rows=_rows(ingested, any_bad),
        fix="correct these values in the file; "
        + "; ".join(dict.fromkeys(_transform_advice(kind) for kind in kinds))
        + ".",
    )


def check_provinces(ingested: pd.DataFrame, *, column: str, source: str) -> None:
    """Raise when a province is not one of the 31 provincial-level divisions."""
    provinces = ingested[PROVINCE]
    normalised = map_text(provinces, normalise_province)
    present = compact_text(provinces).notna()
    unknown = present & ~normalised.isin(list(REGION_OF)).fillna(False).astype(bool)
    if not unknown.any():
        return
    raise DataValidationError(
        f"{int(unknown.sum())} row(s) name a province that is not one of the 31 provincial-"
        "level divisions of mainland China: "
        + describe_values(provinces.loc[unknown], ingested.loc[unknown, SOURCE_ROW])
        + encoding_hint(provinces.loc[unknown], ingested.attrs.get("encoding")),
        file=source,
        column=column,
        rows=_rows(ingested, unknown),
        fix=(
            "write the official or short name (浙江省 or 浙江) or the English name (Zhejiang); "
            "for places outside the 31 divisions give the region as a column of the file and "
            f"name it in data.region in {config_file_in_use()}."
        ),
    )


def encoding_hint(values: pd.Series, encoding: str | None) -> str:
    """A sentence pointing at ``data.encoding`` when ``values`` look wrongly decoded.

    Chinese text read with a Western codec (latin-1, cp1252) turns into accented Latin
    letters ("ÍòÔª" for 万元); a wrong multi-byte codec leaves replacement characters.
    """
    texts = [str(v) for v in values.dropna().unique()]
    garbled = [
        t
        for t in texts
        if "\ufffd" in t or (any(ord(c) > 127 for c in t) and all(ord(c) < 0x250 for c in t))
    ]
    if not garbled:
        return ""
    read_as = f" (read as {encoding})" if encoding else ""
    return (
        f"\n  These values look like text decoded with the wrong encoding{read_as}: check "
        f"data.encoding in {config_file_in_use()} (auto detects UTF-8 and GBK/GB18030)."
    )


def check_plausible(
    ingested: pd.DataFrame,
    config: ProjectConfig,
    *,
    source: str,
    names: UserNames | None = None,
    numbers: Mapping[str, pd.Series] | None = None,
) -> None:
    """Raise when a value cannot be right: infinite, or beyond its kind's plausible magnitude.

    Money is compared in 万元 (converted by each row's unit); the caps are
    :data:`govcluster.datachecks.PLAUSIBLE_MAGNITUDE` and apply when the variable has no
    configured ``max``. Such values must be stopped before cleaning, since winsorising would
    clip them silently and without winsorising they would dominate every estimate.
    """
    names = names or user_names(config)
    parsed = parsed_variables(ingested, config, numbers=numbers)
    lines = []
    columns = []
    any_bad = np.zeros(len(ingested), dtype=bool)
    for name, spec in config.variables.items():
        bad = implausible_mask(parsed[name], kind=spec.kind, maximum=spec.maximum)
        if not bad.any():
            continue
        cap = plausible_maximum(spec.kind, spec.maximum)
        limit = f"plausible up to {cap:g}" + (" 万元" if spec.kind == "money" else "")
        columns.append(spec.column)
        any_bad |= bad.to_numpy()
        lines.append(
            f"    '{spec.column}' ({spec.kind}, {limit if cap else 'must be finite'}): "
            + describe_values(ingested.loc[bad, name], ingested.loc[bad, SOURCE_ROW])
        )
    if not lines:
        return
    raise DataValidationError(
        f"{len(lines)} column(s) hold values that cannot be right (infinite, or larger than "
        f"any {names.entity_noun} could report):\n" + "\n".join(lines),
        file=source,
        column=", ".join(columns),
        rows=_rows(ingested, any_bad),
        fix=(
            "correct these values in the file (a unit mix-up, extra digits or a formula "
            "error?); if such magnitudes are genuine, set max for the variable under "
            f"variables in {config_file_in_use()}."
        ),
    )


def check_entity_attributes(
    ingested: pd.DataFrame,
    entities: pd.Series,
    config: ProjectConfig,
    *,
    source: str,
    names: UserNames | None = None,
) -> None:
    """Raise when one identifier carries several names, provinces, industries or founding years.

    Two different clusters sharing an identifier would otherwise be merged into one.
    """
    names = names or user_names(config)
    conflicts = entity_attribute_conflicts(ingested, entities, config)
    if conflicts.empty:
        return
    entity_column = config.data.entity or "(file row number)"
    lines = []
    shown_entities = list(dict.fromkeys(conflicts[ENTITY]))
    for entity in shown_entities[:_KEYS_SHOWN]:
        for attribute, group in conflicts.loc[conflicts[ENTITY] == entity].groupby(
            "attribute", sort=False
        ):
            values = "; ".join(
                f"{value!r} (rows {rows})"
                for value, rows in zip(group["value"], group["source_rows"], strict=True)
            )
            lines.append(
                f"    {names.entity}={entity}, {attribute} ('{group['column'].iloc[0]}'): {values}"
            )
    if len(shown_entities) > _KEYS_SHOWN:
        lines.append(f"    ... and {len(shown_entities) - _KEYS_SHOWN} more identifiers")
    rows = sorted({int(r) for text in conflicts["source_rows"] for r in str(text).split(", ")})
    raise DataValidationError(
        f"{len(shown_entities)} identifier(s) in '{entity_column}' carry conflicting "
        "descriptions (name, province, industry or founding year differ between rows), so "
        f"they may be different {names.entity_plural} merged into one:\n" + "\n".join(lines),
        file=source,
        column=", ".join(dict.fromkeys(conflicts["column"])),
        rows=rows,
        fix=(
            f"give different {names.entity_plural} different identifiers, or correct the "
            f"descriptive columns so that each {names.entity_noun} is described the same way in "
            f"every {names.time_noun}."
        ),
    )


def screened_value_notes(
    ingested: pd.DataFrame,
    entities: pd.Series,
    years: pd.Series,
    config: ProjectConfig,
    *,
    numbers: Mapping[str, pd.Series] | None = None,
) -> list[str]:
    """Warnings for values far from their entity's other years (outliers, powers of ten).

    ``numbers``: variables already parsed (:func:`check_numeric`), not read again.
    """
    names = user_names(config)
    parsed = parsed_variables(ingested, config, numbers=numbers)
    flagged = screen_values(parsed, entities, years, ingested[SOURCE_ROW], config)
    notes = []
    for (check, column), group in flagged.groupby(["check", "column"], sort=False):
        cells = ", ".join(
            f"row {row} ({value:g}: {reason})"
            for row, value, reason in zip(
                group[SOURCE_ROW][:5], group["value"][:5], group["reason"][:5], strict=True
            )
        )
        more = f", ... ({len(group)} in all)" if len(group) > 5 else ""
        what = "off by a power of ten" if check == "scale" else "robust outliers"
        notes.append(
            f"'{column}': {len(group)} value(s) {what} within their {names.entity_noun}, not "
            "corrected: "
            f"{cells}{more}. Check them in the file; data_quality.md lists them all."
        )
    return notes


def _future_year_notes(
    ingested: pd.DataFrame, years: pd.Series, *, column: str, current_year: int
) -> list[str]:
    """A warning for rows dated after the current year."""
    future = future_year_mask(years, current_year=current_year)
    if not future.any():
        return []
    return [
        f"{int(future.sum())} row(s) have a year after {current_year} in '{column}' (file rows "
        f"{_short_list(_rows(ingested, future))}): data cannot come from the future; check for "
        "typos such as 2032 for 2023."
    ]


# --------------------------------------------------------------------------- notes


def _notes(
    ingested: pd.DataFrame,
    config: ProjectConfig,
    exact: pd.Series,
    missing_cells: Mapping[str, int],
) -> list[str]:
    notes = []
    n_exact = int(exact.sum())
    if n_exact:
        action = "drops" if config.clean.drop_exact_duplicates else "keeps"
        notes.append(
            f"{n_exact} row(s) are exact copies of an earlier row (file rows "
            f"{_short_list(_rows(ingested, exact))}); the clean step {action} them."
        )
    dropped = list(ingested.attrs.get("dropped_empty_rows", []))
    if dropped:
        notes.append(
            f"{len(dropped)} blank row(s) of the file were skipped (file rows "
            f"{_short_list(dropped)})."
        )
    total_missing = sum(missing_cells.values())
    if total_missing:
        worst = sorted(missing_cells.items(), key=lambda item: -item[1])[:3]
        shares = ", ".join(
            f"{config.variables[name].column} {count / max(len(ingested), 1):.1%}"
            for name, count in worst
            if count
        )
        notes.append(f"{total_missing} missing cell(s) in the variables; most missing: {shares}.")
    if config.data.province and PROVINCE in ingested:
        n_no_province = int(compact_text(ingested[PROVINCE]).isna().sum())
        if n_no_province:
            notes.append(f"{n_no_province} row(s) have no province ({config.data.province}).")
    return notes


def _suspicious_values_notes(
    config: ProjectConfig, parsed: Mapping[str, pd.Series], years: pd.Series | None
) -> list[str]:
    """Shares that look like fractions, empty or constant columns, years without any value."""
    notes = []
    indicators = set(config.indicator_names)
    needed = {name: use for name, use in needed_variables(config).items() if name not in indicators}
    for name, spec in config.variables.items():
        values = parsed[name].dropna()
        if values.empty:
            notes.append(
                f"{_described(spec.column, name)} is empty in every row; the analysis does not "
                "use it."
            )
            continue
        if name in needed and len(values) > 1 and values.min() == values.max():
            notes.append(
                f"{_described(spec.column, name)} has the same value ({values.iloc[0]:g}) in "
                f"every row; as {needed[name]} it carries no information."
            )
        upper = spec.maximum if spec.maximum is not None else np.inf
        if spec.kind == "share" and upper > _FRACTION_LIMIT and values.abs().max() <= 1:
            notes.append(
                f"{_described(spec.column, name)} is a share in percent (0-100) but never exceeds "
                f"{_FRACTION_LIMIT:g}: if it holds fractions (0.35 for 35%, as Excel stores a "
                "cell formatted as a percentage), multiply it by 100 in the file."
            )
    if years is not None and parsed:
        observed = pd.DataFrame({name: values.notna() for name, values in parsed.items()})
        any_value = observed.any(axis=1).groupby(years.to_numpy()).any()
        empty_years = [int(year) for year, seen in any_value.items() if not seen]
        if empty_years:
            notes.append(
                f"Every variable is missing in every row of {', '.join(map(str, empty_years))}; "
                "the clean step may fill these years by interpolation (clean.interpolate) or drop "
                "the rows (clean.drop_incomplete), and the audit lists every cell."
            )
    return notes


def _described(column: str, name: str) -> str:
    """A column of the file, with the variable's name in the pipeline when it differs."""
    return f"'{column}'" if column == name else f"'{column}' ({name})"


def _single_year_notes(
    entities: pd.Series, years: pd.Series, *, names: UserNames | None = None
) -> list[str]:
    """Entities observed in a single year carry no variation over time.

    Not said of a cross-section, where every entity has one period.
    """
    names = names or UserNames()
    if years.dropna().nunique() < 2:
        return []
    codes, distinct = pd.factorize(entities)  # grouped by code, named at the end
    n_years = (
        pd.DataFrame({"entity": codes, "year": pd.factorize(years)[0]})
        .loc[(codes >= 0) & years.notna().to_numpy()]
        .groupby("entity")["year"]
        .nunique()
    )
    single = sorted(str(entity) for entity in distinct.take(n_years.index[n_years == 1]))
    if not single:
        return []
    return [
        f"{len(single)} {names.entity_noun}(s) appear in a single {names.time_noun} "
        f"({_short_list(single)}); fixed-effects models learn nothing from them."
    ]


def _short_list(rows: Sequence[int] | Sequence[str], limit: int = _KEYS_SHOWN) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f", ... ({len(rows)} in all)" if len(rows) > limit else "")
