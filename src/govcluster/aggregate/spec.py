"""The configured aggregation of firm-level microdata: a typed, checked specification.

Built from the ``aggregate:`` section of config/config.yaml by :func:`build_aggregate_spec`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from govcluster.errors import ConfigError

Statistic = Literal["count", "sum", "mean", "share", "weighted_mean", "ratio"]
Unit = Literal["firm_year", "transaction"]
AssignmentKind = Literal["mapping", "keys", "column"]
TwoClusterRule = Literal["error", "drop", "largest"]
DuplicateRule = Literal["error", "drop"]
EmptyClusterRule = Literal["missing", "error"]
FileFormat = Literal["auto", "parquet", "csv"]

#: Columns each statistic needs (besides the firm and time keys).
_NEEDS: dict[str, tuple[str, ...]] = {
    "count": (),
    "sum": ("column",),
    "mean": ("column",),
    "share": ("column",),
    "weighted_mean": ("column", "weight"),
    "ratio": ("numerator", "denominator"),
}
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def check_option(key: str, value: Any, allowed_type: Any) -> Any:
    """Check a ``Literal`` option at run time; the message names the key and the choices."""
    allowed = get_args(allowed_type)
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ConfigError(f"{key} must be one of {choices}, got {value!r}")
    return value


@dataclass(frozen=True)
class IndicatorRule:
    """One cluster-year indicator computed from the firms.

    Attributes
    ----------
    name : str
        Output column (the column the cluster panel has for it, e.g. ``export_share``).
    statistic : {"count", "sum", "mean", "share", "weighted_mean", "ratio"}
        ``count``: firms (firm-years) of the cluster-year; ``sum``, ``mean``: of ``column``;
        ``share``: share of firms whose ``column`` equals ``equals`` (default: is non-zero);
        ``weighted_mean``: sum(column x weight) / sum(weight); ``ratio``:
        sum(numerator) / sum(denominator), over firms with both values.
    column, weight, numerator, denominator : str, optional
        Firm-level columns, as named in the files.
    equals : str, int or float, optional
        For ``share``: the value that counts (e.g. an ownership code).
    scale : float
        Multiplies the statistic (100 for percent).
    """

    name: str
    statistic: Statistic
    column: str | None = None
    weight: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    equals: str | int | float | None = None
    scale: float = 1.0

    def __post_init__(self) -> None:
        key = f"aggregate.indicators.{self.name}"
        check_option(f"{key}.statistic", self.statistic, Statistic)
        for needed in _NEEDS[self.statistic]:
            if not isinstance(getattr(self, needed), str) or not getattr(self, needed):
                raise ConfigError(
                    f"{key}: statistic '{self.statistic}' needs '{needed}' (a column of the "
                    "firm files)"
                )
        if not (isinstance(self.scale, (int, float)) and math.isfinite(self.scale)):
            raise ConfigError(f"{key}.scale must be a number, got {self.scale!r}")
        if self.equals is not None and self.statistic != "share":
            raise ConfigError(f"{key}.equals applies to statistic 'share' only")

    @property
    def input_columns(self) -> tuple[str, ...]:
        """Firm-level columns the indicator reads."""
        return tuple(getattr(self, needed) for needed in _NEEDS[self.statistic])


@dataclass(frozen=True)
class AssignmentRule:
    """How firms are assigned to clusters.

    Attributes
    ----------
    kind : {"mapping", "keys", "column"}
        ``mapping``: the firm's ``keys`` columns are looked up in a mapping file that has the
        same columns and a ``cluster_id`` column; ``keys``: the cluster is the combination of
        the ``keys`` columns (e.g. county code x industry code, joined with ``_``);
        ``column``: the firm files carry the cluster in ``column``.
    keys : tuple of str
        Columns of the firm files (mapping and keys rules).
    mapping : str, optional
        The mapping file (mapping rule).
    column : str, optional
        The cluster column of the firm files (column rule).
    """

    kind: AssignmentKind
    keys: tuple[str, ...] = ()
    mapping: str | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        check_option("aggregate.assign.rule", self.kind, AssignmentKind)
        if self.kind in ("mapping", "keys") and not self.keys:
            raise ConfigError(f"aggregate.assign: rule '{self.kind}' needs 'keys' (columns)")
        if self.kind == "mapping" and not self.mapping:
            raise ConfigError("aggregate.assign: rule 'mapping' needs 'mapping' (a file path)")
        if self.kind == "column" and not self.column:
            raise ConfigError("aggregate.assign: rule 'column' needs 'column' (a column name)")

    @property
    def input_columns(self) -> tuple[str, ...]:
        """Firm-level columns the assignment reads."""
        return (self.column,) if self.kind == "column" else self.keys


@dataclass(frozen=True)
class AggregateSpec:
    """Everything the aggregation of firm-level files needs to know.

    Attributes
    ----------
    unit : {"firm_year", "transaction"}
        ``firm_year``: one row per firm and year (a key seen twice is a duplicate);
        ``transaction``: many rows per firm and year, summed to firm-years first.
    firm, time : str
        Firm identifier and year columns of the files.
    assignment : AssignmentRule
    indicators : tuple of IndicatorRule
    format : {"auto", "parquet", "csv"}
    on_two_clusters : {"error", "drop", "largest"}
        A firm assigned to two clusters in one year: stop with an error, drop the firm-year,
        or keep it in the cluster where ``largest_by`` is largest (ties: first cluster).
    largest_by : str, optional
        Column deciding ``largest`` (e.g. sales).
    on_duplicate_key : {"error", "drop"}
        A firm-year key seen twice in one cluster (firm-year files): error, or drop all copies.
    on_empty_cluster : {"missing", "error"}
        A cluster-year with no firm: indicators missing (and audited), or error.
    memory_limit : str
        DuckDB memory limit (e.g. ``3GB``); beyond it DuckDB spills to ``temp_directory``.
    threads : int
        DuckDB threads. Results do not depend on it.
    temp_directory : str, optional
        Where DuckDB spills (default: the system's temporary directory).
    """

    unit: Unit = "firm_year"
    firm: str = "firm_id"
    time: str = "year"
    assignment: AssignmentRule = field(
        default_factory=lambda: AssignmentRule(kind="column", column="cluster_id")
    )
    indicators: tuple[IndicatorRule, ...] = ()
    format: FileFormat = "auto"
    on_two_clusters: TwoClusterRule = "error"
    largest_by: str | None = None
    on_duplicate_key: DuplicateRule = "error"
    on_empty_cluster: EmptyClusterRule = "missing"
    memory_limit: str = "3GB"
    threads: int = 2
    temp_directory: str | None = None

    def __post_init__(self) -> None:
        check_option("aggregate.unit", self.unit, Unit)
        check_option("aggregate.format", self.format, FileFormat)
        check_option("aggregate.on_two_clusters", self.on_two_clusters, TwoClusterRule)
        check_option("aggregate.on_duplicate_key", self.on_duplicate_key, DuplicateRule)
        check_option("aggregate.on_empty_cluster", self.on_empty_cluster, EmptyClusterRule)
        if not self.indicators:
            raise ConfigError("aggregate.indicators: define at least one indicator")
        names = [rule.name for rule in self.indicators]
        if len(set(names)) != len(names):
            raise ConfigError(f"aggregate.indicators: names must be unique, got {names}")
        if self.on_two_clusters == "largest" and not self.largest_by:
            raise ConfigError(
                "aggregate.on_two_clusters: 'largest' needs aggregate.largest_by (a column, "
                "e.g. sales)"
            )
        if not isinstance(self.memory_limit, str) or not _MEMORY.match(self.memory_limit):
            raise ConfigError(
                f"aggregate.memory_limit must look like '3GB' or '512MB', got {self.memory_limit!r}"
            )
        if isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1:
            raise ConfigError(f"aggregate.threads must be a positive integer, got {self.threads!r}")

    @property
    def value_columns(self) -> tuple[str, ...]:
        """Firm-level value columns read (indicators and ``largest_by``), without repeats."""
        wanted: list[str] = []
        for rule in self.indicators:
            wanted.extend(rule.input_columns)
        if self.largest_by:
            wanted.append(self.largest_by)
        return tuple(dict.fromkeys(wanted))

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Every column the files must have."""
        keys = (self.firm, self.time, *self.assignment.input_columns)
        return tuple(dict.fromkeys((*keys, *self.value_columns)))


def build_aggregate_spec(settings: Mapping[str, Any]) -> AggregateSpec:
    """Build the specification from the ``aggregate`` section of the configuration.

    Parameters
    ----------
    settings : mapping
        The ``aggregate`` section (see workflow/schemas/config.schema.yaml).

    Returns
    -------
    AggregateSpec
    """
    assign = dict(settings.get("assign") or {"rule": "column", "column": "cluster_id"})
    assignment = AssignmentRule(
        kind=assign.get("rule", "column"),
        keys=tuple(assign.get("keys") or ()),
        mapping=assign.get("mapping"),
        column=assign.get("column"),
    )
    indicators = tuple(
        _indicator(name, rule) for name, rule in (settings.get("indicators") or {}).items()
    )
    return AggregateSpec(
        unit=settings.get("unit", "firm_year"),
        firm=settings.get("firm", "firm_id"),
        time=settings.get("time", "year"),
        assignment=assignment,
        indicators=indicators,
        format=settings.get("format", "auto"),
        on_two_clusters=settings.get("on_two_clusters", "error"),
        largest_by=settings.get("largest_by"),
        on_duplicate_key=settings.get("on_duplicate_key", "error"),
        on_empty_cluster=settings.get("on_empty_cluster", "missing"),
        memory_limit=str(settings.get("memory_limit", "3GB")),
        threads=settings.get("threads", 2),
        temp_directory=settings.get("temp_directory"),
    )


def _indicator(name: str, rule: Mapping[str, Any] | None) -> IndicatorRule:
    if not isinstance(rule, Mapping) or "stat" not in rule:
        raise ConfigError(
            f"aggregate.indicators.{name} must be a mapping with 'stat' (one of "
            f"{', '.join(get_args(Statistic))}), got {rule!r}"
        )
    known = {"stat", "column", "weight", "numerator", "denominator", "equals", "scale"}
    unknown = sorted(set(rule) - known)
    if unknown:
        raise ConfigError(
            f"aggregate.indicators.{name}: unknown keys {unknown}; allowed: {sorted(known)}"
        )
    return IndicatorRule(
        name=name,
        statistic=rule["stat"],
        column=rule.get("column"),
        weight=rule.get("weight"),
        numerator=rule.get("numerator"),
        denominator=rule.get("denominator"),
        equals=rule.get("equals"),
        scale=float(rule.get("scale", 1.0)),
    )


def expand_paths(patterns: Sequence[str] | str) -> tuple[str, ...]:
    """Normalise one glob pattern or a list of them to a tuple of patterns."""
    if isinstance(patterns, str):
        return (patterns,)
    return tuple(str(p) for p in patterns)
