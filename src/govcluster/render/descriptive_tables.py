"""The descriptive exhibits: tables from the outputs of the indices and describe stages.

Each builder is a pure function of a results table (as written by the pipeline) and the
configuration, and returns a :class:`~govcluster.render.tables.Table` labelled in the configured
language. :func:`construct_trends_by_region` prepares the data of the index-trends figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from govcluster.columns import REGION, TIME
from govcluster.config import ProjectConfig
from govcluster.describe import SUMMARY_COLUMNS
from govcluster.regions import REGIONS
from govcluster.render.formatting import (
    DEFAULT_STARS,
    format_count,
    format_number,
    significance_stars,
)
from govcluster.render.labels import stars_note, word
from govcluster.render.table_text import construct_caption, panel_title
from govcluster.render.tables import HeaderCell, Panel, Row, Table, make_header
from govcluster.user_names import english_plural

#: Columns of the summary-statistics table, in order: those of
#: :data:`govcluster.describe.SUMMARY_COLUMNS` up to the maximum.
SUMMARY_TABLE_COLUMNS = SUMMARY_COLUMNS[: SUMMARY_COLUMNS.index("max") + 1]


def _entity_word(key: str, config: ProjectConfig, language: str) -> str:
    """A label of :mod:`govcluster.render.labels` that names the entity, in the user's words.

    With ``data.entity_label`` (firm, 企业) "cluster" and 集群 become the user's entity
    (the number of entities reads "Firms", 企业数); unchanged without it.
    """
    text = word(key, language)
    label = config.data.entity_label
    if label is None:
        return text
    if language == "zh":
        return text.replace("集群", label.zh)
    if key == "n_clusters_short":
        plural = getattr(label, "plural", None) or english_plural(label.en)
        return plural[:1].upper() + plural[1:]
    return text.replace("cluster", label.en)


def _indexed_by(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """``table`` indexed by ``column`` whether it is a column or already the index."""
    if table.index.name == column:
        return table
    if column in table.columns:
        return table.set_index(column)
    raise ValueError(f"the table has no column or index named '{column}'")


def summary_statistics_table(
    summary: pd.DataFrame,
    config: ProjectConfig,
    *,
    variables: Sequence[str] | None = None,
    digits: int = 3,
    data_changes: str | None = None,
) -> Table:
    """Summary statistics (overall, between and within) of the analysis variables.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``results/descriptives/summary_statistics.csv`` (the output of
        :func:`govcluster.describe.panel_summary_statistics`), indexed by ``variable`` or with
        a ``variable`` column.
    config : ProjectConfig
        Labels and language; constructs go to Panel A, controls to Panel B, anything else to
        Panel C.
    variables : sequence of str, optional
        Variables shown, in this order within their panel; default all rows of ``summary``.
    digits : int, default 3
        Decimals of the statistics (the average number of periods has one).
    data_changes : str, optional
        What cleaning changed in the data (:func:`govcluster.clean_summary.describe_data_changes`),
        added to the notes after "Data cleaning:".

    Returns
    -------
    Table
        Label ``summary_statistics``; its numbers are the shown rows and columns of
        ``summary``.
    """
    language = config.language
    summary = _indexed_by(summary, "variable")
    variables = list(summary.index if variables is None else variables)
    absent = [v for v in variables if v not in summary.index]
    if absent:
        raise ValueError(f"the summary statistics have no row for {absent}")
    groups = [
        ("panel_constructs", [v for v in variables if v in config.constructs]),
        ("panel_controls", [v for v in variables if v in config.controls]),
        (
            "panel_other",
            [v for v in variables if v not in config.constructs and v not in config.controls],
        ),
    ]
    panels = []
    for title_key, members in groups:
        if not members:
            continue
        rows = tuple(Row(config.label(v), _summary_cells(summary.loc[v], digits)) for v in members)
        panels.append(Panel(word(title_key, language), rows))
    header = make_header(
        ["", "", "", "", HeaderCell(word("sd", language), 3), "", "", ""],
        [
            _entity_word(key, config, language)
            for key in (
                "n_obs",
                "n_clusters_short",
                "mean_periods",
                "mean",
                "overall",
                "between",
                "within",
                "min",
                "median",
                "max",
            )
        ],
    )
    notes = [_entity_word("summary_note", config, language)]
    if config.indices.standardize and any(v in config.constructs for v in variables):
        notes.append(word("standardized_note", language))
    if data_changes:
        notes.append(word("data_changes_note", language).format(changes=data_changes))
    shown = [v for _, members in groups for v in members]
    return Table(
        title=word("summary_title", language),
        columns=header,
        panels=tuple(panels),
        notes=tuple(notes),
        label="summary_statistics",
        stub_header=word("variable", language),
        numbers=summary.loc[shown, list(SUMMARY_TABLE_COLUMNS)],
    )


def _summary_cells(statistics: pd.Series, digits: int) -> tuple[str, ...]:
    cells = []
    for column in SUMMARY_TABLE_COLUMNS:
        value = statistics[column]
        if column in ("N", "n"):
            cells.append(format_count(value))
        elif column == "T_bar":
            cells.append(format_number(value, 1))
        else:
            cells.append(format_number(value, digits))
    return tuple(cells)


def correlation_pvalues(correlations: pd.DataFrame, n_obs: int | pd.DataFrame) -> pd.DataFrame:
    r"""Two-sided p-values of Pearson correlations against zero.

    Parameters
    ----------
    correlations : pandas.DataFrame
        Square correlation matrix.
    n_obs : int or pandas.DataFrame
        Observations behind each correlation: one number, or a matrix of pairwise counts.

    Returns
    -------
    pandas.DataFrame
        Same shape; NaN on the diagonal.

    Notes
    -----
    :math:`t = r \sqrt{(n - 2) / (1 - r^2)}` against Student's t with :math:`n - 2` degrees
    of freedom.
    """
    r = correlations.to_numpy(dtype=float)
    n = np.broadcast_to(np.asarray(n_obs, dtype=float), r.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt((n - 2) / (1 - r**2))
        p = 2 * stats.t.sf(np.abs(t), n - 2)
    np.fill_diagonal(p, np.nan)
    return pd.DataFrame(p, index=correlations.index, columns=correlations.columns)


def correlation_table(
    correlations: pd.DataFrame,
    config: ProjectConfig,
    *,
    digits: int = 2,
    n_obs: int | pd.DataFrame | None = None,
    stars: bool = False,
    thresholds: Sequence[float] = DEFAULT_STARS,
    max_columns: int = 7,
) -> Table:
    """Lower triangle of a correlation matrix, with numbered columns.

    A matrix of more than ``max_columns`` variables is split into panels of at most
    ``max_columns`` columns each (as even as possible), so that it fits a page: Panel A holds
    columns (1) to (k) for every variable, Panel B columns (k+1) onwards for the variables from
    k+1 on (the lower triangle has nothing else), and so on. A panel after the first starts
    with a row of its column numbers.

    Parameters
    ----------
    correlations : pandas.DataFrame
        ``results/descriptives/correlations.csv`` read with its first column as index.
    config : ProjectConfig
        Labels and language.
    digits : int, default 2
        Decimals.
    n_obs : int or pandas.DataFrame, optional
        Observations behind the correlations (needed for stars; also printed in the notes
        when it is one number).
    stars : bool, default False
        Mark correlations significantly different from zero.
    thresholds : sequence of float, default (0.10, 0.05, 0.01)
        Significance thresholds of the stars.
    max_columns : int, default 7
        Most data columns of a panel.

    Returns
    -------
    Table
        Label ``correlations``; rows ``(i) label``, columns ``(1)`` ... ``(k)``, ones on the
        diagonal, the upper triangle empty. Its numbers are the matrix with NaN above the
        diagonal.
    """
    if max_columns < 1:
        raise ValueError(f"max_columns must be at least 1, got {max_columns}")
    if stars and n_obs is None:
        raise ValueError("stars on correlations need n_obs (the number of observations)")
    language = config.language
    variables = list(correlations.index)
    if list(correlations.columns) != variables:
        raise ValueError("the correlation matrix must have the same variables as rows and columns")
    pvalues = correlation_pvalues(correlations, n_obs) if stars else None

    def cell(i: int, j: int) -> str:
        if j > i:
            return ""
        if j == i:
            return "1"
        text = format_number(correlations.iat[i, j], digits)
        if pvalues is not None:
            text += significance_stars(pvalues.iat[i, j], thresholds)
        return text

    n = len(variables)
    n_panels = -(-n // max_columns)
    width = -(-n // n_panels)
    blocks = [range(start, min(start + width, n)) for start in range(0, n, width)]
    panels = []
    for position, block in enumerate(blocks):
        rows = [
            Row(f"({i + 1}) {config.label(variables[i])}", tuple(cell(i, j) for j in block))
            for i in range(block[0], n)
        ]
        padding = ("",) * (width - len(block))
        rows = [Row(row.label, row.cells + padding) for row in rows]
        title = ""
        if len(blocks) > 1:
            numbers = f"({block[0] + 1})–({block[-1] + 1})"
            title = panel_title(position, numbers, language)
            if position > 0:
                heading = tuple(f"({j + 1})" for j in block) + padding
                rows.insert(0, Row("", heading))
        panels.append(Panel(title, tuple(rows)))
    notes = [_entity_word("correlations_note", config, language)]
    if isinstance(n_obs, int | np.integer):
        notes.append(word("correlations_n_note", language).format(n=format_count(n_obs)))
    if stars:
        notes.append(stars_note(tuple(thresholds), language))
    lower = correlations.where(np.tril(np.ones(correlations.shape, dtype=bool)))
    return Table(
        title=word("correlations_title", language),
        columns=make_header([f"({j + 1})" for j in blocks[0]] + [""] * (width - len(blocks[0]))),
        panels=tuple(panels),
        notes=(("" if language == "zh" else " ").join(notes),),
        label="correlations",
        stub_header=word("variable", language),
        numbers=lower,
    )


def _method_words(methods: pd.Series, language: str) -> str:
    """The index method(s) of a results table, in words."""
    separator = "、" if language == "zh" else ", "
    names = dict.fromkeys(str(method) for method in methods.dropna())
    return separator.join(word(f"method_{name}", language) for name in names)


def index_weights_table(weights: pd.DataFrame, config: ProjectConfig, *, digits: int = 3) -> Table:
    """Indicator weights of every composite index, one panel per construct.

    Parameters
    ----------
    weights : pandas.DataFrame
        ``results/descriptives/index_weights.csv``: construct, indicator, direction, weight, method.
    config : ProjectConfig
        Labels and language.
    digits : int, default 3

    Returns
    -------
    Table
        Label ``index_weights``; columns direction (+ or −) and weight; its numbers are
        construct, indicator, direction and weight.
    """
    language = config.language
    required = ["construct", "indicator", "direction", "weight"]
    absent = [c for c in required if c not in weights.columns]
    if absent:
        raise ValueError(f"the index weights have no column(s) {absent}")
    panels = []
    for construct, block in weights.groupby("construct", sort=False):
        rows = tuple(
            Row(
                config.label(indicator),
                ("+" if direction > 0 else "−", format_number(weight, digits)),
            )
            for indicator, direction, weight in block[
                ["indicator", "direction", "weight"]
            ].itertuples(index=False)
        )
        panels.append(Panel(construct_caption(config, str(construct)), rows))
    method = _method_words(weights.get("method", pd.Series(dtype=object)), language)
    return Table(
        title=word("weights_title", language),
        columns=make_header([word("direction", language), word("weight", language)]),
        panels=tuple(panels),
        notes=(word("weights_note", language).format(method=method),),
        label="index_weights",
        stub_header=word("indicator", language),
        numbers=weights[required].reset_index(drop=True),
    )


def index_reliability_table(
    reliability: pd.DataFrame, config: ProjectConfig, *, digits: int = 3
) -> Table:
    """Cronbach's alpha and first-component share of every composite index.

    Parameters
    ----------
    reliability : pandas.DataFrame
        ``results/descriptives/index_reliability.csv``: construct, n_indicators, cronbach_alpha,
        first_component_share (a proportion), method.
    config : ProjectConfig
        Labels and language.
    digits : int, default 3
        Decimals of alpha; the share is printed in percent with one decimal.

    Returns
    -------
    Table
        Label ``index_reliability``; its numbers are the input's numeric columns by construct.
    """
    language = config.language
    table = _indexed_by(reliability, "construct")
    columns = ["n_indicators", "cronbach_alpha", "first_component_share"]
    rows = tuple(
        Row(
            construct_caption(config, str(construct)),
            (
                format_count(values["n_indicators"]),
                format_number(values["cronbach_alpha"], digits),
                format_number(100 * values["first_component_share"], 1),
            ),
        )
        for construct, values in table[columns].iterrows()
    )
    method = _method_words(table.get("method", pd.Series(dtype=object)), language)
    return Table(
        title=word("reliability_title", language),
        columns=make_header([word(key, language) for key in columns]),
        panels=(Panel("", rows),),
        notes=(word("reliability_note", language).format(method=method),),
        label="index_reliability",
        stub_header=word("construct", language),
        numbers=table[columns],
    )


def construct_trends_by_region(
    panel: pd.DataFrame,
    constructs: Sequence[str],
    *,
    region: str = REGION,
    time: str = TIME,
) -> pd.DataFrame:
    """Mean of each construct index by year and region.

    Parameters
    ----------
    panel : pandas.DataFrame
        The analysis panel.
    constructs : sequence of str
        Index columns, in the order of the figure's panels.
    region, time : str
        Region and period columns.

    Returns
    -------
    pandas.DataFrame
        Long: construct, region, year (named after ``time``), mean, n (observations); regions
        ordered east, central, west, then any other in alphabetical order; rows without a
        region are left out.
    """
    absent = [c for c in [region, time, *constructs] if c not in panel.columns]
    if absent:
        raise ValueError(f"the panel has no column(s) {absent}")
    present = panel[panel[region].notna()]
    long = present.melt(
        id_vars=[region, time],
        value_vars=list(constructs),
        var_name="construct",
        value_name="value",
    )
    long[region] = long[region].astype(str)
    grouped = (
        long.groupby(["construct", region, time], sort=False)["value"]
        .agg(mean="mean", n="count")
        .reset_index()
    )
    extra = sorted(set(grouped[region]) - set(REGIONS))
    order = [r for r in REGIONS if r in set(grouped[region])] + extra
    grouped["construct"] = pd.Categorical(grouped["construct"], categories=list(constructs))
    grouped[region] = pd.Categorical(grouped[region], categories=order)
    grouped = grouped.sort_values(["construct", region, time]).reset_index(drop=True)
    grouped["construct"] = grouped["construct"].astype(str)
    grouped[region] = grouped[region].astype(str)
    return grouped.rename(columns={region: "region", time: "year"})
