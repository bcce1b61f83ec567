"""Tables of the staggered-adoption (``did``) stage, from its stored records.

- :func:`att_table`: the overall ATT of every estimator with its pre-trend test, one column
  per estimator, one panel per outcome;
- :func:`event_study_table`: event-time estimates of every estimator for the first outcome;
- :func:`mechanism_table`: the Callaway-Sant'Anna event study of every outcome side by side
  (the mechanism event studies);
- :func:`bacon_table`: the Goodman-Bacon decomposition by comparison type;
- :func:`honest_table`: HonestDiD robust confidence sets over the grid of ``M``;
- :func:`randomization_table`: permutation p-values of the designation (adoption years
  permuted across clusters), one panel per estimator, one row per outcome.

Records are the dicts of :class:`govcluster.did.results.DidResults` (``did`` source: outcome
-> record).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from scipy import stats

from govcluster.config import ProjectConfig
from govcluster.render.formatting import format_number, format_pvalue
from govcluster.render.settings import RenderSettings
from govcluster.render.tables import Panel, Row, Table, make_header

ESTIMATOR_LABELS = {
    "twfe": {"en": "TWFE", "zh": "双向固定效应"},
    "callaway_santanna": {"en": "Callaway-Sant'Anna", "zh": "Callaway-Sant'Anna"},
    "sun_abraham": {"en": "Sun-Abraham", "zh": "Sun-Abraham"},
    "imputation": {"en": "BJS imputation", "zh": "BJS插补"},
}
TEXT = {
    "att_title": {
        "en": "Effect of designation: ATT by estimator",
        "zh": "认定的效应：各估计量的平均处理效应",
    },
    "overall": {"en": "ATT", "zh": "平均处理效应"},
    "pretrend": {"en": "Pre-trend test p-value", "zh": "事前趋势检验p值"},
    "intensity": {
        "en": "Per unit of {column} (Wald-DiD)",
        "zh": "每单位{column}的效应（Wald-DiD）",
    },
    "n_obs": {"en": "Observations", "zh": "观测值"},
    "event_title": {"en": "Event study of the designation", "zh": "认定的事件研究"},
    "event_time": {"en": "Event time", "zh": "事件时间"},
    "mechanism_title": {
        "en": "Mechanism event studies (Callaway-Sant'Anna)",
        "zh": "机制的事件研究（Callaway-Sant'Anna）",
    },
    "bacon_title": {
        "en": "Goodman-Bacon decomposition of the TWFE estimate",
        "zh": "双向固定效应估计的Goodman-Bacon分解",
    },
    "type": {"en": "Comparison", "zh": "比较类型"},
    "weight": {"en": "Weight", "zh": "权重"},
    "estimate": {"en": "Average 2x2 estimate", "zh": "2x2估计均值"},
    "n_comparisons": {"en": "Comparisons", "zh": "比较数"},
    "honest_title": {
        "en": "HonestDiD: robust confidence sets",
        "zh": "HonestDiD：稳健置信集",
    },
    "honest_relative_magnitude": {
        "en": "Relative magnitudes: robust 95% CI",
        "zh": "相对幅度限制：稳健95%置信区间",
    },
    "honest_smoothness": {
        "en": "Smoothness: robust 95% CI",
        "zh": "平滑性限制：稳健95%置信区间",
    },
    "breakdown": {"en": "Breakdown M", "zh": "临界M值"},
    "notes_att": {
        "en": "Standard errors in parentheses, clustered by unit. TWFE is the static two-way "
        "fixed-effects coefficient; the others are heterogeneity-robust. Pre-trend test: joint "
        "Wald test of the pre-period event-study coefficients (BJS: its test 1, F).",
        "zh": "括号内为按单位聚类的标准误。双向固定效应为静态系数，其余为对异质性稳健的估计量。"
        "事前趋势检验：事前事件研究系数的联合Wald检验（BJS为其检验1，F检验）。",
    },
    "notes_att_intensity": {
        "en": "Per unit of the intensity: the Callaway-Sant'Anna ATT on the outcome divided by "
        "that on the intensity (Wald-DiD, de Chaisemartin and D'Haultfoeuille 2018), "
        "delta-method standard error.",
        "zh": "每单位强度的效应：结果变量的Callaway-Sant'Anna平均处理效应除以强度变量的平均处理效应"
        "（Wald-DiD，de Chaisemartin和D'Haultfoeuille 2018），标准误由delta方法计算。",
    },
    "notes_event": {
        "en": "Estimate (standard error) and, in brackets, the uniform (simultaneous) band "
        "where computed. The reference period has estimate 0.",
        "zh": "估计值（标准误），方括号内为一致（联合）置信带。参照期估计值为0。",
    },
    "notes_honest": {
        "en": "Target: average of the post-period effects. M bounds post-period violations of "
        "parallel trends relative to the largest pre-period one (Rambachan and Roth 2023).",
        "zh": "目标：事后效应的平均值。M为事后平行趋势偏离相对于最大事前偏离的倍数上限"
        "（Rambachan和Roth 2023）。",
    },
    "notes_honest_smoothness": {
        "en": "Smoothness: the slope of the violation of parallel trends changes by at most M "
        "per period (Delta^SD); optimal fixed-length intervals on the universal-base "
        "Callaway-Sant'Anna event study.",
        "zh": "平滑性限制：平行趋势偏离的斜率每期变化不超过M（Delta^SD）；"
        "基于统一基期Callaway-Sant'Anna事件研究的最优固定长度置信区间。",
    },
    "notes_bacon": {
        "en": "Weights sum to one; the weighted sum of the 2x2 estimates equals the TWFE "
        "coefficient. Later vs earlier treated comparisons use already-treated units as "
        "controls.",
        "zh": "权重之和为1；2x2估计的加权和等于双向固定效应系数。"
        "后处理对先处理的比较以已处理单位为对照。",
    },
}
TEXT.update(
    {
        "randomization_title": {
            "en": "Randomization inference for the designation",
            "zh": "认定的随机化推断",
        },
        "ri_estimate": {"en": "Estimate", "zh": "估计值"},
        "ri_p": {"en": "Permutation p", "zh": "置换p值"},
        "ri_p_upper": {"en": "One-sided p (>)", "zh": "单侧p值（>）"},
        "ri_range": {"en": "Permutation 95% range", "zh": "置换分布95%区间"},
        "ri_cluster_p": {"en": "Cluster-robust p", "zh": "聚类稳健p值"},
        "notes_randomization": {
            "en": "Adoption years permuted across clusters{where}: {n:,} random re-assignments "
            "(seed {seed}) out of about 10^{log10:.0f} distinct ones; each re-estimated. "
            "Permutation p: (1 + #|permuted| >= |estimate|) / (B + 1), two-sided; one-sided: "
            "permuted >= estimate. Range: 2.5% and 97.5% quantiles of the permutation "
            "distribution. Cluster-robust p: normal approximation with the clustered standard "
            "error of the ATT table. The imputation and Sun-Abraham estimators have no closed "
            "form under permutation and are not included.",
            "zh": "认定年份在集群间置换{where}：从约10^{log10:.0f}种不同分配中随机抽取{n:,}次"
            "（种子{seed}），每次重新估计。置换p值：(1 + #|置换估计| >= |估计值|) / (B + 1)，"
            "双侧；单侧：置换估计 >= 估计值。区间：置换分布的2.5%与97.5%分位数。"
            "聚类稳健p值：基于平均处理效应表中聚类标准误的正态近似。"
            "插补估计量与Sun-Abraham估计量在置换下无闭式解，未包括在内。",
        },
        "within": {"en": " within {strata}", "zh": "（在{strata}内）"},
    }
)
BACON_TYPES = {
    "treated vs never treated": {"en": "Treated vs never treated", "zh": "处理组对从未处理组"},
    "earlier vs later treated": {"en": "Earlier vs later treated", "zh": "先处理对后处理"},
    "later vs earlier treated (forbidden)": {
        "en": "Later vs earlier treated (forbidden)",
        "zh": "后处理对先处理（禁止比较）",
    },
}


def _t(key: str, language: str) -> str:
    return TEXT[key][language]


def _estimator(name: str, language: str) -> str:
    return ESTIMATOR_LABELS.get(name, {}).get(language, name)


def _records(records: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One outcome record each, in the order given."""
    return [record["outcomes"][0] for record in records.values()]


def _estimators(outcome: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["estimator"]: e for e in outcome["estimators"]}


def _overall(estimator: Mapping[str, Any]) -> dict[str, Any]:
    return next(r for r in estimator["aggregations"] if r["level"] == "overall")


def att_table(
    records: Mapping[str, Any], project: ProjectConfig, settings: RenderSettings
) -> Table:
    """Overall ATT by estimator (columns) and outcome (panels), with pre-trend p-values."""
    language, digits = project.language, settings.digits
    outcomes = _records(records)
    names = list(_estimators(outcomes[0]))
    panels, numbers = [], []
    with_intensity = False
    for outcome in outcomes:
        fitted = _estimators(outcome)
        estimate, se, pvalue = [], [], []
        for name in names:
            result = fitted.get(name)
            row = _overall(result) if result else {}
            estimate.append(format_number(row.get("estimate"), digits))
            se.append(f"({format_number(row.get('se'), digits)})" if row else "")
            p = (result or {}).get("pretrend", {}).get("p_value")
            pvalue.append(format_number(p, digits))
            numbers.append(
                {
                    "outcome": outcome["outcome"],
                    "estimator": name,
                    "estimate": row.get("estimate"),
                    "se": row.get("se"),
                    "ci_lower": row.get("ci_lower"),
                    "ci_upper": row.get("ci_upper"),
                    "pretrend_p_value": p,
                }
            )
        label = project.label(outcome["outcome"])
        rows = [
            Row(_t("overall", language), tuple(estimate)),
            Row("", tuple(se)),
            Row(_t("pretrend", language), tuple(pvalue)),
        ]
        intensity = outcome.get("intensity")
        if intensity and "callaway_santanna" in names:
            with_intensity = True
            rows += _intensity_rows(intensity, names, language, digits)
            numbers.append(
                {
                    "outcome": outcome["outcome"],
                    "estimator": f"wald_did_per_{intensity['intensity']}",
                    "estimate": intensity["estimate"],
                    "se": intensity["se"],
                    "ci_lower": intensity["ci_lower"],
                    "ci_upper": intensity["ci_upper"],
                    "pretrend_p_value": None,
                }
            )
        panels.append(Panel(label, tuple(rows)))
    header = make_header([_estimator(n, language) for n in names])
    return Table(
        title=_t("att_title", language),
        columns=header,
        panels=tuple(panels),
        notes=(_t("notes_att", language),)
        + ((_t("notes_att_intensity", language),) if with_intensity else ()),
        label="did_att",
        numbers=pd.DataFrame(numbers),
    )


def _intensity_rows(
    intensity: Mapping[str, Any], names: list[str], language: str, digits: int
) -> list[Row]:
    """The Wald-DiD effect per unit of intensity, in the Callaway-Sant'Anna column it uses."""
    column = names.index("callaway_santanna")
    estimate = [""] * len(names)
    se = [""] * len(names)
    estimate[column] = format_number(intensity["estimate"], digits)
    se[column] = f"({format_number(intensity['se'], digits)})"
    label = _t("intensity", language).format(column=intensity["intensity"])
    return [Row(label, tuple(estimate)), Row("", tuple(se))]


def _cell(row: Mapping[str, Any] | None, digits: int) -> str:
    if row is None:
        return ""
    text = format_number(row.get("estimate"), digits)
    if row.get("se") is not None:
        text += f" ({format_number(row.get('se'), digits)})"
    if row.get("band_lower") is not None and row.get("band_upper") is not None:
        low, high = (
            format_number(row["band_lower"], digits),
            format_number(row["band_upper"], digits),
        )
        text += f" [{low}, {high}]"
    return text


def event_study_table(
    records: Mapping[str, Any], project: ProjectConfig, settings: RenderSettings
) -> Table:
    """Event-time estimates of every estimator for the first outcome."""
    language, digits = project.language, settings.digits
    outcome = _records(records)[0]
    fitted = _estimators(outcome)
    times = sorted({r["event_time"] for e in fitted.values() for r in e["event_study"]})
    rows, numbers = [], []
    for e in times:
        cells = []
        for name, result in fitted.items():
            row = next((r for r in result["event_study"] if r["event_time"] == e), None)
            cells.append(_cell(row, digits))
            if row is not None:
                numbers.append({"estimator": name, **row})
        rows.append(Row(str(e), tuple(cells)))
    return Table(
        title=f"{_t('event_title', language)}: {project.label(outcome['outcome'])}",
        columns=make_header([_estimator(n, language) for n in fitted]),
        panels=(Panel("", tuple(rows)),),
        notes=(_t("notes_event", language),),
        label="did_event_study",
        stub_header=_t("event_time", language),
        numbers=pd.DataFrame(numbers),
    )


def mechanism_table(
    records: Mapping[str, Any], project: ProjectConfig, settings: RenderSettings
) -> Table:
    """The Callaway-Sant'Anna event study of every outcome, one column per outcome."""
    language, digits = project.language, settings.digits
    outcomes = _records(records)
    studies = {
        o["outcome"]: _estimators(o).get("callaway_santanna", {}).get("event_study", [])
        for o in outcomes
    }
    times = sorted({r["event_time"] for rows in studies.values() for r in rows})
    rows, numbers = [], []
    for e in times:
        cells = []
        for name, study in studies.items():
            row = next((r for r in study if r["event_time"] == e), None)
            cells.append(_cell({**row, "band_lower": None} if row else None, digits))
            if row is not None:
                numbers.append({"outcome": name, **row})
        rows.append(Row(str(e), tuple(cells)))
    return Table(
        title=_t("mechanism_title", language),
        columns=make_header([project.label(name) for name in studies]),
        panels=(Panel("", tuple(rows)),),
        notes=(_t("notes_event", language),),
        label="did_mechanisms",
        stub_header=_t("event_time", language),
        numbers=pd.DataFrame(numbers),
    )


def bacon_table(
    records: Mapping[str, Any], project: ProjectConfig, settings: RenderSettings
) -> Table:
    """The Goodman-Bacon decomposition of the first outcome's TWFE estimate, by type."""
    language, digits = project.language, settings.digits
    outcome = _records(records)[0]
    bacon = outcome["bacon"]
    rows, numbers = [], []
    for part in bacon["by_type"]:
        label = BACON_TYPES.get(part["type"], {}).get(language, part["type"])
        rows.append(
            Row(
                label,
                (
                    str(part["n_comparisons"]),
                    format_number(part["weight"], digits),
                    format_number(part["estimate"], digits),
                ),
            )
        )
        numbers.append(part)
    rows.append(Row("TWFE", ("", "1", format_number(bacon["twfe_estimate"], digits))))
    numbers.append({"type": "twfe", "weight": 1.0, "estimate": bacon["twfe_estimate"]})
    return Table(
        title=f"{_t('bacon_title', language)}: {project.label(outcome['outcome'])}",
        columns=make_header(
            [_t("n_comparisons", language), _t("weight", language), _t("estimate", language)]
        ),
        panels=(Panel("", tuple(rows)),),
        notes=(_t("notes_bacon", language),),
        label="did_bacon",
        stub_header=_t("type", language),
        numbers=pd.DataFrame(numbers),
    )


def honest_table(
    records: Mapping[str, Any], project: ProjectConfig, settings: RenderSettings
) -> Table:
    """Robust confidence sets over the grid of ``M``, one column per outcome.

    One panel per restriction (relative magnitudes, smoothness), each with its breakdown value.
    """
    language, digits = project.language, settings.digits
    outcomes = [o for o in _records(records) if o.get("honest")]
    methods = [h["method"] for h in outcomes[0]["honest"]]
    panels, numbers = [], []
    for method in methods:
        by_outcome = [next(h for h in o["honest"] if h["method"] == method) for o in outcomes]
        rows = []
        for m in [r["M"] for r in by_outcome[0]["rows"]]:
            cells = []
            for outcome, honest in zip(outcomes, by_outcome, strict=True):
                row = next(r for r in honest["rows"] if r["M"] == m)
                low, high = (
                    format_number(row["ci_lower"], digits),
                    format_number(row["ci_upper"], digits),
                )
                cells.append(f"[{low}, {high}]")
                numbers.append({"outcome": outcome["outcome"], "method": method, **row})
            rows.append(Row(f"M = {m:g}", tuple(cells)))
        breakdown = [format_number(h["breakdown_M"], digits) for h in by_outcome]
        rows.append(Row(_t("breakdown", language), tuple(breakdown)))
        numbers += [
            {"outcome": o["outcome"], "method": method, "breakdown_M": h["breakdown_M"]}
            for o, h in zip(outcomes, by_outcome, strict=True)
        ]
        panels.append(Panel(_t(f"honest_{method}", language), tuple(rows)))
    notes = [_t("notes_honest", language)]
    if "smoothness" in methods:
        notes.append(_t("notes_honest_smoothness", language))
    return Table(
        title=_t("honest_title", language),
        columns=make_header([project.label(o["outcome"]) for o in outcomes]),
        panels=tuple(panels),
        notes=tuple(notes),
        label="did_honest",
        numbers=pd.DataFrame(numbers),
    )


def _cluster_robust_p(estimator: Mapping[str, Any] | None) -> float | None:
    """Two-sided normal p-value of the overall ATT from its clustered standard error."""
    if not estimator:
        return None
    row = _overall(estimator)
    if not row.get("se"):
        return None
    return float(2 * stats.norm.sf(abs(row["estimate"] / row["se"])))


def randomization_table(
    records: Mapping[str, Any], project: ProjectConfig, settings: RenderSettings
) -> Table:
    """Permutation p-values of the designation: one panel per estimator, a row per outcome."""
    language, digits = project.language, settings.digits
    outcomes = [o for o in _records(records) if o.get("randomization")]
    names = [r["estimator"] for r in outcomes[0]["randomization"]]
    panels, numbers = [], []
    for name in names:
        rows = []
        for outcome in outcomes:
            ri = next(r for r in outcome["randomization"] if r["estimator"] == name)
            cluster_p = _cluster_robust_p(_estimators(outcome).get(name))
            low, high = ri["quantiles"]["0.025"], ri["quantiles"]["0.975"]
            floor = ri["n_permutations"] + 1  # the smallest p-value is 1 / (B + 1)
            rows.append(
                Row(
                    project.label(outcome["outcome"]),
                    (
                        format_number(ri["observed"], digits),
                        format_pvalue(ri["p_value"], n_boot=floor),
                        format_pvalue(ri["p_value_upper"], n_boot=floor),
                        f"[{format_number(low, digits)}, {format_number(high, digits)}]",
                        format_pvalue(cluster_p),
                    ),
                )
            )
            numbers.append(
                {
                    "outcome": outcome["outcome"],
                    "estimator": name,
                    "estimate": ri["observed"],
                    "p_value": ri["p_value"],
                    "p_value_upper": ri["p_value_upper"],
                    "p_value_lower": ri["p_value_lower"],
                    "permutation_q025": low,
                    "permutation_q975": high,
                    "permutation_sd": ri["sd"],
                    "cluster_robust_p": cluster_p,
                    "n_permutations": ri["n_permutations"],
                }
            )
        panels.append(Panel(_estimator(name, language), tuple(rows)))
    first = outcomes[0]["randomization"][0]
    strata = first["strata"]
    where = _t("within", language).format(strata=", ".join(strata)) if strata else ""
    note = _t("notes_randomization", language).format(
        where=where, n=first["n_permutations"], seed=first["seed"], log10=first["n_distinct_log10"]
    )
    return Table(
        title=_t("randomization_title", language),
        columns=make_header(
            [
                _t("ri_estimate", language),
                _t("ri_p", language),
                _t("ri_p_upper", language),
                _t("ri_range", language),
                _t("ri_cluster_p", language),
            ]
        ),
        panels=tuple(panels),
        notes=(note,),
        label="did_randomization",
        numbers=pd.DataFrame(numbers),
    )
