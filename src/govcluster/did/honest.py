"""Sensitivity to violations of parallel trends (Rambachan and Roth 2023), by ``diff-diff``.

The target is the average of the post-period event-study effects; the robust confidence set
is computed at each ``M`` of the grid, under relative magnitudes (``Delta^RM``: post-period
first differences of the violation at most ``M`` times the largest pre-period one; engine
``diff_diff.HonestDiD``) or smoothness (``Delta^SD``: second differences at most ``M``; own
optimal fixed-length intervals, :mod:`govcluster.did.smoothness`), and the breakdown value is
the smallest ``M`` at which the set includes zero. Rows: ``lower``/``upper`` the estimated
identified set (None when empty: under ``Delta^SD`` when the observed pre-trend bends by more
than ``M``), ``ci_lower``/``ci_upper`` the robust confidence interval.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np

from govcluster.did.results import HonestResult
from govcluster.did.smoothness import (
    SmoothnessProblem,
    smoothness_breakdown,
    smoothness_intervals,
)

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
    reference: int = -1,
) -> HonestResult:
    """Robust confidence sets over ``m_grid`` and the breakdown value.

    Parameters
    ----------
    event_study : object
        The library's event-study result (Callaway-Sant'Anna ``aggregate("event_study")`` or a
        Sun-Abraham fit), with its covariance.
    method : {"relative_magnitude", "smoothness"}
        Smoothness needs every coefficient relative to ``reference`` (a universal base
        period).
    reference : int
        The reference event time (``-1 - anticipation``).
    """
    import diff_diff

    event_study = trim_event_study(event_study, window)
    if method == "smoothness":
        return _smoothness_sensitivity(
            event_study,
            outcome=outcome,
            source=source,
            m_grid=m_grid,
            alpha=alpha,
            reference=reference,
        )
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


def _smoothness_sensitivity(
    event_study: Any,
    *,
    outcome: str,
    source: str,
    m_grid: tuple[float, ...],
    alpha: float,
    reference: int,
) -> HonestResult:
    """``Delta^SD`` sets by :mod:`govcluster.did.smoothness` on the trimmed event study."""
    times = [int(e) for e in event_study.vcov_index]
    table = event_study.to_dataframe().set_index("event_time")
    beta = table.loc[times, "att"].to_numpy(float)
    problem = SmoothnessProblem(beta, np.asarray(event_study.vcov), times, reference)
    rows = [
        {
            "M": item.M,
            "lower": np.nan if item.lower is None else item.lower,
            "upper": np.nan if item.upper is None else item.upper,
            "ci_lower": item.ci_lower,
            "ci_upper": item.ci_upper,
        }
        for item in smoothness_intervals(problem, m_grid, alpha=alpha)
    ]
    v = problem._full(np.zeros(int(problem.pre.sum())))  # noqa: SLF001 - l on the post-periods
    return HonestResult(
        outcome=outcome,
        source=source,
        method="smoothness",
        target=TARGET,
        original_estimate=float(v @ problem.beta),
        original_se=float(np.sqrt(v @ problem.sigma @ v)),
        rows=tuple(rows),
        breakdown_M=smoothness_breakdown(problem, alpha=alpha),
    )
