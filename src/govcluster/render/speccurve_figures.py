"""The specification curve figure, drawn as Simonsohn, Simmons and Nelson (2020, Fig. 2) do.

Top panel: the estimate of every specification, sorted, with its confidence interval;
significant estimates in colour (by sign), the others grey; zero and the median marked, and
the joint test's p-values printed. Bottom panel: one row per option of every dimension, a dot
under each specification that uses it, so the reader sees which choices drive the estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from govcluster.render.style import figure_style
from govcluster.speccurve.joint import CurveResult
from govcluster.speccurve.spec import sample_kind

#: Okabe-Ito colours: significant positive, significant negative, not significant.
COLOURS = {"positive": "#0072B2", "negative": "#D55E00", "none": "#9A9A9A"}

DIMENSIONS = ("index_method", "winsorize", "control_set", "fixed_effects", "sample", "se_type")

TEXT = {
    "index_method": {"en": "Index", "zh": "指数方法"},
    "winsorize": {"en": "Winsorising", "zh": "缩尾处理"},
    "control_set": {"en": "Controls", "zh": "控制变量"},
    "fixed_effects": {"en": "Fixed effects", "zh": "固定效应"},
    "sample": {"en": "Sample", "zh": "样本"},
    "se_type": {"en": "Std. errors", "zh": "标准误"},
    "entropy": {"en": "entropy", "zh": "熵值法"},
    "pca": {"en": "PCA", "zh": "主成分"},
    "zscore": {"en": "z-score", "zh": "Z分数"},
    "on": {"en": "on", "zh": "是"},
    "off": {"en": "off", "zh": "否"},
    "none": {"en": "none", "zh": "无"},
    "baseline": {"en": "baseline", "zh": "基准"},
    "entity": {"en": "cluster", "zh": "集群"},
    "entity_year": {"en": "cluster + year", "zh": "集群+年份"},
    "entity_region_year": {"en": "cluster + region×year", "zh": "集群+地区×年份"},
    "full": {"en": "full", "zh": "全样本"},
    "drop_region": {"en": "without {region}", "zh": "剔除{region}"},
    "drop_edge_years": {"en": "without edge years", "zh": "剔除首尾年份"},
    "balanced": {"en": "balanced panel", "zh": "平衡面板"},
    "cluster_entity": {"en": "clustered: cluster", "zh": "按集群聚类"},
    "cluster_province": {"en": "clustered: province", "zh": "按省份聚类"},
    "robust": {"en": "robust", "zh": "稳健"},
    "unadjusted": {"en": "homoskedastic", "zh": "同方差"},
    "east": {"en": "east", "zh": "东部"},
    "central": {"en": "central", "zh": "中部"},
    "west": {"en": "west", "zh": "西部"},
    "estimate": {
        "en": "Coefficient of {treatment} on {outcome}",
        "zh": "{treatment}对{outcome}的系数",
    },
    "rank": {"en": "Specification (sorted by estimate)", "zh": "设定（按估计值排序）"},
    "median": {"en": "median", "zh": "中位数"},
    "axis": {"en": "Estimate and CI", "zh": "估计值与置信区间"},
    "summary": {
        "en": "{n} specifications; significant: {share:.0%} (null: {null:.0%}), {p_share}\n"
        "median {median} ({p_median}); {perm} permutations of cluster paths",
        "zh": "共{n}个设定；显著比例{share:.0%}（原假设下{null:.0%}），{p_share}\n"
        "中位数{median}（{p_median}）；集群路径置换{perm}次",
    },
}


def option_label(dimension: str, option: str, language: str) -> str:
    """Printed label of an option of a dimension (its config value when no label is known)."""
    if dimension == "sample":
        kind, region = sample_kind(option)
        if kind == "drop_region":
            region_text = TEXT.get(region, {}).get(language, region)
            return TEXT["drop_region"][language].format(region=region_text)
        option = kind
    entry = TEXT.get(option)
    return entry[language] if entry else str(option)


def _p(value: float, n_perm: int) -> str:
    floor = 1.0 / (n_perm + 1)
    return f"p = {value:.3f}" if value > floor + 1e-12 else f"p ≤ {floor:.3f}"


def specification_curve_figure(
    result: CurveResult,
    *,
    language: str = "en",
    width: float = 6.5,
    labels: Mapping[str, str] | None = None,
    option_order: Mapping[str, Any] | None = None,
) -> Figure:
    """Draw the specification curve and its panel of choices.

    Parameters
    ----------
    result : CurveResult
    language : {"en", "zh"}
    width : float
        Figure width in inches (``render.figure_width``).
    labels : mapping, optional
        Printed names of the outcome and treatment (the construct labels).
    option_order : mapping, optional
        Dimension -> options in configured order (default: order of appearance).

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = dict(labels or {})
    curve = result.curve.sort_values("rank")
    n = len(curve)
    x = np.arange(1, n + 1)
    est = curve["estimate"].to_numpy(dtype=float)
    low = curve["ci_lower"].to_numpy(dtype=float)
    high = curve["ci_upper"].to_numpy(dtype=float)
    sig = curve["significant"].to_numpy(dtype=bool)
    colour = np.where(
        sig, np.where(est > 0, COLOURS["positive"], COLOURS["negative"]), COLOURS["none"]
    )
    rows: list[tuple[str, str]] = []
    for dimension in DIMENSIONS:
        present = list(dict.fromkeys(curve[dimension].astype(str)))
        order = [str(o) for o in (option_order or {}).get(dimension, present)]
        order = [o for o in order if o in present] + [o for o in present if o not in order]
        rows += [(dimension, option) for option in order]
    n_rows = len(rows)
    marker = max(0.6, min(4.0, 900.0 / max(n, 1) ** 1.2))
    with figure_style(language):
        figure = Figure(figsize=(width, 2.4 + 0.13 * n_rows + 0.5), layout="constrained")
        top, bottom = figure.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [2.4, 0.13 * n_rows + 0.2]}
        )
        top.vlines(x, low, high, colors=colour, linewidth=max(0.3, marker / 3), alpha=0.55)
        top.scatter(x, est, s=marker**2 * 2.5, c=colour, linewidths=0, zorder=3)
        top.axhline(0.0, color="0.2", linewidth=0.8)
        median = float(np.median(est))
        top.axhline(median, color="0.35", linewidth=0.8, linestyle="--")
        top.text(
            n + 0.5,
            median,
            f" {TEXT['median'][language]}",
            va="center",
            ha="left",
            fontsize=7,
            color="0.35",
            clip_on=False,
        )
        treatment = labels.get(result.treatment, result.treatment)
        outcome = labels.get(result.outcome, result.outcome)
        top.set_title(
            TEXT["estimate"][language].format(treatment=treatment, outcome=outcome),
            fontsize=8,
            loc="left",
        )
        top.set_ylabel(TEXT["axis"][language], fontsize=8)
        share_test = result.test("share_significant")
        median_test = result.test("median_estimate")
        summary = TEXT["summary"][language].format(
            n=n,
            share=result.share_significant,
            null=share_test.null_mean,
            p_share=_p(share_test.p_value, result.n_permutations),
            median=f"{result.median_estimate:.3f}".replace("-", "−"),
            p_median=_p(median_test.p_value, result.n_permutations),
            perm=result.n_permutations,
        )
        top.text(
            0.01,
            0.98,
            summary,
            transform=top.transAxes,
            ha="left",
            va="top",
            fontsize=7,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5},
        )
        y_positions = {}
        for i, (dimension, option) in enumerate(rows):
            y_positions[(dimension, option)] = n_rows - 1 - i
        for (dimension, option), y in y_positions.items():
            used = curve[dimension].astype(str).to_numpy() == option
            bottom.scatter(
                x[used],
                np.full(used.sum(), y),
                s=marker**2 * 1.2,
                c=colour[used],
                linewidths=0,
                marker="s" if marker < 1.5 else "o",
            )
        # a faint band behind every other dimension separates the groups of rows
        start = 0
        for k, dimension in enumerate(DIMENSIONS):
            count = sum(1 for d, _ in rows if d == dimension)
            if k % 2 == 0 and count:
                y0 = n_rows - start - count - 0.5
                bottom.axhspan(y0, y0 + count, color="0.93", zorder=0, linewidth=0)
            start += count
        bottom.set_yticks(
            [y_positions[r] for r in rows],
            [f"{TEXT[d][language]}: {option_label(d, o, language)}" for d, o in rows],
            fontsize=6.5,
        )
        bottom.set_ylim(-0.6, n_rows - 0.4)
        bottom.set_xlim(0, n + 1)
        bottom.set_xlabel(TEXT["rank"][language], fontsize=8)
        bottom.tick_params(axis="y", length=0)
        for spine in ("top", "right"):
            top.spines[spine].set_visible(False)
            bottom.spines[spine].set_visible(False)
    return figure
