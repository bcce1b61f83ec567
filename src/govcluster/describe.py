r"""Descriptive statistics of the panel: xtsum-style summaries and correlations.

:func:`panel_summary_statistics` decomposes the variation of each variable into its between
(cross-cluster) and within (over-time) parts, as Stata's ``xtsum`` does;
:func:`correlation_matrix` gives Pearson correlations. Markdown rendering of either lives in
:func:`govcluster.render.markdown.to_markdown_table` (re-exported here for the workflow
scripts).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from govcluster.columns import ENTITY, TIME
from govcluster.render.markdown import to_markdown_table

__all__ = [
    "SUMMARY_COLUMNS",
    "correlation_matrix",
    "panel_summary_statistics",
    "to_markdown_table",
]

#: Columns of :func:`panel_summary_statistics`, in order.
SUMMARY_COLUMNS = (
    "N",
    "n",
    "T_bar",
    "mean",
    "sd_overall",
    "sd_between",
    "sd_within",
    "min",
    "median",
    "max",
    "min_between",
    "max_between",
    "min_within",
    "max_within",
)


def _require_columns(df: pd.DataFrame, columns: Sequence[str]) -> None:
    absent = [column for column in columns if column not in df.columns]
    if absent:
        raise ValueError(f"the data have no column(s) {', '.join(repr(a) for a in absent)}")


def _numeric(df: pd.DataFrame, variable: str) -> pd.Series:
    column = df[variable]
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        if not column.isna().all():
            raise ValueError(f"variable '{variable}' is not numeric (dtype {column.dtype})")
    return column.astype("float64")


def panel_summary_statistics(
    df: pd.DataFrame,
    variables: Sequence[str],
    entity: str = ENTITY,
    time: str = TIME,
) -> pd.DataFrame:
    r"""Overall, between and within summary statistics of panel variables (Stata's ``xtsum``).

    Parameters
    ----------
    df : pandas.DataFrame
        A long panel, one row per entity and period.
    variables : sequence of str
        Numeric columns to summarise.
    entity : str, default "cluster_id"
        Column identifying the entity.
    time : str, default "year"
        Column identifying the period; (entity, time) must be unique.

    Returns
    -------
    pandas.DataFrame
        One row per variable (index named "variable") with the columns of
        ``SUMMARY_COLUMNS``: N (non-missing observations), n (entities with at least one),
        T_bar (N / n), mean, sd_overall, sd_between, sd_within, min, median, max (overall),
        min_between, max_between (of the entity means), min_within, max_within (of the
        within-transformed values). A variable that is missing everywhere has N = n = 0 and
        NaN statistics.

    Raises
    ------
    ValueError
        If a column is absent or not numeric, or (entity, time) is duplicated.

    Notes
    -----
    Each variable uses its own non-missing observations. With :math:`\bar x_i` the mean of
    entity :math:`i` over its :math:`T_i` observations, :math:`\bar x` the overall mean over all
    :math:`N = \sum_i T_i` observations and :math:`n` entities,

    .. math::

        s_{\text{overall}}^2 = \frac{1}{N - 1} \sum_{i,t} (x_{it} - \bar x)^2, \qquad
        s_{\text{between}}^2 = \frac{1}{n - 1} \sum_{i} (\bar x_i - \bar{\bar x})^2, \qquad
        s_{\text{within}}^2 = \frac{1}{N - 1} \sum_{i,t} (w_{it} - \bar x)^2, \qquad
        w_{it} = x_{it} - \bar x_i + \bar x,

    where :math:`\bar{\bar x} = n^{-1} \sum_i \bar x_i` (entities weighted equally, as in
    ``xtsum``). The within values :math:`w_{it}` have mean :math:`\bar x`, so their minimum and
    maximum (min_within, max_within) are comparable with the overall ones; min_between and
    max_between are the extremes of the :math:`\bar x_i`.
    """
    variables = list(variables)
    _require_columns(df, [entity, time, *variables])
    duplicated = df.duplicated([entity, time], keep=False)
    if duplicated.any():
        examples = df.loc[duplicated, [entity, time]].drop_duplicates().head(5)
        shown = ", ".join(f"({e}, {t})" for e, t in examples.itertuples(index=False))
        raise ValueError(
            f"{int(duplicated.sum())} rows share an ({entity}, {time}) pair, e.g. {shown}"
        )
    rows = {}
    for variable in variables:
        values = _numeric(df, variable)
        observed = values.notna()
        x = values[observed]
        groups = df.loc[observed, entity]
        entity_means = x.groupby(groups, sort=False).mean()
        within = x - groups.map(entity_means).astype("float64") + x.mean()
        n_obs, n_entities = len(x), len(entity_means)
        rows[variable] = {
            "N": n_obs,
            "n": n_entities,
            "T_bar": n_obs / n_entities if n_entities else np.nan,
            "mean": x.mean(),
            "sd_overall": x.std(ddof=1),
            "sd_between": entity_means.std(ddof=1),
            "sd_within": within.std(ddof=1),
            "min": x.min(),
            "median": x.median(),
            "max": x.max(),
            "min_between": entity_means.min(),
            "max_between": entity_means.max(),
            "min_within": within.min(),
            "max_within": within.max(),
        }
    summary = pd.DataFrame.from_dict(rows, orient="index", columns=list(SUMMARY_COLUMNS))
    summary = summary.astype({"N": "int64", "n": "int64"})
    float_columns = [column for column in SUMMARY_COLUMNS if column not in ("N", "n")]
    summary[float_columns] = summary[float_columns].astype("float64")
    summary.index.name = "variable"
    return summary


def correlation_matrix(df: pd.DataFrame, variables: Sequence[str]) -> pd.DataFrame:
    r"""Pearson correlation matrix of ``variables``.

    Parameters
    ----------
    df : pandas.DataFrame
        The data.
    variables : sequence of str
        Numeric columns, in the order wanted in the matrix.

    Returns
    -------
    pandas.DataFrame
        Square matrix indexed and labelled by ``variables``. Each correlation uses the rows
        where both variables are observed (pairwise deletion).

    Raises
    ------
    ValueError
        If a column is absent or not numeric.

    Notes
    -----
    .. math::

        r_{xy} = \frac{\sum_i (x_i - \bar x)(y_i - \bar y)}
                      {\sqrt{\sum_i (x_i - \bar x)^2} \sqrt{\sum_i (y_i - \bar y)^2}}.
    """
    variables = list(variables)
    _require_columns(df, variables)
    data = pd.DataFrame({variable: _numeric(df, variable) for variable in variables})
    return data.corr(method="pearson")
