"""Key estimates of a run (``results/metrics.json``) and their comparison with a golden file.

The metrics are what DVC tracks (``dvc metrics diff`` shows how they moved between commits)
and what CI compares with the committed golden file ``tests/reference/golden_default.json``.

Format of ``results/metrics.json`` (flat, so that ``dvc metrics show`` prints it)::

    {"<name>": {"estimate": float, "ci_lower": float, "ci_upper": float}, ...}

with names ``total_effect_twoway_fe`` (coefficient of the treatment in the two-way FE baseline),
``iv_<job>`` (each IV job), ``total_effect_c``, ``direct_effect_c_prime``, ``indirect_<mediator>``
and ``indirect_TOTAL`` (mediation; when it runs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

HEADLINE_PANEL_JOB = "baseline_twoway_fe"


def _interval(estimate: float, low: float, high: float) -> dict[str, float]:
    return {"estimate": float(estimate), "ci_lower": float(low), "ci_upper": float(high)}


def key_estimates(
    panel_records: Mapping[str, Mapping[str, Any]],
    mediation: Mapping[str, Any] | None,
    *,
    treatment: str,
) -> dict[str, dict[str, float]]:
    """Collect the key estimates of a run.

    Parameters
    ----------
    panel_records : mapping
        Job name -> the JSON record of ``results/estimates/panel/<job>.json``.
    mediation : mapping or None
        The mediation record, when the run has one.
    treatment : str
        The treatment (whose coefficient is reported).
    """
    metrics: dict[str, dict[str, float]] = {}
    for job, record in panel_records.items():
        result = record["result"]
        if not (job == HEADLINE_PANEL_JOB or record["kind"] == "iv"):
            continue
        coefficient = next((c for c in result["coefficients"] if c["name"] == treatment), None)
        if coefficient is None:
            continue
        name = "total_effect_twoway_fe" if job == HEADLINE_PANEL_JOB else job
        metrics[name] = _interval(
            coefficient["estimate"], coefficient["ci_lower"], coefficient["ci_upper"]
        )
    if mediation is not None:
        paths = {p["path"]: p for p in mediation["paths"] if p["path"] in ("c", "c_prime")}
        for path, name in (("c", "total_effect_c"), ("c_prime", "direct_effect_c_prime")):
            if path in paths:
                p = paths[path]
                metrics[name] = _interval(p["estimate"], p["ci_lower"], p["ci_upper"])
        for row in mediation["indirect"]:
            metrics[f"indirect_{row['mediator']}"] = _interval(
                row["estimate"], row["ci_lower"], row["ci_upper"]
            )
    return metrics


def compare_with_golden(
    metrics: Mapping[str, Mapping[str, float]],
    golden: Mapping[str, Mapping[str, float]],
    *,
    rtol: float,
    atol: float,
) -> list[str]:
    """Differences between a run's metrics and the golden file, as readable lines.

    A value drifts when ``|value - golden| > atol + rtol * |golden|``. Missing or extra
    metrics are differences too. An empty list means the run reproduces the golden file.
    """
    problems = []
    for name in sorted(set(golden) | set(metrics)):
        if name not in metrics:
            problems.append(f"{name}: in the golden file but not produced by the run")
            continue
        if name not in golden:
            problems.append(f"{name}: produced by the run but not in the golden file")
            continue
        for statistic, expected in golden[name].items():
            value = metrics[name].get(statistic)
            if value is None or not math.isclose(value, expected, rel_tol=rtol, abs_tol=atol):
                problems.append(
                    f"{name}.{statistic}: run {value!r}, golden {expected!r} "
                    f"(tolerance {atol:g} + {rtol:g} x |golden|)"
                )
    return problems


HORIZON_COLUMNS = ["horizon", "estimate", "ci_lower", "ci_upper", "n_obs"]


def horizon_profile(panel_records: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows (horizon, estimate, interval, N) of the local projections, for ``dvc plots``.

    Empty when the run has no local-projection job.
    """
    rows: list[dict[str, Any]] = []
    for record in panel_records.values():
        if record["kind"] == "local_projections":
            rows = [{c: row[c] for c in HORIZON_COLUMNS} for row in record["result"]["table"]]
    return rows
