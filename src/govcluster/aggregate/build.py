"""Firm-level files -> cluster-year indicators, out of core, with an audit.

:func:`aggregate_firms` scans the files with DuckDB (memory capped by the configuration, spilling
to disk beyond it), assigns every row to a cluster, checks the firm-year keys, computes the
configured indicators per cluster and year, and records what it dropped and why.

Steps (a row is dropped with the first reason that applies):

1. ``missing_key``: firm or year empty (a year that is not a whole number counts as empty);
2. ``unassigned``: no cluster (assignment keys empty, or not in the mapping file);
3. transaction files only: rows summed to one row per cluster, firm and year;
4. ``duplicate_key``: a firm-year key seen more than once within one cluster (firm-year
   files): an error, or all its rows dropped (``on_duplicate_key``);
5. ``two_clusters``: a firm in two clusters in the same year: an error, all its rows dropped,
   or only the row of the cluster where ``largest_by`` is largest kept (``on_two_clusters``);
6. the indicators per cluster and year over the rows kept; a row without the value an indicator
   needs is left out of that indicator only (counted in ``indicator_missing``).

Sums use DuckDB's compensated summation (``fsum``) and every indicator is rounded to 12
significant digits, so that the panel does not depend on the number of threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from govcluster.aggregate.audit import AggregateAudit
from govcluster.aggregate.sources import (
    check_schemas,
    connect,
    file_format,
    literal,
    quote,
    read_schema,
    resolve_files,
    scan_expression,
)
from govcluster.aggregate.spec import AggregateSpec, IndicatorRule
from govcluster.errors import ConfigError, DataValidationError

#: Significant digits kept in every indicator.
SIGNIFICANT_DIGITS = 12
_SHOWN = 10


@dataclass(frozen=True, eq=False)
class AggregateResult:
    """The cluster-year panel built from the firms and its audit.

    Attributes
    ----------
    panel : pandas.DataFrame
        One row per cluster and year with firms: ``entity``, ``time`` and one column per
        indicator, sorted by cluster and year (plus empty rows for expected cluster-years
        without firms).
    audit : AggregateAudit
    """

    panel: pd.DataFrame
    audit: AggregateAudit


def aggregate_firms(
    files: Sequence[str],
    spec: AggregateSpec,
    *,
    mapping: pd.DataFrame | None = None,
    mapping_source: str = "the mapping file",
    expected: pd.DataFrame | None = None,
    dropped_rows_path: str | Path | None = None,
    entity: str = "cluster_id",
    time: str = "year",
) -> AggregateResult:
    """Aggregate firm-level files into the cluster-year indicators of ``spec``.

    Parameters
    ----------
    files : sequence of str
        Files or glob patterns (Parquet or CSV, one format).
    spec : AggregateSpec
    mapping : pandas.DataFrame, optional
        For the mapping rule: the key columns of ``spec.assignment.keys`` and ``cluster_id``.
    mapping_source : str
        Name of the mapping file, for messages.
    expected : pandas.DataFrame, optional
        Cluster-years that should have firms (``entity``, ``time``), e.g. the rows of the
        cluster-level file; default: every cluster seen (or mapped) in every year seen.
    dropped_rows_path : str or Path, optional
        Where to write the dropped rows (``.csv`` or ``.parquet``): source_file, firm, year,
        cluster_id, reason, n_rows.
    entity, time : str
        Names of the cluster and year columns of the returned panel.

    Returns
    -------
    AggregateResult

    Raises
    ------
    DataValidationError
        For a file whose schema differs from the others, a duplicated firm-year key or a firm
        in two clusters in one year (with the rules set to ``error``), a cluster-year without
        firms (``on_empty_cluster: error``), or an ambiguous mapping file.
    """
    paths = resolve_files(files)
    fmt = file_format(paths, spec.format)
    if spec.unit == "transaction" and any(r.equals is not None for r in spec.indicators):
        raise ConfigError(
            "aggregate.indicators: 'equals' is not available with unit 'transaction' (values "
            "are summed to firm-years first)"
        )
    con = connect(spec)
    try:
        schemas = [read_schema(con, path, fmt) for path in paths]
        text_ok = {r.column for r in spec.indicators if r.equals is not None}
        numeric = [c for c in spec.value_columns if c not in text_ok]
        check_schemas(schemas, spec, numeric=numeric)
        aliases = {column: f"v{k}" for k, column in enumerate(spec.value_columns)}
        labels = _prepare_assignment(con, spec, mapping, mapping_source, schemas[0].columns)
        _create_rows_view(con, spec, scan_expression(paths, fmt), aliases, text_ok)
        if spec.unit == "firm_year":
            con.sql("CREATE TEMP TABLE rows_read AS SELECT * FROM rows_in")
            source = "rows_read"
        else:
            source = "rows_in"
        files_read, invalid = _count_invalid(con, source)
        _create_firm_years(con, spec, aliases, source)
        _resolve_key_problems(con, spec, aliases, labels)
        panel, missing, kept_rows, kept_firm_years = _indicators(
            con, spec, aliases, labels, entity, time
        )
        panel, empty = _add_empty_cells(panel, spec, expected, con, labels, entity, time)
        dropped = {**invalid, **_rule_drop_counts(con)}
        if dropped_rows_path is not None:
            _write_dropped(con, labels, dropped_rows_path)
        audit = AggregateAudit(
            unit=spec.unit,
            engine=f"duckdb {duckdb.__version__}",
            files=files_read,
            n_rows_read=int(sum(f["rows"] for f in files_read)),
            n_rows_kept=int(kept_rows),
            n_firm_years=int(kept_firm_years),
            dropped={k: int(v) for k, v in dropped.items() if v},
            rules={
                "on_duplicate_key": spec.on_duplicate_key,
                "on_two_clusters": spec.on_two_clusters,
                "largest_by": spec.largest_by,
                "on_empty_cluster": spec.on_empty_cluster,
                "assignment": spec.assignment.kind,
            },
            empty_cluster_years=empty,
            indicator_missing=missing,
            n_cluster_years=int(len(panel)),
        )
        return AggregateResult(panel=panel, audit=audit)
    finally:
        con.close()


# --------------------------------------------------------------------------- assignment


def _prepare_assignment(
    con: duckdb.DuckDBPyConnection,
    spec: AggregateSpec,
    mapping: pd.DataFrame | None,
    mapping_source: str,
    file_columns: dict[str, str],
) -> bool:
    """Load the mapping table; return whether cluster labels come from it."""
    rule = spec.assignment
    if rule.kind != "mapping":
        return False
    if mapping is None:
        raise ConfigError("aggregate.assign: rule 'mapping' needs the mapping table")
    keys = list(rule.keys)
    missing = [c for c in (*keys, "cluster_id") if c not in mapping.columns]
    if missing:
        raise DataValidationError(
            "the mapping file lacks columns",
            file=mapping_source,
            column=", ".join(missing),
            fix=f"give it the columns {', '.join(keys)} and cluster_id",
        )
    table = mapping[[*keys, "cluster_id"]].copy()
    for key in keys:
        if file_columns.get(key) == "text":
            table[key] = table[key].astype("string")
        elif file_columns.get(key) == "numeric":
            numbers = pd.to_numeric(table[key], errors="coerce")
            bad = numbers.isna() & table[key].notna()
            if bad.any():
                raise DataValidationError(
                    "a key of the mapping file is not a number, but it is one in the firm files",
                    file=mapping_source,
                    column=key,
                    rows=(np.flatnonzero(bad.to_numpy()) + 2).tolist(),
                    fix="write the same codes as the firm files",
                )
            table[key] = numbers
    table["cluster_id"] = table["cluster_id"].astype("string")
    clash = table.duplicated(subset=keys, keep=False) & ~table.duplicated(keep=False)
    if clash.any():
        rows = (np.flatnonzero(clash.to_numpy()) + 2).tolist()
        raise DataValidationError(
            "the mapping file assigns one key to two clusters",
            file=mapping_source,
            column=", ".join(keys),
            rows=rows,
            fix="keep one cluster per key combination",
        )
    table = table.drop_duplicates(subset=keys).reset_index(drop=True)
    con.register("cluster_map_input", table)
    con.sql(
        "CREATE TEMP TABLE cluster_map AS SELECT *, "
        "CAST(dense_rank() OVER (ORDER BY cluster_id) AS BIGINT) AS cluster_index "
        "FROM cluster_map_input"
    )
    con.unregister("cluster_map_input")
    return True


def _create_rows_view(
    con: duckdb.DuckDBPyConnection,
    spec: AggregateSpec,
    scan: str,
    aliases: dict[str, str],
    text_ok: set[str],
) -> None:
    rule = spec.assignment
    join = ""
    if rule.kind == "mapping":
        on = " AND ".join(f"s.{quote(k)} = m.{quote(k)}" for k in rule.keys)
        join = f"LEFT JOIN cluster_map AS m ON {on}"
        cluster = "m.cluster_index"
    elif rule.kind == "keys":
        nulls = " OR ".join(f"s.{quote(k)} IS NULL" for k in rule.keys)
        parts = ", ".join(f"CAST(s.{quote(k)} AS VARCHAR)" for k in rule.keys)
        cluster = f"CASE WHEN {nulls} THEN NULL ELSE concat_ws('_', {parts}) END"
    else:
        cluster = f"NULLIF(trim(CAST(s.{quote(rule.column)} AS VARCHAR)), '')"
    values = ", ".join(
        f"s.{quote(c)} AS {a}" if c in text_ok else f"CAST(s.{quote(c)} AS DOUBLE) AS {a}"
        for c, a in aliases.items()
    )
    values = f", {values}" if values else ""
    con.sql(
        "CREATE TEMP VIEW rows_in AS SELECT s.filename AS source_file, "
        f"s.{quote(spec.firm)} AS firm, TRY_CAST(s.{quote(spec.time)} AS BIGINT) AS year, "
        f"{cluster} AS cluster{values} FROM {scan} AS s {join}"
    )


def _count_invalid(
    con: duckdb.DuckDBPyConnection, source: str
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Rows per file; rows without firm/year or cluster (copied to the dropped rows)."""
    per_file = con.sql(
        "SELECT source_file, count(*) AS n, "
        "count(*) FILTER (WHERE firm IS NULL OR year IS NULL) AS missing_key, "
        "count(*) FILTER (WHERE firm IS NOT NULL AND year IS NOT NULL AND cluster IS NULL) "
        f"AS unassigned FROM {source} GROUP BY source_file ORDER BY source_file"
    ).fetchall()
    files = [{"file": str(r[0]), "rows": int(r[1])} for r in per_file]
    invalid = {
        "missing_key": int(sum(r[2] for r in per_file)),
        "unassigned": int(sum(r[3] for r in per_file)),
    }
    con.sql(
        "CREATE TEMP TABLE drops (source_file VARCHAR, firm VARCHAR, year BIGINT, "
        "cluster VARCHAR, reason VARCHAR, n_rows BIGINT)"
    )
    if invalid["missing_key"] or invalid["unassigned"]:
        con.sql(
            "INSERT INTO drops SELECT source_file, CAST(firm AS VARCHAR), year, NULL, "
            "CASE WHEN firm IS NULL OR year IS NULL THEN 'missing_key' ELSE 'unassigned' END, "
            f"1 FROM {source} WHERE firm IS NULL OR year IS NULL OR cluster IS NULL"
        )
    return files, invalid


def _create_firm_years(
    con: duckdb.DuckDBPyConnection, spec: AggregateSpec, aliases: dict[str, str], source: str
) -> None:
    valid = "firm IS NOT NULL AND year IS NOT NULL AND cluster IS NOT NULL"
    names = list(aliases.values())
    if spec.unit == "firm_year":
        listed = "".join(f", {a}" for a in names)
        con.sql(
            "CREATE TEMP TABLE fy AS SELECT source_file, firm, year, cluster, "
            f"CAST(1 AS BIGINT) AS n_rows{listed} FROM {source} WHERE {valid}"
        )
        con.sql(f"DROP TABLE {source}")
        return
    sums = "".join(f", fsum({a}) AS {a}" for a in names)
    con.sql(
        "CREATE TEMP TABLE fy AS SELECT min(source_file) AS source_file, firm, year, cluster, "
        f"count(*) AS n_rows{sums} FROM rows_in WHERE {valid} GROUP BY firm, year, cluster"
    )


# --------------------------------------------------------------------------- key checks


def _cluster_label(labels: bool, column: str = "cluster") -> str:
    if labels:
        return f"(SELECT m.cluster_id FROM cluster_map AS m WHERE m.cluster_index = {column})"
    return f"CAST({column} AS VARCHAR)"


def _resolve_key_problems(
    con: duckdb.DuckDBPyConnection,
    spec: AggregateSpec,
    aliases: dict[str, str],
    labels: bool,
) -> None:
    con.sql(
        "CREATE TEMP TABLE key_problems AS SELECT firm, year, count(*) AS n, "
        "CASE WHEN min(cluster) = max(cluster) THEN 1 ELSE 2 END AS k FROM fy "
        "GROUP BY firm, year HAVING count(*) > 1"
    )
    con.sql("CREATE TEMP TABLE rule_drops (rid BIGINT, reason VARCHAR)")
    n_duplicate, n_two = con.sql(
        "SELECT count(*) FILTER (WHERE k = 1), count(*) FILTER (WHERE k > 1) FROM key_problems"
    ).fetchall()[0]
    label = _cluster_label(labels, "fy.cluster")
    if n_duplicate:
        if spec.on_duplicate_key == "error":
            examples = con.sql(
                f"SELECT fy.source_file, CAST(fy.firm AS VARCHAR), fy.year, {label} FROM fy "
                "JOIN key_problems AS p ON fy.firm = p.firm AND fy.year = p.year WHERE p.k = 1 "
                f"ORDER BY 2, 3, 1 LIMIT {_SHOWN}"
            ).fetchall()
            raise DataValidationError(
                f"{n_duplicate} firm-year keys appear more than once "
                f"(key: {spec.firm}, {spec.time}); e.g. "
                + "; ".join(f"firm {r[1]} year {r[2]} in {r[0]}" for r in examples),
                file=examples[0][0],
                column=f"{spec.firm}, {spec.time}",
                fix="remove the duplicate rows from the files, or set "
                "aggregate.on_duplicate_key: drop to drop every copy (audited)",
            )
        con.sql(
            "INSERT INTO rule_drops SELECT fy.rowid, 'duplicate_key' FROM fy JOIN key_problems "
            "AS p ON fy.firm = p.firm AND fy.year = p.year WHERE p.k = 1"
        )
    if n_two:
        if spec.on_two_clusters == "error":
            examples = con.sql(
                f"SELECT CAST(fy.firm AS VARCHAR), fy.year, string_agg(DISTINCT {label}, ', ' "
                "ORDER BY " + label + "), string_agg(DISTINCT fy.source_file, ', ') FROM fy "
                "JOIN key_problems AS p ON fy.firm = p.firm AND fy.year = p.year WHERE p.k > 1 "
                f"GROUP BY 1, 2 ORDER BY 1, 2 LIMIT {_SHOWN}"
            ).fetchall()
            raise DataValidationError(
                f"{n_two} firm-years are assigned to two or more clusters in the same year; "
                "e.g. " + "; ".join(f"firm {r[0]} year {r[1]}: clusters {r[2]}" for r in examples),
                file=examples[0][3],
                column=", ".join(spec.assignment.input_columns),
                fix="correct the location or industry codes of these firms, or set "
                "aggregate.on_two_clusters to drop (drop the firm-year) or largest (keep it "
                "where aggregate.largest_by is largest)",
            )
        if spec.on_two_clusters == "drop":
            con.sql(
                "INSERT INTO rule_drops SELECT fy.rowid, 'two_clusters' FROM fy JOIN "
                "key_problems AS p ON fy.firm = p.firm AND fy.year = p.year WHERE p.k > 1"
            )
        else:
            largest = aliases[spec.largest_by]
            tie_break = ", ".join(f"fy.{a} ASC NULLS LAST" for a in aliases.values())
            con.sql(
                "INSERT INTO rule_drops SELECT rid, 'two_clusters' FROM (SELECT fy.rowid AS "
                "rid, row_number() OVER (PARTITION BY fy.firm, fy.year ORDER BY "
                f"fy.{largest} DESC NULLS LAST, fy.cluster ASC, fy.source_file ASC, "
                f"{tie_break}) AS r FROM fy JOIN key_problems AS p ON fy.firm = p.firm AND "
                "fy.year = p.year WHERE p.k > 1) WHERE r > 1"
            )
    if n_duplicate or n_two:
        con.sql(
            "CREATE TEMP VIEW kept AS SELECT fy.* FROM fy ANTI JOIN rule_drops AS d "
            "ON fy.rowid = d.rid"
        )
    else:
        con.sql("CREATE TEMP VIEW kept AS SELECT * FROM fy")
    con.sql(
        "INSERT INTO drops SELECT fy.source_file, CAST(fy.firm AS VARCHAR), fy.year, "
        "CAST(fy.cluster AS VARCHAR), d.reason, fy.n_rows FROM fy JOIN rule_drops AS d "
        "ON fy.rowid = d.rid"
    )


def _rule_drop_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.sql(
        "SELECT reason, sum(n_rows) FROM drops WHERE reason IN ('duplicate_key', "
        "'two_clusters') GROUP BY reason"
    ).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


# --------------------------------------------------------------------------- indicators


def _indicator_sql(rule: IndicatorRule, aliases: dict[str, str]) -> str:
    def v(name: str | None) -> str:
        return aliases[name]

    if rule.statistic == "count":
        return "count(*)"
    if rule.statistic == "sum":
        return f"fsum({v(rule.column)})"
    if rule.statistic == "mean":
        return f"fsum({v(rule.column)}) / count({v(rule.column)})"
    if rule.statistic == "share":
        column = v(rule.column)
        hit = f"{column} <> 0" if rule.equals is None else f"{column} = {_sql_value(rule.equals)}"
        return (
            f"fsum(CASE WHEN {column} IS NULL THEN NULL WHEN {hit} THEN 1.0 ELSE 0.0 END) "
            f"/ count({column})"
        )
    if rule.statistic == "weighted_mean":
        x, w = v(rule.column), v(rule.weight)
        both = f"{x} IS NOT NULL AND {w} IS NOT NULL"
        return f"fsum({x} * {w}) FILTER (WHERE {both}) / NULLIF(fsum({w}) FILTER (WHERE {both}), 0)"
    num, den = v(rule.numerator), v(rule.denominator)
    both = f"{num} IS NOT NULL AND {den} IS NOT NULL"
    return f"fsum({num}) FILTER (WHERE {both}) / NULLIF(fsum({den}) FILTER (WHERE {both}), 0)"


def _sql_value(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return literal(value)


def _indicators(
    con: duckdb.DuckDBPyConnection,
    spec: AggregateSpec,
    aliases: dict[str, str],
    labels: bool,
    entity: str,
    time: str,
) -> tuple[pd.DataFrame, dict[str, int], int, int]:
    exprs = ", ".join(
        f"CAST({_indicator_sql(rule, aliases)} AS DOUBLE) AS i{k}, "
        f"count(*) FILTER (WHERE {_missing_condition(rule, aliases)}) AS m{k}"
        for k, rule in enumerate(spec.indicators)
    )
    label = _cluster_label(labels, "g.cluster")
    table = con.sql(
        f"SELECT {label} AS cluster_label, g.* EXCLUDE (cluster) FROM (SELECT cluster, year, "
        f"{exprs}, count(*) AS n_fy, sum(n_rows) AS n_rows FROM kept GROUP BY cluster, year) "
        "AS g ORDER BY cluster_label, year"
    ).df()
    missing = {rule.name: int(table[f"m{k}"].sum()) for k, rule in enumerate(spec.indicators)}
    kept_rows, kept_firm_years = int(table["n_rows"].sum()), int(table["n_fy"].sum())
    panel = pd.DataFrame(
        {entity: table["cluster_label"].astype(str), time: table["year"].astype("int64")}
    )
    for k, rule in enumerate(spec.indicators):
        values = round_significant(table[f"i{k}"].to_numpy(dtype=float) * rule.scale)
        finite = values[np.isfinite(values)]
        whole = rule.statistic in ("count", "sum") and np.all(finite == np.round(finite))
        panel[rule.name] = pd.array(values, dtype="Int64") if whole else values
    return panel, missing, kept_rows, kept_firm_years


def _missing_condition(rule: IndicatorRule, aliases: dict[str, str]) -> str:
    used = [aliases[c] for c in rule.input_columns]
    return " OR ".join(f"{a} IS NULL" for a in used) or "FALSE"


def round_significant(values: np.ndarray, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Round to ``digits`` significant digits (NaN and 0 unchanged)."""
    values = np.asarray(values, dtype=float)
    out = values.copy()
    finite = np.isfinite(values) & (values != 0)
    magnitude = np.floor(np.log10(np.abs(values[finite])))
    factor = 10.0 ** (digits - 1 - magnitude)
    out[finite] = np.round(values[finite] * factor) / factor
    return out


def _add_empty_cells(
    panel: pd.DataFrame,
    spec: AggregateSpec,
    expected: pd.DataFrame | None,
    con: duckdb.DuckDBPyConnection,
    labels: bool,
    entity: str,
    time: str,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Add expected cluster-years without firms (indicators empty) and list them."""
    if expected is not None:
        cells = expected[[entity, time]].copy()
        cells[entity] = cells[entity].astype(str)
        cells[time] = pd.to_numeric(cells[time], errors="coerce")
        cells = cells.dropna().astype({time: "int64"}).drop_duplicates()
    else:
        years = con.sql("SELECT DISTINCT year FROM kept ORDER BY year").df()["year"]
        if labels:
            clusters = con.sql("SELECT DISTINCT cluster_id FROM cluster_map").df()["cluster_id"]
        else:
            clusters = panel[entity].drop_duplicates()
        cells = pd.MultiIndex.from_product(
            [clusters.astype(str), years.astype("int64")], names=[entity, time]
        ).to_frame(index=False)
    merged = cells.merge(panel[[entity, time]], on=[entity, time], how="left", indicator=True)
    empty = merged.loc[merged["_merge"] == "left_only", [entity, time]]
    empty = empty.sort_values([entity, time]).reset_index(drop=True)
    if len(empty) and spec.on_empty_cluster == "error":
        shown = "; ".join(f"{c} {y}" for c, y in empty.head(_SHOWN).itertuples(index=False))
        raise DataValidationError(
            f"{len(empty)} cluster-years have no firm in the firm-level files: {shown}",
            column=f"{entity}, {time}",
            fix="check the assignment of firms to clusters and the files' years, or set "
            "aggregate.on_empty_cluster: missing to leave their indicators empty (audited)",
        )
    if len(empty):
        panel = pd.concat([panel, empty], ignore_index=True)
        panel = panel.sort_values([entity, time], kind="stable").reset_index(drop=True)
    listed = [{entity: str(c), time: int(y)} for c, y in empty.itertuples(index=False)]
    return panel, listed


def _write_dropped(con: duckdb.DuckDBPyConnection, labels: bool, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
    label = (
        "(SELECT m.cluster_id FROM cluster_map AS m WHERE CAST(m.cluster_index AS VARCHAR) = "
        "d.cluster)"
        if labels
        else "d.cluster"
    )
    con.sql(
        f"COPY (SELECT d.source_file, d.firm, d.year, {label} AS cluster_id, d.reason, d.n_rows "
        "FROM drops AS d ORDER BY d.reason, d.source_file, d.firm, d.year, cluster_id) "
        f"TO {literal(str(path))} (FORMAT {fmt})"
    )
