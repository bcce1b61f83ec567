"""Bias, RMSE, coverage and rejection rates of the simulation study."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from govcluster.study.design import StudySpec
from govcluster.study.replication import ReplicationResult

#: Columns of the summary table.
SUMMARY_COLUMNS = (
    "design",
    "n_clusters",
    "endogeneity",
    "estimator",
    "parameter",
    "replications",
    "truth",
    "mean_estimate",
    "bias",
    "rmse",
    "sd_estimate",
    "mean_std_error",
    "coverage",
    "rejection_rate",
    "null",
)


def summarise_study(
    spec: StudySpec, results: Sequence[ReplicationResult], *, alpha: float = 0.05
) -> pd.DataFrame:
    """One row per design, estimator and parameter.

    ``coverage``: share of replications whose interval (level ``spec.level``) contains the
    truth; ``rejection_rate``: share with p < ``alpha`` for the test of zero (the size of the
    test where the truth is zero, ``null`` True; its power otherwise). Rows are sorted by
    design (grid order), estimator and parameter, so that the table does not depend on the
    order in which replications finished.
    """
    frame = pd.DataFrame(
        [
            {"design": r.design, "replication": r.replication, **row}
            for r in results
            for row in r.rows
        ]
    )
    designs = {d.name: d for d in spec.designs}
    out = []
    for (design, estimator, parameter), group in frame.groupby(
        ["design", "estimator", "parameter"], sort=False
    ):
        group = group.sort_values("replication")
        truth = float(group["truth"].iloc[0])
        error = group["estimate"] - truth
        covered = (group["ci_lower"] <= truth) & (truth <= group["ci_upper"])
        out.append(
            {
                "design": design,
                "n_clusters": designs[design].n_clusters,
                "endogeneity": designs[design].endogeneity,
                "estimator": estimator,
                "parameter": parameter,
                "replications": len(group),
                "truth": truth,
                "mean_estimate": float(group["estimate"].mean()),
                "bias": float(error.mean()),
                "rmse": float(np.sqrt((error**2).mean())),
                "sd_estimate": float(group["estimate"].std(ddof=1)) if len(group) > 1 else np.nan,
                "mean_std_error": float(group["std_error"].mean()),
                "coverage": float(covered.mean()),
                "rejection_rate": float((group["p_value"] < alpha).mean()),
                "null": bool(truth == 0.0),
            }
        )
    table = pd.DataFrame(out, columns=list(SUMMARY_COLUMNS))
    order = {d.name: d.index for d in spec.designs}
    table["_order"] = table["design"].map(order)
    table = table.sort_values(["_order", "estimator", "parameter"]).drop(columns="_order")
    return table.reset_index(drop=True)


def summary_markdown(table: pd.DataFrame) -> str:
    """The summary as a Markdown table (3 decimals)."""
    shown = table.drop(columns=["design"]).copy()
    for column in (
        "truth",
        "mean_estimate",
        "bias",
        "rmse",
        "sd_estimate",
        "mean_std_error",
        "coverage",
        "rejection_rate",
    ):
        shown[column] = shown[column].map(lambda v: f"{v:.3f}")
    header = "| " + " | ".join(shown.columns) + " |"
    rule = "|" + "|".join("---" for _ in shown.columns) + "|"
    lines = ["| " + " | ".join(str(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    return "\n".join([header, rule, *lines]) + "\n"


def summary_figure(table: pd.DataFrame):
    """Coverage of the total effect (FE vs FE-IV) and rejection rates of the indirect effects.

    Returns a matplotlib Figure (the caller saves it).
    """
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    total = table[table["parameter"] == "total_effect"]
    labels = list(dict.fromkeys(table["design"]))
    x = np.arange(len(labels))
    for k, (estimator, rows) in enumerate(total.groupby("estimator", sort=True)):
        rows = rows.set_index("design").reindex(labels)
        left.bar(x + (k - 0.5) * 0.38, rows["coverage"], width=0.38, label=estimator)
    left.axhline(0.95, color="black", linewidth=0.8, linestyle="--")
    left.set_xticks(x, labels, rotation=30, ha="right")
    left.set_ylim(0, 1.05)
    left.set_ylabel("coverage of 95% intervals")
    left.set_title("Total effect of GOV on SCA")
    left.legend(frameon=False)
    indirect = table[table["estimator"] == "mediation"]
    mechanisms = list(dict.fromkeys(indirect["parameter"]))
    width = 0.8 / max(len(labels), 1)
    for k, design in enumerate(labels):
        rows = indirect[indirect["design"] == design].set_index("parameter").reindex(mechanisms)
        right.bar(
            np.arange(len(mechanisms)) + (k - (len(labels) - 1) / 2) * width,
            rows["rejection_rate"],
            width=width,
            label=design,
        )
    right.axhline(0.05, color="black", linewidth=0.8, linestyle="--")
    names = [
        p.replace("indirect_", "")
        + (" (null)" if bool(indirect.loc[indirect["parameter"] == p, "null"].iloc[0]) else "")
        for p in mechanisms
    ]
    right.set_xticks(np.arange(len(mechanisms)), names, rotation=30, ha="right")
    right.set_ylim(0, 1.05)
    right.set_ylabel("rejection rate of zero (5% level)")
    right.set_title("Indirect effects: size (null) and power")
    right.legend(frameon=False, fontsize="small")
    figure.tight_layout()
    return figure
