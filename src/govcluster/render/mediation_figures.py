"""Figures of the mediation analysis, drawn from the stored results.

Each function takes the typed mediation record (:class:`~govcluster.records.mediation.
MediationRecord`, or its JSON dict, read into a record on entry), and the
bootstrap draws where it needs them, with the configuration, and returns a
:class:`matplotlib.figure.Figure` built in :func:`govcluster.render.style.figure_style`.

- :func:`path_diagram`: the treatment on the left, the mechanisms in the middle, the outcome on
  the right; arrows labelled with the a and b paths and the direct effect c' and their
  intervals, non-significant paths dashed, grey and thin;
- :func:`bootstrap_figure`: the bootstrap distribution of every specific indirect effect and of
  their total, with the point estimate and the percentile and BCa intervals;
- :func:`sensitivity_figure`: the ACME as a function of the error correlation rho with its
  pointwise band, the rho at which the ACME is zero marked.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from govcluster.config import ProjectConfig
from govcluster.records.mediation import TOTAL, MediationRecord, as_mediation_record
from govcluster.render.figures import wrap_label
from govcluster.render.formatting import format_interval, format_number, significance_stars
from govcluster.render.labels import word
from govcluster.render.mediation_records import inference_row, level_text, mediation_path
from govcluster.render.mediation_tables import mechanism_label
from govcluster.render.settings import RenderSettings
from govcluster.render.style import figure_style

#: Colours: significant paths, non-significant paths, boxes.
STRONG = "#1F3B57"
WEAK = "#9A9A9A"
BOX_FACE = "#EAF2F8"
WEAK_BOX_FACE = "#F4F4F4"
ESTIMATE_COLOUR = "#000000"
INTERVAL_COLOUR = "#0072B2"
BCA_COLOUR = "#D55E00"
ZERO_LINE = {"color": "0.35", "linewidth": 0.8, "linestyle": ":", "zorder": 1}

Results = MediationRecord | Mapping[str, Any]


# --------------------------------------------------------------------------- path diagram


@dataclass(frozen=True)
class PathStyle:
    """How an arrow of the path diagram is drawn: strong (significant) or weak."""

    colour: str
    linewidth: float
    linestyle: str

    @classmethod
    def of(cls, significant: bool) -> PathStyle:
        """Solid, dark and thick for a significant path; dashed, grey and thin otherwise."""
        if significant:
            return cls(STRONG, 1.7, "solid")
        return cls(WEAK, 0.9, "dashed")


def excludes_zero(entry: Any) -> bool:
    """Whether the interval of a path or effect lies entirely on one side of zero.

    ``entry`` is a path or indirect-effect record (None: no such effect, False).
    """
    if entry is None:
        return False
    lower, upper = entry.ci_lower, entry.ci_upper
    if lower is None or upper is None:
        return False
    return (lower > 0 and upper > 0) or (lower < 0 and upper < 0)


def effect_text(entry: Any, settings: RenderSettings, separator: str = " ") -> str:
    """``0.315***`` and its interval ``[0.279, 0.351]``, joined by ``separator``.

    ``entry`` is a path or indirect-effect record (None: no such effect, empty text).
    """
    if entry is None:
        return ""
    estimate = format_number(entry.estimate, settings.digits) + significance_stars(
        entry.pvalue, settings.stars
    )
    interval = format_interval(entry.ci_lower, entry.ci_upper, settings.digits)
    return f"{estimate}{separator}{interval}" if interval else estimate


def path_label(name: str, entry: Any, settings: RenderSettings) -> str:
    """Two lines: ``a = 0.315***`` and ``[0.279, 0.351]``."""
    return f"{name} = " + effect_text(entry, settings, "\n")


def display_width(text: str) -> int:
    """Width of ``text`` in Latin characters: a wide (Chinese) character counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _box_label(config: ProjectConfig, name: str, width: int) -> str:
    """A box's text within ``width`` Latin characters a line.

    Latin text wraps at spaces; Chinese text, which has none, puts the code on a line of its
    own when the whole does not fit.
    """
    text = mechanism_label(name, config)
    if " " in text:
        return wrap_label(text, width)
    if display_width(text) > width and text.endswith(f"（{name}）"):
        return f"{text[: -len(name) - 2]}\n（{name}）"
    return text


def path_diagram(
    results: Results, config: ProjectConfig, settings: RenderSettings | None = None
) -> Figure:
    """The mediation model drawn from the estimates.

    Parameters
    ----------
    results : mapping
        The mediation JSON.
    config : ProjectConfig
        Labels and language.
    settings : RenderSettings, optional
        Decimals and star thresholds of the labels.

    Returns
    -------
    matplotlib.figure.Figure
        The treatment on the left, the mechanisms in the middle (the first half above the
        direct path, the rest below), the outcome on the right. Each arrow carries its
        estimate with stars and its interval: a (treatment to mechanism), b (mechanism to
        outcome, parallel model) and c' (direct effect). A path whose interval includes zero
        is drawn dashed, grey and thin, and so is the box of a mechanism whose indirect effect
        is not significant; each box shows the mechanism's indirect effect a*b. The arrows are
        :class:`matplotlib.patches.FancyArrowPatch` objects whose ``gid`` is ``a:<mechanism>``,
        ``b:<mechanism>`` or ``c_prime``.
    """
    settings = settings or RenderSettings()
    results = as_mediation_record(results)
    language = config.language
    spec = results.spec
    treatment, outcome = spec.treatment, spec.outcome
    mediators = list(spec.mediators)
    level = level_text(results)
    n_top = math.ceil(len(mediators) / 2)
    gap, first = 1.3, 1.25
    positions: dict[str, tuple[float, float]] = {}
    for i, mediator in enumerate(mediators[:n_top]):
        positions[mediator] = (6.0, first + (n_top - 1 - i) * gap)
    for i, mediator in enumerate(mediators[n_top:]):
        positions[mediator] = (6.0, -(first + i * gap))
    ends = {treatment: (1.05, 0.0), outcome: (10.95, 0.0)}
    end_half = (1.0, 0.62)
    box_half = (1.5, 0.48)
    indirect = {entry.mediator: entry for entry in results.indirect}
    # Vertical extent: the mechanisms' boxes and the side boxes, with a margin.
    top = max([end_half[1], *(y + box_half[1] for _, y in positions.values())]) + 0.25
    bottom = min([-end_half[1], *(y - box_half[1] for _, y in positions.values())]) - 0.25
    width, height = 9.6, 1.2 + 0.74 * (top - bottom)
    with figure_style(language):
        figure = Figure(figsize=(width, height), layout="constrained")
        ax = figure.subplots()
        ax.set_xlim(-0.1, 12.1)
        ax.set_ylim(bottom, top)
        ax.set_axis_off()
        for name, centre in ends.items():
            ax.add_patch(
                FancyBboxPatch(
                    (centre[0] - end_half[0], centre[1] - end_half[1]),
                    2 * end_half[0],
                    2 * end_half[1],
                    boxstyle="round,pad=0.0,rounding_size=0.12",
                    facecolor=BOX_FACE,
                    edgecolor=STRONG,
                    linewidth=1.2,
                    zorder=3,
                )
            )
            ax.text(
                *centre,
                _box_label(config, name, 14),
                ha="center",
                va="center",
                fontsize=9,
                # The bundled Chinese face has one weight; bold would fall back with a warning.
                fontweight="normal" if language == "zh" else "bold",
                zorder=4,
            )
        for mediator, centre in positions.items():
            effect = indirect[mediator] if mediator in indirect else None
            strong = excludes_zero(effect)
            ax.add_patch(
                FancyBboxPatch(
                    (centre[0] - box_half[0], centre[1] - box_half[1]),
                    2 * box_half[0],
                    2 * box_half[1],
                    boxstyle="round,pad=0.0,rounding_size=0.1",
                    facecolor=BOX_FACE if strong else WEAK_BOX_FACE,
                    edgecolor=STRONG if strong else WEAK,
                    linewidth=1.2 if strong else 0.9,
                    linestyle="solid" if strong else "dashed",
                    zorder=3,
                    gid=f"box:{mediator}",
                )
            )
            ax.text(
                centre[0],
                centre[1] + 0.13,
                _box_label(config, mediator, 26),
                ha="center",
                va="center",
                fontsize=8,
                color="black" if strong else "0.35",
                zorder=4,
            )
            ax.text(
                centre[0],
                centre[1] - 0.3,
                "a×b = " + effect_text(effect, settings),
                ha="center",
                va="center",
                fontsize=7,
                color=STRONG if strong else "0.45",
                zorder=4,
            )
        reach = max(abs(y) for _, y in positions.values())
        for mediator, (x, y) in positions.items():
            # Arrows leave and enter the side boxes at heights spread in proportion to the
            # mechanism's height, and meet the mechanism's box at the middle of its side, so
            # that no arrow crosses another mechanism's box.
            spread = 0.8 * end_half[1] * y / reach
            a_start = (ends[treatment][0] + end_half[0], spread)
            a_end = (x - box_half[0], y)
            b_start = (x + box_half[0], y)
            b_end = (ends[outcome][0] - end_half[0], spread)
            # Labels sit nearer the mechanism, where the arrows are furthest apart.
            for kind, start, end, fraction in (
                ("a", a_start, a_end, 0.62),
                ("b", b_start, b_end, 0.38),
            ):
                entry = mediation_path(results, kind, mediator)
                _draw_path(
                    ax,
                    start,
                    end,
                    entry,
                    path_label(kind, entry, settings),
                    fraction,
                    gid=f"{kind}:{mediator}",
                )
        direct = mediation_path(results, "c_prime")
        _draw_path(
            ax,
            (ends[treatment][0] + end_half[0], 0.0),
            (ends[outcome][0] - end_half[0], 0.0),
            direct,
            path_label("c′", direct, settings),
            0.5,
            gid="c_prime",
        )
        total = mediation_path(results, "c")
        total_indirect = indirect[TOTAL] if TOTAL in indirect else None

        note = word("diagram_note", language).format(
            c=effect_text(total, settings),
            indirect=effect_text(total_indirect, settings),
        )
        handles = [
            Line2D(
                [],
                [],
                **_line_kwargs(True),
                label=word("significant_path", language).format(level=level),
            ),
            Line2D(
                [],
                [],
                **_line_kwargs(False),
                label=word("insignificant_path", language).format(level=level),
            ),
        ]
        figure.legend(handles=handles, loc="outside lower center", ncols=2, title=note)
        figure.draw_without_rendering()
    return figure


def _line_kwargs(significant: bool) -> dict[str, Any]:
    style = PathStyle.of(significant)
    return {"color": style.colour, "linewidth": style.linewidth, "linestyle": style.linestyle}


def _draw_path(
    ax,
    start: tuple[float, float],
    end: tuple[float, float],
    entry: Any,
    label: str,
    fraction: float,
    *,
    gid: str,
) -> FancyArrowPatch:
    """An arrow from ``start`` to ``end`` styled by significance, its label at ``fraction``."""
    significant = excludes_zero(entry)
    style = PathStyle.of(significant)
    arrow = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>,head_length=5,head_width=2.6",
        mutation_scale=1.0,
        color=style.colour,
        linewidth=style.linewidth,
        linestyle=style.linestyle,
        shrinkA=1.0,
        shrinkB=1.5,
        zorder=2,
        gid=gid,
    )
    ax.add_patch(arrow)
    x = start[0] + fraction * (end[0] - start[0])
    y = start[1] + fraction * (end[1] - start[1])
    ax.text(
        x,
        y,
        label,
        ha="center",
        va="center",
        fontsize=7,
        linespacing=1.15,
        color=style.colour if significant else "0.4",
        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        zorder=5,
        gid=f"label:{gid}",
    )
    return arrow


# --------------------------------------------------------------------------- bootstrap draws


def bootstrap_figure(
    results: Results,
    draws: pd.DataFrame,
    config: ProjectConfig,
    *,
    ncols: int = 4,
    bins: int = 40,
) -> Figure:
    """Bootstrap distributions of the specific indirect effects and of their total.

    Parameters
    ----------
    results : mapping
        The mediation JSON (point estimates and intervals).
    draws : pandas.DataFrame
        ``mediation_bootstrap.parquet``: one row per replicate, one column per mechanism
        (NaN rows are degenerate replicates and are left out). The total is their row sum.
    config : ProjectConfig
    ncols : int, default 4
        Panels per row.
    bins : int, default 40

    Returns
    -------
    matplotlib.figure.Figure
        One panel per mechanism and one for the total: the histogram of the draws, the
        percentile interval shaded, the BCa interval as dashed lines, the point estimate as a
        solid line and zero dotted.
    """
    language = config.language
    results = as_mediation_record(results)
    mediators = [m for m in results.spec.mediators if m in draws.columns]
    if not mediators:
        raise ValueError("the bootstrap draws have no column for any mechanism")
    valid = draws[mediators].dropna()
    columns = {m: valid[m].to_numpy() for m in mediators}
    if len(mediators) > 1:
        columns[TOTAL] = valid[mediators].sum(axis=1).to_numpy()
    names = list(columns)
    ncols = max(1, min(ncols, len(names)))
    nrows = math.ceil(len(names) / ncols)
    level = level_text(results)
    with figure_style(language):
        figure = Figure(
            figsize=(max(2.3 * ncols + 0.6, 5.0), 2.0 * nrows + 0.9), layout="constrained"
        )
        axes = figure.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, name in zip(axes, names, strict=False):
            values = columns[name]
            sns.histplot(
                x=values,
                bins=bins,
                color=INTERVAL_COLOUR,
                alpha=0.45,
                edgecolor="none",
                ax=ax,
            )
            percentile = inference_row(results, "percentile", name)
            bca = inference_row(results, "bca", name)
            if percentile is not None and percentile.ci_lower is not None:
                ax.axvspan(
                    percentile.ci_lower,
                    percentile.ci_upper,
                    color=INTERVAL_COLOUR,
                    alpha=0.12,
                    linewidth=0,
                    zorder=0,
                )
            for bound in () if bca is None else (bca.ci_lower, bca.ci_upper):
                if bound is not None:
                    ax.axvline(bound, color=BCA_COLOUR, linewidth=1.0, linestyle="--")
            estimate = float(np.mean(values)) if percentile is None else percentile.estimate
            ax.axvline(estimate, color=ESTIMATE_COLOUR, linewidth=1.2)
            ax.axvline(0.0, **ZERO_LINE)
            ax.set_title(wrap_label(mechanism_label(name, config), 26))
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.tick_params(axis="x", labelrotation=0)
            ax.locator_params(axis="x", nbins=4)
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        handles = [
            Line2D(
                [], [], color=ESTIMATE_COLOUR, linewidth=1.2, label=word("point_estimate", language)
            ),
            Patch(
                facecolor=INTERVAL_COLOUR,
                alpha=0.2,
                edgecolor="none",
                label=word("ci_percentile", language).format(level=level),
            ),
            Line2D(
                [],
                [],
                color=BCA_COLOUR,
                linestyle="--",
                linewidth=1.0,
                label=word("ci_bca", language).format(level=level),
            ),
        ]
        figure.legend(handles=handles, loc="outside upper center", ncols=3)
        figure.supxlabel(word("indirect_effect", language))
        figure.supylabel(word("bootstrap_draws", language))
        figure.draw_without_rendering()
    return figure


# --------------------------------------------------------------------------- sensitivity


def sensitivity_figure(
    results: Results, config: ProjectConfig, *, ncols: int = 3, digits: int = 2
) -> Figure:
    """The ACME against the error correlation rho, one panel per mechanism.

    Parameters
    ----------
    results : mapping
        The mediation JSON (``causal.mediators[*].curve``).
    config : ProjectConfig
    ncols : int, default 3
        Panels per row.
    digits : int, default 2
        Decimals of the rho printed at the zero crossing.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel: the ACME curve with its pointwise bootstrap band, zero (dotted), rho = 0
        (the estimate under sequential ignorability, dotted) and the rho at which the ACME is
        zero marked and printed.
    """
    language = config.language
    results = as_mediation_record(results)
    entries = list(results.causal.mediators)
    if not entries:
        raise ValueError("the mediation results have no sensitivity curves")
    ncols = max(1, min(ncols, len(entries)))
    nrows = math.ceil(len(entries) / ncols)
    level = level_text(results)
    with figure_style(language):
        figure = Figure(
            figsize=(max(2.6 * ncols + 0.7, 4.6), 2.2 * nrows + 0.8), layout="constrained"
        )
        axes = figure.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
        for ax, entry in zip(axes, entries, strict=False):
            curve = entry.curve
            rho = np.asarray(curve.rho, dtype=float)
            acme = np.asarray([np.nan if v is None else v for v in curve.acme], dtype=float)
            lower = np.asarray([np.nan if v is None else v for v in curve.ci_lower], dtype=float)
            upper = np.asarray([np.nan if v is None else v for v in curve.ci_upper], dtype=float)
            if lower.size == rho.size and upper.size == rho.size:
                ax.fill_between(rho, lower, upper, color=INTERVAL_COLOUR, alpha=0.2, linewidth=0)
            ax.plot(rho, acme, color=INTERVAL_COLOUR, linewidth=1.5)
            ax.axhline(0.0, **ZERO_LINE)
            ax.axvline(0.0, **ZERO_LINE)
            crossing = entry.rho_at_zero
            if crossing is not None:
                ax.plot([crossing], [0.0], marker="o", color=BCA_COLOUR, markersize=5, zorder=4)
                # The label goes on the side of the marker the curve leaves empty: above and
                # to the right of a falling curve, below and to the right of a rising one.
                finite = np.isfinite(acme)
                slope = np.interp(crossing, rho[finite], np.gradient(acme[finite], rho[finite]))
                rising = slope > 0
                ax.annotate(
                    word("acme_zero", language).format(rho=format_number(crossing, digits)),
                    xy=(crossing, 0.0),
                    xytext=(6, -8 if rising else 8),
                    textcoords="offset points",
                    ha="left",
                    va="top" if rising else "bottom",
                    fontsize=7,
                    color=BCA_COLOUR,
                    zorder=5,
                )
            ax.set_title(wrap_label(mechanism_label(entry.mediator, config), 28))
            ax.set_xlim(rho.min(), rho.max())
        for ax in axes[len(entries) :]:
            ax.set_visible(False)
        figure.supxlabel(word("rho_axis", language))
        figure.supylabel(
            word("acme_axis", language)
            + (f" ({level}% CI)" if language == "en" else f"（{level}%置信区间）")
        )
        figure.draw_without_rendering()
    return figure
