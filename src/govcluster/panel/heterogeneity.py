r"""Heterogeneous effects by group (region, or less developed versus east).

Two complementary analyses of the treatment effect by the groups of a categorical column:

split samples
    the regression of the base specification estimated separately in each group;
interaction model
    one regression on all groups with a treatment slope per group,

    .. math:: y_{it} = \sum_g \beta_g\, x_{it} 1[g(i,t) = g] + \gamma' c_{it}
              + \delta' D_{g(i,t)} + \alpha_i + \lambda_t + \varepsilon_{it},

    where the group dummies :math:`D` are included unless the entity effects absorb them
    (a group constant within entities under ``entity_fe``/``twoway_fe``/``first_difference``),
    and the controls have common slopes. The Wald test of :math:`\beta_1 = \dots = \beta_G`
    uses the covariance of the specification (F(G-1, G_clusters-1) when clustered).

Rows whose group value is missing or not listed in ``groups`` are left out and counted.

``HeterogeneityResult.to_dict()``::

    {"kind": "heterogeneity", "spec": HeterogeneitySpec record, "treatment": str,
     "groups": {label: [values]}, "n_excluded_rows": int,
     "table": [{"group", "split_estimate", "split_std_error", "split_p_value", "split_n_obs",
                "split_n_entities", "interaction_estimate", "interaction_std_error",
                "interaction_p_value"}],
     "equal_effects": test record,
     "split": {label: PanelEstimate record}, "interaction": PanelEstimate record}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govcluster.errors import EstimationError
from govcluster.panel.estimators import fit_panel_model
from govcluster.panel.lags import add_lags
from govcluster.panel.results import PanelEstimate, TestResult, json_number
from govcluster.panel.sample import require_columns
from govcluster.panel.spec import WITHIN_ESTIMATORS, HeterogeneitySpec, PanelSpec


@dataclass(frozen=True, eq=False)
class HeterogeneityResult:
    """Result of :func:`fit_heterogeneity`.

    Attributes
    ----------
    spec : HeterogeneitySpec
    treatment : str
        Design column of the treatment.
    groups : tuple of (str, tuple)
        Group labels and their values of ``by``.
    split : tuple of PanelEstimate
        One estimate per group, in the order of ``groups``.
    interaction : PanelEstimate
        The interaction model; the slopes are named ``{treatment}_x_{label}``.
    equal_effects : TestResult
        Wald test that the slopes of all groups are equal.
    n_excluded_rows : int
        Rows left out because their group value is missing or not in ``groups``.
    """

    spec: HeterogeneitySpec
    treatment: str
    groups: tuple[tuple[str, tuple[Any, ...]], ...]
    split: tuple[PanelEstimate, ...]
    interaction: PanelEstimate
    equal_effects: TestResult
    n_excluded_rows: int

    def interaction_name(self, label: str) -> str:
        """Coefficient name of the treatment slope of group ``label``."""
        return f"{self.treatment}_x_{label}"

    def table(self) -> pd.DataFrame:
        """Per group: split-sample and interaction-model effects of the treatment."""
        rows = []
        t = self.treatment
        for (label, _), est in zip(self.groups, self.split, strict=True):
            nm = self.interaction_name(label)
            rows.append(
                {
                    "group": label,
                    "split_estimate": float(est.params[t]),
                    "split_std_error": float(est.std_errors[t]),
                    "split_p_value": float(est.pvalues[t]),
                    "split_n_obs": est.n_obs,
                    "split_n_entities": est.n_entities,
                    "interaction_estimate": float(self.interaction.params[nm]),
                    "interaction_std_error": float(self.interaction.std_errors[nm]),
                    "interaction_p_value": float(self.interaction.pvalues[nm]),
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON record (see the module docstring)."""
        return {
            "kind": "heterogeneity",
            "spec": self.spec.to_dict(),
            "treatment": self.treatment,
            "groups": {label: [_plain(v) for v in vals] for label, vals in self.groups},
            "n_excluded_rows": self.n_excluded_rows,
            "table": [
                {k: v if isinstance(v, str) else json_number(v) for k, v in row.items()}
                for row in self.table().to_dict(orient="records")
            ],
            "equal_effects": self.equal_effects.to_dict(),
            "split": {
                label: est.to_dict()
                for (label, _), est in zip(self.groups, self.split, strict=True)
            },
            "interaction": self.interaction.to_dict(),
        }


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def fit_heterogeneity(data: pd.DataFrame, spec: HeterogeneitySpec) -> HeterogeneityResult:
    r"""Estimate the treatment effect by group: split samples and an interaction model.

    Parameters
    ----------
    data : DataFrame
        Long panel with the column ``spec.by``.
    spec : HeterogeneitySpec
        Base regression, grouping column and optional grouping of its values (e.g.
        :data:`govcluster.panel.LESS_DEVELOPED_GROUPS`).

    Returns
    -------
    HeterogeneityResult

    Notes
    -----
    .. math:: y_{it} = \sum_g \beta_g x_{it} 1[g(i,t)=g] + \gamma' c_{it}
              + \alpha_i + \lambda_t + \varepsilon_{it},
              \qquad H_0: \beta_1 = \dots = \beta_G.
    """
    if not isinstance(spec, HeterogeneitySpec):
        raise EstimationError("spec must be a HeterogeneitySpec.")
    base = spec.base
    require_columns(data, [spec.by], what="Grouping column")
    require_columns(data, [base.outcome, *base.regressors, *base.controls])
    if spec.by in (base.outcome, *base.regressors, *base.controls):
        raise EstimationError(f"The grouping column {spec.by!r} is a variable of the model.")
    frame = add_lags(data, base.lag_map, entity=base.entity, time=base.time)
    if spec.groups is None:
        values = sorted(frame[spec.by].dropna().unique(), key=str)
        groups = tuple((str(v), (v,)) for v in values)
        if len(groups) < 2:
            raise EstimationError(
                f"{spec.by!r} has {len(groups)} distinct value(s); at least two groups are "
                "needed to compare effects."
            )
    else:
        groups = spec.groups  # type: ignore[assignment]
    lookup = {v: label for label, vals in groups for v in vals}
    labels = frame[spec.by].map(lambda v: lookup.get(v) if pd.notna(v) else None)
    keep = labels.notna()
    n_excluded = int((~keep).sum())
    frame = frame.loc[keep].copy()
    frame["__group"] = labels[keep].astype(str)
    present = set(frame["__group"])
    absent = [label for label, _ in groups if label not in present]
    if absent:
        raise EstimationError(
            f"Group(s) {', '.join(absent)} have no row in the data (values of {spec.by!r}: "
            f"{', '.join(map(str, sorted(data[spec.by].dropna().unique(), key=str)))}). "
            "Fix the values listed in groups."
        )
    plain = PanelSpec(
        outcome=base.outcome,
        regressors=list(base.design_regressors),
        controls=list(base.design_controls),
        entity=base.entity,
        time=base.time,
        estimator=base.estimator,
        cov_type=base.cov_type,
        cluster=base.cluster,
        small_sample=base.small_sample,
        dk_bandwidth=base.dk_bandwidth,
        level=base.level,
        name=base.name,
        vocabulary=base.vocabulary,
    )
    treat = plain.regressors[0]
    split = []
    for label, _ in groups:
        sub = frame.loc[frame["__group"] == label]
        try:
            split.append(fit_panel_model(sub, plain.replace(name=f"{base.name}_{label}")))
        except EstimationError as err:
            raise EstimationError(f"In group {label!r} of {spec.by!r}: {err}") from err
    inter_cols = []
    for label, _ in groups:
        col = f"{treat}_x_{label}"
        frame[col] = frame[treat] * (frame["__group"] == label)
        inter_cols.append(col)
    group_varies = (frame.groupby(base.entity)["__group"].nunique() > 1).any()
    dummies = []
    if base.estimator not in WITHIN_ESTIMATORS or group_varies:
        for label, _ in groups[1:]:
            col = f"group_{label}"
            frame[col] = (frame["__group"] == label).astype(float)
            dummies.append(col)
    inter_spec = plain.replace(
        regressors=[*inter_cols, *plain.regressors[1:]],
        controls=[*plain.controls, *dummies],
        name=f"{base.name}_interaction_{spec.by}",
    )
    inter = fit_panel_model(frame, inter_spec)
    restrictions = [{inter_cols[g]: 1.0, inter_cols[0]: -1.0} for g in range(1, len(groups))]
    test = inter.wald_test(restrictions, name=f"Equal effects of {treat} across {spec.by}")
    return HeterogeneityResult(
        spec=spec,
        treatment=treat,
        groups=tuple(groups),
        split=tuple(split),
        interaction=inter,
        equal_effects=test,
        n_excluded_rows=n_excluded,
    )
