r"""Treatment-mediator interaction in the panel: ACME and ADE under control and treatment.

:func:`interaction_mediation` runs :func:`govcluster.mediation.nonlinear.causal_mediation`
(R ``mediate(..., INT = TRUE)`` with ``test.TMint``) once per mechanism, each alone, with
linear mediator and outcome models and the interaction :math:`T \times M` in the outcome
model:

.. math::

    M_{it} = \alpha_1 T_{it} + x_{it}'\alpha_2 + \lambda_t + \bar w_i'\pi + e_{it}, \qquad
    Y_{it} = \beta_T T_{it} + \beta_M M_{it} + \beta_{TM} T_{it} M_{it} + x_{it}'\beta_x
             + \lambda_t + \bar w_i'\rho + u_{it}.

The cluster fixed effects enter by the Mundlak device: :math:`\bar w_i` are the cluster
means (over the estimation sample) of every time-varying regressor of the equation, the
interaction and the year dummies included, which gives exactly the within (fixed-effects)
slopes (Mundlak 1978; Wooldridge 2010, section 10.7.3) with a few columns instead of one
dummy per cluster. Year effects are dummies. The quasi-Bayesian draws use the covariance
clustered by cluster. Then :math:`\bar\delta(t) = (\beta_M + \beta_{TM} t)\,\alpha_1 (t_1 -
t_0)` per draw, and the test of :math:`\bar\delta(1) = \bar\delta(0)` is R's ``test.TMint``.
The treatment contrast is the mean to the mean plus one standard deviation of the treatment
(stated in the table note).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govcluster.errors import EstimationError
from govcluster.mediation.nonlinear import (
    NonlinearMediationResult,
    NonlinearMediationSpec,
    causal_mediation,
)

SCHEMA_VERSION = 1
KIND = "interaction_mediation"


@dataclass(frozen=True)
class InteractionMediationResult:
    """One :class:`NonlinearMediationResult` per mechanism (treatment-mediator interaction).

    Attributes
    ----------
    treatment, outcome : str
    mediators : tuple of str
    results : tuple of NonlinearMediationResult
        In the order of ``mediators``.
    controls : tuple of str
    entity, time : str
    """

    treatment: str
    outcome: str
    mediators: tuple[str, ...]
    results: tuple[NonlinearMediationResult, ...]
    controls: tuple[str, ...]
    entity: str
    time: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record (``kind`` "interaction_mediation")."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "treatment": self.treatment,
            "outcome": self.outcome,
            "mediators": list(self.mediators),
            "results": [r.to_dict() for r in self.results],
            "controls": list(self.controls),
            "entity": self.entity,
            "time": self.time,
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> InteractionMediationResult:
        """Rebuild from :meth:`to_dict` output (checks ``kind`` and ``schema_version``)."""
        if record.get("kind") != KIND:
            raise ValueError(f"record kind is {record.get('kind')!r}, expected {KIND!r}.")
        if record.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"{KIND} record has schema_version {record.get('schema_version')!r}; this "
                f"version of govcluster reads {SCHEMA_VERSION}. Re-run the mediation rule."
            )
        return cls(
            treatment=record["treatment"],
            outcome=record["outcome"],
            mediators=tuple(record["mediators"]),
            results=tuple(NonlinearMediationResult.from_dict(r) for r in record["results"]),
            controls=tuple(record["controls"]),
            entity=record["entity"],
            time=record["time"],
        )


def _mundlak_frame(
    data: pd.DataFrame,
    *,
    treatment: str,
    mediator: str,
    outcome: str,
    controls: Sequence[str],
    entity: str,
    time: str,
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Complete rows, year dummies and cluster means; the covariates of each equation."""
    used = data[[entity, time, treatment, mediator, outcome, *controls]].dropna()
    if used.empty:
        raise EstimationError("no complete rows for the interaction mediation analysis.")
    frame = used.reset_index(drop=True)
    years = pd.get_dummies(frame[time], prefix="year", drop_first=True, dtype=float)
    frame = pd.concat([frame, years], axis=1)
    interaction = "__TxM"
    frame[interaction] = frame[treatment] * frame[mediator]
    by = frame.groupby(entity)
    varying_m = [treatment, *controls, *years.columns]
    varying_y = [*varying_m, mediator, interaction]
    means = by[varying_y].transform("mean").add_prefix("mean_")
    frame = pd.concat([frame, means], axis=1)
    # cluster means that are constant or repeat earlier ones (the year dummies' means in a
    # balanced or nearly balanced panel) add nothing to the span and are left out
    kept = _independent([f"mean_{c}" for c in varying_y], frame)
    covariates_m = [
        *controls,
        *years.columns,
        *(f"mean_{c}" for c in varying_m if f"mean_{c}" in kept),
    ]
    covariates_y = [
        *controls,
        *years.columns,
        *(f"mean_{c}" for c in varying_y if f"mean_{c}" in kept),
    ]
    return frame, covariates_m, covariates_y


def _independent(columns: Sequence[str], frame: pd.DataFrame, tol: float = 1e-9) -> set[str]:
    """Columns, in order, that are not linear combinations of a constant and earlier ones."""
    basis = np.ones((len(frame), 1)) / np.sqrt(len(frame))
    kept = set()
    for column in columns:
        x = frame[column].to_numpy(dtype=float)
        residual = x - basis @ (basis.T @ x)
        residual -= basis @ (basis.T @ residual)
        norm = float(np.linalg.norm(residual))
        if norm > tol * max(float(np.linalg.norm(x)), 1e-300):
            basis = np.column_stack([basis, residual / norm])
            kept.add(column)
    return kept


def interaction_mediation(
    data: pd.DataFrame,
    *,
    treatment: str,
    mediators: Sequence[str],
    outcome: str,
    controls: Sequence[str] = (),
    entity: str = "cluster_id",
    time: str = "year",
    sims: int = 1000,
    seed: int,
    level: float = 0.95,
) -> InteractionMediationResult:
    """ACME and ADE under control and treatment, per mechanism, with the test of equality.

    Parameters
    ----------
    data : DataFrame
        Long panel.
    treatment, outcome : str
    mediators : sequence of str
        Each analysed alone.
    controls : sequence of str
    entity, time : str
    sims : int
        Quasi-Bayesian draws.
    seed : int
        Mechanism ``k`` (0-based) uses ``seed + k``.
    level : float

    Returns
    -------
    InteractionMediationResult
    """
    results = []
    for k, mediator in enumerate(mediators):
        frame, cov_m, cov_y = _mundlak_frame(
            data,
            treatment=treatment,
            mediator=mediator,
            outcome=outcome,
            controls=tuple(controls),
            entity=entity,
            time=time,
        )
        spec = NonlinearMediationSpec(
            treatment=treatment,
            mediator=mediator,
            outcome=outcome,
            mediator_covariates=cov_m,
            outcome_covariates=cov_y,
            interaction=True,
            sims=int(sims),
            cov_type="cluster",
            cluster=entity,
            level=float(level),
        )
        results.append(causal_mediation(frame, spec, seed=int(seed) + k))
    return InteractionMediationResult(
        treatment=treatment,
        outcome=outcome,
        mediators=tuple(mediators),
        results=tuple(results),
        controls=tuple(controls),
        entity=entity,
        time=time,
    )


def interaction_table_frame(result: InteractionMediationResult) -> pd.DataFrame:
    """Long frame: mechanism, quantity, estimate, interval, p-value (test row ``acme_diff``)."""
    rows = []
    for mediator, res in zip(result.mediators, result.results, strict=True):
        for key, value in res.effects.items():
            rows.append({"mediator": mediator, "quantity": key, **value.__dict__})
        if res.interaction_test is not None:
            rows.append(
                {"mediator": mediator, "quantity": "acme_diff", **res.interaction_test.__dict__}
            )
    return pd.DataFrame(rows)


__all__ = ["InteractionMediationResult", "interaction_mediation", "interaction_table_frame"]
