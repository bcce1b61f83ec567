"""The fixed words of tables and figures, in English and Chinese, and the display labels.

Names of variables, constructs and controls come from the configuration
(:meth:`govcluster.config.ProjectConfig.label`); this module holds the rest: column headers,
row names of regression statistics, notes, region names and axis titles.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from govcluster.config import Label, ProjectConfig
from govcluster.regions import REGIONS

Language = Literal["en", "zh"]

#: Fixed words, by key.
VOCABULARY: Mapping[str, Label] = {
    # summary statistics
    "summary_title": Label("Summary statistics", "描述性统计"),
    "variable": Label("Variable", "变量"),
    "n_obs": Label("Obs.", "观测值"),
    "n_clusters_short": Label("Clusters", "集群数"),
    "mean_periods": Label("Avg. T", "平均期数"),
    "mean": Label("Mean", "均值"),
    "sd": Label("Standard deviation", "标准差"),
    "overall": Label("Overall", "总体"),
    "between": Label("Between", "组间"),
    "within": Label("Within", "组内"),
    "min": Label("Min", "最小值"),
    "median": Label("Median", "中位数"),
    "max": Label("Max", "最大值"),
    "panel_constructs": Label("Panel A: Construct indices", "A组：构念指数"),
    "panel_controls": Label("Panel B: Control variables", "B组：控制变量"),
    "panel_other": Label("Panel C: Other variables", "C组：其他变量"),
    "summary_note": Label(
        "Overall, between (cluster means) and within (deviations from cluster means, plus the "
        "grand mean) standard deviations, as in Stata's xtsum.",
        "总体、组间（集群均值）与组内（对集群均值的离差加总均值）标准差，与 Stata 的 xtsum 一致。",
    ),
    "standardized_note": Label(
        "Construct indices are standardized over the pooled panel (mean 0, standard deviation 1).",
        "构念指数已在全样本上标准化（均值为0，标准差为1）。",
    ),
    # correlations
    "correlations_title": Label("Correlation matrix", "相关系数矩阵"),
    "correlations_note": Label(
        "Pearson correlations over the pooled cluster-year panel.",
        "基于集群-年份混合面板的 Pearson 相关系数。",
    ),
    "correlations_n_note": Label("Observations: {n}.", "观测值：{n}。"),
    # index construction
    "weights_title": Label("Index weights", "指数权重"),
    "indicator": Label("Indicator", "指标"),
    "direction": Label("Direction", "方向"),
    "weight": Label("Weight", "权重"),
    "reliability_title": Label("Reliability of the composite indices", "综合指数的信度"),
    "construct": Label("Construct", "构念"),
    "n_indicators": Label("Indicators", "指标数"),
    "cronbach_alpha": Label("Cronbach's α", "Cronbach's α"),
    "first_component_share": Label("First-component share (%)", "第一主成分方差占比（%）"),
    "method_entropy": Label("the entropy weight method", "熵权法"),
    "method_pca": Label("the first principal component", "第一主成分法"),
    "method_zscore": Label("equally weighted z-scores", "等权 z 分数法"),
    "weights_note": Label(
        "Indicator weights of each index, by {method}. Direction + (−): a higher value of the "
        "indicator raises (lowers) the index.",
        "各指数的指标权重，采用{method}。方向为 +（−）表示指标取值越高，指数越高（低）。",
    ),
    "reliability_note": Label(
        "Cronbach's α of the direction-adjusted standardized indicators and the share of their "
        "variance explained by the first principal component. Indices built by {method}.",
        "Cronbach's α 基于方向调整后的标准化指标；第一主成分方差占比为第一主成分解释的方差比例。"
        "指数采用{method}构建。",
    ),
    # regression tables
    "regression_title": Label("Regression results", "回归结果"),
    "yes": Label("Yes", "是"),
    "no": Label("No", "否"),
    "fe_entity": Label("Cluster fixed effects", "集群固定效应"),
    "fe_time": Label("Year fixed effects", "年份固定效应"),
    "cluster_var": Label("Standard errors clustered by", "标准误聚类层级"),
    "n_clusters": Label("Number of clusters", "聚类数"),
    "observations": Label("Observations", "观测值"),
    "r2_within": Label("Within R²", "组内R²"),
    "mean_dependent": Label("Mean of dependent variable", "因变量均值"),
    "se_note": Label("Standard errors in parentheses.", "括号内为标准误。"),
    "t_note": Label("t statistics in parentheses.", "括号内为 t 统计量。"),
    "stars_note": Label("{stars}.", "{stars}分别表示在{levels}的水平上显著。"),
    # regions and figure axes
    "east": Label("East", "东部"),
    "central": Label("Central", "中部"),
    "west": Label("West", "西部"),
    "region": Label("Region", "地区"),
    "year": Label("Year", "年份"),
    "index_mean": Label("Mean index", "指数均值"),
    "index_trends_title": Label("Composite indices by region and year", "分地区综合指数的年度均值"),
    "correlation": Label("Correlation", "相关系数"),
}


def word(key: str, language: Language) -> str:
    """The fixed word ``key`` of :data:`VOCABULARY` in ``language``."""
    return VOCABULARY[key].get(language)


def stars_note(stars: tuple[float, ...], language: Language) -> str:
    """The significance note, e.g. ``"* p < 0.10, ** p < 0.05, *** p < 0.01."``.

    Parameters
    ----------
    stars : tuple of float
        Thresholds, as given to :func:`govcluster.render.formatting.significance_stars`.
    language : {"en", "zh"}
    """
    thresholds = sorted(stars, reverse=True)
    marks = ["*" * (position + 1) for position in range(len(thresholds))]
    if language == "zh":
        levels = "、".join(f"{threshold * 100:g}%" for threshold in thresholds)
        return VOCABULARY["stars_note"].zh.format(stars="、".join(marks), levels=levels)
    pairs = ", ".join(
        f"{mark} p < {threshold:g}" for mark, threshold in zip(marks, thresholds, strict=True)
    )
    return VOCABULARY["stars_note"].en.format(stars=pairs)


def display_labels(config: ProjectConfig) -> dict[str, str]:
    """Display text of every name an exhibit may show, in the configured language.

    Returns
    -------
    dict
        Constructs, controls and variables (from the configuration), the regions (``east``,
        ``central``, ``west``) and the axis words ``year``, ``region``, ``index_mean`` and
        ``correlation``.
    """
    language = config.language
    names = [*config.variables, *config.controls, *config.constructs]
    labels = {name: config.label(name) for name in names}
    for key in (*REGIONS, "year", "region", "index_mean", "correlation"):
        labels[key] = word(key, language)
    return labels
