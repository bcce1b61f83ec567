"""Figures of the staggered-adoption (``did``) stage, drawn from its stored records.

- :func:`event_study_figure`: every estimator's event study overlaid (offset markers,
  pointwise intervals as bars, uniform bands as shaded areas, reference period marked, pre-
  and post-periods shaded);
- :func:`bacon_figure`: each 2x2 estimate against its weight by comparison type, with the
  TWFE coefficient as a line;
- :func:`honest_figure`: the robust confidence set against ``M``, breakdown value marked;
- :func:`mechanism_figure`: small multiples of the Callaway-Sant'Anna event study of every
  outcome;
- :func:`randomization_figure`: small multiples of the permutation distribution of each
  estimator per outcome, with the observed estimate marked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from govcluster.config import ProjectConfig
from govcluster.render.did_tables import BACON_TYPES, ESTIMATOR_LABELS, _estimators, _records
from govcluster.render.figures import wrap_label
from govcluster.render.style import configured_figure_width, figure_style

#: Okabe-Ito colours, one per estimator.
COLOURS = {
    "twfe": "#999999",
    "callaway_santanna": "#0072B2",
    "sun_abraham": "#D55E00",
    "imputation": "#009E73",
}
BACON_MARKERS = {
    "treated vs never treated": ("o", "#0072B2"),
    "earlier vs later treated": ("s", "#009E73"),
    "later vs earlier treated (forbidden)": ("^", "#D55E00"),
}
AXIS = {
    "event_time": {"en": "Years since designation", "zh": "认定后年数"},
    "effect": {"en": "Effect on {outcome}", "zh": "对{outcome}的效应"},
    "weight": {"en": "Weight", "zh": "权重"},
    "estimate": {"en": "2×2 estimate", "zh": "2×2估计"},
    "M": {"en": "M (relative magnitude)", "zh": "M（相对幅度）"},
    "robust_ci": {"en": "Robust 95% confidence set", "zh": "稳健95%置信集"},
    "breakdown": {"en": "breakdown M = {m}", "zh": "临界M = {m}"},
    "reference": {"en": "reference period", "zh": "参照期"},
    "permuted": {"en": "Estimate under permuted adoption years", "zh": "置换认定年份后的估计值"},
    "density": {"en": "Density", "zh": "密度"},
    "observed": {"en": "{estimator}: observed estimate", "zh": "{estimator}：实际估计值"},
}


def _a(key: str, language: str) -> str:
    return AXIS[key][language]


def _draw_event_study(ax, rows, colour, offset, label, *, band=True) -> None:
    times = np.array([r["event_time"] for r in rows], dtype=float) + offset
    estimate = np.array([r["estimate"] for r in rows], dtype=float)
    low = np.array([np.nan if r["ci_lower"] is None else r["ci_lower"] for r in rows], dtype=float)
    high = np.array([np.nan if r["ci_upper"] is None else r["ci_upper"] for r in rows], dtype=float)
    ax.vlines(times, low, high, color=colour, linewidth=1.2)
    ax.plot(
        times, estimate, marker="o", markersize=3.5, linestyle="none", color=colour, label=label
    )
    if band:
        b_low = [r.get("band_lower") for r in rows]
        b_high = [r.get("band_upper") for r in rows]
        if any(v is not None for v in b_low):
            b_low = np.array([np.nan if v is None else v for v in b_low], dtype=float)
            b_high = np.array([np.nan if v is None else v for v in b_high], dtype=float)
            ax.fill_between(times, b_low, b_high, color=colour, alpha=0.12, linewidth=0)


def _shade(ax, reference: int, first: int, last: int) -> None:
    """Pre- and post-periods shaded, the zero line and the reference period's dashed line."""
    ax.axvspan(first - 0.5, reference + 0.5, color="0.93", zorder=0)
    ax.axvspan(reference + 0.5, last + 0.5, color="0.98", zorder=0)
    ax.axhline(0.0, color="0.35", linewidth=0.8, linestyle=":")
    ax.axvline(reference, color="0.5", linewidth=0.8, linestyle="--")
    ax.set_xlim(first - 0.5, last + 0.5)
    # event time counts whole years: ticks on integers only, never on half years
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))


#: Share of the y-range added below the data for the reference period's label.
LABEL_STRIP = 0.14


def _label_reference(ax, reference: int, first: int, last: int, language: str) -> None:
    """Name the reference period in a strip added below the data, beside its dashed line.

    Call after everything is drawn: the y-range is extended downwards by
    :data:`LABEL_STRIP` of its height, so the label shares no space with an estimate, an
    interval or a band. It sits on the side of the line with more room (the pre-period when
    it is at least as long as the post-period).
    """
    low, high = ax.get_ylim()
    span = high - low
    ax.set_ylim(low - LABEL_STRIP * span, high)
    before, after = reference - first + 0.5, last - reference + 0.5
    side = "right" if before >= after else "left"
    nudge = -0.15 if side == "right" else 0.15
    ax.text(
        reference + nudge,
        low - 0.5 * LABEL_STRIP * span,
        _a("reference", language),
        ha=side,
        va="center",
        fontsize=7,
        color="0.35",
    )


def event_study_figure(records: Mapping[str, Any], project: ProjectConfig) -> Figure:
    """All estimators' event studies of the first outcome, overlaid."""
    language = project.language
    outcome = _records(records)[0]
    fitted = _estimators(outcome)
    offsets = np.linspace(-0.24, 0.24, len(fitted))
    times = [r["event_time"] for e in fitted.values() for r in e["event_study"]]
    reference = next(iter(fitted.values()))["reference_period"]
    with figure_style(language):
        width = configured_figure_width(project)
        figure = Figure(figsize=(width, min(0.6 * width, 3.8)), layout="constrained")
        ax = figure.subplots()
        first, last = min(times), max(times)
        _shade(ax, reference, first, last)
        for offset, (name, result) in zip(offsets, fitted.items(), strict=True):
            _draw_event_study(
                ax,
                result["event_study"],
                COLOURS.get(name, "black"),
                offset,
                ESTIMATOR_LABELS.get(name, {}).get(language, name),
            )
        _label_reference(ax, reference, first, last, language)
        ax.set_xlabel(_a("event_time", language))
        ax.set_ylabel(
            wrap_label(
                _a("effect", language).format(outcome=project.label(outcome["outcome"])),
                int(figure.get_size_inches()[1] * 12),
            )
        )
        ax.legend(loc="upper left", fontsize=7.5, frameon=False)
    return figure


def bacon_figure(records: Mapping[str, Any], project: ProjectConfig) -> Figure:
    """Each 2x2 comparison's estimate against its weight, by type; TWFE as a line."""
    language = project.language
    outcome = _records(records)[0]
    bacon = outcome["bacon"]
    with figure_style(language):
        width = configured_figure_width(project)
        figure = Figure(figsize=(width, min(0.6 * width, 3.6)), layout="constrained")
        ax = figure.subplots()
        for kind, (marker, colour) in BACON_MARKERS.items():
            rows = [r for r in bacon["comparisons"] if r["type"] == kind]
            if rows:
                ax.scatter(
                    [r["weight"] for r in rows],
                    [r["estimate"] for r in rows],
                    marker=marker,
                    color=colour,
                    s=22,
                    label=BACON_TYPES[kind][language],
                )
        ax.axhline(bacon["twfe_estimate"], color="black", linewidth=1.0, label="TWFE")
        ax.axhline(0.0, color="0.35", linewidth=0.8, linestyle=":")
        ax.set_xlabel(_a("weight", language))
        ax.set_ylabel(_a("estimate", language))
        ax.legend(fontsize=7.5, frameon=False)
    return figure


def honest_figure(records: Mapping[str, Any], project: ProjectConfig) -> Figure:
    """The robust confidence set of the first outcome against ``M``, breakdown marked."""
    language = project.language
    outcome = next(o for o in _records(records) if o.get("honest"))
    honest = outcome["honest"][0]
    rows = honest["rows"]
    m = np.array([r["M"] for r in rows])
    with figure_style(language):
        width = configured_figure_width(project)
        figure = Figure(figsize=(width, min(0.6 * width, 3.6)), layout="constrained")
        ax = figure.subplots()
        ax.vlines(
            m,
            [r["ci_lower"] for r in rows],
            [r["ci_upper"] for r in rows],
            color="#0072B2",
            linewidth=2.0,
            label=_a("robust_ci", language),
        )
        ax.plot(
            m,
            [(r["ci_lower"] + r["ci_upper"]) / 2 for r in rows],
            "o",
            color="#0072B2",
            markersize=3,
        )
        ax.axhline(0.0, color="0.35", linewidth=0.8, linestyle=":")
        breakdown = honest.get("breakdown_M")
        if breakdown is not None:
            ax.axvline(
                breakdown,
                color="#D55E00",
                linestyle="--",
                linewidth=1.0,
                label=_a("breakdown", language).format(m=f"{breakdown:.2f}"),
            )
        ax.set_xlabel(_a("M", language))
        ax.set_ylabel(
            wrap_label(
                _a("effect", language).format(outcome=project.label(outcome["outcome"])),
                int(figure.get_size_inches()[1] * 12),
            )
        )
        ax.legend(fontsize=7.5, frameon=False)
    return figure


def mechanism_figure(records: Mapping[str, Any], project: ProjectConfig) -> Figure:
    """Small multiples: the Callaway-Sant'Anna event study of every outcome."""
    language = project.language
    outcomes = _records(records)
    n = len(outcomes)
    width = configured_figure_width(project)
    ncols = max(1, min(4, n, int((width - 0.4) // 1.45)))
    nrows = math.ceil(n / ncols)
    panel = (width - 0.4) / ncols
    with figure_style(language):
        figure = Figure(figsize=(width, 0.85 * panel * nrows + 0.5), layout="constrained")
        axes = np.atleast_1d(figure.subplots(nrows, ncols, sharex=True, squeeze=False)).ravel()
        for ax, outcome in zip(axes, outcomes, strict=False):
            result = _estimators(outcome).get("callaway_santanna")
            if result is None:
                ax.set_visible(False)
                continue
            times = [r["event_time"] for r in result["event_study"]]
            reference, first, last = result["reference_period"], min(times), max(times)
            _shade(ax, reference, first, last)
            _draw_event_study(ax, result["event_study"], COLOURS["callaway_santanna"], 0.0, None)
            _label_reference(ax, reference, first, last, language)
            # About 16 characters of 8 pt text per inch of panel: long labels wrap.
            title = wrap_label(project.label(outcome["outcome"]), max(10, int(panel * 16)))
            ax.set_title(title, fontsize=8)
        for ax in axes[n:]:
            ax.set_visible(False)
        figure.supxlabel(_a("event_time", language), fontsize=8)
    return figure


def randomization_figure(records: Mapping[str, Any], project: ProjectConfig) -> Figure:
    """Small multiples: permutation distribution of each estimator, observed estimate marked.

    The distributions are drawn from the stored histograms (density scale); the observed
    estimate is a vertical line in the estimator's colour, its two-sided permutation p-value
    printed in the panel; one legend for the figure names the estimators.
    """
    language = project.language
    outcomes = [o for o in _records(records) if o.get("randomization")]
    n = len(outcomes)
    width = configured_figure_width(project)
    ncols = max(1, min(3, n, int((width - 0.4) // 1.9)))
    nrows = math.ceil(n / ncols)
    panel = (width - 0.4) / ncols
    handles: dict[str, Any] = {}
    with figure_style(language):
        figure = Figure(figsize=(width, 0.8 * panel * nrows + 0.9), layout="constrained")
        axes = np.atleast_1d(figure.subplots(nrows, ncols, squeeze=False)).ravel()
        for ax, outcome in zip(axes, outcomes, strict=False):
            top = 0.0
            lines = []
            for ri in outcome["randomization"]:
                name = ri["estimator"]
                colour = COLOURS.get(name, "black")
                label = ESTIMATOR_LABELS.get(name, {}).get(language, name)
                edges = np.asarray(ri["histogram"]["edges"], dtype=float)
                counts = np.asarray(ri["histogram"]["counts"], dtype=float)
                density = counts / max(counts.sum(), 1.0) / np.diff(edges)
                top = max(top, float(density.max()))
                ax.stairs(density, edges, color=colour, fill=True, alpha=0.15, linewidth=0)
                ax.stairs(density, edges, color=colour, linewidth=0.9)
                handles[label] = ax.axvline(ri["observed"], color=colour, linewidth=1.5)
                lines.append((f"p = {ri['p_value']:.4f}", colour))
            ax.axvline(0.0, color="0.35", linewidth=0.8, linestyle=":")
            # room above the distributions for the p-values, one line per estimator
            ax.set_ylim(0.0, top * (1.15 + 0.14 * len(lines)))
            for k, (text, colour) in enumerate(lines):
                ax.text(
                    0.03,
                    0.97 - 0.1 * k,
                    text,
                    transform=ax.transAxes,
                    ha="left",
                    va="top",
                    fontsize=7,
                    color=colour,
                )
            title = wrap_label(project.label(outcome["outcome"]), max(10, int(panel * 16)))
            ax.set_title(title, fontsize=8)
            ax.set_yticks([])
        for ax in axes[n:]:
            ax.set_visible(False)
        figure.supxlabel(_a("permuted", language), fontsize=8)
        figure.supylabel(_a("density", language), fontsize=8)
        figure.legend(
            list(handles.values()),
            [_a("observed", language).format(estimator=k) for k in handles],
            loc="outside upper center",
            # side by side at full width; stacked in a single column, where they do not fit
            ncols=len(handles) if width >= 5.0 else 1,
            fontsize=7,
            frameon=False,
        )
    return figure
