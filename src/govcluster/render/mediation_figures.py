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
import textwrap
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.ticker import MaxNLocator

from govcluster.config import ProjectConfig
from govcluster.records.mediation import TOTAL, MediationRecord, as_mediation_record
from govcluster.render.figures import minus, wrap_label
from govcluster.render.formatting import format_interval, format_number, significance_stars
from govcluster.render.labels import word
from govcluster.render.mediation_records import inference_row, level_text, mediation_path
from govcluster.render.mediation_tables import mechanism_label
from govcluster.render.settings import RenderSettings
from govcluster.render.style import PRINT_WIDTHS, configured_figure_width, figure_style

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
    return minus(f"{estimate}{separator}{interval}" if interval else estimate)


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
    gap, first = 1.3, 1.3
    positions: dict[str, tuple[float, float]] = {}
    for i, mediator in enumerate(mediators[:n_top]):
        positions[mediator] = (6.1, first + (n_top - 1 - i) * gap)
    for i, mediator in enumerate(mediators[n_top:]):
        positions[mediator] = (6.1, -(first + i * gap))
    ends = {treatment: (0.9, 0.0), outcome: (11.3, 0.0)}
    end_half = (0.88, 0.66)
    box_half = (1.75, 0.52)
    indirect = {entry.mediator: entry for entry in results.indirect}
    # Vertical extent: the mechanisms' boxes and the side boxes, with a margin.
    top = max([end_half[1], *(y + box_half[1] for _, y in positions.values())]) + 0.25
    bottom = min([-end_half[1], *(y - box_half[1] for _, y in positions.values())]) - 0.25
    # The diagram needs the full text width (a two-column page prints it across both
    # columns); one unit of the drawing is then 0.53 in, and the vertical unit keeps that scale.
    width = max(configured_figure_width(config), PRINT_WIDTHS["full"])
    unit = width / 12.3
    narrow = False
    with figure_style(language):
        figure = Figure(
            figsize=(width, 0.85 * unit * (top - bottom) + (1.9 if narrow else 1.2)),
            layout="constrained",
        )
        ax = figure.subplots()
        ax.set_xlim(0.0, 12.2)
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
                _box_label(config, name, 12),
                ha="center",
                va="center",
                fontsize=8,
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
                centre[1] + 0.16,
                _box_label(config, mediator, 16 if narrow else 28),
                ha="center",
                va="center",
                fontsize=7.5,
                color="black" if strong else "0.35",
                zorder=4,
            )
            ax.text(
                centre[0],
                centre[1] - 0.3,
                "a×b = " + effect_text(effect, settings, "\n" if narrow else " "),
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
        figure.legend(
            handles=handles,
            loc="outside lower center",
            ncols=2,
            title=diagram_note(results, settings, language, wrap=int(width * 17)),
            title_fontsize=7,
            fontsize=7,
        )
        figure.draw_without_rendering()
    return figure


#: Words of the note under the path diagram.
NOTE_WORDS: Mapping[str, Mapping[str, str]] = {
    "total": {
        "en": "Total effect c = {c} {c_ci}; total indirect effect = {indirect}.",
        "zh": "总效应 c = {c} {c_ci}；总间接效应 = {indirect}。",
    },
    "stars": {"en": "{stars}.", "zh": "{stars}。"},
    "wald": {
        "en": "Paths a, b and c′: {level}% Wald intervals (cluster-robust standard errors).",
        "zh": "路径a、b、c′：{level}% Wald置信区间（聚类稳健标准误）。",
    },
    "bootstrap": {
        "en": (
            "a×b, total indirect and total effect: {level}% {method} intervals of the "
            "cluster bootstrap ({n} replicates); stars of a×b from bootstrap p-values."
        ),
        "zh": "a×b、总间接效应与总效应：{level}%聚类自助法{method}置信区间（{n}次重抽样）；"
        "a×b的星号基于自助法p值。",
    },
    "method": {
        "percentile": {"en": "percentile", "zh": "百分位"},
        "bca": {"en": "BCa", "zh": "BCa"},
    },
    "units": {
        "en": "Indices in standard deviations.",
        "zh": "指数以标准差为单位。",
    },
}


def star_legend(thresholds: tuple[float, ...], language: str) -> str:
    """``*** p < 0.01, ** p < 0.05, * p < 0.1`` for the thresholds (largest first)."""
    # Non-breaking spaces keep "p < 0.05" on one line of the wrapped note.
    parts = [
        f"{'*' * (i + 1)}\u00a0p\u00a0<\u00a0{threshold:g}"
        for i, threshold in reversed(list(enumerate(thresholds)))
    ]
    return ("，" if language == "zh" else ", ").join(parts)


def total_effect(results: MediationRecord) -> tuple[float | None, tuple[Any, Any], bool]:
    """The total effect and its interval as the causal mediation table prints them.

    Returns
    -------
    tuple
        (estimate, (lower, upper), from_bootstrap): the total effect of the causal mediation
        record (bootstrap interval, the value ``mediation_causal`` prints) when there is one,
        otherwise the total-effect path c with its Wald interval.
    """
    causal = list(results.causal.mediators) if results.causal is not None else []
    if causal and causal[0].total is not None:
        return causal[0].total, tuple(causal[0].total_ci), True
    path = mediation_path(results, "c")
    return path.estimate, (path.ci_lower, path.ci_upper), False


def diagram_note(
    results: MediationRecord, settings: RenderSettings, language: str, *, wrap: int = 110
) -> str:
    """The note under the path diagram: totals, stars and which intervals are which.

    The total effect is the one of the causal mediation table (:func:`total_effect`), so the
    figure and the table print the same interval.
    """
    level = level_text(results)
    estimate, (lower, upper), from_bootstrap = total_effect(results)
    indirect = {entry.mediator: entry for entry in results.indirect}
    total_indirect = indirect.get(TOTAL)
    c_ci = format_interval(lower, upper, settings.digits)
    if not from_bootstrap:
        c_ci += " (Wald)"
    lines = [
        NOTE_WORDS["total"][language].format(
            c=format_number(estimate, settings.digits),
            c_ci=c_ci,
            indirect=effect_text(total_indirect, settings),
        ),
        NOTE_WORDS["stars"][language].format(stars=star_legend(settings.stars, language)),
        NOTE_WORDS["wald"][language].format(level=level),
    ]
    bootstrap = results.bootstrap
    if bootstrap is not None:
        method = (
            NOTE_WORDS["method"].get(bootstrap.ci_method, {}).get(language, bootstrap.ci_method)
        )
        lines.append(
            NOTE_WORDS["bootstrap"][language].format(
                level=level, method=method, n=f"{bootstrap.n_valid:,}"
            )
        )
    lines.append(NOTE_WORDS["units"][language])
    text = " ".join(lines) if language == "en" else "".join(lines)
    return minus(_wrap_note(text, wrap, language))


def _wrap_note(text: str, width: int, language: str) -> str:
    if language == "en":
        return textwrap.fill(text, width)
    # Chinese: break every ``width`` display columns.
    lines, line, used = [], "", 0
    for char in text:
        size = 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used + size > width:
            lines.append(line)
            line, used = "", 0
        line += char
        used += size
    return "\n".join([*lines, line])


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
    width = configured_figure_width(config)
    ncols = max(1, min(ncols, len(names), int((width - 0.5) // 1.45)))
    nrows = math.ceil(len(names) / ncols)
    panel = (width - 0.5) / ncols
    level = level_text(results)
    import seaborn as sns  # only the figures drawn with seaborn load it

    with figure_style(language):
        figure = Figure(figsize=(width, 0.8 * panel * nrows + 1.0), layout="constrained")
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
            ax.set_title(wrap_label(mechanism_label(name, config), int(panel * 16)))
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.tick_params(axis="x", labelrotation=0)
            ax.locator_params(axis="x", nbins=3)
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
        figure.legend(handles=handles, loc="outside upper center", ncols=3 if width >= 5 else 1)
        figure.supxlabel(
            word("indirect_effect", language)
            + ("（结果的标准差）" if language == "zh" else " (standard deviations of the outcome)")
        )
        figure.supylabel(word("bootstrap_draws", language))
        figure.draw_without_rendering()
    return figure


# --------------------------------------------------------------------------- sensitivity


@dataclass(frozen=True)
class R2TildeGrid:
    """The ACME over the plane of the R-tilde-squared sensitivity parameters.

    Attributes
    ----------
    r2_mediator_tilde, r2_outcome_tilde : numpy.ndarray
        The axes: the share of the total variance of the mechanism (outcome) that an omitted
        confounder explains, from 0 to ``(1 - R²) * rho_max``.
    acme : numpy.ndarray
        ACME at each point, shape ``(len(r2_outcome_tilde), len(r2_mediator_tilde))``.
    sign : int
        The sign of the product of the confounder's effects (+1 or -1) the grid assumes.
    """

    r2_mediator_tilde: np.ndarray
    r2_outcome_tilde: np.ndarray
    acme: np.ndarray
    sign: int


def r2_tilde_grid(
    rho: Any,
    acme: Any,
    *,
    r2_mediator: float,
    r2_outcome: float,
    sign: int = 1,
    points: int = 91,
) -> R2TildeGrid:
    """ACME as a function of (R̃²_M, R̃²_Y), as R ``mediation``'s ``plot.medsens`` draws it.

    Imai, Keele and Yamamoto (2010, sec. 5) express the error correlation rho through an
    omitted confounder that explains the shares R̃²_M and R̃²_Y of the total variance of the
    mechanism and the outcome: ``rho = sign * sqrt(R̃²_M R̃²_Y / ((1 - R²_M)(1 - R²_Y)))``,
    where R²_M and R²_Y are the R-squared of the two models. The ACME at a point of the plane
    is the ACME at that rho, interpolated linearly on the stored curve (``plot.medsens`` with
    ``sens.par = "R2", r.type = "total"`` does the same on its rho grid). The ACME is zero on
    the curve ``R̃²_M R̃²_Y = rho₀² (1 - R²_M)(1 - R²_Y)``, rho₀ the rho at which it vanishes.

    Parameters
    ----------
    rho, acme : array-like
        The sensitivity curve (rho increasing).
    r2_mediator, r2_outcome : float
        R-squared of the mechanism and outcome models.
    sign : {1, -1}, default 1
        Sign of the product of the confounder's effects on mechanism and outcome.
    points : int, default 91
        Grid points on each axis.

    Returns
    -------
    R2TildeGrid
    """
    if sign not in (1, -1):
        raise ValueError(f"sign must be 1 or -1, got {sign!r}")
    rho = np.asarray(rho, dtype=float)
    acme = np.asarray([np.nan if v is None else v for v in acme], dtype=float)
    finite = np.isfinite(rho) & np.isfinite(acme)
    rho, acme = rho[finite], acme[finite]
    order = np.argsort(rho)
    rho, acme = rho[order], acme[order]
    reach = float(np.min(np.abs(rho[[0, -1]])))
    star = np.linspace(0.0, reach, points)
    scale_m, scale_y = 1.0 - float(r2_mediator), 1.0 - float(r2_outcome)
    star_m, star_y = np.meshgrid(star, star)
    implied = sign * np.sqrt(star_m * star_y)
    values = np.interp(implied, rho, acme)
    return R2TildeGrid(scale_m * star, scale_y * star, values, sign)


#: Axis labels of the R-tilde-squared plane (mathtext).
R2_TILDE_M = r"$\tilde{R}^2_M$"
R2_TILDE_Y = r"$\tilde{R}^2_Y$"

#: Words of the sensitivity figure.
SENSITIVITY_WORDS: Mapping[str, Mapping[str, str]] = {
    "note": {
        "en": (
            "Left of each pair: ACME against {rho} with its {level}% pointwise band. Right: ACME "
            "contours over the shares of the variance of the "
            "mechanism (R̃²_M) and of the outcome (R̃²_Y) that an omitted confounder would "
            "explain (Imai, Keele and Yamamoto 2010), for a confounder whose effects on the two "
            "have the sign of the ρ at which ACME = 0; thick line: ACME = 0. ACME in standard "
            "deviations of the outcome."
        ),
        "zh": (
            "每组左图：ACME随{rho}的变化及{level}%逐点置信带。右图：遗漏混杂因素所解释的"
            "机制方差占比（R̃²_M）与结果方差占比（R̃²_Y）上的ACME等值线（Imai, Keele and Yamamoto "
            "2010），假定混杂因素对二者影响之积与ACME为零时的ρ同号；粗线为ACME = 0。"
            "ACME以结果的标准差为单位。"
        ),
    },
}


def _sensitivity_word(key: str, language: str) -> str:
    return SENSITIVITY_WORDS[key][language if language in ("en", "zh") else "en"]


def sensitivity_figure(results: Results, config: ProjectConfig, *, digits: int = 2) -> Figure:
    """The ACME against rho and over the R-tilde-squared plane, a pair of panels per mechanism.

    Parameters
    ----------
    results : mapping
        The mediation JSON (``causal.mediators[*]``: curve, rho at zero and the R-squared of
        the two models).
    config : ProjectConfig
    digits : int, default 2
        Decimals of the rho printed at the zero crossing.

    Returns
    -------
    matplotlib.figure.Figure
        For each mechanism, side by side: (left) the ACME curve with its pointwise bootstrap
        band, zero and rho = 0 dotted, and the rho at which the ACME is zero marked and
        printed; (right) the contours of the ACME over (R̃²_M, R̃²_Y) from
        :func:`r2_tilde_grid`, the zero contour thick, with the sign of the confounder's
        effects that makes the ACME vanish (the sign of the rho at zero). Two pairs a row at
        full width, one at single-column width.
    """
    language = config.language
    results = as_mediation_record(results)
    entries = list(results.causal.mediators)
    if not entries:
        raise ValueError("the mediation results have no sensitivity curves")
    width = configured_figure_width(config)
    pairs = 2 if width >= 5.0 else 1
    nrows = math.ceil(len(entries) / pairs)
    level = level_text(results)
    panel = (width - 0.5) / (2 * pairs)
    with figure_style(language):
        figure = Figure(figsize=(width, 1.22 * panel * nrows + 1.3), layout="constrained")
        axes = figure.subplots(nrows, 2 * pairs, squeeze=False)
        for position in range(nrows * pairs):
            rho_ax = axes[position // pairs, 2 * (position % pairs)]
            r2_ax = axes[position // pairs, 2 * (position % pairs) + 1]
            if position >= len(entries):
                rho_ax.set_visible(False)
                r2_ax.set_visible(False)
                continue
            entry = entries[position]
            _draw_rho_panel(rho_ax, entry, language, digits)
            _draw_r2_panel(r2_ax, entry, language)
            rho_ax.set_title(
                wrap_label(mechanism_label(entry.mediator, config), int(panel * 2 * 13)),
                loc="left",
            )
        figure.legend(
            handles=[],
            loc="outside lower center",
            title=_wrap_note(
                _sensitivity_word("note", language).format(
                    level=level, rho=word("rho_axis", language)
                ),
                int(width * 17),
                language,
            ),
            title_fontsize=7,
        )
        figure.draw_without_rendering()
        _hide_labels_outside(figure)
    return figure


def _hide_labels_outside(figure: Figure) -> None:
    """Hide the contour labels that the layout leaves partly outside their axes."""
    renderer = figure._get_renderer()
    for ax in figure.axes:
        box = ax.get_window_extent(renderer)
        for label in getattr(ax, "_govcluster_contour_labels", ()):
            extent = label.get_window_extent(renderer)
            if extent.x0 < box.x0 or extent.x1 > box.x1 or extent.y0 < box.y0 or extent.y1 > box.y1:
                label.set_visible(False)


def _draw_rho_panel(ax, entry, language: str, digits: int) -> None:
    curve = entry.curve
    rho = np.asarray(curve.rho, dtype=float)
    acme = np.asarray([np.nan if v is None else v for v in curve.acme], dtype=float)
    lower = np.asarray([np.nan if v is None else v for v in curve.ci_lower], dtype=float)
    upper = np.asarray([np.nan if v is None else v for v in curve.ci_upper], dtype=float)
    if lower.size == rho.size and upper.size == rho.size:
        ax.fill_between(rho, lower, upper, color=INTERVAL_COLOUR, alpha=0.2, linewidth=0)
    ax.plot(rho, acme, color=INTERVAL_COLOUR, linewidth=1.3)
    ax.axhline(0.0, **ZERO_LINE)
    ax.axvline(0.0, **ZERO_LINE)
    crossing = entry.rho_at_zero
    if crossing is not None:
        ax.plot([crossing], [0.0], marker="o", color=BCA_COLOUR, markersize=4, zorder=4)
        # The label goes right of the crossing, on the side of zero the curve leaves empty:
        # above a falling curve, below a rising one.
        rising = np.nanmean(acme[: max(1, acme.size // 2)]) < 0
        text = word("acme_zero", language).format(rho=format_number(crossing, digits))
        if language != "zh":
            text = text.replace(" at ", "\nat ")
        ax.annotate(
            minus(text),
            xy=(crossing, 0.0),
            xytext=(5, -5 if rising else 5),
            textcoords="offset points",
            ha="left",
            va="top" if rising else "bottom",
            fontsize=7,
            color=BCA_COLOUR,
            zorder=5,
        )
    ax.set_xlim(rho.min(), rho.max())
    ax.set_xlabel("ρ")
    ax.set_ylabel("ACME", labelpad=1)
    ax.locator_params(axis="y", nbins=4)


def _draw_r2_panel(ax, entry, language: str) -> None:
    sign = -1 if entry.rho_at_zero is not None and entry.rho_at_zero < 0 else 1
    grid = r2_tilde_grid(
        entry.curve.rho,
        entry.curve.acme,
        r2_mediator=entry.r2_mediator,
        r2_outcome=entry.r2_outcome,
        sign=sign,
    )
    finite = grid.acme[np.isfinite(grid.acme)]
    low, high = np.quantile(finite, [0.1, 0.9])
    levels = [level for level in MaxNLocator(nbins=5).tick_values(low, high) if level != 0.0]
    x, y = grid.r2_mediator_tilde, grid.r2_outcome_tilde
    lines = ax.contour(x, y, grid.acme, levels=levels, colors="0.45", linewidths=0.6)
    ax.clabel(lines, fontsize=7, fmt=lambda value: minus(f"{value:g}"), inline_spacing=2)
    ax._govcluster_contour_labels = lines.labelTexts  # hidden if outside the axes, see below
    if finite.min() < 0.0 < finite.max():
        ax.contour(x, y, grid.acme, levels=[0.0], colors=BCA_COLOUR, linewidths=1.4)
    ax.set_xlim(0.0, float(x.max()))
    ax.set_ylim(0.0, float(y.max()))
    ax.set_xlabel(R2_TILDE_M)
    ax.set_ylabel(R2_TILDE_Y, labelpad=1)
    ax.grid(False)
    ax.locator_params(nbins=3)


# --------------------------------------------------------------------------- moderated mediation

#: Colours of the levels of a moderator (Okabe-Ito, colour-blind safe).
LEVEL_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def moderated_figure(record: Mapping[str, Any] | Any, config: ProjectConfig) -> Figure:
    """Conditional indirect effects with their intervals, by level, one panel per mechanism.

    Parameters
    ----------
    record : ModeratedMediationResult or its dict
        ``results/estimates/mediation_moderated.json``.
    config : ProjectConfig

    Returns
    -------
    matplotlib.figure.Figure
        One small panel per mechanism and one for the total indirect effect: a point and its
        percentile interval for each level of the moderator (a colour per level, the same in
        every panel), zero dotted; the note states the bootstrap.
    """
    from govcluster.mediation.moderated import ModeratedMediationResult
    from govcluster.render.mediation_tables import moderated_level_label, moderated_word

    result = (
        record
        if isinstance(record, ModeratedMediationResult)
        else ModeratedMediationResult.from_dict(record)
    )
    language = config.language
    names = [*result.mediators, TOTAL]
    levels = list(result.levels)
    labels = [moderated_level_label(result, level, language) for level in levels]
    conditional = result.conditional
    width = configured_figure_width(config)
    ncols = 4 if width >= 5.0 else 2
    nrows = math.ceil(len(names) / ncols)
    panel = (width - 0.3) / ncols
    with figure_style(language):
        figure = Figure(figsize=(width, 0.95 * panel * nrows + 1.0), layout="constrained")
        axes = figure.subplots(nrows, ncols, squeeze=False)
        for position in range(nrows * ncols):
            ax = axes[position // ncols, position % ncols]
            if position >= len(names):
                ax.set_visible(False)
                continue
            mediator = names[position]
            rows = conditional[conditional["mediator"] == mediator].set_index("level")
            for j, level in enumerate(levels):
                row = rows.loc[level]
                colour = LEVEL_COLOURS[j % len(LEVEL_COLOURS)]
                ax.errorbar(
                    [j],
                    [row["indirect"]],
                    yerr=[[row["indirect"] - row["ci_lower"]], [row["ci_upper"] - row["indirect"]]],
                    fmt="o",
                    color=colour,
                    markersize=4,
                    capsize=2.5,
                    linewidth=1.1,
                )
            ax.axhline(0.0, **ZERO_LINE)
            ax.set_xticks(range(len(levels)))
            ax.set_xticklabels([wrap_label(label, 12) for label in labels], fontsize=6.5)
            ax.set_xlim(-0.6, len(levels) - 0.4)
            ax.yaxis.set_major_locator(MaxNLocator(4))
            ax.tick_params(axis="y", labelsize=7)
            ax.set_title(
                wrap_label(mechanism_label(mediator, config), int(panel * 13)),
                loc="left",
                fontsize=7.5,
            )
        note = moderated_word("note", language).format(
            treatment=config.label(result.treatment),
            outcome=config.label(result.outcome),
            moderator=config.label(result.moderator),
            stage=moderated_word(f"stage_{result.stage}", language),
            level=f"{100 * result.ci_level:g}",
            n=f"{result.n_valid:,}",
            seed=result.seed,
            method=moderated_word(f"method_{result.ci_method}", language),
        )
        note = note.split(" Stars:")[0].split("星号")[0]
        note = note.replace("in brackets", "as bars").replace("方括号内为", "竖线为")
        figure.legend(
            handles=[],
            loc="outside lower center",
            title=_wrap_note(note, int(width * 17), language),
            title_fontsize=7,
        )
    return figure
