"""Goodman-Bacon (2021) decomposition of the static TWFE coefficient.

Computed by ``diff_diff.BaconDecomposition`` (exact weights, Theorem 1); the project checks
that the weighted sum of the 2x2 estimates equals its own TWFE coefficient to 1e-10 before
returning, so a decomposition that does not add up never reaches a table.
"""

from __future__ import annotations

import warnings

import pandas as pd

from govcluster.did.data import FIRST_TREAT, StaggeredSample
from govcluster.did.results import BaconResult
from govcluster.did.spec import DidSpec
from govcluster.errors import EstimationError

#: Comparison types in the order of the tables, with the library's names.
COMPARISON_TYPES = {
    "treated_vs_never": "treated vs never treated",
    "earlier_vs_later": "earlier vs later treated",
    "later_vs_earlier": "later vs earlier treated (forbidden)",
}
TOLERANCE = 1e-10


def decompose_twfe(
    sample: StaggeredSample, spec: DidSpec, outcome: str, *, twfe_estimate: float
) -> BaconResult:
    """Every 2x2 comparison of the static TWFE estimate, its weight and type.

    Parameters
    ----------
    twfe_estimate : float
        The project's own static TWFE coefficient (:func:`govcluster.did.twfe.fit_twfe`),
        against which the decomposition is checked.

    Raises
    ------
    EstimationError
        When the weighted sum differs from ``twfe_estimate`` by more than 1e-10 (for example
        on an unbalanced panel, where the decomposition is not exact).
    """
    import diff_diff

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = diff_diff.BaconDecomposition(weights="exact").fit(
            sample.frame, outcome=outcome, unit=spec.entity, time=spec.time, first_treat=FIRST_TREAT
        )
    rows = [
        {
            "treated": int(c.treated_group),
            "control": "never" if c.comparison_type == "treated_vs_never" else int(c.control_group),
            "type": COMPARISON_TYPES.get(c.comparison_type, c.comparison_type),
            "estimate": float(c.estimate),
            "weight": float(c.weight),
        }
        for c in fit.comparisons
    ]
    table = pd.DataFrame(rows)
    weighted_sum = float((table["estimate"] * table["weight"]).sum())
    if abs(weighted_sum - twfe_estimate) > TOLERANCE:
        raise EstimationError(
            f"Goodman-Bacon decomposition of {outcome!r} does not add up: weighted sum "
            f"{weighted_sum:.12f} vs TWFE {twfe_estimate:.12f}"
        )
    by_type = []
    for label in COMPARISON_TYPES.values():
        part = table[table["type"] == label]
        weight = float(part["weight"].sum())
        by_type.append(
            {
                "type": label,
                "n_comparisons": len(part),
                "weight": weight,
                "estimate": float((part["estimate"] * part["weight"]).sum() / weight)
                if weight > 0
                else None,
            }
        )
    return BaconResult(
        outcome=outcome,
        twfe_estimate=twfe_estimate,
        weighted_sum=weighted_sum,
        comparisons=tuple(rows),
        by_type=tuple(by_type),
    )
