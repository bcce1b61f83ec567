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
from govcluster.render.style import figure_style

#: Colours (Okabe-Ito): main estimates, alternatives.
MAIN_COLOUR = "#0072B2"
ALTERNATIVE_COLOUR = "#D55E00"
ZERO_LINE = {"color": "0.35", "linewidth": 0.8, "linestyle": ":", "zorder": 1}

Record = PanelJobRecord | Mapping[str, Any]


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
            se = covariance_label(result.cov_type, result.cov_description, language)
            separator = "，" if language == "zh" else ", "
            variant = word("se_variant", language).format(se=se)
            label = f"({leaders[leader_of[job]]}) {label}{separator}{variant}"
        entries.append((label, entry, main, treatment, result))
    first = entries[0][4]
    with figure_style(language):
        figure = Figure(figsize=(6.4, 0.9 + 0.36 * len(entries)), layout="constrained")
        ax = figure.subplots()
        positions = np.arange(len(entries))[::-1]
        for y, (_, entry, main, _, _) in zip(positions, entries, strict=True):
            colour = MAIN_COLOUR if main else ALTERNATIVE_COLOUR
            estimate = None if entry is None else entry.estimate
            if estimate is None:
                continue
            lower, upper = entry.ci_lower, entry.ci_upper
            if lower is not None and upper is not None:
                ax.plot([lower, upper], [y, y], color=colour, linewidth=1.6, solid_capstyle="butt")
            ax.plot([estimate], [y], marker="o" if main else "s", color=colour, markersize=5)
        ax.axvline(0.0, **ZERO_LINE)
        ax.set_yticks(positions, [label for label, *_ in entries])
        ax.set_ylim(-0.7, len(entries) - 0.3)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.set_xlabel(
            word("coefficient_axis", language).format(
                treatment=config.label(entries[0][3]), level=_level_text(first.spec.level)
            )
        )
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
            figure.legend(handles=handles, loc="outside lower center", ncols=2)
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
        figure = Figure(figsize=(5.6, 3.6), layout="constrained")
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
        ax.set_xlabel(word("horizon_axis", language).format(treatment=config.label(treatment)))
        ax.set_ylabel(
            wrap_label(
                word("effect_axis", language).format(
                    outcome=config.label(outcome), level=_level_text(spec.level)
                ),
                40,
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
            figsize=(6.4, 0.9 + sum(0.55 * n + 0.55 for n in sizes)), layout="constrained"
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
                        [entry.estimate], [y + offset], marker=marker, color=colour, markersize=5
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
            ax.set_title(title, loc="left")
        axes[-1].set_xlabel(
            word("coefficient_axis", language).format(
                treatment=config.label(treatment),
                level=_level_text(results[0].spec.base.level),
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
