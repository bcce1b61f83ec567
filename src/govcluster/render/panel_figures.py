"""Figures of the panel models, drawn from the stored job records.

Each function takes job records (see :mod:`govcluster.panel.plan`) and the configuration and
returns a :class:`matplotlib.figure.Figure` built on the Agg backend in
:func:`govcluster.render.style.figure_style` (the style sheet and the language's font); save it
with :func:`govcluster.render.figures.save_figure`.

- :func:`coefficient_plot`: the treatment coefficient with its interval in every baseline model;
- :func:`horizons_figure`: the effect by horizon (local projections) with its interval band;
- :func:`heterogeneity_figure`: the effect by group, split sample and interaction model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from govcluster.config import ProjectConfig
from govcluster.records.panel import (
    HeterogeneityRecord,
    LocalProjectionsRecord,
    PanelJobRecord,
    as_job_record,
    as_job_records,
)
from govcluster.render.figures import wrap_label
from govcluster.render.formatting import format_pvalue
from govcluster.render.labels import word
from govcluster.render.panel_records import (
    covariance_groups,
    covariance_label,
    estimator_label,
    group_label,
    group_members,
    heterogeneity_title,
    job_specification,
    ordered_groups,
)
from govcluster.render.style import configured_figure_width, figure_style

#: Colours (Okabe-Ito): main estimates, alternatives.
MAIN_COLOUR = "#0072B2"
ALTERNATIVE_COLOUR = "#D55E00"
ZERO_LINE = {"color": "0.35", "linewidth": 0.8, "linestyle": ":", "zorder": 1}


@dataclass(frozen=True)
class _Point:
    """A zero-width interval at zero: keeps zero on the axis of the near estimates."""

    estimate: float = 0.0
    ci_lower: float = 0.0
    ci_upper: float = 0.0


ZERO_ENTRY = ("", _Point(), True, None, None)

Record = PanelJobRecord | Mapping[str, Any]


def far_entries(intervals: list[tuple[float, float]]) -> list[int]:
    """Positions of the intervals so far from the others that they would squeeze them.

    An interval is far when the gap between it and the hull of the other (not yet far)
    intervals is wider than that hull: drawn on one axis, it would take more than half the
    axis and leave the others indistinguishable. The farthest is taken first, until none is
    far or two are left.

    Parameters
    ----------
    intervals : list of (float, float)
        Lower and upper ends (the estimate alone where the interval is missing).

    Returns
    -------
    list of int
        Positions in ``intervals``, in their order.
    """
    near = list(range(len(intervals)))
    far: list[int] = []
    while len(near) > 2:
        gaps = []
        for i in near:
            low = min(intervals[j][0] for j in near if j != i)
            high = max(intervals[j][1] for j in near if j != i)
            gap = max(intervals[i][0] - high, low - intervals[i][1], 0.0)
            gaps.append((gap / max(high - low, 1e-12), i))
        ratio, farthest = max(gaps)
        if ratio <= 1.0:
            break
        near.remove(farthest)
        far.append(farthest)
    return sorted(far)


def _axis_break(left, right) -> None:
    """Diagonal marks of a broken x axis between ``left`` and ``right`` axes."""
    left.spines["right"].set_visible(False)
    right.spines["left"].set_visible(False)
    right.tick_params(axis="y", length=0)
    marks = {"marker": [(-1, -1.6), (1, 1.6)], "markersize": 6, "linestyle": "none"}
    marks.update(color="k", mec="k", mew=0.8, clip_on=False)
    left.plot([1], [0], transform=left.transAxes, **marks)
    right.plot([0], [0], transform=right.transAxes, **marks)


def _draw_coefficients(ax, entries, positions) -> None:
    for y, (_, entry, main, _, _) in zip(positions, entries, strict=True):
        colour = MAIN_COLOUR if main else ALTERNATIVE_COLOUR
        estimate = None if entry is None else entry.estimate
        if estimate is None:
            continue
        lower, upper = entry.ci_lower, entry.ci_upper
        if lower is not None and upper is not None:
            ax.plot([lower, upper], [y, y], color=colour, linewidth=1.6, solid_capstyle="butt")
        ax.plot([estimate], [y], marker="o" if main else "s", color=colour, markersize=4.5)


def _hull(entries, share: float = 0.08) -> tuple[float, float]:
    ends = [
        value
        for _, entry, *_ in entries
        if entry is not None and entry.estimate is not None
        for value in (entry.ci_lower, entry.ci_upper, entry.estimate)
        if value is not None
    ]
    low, high = min(ends), max(ends)
    margin = share * max(high - low, 1e-9)
    return low - margin, high + margin


#: The unit line of axes whose variables are standardized indices.
INDEX_UNITS = {
    "en": "(indices in standard deviations)",
    "zh": "（指数以标准差为单位）",
}


def with_units(text: str, config: ProjectConfig, *names: str) -> str:
    """``text`` and, on a line of its own, the unit of standardized indices.

    The line is added when the configuration standardizes its indices and every name in
    ``names`` is a construct (index); otherwise ``text`` is returned as it is.
    """
    standardized = config.indices.standardize and all(n in config.constructs for n in names)
    if not standardized:
        return text
    return f"{text}\n{INDEX_UNITS.get(config.language, INDEX_UNITS['en'])}"


def _level_text(level: float) -> str:
    """A confidence level in percent: ``95``."""
    return f"{100 * float(level):g}"


def coefficient_plot(records: Mapping[str, Record], config: ProjectConfig) -> Figure:
    """The treatment coefficient and its confidence interval in every baseline model.

    Parameters
    ----------
    records : mapping
        Job name -> record of the ``baseline`` jobs, in configuration order.
    config : ProjectConfig
        Labels and language.

    Returns
    -------
    matplotlib.figure.Figure
        One row per model, top to bottom in configuration order, numbered as in the baseline
        table; models that only change the standard errors of an earlier one are drawn in a
        second colour and named by their standard errors.
    """
    if not records:
        raise ValueError("the coefficient plot needs at least one baseline job record")
    language = config.language
    records = as_job_records(records)
    specs = {name: job_specification(record) for name, record in records.items()}
    groups = covariance_groups(specs)
    leaders = {group[0]: position + 1 for position, group in enumerate(groups)}
    leader_of = {member: group[0] for group in groups for member in group}
    entries = []
    for job, record in records.items():
        result = record.result
        treatment = result.treatment
        entry = result.coefficient(treatment)
        label = estimator_label(result.estimator, language)
        if result.spec.lags:
            label += ("，" if language == "zh" else ", ") + word("with_lags", language)
        main = job in leaders
        if main:
            label = f"({leaders[job]}) {label}"
        else:
            se = covariance_label(
                result.cov_type,
                result.cov_description,
                language,
                entity_label=config.data.entity_label,
            )
            separator = "，" if language == "zh" else ", "
            variant = word("se_variant", language).format(se=se)
            label = f"({leaders[leader_of[job]]}) {label}{separator}{variant}"
        entries.append((label, entry, main, treatment, result))
    first = entries[0][4]
    intervals = []
    for _, entry, *_ in entries:
        estimate = None if entry is None else entry.estimate
        if estimate is None:
            intervals.append((np.nan, np.nan))
            continue
        low = estimate if entry.ci_lower is None else entry.ci_lower
        high = estimate if entry.ci_upper is None else entry.ci_upper
        intervals.append((low, high))
    drawn = [i for i, (low, _) in enumerate(intervals) if np.isfinite(low)]
    far = {drawn[i] for i in far_entries([intervals[i] for i in drawn])}
    width = configured_figure_width(config)
    with figure_style(language):
        figure = Figure(
            figsize=(width, 0.75 + (0.25 if width >= 5 else 0.36) * len(entries)),
            layout="constrained",
        )
        positions = np.arange(len(entries))[::-1]
        if far:
            ax, far_ax = figure.subplots(1, 2, sharey=True, width_ratios=[3, 1])
            figure.get_layout_engine().set(wspace=0.02, w_pad=0.02)
        else:
            ax, far_ax = figure.subplots(), None
        near_entries = [e if i not in far else (e[0], None, *e[2:]) for i, e in enumerate(entries)]
        _draw_coefficients(ax, near_entries, positions)
        ax.set_xlim(*_hull([e for i, e in enumerate(entries) if i not in far] + [ZERO_ENTRY]))
        ax.axvline(0.0, **ZERO_LINE)
        if far_ax is not None:
            far_entries_only = [
                e if i in far else (e[0], None, *e[2:]) for i, e in enumerate(entries)
            ]
            _draw_coefficients(far_ax, far_entries_only, positions)
            far_ax.set_xlim(*_hull([e for i, e in enumerate(entries) if i in far], 0.2))
            far_ax.xaxis.set_major_locator(MaxNLocator(nbins=3 if width >= 5 else 2))
            for axis in (ax, far_ax):
                axis.grid(axis="y", visible=False)
                axis.grid(axis="x", visible=True)
            _axis_break(ax, far_ax)
        ax.set_yticks(positions, [wrap_label(label, int(width * 7)) for label, *_ in entries])
        ax.set_ylim(-0.7, len(entries) - 0.3)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        label_axis = figure if far_ax is not None else ax
        axis_label = with_units(
            wrap_label(
                word("coefficient_axis", language).format(
                    treatment=config.label(entries[0][3]), level=_level_text(first.spec.level)
                ),
                int(width * 12),
            ),
            config,
            entries[0][3],
            first.spec.outcome,
        )
        if far_ax is not None:
            figure.supxlabel(axis_label)
        else:
            label_axis.set_xlabel(axis_label)
        if not all(main for _, _, main, _, _ in entries):
            handles = [
                Line2D(
                    [],
                    [],
                    color=MAIN_COLOUR,
                    marker="o",
                    label=word("baseline_specifications", language),
                ),
                Line2D(
                    [],
                    [],
                    color=ALTERNATIVE_COLOUR,
                    marker="s",
                    label=word("other_standard_errors", language),
                ),
            ]
            figure.legend(handles=handles, loc="outside upper center", ncols=2)
        figure.draw_without_rendering()
    return figure


def horizons_figure(record: Record, config: ProjectConfig) -> Figure:
    """The effect of the treatment on the outcome h years later, with its interval band.

    Parameters
    ----------
    record : mapping
        The ``local_projections`` job record.
    config : ProjectConfig

    Returns
    -------
    matplotlib.figure.Figure
    """
    language = config.language
    result: LocalProjectionsRecord = as_job_record(record).result
    spec = result.spec
    table = sorted(result.table, key=lambda entry: entry.horizon)
    horizons = np.array([entry.horizon for entry in table], dtype=float)
    estimates = np.array([_number(entry.estimate) for entry in table])
    lower = np.array([_number(entry.ci_lower) for entry in table])
    upper = np.array([_number(entry.ci_upper) for entry in table])
    treatment = spec.treatment
    outcome = spec.outcome
    with figure_style(language):
        width = configured_figure_width(config)
        height = min(max(0.62 * width, 2.6), 3.6)
        figure = Figure(figsize=(width, height), layout="constrained")
        ax = figure.subplots()
        ax.fill_between(horizons, lower, upper, color=MAIN_COLOUR, alpha=0.18, linewidth=0)
        ax.errorbar(
            horizons,
            estimates,
            yerr=np.vstack([estimates - lower, upper - estimates]),
            color=MAIN_COLOUR,
            marker="o",
            markersize=5,
            capsize=3,
            linewidth=1.6,
        )
        ax.axhline(0.0, **ZERO_LINE)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(
            wrap_label(
                word("horizon_axis", language).format(treatment=config.label(treatment)),
                int(width * 10),
            )
        )
        ax.set_ylabel(
            wrap_label(
                word("effect_axis", language).format(
                    outcome=config.label(outcome), level=_level_text(spec.level)
                )
                + (" " + INDEX_UNITS[language] if outcome in config.constructs else ""),
                int(13 * height),
            )
        )
        figure.draw_without_rendering()
    return figure


def _number(value: object) -> float:
    return float("nan") if value is None else float(value)


def heterogeneity_figure(records: Mapping[str, Record], config: ProjectConfig) -> Figure:
    """The effect of the treatment by group: split-sample and interaction-model estimates.

    Parameters
    ----------
    records : mapping
        Job name -> record of the ``heterogeneity`` jobs, in configuration order (one panel
        each, titled by the grouping and the p-value of the test of equal effects).
    config : ProjectConfig

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not records:
        raise ValueError("the heterogeneity figure needs at least one heterogeneity job record")
    language = config.language
    results: list[HeterogeneityRecord] = [r.result for r in as_job_records(records).values()]
    sizes = [len(result.table) for result in results]
    with figure_style(language):
        figure = Figure(
            figsize=(configured_figure_width(config), 0.8 + sum(0.4 * n + 0.5 for n in sizes)),
            layout="constrained",
        )
        axes = figure.subplots(
            len(results), 1, sharex=True, squeeze=False, height_ratios=[n + 0.6 for n in sizes]
        ).ravel()
        treatment = ""
        for ax, result in zip(axes, results, strict=True):
            treatment = result.treatment
            order = ordered_groups([entry.group for entry in result.table])
            positions = np.arange(len(order))[::-1]
            for y, group in zip(positions, order, strict=True):
                split = (
                    result.split[group].coefficient(treatment) if group in result.split else None
                )
                pooled = result.interaction.coefficient(f"{treatment}_x_{group}")
                for entry, offset, colour, marker in (
                    (split, 0.13, MAIN_COLOUR, "o"),
                    (pooled, -0.13, ALTERNATIVE_COLOUR, "s"),
                ):
                    if entry is None or entry.estimate is None:
                        continue
                    ax.plot(
                        [entry.ci_lower, entry.ci_upper],
                        [y + offset] * 2,
                        color=colour,
                        linewidth=1.6,
                        solid_capstyle="butt",
                    )
                    ax.plot(
                        [entry.estimate], [y + offset], marker=marker, color=colour, markersize=4.5
                    )
            labels = [
                wrap_label(group_label(g, group_members(result, g), language), 22) for g in order
            ]
            ax.set_yticks(positions, labels)
            ax.set_ylim(-0.6, len(order) - 0.4)
            ax.axvline(0.0, **ZERO_LINE)
            ax.grid(axis="y", visible=False)
            ax.grid(axis="x", visible=True)
            title = heterogeneity_title(result, config)
            test = result.equal_effects
            if test.p_value is not None:
                separator = "；" if language == "zh" else "; "
                title += separator + word("equal_effects_short", language).format(
                    p=format_pvalue(test.p_value)
                )
            ax.set_title(wrap_label(title, int(configured_figure_width(config) * 13)), loc="left")
        axes[-1].set_xlabel(
            with_units(
                wrap_label(
                    word("coefficient_axis", language).format(
                        treatment=config.label(treatment),
                        level=_level_text(results[0].spec.base.level),
                    ),
                    int(configured_figure_width(config) * 12),
                ),
                config,
                treatment,
                results[0].spec.base.outcome,
            )
        )
        handles = [
            Line2D([], [], color=MAIN_COLOUR, marker="o", label=word("split_sample", language)),
            Line2D(
                [],
                [],
                color=ALTERNATIVE_COLOUR,
                marker="s",
                label=word("interaction_model", language),
            ),
        ]
        figure.legend(handles=handles, loc="outside lower center", ncols=2)
        figure.draw_without_rendering()
    return figure
