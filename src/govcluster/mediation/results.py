"""What was asked (:class:`MediationSpec`) and what was found (:class:`MediationResults`).

``MediationResults.to_dict()`` returns plain JSON types (dict, list, str, int, float, bool,
None; NaN and infinities become None). Schema ``"govcluster.mediation/1"``::

    {
      "schema_version": 1, "kind": "mediation_result",   # see govcluster.records
      "schema": "govcluster.mediation/1",
      "spec": {treatment, mediators[], outcome, controls[], entity, time,
               effects: "twoway"|"entity"|"none", instruments[], n_boot, seed, ci_level,
               ci_method: "bca"|"percentile", n_mc, rho_grid[], block_size},
      "sample": {n_obs, n_entities, n_periods, first_period, last_period, balanced,
                 n_dropped_missing, n_singletons, nuisance[], controls_used[],
                 omitted: [{column, reason}], se: <text on the SE convention>},
      "identification": {            # primary mechanism evidence (Jiang 2022)
          role: "primary_evidence", design: "FE"|"FE-IV"|"pooled"|"pooled-IV",
          effects: [{variable, role: "mechanism"|"outcome", fe_estimate, fe_se, fe_pvalue,
                     fe_ci_lower, fe_ci_upper, iv_estimate, iv_se, iv_pvalue,
                     iv_ci_lower, iv_ci_upper}],
          first_stage: null | {instruments[], coefficients[], se[], f_cluster,
                               f_conventional, df_num, df_den, pvalue},
          caveat_en, caveat_zh},
      "paths": [{name, path: "a"|"b"|"c"|"c_prime", mediator|null, model, estimate, se, t,
                 pvalue, ci_lower, ci_upper, k}],
      "indirect": [{mediator ("TOTAL" last), estimate, se, ci_lower, ci_upper, pvalue}],
      "contrasts": [{contrast: "<m_j>-<m_k>", estimate, se, ci_lower, ci_upper, pvalue}],
      "proportion_mediated": [{mediator, estimate, ci_lower, ci_upper}],
      "single": [{mediator, a, se_a, p_a, b, se_b, p_b, c_prime, se_c_prime, p_c_prime,
                  indirect, se, ci_lower, ci_upper, pvalue, proportion}],
      "inference": [{effect, model: "parallel"|"single", mediator, method:
                     "sobel"|"aroian"|"delta"|"joint_significance"|"monte_carlo"|
                     "percentile"|"bca", estimate, se, statistic, pvalue, ci_lower,
                     ci_upper}],
      "stepwise": {reference, decisions: [{mediator, model, c, p_c, basis, a, p_a, b, p_b,
                   indirect, ci_lower, ci_upper, bootstrap_used, indirect_significant,
                   evidence, c_prime, p_c_prime, verdict, verdict_zh, effect_ratio,
                   effect_ratio_kind}]},
      "causal": {reference, mediators: [{mediator, acme, acme_ci[2], ade, ade_ci[2], total,
                 total_ci[2], proportion_mediated, rho_at_zero, rho_at_zero_ci[2],
                 r2_product_residual, r2_product_total, r2_mediator, r2_outcome,
                 sigma_ratio, curve: {rho[], acme[], ci_lower[], ci_upper[]}}]},
      "bootstrap": {scheme, n_boot, n_valid, n_degenerate, degenerate_replicates[],
                    n_nuisance_deficient, n_jackknife_degenerate, draw_block, block_size,
                    seed, ci_method, ci_level}
    }

In the tables, ``se`` of a bootstrap row is the standard deviation of the valid replicates,
``ci_lower``/``ci_upper`` the ``ci_method`` interval and ``pvalue`` the p-value that inverts it
(see :mod:`govcluster.mediation.inference`). The draws themselves are in
:attr:`MediationResults.boot` and :attr:`MediationResults.boot_stats`, not in ``to_dict``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from govcluster.mediation.causal import CausalMediation
from govcluster.mediation.design import Effects
from govcluster.mediation.identification import IdentificationResult
from govcluster.mediation.stepwise import StepwiseDecision
from govcluster.records.base import SCHEMA_VERSION

SCHEMA = "govcluster.mediation/1"
CIMethod = Literal["bca", "percentile"]

WEN_YE_2014 = "温忠麟, 叶宝娟 (2014). 中介效应分析：方法和模型发展. 心理科学进展, 22(5), 731-745."
IKY_2010 = (
    "Imai, K., Keele, L., Yamamoto, T. (2010). Identification, inference and sensitivity "
    "analysis for causal mediation effects. Statistical Science, 25(1), 51-71."
)
SE_NOTE = (
    "Entity-clustered standard errors, V = G/(G-1) * (n-1)/(n-k) * sandwich, k counting the "
    "slopes, year dummies and one intercept but not the entity effects (Stata xtreg, fe "
    "vce(cluster)); t tests with G-1 degrees of freedom."
)


def _clean(value: object) -> object:
    """Convert numpy and pandas scalars to JSON types; NaN and inf to None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_clean(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is None or isinstance(value, str):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def records(frame: pd.DataFrame, index_name: str) -> list[dict]:
    """Rows of ``frame`` as JSON-ready dicts, the index under ``index_name``."""
    out = []
    for label, row in frame.iterrows():
        rec = {index_name: _clean(label)}
        rec.update({str(k): _clean(v) for k, v in row.items()})
        out.append(rec)
    return out


@dataclass(frozen=True)
class MediationSpec:
    """The analysis that was asked for (see :func:`govcluster.mediation.panel_mediation`)."""

    treatment: str
    mediators: tuple[str, ...]
    outcome: str
    controls: tuple[str, ...]
    entity: str
    time: str
    effects: Effects
    instruments: tuple[str, ...]
    n_boot: int
    seed: int
    ci_level: float
    ci_method: CIMethod
    n_mc: int
    rho_grid: tuple[float, ...]
    block_size: int

    def to_dict(self) -> dict:
        """The JSON form; numpy scalars become Python ones, NaN and infinities null."""
        return _clean(dict(self.__dict__))  # type: ignore[return-value]


@dataclass(frozen=True)
class SampleInfo:
    """The estimation sample."""

    n_obs: int
    n_entities: int
    n_periods: int
    first_period: object
    last_period: object
    balanced: bool
    n_dropped_missing: int
    n_singletons: int
    nuisance: tuple[str, ...]
    controls_used: tuple[str, ...]
    omitted: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict:
        """The JSON form, with the omitted columns and reasons and a note on the standard errors."""
        out = _clean({k: v for k, v in self.__dict__.items() if k != "omitted"})
        out["omitted"] = [{"column": c, "reason": r} for c, r in self.omitted]  # type: ignore[index]
        out["se"] = SE_NOTE  # type: ignore[index]
        return out  # type: ignore[return-value]


@dataclass(frozen=True)
class BootstrapInfo:
    """How the bootstrap went.

    Attributes
    ----------
    n_boot, n_valid, n_degenerate : int
        Degenerate replicates (a reported coefficient not identified) are excluded from the
        intervals and listed in ``degenerate_replicates`` (0-based replicate numbers).
    n_nuisance_deficient : int
        Valid replicates in which a nuisance column (e.g. a year nobody drawn observes) was not
        identified.
    n_jackknife_degenerate : int
        Leave-one-entity-out samples excluded from the BCa acceleration.
    """

    n_boot: int
    n_valid: int
    n_degenerate: int
    degenerate_replicates: tuple[int, ...]
    n_nuisance_deficient: int
    n_jackknife_degenerate: int
    draw_block: int
    block_size: int
    seed: int
    ci_method: str
    ci_level: float

    def to_dict(self) -> dict:
        """The JSON form, with a sentence describing the bootstrap scheme."""
        out = _clean(dict(self.__dict__))
        out["scheme"] = (  # type: ignore[index]
            "entity-block (cluster) bootstrap: entities drawn with replacement, every copy a "
            "new entity with its own fixed effect; replicates computed exactly from per-entity "
            "cross-products"
        )
        return out  # type: ignore[return-value]


@dataclass(frozen=True)
class MediationResults:
    """Results of :func:`govcluster.mediation.panel_mediation`.

    Attributes
    ----------
    spec : MediationSpec
    sample : SampleInfo
    identification : IdentificationResult
        Effect of the treatment on each mechanism with the main design (and FE-IV): the primary
        mechanism evidence.
    paths : pandas.DataFrame
        ``a[m]`` (T on M), ``c`` (total), ``c_prime`` and ``b[m]`` (parallel outcome model):
        estimate, se, t, pvalue, ci_lower, ci_upper (clustered, t with G-1 df), k.
    indirect : pandas.DataFrame
        Specific indirect effects :math:`a_kb_k` (parallel model), indexed by mediator, and
        ``"TOTAL"``: estimate, se, ci_lower, ci_upper, pvalue (bootstrap).
    contrasts : pandas.DataFrame
        Pairwise differences of specific indirect effects.
    proportion : pandas.DataFrame
        Proportion mediated (indirect / c), with bootstrap interval.
    single : pandas.DataFrame
        Each mediator analysed alone.
    inference : pandas.DataFrame
        Every test and interval of every indirect effect (long format).
    stepwise : tuple of StepwiseDecision
        Wen-Ye (2014) verdicts, single and parallel.
    causal : tuple of CausalMediation
        IKY (2010) ACME/ADE and sensitivity, one mediator at a time.
    bootstrap : BootstrapInfo
    boot : pandas.DataFrame
        ``n_boot x K`` bootstrap draws of the specific indirect effects (NaN rows: degenerate).
    boot_stats : pandas.DataFrame
        ``n_boot x n_stats`` draws of every statistic.
    jackknife : pandas.DataFrame
        Leave-one-entity-out values of every statistic (index: entity label).
    """

    spec: MediationSpec
    sample: SampleInfo
    identification: IdentificationResult
    paths: pd.DataFrame
    indirect: pd.DataFrame
    contrasts: pd.DataFrame
    proportion: pd.DataFrame
    single: pd.DataFrame
    inference: pd.DataFrame
    stepwise: tuple[StepwiseDecision, ...]
    causal: tuple[CausalMediation, ...]
    bootstrap: BootstrapInfo
    boot: pd.DataFrame
    boot_stats: pd.DataFrame
    jackknife: pd.DataFrame

    def to_dict(self) -> dict:
        """JSON-serialisable results (schema in the module docstring)."""
        paths = self.paths.copy()
        paths["mediator"] = paths["mediator"].astype(object).where(paths["mediator"].ne(""), None)
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "mediation_result",
            "schema": SCHEMA,
            "spec": self.spec.to_dict(),
            "sample": self.sample.to_dict(),
            "identification": _clean(self.identification.to_dict()),
            "paths": records(paths, "name"),
            "indirect": records(self.indirect, "mediator"),
            "contrasts": records(self.contrasts, "contrast"),
            "proportion_mediated": records(self.proportion, "mediator"),
            "single": records(self.single, "mediator"),
            "inference": [_clean(r) for r in self.inference.to_dict(orient="records")],
            "stepwise": {
                "reference": WEN_YE_2014,
                "decisions": [_clean(d.to_dict()) for d in self.stepwise],
            },
            "causal": {
                "reference": IKY_2010,
                "mediators": [_clean(c.to_dict()) for c in self.causal],
            },
            "bootstrap": self.bootstrap.to_dict(),
        }

    def verdicts(self, model: str = "single") -> pd.Series:
        """Wen-Ye verdict per mediator for ``model`` ("single" or "parallel")."""
        return pd.Series(
            {d.mediator: d.verdict for d in self.stepwise if d.model == model}, name="verdict"
        )
