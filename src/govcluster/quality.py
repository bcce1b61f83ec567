"""A description of the ingested panel's quality: missing values, balance, duplicates.

:func:`data_quality_report` describes the panel as read, before any cleaning: which share of
each variable's cells is missing (overall and by year), how balanced the panel is (each
entity's first and last year, the years it lacks inside its span), which rows are exact
copies of one another, which cells hold a placeholder or a spreadsheet error instead of a
number, and which values lie far from the rest of their cluster. The Markdown rendering is in
:mod:`govcluster.render.data_quality`. It never raises on bad data (rows without a valid
year or entity are counted, not described), so it can be written before validation stops the
pipeline.

The report is a record a user opens: its tables name the entity and time columns as the
user's file does (``firm_id``, ``fyear``; :mod:`govcluster.user_names`), and the column of
each flagged value's typical level is ``<entity>_median`` (``cluster_median`` by default).
The tables are built with the pipeline's names (the ``*_COLUMNS`` constants below) and
renamed once, at the end of :func:`data_quality_report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from govcluster.columns import ENTITY, SOURCE_ROW, TIME
from govcluster.config import ProjectConfig
from govcluster.datachecks import (
    NON_VALUE_COLUMNS,
    SCREEN_COLUMNS,
    entity_keys,
    non_value_cells,
    parse_years,
    parsed_variables,
    screen_values,
)
from govcluster.parsing import parse_numeric
from govcluster.user_names import UserNames, user_names
from govcluster.validate import exact_duplicate_mask

#: Column of :data:`govcluster.datachecks.SCREEN_COLUMNS` holding the entity's median.
ENTITY_MEDIAN = "cluster_median"

MISSINGNESS_BY_VARIABLE_COLUMNS = (
    "variable",
    "column",
    "n_cells",
    "n_missing",
    "n_unreadable",
    "share_missing",
)
MISSINGNESS_BY_YEAR_COLUMNS = (
    "year",
    "variable",
    "column",
    "n_cells",
    "n_missing",
    "share_missing",
)
PANEL_BALANCE_COLUMNS = (
    ENTITY,
    "first_year",
    "last_year",
    "n_years_observed",
    "n_years_in_span",
    "n_years_expected",
    "n_gaps",
    "gaps",
    "balanced",
)
EXACT_DUPLICATE_COLUMNS = (ENTITY, TIME, "n_rows", "source_rows")


@dataclass(frozen=True)
class DataQualityReport:
    """Tables describing the quality of an ingested panel.

    Attributes
    ----------
    missingness_by_variable : pandas.DataFrame
        One row per variable: ``variable``, ``column`` (as named in the file), ``n_cells``,
        ``n_missing`` (empty, placeholder or unreadable cells), ``n_unreadable`` (text that is
        not a number) and ``share_missing``.
    missingness_by_year : pandas.DataFrame
        The same by year (long format): ``year``, ``variable``, ``column``, ``n_cells``,
        ``n_missing``, ``share_missing``. Rows without a valid year are left out.
    panel_balance : pandas.DataFrame
        One row per entity: ``first_year``, ``last_year``, ``n_years_observed``,
        ``n_years_in_span`` (last - first + 1), ``n_years_expected`` (years of the whole
        panel), ``n_gaps`` and ``gaps`` (the years missing inside the entity's span, as text
        such as ``"2012, 2013"``) and ``balanced`` (observed in every year of the panel).
    balance_summary : pandas.DataFrame
        ``measure`` and ``value``: rows, entities, years, entity-years, gaps, duplicates.
    exact_duplicates : pandas.DataFrame
        One row per group of rows identical in every ingested column: the entity, the year,
        ``n_rows`` and ``source_rows`` (their file rows, as text).
    non_values : pandas.DataFrame
        Every cell of a variable holding a placeholder ("-", "NA", "null", ...) or a
        spreadsheet error ("#DIV/0!"), which is not a number and may be filled by the clean
        step (columns :data:`govcluster.datachecks.NON_VALUE_COLUMNS`).
    flagged_values : pandas.DataFrame
        Values far from the rest of their cluster or off by a power of ten, not corrected
        (columns :data:`govcluster.datachecks.SCREEN_COLUMNS`, ``cluster_median`` named
        :attr:`median_column`).
    columns : UserNames
        The user's names of the entity and the time: the column names of the entity and time
        in every table above (``year`` of ``missingness_by_year`` included).
    """

    missingness_by_variable: pd.DataFrame
    missingness_by_year: pd.DataFrame
    panel_balance: pd.DataFrame
    balance_summary: pd.DataFrame
    exact_duplicates: pd.DataFrame

    non_values: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(NON_VALUE_COLUMNS))
    )
    flagged_values: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(SCREEN_COLUMNS))
    )
    columns: UserNames = field(default_factory=UserNames)

    @property
    def median_column(self) -> str:
        """Column of :attr:`flagged_values` holding the entity's median (``firm_median``)."""
        return f"{self.columns.entity_slug}_median"

    def to_markdown(self) -> str:
        """The report as a Markdown document (see :mod:`govcluster.render.data_quality`)."""
        from govcluster.render.data_quality import render_data_quality

        return render_data_quality(self)


def data_quality_report(ingested: pd.DataFrame, config: ProjectConfig) -> DataQualityReport:
    """Describe the missing values, balance and exact duplicates of an ingested panel.

    Parameters
    ----------
    ingested : pandas.DataFrame
        The output of :func:`govcluster.ingest.ingest_table`.
    config : ProjectConfig
        The configuration (variables and their column names in the file).

    Returns
    -------
    DataQualityReport
    """
    names = user_names(config)
    years, _ = parse_years(ingested[TIME])
    entities = entity_keys(ingested[ENTITY])
    numbers = {name: parse_numeric(ingested[name]) for name in config.variables}
    missing, unreadable = _missing_cells(ingested, config, numbers=numbers)
    balance = panel_balance(entities, years)
    duplicates = exact_duplicates(ingested, entities, years)
    values = {name: parsed for name, (parsed, _) in numbers.items()}
    flagged = screen_values(
        parsed_variables(ingested, config, numbers=values),
        entities,
        years,
        ingested[SOURCE_ROW],
        config,
    )
    median_column = f"{names.entity_slug}_median"
    if median_column not in flagged.columns:
        flagged = flagged.rename(columns={ENTITY_MEDIAN: median_column})
    return DataQualityReport(
        missingness_by_variable=missingness_by_variable(missing, unreadable, config),
        missingness_by_year=names.to_user(missingness_by_year(missing, years, config)),
        panel_balance=names.to_user(balance),
        balance_summary=balance_summary(
            ingested, entities, years, balance, duplicates, time_noun=names.time_noun
        ),
        exact_duplicates=names.to_user(duplicates),
        non_values=names.to_user(non_value_cells(ingested, config)),
        flagged_values=names.to_user(flagged),
        columns=names,
    )


def _missing_cells(
    ingested: pd.DataFrame,
    config: ProjectConfig,
    *,
    numbers: dict[str, tuple[pd.Series, pd.Series]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per variable: True where the parsed value is missing, and where the text is unreadable.

    ``numbers``: :func:`govcluster.parsing.parse_numeric` of the variables, if already read.
    """
    missing = {}
    unreadable = {}
    for name in config.variables:
        if numbers is not None and name in numbers:
            parsed, not_a_number = numbers[name]
        else:
            parsed, not_a_number = parse_numeric(ingested[name])
        missing[name] = parsed.isna()
        unreadable[name] = not_a_number
    index = ingested.index
    return pd.DataFrame(missing, index=index), pd.DataFrame(unreadable, index=index)


def missingness_by_variable(
    missing: pd.DataFrame, unreadable: pd.DataFrame, config: ProjectConfig
) -> pd.DataFrame:
    """Missing cells of each variable over the whole panel."""
    n_cells = len(missing)
    rows = [
        {
            "variable": name,
            "column": config.variables[name].column,
            "n_cells": n_cells,
            "n_missing": int(missing[name].sum()),
            "n_unreadable": int(unreadable[name].sum()),
            "share_missing": _share(int(missing[name].sum()), n_cells),
        }
        for name in missing.columns
    ]
    return pd.DataFrame(rows, columns=list(MISSINGNESS_BY_VARIABLE_COLUMNS))


def missingness_by_year(
    missing: pd.DataFrame, years: pd.Series, config: ProjectConfig
) -> pd.DataFrame:
    """Missing cells of each variable in each year (rows without a valid year left out)."""
    valid = years.notna().to_numpy()
    if not valid.any() or missing.shape[1] == 0:
        return pd.DataFrame(columns=list(MISSINGNESS_BY_YEAR_COLUMNS))
    by_year = missing.loc[valid].groupby(years.loc[valid].astype("int64").to_numpy())
    counts = by_year.sum().astype("int64")
    sizes = by_year.size()
    rows = [
        {
            "year": int(year),
            "variable": name,
            "column": config.variables[name].column,
            "n_cells": int(sizes[year]),
            "n_missing": int(counts.at[year, name]),
            "share_missing": _share(int(counts.at[year, name]), int(sizes[year])),
        }
        for year in counts.index
        for name in missing.columns
    ]
    return pd.DataFrame(rows, columns=list(MISSINGNESS_BY_YEAR_COLUMNS))


def panel_balance(entities: pd.Series, years: pd.Series) -> pd.DataFrame:
    """Each entity's years: span, count, gaps inside the span, balance over the whole panel.

    Rows without an entity or a valid year are left out.
    """
    valid = (entities.notna() & years.notna()).to_numpy()
    if not valid.any():
        return pd.DataFrame(columns=list(PANEL_BALANCE_COLUMNS))
    codes, distinct = pd.factorize(entities.loc[valid], sort=True)  # entities in sorted order
    pairs = pd.DataFrame(
        {"entity": codes, "year": years.loc[valid].astype("int64").to_numpy()}
    ).drop_duplicates()
    n_years_expected = int(pairs["year"].max() - pairs["year"].min() + 1)
    group, year = pairs["entity"].to_numpy(), pairs["year"].to_numpy(dtype="int64")
    order = np.lexsort((year, group))
    group, year = group[order], year[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    first, last = year[starts], year[np.r_[starts[1:], len(year)] - 1]
    observed = np.diff(np.r_[starts, len(year)])
    gap_years, gap_group = _gap_years(group, year)
    n_gaps = np.bincount(gap_group, minlength=len(starts))
    table = {
        ENTITY: [str(entity) for entity in np.asarray(distinct, dtype=object)],
        "first_year": first,
        "last_year": last,
        "n_years_observed": observed,
        "n_years_in_span": last - first + 1,
        "n_years_expected": np.full(len(starts), n_years_expected, dtype="int64"),
        "n_gaps": n_gaps,
        "gaps": _joined_by_group(gap_years, gap_group, len(starts)),
        "balanced": observed == n_years_expected,
    }
    return pd.DataFrame(table, columns=list(PANEL_BALANCE_COLUMNS))


def _gap_years(group: np.ndarray, year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The years missing between consecutive observed years of each group, and their group.

    ``group`` and ``year`` are sorted by group, then year (distinct years within a group).
    """
    same = group[1:] == group[:-1]
    missing = np.where(same, year[1:] - year[:-1] - 1, 0)
    at = np.flatnonzero(missing > 0)
    counts = missing[at]
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(year[at], counts) + 1 + offsets, np.repeat(group[at], counts)


def _joined_by_group(years: np.ndarray, group: np.ndarray, n_groups: int) -> list[str]:
    """Per group, its years (sorted within the group already) joined as ``"2012, 2013"``."""
    joined = [""] * n_groups
    if len(years) == 0:
        return joined
    text = [str(year) for year in years.tolist()]
    bounds = np.flatnonzero(np.r_[True, group[1:] != group[:-1], True])
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        joined[int(group[start])] = ", ".join(text[start:end])
    return joined


def exact_duplicates(ingested: pd.DataFrame, entities: pd.Series, years: pd.Series) -> pd.DataFrame:
    """Groups of rows identical in every ingested column except ``source_row``."""
    copies = exact_duplicate_mask(ingested)
    if not copies.any():
        return pd.DataFrame(columns=list(EXACT_DUPLICATE_COLUMNS))
    values = ingested.drop(columns=[SOURCE_ROW])
    in_group = values.duplicated(keep=False).to_numpy()
    group_ids = (
        values.loc[in_group].groupby(list(values.columns), dropna=False, sort=False).ngroup()
    )
    members = pd.DataFrame(
        {
            "group": group_ids.to_numpy(),
            ENTITY: entities.loc[in_group].to_numpy(),
            TIME: years.loc[in_group].to_numpy(),
            "row": ingested.loc[in_group, SOURCE_ROW].astype("int64").to_numpy(),
        }
    )
    rows = []
    for _, group in members.groupby("group", sort=False):
        file_rows = sorted(int(row) for row in group["row"])
        rows.append(
            {
                ENTITY: group[ENTITY].iloc[0],
                TIME: group[TIME].iloc[0],
                "n_rows": len(file_rows),
                "source_rows": ", ".join(str(row) for row in file_rows),
            }
        )
    table = pd.DataFrame(rows, columns=list(EXACT_DUPLICATE_COLUMNS))
    table[TIME] = table[TIME].astype("Int64")
    first_row = table["source_rows"].str.split(",").str[0].astype("int64")
    return table.iloc[np.argsort(first_row.to_numpy(), kind="stable")].reset_index(drop=True)


def balance_summary(
    ingested: pd.DataFrame,
    entities: pd.Series,
    years: pd.Series,
    balance: pd.DataFrame,
    duplicates: pd.DataFrame,
    *,
    time_noun: str = "year",
) -> pd.DataFrame:
    """Panel-wide counts: rows, entities, years, entity-years, balance, gaps, duplicates.

    ``time_noun`` names the periods in the measures ("year"; "period", "quarter", "month").
    """
    t, ts = time_noun, UserNames(time_noun=time_noun).time_plural
    n_entities = len(balance)
    n_years = int(balance["n_years_expected"].iloc[0]) if n_entities else 0
    n_entity_years = int(balance["n_years_observed"].sum()) if n_entities else 0
    measures = [
        ("rows", len(ingested)),
        (f"rows without a valid {t}", int(years.isna().sum())),
        ("rows without an entity", int(entities.isna().sum())),
        ("entities", n_entities),
        (f"first {t}", int(balance["first_year"].min()) if n_entities else None),
        (f"last {t}", int(balance["last_year"].max()) if n_entities else None),
        (f"{ts} in the panel", n_years),
        (f"entity-{ts} observed", n_entity_years),
        ("share of the balanced panel observed", _share(n_entity_years, n_entities * n_years)),
        ("balanced entities", int(balance["balanced"].sum()) if n_entities else 0),
        ("entities with gaps", int((balance["n_gaps"] > 0).sum()) if n_entities else 0),
        (f"gap {ts}", int(balance["n_gaps"].sum()) if n_entities else 0),
        ("exact duplicate rows", int(exact_duplicate_mask(ingested).sum())),
        ("groups of exact duplicates", len(duplicates)),
    ]
    return pd.DataFrame(
        {
            "measure": [name for name, _ in measures],
            "value": pd.Series([value for _, value in measures], dtype=object),
        }
    )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")
