"""Proposing a configuration for a data file: entity, time, and a kind for every column.

:func:`propose_configuration` looks at a table as :func:`govcluster.io.read_table` returns it
and proposes

- the **time** column: values that repeat, either calendar years (1800-2100), periods
  numbered 0, 1, 2, ..., any whole numbers in a column named like a time (``year`` holding
  81, 82, ...), or quarter and month labels (2010Q1, 2010-03); a column named like a time,
  such as ``year`` or 年份, first. A cross-section (``cross_section=True``) has none;
- the **entity** column: the column that, with the time, identifies every row (no missing
  values, repeated over periods; a column named like an identifier, such as ``id``, ``fcode``
  or 企业代码, first, then the one closest to a balanced panel, then the leftmost);
- a **kind** for every other column, from the kinds the configuration schema knows
  (``money`` only for a header saying 万元, ``count``, ``share``, ``amount``, ``binary``,
  ``real``; ``score`` needs bounds and is never guessed) or ``category`` for text with few
  levels (indicators of its levels when a model uses it);
- a **pipeline name** for every column: the header itself when it is a plain lowercase ASCII
  name, otherwise a safe ASCII name (``col3`` for a Chinese header, which stays the column
  name and the Chinese label);
- the **outcome**, **treatment** and **controls** of one two-way fixed-effects model: the
  user's choices, or the first plausible numeric columns.

Nothing here reads or writes files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from govcluster.errors import GovclusterError
from govcluster.ingest import RESERVED_NAMES
from govcluster.parsing import parse_numeric, period_label_kind
from govcluster.validate import YEAR_RANGE

ProposedKind = Literal[
    "money", "count", "share", "amount", "score", "binary", "real", "category", "unusable"
]
TimeKind = Literal["year", "period", "quarter", "month"]

#: Kinds the configuration schema accepts under ``variables``.
SCHEMA_KINDS = frozenset(
    {"money", "count", "share", "amount", "score", "binary", "real", "category"}
)
#: Kinds a model's outcome can have (a category enters only as regressor or control).
NUMERIC_KINDS = SCHEMA_KINDS - {"category"}
#: Largest number of levels of a text column proposed as a category (more: an identifier
#: or free text, left out).
MAX_CATEGORY_LEVELS = 50

#: Names the pipeline gives to its own columns and coefficients; a variable may not use them.
AVOIDED_NAMES = frozenset({*RESERVED_NAMES, "const", "entity", "time"})

_TIME_WORDS = re.compile(
    r"^(year|yr|years|time|period|t|wave|quarter|qtr|month|date|fyear|survey_?year)$"
    r"|年|年份|年度|时间|期|季度|月份"
)
_ENTITY_WORDS = re.compile(
    r"(^|_)(id|code|nr|no|num|key)$|^(id|code)|firm|company|city|county|state|country|"
    r"province|district|entity|person|stkcd|ticker|name"
    r"|代码|编码|编号|代号|名称|企业|公司|城市|地区|省|县|区|个体|股票"
)
#: Whole-number codes in a column named so are categories (a block, group, industry code).
_CATEGORY_WORDS = re.compile(
    r"(^|_)(block|group|grp|industry|sector|region|province|type|class|category|cat|wave|"
    r"cohort|occupation|occ|race|ethnicity|site|arm)(_|$|code|id)"
    r"|行业|地区|省份|类别|类型|组别|区域"
)
_MAX_CODE_LEVELS = 20
_SHARE_WORDS = re.compile(r"%|percent|pct|share|rate|ratio|占比|比例|比重|率|百分")
_MONEY_WORDS = re.compile(r"元|收入|资产|利润|产值|销售额|营业额|工资|投资|补贴|资金|成本|税|支出")
_MAX_PERIOD = 400


class InitError(GovclusterError):
    """The data file does not allow a configuration to be proposed; the message says why."""


@dataclass(frozen=True)
class ColumnProposal:
    """What one column of the file becomes in the configuration.

    Attributes
    ----------
    column : str
        The header in the file, kept as it is (Chinese included).
    name : str
        The variable's name inside the pipeline (a safe ASCII name).
    kind : str
        A kind of the schema (``category`` for text with few levels) or ``unusable``.
    note : str
        Why the kind was chosen, or why the column cannot be used.
    """

    column: str
    name: str
    kind: ProposedKind
    note: str

    @property
    def usable(self) -> bool:
        """Whether the column can be declared under ``variables`` today."""
        return self.kind in SCHEMA_KINDS


@dataclass(frozen=True)
class DataProposal:
    """A proposed configuration for one data file.

    Attributes
    ----------
    entity, time : str or None
        The entity and time columns (headers of the file); a cross-section has no time
        column, and no entity column when no column identifies its rows (the row numbers do).
    time_kind : {"year", "period", "quarter", "month"}
        Calendar years, other whole-number periods, quarters or months (``data.time_kind``).
    columns : tuple of ColumnProposal
        Every other column, in file order.
    outcome, treatment : str
        Pipeline names of the model's outcome and treatment.
    controls : tuple of str
        Pipeline names of the model's controls.
    chosen : bool
        Whether the user chose the outcome and treatment (otherwise they are a guess).
    n_rows, n_entities, n_periods : int
        Size of the panel.
    entity_candidates, time_candidates : tuple of str
        Every plausible entity and time column, best first.
    """

    entity: str | None
    time: str | None
    time_kind: TimeKind
    columns: tuple[ColumnProposal, ...]
    outcome: str
    treatment: str
    controls: tuple[str, ...]
    chosen: bool
    n_rows: int
    n_entities: int
    n_periods: int
    entity_candidates: tuple[str, ...] = field(default=())
    time_candidates: tuple[str, ...] = field(default=())

    @property
    def cross_section(self) -> bool:
        """Whether the file is a cross-section (no time column)."""
        return self.time is None

    @property
    def variables(self) -> tuple[ColumnProposal, ...]:
        """The columns declared under ``variables``."""
        return tuple(column for column in self.columns if column.usable)


# --------------------------------------------------------------------------- columns


def _numbers(values: pd.Series) -> tuple[np.ndarray, bool]:
    """The column as floats (NaN when missing) and whether every non-empty cell is a number."""
    parsed, unreadable = parse_numeric(values)
    return parsed.to_numpy(dtype=float), not bool(unreadable.any())


def _whole(values: np.ndarray) -> bool:
    observed = values[~np.isnan(values)]
    return observed.size > 0 and bool(np.all(observed == np.round(observed)))


def time_kind_of(values: pd.Series, *, named: bool = False) -> TimeKind | None:
    """The kind of time a column holds (``data.time_kind``), or None when it holds none.

    A time column has a value in every row, at least two distinct values, and repeats (fewer
    distinct values than rows): quarters (``2010Q1``) or months (``2010-03``) written as
    labels; calendar years within :data:`YEAR_RANGE`; periods numbered from 0 or 1 without
    gaps (at most 400); or, in a column ``named`` like a time (``year``, ``t``, 期), any
    whole numbers (two-digit years such as 81, 82, ... are periods).
    """
    labels = period_label_kind(values)
    if labels is not None:
        if values.isna().any() or values.astype("string").nunique() >= len(values):
            return None
        return labels
    numbers, numeric = _numbers(values)
    if not numeric or np.isnan(numbers).any() or not _whole(numbers):
        return None
    distinct = np.unique(numbers)
    if len(distinct) < 2 or len(distinct) >= len(numbers):
        return None
    low, high = YEAR_RANGE
    if distinct.min() >= low and distinct.max() <= high:
        return "year"
    if distinct.min() in (0, 1) and distinct.max() <= _MAX_PERIOD:
        if len(distinct) == distinct.max() - distinct.min() + 1:
            return "period"
    return "period" if named else None


def _named_like(pattern: re.Pattern[str], column: str) -> bool:
    return bool(pattern.search(str(column).strip().lower()))


def propose_time_columns(table: pd.DataFrame) -> list[str]:
    """Plausible time columns, best first (named like a time, then years, then leftmost).

    Periods (0, 1, 2, ...) count only in a column named like a time, or numbered from 1 with
    at least three periods, so that 0/1 indicators and small codes are not taken for time.
    """
    found = []
    for position, column in enumerate(table.columns):
        named = _named_like(_TIME_WORDS, column)
        kind = time_kind_of(table[column], named=named)
        if kind == "period" and not named:
            numbers, _ = _numbers(table[column])
            if numbers.min() != 1 or len(np.unique(numbers)) < 3:
                kind = None
        if kind is not None:
            rank = (not named, kind != "year", position)
            found.append((rank, str(column)))
    return [column for _, column in sorted(found)]


def _entity_keys(values: pd.Series) -> pd.Series | None:
    """The column as comparable keys, or None when it cannot identify entities."""
    if values.isna().any():
        return None
    numbers, numeric = _numbers(values)
    if numeric and not np.isnan(numbers).any():
        if not _whole(numbers):
            return None
        return pd.Series(numbers, index=values.index)
    text = values.astype("string").str.strip()
    if text.isna().any() or text.eq("").any():
        return None
    return text


def propose_entity_columns(table: pd.DataFrame, time: str) -> list[str]:
    """Columns that identify every row together with ``time``, best first.

    Best first: named like an identifier, then the one closest to a balanced panel (entities
    times periods equal to the rows), then the leftmost.
    """
    periods = table[time].astype("string").str.strip()
    n_periods = periods.nunique()
    found = []
    for position, column in enumerate(table.columns):
        if str(column) == str(time):
            continue
        keys = _entity_keys(table[column])
        if keys is None:
            continue
        n_entities = keys.nunique()
        if n_entities < 2 or n_entities >= len(table):
            continue
        if pd.DataFrame({"e": keys, "t": periods}).duplicated().any():
            continue
        imbalance = abs(n_entities * n_periods - len(table))
        rank = (not _named_like(_ENTITY_WORDS, column), imbalance, position)
        found.append((rank, str(column)))
    return [column for _, column in sorted(found)]


def propose_kind(values: pd.Series, column: str) -> tuple[ProposedKind, str]:
    """The kind of one column and why.

    Text -> ``category``; empty or constant -> ``unusable``; only 0 and 1 -> ``binary``;
    negative values -> ``real``; a header naming a share (%, rate, 占比, 率, ...) with values up
    to 100 and above 1 -> ``share``; a Chinese header naming money (元, 收入, 资产, ...) ->
    ``money`` (taken to be in 万元); other whole numbers -> ``count``; other non-negative
    numbers -> ``amount``.
    """
    numbers, numeric = _numbers(values)
    if not numeric:
        levels = values.astype("string").str.strip().dropna().nunique()
        if levels > MAX_CATEGORY_LEVELS or levels >= max(len(values), 2):
            return "unusable", f"text with {levels} distinct values: not a category"
        if levels < 2:
            return "unusable", "the same text in every row"
        return "category", f"text with {levels} levels: indicators of the levels in a model"
    observed = numbers[~np.isnan(numbers)]
    if observed.size == 0:
        return "unusable", "empty in every row"
    distinct = np.unique(observed)
    if distinct.size == 1:
        return "unusable", f"the same value ({distinct[0]:g}) in every row"
    if set(distinct.tolist()) <= {0.0, 1.0}:
        return "binary", "only 0 and 1"
    if (
        _named_like(_CATEGORY_WORDS, column)
        and _whole(observed)
        and 2 < distinct.size <= _MAX_CODE_LEVELS
    ):
        return "category", f"whole-number codes with {distinct.size} levels, named like a group"
    if observed.min() < 0:
        return "real", "takes negative values"
    if _named_like(_SHARE_WORDS, column) and 1 < observed.max() <= 100:
        return "share", "named like a percentage, values within 0-100"
    if "万元" in str(column):
        return "money", "money in 万元 (named so)"
    if _named_like(_MONEY_WORDS, column):
        return "amount", (
            "named like money, but not in 万元: kind money would read it as 万元, so it is "
            "an amount as in the file"
        )
    if _whole(observed):
        return "count", "non-negative whole numbers"
    return "amount", "non-negative numbers"


def safe_name(column: str, position: int, taken: set[str]) -> str:
    """A pipeline name for ``column``: lowercase ASCII letters, digits and underscores.

    The header itself when it already is one; ``col<position>`` (1-based) when it has no
    ASCII letters (a Chinese header); a numbered suffix when the name is taken or reserved.
    """
    slug = re.sub(r"[^a-z0-9]+", "_", str(column).strip().lower()).strip("_")
    has_other = re.search(r"[^\x00-\x7f]", str(column)) is not None
    if not re.search(r"[a-z]", slug) or has_other:
        slug = f"col{position}"
    if slug[0].isdigit():
        slug = f"v{slug}"
    name, suffix = slug, 2
    while name in taken or name in AVOIDED_NAMES:
        name = f"{slug}_{suffix}"
        suffix += 1
    taken.add(name)
    return name


# --------------------------------------------------------------------------- the proposal


def _choose_key(
    table: pd.DataFrame, entity: str | None, time: str | None, cross_section: bool = False
) -> tuple[str | None, str | None, list[str], list[str]]:
    """The entity and time columns, the user's or proposed; raise InitError when none fit.

    For a ``cross_section`` there is no time column; the entity is ``entity``, else a column
    named like an identifier whose every value differs, else None (the file's row numbers).
    """
    columns = [str(column) for column in table.columns]
    for option, given in (("--entity", entity), ("--time", time)):
        if given is not None and given not in columns:
            raise InitError(
                f"{option} {given!r} is not a column of the file. Its columns are: "
                + ", ".join(repr(column) for column in columns)
            )
    if cross_section:
        if time is not None:
            raise InitError("--cross-section has no time column: leave out --time.")
        if entity is not None:
            _check_unique_key(table, entity, None)
            return entity, None, [entity], []
        identifiers = propose_identifier_columns(table)
        return (identifiers[0] if identifiers else None), None, identifiers, []
    time_candidates = [time] if time is not None else propose_time_columns(table)
    if not time_candidates:
        raise InitError(
            "No column looks like a time column (whole numbers that repeat: years such as 2010, "
            "periods 1, 2, 3, ..., quarters such as 2010Q1 or months such as 2010-03). If the "
            "file is a panel, name its time column with --time COLUMN (and its entity column "
            "with --entity COLUMN). If it is a cross-section (one row per entity, one period), "
            "rerun with --cross-section (and --entity COLUMN if a column identifies the rows)."
        )
    entity_candidates: list[str] = []
    for candidate in time_candidates:
        entity_candidates = (
            [entity] if entity is not None else propose_entity_columns(table, candidate)
        )
        if entity is not None:
            _check_unique_key(table, entity, candidate)
        if entity_candidates:
            return entity_candidates[0], candidate, entity_candidates, time_candidates
    raise InitError(
        "No column identifies the entities: for the time column "
        + " or ".join(repr(c) for c in time_candidates)
        + ", no other column is complete, repeats over periods and is unique with it. Name "
        "the entity column with --entity COLUMN (and the time column with --time COLUMN); if "
        "the file has one row per entity and period, check that no identifier is missing. If "
        "the file is a cross-section (one row per entity), rerun with --cross-section."
    )


def propose_identifier_columns(table: pd.DataFrame) -> list[str]:
    """Columns named like an identifier whose value differs in every row, leftmost first."""
    found = []
    for column in table.columns:
        keys = _entity_keys(table[column])
        if keys is None or not _named_like(_ENTITY_WORDS, column):
            continue
        if keys.nunique() == len(table):
            found.append(str(column))
    return found


def _check_unique_key(table: pd.DataFrame, entity: str, time: str | None) -> None:
    key_columns = [entity] if time is None else [entity, time]
    keys = table[key_columns].astype("string")
    if keys.isna().any().any():
        missing = int(keys.isna().any(axis=1).sum())
        raise InitError(
            f"{missing} row(s) have no value in {' or '.join(map(repr, key_columns))}; every "
            "row needs an entity" + ("." if time is None else " and a period.")
        )
    repeated = keys.duplicated(keep=False)
    if repeated.any():
        rows = (np.flatnonzero(repeated.to_numpy()) + 2)[:10]
        shared = entity if time is None else f"({entity}, {time}) pair"
        raise InitError(
            f"{int(repeated.sum())} rows share an {shared} (file rows "
            f"{', '.join(str(r) for r in rows)}, ...): "
            + ("this column does not" if time is None else "these two columns do not")
            + " identify the rows. Choose other columns with --entity and --time."
        )
    if time is not None and time_kind_of(table[time], named=True) is None:
        raise InitError(
            f"The time column {time!r} does not hold whole numbers in every row (years such as "
            "2010, periods 1, 2, 3, ...) or quarter or month labels (2010Q1, 2010-03)."
        )


def _resolve(
    choice: str, columns: Sequence[ColumnProposal], option: str, *, numeric: bool = False
) -> str:
    """The pipeline name of the variable the user named (by header or pipeline name).

    ``numeric``: the role needs a number (the outcome), so a category is refused.
    """
    allowed = NUMERIC_KINDS if numeric else SCHEMA_KINDS
    for column in columns:
        if choice in (column.column, column.name):
            if column.kind not in allowed:
                raise InitError(
                    f"{option} {choice!r} cannot be used: {column.note}. Choose a numeric column."
                )
            return column.name
    usable = ", ".join(repr(column.column) for column in columns if column.kind in allowed)
    raise InitError(
        f"{option} {choice!r} is not a usable column of the file. Choose one of: {usable}"
    )


def propose_configuration(
    table: pd.DataFrame,
    *,
    entity: str | None = None,
    time: str | None = None,
    outcome: str | None = None,
    treatment: str | None = None,
    controls: Sequence[str] = (),
    cross_section: bool = False,
) -> DataProposal:
    """Propose the configuration of a data file.

    Parameters
    ----------
    table : pandas.DataFrame
        The file as read by :func:`govcluster.io.read_table`.
    entity, time : str, optional
        Headers of the entity and time columns; proposed when not given.
    outcome, treatment : str, optional
        The model's outcome and treatment (header or pipeline name); when not given, the
        treatment is the first 0/1 column (or the second numeric column) and the outcome the
        first other non-binary numeric column. The treatment may be a category (indicators
        of its levels); the outcome must be numeric.
    controls : sequence of str
        The model's control variables (headers or pipeline names; categories allowed).
    cross_section : bool
        The file has one row per entity and no time column: the model is pooled OLS.

    Returns
    -------
    DataProposal

    Raises
    ------
    InitError
        When no column can be the time or entity column, a given column does not exist or
        cannot play its role, or fewer than two numeric columns are left for the model.
    """
    table = table.rename(columns=str)
    entity_column, time_column, entities, times = _choose_key(table, entity, time, cross_section)
    taken: set[str] = set()
    proposals = []
    for position, column in enumerate(table.columns, start=1):
        if column in (entity_column, time_column):
            continue
        kind, note = propose_kind(table[column], column)
        proposals.append(ColumnProposal(column, safe_name(column, position, taken), kind, note))
    usable = [column for column in proposals if column.kind in NUMERIC_KINDS]
    if len(usable) < 2:
        raise InitError(
            "The file has fewer than two numeric columns besides the entity and time columns, "
            "so there is no outcome and treatment to model. Columns: "
            + "; ".join(f"{c.column!r} ({c.note})" for c in proposals)
        )
    chosen = outcome is not None and treatment is not None
    if treatment is not None:
        treatment_name = _resolve(treatment, proposals, "--treatment")
    else:
        binary = [c.name for c in usable if c.kind == "binary" and c.name != outcome]
        others = [c.name for c in usable if c.name not in (outcome,)]
        treatment_name = binary[0] if binary else others[min(1, len(others) - 1)]
    if outcome is not None:
        outcome_name = _resolve(outcome, proposals, "--outcome", numeric=True)
    else:
        continuous = [c.name for c in usable if c.kind != "binary" and c.name != treatment_name]
        rest = [c.name for c in usable if c.name != treatment_name]
        outcome_name = (continuous or rest)[0]
    if outcome_name == treatment_name:
        raise InitError(f"The outcome and the treatment are the same column ({outcome_name!r}).")
    control_names = tuple(_resolve(control, proposals, "--controls") for control in controls)
    clash = {outcome_name, treatment_name} & set(control_names)
    if clash:
        raise InitError(f"--controls repeats the outcome or treatment: {', '.join(sorted(clash))}")
    n_entities = (
        int(table[entity_column].astype("string").nunique()) if entity_column else len(table)
    )
    return DataProposal(
        entity=entity_column,
        time=time_column,
        time_kind=(
            time_kind_of(table[time_column], named=True) or "year" if time_column else "period"
        ),
        columns=tuple(proposals),
        outcome=outcome_name,
        treatment=treatment_name,
        controls=control_names,
        chosen=chosen,
        n_rows=len(table),
        n_entities=n_entities,
        n_periods=int(table[time_column].astype("string").nunique()) if time_column else 1,
        entity_candidates=tuple(entities),
        time_candidates=tuple(times),
    )
