"""Checks on panel data shared by validation, cleaning and the data-quality report.

Each check is written once here and used by :mod:`govcluster.validate` (which stops the run
with a message), :mod:`govcluster.clean` (which relies on the same rules) and
:mod:`govcluster.quality` (which describes what it finds). The functions are pure: they take
columns or frames and return masks, values or tables, and never raise on bad data.

- years: :func:`parse_years`, :func:`implausible_year_mask`, :func:`future_year_mask`;
- keys: :func:`compact_text`, :func:`entity_keys`, :func:`duplicated_key_mask`;
- indicators: :func:`constant_values`;
- values: :func:`implausible_mask` (plausibility bounds per kind of variable),
  :func:`screen_values` (robust outlier and power-of-ten screen by cluster),
  :func:`non_value_cells` (placeholders and spreadsheet errors read as missing);
- entities: :func:`entity_attribute_conflicts` (one identifier, one cluster).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from govcluster.columns import ENTITY, INDUSTRY, MONEY_UNIT, NAME, PROVINCE, SOURCE_ROW, TIME
from govcluster.config import ProjectConfig
from govcluster.parsing import (
    MISSING_TOKENS,
    distinct_text_codes,
    map_text,
    parse_numeric,
    parse_period_labels,
    plain_number_mask,
    text_cells,
)
from govcluster.regions import normalise_province, strip_whitespace
from govcluster.user_names import user_names

#: Years accepted as plausible (inclusive); others are typos such as 12 for 2012 or 2105.
YEAR_RANGE: tuple[int, int] = (1800, 2100)

#: Largest plausible absolute value per kind of variable when no ``max`` is configured. Money
#: is in 万元 after unit conversion: 1e10 万元 is 100 trillion yuan, about China's GDP, which
#: no cluster reaches. Shares are bounded by ``KIND_BOUNDS`` (0-100) already.
PLAUSIBLE_MAGNITUDE: dict[str, float] = {
    "money": 1e10,
    "count": 1e9,
    "amount": 1e12,
    "score": 1e6,
    "real": 1e12,
}

#: Kinds screened for outliers and for values off by a power of ten.
SCREENED_KINDS = frozenset({"money", "count", "amount", "score", "real"})

#: Kinds whose values are positive levels, screened on the log10 scale.
LEVEL_KINDS = frozenset({"money", "count", "amount"})

#: A value this many robust standard deviations from its cluster's median is an outlier.
OUTLIER_ROBUST_Z = 10.0

#: Clusters need at least this many observed values of a variable to be screened.
SCREEN_MIN_OBS = 5

#: A level within this distance (in log10 units) of an exact power of ten counts as one.
POWER_OF_TEN_TOLERANCE = 0.1

#: Robust spread (log10 units) of a cluster's values below which a jump is clearly a scale error.
STABLE_SPREAD = 0.15

#: Columns of :func:`screen_values`.
SCREEN_COLUMNS = (
    "variable",
    "column",
    SOURCE_ROW,
    ENTITY,
    TIME,
    "value",
    "cluster_median",
    "check",
    "reason",
)

#: Columns of :func:`non_value_cells`.
NON_VALUE_COLUMNS = ("variable", "column", SOURCE_ROW, ENTITY, TIME, "text", "meaning")

#: Columns of :func:`entity_attribute_conflicts`.
CONFLICT_COLUMNS = (ENTITY, "attribute", "column", "value", "source_rows")

#: Error values a spreadsheet writes into a cell whose formula failed.
SPREADSHEET_ERRORS = frozenset(
    {"#div/0!", "#n/a", "#name?", "#null!", "#num!", "#ref!", "#value!", "#spill!", "#calc!"}
)

_MAD_TO_SD = 1.4826


# --------------------------------------------------------------------------- years


def parse_years(years: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a year column.

    Returns
    -------
    parsed : pandas.Series of Int64
        The year; NA where it is missing or not a whole number.
    invalid : pandas.Series of bool
        True where the year is missing, unreadable ("2010年") or not whole (2010.5).

    Quarters and months written as labels are numbered consecutively
    (:func:`govcluster.parsing.parse_period_labels`).
    """
    labelled = parse_period_labels(years)  # quarters (2010Q1) or months (2010-03)
    numbers = labelled if labelled is not None else parse_numeric(years)[0]
    whole = numbers.notna() & np.isfinite(numbers) & (numbers == np.round(numbers))
    parsed = numbers.where(whole).astype("Int64")
    return parsed, ~whole


def implausible_year_mask(years: pd.Series) -> pd.Series:
    """True where a parsed year lies outside :data:`YEAR_RANGE`."""
    low, high = YEAR_RANGE
    return ((years < low) | (years > high)).fillna(False).astype(bool)


def future_year_mask(years: pd.Series, *, current_year: int) -> pd.Series:
    """True where a parsed year is after ``current_year`` (data cannot come from the future)."""
    return (years > current_year).fillna(False).astype(bool)


# --------------------------------------------------------------------------- keys


def compact_text(values: pd.Series) -> pd.Series:
    """``values`` as text with every whitespace character removed; NA where nothing is left.

    This is at least as coarse as every text normalisation of the ``clean`` step, so that two
    values that clean would make equal are equal here too.
    """
    compact = map_text(values, strip_whitespace)
    return compact.mask(compact.eq("").fillna(False).astype(bool))


def entity_keys(entities: pd.Series) -> pd.Series:
    """Entity identifiers as the checks compare them: whitespace removed, NA where empty."""
    return compact_text(entities)


def duplicated_key_mask(entities: pd.Series, years: pd.Series) -> pd.Series:
    """True for every row whose (entity, year) pair occurs in more than one row."""
    keys = pd.DataFrame({"entity": pd.factorize(entities)[0], "year": pd.factorize(years)[0]})
    return pd.Series(keys.duplicated(keep=False).to_numpy(), index=entities.index)


# --------------------------------------------------------------------------- indicators


def constant_values(
    columns: Mapping[str, pd.Series], *, relative_tolerance: float = 0.0
) -> dict[str, float]:
    """Columns with the same value in every row where they are observed (two rows or more).

    Parameters
    ----------
    columns : mapping of str to pandas.Series
        Numeric columns.
    relative_tolerance : float
        A column counts as constant when its range is at most this share of its largest
        absolute value (0: exactly equal values; a small positive tolerance for values that
        went through floating-point arithmetic, such as deflated indicators).

    Returns
    -------
    dict
        Column name -> its (first) value.
    """
    constant = {}
    for name, values in columns.items():
        observed = pd.Series(values).dropna()
        if len(observed) < 2:
            continue
        spread = float(observed.max() - observed.min())
        if spread <= relative_tolerance * float(observed.abs().max()):
            constant[name] = observed.iloc[0]
    return constant


# --------------------------------------------------------------------------- values


def plausible_maximum(kind: str, configured_maximum: float | None) -> float | None:
    """The largest plausible absolute value of a variable; None when the kind has no cap.

    A configured ``max`` is the user's own bound and replaces the plausibility cap.
    """
    if configured_maximum is not None:
        return None
    return PLAUSIBLE_MAGNITUDE.get(kind)


def implausible_mask(values: pd.Series, *, kind: str, maximum: float | None) -> pd.Series:
    """True where a value cannot be right: infinite, or beyond the plausible magnitude.

    Parameters
    ----------
    values : pandas.Series of float
        Parsed values (money in 万元).
    kind : str
        Kind of the variable.
    maximum : float or None
        The configured upper bound (None: the kind's plausibility cap applies).
    """
    infinite = values.notna() & np.isinf(values.astype("float64"))
    cap = plausible_maximum(kind, maximum)
    if cap is None:
        return infinite
    return infinite | (values.abs() > cap).fillna(False).astype(bool)


def money_in_base_unit(
    values: pd.Series, units: pd.Series | None, money_units: Mapping[str, float]
) -> pd.Series:
    """Money values converted to 万元 by the unit of their row (NA where the unit is unknown)."""
    if units is None:
        return values
    factors = compact_text(units).map(dict(money_units)).astype("float64")
    return values * factors


def parsed_variables(
    ingested: pd.DataFrame,
    config: ProjectConfig,
    *,
    numbers: Mapping[str, pd.Series] | None = None,
) -> dict[str, pd.Series]:
    """Every configured variable parsed to float, money converted to 万元 when units are given.

    ``numbers`` holds variables already read by :func:`govcluster.parsing.parse_numeric`
    (in the units of the file), which are then not read again.
    """
    units = ingested[MONEY_UNIT] if config.data.money_unit and MONEY_UNIT in ingested else None
    numbers = numbers or {}
    parsed = {}
    for name, spec in config.variables.items():
        values = numbers[name] if name in numbers else parse_numeric(ingested[name])[0]
        if spec.kind == "money":
            values = money_in_base_unit(values, units, config.data.money_units)
        parsed[name] = values
    return parsed


def _robust_centre_and_spread(values: pd.Series, groups: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each row's cluster median and median absolute deviation (same index as values)."""
    grouped = values.groupby(groups)
    median = grouped.transform("median")
    mad = (values - median).abs().groupby(groups).transform("median")
    return median, mad


def screen_values(
    parsed: Mapping[str, pd.Series],
    entities: pd.Series,
    years: pd.Series,
    source_rows: pd.Series,
    config: ProjectConfig,
) -> pd.DataFrame:
    """Values far from the rest of their cluster: robust outliers and power-of-ten jumps.

    Within each cluster with at least :data:`SCREEN_MIN_OBS` values of a variable, a value is
    compared with the cluster's median. Levels (money, count, amount) are compared on the
    log10 scale: a value whose distance from the median is within
    :data:`POWER_OF_TEN_TOLERANCE` of a whole number k of orders of magnitude (k != 0), in a
    cluster whose values otherwise vary little, is a *scale* flag (x10^k: a unit mix-up such
    as 元 labelled 万元); the typo the ``clean.scale_typos`` rule corrects (its factor) is
    left to that rule. Any value more than :data:`OUTLIER_ROBUST_Z` robust standard
    deviations (1.4826 x MAD) from the median, and at least one order of magnitude away for
    levels, is an *outlier* flag. Flags are for review: nothing is changed.

    Returns
    -------
    pandas.DataFrame
        One row per flagged cell, columns :data:`SCREEN_COLUMNS`.
    """
    noun = user_names(config).entity_noun
    typo = config.clean.scale_typos
    typo_power = round(np.log10(typo.factor)) if typo.enabled and typo.factor > 0 else None
    valid = (entities.notna() & years.notna()).to_numpy()
    entity_codes = pd.factorize(entities)[0]  # grouping by code is grouping by entity
    rows = []
    for name, spec in config.variables.items():
        if spec.kind not in SCREENED_KINDS or name not in parsed:
            continue
        values = parsed[name].astype("float64")
        finite = valid & values.notna().to_numpy() & np.isfinite(values.to_numpy(na_value=np.nan))
        level = spec.kind in LEVEL_KINDS
        if level:
            finite &= (values > 0).fillna(False).to_numpy()
        if not finite.any():
            continue
        used = values[finite]
        scale = np.log10(used) if level else used
        groups = entity_codes[finite]
        counts = scale.groupby(groups).transform("size")
        median, mad = _robust_centre_and_spread(scale, groups)
        deviation = scale - median
        enough = counts >= SCREEN_MIN_OBS
        robust_sd = _MAD_TO_SD * mad
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (deviation.abs() / robust_sd).where(robust_sd > 0, np.inf)
        outlier = enough & (z > OUTLIER_ROBUST_Z) & (deviation != 0)
        power = deviation.round()
        is_power = (
            (
                enough
                & (power != 0)
                & ((deviation - power).abs() <= POWER_OF_TEN_TOLERANCE)
                & (mad <= STABLE_SPREAD)
            )
            if level
            else pd.Series(False, index=scale.index)
        )
        if level:
            outlier &= deviation.abs() >= 1
        if typo_power is not None and spec.kind in {"money", "count", "amount"}:
            corrected_by_clean = power == typo_power
            is_power &= ~corrected_by_clean
            outlier &= ~(
                corrected_by_clean & ((deviation - power).abs() <= np.log10(typo.tolerance))
            )
        flagged = np.flatnonzero((outlier | is_power).to_numpy())
        if flagged.size == 0:
            continue
        labels = scale.index[flagged]
        cells = zip(
            is_power.to_numpy()[flagged].tolist(),
            power.to_numpy()[flagged],
            z.to_numpy()[flagged],
            median.to_numpy()[flagged],
            source_rows.loc[labels].tolist(),
            list(entities.loc[labels].array),
            years.loc[labels].tolist(),
            values.loc[labels].tolist(),
            strict=True,
        )
        for scaled, k_power, z_score, centre, source_row, entity, year, value in cells:
            if scaled:
                k = int(k_power)
                check = "scale"
                reason = (
                    f"{10.0**k:g} times the {noun}'s median: a unit mix-up (e.g. 元 written "
                    "as 万元) or a misplaced decimal point?"
                    if k > 0
                    else f"1/{10.0**-k:g} of the {noun}'s median: a unit mix-up or a "
                    "misplaced decimal point?"
                )
            else:
                check = "outlier"
                reason = (
                    f"{z_score:.0f} robust standard deviations from the {noun}'s median"
                    if np.isfinite(z_score)
                    else f"the {noun}'s other values are all equal to its median"
                )
            rows.append(
                {
                    "variable": name,
                    "column": spec.column,
                    SOURCE_ROW: int(source_row),
                    ENTITY: str(entity),
                    TIME: int(year),
                    "value": float(value),
                    "cluster_median": float(10.0**centre if level else centre),
                    "check": check,
                    "reason": reason,
                }
            )
    table = pd.DataFrame(rows, columns=list(SCREEN_COLUMNS))
    return table.sort_values([SOURCE_ROW, "variable"], kind="stable").reset_index(drop=True)


def _token_meaning(text: str) -> str | None:
    cleaned = strip_whitespace(str(text)).lower()
    if cleaned in SPREADSHEET_ERRORS:
        return "spreadsheet error"
    if cleaned in MISSING_TOKENS and cleaned != "":
        return "placeholder for a missing value"
    return None


def non_value_cells(ingested: pd.DataFrame, config: ProjectConfig) -> pd.DataFrame:
    """Cells of the variables that hold a placeholder or a spreadsheet error, not a number.

    Placeholders ("-", "—", "NA", "null", ...) are read as missing and may be filled by the
    clean step; listing them lets the data-quality report name every such cell.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NON_VALUE_COLUMNS`, one row per cell.
    """
    rows = []
    for name, spec in config.variables.items():
        text = ingested[name]
        if pd.api.types.is_numeric_dtype(text):
            continue
        meanings = _cell_meanings(text)
        positions = np.flatnonzero(pd.notna(meanings))
        if positions.size == 0:
            continue
        cells = zip(
            ingested[SOURCE_ROW].to_numpy()[positions].tolist(),
            _cells_at(ingested[ENTITY], positions),
            _cells_at(ingested[TIME], positions),
            _cells_at(text, positions),
            meanings[positions].tolist(),
            strict=True,
        )
        rows.extend(
            {
                "variable": name,
                "column": spec.column,
                SOURCE_ROW: int(source_row),
                ENTITY: entity,
                TIME: time,
                "text": str(value),
                "meaning": meaning,
            }
            for source_row, entity, time, value, meaning in cells
        )
    return pd.DataFrame(rows, columns=list(NON_VALUE_COLUMNS))


def _cell_meanings(values: pd.Series) -> np.ndarray:
    """Per cell: what a placeholder or spreadsheet error means, None for any other cell.

    Each distinct text is looked at once; plain numbers, nearly every cell, are set aside in
    bulk first (no number is a placeholder).
    """
    meanings = np.full(len(values), None, dtype=object)
    text = text_cells(values)
    if text is None:  # text mixed with other objects: cell by cell
        present = values.notna().to_numpy()
        cells = values.to_numpy(dtype=object)
        for position in np.flatnonzero(present):
            meanings[position] = _token_meaning(cells[position])
        return meanings
    candidates = text.is_valid().to_numpy(zero_copy_only=False) & ~plain_number_mask(text)
    if candidates.any():
        codes, distinct = distinct_text_codes(text, candidates)
        meaning_of = np.array([_token_meaning(value) for value in distinct], dtype=object)
        meanings[candidates] = meaning_of[codes]
    return meanings


def _cells_at(values: pd.Series, positions: np.ndarray) -> list[object]:
    """The cells of ``values`` at ``positions``, each as ``values.iloc[position]`` gives it."""
    return list(values.iloc[positions].array)


# --------------------------------------------------------------------------- entities


def _attribute_columns(config: ProjectConfig) -> dict[str, tuple[str, str]]:
    """Attribute (canonical column) -> (description, column in the file) to hold constant."""
    data = config.data
    attributes = {}
    for canonical, column, what in (
        (NAME, data.name, "name"),
        (PROVINCE, data.province, "province"),
        (INDUSTRY, data.industry, "industry"),
    ):
        if column:
            attributes[canonical] = (what, column)
    for control in config.controls.values():
        if control.transform == "age":
            attributes[control.variable] = (
                "founding year",
                config.variables[control.variable].column,
            )
    return attributes


def _number_text(numbers: pd.Series) -> pd.Series:
    """``f"{v:g}"`` of each number (NA where missing), formatted once per distinct value.

    Values are told apart by their bits, so that -0.0 ("-0") and 0.0 ("0") stay distinct.
    """
    values = numbers.to_numpy(dtype="float64")
    present = ~np.isnan(values)
    distinct, codes = np.unique(values[present].view(np.int64), return_inverse=True)
    formatted = np.array([f"{v:g}" for v in distinct.view(np.float64)], dtype=object)
    text = np.full(len(values), pd.NA, dtype=object)
    text[present] = formatted[codes]
    return pd.Series(text, index=numbers.index, dtype="string")


def entity_attribute_conflicts(
    ingested: pd.DataFrame, entities: pd.Series, config: ProjectConfig
) -> pd.DataFrame:
    """Descriptive columns that take several values within one entity.

    Name and industry are compared without whitespace, provinces by their official name,
    founding years as numbers; missing cells are ignored.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CONFLICT_COLUMNS`: one row per (entity, attribute, value) of every
        conflicting entity, with the file rows holding that value.
    """
    rows = []
    entity_codes = pd.factorize(entities)[0]
    source_rows = ingested[SOURCE_ROW].to_numpy()
    for canonical, (what, column) in _attribute_columns(config).items():
        if canonical not in ingested:
            continue
        raw = ingested[canonical]
        if canonical == PROVINCE:
            compared = map_text(compact_text(raw), normalise_province)
        elif canonical in config.variables:
            numbers, _ = parse_numeric(raw)
            compared = _number_text(numbers)
        else:
            compared = compact_text(raw)
        value_codes = pd.factorize(compared.astype("string"))[0]
        kept = np.flatnonzero((entity_codes >= 0) & (value_codes >= 0))
        pairs = pd.DataFrame({"entity": entity_codes[kept], "value": value_codes[kept]})
        n_values = pairs.drop_duplicates().groupby("entity")["value"].size()
        conflicting = n_values.index[n_values > 1].to_numpy()
        if conflicting.size == 0:
            continue
        members = kept[np.isin(entity_codes[kept], conflicting)]  # rows in file order
        frame = pd.DataFrame(
            {
                "entity": np.asarray(entities.iloc[members], dtype=object),
                "value": value_codes[members],
                "shown": raw.astype("string").iloc[members].to_numpy(),
                "row": source_rows[members],
            }
        )
        for entity, group_rows in frame.groupby("entity", sort=True):
            for _, group in group_rows.groupby("value", sort=False):
                rows.append(
                    {
                        ENTITY: str(entity),
                        "attribute": what,
                        "column": column,
                        "value": str(group["shown"].iloc[0]),
                        "source_rows": ", ".join(str(int(r)) for r in sorted(group["row"])),
                    }
                )
    return pd.DataFrame(rows, columns=list(CONFLICT_COLUMNS))
