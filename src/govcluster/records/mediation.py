"""Typed record of the mediation analysis (``results/estimates/mediation.json``).

One class per JSON object of :meth:`govcluster.mediation.results.MediationResults.to_dict`
(whose docstring gives the meaning of each field). The renderers read these records, never
the raw dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcluster.records.base import Record, VersionedRecord, register_record

#: Label of the total indirect effect (the sum over mediators) in every table and record; the
#: one definition (govcluster.mediation.crossprod re-exports it for the estimators).
TOTAL = "TOTAL"

Number = float | None


@dataclass(frozen=True)
class MediationSpecRecord(Record):
    """What was asked for."""

    treatment: str
    mediators: tuple[str, ...]
    outcome: str
    controls: tuple[str, ...]
    entity: str
    time: str
    effects: str
    instruments: tuple[str, ...]
    n_boot: int
    seed: int
    ci_level: float
    ci_method: str
    n_mc: int
    rho_grid: tuple[float, ...]
    block_size: int


@dataclass(frozen=True)
class OmittedColumnRecord(Record):
    """A control left out of the estimation, and why."""

    column: str
    reason: str


@dataclass(frozen=True)
class MediationSampleRecord(Record):
    """The estimation sample."""

    n_obs: int
    n_entities: int
    n_periods: int
    first_period: Any
    last_period: Any
    balanced: bool
    n_dropped_missing: int
    n_singletons: int
    nuisance: tuple[str, ...]
    controls_used: tuple[str, ...]
    omitted: tuple[OmittedColumnRecord, ...]
    se: str


@dataclass(frozen=True)
class IdentifiedEffectRecord(Record):
    """Effect of the treatment on one mechanism (or the outcome), FE and FE-IV."""

    variable: str
    role: str
    fe_estimate: Number
    fe_se: Number
    fe_pvalue: Number
    fe_ci_lower: Number
    fe_ci_upper: Number
    iv_estimate: Number
    iv_se: Number
    iv_pvalue: Number
    iv_ci_lower: Number
    iv_ci_upper: Number


@dataclass(frozen=True)
class MediationFirstStageRecord(Record):
    """First stage of the FE-IV design."""

    instruments: tuple[str, ...]
    coefficients: tuple[Number, ...]
    se: tuple[Number, ...]
    f_cluster: Number
    f_conventional: Number
    df_num: int | None
    df_den: int | None
    pvalue: Number


@dataclass(frozen=True)
class IdentificationRecord(Record):
    """Primary mechanism evidence."""

    role: str
    design: str
    effects: tuple[IdentifiedEffectRecord, ...]
    first_stage: MediationFirstStageRecord | None
    caveat_en: str
    caveat_zh: str

    def effect(self, variable: str) -> IdentifiedEffectRecord | None:
        """The effect on ``variable`` (None if not estimated)."""
        return next((e for e in self.effects if e.variable == variable), None)


@dataclass(frozen=True)
class PathRecord(Record):
    """A path coefficient: a (T on M), b (M on Y), c (total) or c_prime (direct)."""

    name: str
    path: str
    mediator: str | None
    model: str
    estimate: Number
    se: Number
    t: Number
    pvalue: Number
    ci_lower: Number
    ci_upper: Number
    k: int | None


@dataclass(frozen=True)
class IndirectEffectRecord(Record):
    """A specific (or the total, :data:`TOTAL`) indirect effect of the parallel model."""

    mediator: str
    estimate: Number
    se: Number
    ci_lower: Number
    ci_upper: Number
    pvalue: Number


@dataclass(frozen=True)
class ContrastRecord(Record):
    """Difference of two specific indirect effects, ``"<m_j>-<m_k>"``."""

    contrast: str
    estimate: Number
    se: Number
    ci_lower: Number
    ci_upper: Number
    pvalue: Number


@dataclass(frozen=True)
class ProportionRecord(Record):
    """Proportion mediated with its bootstrap interval."""

    mediator: str
    estimate: Number
    ci_lower: Number
    ci_upper: Number


@dataclass(frozen=True)
class SingleMediatorRecord(Record):
    """One mediator analysed alone."""

    mediator: str
    a: Number
    se_a: Number
    p_a: Number
    b: Number
    se_b: Number
    p_b: Number
    c_prime: Number
    se_c_prime: Number
    p_c_prime: Number
    indirect: Number
    se: Number
    ci_lower: Number
    ci_upper: Number
    pvalue: Number
    proportion: Number


@dataclass(frozen=True)
class InferenceRowRecord(Record):
    """One test or interval of one indirect effect."""

    effect: str
    model: str
    mediator: str | None
    method: str
    estimate: Number
    se: Number
    statistic: Number
    pvalue: Number
    ci_lower: Number
    ci_upper: Number


@dataclass(frozen=True)
class StepwiseDecisionRecord(Record):
    """Wen-Ye (2014) verdict for one mediator and model."""

    mediator: str
    model: str
    c: Number
    p_c: Number
    basis: str
    a: Number
    p_a: Number
    b: Number
    p_b: Number
    indirect: Number
    ci_lower: Number
    ci_upper: Number
    bootstrap_used: bool
    indirect_significant: bool
    evidence: str
    c_prime: Number
    p_c_prime: Number
    verdict: str
    verdict_zh: str
    effect_ratio: Number
    effect_ratio_kind: str | None


@dataclass(frozen=True)
class StepwiseRecord(Record):
    """Wen-Ye verdicts with their reference."""

    reference: str
    decisions: tuple[StepwiseDecisionRecord, ...]


@dataclass(frozen=True)
class SensitivityCurveRecord(Record):
    """ACME as a function of the sensitivity parameter rho."""

    rho: tuple[Number, ...]
    acme: tuple[Number, ...]
    ci_lower: tuple[Number, ...]
    ci_upper: tuple[Number, ...]


@dataclass(frozen=True)
class CausalMediatorRecord(Record):
    """IKY (2010) causal mediation of one mediator."""

    mediator: str
    acme: Number
    acme_ci: tuple[Number, Number]
    ade: Number
    ade_ci: tuple[Number, Number]
    total: Number
    total_ci: tuple[Number, Number]
    proportion_mediated: Number
    rho_at_zero: Number
    rho_at_zero_ci: tuple[Number, Number]
    r2_product_residual: Number
    r2_product_total: Number
    r2_mediator: Number
    r2_outcome: Number
    sigma_ratio: Number
    curve: SensitivityCurveRecord


@dataclass(frozen=True)
class CausalRecord(Record):
    """Causal mediation of every mediator, with the reference."""

    reference: str
    mediators: tuple[CausalMediatorRecord, ...]


@dataclass(frozen=True)
class BootstrapRecord(Record):
    """How the bootstrap went."""

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
    scheme: str


@register_record
@dataclass(frozen=True)
class MediationRecord(VersionedRecord):
    """``results/estimates/mediation.json``."""

    KINDS = ("mediation_result",)

    schema_version: int
    kind: str
    schema: str
    spec: MediationSpecRecord
    sample: MediationSampleRecord
    identification: IdentificationRecord
    paths: tuple[PathRecord, ...]
    indirect: tuple[IndirectEffectRecord, ...]
    contrasts: tuple[ContrastRecord, ...]
    proportion_mediated: tuple[ProportionRecord, ...]
    single: tuple[SingleMediatorRecord, ...]
    inference: tuple[InferenceRowRecord, ...]
    stepwise: StepwiseRecord
    causal: CausalRecord
    bootstrap: BootstrapRecord

    def path(self, name: str) -> PathRecord | None:
        """The path coefficient called ``name`` (e.g. ``"a[OPEN]"``, ``"c"``)."""
        return next((p for p in self.paths if p.name == name), None)

    def indirect_effect(self, mediator: str) -> IndirectEffectRecord | None:
        """The parallel-model indirect effect through ``mediator`` (or :data:`TOTAL`)."""
        return next((row for row in self.indirect if row.mediator == mediator), None)

    def proportion(self, mediator: str) -> ProportionRecord | None:
        """The proportion mediated through ``mediator`` (or :data:`TOTAL`)."""
        return next((row for row in self.proportion_mediated if row.mediator == mediator), None)


def as_mediation_record(record: MediationRecord | Mapping[str, Any]) -> MediationRecord:
    """``record`` as a :class:`MediationRecord` (read from its dict if need be)."""
    if isinstance(record, MediationRecord):
        return record
    return MediationRecord.from_dict(record, where="mediation results")


__all__ = ["TOTAL", "MediationRecord", "as_mediation_record"]
