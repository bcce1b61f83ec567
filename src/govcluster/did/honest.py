"""Sensitivity to violations of parallel trends (Rambachan and Roth 2023), by ``diff-diff``.

The target is the average of the post-period event-study effects; the robust confidence set
is computed at each ``M`` of the grid, under relative magnitudes (``Delta^RM``: post-period
first differences of the violation at most ``M`` times the largest pre-period one) or
smoothness (``Delta^SD``: second differences at most ``M``), and the breakdown value is the
smallest ``M`` at which the set includes zero.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from govcluster.did.results import HonestResult

TARGET = "average of the post-period event-study effects"


def honest_sensitivity(
    event_study: Any, *, outcome: str, source: str, method: str, m_grid: tuple[float, ...],
    alpha: float,
) -> HonestResult:
    """Robust confidence sets over ``m_grid`` and the breakdown value.

    Parameters
    ----------
    event_study : object
        The library's event-study result (Callaway-Sant'Anna ``aggregate("event_study")`` or a
        Sun-Abraham fit), with its covariance.
    method : {"relative_magnitude", "smoothness"}
    """
    import diff_diff

    honest = diff_diff.HonestDiD(method=method, alpha=alpha)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m in m_grid:
            fit = honest.fit(event_study, M=float(m))
            rows.append(
                {
                    "M": float(m),
                    "lower": float(fit.lb),
                    "upper": float(fit.ub),
                    "ci_lower": float(fit.ci_lb),
                    "ci_upper": float(fit.ci_ub),
                }
            )
        breakdown = honest.breakdown_value(event_study)
        first = honest.fit(event_study, M=float(m_grid[0]))
    return HonestResult(
        outcome=outcome,
        source=source,
        method=method,
        target=TARGET,
        original_estimate=float(first.original_estimate),
        original_se=float(first.original_se),
        rows=tuple(rows),
        breakdown_M=None if breakdown is None or not np.isfinite(breakdown) else float(breakdown),
    )
