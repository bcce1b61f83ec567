"""Estimates on the simulated default data against the simulator's known truth.

The pipeline estimates on observed composite indices, each built from indicators measured
with error (reliability about 0.8), while the truth is defined on the latent constructs. The
comparison therefore shows the attenuation that measurement error causes: the ratio
estimate / truth of each path, next to whether the interval covers the truth.

The truth used is ``effects.standardised`` of ``data/raw/clusters_truth.json``: the effects in
standard deviations of the latent constructs, the same scale as the standardised indices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

COMPARISON_COLUMNS = [
    "quantity",
    "truth",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "covers_truth",
    "ratio_to_truth",
]


def _row(quantity: str, truth: float, record: Mapping[str, Any]) -> dict[str, Any]:
    estimate = float(record["estimate"])
    low, high = float(record["ci_lower"]), float(record["ci_upper"])
    return {
        "quantity": quantity,
        "truth": truth,
        "estimate": estimate,
        "se": float(record["se"]),
        "ci_lower": low,
        "ci_upper": high,
        "covers_truth": bool(low <= truth <= high),
        "ratio_to_truth": estimate / truth if truth != 0 else np.nan,
    }


def compare_mediation_with_truth(
    mediation: Mapping[str, Any], truth: Mapping[str, Any]
) -> pd.DataFrame:
    """Paths and indirect effects of a mediation record against the simulator's truth.

    Parameters
    ----------
    mediation : mapping
        The record written by rule ``mediation`` (``MediationResults.to_dict()``).
    truth : mapping
        The truth file (``SimulationTruth.to_json_dict()``).

    Returns
    -------
    pandas.DataFrame
        One row per quantity (a, b and indirect effect of each mechanism, the total indirect
        effect, c' and the total effect c): truth, estimate, se, interval, whether the interval
        covers the truth, and estimate / truth (NaN where the truth is 0).
    """
    std = truth["effects"]["standardised"]
    rows = []
    paths = {(p["path"], p.get("mediator")): p for p in mediation["paths"]}
    for mechanism, a_true in std["a_population_average"].items():
        rows.append(_row(f"a[{mechanism}]", a_true, paths[("a", mechanism)]))
        rows.append(_row(f"b[{mechanism}]", std["b"][mechanism], paths[("b", mechanism)]))
    indirect = {r["mediator"]: r for r in mediation["indirect"]}
    for mechanism, true_value in std["indirect_effects"].items():
        rows.append(_row(f"indirect[{mechanism}]", true_value, indirect[mechanism]))
    rows.append(_row("indirect[TOTAL]", sum(std["indirect_effects"].values()), indirect["TOTAL"]))
    rows.append(_row("c_prime", std["c_prime"], paths[("c_prime", None)]))
    rows.append(_row("c (total)", std["total_effect"], paths[("c", None)]))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
