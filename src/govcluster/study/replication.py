"""One replication of the simulation study: draw a panel, run the estimators, keep the numbers.

The estimators see the simulator's latent constructs (GOV, the six mechanisms, SCA, the
instrument Z and the controls), so the study measures the estimators' properties under the
data-generating process, free of the measurement and cleaning steps that the pipeline tests
elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from govcluster.errors import DataValidationError
from govcluster.panel import PanelIVSpec, PanelSpec, fit_panel_iv, fit_panel_model
from govcluster.simulate import MECHANISMS, OUTCOME, TREATMENT, simulate_cluster_panel
from govcluster.study.design import StudyDesign, StudySpec, replication_seed

INSTRUMENT = "Z"


@dataclass(frozen=True)
class ReplicationResult:
    """Estimates of one replication.

    Attributes
    ----------
    design : str
        Name of the design cell.
    replication : int
        Index of the replication within the design.
    seed : int
        Seed of the simulated panel (from the master seed, design and replication).
    rows : tuple of dict
        One per estimator and parameter: estimator, parameter, truth, estimate, std_error,
        ci_lower, ci_upper, p_value (test of zero).
    """

    SCHEMA_VERSION = 1
    KIND = "study_replication"

    design: str
    replication: int
    seed: int
    rows: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict with ``kind`` and ``schema_version``."""
        return {
            "kind": self.KIND,
            "schema_version": self.SCHEMA_VERSION,
            "design": self.design,
            "replication": self.replication,
            "seed": self.seed,
            "rows": [dict(row) for row in self.rows],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReplicationResult:
        """Rebuild from :meth:`to_dict`; checks ``kind`` and ``schema_version``."""
        if data.get("kind") != cls.KIND or data.get("schema_version") != cls.SCHEMA_VERSION:
            raise DataValidationError(
                f"not a study replication record of schema_version {cls.SCHEMA_VERSION} "
                f"(kind {data.get('kind')!r}, schema_version {data.get('schema_version')!r}); "
                "rerun the simulation study"
            )
        return cls(
            design=data["design"],
            replication=int(data["replication"]),
            seed=int(data["seed"]),
            rows=tuple(data["rows"]),
        )


def run_replication(spec: StudySpec, design: StudyDesign, replication: int) -> ReplicationResult:
    """Draw the panel of one replication and run the study's estimators on it.

    Parameters
    ----------
    spec : StudySpec
    design : StudyDesign
    replication : int
        0-based index; with the design's index and the master seed it fixes the seed.

    Returns
    -------
    ReplicationResult
    """
    seed = replication_seed(spec.seed, design.index, replication)
    params = {**dict(spec.simulate_params), "endogeneity": design.endogeneity}
    _, truth = simulate_cluster_panel(
        n_clusters=design.n_clusters, years=spec.years, seed=seed, **params
    )
    data = truth.latent
    effects = truth.effects
    controls = list(spec.controls)
    rows: list[dict[str, Any]] = []
    if "twoway_fe" in spec.estimators:
        estimate = fit_panel_model(
            data,
            PanelSpec(outcome=OUTCOME, regressors=TREATMENT, controls=controls, level=spec.level),
        )
        rows.append(_row("twoway_fe", "total_effect", effects["total_effect"], estimate, spec))
    if "twoway_fe_iv" in spec.estimators:
        estimate = fit_panel_iv(
            data,
            PanelIVSpec(
                outcome=OUTCOME,
                endogenous=TREATMENT,
                instruments=INSTRUMENT,
                controls=controls,
                level=spec.level,
            ),
        )
        rows.append(_row("twoway_fe_iv", "total_effect", effects["total_effect"], estimate, spec))
    if "mediation" in spec.estimators:
        rows.extend(_indirect_effects(data, controls, effects, spec))
    return ReplicationResult(
        design=design.name, replication=int(replication), seed=seed, rows=tuple(rows)
    )


def _row(estimator: str, parameter: str, truth: float, estimate: Any, spec: StudySpec) -> dict:
    ci = estimate.conf_int(spec.level).loc[TREATMENT]
    return {
        "estimator": estimator,
        "parameter": parameter,
        "truth": float(truth),
        "estimate": float(estimate.params[TREATMENT]),
        "std_error": float(estimate.std_errors[TREATMENT]),
        "ci_lower": float(ci.iloc[0]),
        "ci_upper": float(ci.iloc[1]),
        "p_value": float(estimate.pvalues[TREATMENT]),
    }


def _indirect_effects(
    data: Any, controls: list[str], effects: dict[str, Any], spec: StudySpec
) -> list[dict[str, Any]]:
    """Product-of-coefficients indirect effects with delta-method (Sobel) inference.

    a_k: two-way FE regression of mechanism k on GOV; b_k: two-way FE regression of SCA on
    GOV and all six mechanisms (parallel mediators), both with the study's controls.
    """
    outcome = fit_panel_model(
        data,
        PanelSpec(
            outcome=OUTCOME,
            regressors=[TREATMENT, *MECHANISMS],
            controls=controls,
            level=spec.level,
        ),
    )
    z_crit = float(stats.norm.ppf(0.5 + spec.level / 2))
    rows = []
    for mechanism in MECHANISMS:
        path_a = fit_panel_model(
            data,
            PanelSpec(outcome=mechanism, regressors=TREATMENT, controls=controls, level=spec.level),
        )
        a, se_a = float(path_a.params[TREATMENT]), float(path_a.std_errors[TREATMENT])
        b, se_b = float(outcome.params[mechanism]), float(outcome.std_errors[mechanism])
        indirect = a * b
        se = math.sqrt(a**2 * se_b**2 + b**2 * se_a**2)
        p_value = float(2 * stats.norm.sf(abs(indirect) / se)) if se > 0 else float("nan")
        rows.append(
            {
                "estimator": "mediation",
                "parameter": f"indirect_{mechanism}",
                "truth": float(effects["indirect_effects"][mechanism]),
                "estimate": indirect,
                "std_error": se,
                "ci_lower": indirect - z_crit * se,
                "ci_upper": indirect + z_crit * se,
                "p_value": p_value,
            }
        )
    return rows


def rows_are_finite(result: ReplicationResult) -> bool:
    """Whether every number of a replication is finite (a failed fit is not)."""
    return all(
        np.isfinite(row[key])
        for row in result.rows
        for key in ("estimate", "std_error", "ci_lower", "ci_upper")
    )
