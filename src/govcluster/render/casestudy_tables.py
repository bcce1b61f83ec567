"""Publication tables of a case study, rendered from the stored case-study record.

Every builder takes the JSON written by the ``case_study`` rule (kind ``"case_study"``,
documented in :mod:`govcluster.casestudy.results`), the configuration (labels and language)
and the :class:`~govcluster.render.settings.RenderSettings`, and returns a
:class:`~govcluster.render.tables.Table`. Nothing is re-estimated.

- :func:`case_study_weights_table`: synthetic-control donor weights (with the SDID unit
  weights beside them) and the predictor balance with the V weights;
- :func:`case_study_estimates_table`: synthetic control with its in-space placebo inference,
  and SDID, SC and DiD with placebo standard errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from govcluster.config import ProjectConfig
from govcluster.render.formatting import format_count, format_number
from govcluster.render.panel_tables import format_interval, format_pvalue
from govcluster.render.settings import RenderSettings
from govcluster.render.tables import Panel, Row, Table, make_header

Record = Mapping[str, Any]

#: Weights below this are not listed (they are in the CSV of numbers).
MIN_LISTED_WEIGHT = 0.001

TEXT: Mapping[str, Mapping[str, str]] = {
    "weights_title": {
        "en": "Case study of {cluster}: synthetic-control weights and predictor balance",
        "zh": "{cluster}案例研究：合成控制权重与预测变量平衡",
    },
    "estimates_title": {
        "en": "Case study of {cluster}: effect of the intervention in {year} on {outcome}",
        "zh": "{cluster}案例研究：{year}年干预对{outcome}的影响",
    },
    "panel_weights": {"en": "Panel A: Donor weights", "zh": "A栏：对照集群权重"},
    "panel_balance": {"en": "Panel B: Predictor balance", "zh": "B栏：预测变量平衡"},
    "sc_weight": {"en": "SC weight", "zh": "合成控制权重"},
    "sdid_weight": {"en": "SDID weight", "zh": "SDID权重"},
    "treated": {"en": "Treated", "zh": "处理集群"},
    "synthetic": {"en": "Synthetic", "zh": "合成集群"},
    "donor_mean": {"en": "Donor mean", "zh": "对照均值"},
    "v_weight": {"en": "V weight", "zh": "V权重"},
    "donor": {"en": "Donor / predictor", "zh": "对照集群／预测变量"},
    "estimator": {"en": "Estimator", "zh": "估计方法"},
    "att": {"en": "Effect", "zh": "效应"},
    "se": {"en": "Std. error", "zh": "标准误"},
    "ci": {"en": "95% CI", "zh": "95%置信区间"},
    "p_value": {"en": "Placebo p", "zh": "安慰剂p值"},
    "pre_rmspe": {"en": "Pre RMSPE", "zh": "干预前RMSPE"},
    "ratio": {"en": "Post/pre RMSPE", "zh": "干预后/前RMSPE比"},
    "sc_adh": {"en": "Synthetic control (ADH)", "zh": "合成控制法（ADH）"},
    "sdid": {"en": "Synthetic DiD", "zh": "合成双重差分"},
    "sc": {"en": "SC (synthdid form)", "zh": "合成控制（synthdid形式）"},
    "did": {"en": "Difference-in-differences", "zh": "双重差分"},
    "weights_note": {
        "en": (
            "Donors with a weight of at least {min} under either estimator are listed; the "
            "synthetic control uses {n_donors} donor clusters{dropped}. Fit window "
            "{first}-{last}. Predictors standardised by their standard deviation across "
            "units when the V weights were chosen."
        ),
        "zh": (
            "列出任一方法下权重不低于{min}的对照集群；合成控制共使用{n_donors}个对照集群"
            "{dropped}。拟合窗口为{first}—{last}年。"
        ),
    },
    "dropped": {"en": " ({n} dropped for missing values)", "zh": "（{n}个因缺失值剔除）"},
    "estimates_note": {
        "en": (
            "Effect: mean over the post years {first_post}-{last_post}. Synthetic control: "
            "Abadie, Diamond and Hainmueller (2010); p-value from {n_placebo} in-space "
            "placebos, the share of units whose post/pre RMSPE ratio is at least the treated "
            "cluster's. SDID, SC and DiD: Arkhangelsky et al. (2021); standard errors from "
            "{n_donor_placebo} placebo assignments (every donor once), 95% normal intervals."
        ),
        "zh": (
            "效应为干预后{first_post}—{last_post}年的平均值。合成控制法依Abadie、Diamond与"
            "Hainmueller（2010），p值来自{n_placebo}个空间安慰剂检验（干预后/前RMSPE比不低于"
            "处理集群的单位占比）。SDID、SC与DiD依Arkhangelsky等（2021），标准误来自"
            "{n_donor_placebo}次安慰剂分配（每个对照集群一次），区间为95%正态区间。"
        ),
    },
}


def text(key: str, language: str) -> str:
    """The fixed text ``key`` of :data:`TEXT` in ``language``."""
    return TEXT[key][language]


def cluster_label(record: Record, language: str) -> str:
    """The treated cluster as shown in exhibits: its name in Chinese, its id in English."""
    if language == "zh" and record.get("treated_name"):
        return str(record["treated_name"])
    return str(record["treated_id"])


def _donor_labels(record: Record, language: str) -> dict[str, str]:
    ids = list(record["donor_ids"])
    if language == "zh":
        return dict(zip(ids, record["donor_names"], strict=True))
    return {i: i for i in ids}


def case_study_weights_table(
    record: Record, config: ProjectConfig, settings: RenderSettings
) -> Table:
    """Donor weights (SC and SDID) and the predictor balance of the synthetic control.

    Parameters
    ----------
    record : mapping
        The case-study record.
    config : ProjectConfig
    settings : RenderSettings

    Returns
    -------
    Table
    """
    language = config.language
    digits = settings.digits
    sc = record["synthetic_control"]
    sc_w = sc["donor_weights"]
    sdid_w = record["sdid"]["unit_weights"]
    labels = _donor_labels(record, language)
    listed = [
        d
        for d in record["donor_ids"]
        if (sc_w[d] or 0) >= MIN_LISTED_WEIGHT or (sdid_w[d] or 0) >= MIN_LISTED_WEIGHT
    ]
    listed.sort(key=lambda d: (-(sc_w[d] or 0), -(sdid_w[d] or 0), d))
    weight_rows = tuple(
        Row(labels[d], (format_number(sc_w[d], digits), format_number(sdid_w[d], digits), "", ""))
        for d in listed
    )
    balance_rows = tuple(
        Row(
            _predictor_label(b["predictor"], config),
            (
                format_number(b["treated"], digits),
                format_number(b["synthetic"], digits),
                format_number(b["donor_mean"], digits),
                format_number(b["v_weight"], digits),
            ),
        )
        for b in sc["balance"]
    )
    numbers = pd.concat(
        [
            pd.DataFrame(
                {
                    "panel": "weights",
                    "row": list(record["donor_ids"]),
                    "sc_weight": [sc_w[d] for d in record["donor_ids"]],
                    "sdid_weight": [sdid_w[d] for d in record["donor_ids"]],
                }
            ),
            pd.DataFrame(
                {
                    "panel": "balance",
                    "row": [b["predictor"] for b in sc["balance"]],
                    "treated": [b["treated"] for b in sc["balance"]],
                    "synthetic": [b["synthetic"] for b in sc["balance"]],
                    "donor_mean": [b["donor_mean"] for b in sc["balance"]],
                    "v_weight": [b["v_weight"] for b in sc["balance"]],
                }
            ),
        ],
        ignore_index=True,
    )
    n_dropped = len(record.get("dropped_donors", []))
    note = text("weights_note", language).format(
        min=MIN_LISTED_WEIGHT,
        n_donors=len(record["donor_ids"]),
        dropped=text("dropped", language).format(n=n_dropped) if n_dropped else "",
        first=record["fit_years"][0],
        last=record["fit_years"][-1],
    )
    header = make_header(
        [
            f"{text('sc_weight', language)} / {text('treated', language)}",
            f"{text('sdid_weight', language)} / {text('synthetic', language)}",
            text("donor_mean", language),
            text("v_weight", language),
        ]
    )
    return Table(
        title=text("weights_title", language).format(cluster=cluster_label(record, language)),
        columns=header,
        panels=(
            Panel(text("panel_weights", language), weight_rows),
            Panel(text("panel_balance", language), balance_rows),
        ),
        notes=(note,),
        label="tab:case_study_weights",
        stub_header=text("donor", language),
        numbers=numbers,
    )


def _predictor_label(name: str, config: ProjectConfig) -> str:
    if name.endswith("_mean"):
        base = name[: -len("_mean")]
        return (
            f"{config.label(base)} (mean)"
            if config.language == "en"
            else (f"{config.label(base)}（均值）")
        )
    base, _, year = name.rpartition("_")
    if year.isdigit():
        return (
            f"{config.label(base)} ({year})"
            if config.language == "en"
            else (f"{config.label(base)}（{year}年）")
        )
    return config.label(name)


def case_study_estimates_table(
    record: Record, config: ProjectConfig, settings: RenderSettings
) -> Table:
    """Synthetic control with placebo inference, and SDID / SC / DiD with placebo SEs.

    Parameters
    ----------
    record : mapping
        The case-study record.
    config : ProjectConfig
    settings : RenderSettings

    Returns
    -------
    Table
    """
    language = config.language
    digits = settings.digits
    sc = record["synthetic_control"]
    placebo = sc["placebo"]
    rows = [
        Row(
            text("sc_adh", language),
            (
                format_number(sc["att"], digits),
                "",
                "",
                format_pvalue(placebo["p_value"]),
                format_number(sc["pre_rmspe"], digits),
                format_number(sc["rmspe_ratio"], digits),
            ),
        )
    ]
    numbers = [
        {
            "estimator": "synthetic_control",
            "att": sc["att"],
            "se": None,
            "ci_lower": None,
            "ci_upper": None,
            "placebo_p_value": placebo["p_value"],
            "pre_rmspe": sc["pre_rmspe"],
            "rmspe_ratio": sc["rmspe_ratio"],
        }
    ]
    for est in record["sdid"]["estimates"]:
        rows.append(
            Row(
                text(est["estimator"], language),
                (
                    format_number(est["att"], digits),
                    format_number(est["se"], digits),
                    format_interval(est["ci_lower"], est["ci_upper"], digits)
                    if est["se"] is not None
                    else "",
                    "",
                    "",
                    "",
                ),
            )
        )
        numbers.append(
            {
                "estimator": est["estimator"],
                "att": est["att"],
                "se": est["se"],
                "ci_lower": est["ci_lower"],
                "ci_upper": est["ci_upper"],
            }
        )
    outcome = config.label(record["spec"]["outcome"])
    note = text("estimates_note", language).format(
        first_post=record["post_years"][0],
        last_post=record["post_years"][-1],
        n_placebo=format_count(placebo["n_placebos"]),
        n_donor_placebo=format_count(record["sdid"]["n_placebos"]),
    )
    header = make_header(
        [
            text("att", language),
            text("se", language),
            text("ci", language),
            text("p_value", language),
            text("pre_rmspe", language),
            text("ratio", language),
        ]
    )
    return Table(
        title=text("estimates_title", language).format(
            cluster=cluster_label(record, language),
            year=record["intervention_year"],
            outcome=outcome,
        ),
        columns=header,
        panels=(Panel("", tuple(rows)),),
        notes=(note,),
        label="tab:case_study_estimates",
        stub_header=text("estimator", language),
        numbers=pd.DataFrame(numbers),
    )
