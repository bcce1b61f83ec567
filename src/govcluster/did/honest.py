"""Sensitivity to violations of parallel trends (Rambachan and Roth 2023), by ``diff-diff``.

The target is the average of the post-period event-study effects; the robust confidence set
is computed at each ``M`` of the grid, under relative magnitudes (``Delta^RM``: post-period
first differences of the violation at most ``M`` times the largest pre-period one) or
smoothness (``Delta^SD``: second differences at most ``M``), and the breakdown value is the
smallest ``M`` at which the set includes zero.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np

from govcluster.did.results import HonestResult

TARGET = "average of the post-period event-study effects"


def trim_event_study(event_study: Any, window: tuple[int, int]) -> Any:
    """The library's event-study container restricted to the event times of ``window``.

    The robust sets then use the pre- and post-periods the analysis reports, not every event
    time the data allow (the far ends rest on one or two cohorts).
    """
    times = np.asarray(event_study.event_time)
    keep = (times >= window[0]) & (times <= window[1])
    changes: dict[str, Any] = {}
    for item in dataclasses.fields(event_study):
        value = getattr(event_study, item.name)
        if isinstance(value, np.ndarray) and value.ndim == 1 and len(value) == len(times):
            changes[item.name] = value[keep]
    index = list(event_study.vcov_index)
    rows = [k for k, e in enumerate(index) if window[0] <= e <= window[1]]
    changes["vcov"] = np.asarray(event_study.vcov)[np.ix_(rows, rows)]
    trimmed_index = [index[k] for k in rows]
    changes["vcov_index"] = (
        np.asarray(trimmed_index)
        if isinstance(event_study.vcov_index, np.ndarray)
        else trimmed_index
    )
    return dataclasses.replace(event_study, **changes)


def honest_sensitivity(
    event_study: Any,
    *,
    outcome: str,
    source: str,
    method: str,
    m_grid: tuple[float, ...],
    alpha: float,
    window: tuple[int, int],
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
    event_study = trim_event_study(event_study, window)
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
