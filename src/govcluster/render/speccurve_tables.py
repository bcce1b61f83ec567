"""The specification curve's summary table and its numbers in the text.

- :func:`speccurve_table`: Panel A, the joint tests (observed statistic, its mean and 95th
  percentile under the permutation null, the permutation p-value); Panel B, the curve in
  numbers (specifications, shares of each sign and significant, median and range of the
  estimates).
- :func:`speccurve_macros` / :func:`speccurve_numbers`: the same numbers as LaTeX macros.
"""

from __future__ import annotations

import pandas as pd

from govcluster.render.formatting import format_count, format_number, format_pvalue
from govcluster.render.numbers import Macro, latex_count, latex_number, latex_pvalue, macros_text
from govcluster.render.tables import Panel, Row, Table, make_header
from govcluster.speccurve.joint import CurveResult

TEXT = {
    "title": {
        "en": "Specification curve of the effect of {treatment} on {outcome}",
        "zh": "{treatment}对{outcome}效应的设定曲线",
    },
    "observed": {"en": "Observed", "zh": "实际值"},
    "null_mean": {"en": "Null mean", "zh": "原假设下均值"},
    "null_q95": {"en": "Null 95th pct.", "zh": "原假设下95%分位数"},
    "p": {"en": "Permutation p", "zh": "置换p值"},
    "panel_tests": {"en": "Panel A: joint tests", "zh": "面板A：联合检验"},
    "panel_curve": {"en": "Panel B: the curve", "zh": "面板B：设定曲线"},
    "share_significant": {"en": "Share significant", "zh": "显著设定比例"},
    "share_dominant_sign": {
        "en": "Share significant in the dominant direction",
        "zh": "主导方向上显著的比例",
    },
    "median_estimate": {"en": "Median estimate (absolute)", "zh": "估计值中位数（绝对值）"},
    "n_specifications": {"en": "Specifications", "zh": "设定数"},
    "share_positive": {"en": "Share positive", "zh": "正向估计比例"},
    "share_negative": {"en": "Share negative", "zh": "负向估计比例"},
    "share_significant_positive": {"en": "Share significant and positive", "zh": "显著为正的比例"},
    "share_significant_negative": {"en": "Share significant and negative", "zh": "显著为负的比例"},
    "median": {"en": "Median estimate", "zh": "估计值中位数"},
    "range": {"en": "Range of estimates", "zh": "估计值范围"},
    "note": {
        "en": "Every combination of the configured choices is one specification (config "
        "section speccurve). A specification is significant when its two-sided test rejects at "
        "{alpha:g}. Null distributions: {perm} permutations of whole cluster paths of "
        "{treatment}{within}, the same draws in every specification (seed {seed}); p = "
        "(1 + #{{permuted >= observed}}) / (1 + {perm}). The median is compared in absolute "
        "value.",
        "zh": "所配置选项的每一种组合为一个设定（配置节speccurve）。"
        "双侧检验在{alpha:g}水平拒绝原假设即为显著。"
        "原假设分布：对{treatment}的整条集群路径置换{perm}次{within}，"
        "所有设定使用相同抽样（种子{seed}）；"
        "p = (1 + #{{置换值 >= 实际值}}) / (1 + {perm})。中位数按绝对值比较。",
    },
    "within": {"en": " within {strata}", "zh": "（在{strata}内）"},
}


def _t(key: str, language: str) -> str:
    return TEXT[key][language]


def speccurve_table(
    result: CurveResult, *, language: str = "en", digits: int = 3, labels: dict | None = None
) -> Table:
    """The summary table of the curve (see the module docstring)."""
    labels = labels or {}
    treatment = labels.get(result.treatment, result.treatment)
    outcome = labels.get(result.outcome, result.outcome)
    floor = result.n_permutations + 1
    blank = ("", "", "")
    test_rows = []
    numbers = []
    for test in result.tests:
        share = test.statistic != "median_estimate"
        observed = abs(test.observed) if not share else test.observed
        fmt = (lambda v: format_number(v, 3)) if share else (lambda v: format_number(v, digits))
        test_rows.append(
            Row(
                _t(test.statistic, language),
                (
                    fmt(observed),
                    fmt(test.null_mean),
                    fmt(test.null_quantile_95),
                    format_pvalue(test.p_value, n_boot=floor),
                ),
            )
        )
        numbers.append({"quantity": test.statistic, **test.to_dict()})
    curve = result.curve
    descriptive = [
        ("n_specifications", format_count(result.n_specifications), result.n_specifications),
        ("share_positive", format_number(result.share_positive, 3), result.share_positive),
        ("share_negative", format_number(result.share_negative, 3), result.share_negative),
        (
            "share_significant_positive",
            format_number(result.share_significant_positive, 3),
            result.share_significant_positive,
        ),
        (
            "share_significant_negative",
            format_number(result.share_significant_negative, 3),
            result.share_significant_negative,
        ),
        ("median", format_number(result.median_estimate, digits), result.median_estimate),
        (
            "range",
            f"[{format_number(curve['estimate'].min(), digits)}, "
            f"{format_number(curve['estimate'].max(), digits)}]",
            None,
        ),
    ]
    curve_rows = [Row(_t(key, language), (text, *blank)) for key, text, _ in descriptive]
    numbers += [
        {"quantity": key, "observed": value} for key, _, value in descriptive if value is not None
    ]
    numbers += [
        {"quantity": "min_estimate", "observed": float(curve["estimate"].min())},
        {"quantity": "max_estimate", "observed": float(curve["estimate"].max())},
    ]
    within = _t("within", language).format(strata=", ".join(result.strata)) if result.strata else ""
    note = _t("note", language).format(
        alpha=round(1 - result.level, 6),
        perm=result.n_permutations,
        treatment=treatment,
        within=within,
        seed=result.seed,
    )
    return Table(
        title=_t("title", language).format(treatment=treatment, outcome=outcome),
        columns=make_header(
            [
                _t("observed", language),
                _t("null_mean", language),
                _t("null_q95", language),
                _t("p", language),
            ]
        ),
        panels=(
            Panel(_t("panel_tests", language), tuple(test_rows)),
            Panel(_t("panel_curve", language), tuple(curve_rows)),
        ),
        notes=(note,),
        label="specification_curve",
        numbers=pd.DataFrame(numbers),
    )


def speccurve_macros(result: CurveResult, *, digits: int = 3) -> list[Macro]:
    r"""The curve's numbers as macros (``\\SpeccurveShareSignificant``, ...)."""
    floor = result.n_permutations + 1
    macros = [
        Macro("SpeccurveN", latex_count(result.n_specifications), "number of specifications"),
        Macro("SpeccurveMedian", latex_number(result.median_estimate, digits), "median estimate"),
        Macro(
            "SpeccurveMin",
            latex_number(result.curve["estimate"].min(), digits),
            "smallest estimate",
        ),
        Macro(
            "SpeccurveMax", latex_number(result.curve["estimate"].max(), digits), "largest estimate"
        ),
        Macro(
            "SpeccurveSharePositive",
            latex_number(result.share_positive, 3),
            "share of positive estimates",
        ),
        Macro(
            "SpeccurveShareSignificantPositive",
            latex_number(result.share_significant_positive, 3),
            "share significant and positive",
        ),
        Macro(
            "SpeccurvePermutations",
            latex_count(result.n_permutations),
            "permutations of the joint test",
        ),
    ]
    names = {
        "share_significant": "ShareSignificant",
        "share_dominant_sign": "ShareDominant",
        "median_estimate": "MedianTest",
    }
    for test in result.tests:
        stem = "Speccurve" + names[test.statistic]
        value = abs(test.observed) if test.statistic == "median_estimate" else test.observed
        macros += [
            Macro(stem, latex_number(value, 3), f"{test.statistic}: observed"),
            Macro(f"{stem}Null", latex_number(test.null_mean, 3), f"{test.statistic}: null mean"),
            Macro(
                f"{stem}P",
                latex_pvalue(test.p_value, n_boot=floor),
                f"{test.statistic}: permutation p-value",
            ),
        ]
    return macros


def speccurve_numbers(result: CurveResult, *, digits: int = 3) -> str:
    """The LaTeX file of :func:`speccurve_macros`."""
    return macros_text(
        speccurve_macros(result, digits=digits), "Specification curve (govcluster.speccurve)"
    )
