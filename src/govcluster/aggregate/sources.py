"""The firm-level input files: which files, their schemas, and how DuckDB scans them.

This module and :mod:`govcluster.aggregate.build` are the only places of the aggregation that
touch files: the point of the stage is to read data larger than memory, so the files are
scanned by DuckDB where they lie instead of being loaded into pandas by :mod:`govcluster.io`.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from govcluster.aggregate.spec import AggregateSpec
from govcluster.errors import ConfigError, DataReadError, DataValidationError

_SUFFIX_FORMAT = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".txt": "csv"}


def quote(name: str) -> str:
    """A SQL identifier, quoted (column names may be reserved words or contain spaces)."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(value: object) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class FileSchema:
    """Columns of one input file and the kind of each (numeric, text, boolean, other)."""

    path: str
    columns: dict[str, str]


def resolve_files(patterns: Sequence[str], *, key: str = "aggregate.files") -> tuple[str, ...]:
    """Expand glob patterns to a sorted tuple of existing files; error if none match."""
    files: list[str] = []
    for pattern in patterns:
        matched = sorted(glob.glob(str(pattern)))
        if not matched and Path(pattern).is_file():
            matched = [str(pattern)]
        if not matched:
            raise DataReadError(
                f"no firm-level file matches {pattern!r} (config {key}); check the path or "
                "the glob pattern (e.g. data/raw/firms/firms_*.parquet)"
            )
        files.extend(matched)
    return tuple(dict.fromkeys(files))


def file_format(files: Sequence[str], configured: str) -> str:
    """One format for all files: the configured one, or the files' common suffix."""
    if configured != "auto":
        return configured
    formats = {_SUFFIX_FORMAT.get(Path(f).suffix.lower()) for f in files}
    if None in formats:
        odd = [f for f in files if Path(f).suffix.lower() not in _SUFFIX_FORMAT]
        raise ConfigError(
            f"cannot tell the format of {odd[0]} from its suffix; set aggregate.format to "
            "'parquet' or 'csv'"
        )
    if len(formats) > 1:
        raise ConfigError(
            "aggregate.files match both Parquet and CSV files; convert them to one format or "
            "narrow the pattern"
        )
    return formats.pop()


def connect(spec: AggregateSpec) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the configured memory limit, threads and spill."""
    config = {
        "threads": int(spec.threads),
        "memory_limit": spec.memory_limit,
        "preserve_insertion_order": False,
    }
    if spec.temp_directory:
        config["temp_directory"] = str(spec.temp_directory)
    return duckdb.connect(database=":memory:", config=config)


def _kind(type_name: str) -> str:
    name = type_name.upper()
    if name.startswith(
        (
            "TINYINT",
            "SMALLINT",
            "INTEGER",
            "BIGINT",
            "HUGEINT",
            "UTINYINT",
            "USMALLINT",
            "UINTEGER",
            "UBIGINT",
            "FLOAT",
            "DOUBLE",
            "DECIMAL",
            "REAL",
        )
    ):
        return "numeric"
    if name.startswith("VARCHAR"):
        return "text"
    if name.startswith("BOOLEAN"):
        return "boolean"
    return "other"


def scan_expression(files: Sequence[str], fmt: str) -> str:
    """The DuckDB table function that reads the files (with the file name of every row)."""
    listed = "[" + ", ".join(literal(f) for f in files) + "]"
    if fmt == "parquet":
        return f"read_parquet({listed}, filename = true, union_by_name = true)"
    return (
        f"read_csv({listed}, filename = true, union_by_name = true, header = true, "
        "sample_size = -1)"
    )


def read_schema(con: duckdb.DuckDBPyConnection, path: str, fmt: str) -> FileSchema:
    """Column names and kinds of one file (Parquet: from its footer; CSV: sniffed in full)."""
    one = "[" + literal(path) + "]"
    reader = (
        f"read_parquet({one})"
        if fmt == "parquet"
        else f"read_csv({one}, header = true, sample_size = -1)"
    )
    try:
        rows = con.sql(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    except duckdb.Error as error:
        raise DataReadError(f"cannot read {path} as {fmt}: {error}") from None
    return FileSchema(path=path, columns={str(r[0]): _kind(str(r[1])) for r in rows})


def check_schemas(
    schemas: Sequence[FileSchema], spec: AggregateSpec, *, numeric: Sequence[str]
) -> None:
    """Every file has the columns the aggregation reads, of the same kind as the first file.

    Raises
    ------
    DataValidationError
        Naming the file, the column and what differs from the reference (first) file.
    """
    reference = schemas[0]
    for schema in schemas:
        missing = [c for c in spec.required_columns if c not in schema.columns]
        if missing:
            extra = sorted(set(schema.columns) - set(reference.columns))
            hint = f"; it has columns the first file lacks: {', '.join(extra)}" if extra else ""
            raise DataValidationError(
                "a firm-level file lacks a column the aggregation reads (its schema differs "
                f"from the other files{hint})",
                file=schema.path,
                column=", ".join(missing),
                fix="rename the column in that file, or correct the column names in config "
                "aggregate (firm, time, assign, indicators)",
            )
        for column in spec.required_columns:
            kind, expected = schema.columns[column], reference.columns[column]
            if kind != expected:
                raise DataValidationError(
                    f"column type differs between files: {kind} here, {expected} in "
                    f"{reference.path}",
                    file=schema.path,
                    column=column,
                    fix="write the column with one type in every file (e.g. numbers without "
                    "thousands separators or units)",
                )
        for column in numeric:
            if schema.columns[column] not in ("numeric", "boolean"):
                raise DataValidationError(
                    f"a value column is not numeric (read as {schema.columns[column]})",
                    file=schema.path,
                    column=column,
                    fix="write plain numbers (no thousands separators, units or text) in "
                    "that column",
                )
