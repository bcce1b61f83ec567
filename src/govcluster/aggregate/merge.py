"""Place the indicators built from firms into a cluster-level file (yearbook data)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from govcluster.errors import DataValidationError


def merge_into_cluster_table(
    cluster_table: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    entity: str,
    time: str,
    indicators: Sequence[str],
    source: str = "the cluster-level file",
) -> tuple[pd.DataFrame, int]:
    """Replace (or add) the indicator columns of a cluster-level table by the firm aggregates.

    Every row of ``cluster_table`` is kept as it is (duplicates and all, for the later stages
    to clean); its indicator cells are replaced by the aggregate of the same cluster and year,
    empty where no firm was kept. Cluster-years with firms but no row in the table are not
    added (they have none of the table's other columns); their number is returned.

    Parameters
    ----------
    cluster_table : pandas.DataFrame
        The cluster-level data as read (cells may be text).
    panel : pandas.DataFrame
        :attr:`AggregateResult.panel`: ``entity``, ``time`` and the indicators.
    entity, time : str
        Cluster and year columns (the same names in both tables).
    indicators : sequence of str
        Indicator columns to replace.
    source : str
        Name of the cluster-level file, for messages.

    Returns
    -------
    table : pandas.DataFrame
    n_unmatched : int
        Cluster-years of ``panel`` with no row in ``cluster_table``.
    """
    missing = [c for c in (entity, time) if c not in cluster_table.columns]
    if missing:
        raise DataValidationError(
            "the cluster-level file lacks the cluster or year column",
            file=source,
            column=", ".join(missing),
            fix="set data.entity and data.time to its columns",
        )
    table = cluster_table.copy()
    keys = pd.DataFrame(
        {
            entity: table[entity].astype("string").str.strip(),
            time: pd.to_numeric(table[time], errors="coerce").astype("Int64"),
        }
    )
    values = panel[[entity, time, *indicators]].copy()
    values[entity] = values[entity].astype("string")
    values[time] = values[time].astype("Int64")
    joined = keys.merge(values, on=[entity, time], how="left", validate="many_to_one")
    for name in indicators:
        table[name] = joined[name].to_numpy()
    present = keys.drop_duplicates()
    unmatched = values[[entity, time]].merge(present, how="left", indicator=True)
    return table, int((unmatched["_merge"] == "left_only").sum())
