r"""Sustained effects: local projections (Jorda 2005) on the panel.

For each horizon :math:`h = 0, \dots, H` a separate regression

.. math:: y_{i,t+h} = \beta_h x_{it} + \gamma_h' c_{it}
          + \sum_{k} \rho_{hk} x_{i,t-k} + \sum_{k} \phi_{hk} y_{i,t-k}
          + \alpha_i^h + \lambda_t^h + \varepsilon_{it}^h

is estimated (two-way fixed effects and entity-clustered errors by default); with
``outcome_form="long_difference"`` the dependent variable is :math:`y_{i,t+h} - y_{i,t-1}`.
Leads and lags are taken by calendar year, so an observation whose year ``t+h`` is absent is
dropped for that horizon (and counted). :math:`\beta_h` traces the effect of the treatment in
year t on the outcome h years later. Fixed effects with a lagged outcome are biased in short
panels (Nickell 1981); ``outcome_lags`` is empty by default.

``LocalProjections.to_dict()``::

    {"kind": "local_projections", "spec": LocalProjectionSpec record,
     "n_excluded_fixed_sample": int,
     "table": [{"horizon", "dependent", "estimate", "std_error", "p_value",
                "ci_lower", "ci_upper", "n_obs", "n_entities", "n_clusters"}],
     "estimates": [PanelEstimate record, one per horizon]}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from govcluster.errors import EstimationError
from govcluster.panel.estimators import fit_panel_model
from govcluster.panel.lags import add_lags, add_leads
from govcluster.panel.results import PanelEstimate, json_number
from govcluster.panel.sample import require_columns
from govcluster.panel.spec import LocalProjectionSpec, PanelSpec, lag_name, lead_name


@dataclass(frozen=True, eq=False)
class LocalProjections:
    """Result of :func:`fit_local_projections`.

    Attributes
    ----------
    spec : LocalProjectionSpec
    estimates : tuple of PanelEstimate
        One regression per horizon 0..H.
    n_excluded_fixed_sample : int
        Rows left out of every horizon by ``sample="fixed"`` (0 for ``"varying"``).
    """

    spec: LocalProjectionSpec
    estimates: tuple[PanelEstimate, ...]
    n_excluded_fixed_sample: int

    def table(self, level: float | None = None) -> pd.DataFrame:
        """One row per horizon: estimate, standard error, p-value, interval, sample sizes."""
        rows = []
        for h, est in enumerate(self.estimates):
            t = self.spec.treatment
            ci = est.conf_int(level).loc[t]
            rows.append(
                {
                    "horizon": h,
                    "dependent": est.dependent,
                    "estimate": float(est.params[t]),
                    "std_error": float(est.std_errors[t]),
                    "p_value": float(est.pvalues[t]),
                    "ci_lower": float(ci["lower"]),
                    "ci_upper": float(ci["upper"]),
                    "n_obs": est.n_obs,
                    "n_entities": est.n_entities,
                    "n_clusters": est.n_clusters,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON record (see the module docstring)."""
        table = [
            {k: json_number(v) if not isinstance(v, str) else v for k, v in row.items()}
            for row in self.table().to_dict(orient="records")
        ]
        return {
            "kind": "local_projections",
            "spec": self.spec.to_dict(),
            "n_excluded_fixed_sample": self.n_excluded_fixed_sample,
            "table": table,
            "estimates": [e.to_dict() for e in self.estimates],
        }


def _dependent(spec: LocalProjectionSpec, h: int) -> str:
    if spec.outcome_form == "level":
        return lead_name(spec.outcome, h)
    return f"{spec.outcome}_ld{h}"


def fit_local_projections(data: pd.DataFrame, spec: LocalProjectionSpec) -> LocalProjections:
    r"""Estimate the response of the outcome h = 0..H years after the treatment.

    Parameters
    ----------
    data : DataFrame
        Long panel.
    spec : LocalProjectionSpec

    Returns
    -------
    LocalProjections
        ``table()`` gives horizon, estimate, se, interval and sample size per horizon.

    Notes
    -----
    .. math:: y_{i,t+h} = \beta_h x_{it} + \gamma_h' c_{it} + \alpha_i^h + \lambda_t^h
              + \varepsilon_{it}^h,\qquad h = 0,\dots,H,

    with optional lags of :math:`x` and :math:`y` among the controls. Each horizon is a
    :func:`~govcluster.panel.fit_panel_model` regression; its errors are serially correlated
    by construction, which clustering by entity accounts for.
    """
    if not isinstance(spec, LocalProjectionSpec):
        raise EstimationError("spec must be a LocalProjectionSpec.")
    require_columns(data, [spec.outcome, spec.treatment, *spec.controls])
    frame = add_leads(
        data,
        {spec.outcome: list(range(1, spec.horizons + 1))},
        entity=spec.entity,
        time=spec.time,
    )
    out_lags = set(spec.outcome_lags) | ({1} if spec.outcome_form == "long_difference" else set())
    lag_map: dict[str, list[int]] = {}
    if out_lags:
        lag_map[spec.outcome] = sorted(out_lags)
    if spec.treatment_lags:
        lag_map[spec.treatment] = list(spec.treatment_lags)
    frame = add_lags(frame, lag_map, entity=spec.entity, time=spec.time)
    if spec.outcome_form == "long_difference":
        base = frame[lag_name(spec.outcome, 1)]
        for h in range(spec.horizons + 1):
            frame[_dependent(spec, h)] = frame[lead_name(spec.outcome, h)] - base
    excluded = 0
    if spec.sample == "fixed":
        keep = frame[_dependent(spec, spec.horizons)].notna()
        excluded = int((~keep).sum())
        frame = frame.loc[keep]
    controls = [
        *spec.controls,
        *(lag_name(spec.treatment, k) for k in spec.treatment_lags),
        *(lag_name(spec.outcome, k) for k in spec.outcome_lags),
    ]
    estimates = []
    for h in range(spec.horizons + 1):
        ps = PanelSpec(
            outcome=_dependent(spec, h),
            regressors=[spec.treatment],
            controls=controls,
            entity=spec.entity,
            time=spec.time,
            estimator=spec.estimator,
            cov_type=spec.cov_type,
            small_sample=spec.small_sample,
            dk_bandwidth=spec.dk_bandwidth,
            level=spec.level,
            name=f"{spec.name or 'lp'}_h{h}",
            vocabulary=spec.vocabulary,
        )
        estimates.append(fit_panel_model(frame, ps))
    return LocalProjections(spec, tuple(estimates), excluded)
