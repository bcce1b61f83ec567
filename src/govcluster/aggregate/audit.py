"""The audit of an aggregation: what was read, what was dropped and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from govcluster.errors import DataValidationError

#: Reasons a row of the firm files is dropped, with their meaning.
DROP_REASONS: dict[str, str] = {
    "missing_key": "the firm identifier or the year is empty",
    "unassigned": "no cluster: assignment keys empty or not in the mapping",
    "duplicate_key": "the firm-year key appears more than once in one cluster "
    "(on_duplicate_key: drop)",
    "two_clusters": "the firm is assigned to two clusters in one year "
    "(on_two_clusters: drop, or largest for the smaller ones)",
}


@dataclass(frozen=True)
class AggregateAudit:
    """What the aggregation read, dropped and produced.

    Attributes
    ----------
    unit : str
        ``firm_year`` or ``transaction``.
    engine : str
        Query engine and version.
    files : list of dict
        Every input file with its number of rows.
    n_rows_read, n_rows_kept : int
        Rows of all files; rows used in the indicators.
    n_firm_years : int
        Firm-years used (after summing transactions).
    dropped : dict
        Reason (see :data:`DROP_REASONS`) -> number of rows dropped.
    rules : dict
        The configured rules for duplicates, two clusters and empty cluster-years.
    empty_cluster_years : list of dict
        cluster_id and year of expected cluster-years without any firm.
    indicator_missing : dict
        Indicator -> firm-years without a value for it (left out of that indicator only).
    n_cluster_years : int
        Rows of the cluster-year panel.
    """

    SCHEMA_VERSION = 1
    KIND = "aggregate_audit"

    unit: str
    engine: str
    files: list[dict[str, Any]]
    n_rows_read: int
    n_rows_kept: int
    n_firm_years: int
    dropped: dict[str, int]
    rules: dict[str, Any]
    empty_cluster_years: list[dict[str, Any]] = field(default_factory=list)
    indicator_missing: dict[str, int] = field(default_factory=dict)
    n_cluster_years: int = 0

    @property
    def n_rows_dropped(self) -> int:
        """Rows dropped for any reason."""
        return int(sum(self.dropped.values()))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict with ``kind`` and ``schema_version``."""
        return {
            "kind": self.KIND,
            "schema_version": self.SCHEMA_VERSION,
            **asdict(self),
            "n_rows_dropped": self.n_rows_dropped,
            "drop_reasons": {k: DROP_REASONS[k] for k in self.dropped},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AggregateAudit:
        """Rebuild from :meth:`to_dict`; checks ``kind`` and ``schema_version``."""
        if data.get("kind") != cls.KIND:
            raise DataValidationError(
                f"not an aggregation audit: kind is {data.get('kind')!r}, expected {cls.KIND!r}"
            )
        if data.get("schema_version") != cls.SCHEMA_VERSION:
            raise DataValidationError(
                f"aggregation audit schema_version {data.get('schema_version')!r} is not "
                f"{cls.SCHEMA_VERSION}; rerun the aggregate stage"
            )
        names = {
            "unit",
            "engine",
            "files",
            "n_rows_read",
            "n_rows_kept",
            "n_firm_years",
            "dropped",
            "rules",
            "empty_cluster_years",
            "indicator_missing",
            "n_cluster_years",
        }
        return cls(**{k: v for k, v in data.items() if k in names})
