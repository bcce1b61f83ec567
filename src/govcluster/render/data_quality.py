"""The data-quality report as Markdown.

Renders a :class:`govcluster.quality.DataQualityReport` (the panel as read, before cleaning)
as one Markdown document: overview, missing values by variable and by year, panel balance,
exact duplicates, cells that are not numbers (placeholders and spreadsheet errors) and values
flagged by the cluster screens. The entity and time columns of the tables, and the words for
them, are the user's (:attr:`govcluster.quality.DataQualityReport.columns`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from govcluster.columns import SOURCE_ROW

if TYPE_CHECKING:
    from govcluster.quality import DataQualityReport

_ROWS_SHOWN = 30


def render_data_quality(report: DataQualityReport) -> str:
    """The data-quality report as Markdown (long tables shortened)."""
    names = report.columns
    sections = [
        "# Data quality report",
        "The panel as read from the file, before cleaning. File rows count the header as row 1.",
        "## Overview",
        _table(report.balance_summary.assign(value=report.balance_summary["value"].map(_cell))),
        "## Missing values by variable",
        "Missing cells are empty cells, placeholders such as '-' or 'NA', and text that is not "
        "a number (`n_unreadable`).",
        _table(_with_percent(report.missingness_by_variable, "share_missing")),
        f"## Missing values by {names.time_noun}",
        f"Share of missing cells over all variables (each variable and {names.time_noun}: "
        "`missingness_by_year`).",
        _table(_missing_share_by_year(report.missingness_by_year, time=names.time)),
        "## Panel balance",
        _balance_text(report.panel_balance, time_noun=names.time_noun),
        "## Exact duplicate rows",
        _duplicates_text(report.exact_duplicates, time=names.time),
        "## Cells that are not numbers",
        _non_values_text(report.non_values),
        "## Values flagged for review",
        _flagged_text(report.flagged_values, median=report.median_column, noun=names.entity_noun),
    ]
    return "\n\n".join(sections) + "\n"


def _non_values_text(cells: pd.DataFrame) -> str:
    if cells.empty:
        return "None: every non-empty cell of the variables holds a number."
    counts = (
        cells.groupby(["column", "text", "meaning"], sort=False)[SOURCE_ROW]
        .agg(
            lambda rows: (
                ", ".join(str(r) for r in list(rows)[:_ROWS_SHOWN])
                + (f", ... ({len(rows)} in all)" if len(rows) > _ROWS_SHOWN else "")
            )
        )
        .reset_index()
        .rename(columns={SOURCE_ROW: "file rows"})
    )
    return (
        f"{len(cells)} cell(s) hold a placeholder or a spreadsheet error instead of a number. "
        "They are read as missing; the clean step may fill them by interpolation "
        "(`cleaning_audit.csv` lists every filled cell).\n\n" + _table(counts)
    )


def _flagged_text(flagged: pd.DataFrame, *, median: str, noun: str) -> str:
    if flagged.empty:
        return "None."
    shown = flagged.head(_ROWS_SHOWN).assign(
        value=flagged["value"].map(lambda v: f"{v:.6g}"),
        **{median: flagged[median].map(lambda v: f"{v:.6g}")},
    )
    lines = [
        f"{len(flagged)} value(s) lie far from the rest of their {noun} or are off by a power "
        "of ten; they are not corrected (except by the configured scale-typo rule). Check them "
        "in the file.",
        _table(shown.drop(columns=["variable"])),
    ]
    if len(flagged) > _ROWS_SHOWN:
        lines.append(f"... and {len(flagged) - _ROWS_SHOWN} more.")
    return "\n\n".join(lines)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def _table(table: pd.DataFrame) -> str:
    if table.empty:
        return "(none)"
    return table.to_markdown(index=False)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:.1%}"
    return str(value)


def _with_percent(table: pd.DataFrame, column: str) -> pd.DataFrame:
    return table.assign(**{column: table[column].map(_cell)})


def _missing_share_by_year(by_year: pd.DataFrame, *, time: str) -> pd.DataFrame:
    if by_year.empty:
        return pd.DataFrame()
    time = time if time in by_year.columns else "year"  # a name another column has
    totals = by_year.groupby(time, sort=True)[["n_cells", "n_missing"]].sum()
    variables = by_year.loc[by_year["n_missing"] > 0].groupby(time)["variable"].nunique()
    table = pd.DataFrame(
        {
            time: totals.index.astype("int64"),
            "cells": totals["n_cells"].to_numpy(),
            "missing": totals["n_missing"].to_numpy(),
            "share_missing": [
                _cell(_share(int(m), int(c)))
                for m, c in zip(totals["n_missing"], totals["n_cells"], strict=True)
            ],
            "variables with missing cells": variables.reindex(totals.index, fill_value=0)
            .astype("int64")
            .to_numpy(),
        }
    )
    return table


def _balance_text(balance: pd.DataFrame, *, time_noun: str) -> str:
    if balance.empty:
        return f"(no rows with both an entity and a valid {time_noun})"
    unbalanced = balance.loc[~balance["balanced"].astype(bool)]
    if unbalanced.empty:
        return f"Balanced: all {len(balance)} entities are observed in every {time_noun}."
    with_gaps = balance.loc[balance["n_gaps"] > 0]
    lines = [
        f"Entities not observed in every {time_noun} of the panel: {len(unbalanced)} of "
        f"{len(balance)}; with gaps inside their own span: {len(with_gaps)}."
    ]
    if not with_gaps.empty:
        shown = with_gaps.head(_ROWS_SHOWN)
        lines.append(_table(shown))
        if len(with_gaps) > _ROWS_SHOWN:
            lines.append(f"... and {len(with_gaps) - _ROWS_SHOWN} more (see `panel_balance`).")
    return "\n\n".join(lines)


def _duplicates_text(duplicates: pd.DataFrame, *, time: str) -> str:
    if duplicates.empty:
        return "None."
    n_extra = int(duplicates["n_rows"].sum() - len(duplicates))
    lines = [
        f"{len(duplicates)} group(s) of identical rows ({n_extra} extra copies):",
        _table(
            duplicates.head(_ROWS_SHOWN).astype(
                {column: "string" for column in (time, "year") if column in duplicates}
            )
        ),
    ]
    if len(duplicates) > _ROWS_SHOWN:
        lines.append(f"... and {len(duplicates) - _ROWS_SHOWN} more.")
    return "\n\n".join(lines)
