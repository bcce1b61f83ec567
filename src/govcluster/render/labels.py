"""The fixed words of tables and figures, in English and Chinese, and the display labels.

Names of variables, constructs and controls come from the configuration
(:meth:`govcluster.config.ProjectConfig.label`); this module holds the rest: column headers,
row names of regression statistics, notes, region names and axis titles.
"""

from __future__ import annotations

import re
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
    "data_changes_note": Label("Data cleaning: {changes}.", "数据清洗：{changes}。"),
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
    "n_entities": Label("Number of clusters (entities)", "集群（个体）数"),
    "n_se_clusters": Label("Number of SE clusters", "标准误聚类组数"),
    "r2": Label("R²", "R²"),
    "r2_adjusted": Label("Adjusted R²", "调整R²"),
    "observations": Label("Observations", "观测值"),
    "r2_within": Label("Within R²", "组内R²"),
    "mean_dependent": Label("Mean of dependent variable", "因变量均值"),
    "se_note": Label("Standard errors in parentheses.", "括号内为标准误。"),
    "t_note": Label("t statistics in parentheses.", "括号内为 t 统计量。"),
    "p_note": Label("p-values in parentheses.", "括号内为p值。"),
    "ci_note": Label("{level}% confidence intervals in brackets.", "方括号内为{level}%置信区间。"),
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
    # shared words of the estimation exhibits
    "panel_title": Label("Panel {letter}: {title}", "{letter}组：{title}"),
    "none": Label("none", "无"),
    "constant": Label("Constant", "常数项"),
    "lag_label": Label("{label}, t−{lag}", "{label}（滞后{lag}期）"),
    "controls_note": Label("Controls: {controls}.", "控制变量：{controls}。"),
    "binary_outcome_note": Label(
        "{names}: a binary (0/1) variable fitted by a linear model (linear probability model: "
        "coefficients are changes in the probability; fitted values may leave [0, 1]).",
        "{names}为二值（0/1）变量，按线性模型估计"
        "（线性概率模型：系数为概率的变化，拟合值可能超出[0, 1]）。",
    ),
    "controls": Label("Controls", "控制变量"),
    "standard_errors": Label("Standard errors", "标准误"),
    "estimate": Label("Estimate", "估计值"),
    "se_short": Label("SE", "标准误"),
    "t_short": Label("t", "t值"),
    "ci": Label("{level}% CI", "{level}%置信区间"),
    "statistic": Label("Statistic", "统计量"),
    "df": Label("df", "自由度"),
    "p_value": Label("p-value", "p值"),
    "group": Label("Group", "组别"),
    "less_developed": Label("Less developed", "欠发达地区"),
    "estimator_pooled": Label("Pooled OLS", "混合OLS"),
    "estimator_entity_fe": Label("FE", "固定效应"),
    "estimator_random": Label("RE", "随机效应"),
    "estimator_between": Label("Between", "组间估计"),
    "estimator_first_difference": Label("FD", "一阶差分"),
    "estimator_twoway_fe": Label("Two-way FE", "双向固定效应"),
    "estimator_hdfe": Label("High-dim. FE", "高维固定效应"),
    "se_cluster_entity": Label("Cluster (entity)", "集群（个体）聚类"),
    "se_cluster_twoway": Label("Cluster (entity) and year", "集群（个体）与年份双向聚类"),
    "se_driscoll_kraay": Label("Driscoll–Kraay", "Driscoll-Kraay"),
    "se_robust": Label("Robust", "异方差稳健"),
    "se_unadjusted": Label("Conventional", "普通"),
    "se_text_cluster_entity": Label(
        "standard errors clustered at the cluster (entity) level", "在集群（个体）层面聚类的标准误"
    ),
    "se_text_cluster_twoway": Label(
        "standard errors two-way clustered at the cluster (entity) and year levels",
        "在集群（个体）与年份层面双向聚类的标准误",
    ),
    "se_text_driscoll_kraay": Label("Driscoll–Kraay standard errors", "Driscoll-Kraay标准误"),
    "se_text_robust": Label("heteroskedasticity-robust standard errors", "异方差稳健标准误"),
    "se_text_unadjusted": Label("conventional standard errors", "普通标准误"),
    # baseline, specification tests and robustness
    "baseline_title": Label("Baseline panel regressions", "基准回归结果"),
    "baseline_panel": Label("Estimates", "回归估计"),
    "constants_note": Label("Constants are not reported.", "未报告常数项。"),
    "within_note": Label(
        "R²: of the regression each estimator fits (pooled data, cluster means, first "
        "differences); within R²: share of the within-cluster variation explained (fixed and "
        "random effects); adjusted R² corrects the R² shown for the slopes and absorbed fixed "
        "effects. Number of SE clusters: groups of each clustering dimension of the standard "
        "errors (cluster, year).",
        "R²为各估计方法所拟合回归（混合数据、集群均值、一阶差分）的R²；组内R²为固定效应与随机效应模型解释的"
        "集群内变异比例；调整R²按斜率系数与吸收的固定效应个数对所报告的R²作自由度调整。标准误聚类组数为"
        "标准误各聚类维度（集群、年份）的组数。",
    ),
    "tests_panel": Label("Specification tests", "模型设定检验"),
    "test_poolability": Label("Poolability F test", "混合回归F检验"),
    "test_breusch_pagan": Label("Breusch–Pagan LM test", "Breusch-Pagan LM检验"),
    "test_hausman": Label("Hausman test", "Hausman检验"),
    "test_mundlak": Label("Mundlak test", "Mundlak检验"),
    "test_hausman_robust": Label(
        "Cluster-robust Hausman test (Mundlak form)", "聚类稳健Hausman检验（Mundlak形式）"
    ),
    "tests_note": Label(
        "Panel B: tests on the {estimator} specification with controls {controls}: poolability "
        "(null: all cluster effects are equal), Breusch–Pagan LM (null: no random effects), "
        "Hausman (fixed against random effects) and Mundlak (cluster means of the regressors "
        "added to the random-effects model, cluster-robust).",
        "B组基于{estimator}设定（控制变量：{controls}）：混合回归F检验（原假设为各集群效应相等）、"
        "Breusch-Pagan LM检验（原假设为不存在随机效应）、Hausman检验（固定效应对随机效应）与"
        "Mundlak检验（在随机效应模型中加入回归元的集群均值，聚类稳健）。",
    ),
    "tests_brackets_note": Label("p-values of the tests in brackets.", "检验的p值在方括号内。"),
    "hausman_note": Label(
        "The Hausman statistic is unreliable in this sample: the difference of the two "
        "covariance matrices is not positive definite (a generalized inverse was used); the "
        "Mundlak test does not have this problem.",
        "本样本中Hausman检验不可靠：两个协方差矩阵之差非正定（使用了广义逆），Mundlak检验不受此影响。",
    ),
    "hausman_undefined_note": Label(
        "The classic Hausman statistic, computed with the conventional covariance matrices, "
        "is {statistic} in this sample: their difference is not positive semidefinite, so the "
        "statistic has no χ² distribution and is not reported as a test. Reported instead is "
        "its cluster-robust form (Mundlak 1978; Wooldridge 2010, section 10.7.3): the Wald test "
        "that the cluster means of the regressors have zero coefficients when added to the "
        "random-effects model.",
        "按常规协方差矩阵计算的经典Hausman统计量在本样本中为{statistic}：两个协方差矩阵之差非半正定，"
        "该统计量不服从χ²分布，故不作为检验报告。表中报告其聚类稳健形式（Mundlak，1978；"
        "Wooldridge，2010，第10.7.3节）：在随机效应模型中加入回归元集群均值后，检验其系数全为零的Wald检验。",
    ),
    "robustness_title": Label(
        "Robustness: alternative standard errors", "稳健性检验：不同的标准误估计"
    ),
    "robustness_note": Label(
        "Columns under one heading estimate the same specification and differ only in the "
        "standard errors: clustered at the cluster (entity) level, two-way clustered at the "
        "cluster (entity) and year levels "
        "(Cameron, Gelbach and Miller 2011), Driscoll–Kraay (robust to cross-sectional and "
        "serial correlation) or heteroskedasticity-robust.",
        "同一标题下各列为同一设定，仅标准误不同：按集群聚类、按集群与年份双向聚类（Cameron、Gelbach和"
        "Miller，2011）、Driscoll-Kraay标准误（对截面相关与序列相关稳健）或异方差稳健标准误。",
    ),
    # local projections
    "horizons_title": Label(
        "Sustained effects of {treatment} by horizon", "{treatment}的持续效应：分期局部投影"
    ),
    "horizon": Label("Horizon (years)", "期数（年）"),
    "horizon_row": Label("h = {h}", "h = {h}"),
    "horizons_note": Label(
        "Local projections: {outcome} h years later regressed on {treatment} ({estimator}; "
        "controls: {controls}; {se}).",
        "局部投影：h年后的{outcome}对{treatment}回归（{estimator}；控制变量：{controls}；{se}）。",
    ),
    # heterogeneity
    "heterogeneity_title": Label("Heterogeneous effects of {treatment}", "{treatment}效应的异质性"),
    "split_samples": Label("Split samples", "分样本回归"),
    "interaction_model": Label("Interaction model", "交互项模型"),
    "treatment_by_group": Label("{treatment} × group", "{treatment} × 组别"),
    "equal_effects": Label("Wald test of equal effects", "组间效应相等的Wald检验"),
    "heterogeneity_note": Label(
        "Split samples: {outcome} on {treatment} within each group ({estimator}; controls: "
        "{controls}). Interaction model: the same regression on the whole sample with "
        "{treatment} interacted with the group dummies; the Wald test's null is that the "
        "effects of all groups are equal.",
        "分样本回归：在各组内以{outcome}对{treatment}回归（{estimator}；控制变量：{controls}）。"
        "交互项模型：在全样本中以{treatment}与组别虚拟变量的交互项回归；Wald检验的原假设为各组效应相等。",
    ),
    # instrumental variables
    "iv_title": Label("Instrumental-variable estimates", "工具变量估计"),
    "ols_panel": Label("OLS", "OLS估计"),
    "iv_panel": Label("2SLS", "两阶段最小二乘（2SLS）"),
    "first_stage_panel": Label(
        "First stage and weak-instrument diagnostics", "第一阶段与弱工具变量检验"
    ),
    "first_stage_f": Label("First-stage F", "第一阶段F值"),
    "partial_r2": Label("Partial R² of the instruments", "工具变量的偏R²"),
    "kp_f": Label("Kleibergen–Paap rk Wald F", "Kleibergen-Paap rk Wald F"),
    "kp_lm": Label(
        "Kleibergen–Paap rk LM (underidentification)", "Kleibergen-Paap rk LM（识别不足检验）"
    ),
    "kp_lm_p_value": Label("Kleibergen–Paap rk LM p-value", "Kleibergen-Paap rk LM检验p值"),
    "stock_yogo_10": Label(
        "Stock–Yogo critical value, 10% maximal IV size", "Stock-Yogo临界值（10%最大IV偏误规模）"
    ),
    "stock_yogo_15": Label(
        "Stock–Yogo critical value, 15% maximal IV size", "Stock-Yogo临界值（15%最大IV偏误规模）"
    ),
    "olea_pflueger_10": Label(
        "Montiel Olea–Pflueger critical value of the effective F (τ = 10%)",
        "Montiel Olea-Pflueger有效F临界值（τ = 10%）",
    ),
    "endogeneity": Label("Endogeneity test, χ²", "内生性检验，χ²"),
    "endogeneity_p_value": Label("Endogeneity test p-value", "内生性检验p值"),
    "ar_statistic": Label("Anderson–Rubin test", "Anderson-Rubin检验"),
    "ar_p_value": Label("Anderson–Rubin p-value", "Anderson-Rubin检验p值"),
    "ar_set": Label("Anderson–Rubin {level}% confidence set", "Anderson-Rubin {level}%置信集"),
    "empty_set": Label("empty", "空集"),
    "iv_note": Label(
        "Excluded instruments: {instruments}. The first-stage F, the Kleibergen–Paap rk LM "
        "test of underidentification (null: the instruments are irrelevant) and the rk Wald F "
        "use the covariance estimator of the second stage. Weak-instrument critical values: "
        "Stock and Yogo (2005), for a 5% Wald test whose size may reach 10% or 15% (derived "
        "for i.i.d. errors), and Montiel Olea and Pflueger (2013) for the effective F, which "
        "equals the robust F with one instrument (worst-case bias 10% of OLS's). Endogeneity "
        "test: the first-stage residuals added to the OLS regression, robust Wald test "
        "(null: the regressor is exogenous; Wooldridge 2010, section 6.3.1). The "
        "Anderson–Rubin test (null: coefficient zero) and its {level}% confidence set are "
        "robust to weak instruments.",
        "排他性工具变量：{instruments}。第一阶段F值、Kleibergen-Paap rk LM识别不足检验"
        "（原假设为工具变量无关）与rk Wald F采用与第二阶段相同的协方差估计。"
        "弱工具变量临界值：Stock和Yogo（2005）在名义5%Wald检验实际规模不超过10%或15%时的"
        "临界值（基于独立同分布误差），以及Montiel Olea和Pflueger（2013）有效F的临界值"
        "（单一工具变量时有效F等于稳健F，最坏情形偏误为OLS偏误的10%）。"
        "内生性检验：在OLS回归中加入第一阶段残差的稳健Wald检验"
        "（原假设为解释变量外生；Wooldridge，2010，第6.3.1节）。"
        "Anderson-Rubin检验（原假设为系数为零）及其{level}%置信集对弱工具变量稳健。",
    ),
    "iv_ols_note": Label(
        "Panel A: the OLS regression with the same estimator, controls and standard errors, "
        "where the baseline models have one.",
        "A组为估计方法、控制变量和标准误相同的OLS回归（若基准回归中有）。",
    ),
    # mediation
    "mediation_paths_title": Label("Mediation: path coefficients", "中介效应检验：路径系数"),
    "paths_note": Label(
        "Column (1): total effect c of {treatment} on {outcome}; {a_columns}: effect a of "
        "{treatment} on each mechanism; column ({last}): direct effect c′ and the effects b "
        "of the mechanisms, all mechanisms together (parallel mediation). Controls: {controls}.",
        "第(1)列为{treatment}对{outcome}的总效应c；{a_columns}为{treatment}对各机制变量的效应a；"
        "第({last})列为同时加入全部机制变量后的直接效应c′与各机制变量的效应b（并行中介）。"
        "控制变量：{controls}。",
    ),
    "column_single": Label("column ({first})", "第({first})列"),
    "column_range": Label("columns ({first}) to ({last})", "第({first})至({last})列"),
    "identification_panel": Label(
        "Identification-first: effect of {treatment} by {design}",
        "识别优先：{design}估计的{treatment}效应",
    ),
    "fe_estimates": Label("Paths", "路径系数"),
    "mechanism": Label("Mechanism", "作用机制"),
    "indirect_title": Label(
        "Indirect effects: Sobel tests, bootstrap intervals and stepwise verdicts",
        "间接效应：Sobel检验、Bootstrap置信区间与逐步检验结论",
    ),
    "parallel_model": Label("All mechanisms together (parallel mediation)", "并行中介模型"),
    "single_model": Label("One mechanism at a time", "单一中介模型"),
    "indirect_effect": Label("Indirect effect", "间接效应"),
    "sobel_z": Label("Sobel z", "Sobel z值"),
    "sobel_p": Label("Sobel p", "Sobel p值"),
    "ci_percentile": Label("Percentile {level}% CI", "百分位{level}%置信区间"),
    "ci_bca": Label("BCa {level}% CI", "BCa {level}%置信区间"),
    "verdict": Label("Stepwise verdict", "逐步检验结论"),
    "verdict_partial_mediation": Label("Partial mediation", "部分中介"),
    "verdict_full_mediation": Label("Full mediation", "完全中介"),
    "verdict_no_mediation": Label("No mediation", "中介效应不显著"),
    "verdict_suppression": Label("Suppression", "遮掩效应"),
    "total_indirect": Label("Total indirect effect", "总间接效应"),
    "bootstrap_replications": Label("Bootstrap replications", "Bootstrap抽样次数"),
    "indirect_note": Label(
        "Indirect effects a×b; stars from the {method} bootstrap p-value ({n} replications "
        "resampling clusters, each copy with its own fixed effect). Sobel z for specific "
        "indirect effects. Verdicts by the stepwise procedure of Wen and Ye (2014), with the "
        "bootstrap interval where a or b is not significant.",
        "间接效应为a×b；星号依据{method}Bootstrap的p值（按集群重复抽样{n}次，"
        "每个抽中的集群保留自身的固定效应）。Sobel z值仅针对特定间接效应。"
        "结论依据温忠麟和叶宝娟（2014）的逐步检验程序，a或b不显著时采用Bootstrap置信区间。",
    ),
    "tests_of_indirect_title": Label(
        "Indirect effects: Aroian, Monte Carlo and joint-significance tests",
        "间接效应：Aroian检验、蒙特卡洛置信区间与联合显著性检验",
    ),
    "aroian_z": Label("Aroian z", "Aroian z值"),
    "aroian_p": Label("Aroian p", "Aroian p值"),
    "monte_carlo_ci": Label("Monte Carlo {level}% CI", "蒙特卡洛{level}%置信区间"),
    "monte_carlo_p": Label("Monte Carlo p", "蒙特卡洛p值"),
    "joint_significance_p": Label("Joint significance p", "联合显著性p值"),
    "tests_of_indirect_note": Label(
        "Aroian (1947): the Sobel test with the product of the variances of a and b added to "
        "the variance of a×b. Monte Carlo (MacKinnon, Lockwood and Williams 2004): {n} draws "
        "of a and b from normal distributions with their estimates and cluster-robust "
        "standard errors. Joint significance (Yzerbyt, Muller, Batailler and Judd 2018): the "
        "larger of the p-values of a and b.",
        "Aroian（1947）检验：在a×b的Sobel方差上加入a与b方差之积。蒙特卡洛置信区间（MacKinnon、Lockwood和"
        "Williams，2004）：以a、b的估计值与聚类稳健标准误为参数的正态分布抽取{n}次。联合显著性检验（Yzerbyt、"
        "Muller、Batailler和Judd，2018）：a与b的p值中较大者。",
    ),
    "method_percentile": Label("percentile", "百分位"),
    "method_bca": Label("BCa", "BCa"),
    "parallel_title": Label(
        "Parallel mediation: specific indirect effects, contrasts and proportion mediated",
        "并行中介：特定间接效应、两两比较与中介效应占比",
    ),
    "specific_panel": Label("Specific indirect effects", "特定间接效应"),
    "proportion_panel": Label("Proportion of the total effect mediated", "中介效应占总效应的比例"),
    "contrast_panel": Label("Pairwise contrasts of indirect effects", "间接效应的两两比较"),
    "bootstrap_se": Label("Bootstrap SE", "Bootstrap标准误"),
    "ci_method": Label("{level}% CI ({method})", "{level}%置信区间（{method}）"),
    "parallel_note": Label(
        "All mechanisms enter the outcome equation together. Standard errors are the standard "
        "deviations of {n} cluster-bootstrap replications; intervals and p-values from the "
        "{method} bootstrap. Proportion mediated: indirect effect divided by the total effect c. "
        "A contrast is the difference between two specific indirect effects.",
        "全部机制变量同时进入结果方程。标准误为{n}次集群Bootstrap估计值的标准差；置信区间与p值来自{method}"
        "Bootstrap。中介效应占比为间接效应除以总效应c。两两比较为两个特定间接效应之差。",
    ),
    "causal_title": Label(
        "Causal mediation and sensitivity to sequential ignorability",
        "因果中介分析及其对序贯可忽略假设的敏感性",
    ),
    "acme": Label("ACME", "ACME"),
    "ade": Label("ADE", "ADE"),
    "total_effect": Label("Total effect", "总效应"),
    "proportion_mediated": Label("Prop. mediated", "中介比例"),
    "rho_at_zero": Label("ρ at ACME = 0", "ACME为零时的ρ"),
    "r2_residual": Label("Residual R² product", "残差R²乘积"),
    "r2_total": Label("Total R² product", "总R²乘积"),
    "causal_note": Label(
        "Imai, Keele and Yamamoto (2010), one mechanism at a time, as R's summary(mediate): "
        "average causal mediation effect (ACME), average direct effect (ADE), total effect "
        "and the proportion mediated (ACME divided by the total effect; no interval is "
        "computed for it), with {level}% {method} cluster-bootstrap intervals ({n} "
        "replications). p-values: the ACME's from the same bootstrap; the ADE's and the total "
        "effect's from cluster-robust Wald tests of c′ (single-mediator model) and c. "
        "Sensitivity: the correlation ρ of the errors of the mechanism and outcome equations "
        "at which the ACME would be zero, and the product of the shares of the residual (or "
        "total) variance of the mechanism and of the outcome that an unobserved confounder "
        "would have to explain for that.",
        "Imai、Keele和Yamamoto（2010）的因果中介分析，逐一分析各机制，格式同R的summary(mediate)："
        "平均因果中介效应（ACME）、平均直接效应（ADE）、总效应与中介比例（ACME除以总效应，未计算其置信区间），"
        "置信区间为{level}%{method}集群Bootstrap区间（{n}次抽样）。p值：ACME的p值来自同一Bootstrap；ADE与总效应的"
        "p值来自c′（单一中介模型）与c的聚类稳健Wald检验。敏感性分析：使ACME为零的机制方程与结果方程误差相关"
        "系数ρ，以及遗漏的混杂因素需解释的机制变量与结果变量残差（或总）方差比例之乘积。",
    ),
    "causal_contrast_note": Label(
        "Treatment contrast: {treatment} at 1 against 0, that is, one standard deviation of "
        "the standardized index; in the linear model the ACME and ADE are the same at both "
        "treatment levels.",
        "处理对比：{treatment}取1对取0，即标准化指数的一个标准差；线性模型中ACME与ADE在两个处理水平下相同。",
    ),
    "effect": Label("Effect", "效应"),
    "causal_acme": Label("ACME", "平均因果中介效应（ACME）"),
    "causal_ade": Label("ADE", "平均直接效应（ADE）"),
    "causal_total_effect": Label("Total effect", "总效应"),
    "causal_proportion_mediated": Label("Proportion mediated", "中介比例"),
    "causal_rho_at_zero": Label("ρ at which ACME = 0", "ACME为零时的ρ"),
    "causal_r2_residual": Label("R²*(M) × R²*(Y) at which ACME = 0", "ACME为零时的R²*(M) × R²*(Y)"),
    "causal_r2_total": Label("R̃²(M) × R̃²(Y) at which ACME = 0", "ACME为零时的R̃²(M) × R̃²(Y)"),
    # figures
    "coefficient_axis": Label(
        "Coefficient of {treatment} ({level}% CI)", "{treatment}的系数（{level}%置信区间）"
    ),
    "horizon_axis": Label("Years after the change in {treatment}", "{treatment}变动后的年数"),
    "effect_axis": Label(
        "Effect on {outcome} ({level}% CI)", "对{outcome}的效应（{level}%置信区间）"
    ),
    "split_sample": Label("Split sample", "分样本回归"),
    "equal_effects_short": Label("equal effects: p = {p}", "效应相等检验：p = {p}"),
    "point_estimate": Label("Point estimate", "点估计"),
    "bootstrap_draws": Label("Bootstrap replications", "Bootstrap抽样次数"),
    "rho_axis": Label(
        "ρ (correlation of the errors of the mechanism and outcome equations)",
        "ρ（机制方程与结果方程误差的相关系数）",
    ),
    "acme_axis": Label("ACME", "平均因果中介效应ACME"),
    "acme_zero": Label("ACME = 0 at ρ = {rho}", "ρ = {rho}时ACME为零"),
    "direct_effect": Label("direct effect", "直接效应"),
    "total_effect_short": Label("total effect", "总效应"),
    "with_lags": Label("with lags", "含滞后项"),
    "se_variant": Label("SE: {se}", "{se}标准误"),
    "baseline_specifications": Label("Baseline specifications", "基准设定"),
    "other_standard_errors": Label("Other standard errors", "其他标准误"),
    "significant_path": Label("{level}% interval excludes zero", "{level}%置信区间不含零"),
    "insignificant_path": Label("{level}% interval includes zero", "{level}%置信区间含零"),
    "diagram_note": Label(
        "Total effect c = {c}; total indirect effect = {indirect}.",
        "总效应 c = {c}；总间接效应 = {indirect}。",
    ),
}


def word(key: str, language: Language) -> str:
    """The fixed word ``key`` of :data:`VOCABULARY` in ``language``."""
    return VOCABULARY[key].get(language)


#: Labels of :data:`VOCABULARY` that name the entity, as templates of its words: ``{entity}``
#: (cluster), ``{Entity}`` (Cluster), ``{zh}`` (集群). Filled with the words of the default
#: entity (cluster, 集群) each gives its text in :data:`VOCABULARY` byte for byte.
ENTITY_TEMPLATES: dict[str, Label] = {
    "se_cluster_entity": Label("{Entity} (entity)", "{zh}（个体）聚类"),
    "se_cluster_twoway": Label("{Entity} (entity) and year", "{zh}（个体）与年份双向聚类"),
    "se_text_cluster_entity": Label(
        "standard errors clustered at the {entity} (entity) level", "在{zh}（个体）层面聚类的标准误"
    ),
    "se_text_cluster_twoway": Label(
        "standard errors two-way clustered at the {entity} (entity) and year levels",
        "在{zh}（个体）与年份层面双向聚类的标准误",
    ),
    "within_note": Label(
        "R²: of the regression each estimator fits (pooled data, {entity} means, first "
        "differences); within R²: share of the within-{entity} variation explained (fixed and "
        "random effects); adjusted R² corrects the R² shown for the slopes and absorbed fixed "
        "effects. Number of SE clusters: groups of each clustering dimension of the standard "
        "errors ({entity}, year).",
        "R²为各估计方法所拟合回归（混合数据、{zh}均值、一阶差分）的R²；组内R²为固定效应与随机效应模型解释的"
        "{zh}内变异比例；调整R²按斜率系数与吸收的固定效应个数对所报告的R²作自由度调整。标准误聚类组数为"
        "标准误各聚类维度（{zh}、年份）的组数。",
    ),
    "tests_note": Label(
        "Panel B: tests on the {{estimator}} specification with controls {{controls}}: "
        "poolability (null: all {entity} effects are equal), Breusch–Pagan LM (null: no random "
        "effects), Hausman (fixed against random effects) and Mundlak ({entity} means of the "
        "regressors added to the random-effects model, cluster-robust).",
        "B组基于{{estimator}}设定（控制变量：{{controls}}）：混合回归F检验（原假设为各{zh}效应相等）、"
        "Breusch-Pagan LM检验（原假设为不存在随机效应）、Hausman检验（固定效应对随机效应）与"
        "Mundlak检验（在随机效应模型中加入回归元的{zh}均值，聚类稳健）。",
    ),
    "hausman_undefined_note": Label(
        "The classic Hausman statistic, computed with the conventional covariance matrices, "
        "is {{statistic}} in this sample: their difference is not positive semidefinite, so the "
        "statistic has no χ² distribution and is not reported as a test. Reported instead is "
        "its cluster-robust form (Mundlak 1978; Wooldridge 2010, section 10.7.3): the Wald test "
        "that the {entity} means of the regressors have zero coefficients when added to the "
        "random-effects model.",
        "按常规协方差矩阵计算的经典Hausman统计量在本样本中为{{statistic}}：两个协方差矩阵之差非半正定，"
        "该统计量不服从χ²分布，故不作为检验报告。表中报告其聚类稳健形式（Mundlak，1978；"
        "Wooldridge，2010，第10.7.3节）：在随机效应模型中加入回归元{zh}均值后，检验其系数全为零的Wald检验。",
    ),
    "robustness_note": Label(
        "Columns under one heading estimate the same specification and differ only in the "
        "standard errors: clustered at the {entity} (entity) level, two-way clustered at the "
        "{entity} (entity) and year levels "
        "(Cameron, Gelbach and Miller 2011), Driscoll–Kraay (robust to cross-sectional and "
        "serial correlation) or heteroskedasticity-robust.",
        "同一标题下各列为同一设定，仅标准误不同：按{zh}聚类、按{zh}与年份双向聚类（Cameron、Gelbach和"
        "Miller，2011）、Driscoll-Kraay标准误（对截面相关与序列相关稳健）或异方差稳健标准误。",
    ),
}

#: The default entity's words (``data.entity_label`` unset).
DEFAULT_ENTITY = Label("cluster", "集群")


def entity_word(key: str, language: Language, entity_label: Label | None = None) -> str:
    """The word ``key`` in ``language``, naming the entity as ``entity_label`` does.

    For a key of :data:`ENTITY_TEMPLATES` the entity is called by ``data.entity_label``
    (firm, 企业: "standard errors clustered at the firm (entity) level"); without a label, or
    for any other key, the text of :data:`VOCABULARY`. Placeholders such as ``{statistic}``
    are left for the caller's ``format``.
    """
    if entity_label is None or key not in ENTITY_TEMPLATES:
        return word(key, language)
    english = entity_label.en or DEFAULT_ENTITY.en
    return (
        ENTITY_TEMPLATES[key]
        .get(language)
        .format(
            entity=english,
            Entity=english[:1].upper() + english[1:],
            zh=entity_label.zh or DEFAULT_ENTITY.zh,
        )
    )


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


_LAG = re.compile(r"^(?P<base>.+)_lag(?P<lag>\d+)$")
_INTERACTION = re.compile(r"^(?P<base>.+?)_x_(?P<group>.+)$")


def term_label(name: str, config: ProjectConfig) -> str:
    """Display label of a coefficient name, in the configured language.

    ``const`` is "Constant"; ``GOV_lag2`` is the label of GOV followed by ", t−2" (Chinese:
    "（滞后2期）"); ``GOV_x_east`` is the label of GOV "× East"; any other name is
    :meth:`ProjectConfig.label` of it.
    """
    language = config.language
    if name == "const":
        return word("constant", language)
    lag = _LAG.match(name)
    if lag:
        base = term_label(lag["base"], config)
        return word("lag_label", language).format(label=base, lag=int(lag["lag"]))
    interaction = _INTERACTION.match(name)
    if interaction and interaction["base"] != name:
        group = interaction["group"]
        group_text = word(group, language) if group in VOCABULARY else group.replace("_", " ")
        return f"{term_label(interaction['base'], config)} × {group_text}"
    return config.label(name)
