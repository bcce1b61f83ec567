"""Table of bootstrap intervals with fixed and with re-estimated index weights.

Reads the record of :func:`govcluster.index_bootstrap.index_weight_uncertainty`: one panel for
the mediation statistics, one for the baseline panel models, each row an estimate with its
percentile interval under fixed weights and under weights re-estimated in every replicate, and
the ratio of the two widths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from govcluster.config import ProjectConfig
from govcluster.records.index_uncertainty import IndexWeightUncertainty
from govcluster.render.formatting import format_interval, format_number
from govcluster.render.settings import RenderSettings
from govcluster.render.tables import Panel, Row, Table, make_header

TEXT = {
    "title": {
        "en": "Bootstrap intervals with estimated index weights",
        "zh": "考虑指数权重估计误差的自助法置信区间",
    },
    "estimate": {"en": "Estimate", "zh": "估计值"},
    "fixed": {"en": "{level}% CI, fixed weights", "zh": "{level}%置信区间（固定权重）"},
    "reestimated": {
        "en": "{level}% CI, weights re-estimated",
        "zh": "{level}%置信区间（重估权重）",
    },
    "ratio": {"en": "Width ratio", "zh": "宽度比"},
    "mediation": {"en": "Mediation", "zh": "中介分析"},
    "panel": {"en": "Baseline panel models", "zh": "基准面板模型"},
    "a": {"en": "a: treatment on {m}", "zh": "a：处理对{m}"},
    "b": {"en": "b: {m} on outcome", "zh": "b：{m}对结果"},
    "indirect": {"en": "Indirect effect via {m}", "zh": "经{m}的间接效应"},
    "indirect[TOTAL]": {"en": "Total indirect effect", "zh": "总间接效应"},
    "c": {"en": "Total effect c", "zh": "总效应c"},
    "c_prime": {"en": "Direct effect c'", "zh": "直接效应c'"},
    "method": {
        "entropy": {"en": "entropy", "zh": "熵权法"},
        "pca": {"en": "principal components", "zh": "主成分法"},
        "zscore": {"en": "z-scores", "zh": "标准化均值法"},
    },
    "note": {
        "en": (
            "Cluster bootstrap, {n} replicates (seed {seed}), percentile intervals. Fixed weights: "
            "the indices are held at their full-sample weights. Re-estimated: each replicate "
            "re-estimates the {method} weights{standardized} of {constructs} on its resampled "
            "clusters before fitting. Both use the same draws; the width ratio is re-estimated "
            "over fixed."
        ),
        "zh": (
            "聚类自助法，{n}次重抽样（种子{seed}），百分位置信区间。固定权重：指数使用全样本权重。"
            "重估权重：每次重抽样先在抽中的集群上重新估计{constructs}的{method}权重{standardized}，"
            "再估计模型。两者使用相同的抽样；宽度比为重估权重区间宽度除以固定权重区间宽度。"
        ),
    },
    "standardized": {"en": " and standardisation", "zh": "及标准化"},
    "skipped": {
        "en": (
            "Not covered (the bootstrap refits pooled, entity and two-way fixed-effects models "
            "without lags, absorbed effects or a year range): {models}."
        ),
        "zh": (
            "未包括（该自助法重估无滞后项、吸收效应或年份限制的混合、个体与双向固定效应"
            "模型）：{models}。"
        ),
    },
}


def _t(key: str, language: str) -> str:
    return TEXT[key][language]


def statistic_label(statistic: str, project: ProjectConfig) -> str:
    """Row label of a mediation statistic (``a[OPEN]`` -> "a: treatment on OPEN")."""
    language = project.language
    if statistic in ("c", "c_prime", "indirect[TOTAL]"):
        return _t(statistic, language)
    name, _, rest = statistic.partition("[")
    mechanism = project.label(rest.rstrip("]"))
    return _t(name, language).format(m=mechanism)


def model_label(analysis: str) -> str:
    """Short name of a panel model (``panel:baseline_twoway_fe`` -> ``twoway_fe``)."""
    name = analysis.removeprefix("panel:")
    return name.removeprefix("baseline_")


def index_uncertainty_table(
    record: Mapping[str, Any], project: ProjectConfig, settings: RenderSettings
) -> Table:
    """The table ``index_weight_uncertainty``.

    Parameters
    ----------
    record : mapping
        The stored :class:`~govcluster.index_bootstrap.IndexWeightUncertainty` record.
    project : ProjectConfig
    settings : RenderSettings

    Returns
    -------
    Table
    """
    result = IndexWeightUncertainty.from_dict(record)
    language, digits = project.language, settings.digits
    table = result.table
    panels = []
    mediation = table[table["analysis"] == "mediation"]
    if len(mediation):
        rows = tuple(
            _row(statistic_label(r.statistic, project), r, digits)
            for r in mediation.itertuples(index=False)
        )
        panels.append(Panel(_t("mediation", language), rows))
    panel = table[table["analysis"] != "mediation"]
    if len(panel):
        rows = tuple(
            _row(
                f"{model_label(r.analysis)}: {project.label(r.statistic)}",
                r,
                digits,
            )
            for r in panel.itertuples(index=False)
        )
        panels.append(Panel(_t("panel", language), rows))
    level = f"{100 * result.ci_level:g}"
    method = TEXT["method"][result.method][language]
    note = _t("note", language).format(
        n=f"{result.n_boot:,}",
        seed=result.seed,
        method=method,
        standardized=_t("standardized", language) if result.standardize else "",
        constructs=", ".join(project.label(c) for c in result.constructs),
    )
    notes = [note]
    if result.skipped:
        models = "; ".join(f"{model_label(name)} ({why})" for name, why in result.skipped)
        notes.append(_t("skipped", language).format(models=models))
    return Table(
        title=_t("title", language),
        columns=make_header(
            [
                _t("estimate", language),
                _t("fixed", language).format(level=level),
                _t("reestimated", language).format(level=level),
                _t("ratio", language),
            ]
        ),
        panels=tuple(panels),
        notes=tuple(notes),
        label="index_weight_uncertainty",
        numbers=_numbers(table),
    )


def _row(label: str, r: Any, digits: int) -> Row:
    return Row(
        label,
        (
            format_number(r.estimate, digits),
            format_interval(r.lower_fixed, r.upper_fixed, digits),
            format_interval(r.lower_reestimated, r.upper_reestimated, digits),
            format_number(r.width_ratio, 2),
        ),
    )


def _numbers(table: pd.DataFrame) -> pd.DataFrame:
    return table.reset_index(drop=True).copy()


def index_uncertainty_numbers(record: Mapping[str, Any], settings: RenderSettings) -> str:
    r"""The text of ``results/numbers/index_weights_bootstrap.tex``.

    Per row of the table: ``\IndexWeights<Analysis><Statistic>{Lower,Upper}{Fixed,Reestimated}``
    and ``...WidthRatio``; and ``\IndexWeightsReplicates``.
    """
    from govcluster.render.numbers import Macro, latex_count, latex_number, macro_name, macros_text

    result = IndexWeightUncertainty.from_dict(record)
    digits = settings.digits
    macros = [
        Macro(
            "IndexWeightsReplicates",
            latex_count(result.n_boot),
            "index-weight bootstrap replicates",
        )
    ]
    for r in result.table.itertuples(index=False):
        analysis = "Mediation" if r.analysis == "mediation" else model_label(r.analysis)
        stem = macro_name("IndexWeights", analysis, r.statistic.replace("TOTAL", "Total"))
        meaning = f"{r.analysis} {r.statistic}"
        for column, suffix in (
            ("lower_fixed", "LowerFixed"),
            ("upper_fixed", "UpperFixed"),
            ("lower_reestimated", "LowerReestimated"),
            ("upper_reestimated", "UpperReestimated"),
        ):
            macros.append(
                Macro(
                    stem + suffix, latex_number(getattr(r, column), digits), f"{meaning}: {column}"
                )
            )
        macros.append(
            Macro(stem + "WidthRatio", latex_number(r.width_ratio, 2), f"{meaning}: width ratio")
        )
    return macros_text(macros, "Bootstrap intervals with fixed and re-estimated index weights.")
