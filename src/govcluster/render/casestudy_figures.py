"""Figures of a case study, rendered from the stored case-study record.

- :func:`case_study_paths_figure`: the treated cluster's outcome and its synthetic control
  (and the SDID counterfactual), intervention year marked;
- :func:`case_study_gap_figure`: the gap of the treated cluster with the in-space placebo
  gaps behind it;
- :func:`case_study_weights_figure`: donor weights of the synthetic control and of SDID.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from govcluster.config import ProjectConfig
from govcluster.render.casestudy_tables import MIN_LISTED_WEIGHT, cluster_label
from govcluster.render.figures import wrap_label
from govcluster.render.style import configured_figure_width, figure_style

Record = Mapping[str, Any]

TREATED_COLOUR = "#000000"
SC_COLOUR = "#0072B2"
SDID_COLOUR = "#D55E00"
PLACEBO_COLOUR = "0.75"
ZERO_LINE = {"color": "0.35", "linewidth": 0.8, "linestyle": ":", "zorder": 1}
INTERVENTION_LINE = {"color": "0.45", "linewidth": 0.9, "linestyle": "--", "zorder": 1}

WORDS: Mapping[str, Mapping[str, str]] = {
    "treated": {"en": "{cluster} (treated)", "zh": "{cluster}（处理集群）"},
    "synthetic": {"en": "Synthetic control", "zh": "合成控制"},
    "sdid": {"en": "SDID counterfactual", "zh": "SDID反事实"},
    "year": {"en": "Year", "zh": "年份"},
    "gap": {"en": "Gap in {outcome} (treated − synthetic)", "zh": "{outcome}差距（处理−合成）"},
    "placebos": {"en": "In-space placebos ({n})", "zh": "空间安慰剂（{n}个）"},
    "weight": {"en": "Weight", "zh": "权重"},
    "sc_weight": {"en": "Synthetic control", "zh": "合成控制"},
    "sdid_weight": {"en": "SDID", "zh": "SDID"},
    "intervention": {"en": "Intervention", "zh": "干预"},
}


def _word(key: str, language: str) -> str:
    return WORDS[key][language]


def _values(values: Any) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values])


def case_study_paths_figure(record: Record, config: ProjectConfig) -> Figure:
    """Outcome of the treated cluster, its synthetic control and the SDID counterfactual.

    The SDID counterfactual is the treated path minus the SDID effect path (it differs from
    the synthetic control by a constant level, the SDID intercept, before the intervention).
    """
    language = config.language
    years = np.array(record["fit_years"] + record["post_years"])
    treated = _values(record["treated_path"])
    synthetic = _values(record["synthetic_control"]["synthetic_path"])
    sdid = next(e for e in record["sdid"]["estimates"] if e["estimator"] == "sdid")
    counterfactual = treated - _values(sdid["effect_path"])
    outcome = config.label(record["spec"]["outcome"])
    with figure_style(language):
        width = configured_figure_width(config)
        figure = Figure(figsize=(width, min(0.6 * width, 3.6)), layout="constrained")
        ax = figure.subplots()
        ax.plot(
            years,
            treated,
            color=TREATED_COLOUR,
            linewidth=1.8,
            label=_word("treated", language).format(cluster=cluster_label(record, language)),
        )
        ax.plot(
            years,
            synthetic,
            color=SC_COLOUR,
            linewidth=1.6,
            linestyle="--",
            label=_word("synthetic", language),
        )
        ax.plot(
            years,
            counterfactual,
            color=SDID_COLOUR,
            linewidth=1.2,
            linestyle=":",
            label=_word("sdid", language),
        )
        ax.axvline(record["intervention_year"] - 0.5, **INTERVENTION_LINE)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(_word("year", language))
        ax.set_ylabel(wrap_label(outcome, int(figure.get_size_inches()[1] * 12)))
        ax.legend(frameon=False, fontsize=7.5)
        figure.draw_without_rendering()
    return figure


def case_study_gap_figure(record: Record, config: ProjectConfig) -> Figure:
    """Gap of the treated cluster (bold) and of each in-space placebo (grey)."""
    language = config.language
    years = np.array(record["fit_years"] + record["post_years"])
    sc = record["synthetic_control"]
    placebo = sc["placebo"]
    outcome = config.label(record["spec"]["outcome"])
    with figure_style(language):
        width = configured_figure_width(config)
        figure = Figure(figsize=(width, min(0.6 * width, 3.6)), layout="constrained")
        ax = figure.subplots()
        for position, gap in enumerate(placebo["gaps"]):
            ax.plot(
                years,
                _values(gap),
                color=PLACEBO_COLOUR,
                linewidth=0.7,
                zorder=2,
                label=_word("placebos", language).format(n=placebo["n_placebos"])
                if position == 0
                else None,
            )
        ax.plot(
            years,
            _values(sc["gap"]),
            color=TREATED_COLOUR,
            linewidth=2.0,
            zorder=3,
            label=_word("treated", language).format(cluster=cluster_label(record, language)),
        )
        ax.axhline(0.0, **ZERO_LINE)
        ax.axvline(record["intervention_year"] - 0.5, **INTERVENTION_LINE)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(_word("year", language))
        height = figure.get_size_inches()[1]
        ax.set_ylabel(wrap_label(_word("gap", language).format(outcome=outcome), int(height * 12)))
        ax.legend(frameon=False, fontsize=7.5)
        figure.draw_without_rendering()
    return figure


def case_study_weights_figure(record: Record, config: ProjectConfig) -> Figure:
    """Donor weights of the synthetic control and of SDID (donors with a weight listed)."""
    language = config.language
    sc_w = record["synthetic_control"]["donor_weights"]
    sdid_w = record["sdid"]["unit_weights"]
    ids = [
        d
        for d in record["donor_ids"]
        if (sc_w[d] or 0) >= MIN_LISTED_WEIGHT or (sdid_w[d] or 0) >= MIN_LISTED_WEIGHT
    ]
    ids.sort(key=lambda d: ((sc_w[d] or 0), (sdid_w[d] or 0)))
    names = dict(zip(record["donor_ids"], record["donor_names"], strict=True))
    labels = [names[d] if language == "zh" else d for d in ids]
    positions = np.arange(len(ids))
    height = max(2.4, 0.22 * len(ids) + 1.0)
    with figure_style(language):
        figure = Figure(figsize=(configured_figure_width(config), height), layout="constrained")
        ax = figure.subplots()
        ax.barh(
            positions + 0.2,
            [sc_w[d] or 0 for d in ids],
            height=0.4,
            color=SC_COLOUR,
            label=_word("sc_weight", language),
        )
        ax.barh(
            positions - 0.2,
            [sdid_w[d] or 0 for d in ids],
            height=0.4,
            color=SDID_COLOUR,
            label=_word("sdid_weight", language),
        )
        ax.set_yticks(positions, labels, fontsize=7.5)
        ax.set_xlabel(_word("weight", language))
        ax.legend(frameon=False, fontsize=7.5, loc="lower right")
        figure.draw_without_rendering()
    return figure
