"""Every number of the data-generating process, checked (:class:`SimulationParameters`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from govcluster.errors import ConfigError
from govcluster.simulate.design import MECHANISMS

_DEFAULT_A = (0.40, 0.30, 0.35, 0.0, 0.30, 0.25)
_DEFAULT_B = (0.30, 0.25, 0.20, 0.30, 0.0, 0.20)
_SEQUENCE_FIELDS = ("a", "b", "lag_effects", "case_study_effect")
_SHARE_FIELDS = (
    "designation_share",
    "duplicate_share",
    "yi_yuan_row_share",
    "thousands_separator_share",
    "missing_cell_share",
    "province_variant_share",
    "name_variant_share",
)
_COUNT_FIELDS = ("gap_clusters", "gap_max_years", "n_typos", "case_study_cluster")
_POSITIVE_FIELDS = (
    "mu_sd",
    "gov_noise_sd",
    "mechanism_noise_sd",
    "sca_noise_sd",
    "employment_median",
    "firm_size_median",
    "gdp_per_capita_east",
    "gdp_per_capita_central",
    "gdp_per_capita_west",
    "typo_factor",
)


@dataclass(frozen=True)
class SimulationParameters:
    """Every number of the data-generating process (see the module docstring).

    Any field can be overridden through ``simulate_cluster_panel(**params)`` or
    ``simulate.params`` in config/config.yaml. ``a`` and ``b`` take six values in the order of
    :data:`MECHANISMS` (a list, or a mapping naming some mechanisms, the others keeping their
    default).

    Attributes
    ----------
    province_weight_east, province_weight_central, province_weight_west : float
        Relative probability that a cluster lies in a given province of each region.
    founding_year_min, founding_year_max : int
        Range of founding years (uniform).
    mu_mean_east, mu_mean_central, mu_mean_west : float
        Mean of the latent cluster effect ``mu_i`` by region (lower in less-developed regions).
    mu_sd : float
        Standard deviation of ``mu_i`` within a region.
    year_effect_sd : float
        Standard deviation of the iid part of the year effects of SCA and of each mechanism.
    year_trend : float
        Linear trend of those year effects per year.
    designation_share : float
        Expected share of clusters designated provincial demonstration clusters.
    designation_mu_slope : float
        Slope of the logit of the designation probability in ``mu_i`` (selection on ``mu``).
    designation_first_year, designation_last_year : int
        Designation years are uniform over this range (staggered adoption).
    gov_mu_loading, gov_d_effect, gov_z_effect : float
        Effects of ``mu_i``, the designation ``D_it`` and the instrument ``Z_it`` on GOV before
        standardisation. The designation's effect is ``gov_d_effect`` times the exposure and
        cohort profile ``h(g, e)`` below.
    designation_effect_growth : float
        Relative growth per year of exposure of the designation's effect on GOV:
        ``h(g, e) = (1 + designation_effect_growth * e) * cohort factor`` for event time
        ``e = t - g >= 0``. Because GOV acts on the mechanisms and SCA, the designation's
        effect on SCA (ATT(g, t), recorded in the truth) grows with exposure.
    designation_cohort_gradient : float
        Heterogeneity across cohorts: the cohort factor is ``1 + designation_cohort_gradient *
        (designation_last_year - g) / (designation_last_year - designation_first_year)``, so
        the earliest cohort's effect is ``1 + gradient`` times the latest cohort's. Zero and
        zero growth make the effect homogeneous and static TWFE unbiased.
    pretrend_violation : float
        Differential linear trend of SCA (latent units per year, ``(t - first year)``) of the
        clusters that are ever designated, in their untreated outcome: parallel trends fail
        (pre-trends appear, post-period estimates are biased by the continued trend). Zero by
        default; the true ATT(g, t) does not include it.
    case_study_cluster : int
        1-based position of the flagship case-study cluster (cluster ``C0001`` for 1), 0 for
        none. This cluster is never designated (it is excluded from the designation cohorts)
        and receives a one-off intervention in ``case_study_year`` whose effect on latent SCA
        follows ``case_study_effect``.
    case_study_year : int
        Year of the case-study intervention.
    case_study_effect : tuple of float
        Effect of the case-study intervention on latent SCA (in latent SCA units, the units of
        the SCA equation) 0, 1, 2, ... years after the intervention; the last value persists.
    gov_noise_sd : float
        Standard deviation of the iid noise of GOV before standardisation.
    endogeneity : float
        Coefficient of the iid confounder ``V_it ~ N(0, 1)`` in GOV (before standardisation)
        and in SCA. Zero makes two-way fixed effects unbiased; positive values bias them upward
        and leave the instrument valid.
    a : tuple of float
        Effect of GOV on each mechanism in the east (default INNOV = 0).
    heterogeneity : float
        Relative increase of ``a_k`` in less-developed (central and west) regions:
        ``a_k (1 + heterogeneity)`` there.
    mechanism_mu_loading : float
        Loading of the mechanisms on ``mu_i``.
    mechanism_noise_sd : float
        Standard deviation of the iid noise of each mechanism.
    b : tuple of float
        Effect of each mechanism on SCA (default BRAND = 0).
    c_prime : float
        Direct contemporaneous effect of GOV on SCA.
    lag_effects : tuple of float
        Effects of GOV lagged 1, 2, ... years on SCA (persistence of intervention).
    sca_ar_rho : float
        Autocorrelation of the AR(1) shock of SCA, in (-1, 1).
    sca_noise_sd : float
        Standard deviation of the innovations of that shock.
    effect_ln_employment, effect_ln_firms, effect_cluster_age, effect_ln_gdp_pc : float
        Effects of the controls on SCA. Cluster age is year minus founding year, which two-way
        fixed effects absorb entirely, so its effect is not identified and defaults to zero.
    employment_median : float
        Median employment (persons) of a cluster in the first year.
    employment_log_sd : float
        Between-cluster standard deviation of log employment.
    employment_mu_loading : float
        Loading of log employment on ``mu_i``.
    employment_growth_mean, employment_growth_sd : float
        Mean and between-cluster standard deviation of the yearly growth of log employment.
    employment_noise_sd : float
        Standard deviation of the iid yearly noise of log employment.
    firm_size_median : float
        Median persons per firm (n_firms = employment / firm size).
    firm_size_log_sd : float
        Between-cluster standard deviation of log firm size.
    firm_count_noise_sd : float
        Standard deviation of the iid yearly noise of log number of firms.
    gdp_per_capita_east, gdp_per_capita_central, gdp_per_capita_west : float
        Provincial GDP per capita (元) in the first year, by region.
    gdp_per_capita_province_sd : float
        Between-province standard deviation of log GDP per capita within a region.
    gdp_per_capita_growth, gdp_per_capita_growth_sd : float
        Mean and between-province standard deviation of yearly growth of log GDP per capita.
    gdp_per_capita_noise_sd : float
        Standard deviation of the province-year noise of log GDP per capita.
    inflation_mean, inflation_sd : float
        Mean and standard deviation of provincial yearly inflation (CPI = 100 in the first
        year).
    reliability : float
        Share of the variance of each indicator's latent response due to its construct.
    duplicate_share : float
        Share of rows written twice (exact duplicates next to the original).
    yi_yuan_row_share : float
        Share of rows reporting all money columns in 亿元 (money_unit = "亿元").
    thousands_separator_share : float
        Share of money, count and amount cells of at least 1,000 written with thousands
        separators ("12,345.60").
    missing_cell_share : float
        Share of indicator cells left empty.
    gap_clusters : int
        Number of clusters missing whole years (rows removed).
    gap_max_years : int
        Maximum length of the run of missing years of such a cluster (interior years).
    n_typos : int
        Number of cells multiplied by ``typo_factor`` (money, count and amount indicators only,
        never in a 亿元 row, at most one per cluster and variable).
    typo_factor : float
        Factor of the typos.
    province_variant_share : float
        Share of rows whose province is spelled differently (short name, stray whitespace).
    name_variant_share : float
        Share of rows whose cluster name carries a stray ASCII or full-width space.
    """

    province_weight_east: float = 3.0
    province_weight_central: float = 1.5
    province_weight_west: float = 1.0
    founding_year_min: int = 1978
    founding_year_max: int = 2005
    mu_mean_east: float = 0.3
    mu_mean_central: float = -0.2
    mu_mean_west: float = -0.4
    mu_sd: float = 1.0
    year_effect_sd: float = 0.2
    year_trend: float = 0.02
    designation_share: float = 0.5
    designation_mu_slope: float = 1.5
    designation_first_year: int = 2011
    designation_last_year: int = 2018
    gov_mu_loading: float = 0.5
    gov_d_effect: float = 0.8
    gov_z_effect: float = 0.5
    designation_effect_growth: float = 0.15
    designation_cohort_gradient: float = 1.0
    pretrend_violation: float = 0.0
    case_study_cluster: int = 1
    case_study_year: int = 2015
    case_study_effect: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0)
    gov_noise_sd: float = 1.0
    endogeneity: float = 0.0
    a: tuple[float, ...] = _DEFAULT_A
    heterogeneity: float = 0.5
    mechanism_mu_loading: float = 0.3
    mechanism_noise_sd: float = 1.0
    b: tuple[float, ...] = _DEFAULT_B
    c_prime: float = 0.20
    lag_effects: tuple[float, ...] = (0.15, 0.08)
    sca_ar_rho: float = 0.5
    sca_noise_sd: float = 0.8
    effect_ln_employment: float = 0.10
    effect_ln_firms: float = 0.05
    effect_cluster_age: float = 0.0
    effect_ln_gdp_pc: float = 0.20
    employment_median: float = 12000.0
    employment_log_sd: float = 0.7
    employment_mu_loading: float = 0.3
    employment_growth_mean: float = 0.03
    employment_growth_sd: float = 0.02
    employment_noise_sd: float = 0.08
    firm_size_median: float = 60.0
    firm_size_log_sd: float = 0.4
    firm_count_noise_sd: float = 0.05
    gdp_per_capita_east: float = 40000.0
    gdp_per_capita_central: float = 20000.0
    gdp_per_capita_west: float = 18000.0
    gdp_per_capita_province_sd: float = 0.15
    gdp_per_capita_growth: float = 0.08
    gdp_per_capita_growth_sd: float = 0.01
    gdp_per_capita_noise_sd: float = 0.03
    inflation_mean: float = 0.025
    inflation_sd: float = 0.008
    reliability: float = 0.8
    duplicate_share: float = 0.01
    yi_yuan_row_share: float = 0.05
    thousands_separator_share: float = 0.10
    missing_cell_share: float = 0.03
    gap_clusters: int = 4
    gap_max_years: int = 2
    n_typos: int = 8
    typo_factor: float = 100.0
    province_variant_share: float = 0.08
    name_variant_share: float = 0.05

    def __post_init__(self) -> None:
        for name in ("a", "b"):
            object.__setattr__(self, name, _mechanism_values(name, getattr(self, name)))
        object.__setattr__(self, "lag_effects", _float_tuple("lag_effects", self.lag_effects))
        object.__setattr__(
            self, "case_study_effect", _float_tuple("case_study_effect", self.case_study_effect)
        )
        problems = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in _SEQUENCE_FIELDS:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                problems.append(f"{item.name} must be a number, got {value!r}")
            elif not math.isfinite(float(value)):
                problems.append(f"{item.name} must be finite, got {value!r}")
        if problems:
            raise ConfigError("Invalid simulation parameters:\n  - " + "\n  - ".join(problems))
        for name in _SHARE_FIELDS:
            if not 0.0 <= getattr(self, name) <= 1.0:
                problems.append(f"{name} must lie in [0, 1], got {getattr(self, name)}")
        for name in _COUNT_FIELDS:
            value = getattr(self, name)
            if value < 0 or int(value) != value:
                problems.append(f"{name} must be a non-negative integer, got {value}")
        for name in _POSITIVE_FIELDS:
            if getattr(self, name) <= 0:
                problems.append(f"{name} must be positive, got {getattr(self, name)}")
        if not 0.0 < self.reliability <= 1.0:
            problems.append(f"reliability must lie in (0, 1], got {self.reliability}")
        if not -1.0 < self.sca_ar_rho < 1.0:
            problems.append(f"sca_ar_rho must lie in (-1, 1), got {self.sca_ar_rho}")
        if self.founding_year_min > self.founding_year_max:
            problems.append("founding_year_min is after founding_year_max")
        if self.designation_first_year > self.designation_last_year:
            problems.append("designation_first_year is after designation_last_year")
        if self.case_study_cluster and not self.case_study_effect:
            problems.append("case_study_effect must name at least one effect")
        weights = (self.province_weight_east, self.province_weight_central)
        if (
            min(*weights, self.province_weight_west) < 0
            or sum(weights) + (self.province_weight_west) <= 0
        ):
            problems.append("province weights must be non-negative and not all zero")
        if problems:
            raise ConfigError("Invalid simulation parameters:\n  - " + "\n  - ".join(problems))

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None = None) -> SimulationParameters:
        """Build the parameters from the defaults and ``overrides``.

        Raises
        ------
        ConfigError
            When ``overrides`` names an unknown parameter (the message lists the valid ones) or
            a value is invalid.
        """
        overrides = dict(overrides or {})
        valid = [item.name for item in fields(cls)]
        unknown = sorted(set(overrides) - set(valid))
        if unknown:
            raise ConfigError(
                f"Unknown simulation parameter(s): {', '.join(repr(k) for k in unknown)}. "
                f"Valid parameters are: {', '.join(valid)}."
            )
        return cls(**overrides)

    def to_dict(self) -> dict[str, Any]:
        """The parameters as plain Python values (tuples become lists)."""
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            out[item.name] = [float(v) for v in value] if isinstance(value, tuple) else value
        return out


def _float_tuple(name: str, values: Any) -> tuple[float, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ConfigError(f"Invalid simulation parameters: {name} must be a list of numbers")
    try:
        result = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ConfigError(
            f"Invalid simulation parameters: {name} must be a list of numbers, got {values!r}"
        ) from None
    if not all(math.isfinite(v) for v in result):
        raise ConfigError(f"Invalid simulation parameters: {name} must be finite")
    return result


def _mechanism_values(name: str, values: Any) -> tuple[float, ...]:
    """Six values in mechanism order, from a sequence or a (partial) mapping."""
    if isinstance(values, Mapping):
        unknown = sorted(set(values) - set(MECHANISMS))
        if unknown:
            raise ConfigError(
                f"Invalid simulation parameters: {name} names unknown mechanism(s) "
                f"{', '.join(map(repr, unknown))}; mechanisms are {', '.join(MECHANISMS)}"
            )
        default = dict(zip(MECHANISMS, _DEFAULT_A if name == "a" else _DEFAULT_B, strict=True))
        default.update(values)
        values = [default[m] for m in MECHANISMS]
    result = _float_tuple(name, values)
    if len(result) != len(MECHANISMS):
        raise ConfigError(
            f"Invalid simulation parameters: {name} needs {len(MECHANISMS)} values "
            f"({', '.join(MECHANISMS)}), got {len(result)}"
        )
    return result
