"""From firm-level microdata to the cluster-year panel, out of core (DuckDB).

* :mod:`~govcluster.aggregate.spec`: the configured aggregation (:class:`AggregateSpec`).
* :mod:`~govcluster.aggregate.sources`: the input files, their schemas and how they are scanned.
* :mod:`~govcluster.aggregate.build`: assignment to clusters, the checks of the firm-year keys,
  the indicators and the audit (:func:`aggregate_firms`).
* :mod:`~govcluster.aggregate.audit`: the audit record of what was dropped and why.
* :mod:`~govcluster.aggregate.merge`: the indicators placed into a cluster-level file.
"""

from govcluster.aggregate.audit import AggregateAudit
from govcluster.aggregate.build import AggregateResult, aggregate_firms
from govcluster.aggregate.merge import merge_into_cluster_table
from govcluster.aggregate.spec import (
    AggregateSpec,
    AssignmentRule,
    IndicatorRule,
    build_aggregate_spec,
)

__all__ = [
    "AggregateAudit",
    "AggregateResult",
    "AggregateSpec",
    "AssignmentRule",
    "IndicatorRule",
    "aggregate_firms",
    "build_aggregate_spec",
    "merge_into_cluster_table",
]
