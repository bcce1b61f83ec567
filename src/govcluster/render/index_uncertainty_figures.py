"""Figure of how much estimated index weights widen the bootstrap intervals.

One dot per statistic of the table ``index_weight_uncertainty``: the width of its interval with
the weights re-estimated in every replicate over its width with fixed weights. A ratio of one
(dotted line) means the estimated weights add nothing to the uncertainty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from govcluster.config import ProjectConfig
from govcluster.records.index_uncertainty import IndexWeightUncertainty
from govcluster.render.index_uncertainty_tables import TEXT, model_label, statistic_label
from govcluster.render.style import configured_figure_width, figure_style

AXIS = {
    "ratio": {
        "en": "Width ratio: re-estimated / fixed weights",
        "zh": "置信区间宽度之比（重估权重/固定权重）",
    },
}


def width_ratio_figure(record: Mapping[str, Any], project: ProjectConfig) -> Figure:
    """Dot chart of the width ratios: the mediation statistics, then the panel models.

    Models whose coefficients share one bootstrap (the same model with another covariance
    type) are shown once.
    """
    result = IndexWeightUncertainty.from_dict(record)
    language = project.language
    table = result.table
    rows: list[tuple[str, float, str]] = []
    for r in table[table["analysis"] == "mediation"].itertuples(index=False):
        rows.append((statistic_label(r.statistic, project), r.width_ratio, "mediation"))
    seen: set[tuple[float, float, float]] = set()
    for r in table[table["analysis"] != "mediation"].itertuples(index=False):
        key = (r.estimate, r.lower_reestimated, r.upper_reestimated)
        if key in seen:
            continue
        seen.add(key)
        label = f"{model_label(r.analysis)}: {project.label(r.statistic)}"
        rows.append((label, r.width_ratio, "panel"))
    width = configured_figure_width(project)
    height = 0.8 + 0.17 * len(rows)
    colours = {"mediation": "#1f77b4", "panel": "#d62728"}
    with figure_style(language):
        figure = Figure(figsize=(width, height), layout="constrained")
        ax = figure.subplots()
        y = np.arange(len(rows))[::-1]
        ratios = np.array([ratio for _, ratio, _ in rows], dtype=float)
        for group, colour in colours.items():
            mask = np.array([g == group for _, _, g in rows])
            if mask.any():
                ax.scatter(
                    ratios[mask],
                    y[mask],
                    s=14,
                    color=colour,
                    label=TEXT[group][language],
                    zorder=3,
                )
        ax.axvline(1.0, color="0.35", linewidth=0.8, linestyle=":")
        ax.set_yticks(y, [label for label, _, _ in rows], fontsize=7)
        finite = ratios[np.isfinite(ratios)]
        spread = max(0.05, float(np.max(np.abs(finite - 1.0))) * 1.2) if finite.size else 0.1
        ax.set_xlim(1.0 - spread, 1.0 + spread)
        figure.supxlabel(AXIS["ratio"][language], fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        figure.legend(loc="outside upper center", fontsize=7, frameon=False, ncols=2)
    return figure
