"""The stored record of the bootstrap with re-estimated index weights.

Written by the rule ``index_weight_uncertainty``
(:func:`govcluster.index_bootstrap.index_weight_uncertainty`), read by the table
``index_weight_uncertainty`` and its number macros.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

SCHEMA_VERSION = 1
KIND = "index_weight_uncertainty"


@dataclass(frozen=True)
class IndexWeightUncertainty:
    """Bootstrap intervals with fixed and with re-estimated index weights.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per analysis and statistic: ``analysis`` (``mediation`` or
        ``panel:<model>``), ``statistic``, ``estimate``, ``se_fixed``, ``lower_fixed``,
        ``upper_fixed``, ``se_reestimated``, ``lower_reestimated``, ``upper_reestimated``,
        ``width_ratio`` (re-estimated over fixed interval width).
    summary : pandas.DataFrame
        One row per analysis: replicates used under each scheme and the median width ratio.
    method : str
    standardize : bool
    constructs : tuple of str
        Constructs whose weights are re-estimated.
    n_boot, seed : int
    ci_level : float
    skipped : tuple of (str, str)
        Panel models left out and why.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    method: str
    standardize: bool
    constructs: tuple[str, ...]
    n_boot: int
    seed: int
    ci_level: float
    skipped: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able record."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "method": self.method,
            "standardize": self.standardize,
            "constructs": list(self.constructs),
            "n_boot": self.n_boot,
            "seed": self.seed,
            "ci_level": self.ci_level,
            "skipped": [list(item) for item in self.skipped],
            "table": _records(self.table),
            "summary": _records(self.summary),
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> IndexWeightUncertainty:
        """Rebuild from :meth:`to_dict`; raises ValueError on another kind or version."""
        if record.get("kind") != KIND:
            raise ValueError(f"expected a record of kind '{KIND}', got {record.get('kind')!r}")
        if record.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"record '{KIND}' has schema_version {record.get('schema_version')!r}; this "
                f"version of govcluster reads {SCHEMA_VERSION}: rerun the pipeline"
            )
        return cls(
            table=pd.DataFrame(record["table"], columns=TABLE_COLUMNS),
            summary=pd.DataFrame(record["summary"], columns=SUMMARY_COLUMNS),
            method=record["method"],
            standardize=bool(record["standardize"]),
            constructs=tuple(record["constructs"]),
            n_boot=int(record["n_boot"]),
            seed=int(record["seed"]),
            ci_level=float(record["ci_level"]),
            skipped=tuple(tuple(item) for item in record["skipped"]),
        )


TABLE_COLUMNS = (
    "analysis",
    "statistic",
    "estimate",
    "se_fixed",
    "lower_fixed",
    "upper_fixed",
    "se_reestimated",
    "lower_reestimated",
    "upper_reestimated",
    "width_ratio",
)
SUMMARY_COLUMNS = (
    "analysis",
    "n_valid_fixed",
    "n_valid_reestimated",
    "n_weights_undefined",
    "median_width_ratio",
)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict(orient="records"):
        out.append(
            {
                key: (None if isinstance(value, float) and not math.isfinite(value) else value)
                for key, value in row.items()
            }
        )
    return out
