"""Typed records of the panel estimation jobs (``results/estimates/panel/<job>.json``).

One class per JSON object the panel estimators write (see
:mod:`govcluster.panel.results` for the meaning of each field). The renderers read these
records, never the raw dicts. The layout of a job file::

    PanelJobRecord {schema_version (2), job, kind, columns, years, n_rows_outside_years,
                    result, wild_bootstrap}
      columns: {"entity": <the user's entity column>, "time": <the user's time column>}
        (govcluster.user_names.UserNames.to_dict): the names the whole record uses for the
        panel identifiers (spec.entity and spec.time, the keys of "clusters", the
        clustering column, the absorbed terms), ``cluster_id`` and ``year`` by default
      result: PanelEstimateRecord | PanelIVEstimateRecord | SpecificationTestsRecord
              | LocalProjectionsRecord | HeterogeneityRecord   (told apart by their kind)
      wild_bootstrap: WildBootstrapReportRecord | null
        (govcluster.inference.few_clusters.FewClusterReport.to_dict)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcluster.records.base import (
    PANEL_JOB_SCHEMA_VERSION,
    Record,
    RecordError,
    VersionedRecord,
    read_record,
    register_record,
)

# --------------------------------------------------------------------------- specifications


@dataclass(frozen=True)
class PanelSpecRecord(Record):
    """:meth:`govcluster.panel.spec.PanelSpec.to_dict`."""

    KINDS = ("panel",)

    kind: str
    name: str
    outcome: str
    regressors: tuple[str, ...]
    controls: tuple[str, ...]
    entity: str
    time: str
    estimator: str
    cov_type: str
    cluster: str | None
    lags: Mapping[str, tuple[int, ...]]
    small_sample: bool
    dk_bandwidth: int | None
    level: float
    absorb: tuple[str, ...]


@dataclass(frozen=True)
class PanelIVSpecRecord(Record):
    """:meth:`govcluster.panel.spec.PanelIVSpec.to_dict`."""

    KINDS = ("panel_iv",)

    kind: str
    name: str
    outcome: str
    endogenous: tuple[str, ...]
    instruments: tuple[str, ...]
    controls: tuple[str, ...]
    entity: str
    time: str
    estimator: str
    cov_type: str
    lags: Mapping[str, tuple[int, ...]]
    small_sample: bool
    dk_bandwidth: int | None
    level: float
    ar_null: float
    ar_grid_width: float
    ar_grid_points: int


@dataclass(frozen=True)
class LocalProjectionSpecRecord(Record):
    """:meth:`govcluster.panel.spec.LocalProjectionSpec.to_dict`."""

    KINDS = ("local_projections",)

    kind: str
    name: str
    outcome: str
    treatment: str
    controls: tuple[str, ...]
    horizons: int
    entity: str
    time: str
    estimator: str
    cov_type: str
    treatment_lags: tuple[int, ...]
    outcome_lags: tuple[int, ...]
    outcome_form: str
    sample: str
    small_sample: bool
    dk_bandwidth: int | None
    level: float


@dataclass(frozen=True)
class HeterogeneitySpecRecord(Record):
    """:meth:`govcluster.panel.spec.HeterogeneitySpec.to_dict`."""

    KINDS = ("heterogeneity",)

    kind: str
    name: str
    base: PanelSpecRecord
    by: str
    groups: Mapping[str, tuple[Any, ...]] | None


# --------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class TestRecord(Record):
    """:meth:`govcluster.panel.results.TestResult.to_dict` (``kind`` "test")."""

    __test__ = False  # not a pytest test class
    KINDS = ("test",)

    kind: str
    name: str
    null_hypothesis: str
    statistic: float | None
    df: float | None
    df_denom: float | None
    p_value: float | None
    distribution: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class HausmanTestRecord(TestRecord):
    """:meth:`govcluster.panel.results.HausmanTest.to_dict`."""

    generalized_inverse: bool
    rank: int
    compared: tuple[str, ...]


@dataclass(frozen=True)
class CoefficientRecord(Record):
    """One row of a coefficient table."""

    name: str
    estimate: float | None
    std_error: float | None
    statistic: float | None
    p_value: float | None
    ci_lower: float | None
    ci_upper: float | None


@dataclass(frozen=True)
class CovarianceRecord(Record):
    """Covariance of the reported coefficients."""

    names: tuple[str, ...]
    matrix: tuple[tuple[float | None, ...], ...]


@dataclass(frozen=True)
class InferenceRecord(Record):
    """Reference distribution of the t and F tests."""

    distribution: str
    df: int | None
    correction: str
    level: float


@dataclass(frozen=True)
class FirstStageInstrumentRecord(Record):
    """An excluded instrument in a first stage."""

    name: str
    estimate: float | None
    std_error: float | None


@dataclass(frozen=True)
class FirstStageRecord(Record):
    """:meth:`govcluster.panel.iv.FirstStage.to_dict`."""

    endogenous: str
    instruments: tuple[FirstStageInstrumentRecord, ...]
    f_statistic: float | None
    f_df: int | None
    f_df_denom: float | None
    f_p_value: float | None
    f_homoskedastic: float | None
    partial_r2: float | None


@dataclass(frozen=True)
class AndersonRubinRecord(Record):
    """:meth:`govcluster.panel.iv.AndersonRubin.to_dict` (null bounds are infinite)."""

    test: TestRecord
    null_value: float
    level: float
    confidence_set: tuple[tuple[float | None, float | None], ...] | None
    bounded: bool | None
    grid: tuple[float, ...] | None
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- estimates


class _CoefficientsAccess:
    """Lookups shared by the estimate records."""

    coefficients: tuple[CoefficientRecord, ...]

    def coefficient(self, name: str) -> CoefficientRecord | None:
        """The coefficient called ``name`` (None if the estimate has none of that name)."""
        return next((entry for entry in self.coefficients if entry.name == name), None)

    @property
    def coefficient_names(self) -> tuple[str, ...]:
        """Names of the reported coefficients, in order."""
        return tuple(entry.name for entry in self.coefficients)


@register_record
@dataclass(frozen=True)
class PanelEstimateRecord(VersionedRecord, _CoefficientsAccess):
    """:meth:`govcluster.panel.results.PanelEstimate.to_dict`."""

    KINDS = ("panel_estimate",)

    schema_version: int
    kind: str
    name: str
    spec: PanelSpecRecord
    estimator: str
    cov_type: str
    cov_description: str
    dependent: str
    fixed_effects: tuple[str, ...]
    coefficients: tuple[CoefficientRecord, ...]
    covariance: CovarianceRecord
    inference: InferenceRecord
    n_obs: int
    n_entities: int
    n_periods: int
    n_clusters: int | None
    clusters: Mapping[str, int]
    n_input_rows: int
    n_dropped: Mapping[str, int]
    first_year: int
    last_year: int
    r2: float | None
    mean_dependent: float | None
    dk_bandwidth: int | None
    r2_within: float | None
    poolability: TestRecord | None
    warnings: tuple[str, ...]
    base_levels: Mapping[str, str]

    @property
    def treatment(self) -> str:
        """The variable of interest: the first regressor."""
        return self.spec.regressors[0]


@register_record
@dataclass(frozen=True)
class PanelIVEstimateRecord(VersionedRecord, _CoefficientsAccess):
    """:meth:`govcluster.panel.iv.PanelIVEstimate.to_dict`."""

    KINDS = ("panel_iv_estimate",)

    schema_version: int
    kind: str
    name: str
    spec: PanelIVSpecRecord
    estimator: str
    cov_type: str
    cov_description: str
    dependent: str
    fixed_effects: tuple[str, ...]
    coefficients: tuple[CoefficientRecord, ...]
    covariance: CovarianceRecord
    inference: InferenceRecord
    n_obs: int
    n_entities: int
    n_periods: int
    n_clusters: int | None
    clusters: Mapping[str, int]
    n_input_rows: int
    n_dropped: Mapping[str, int]
    first_year: int
    last_year: int
    r2: float | None
    mean_dependent: float | None
    dk_bandwidth: int | None
    first_stages: tuple[FirstStageRecord, ...]
    kleibergen_paap_rk_wald_f: float | None
    underidentification: TestRecord
    anderson_rubin: AndersonRubinRecord
    warnings: tuple[str, ...]
    underidentification_lm: TestRecord | None
    endogeneity: TestRecord | None

    @property
    def treatment(self) -> str:
        """The variable of interest: the first endogenous regressor."""
        return self.spec.endogenous[0]


@register_record
@dataclass(frozen=True)
class SpecificationTestsRecord(VersionedRecord):
    """:meth:`govcluster.panel.spectests.SpecificationTests.to_dict`."""

    KINDS = ("specification_tests",)

    schema_version: int
    kind: str
    spec: PanelSpecRecord
    poolability: TestRecord
    breusch_pagan: TestRecord
    hausman: HausmanTestRecord
    mundlak: TestRecord

    def test(self, key: str) -> TestRecord:
        """The test called ``key`` (poolability, breusch_pagan, hausman or mundlak)."""
        if key not in ("poolability", "breusch_pagan", "hausman", "mundlak"):
            raise KeyError(f"no specification test {key!r}")
        return getattr(self, key)


@dataclass(frozen=True)
class HorizonRecord(Record):
    """One horizon of :meth:`govcluster.panel.horizons.LocalProjections.table`."""

    horizon: int
    dependent: str
    estimate: float | None
    std_error: float | None
    p_value: float | None
    ci_lower: float | None
    ci_upper: float | None
    n_obs: int | None
    n_entities: int | None
    n_clusters: int | None


@register_record
@dataclass(frozen=True)
class LocalProjectionsRecord(VersionedRecord):
    """:meth:`govcluster.panel.horizons.LocalProjections.to_dict`."""

    KINDS = ("local_projections",)

    schema_version: int
    kind: str
    spec: LocalProjectionSpecRecord
    n_excluded_fixed_sample: int
    table: tuple[HorizonRecord, ...]
    estimates: tuple[PanelEstimateRecord, ...]

    @property
    def treatment(self) -> str:
        """The treatment whose effect is projected."""
        return self.spec.treatment


@dataclass(frozen=True)
class GroupEffectRecord(Record):
    """One group of :meth:`govcluster.panel.heterogeneity.HeterogeneityResult.table`."""

    group: str
    split_estimate: float | None
    split_std_error: float | None
    split_p_value: float | None
    split_n_obs: int | None
    split_n_entities: int | None
    interaction_estimate: float | None
    interaction_std_error: float | None
    interaction_p_value: float | None


@register_record
@dataclass(frozen=True)
class HeterogeneityRecord(VersionedRecord):
    """:meth:`govcluster.panel.heterogeneity.HeterogeneityResult.to_dict`."""

    KINDS = ("heterogeneity",)

    schema_version: int
    kind: str
    spec: HeterogeneitySpecRecord
    treatment: str
    groups: Mapping[str, tuple[Any, ...]]
    n_excluded_rows: int
    table: tuple[GroupEffectRecord, ...]
    equal_effects: TestRecord
    split: Mapping[str, PanelEstimateRecord]
    interaction: PanelEstimateRecord


# --------------------------------------------------------------------------- job files


@dataclass(frozen=True)
class WildBootstrapRowRecord(Record):
    """One coefficient of :class:`WildBootstrapReportRecord` (infinite bounds as text)."""

    coefficient: str
    estimate: float
    std_error: float
    t_stat: float
    p_value_cluster: float
    conf_int_cluster: tuple[float | str, float | str]
    p_value_wild: float | None
    conf_int_wild: tuple[float | str, float | str] | None


@dataclass(frozen=True)
class WildBootstrapReportRecord(VersionedRecord):
    """:meth:`govcluster.inference.few_clusters.FewClusterReport.to_dict`."""

    KINDS = ("few_cluster_inference",)

    schema_version: int
    kind: str
    rows: tuple[WildBootstrapRowRecord, ...]
    cluster: str
    n_clusters: int
    n_obs: int
    wild_reported: bool
    threshold: int
    bootstrap_type: str
    weights: str
    n_draws: int
    enumerated: bool
    seed: int | None
    level: float
    note_en: str
    note_zh: str

    def row(self, coefficient: str) -> WildBootstrapRowRecord | None:
        """The row of ``coefficient`` (None if the report has none of that name)."""
        return next((r for r in self.rows if r.coefficient == coefficient), None)

    def note(self, language: str) -> str:
        """The table note in ``language`` (``"zh"`` or English)."""
        return self.note_zh if language == "zh" else self.note_en


@dataclass(frozen=True)
class PanelJobRecord(VersionedRecord):
    """One job file ``results/estimates/panel/<job>.json``.

    ``kind`` is the job's kind (an estimator of :mod:`govcluster.registry`); ``result`` is
    read with the record class registered for the result's own ``kind``. ``columns`` names
    the entity and time columns as the user's file does (``{"entity": "firm_id", "time":
    "fyear"}``): the result uses these names wherever it names a panel identifier;
    :attr:`user_names` maps them back to the pipeline's (schema version 2; version 1 had no
    ``columns`` and used ``cluster_id`` and ``year``).
    """

    VERSION = PANEL_JOB_SCHEMA_VERSION

    schema_version: int
    job: str
    kind: str
    columns: Mapping[str, str]
    years: tuple[int, int] | None
    n_rows_outside_years: int
    result: Any
    wild_bootstrap: WildBootstrapReportRecord | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str | None = None):
        """Read a job file (see :meth:`Record.from_dict`); the result by its own kind."""
        where = where or f"panel job {data.get('job', '?') if isinstance(data, Mapping) else '?'}"
        record = super().from_dict(data, where=where)
        if not isinstance(data["result"], Mapping):
            raise RecordError(f"{where}.result: expected an object")
        result = read_record(data["result"], where=f"{where}.result")
        object.__setattr__(record, "result", result)
        return record

    @property
    def user_names(self):
        """The :class:`~govcluster.user_names.UserNames` of ``columns`` (names only)."""
        from govcluster.user_names import UserNames

        return UserNames.from_columns(self.columns)


def as_job_record(record: PanelJobRecord | Mapping[str, Any]) -> PanelJobRecord:
    """``record`` as a :class:`PanelJobRecord` (read from its dict if need be)."""
    if isinstance(record, PanelJobRecord):
        return record
    return PanelJobRecord.from_dict(record)


def as_job_records(
    records: Mapping[str, PanelJobRecord | Mapping[str, Any]],
) -> dict[str, PanelJobRecord]:
    """Job name -> :class:`PanelJobRecord`, in the given order."""
    return {name: as_job_record(record) for name, record in records.items()}
