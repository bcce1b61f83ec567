"""A simulated cluster-year panel with known truth: the default data of the pipeline.

:func:`simulate_cluster_panel` draws a panel of Chinese industrial clusters in which government
intervention (GOV) acts on sustained competitive advantage (SCA) directly and through six
mechanisms (OPEN, COOP, ABSORB, INNOV, BRAND, SOCAP). It returns

* ``raw``: what a user would hand to the pipeline, a yearbook-like extract in which every
  construct is seen only through 3-4 indicators in realistic units and which carries the usual
  dirt (duplicate rows, rows in 亿元, thousands separators, empty cells, missing years, x100
  typos, spelling variants of provinces and names); and
* ``truth``: a :class:`SimulationTruth` with every parameter used, the true effects derived from
  them, the latent variables and a record of every piece of dirt that was injected.

Data-generating process (cluster ``i``, year ``t``; all numbers are fields of
:class:`SimulationParameters`)::

    mu_i       ~ N(region mean, mu_sd^2)                      latent cluster effect
    D_it       = 1{t >= designation year of i}                demonstration cluster; designated
                 with probability logistic(alpha + designation_mu_slope * mu_i)
    Z_it       = fiscal shock_{p(i),t} * trait_i              instrument (iid N(0,1) x std. trait)
    GOV*_it    = gov_mu_loading mu_i + gov_d_effect D_it + gov_z_effect Z_it
                 + endogeneity V_it + gov_noise_sd e_it       V_it ~ N(0,1) iid confounder
    GOV_it     = (GOV*_it - mean) / sd                        standardised over the sample panel
    M_kit      = a_k (1 + heterogeneity * lessdev_i) GOV_it + mechanism_mu_loading mu_i
                 + lambda_kt + mechanism_noise_sd e_kit
    SCA_it     = c_prime GOV_it + sum_k b_k M_kit + sum_l lag_effects[l-1] GOV_i,t-l
                 + controls_it . control effects + mu_i + lambda_t + endogeneity V_it + u_it
    u_it       = sca_ar_rho u_i,t-1 + sca_noise_sd e_it       stationary AR(1)

All true effects are therefore in units of one standard deviation of latent GOV. Lags of GOV in
the first sample years use GOV of simulated pre-sample (burn-in) years, which are then dropped.

Measurement: each indicator ``x_j`` of a construct ``L`` is a monotone transformation of a
normal latent response ``x*_j = direction_j sqrt(reliability) L_std + sqrt(1 - reliability)
e_j`` where ``L_std`` is ``L`` standardised over the panel. The reliability is thus the share of
the variance of ``x*_j`` due to the construct (the squared correlation of ``x*_j`` with ``L``),
on the indicator's link scale: log for money, counts and amounts, logit for shares and scores,
linear for the profit margin. Rounding counts to integers, clipping and rounding to the printed
number of decimals lower it slightly. Money columns are nominal: real value times CPI / 100.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

from govcluster import columns
from govcluster.errors import ConfigError
from govcluster.regions import LESS_DEVELOPED_REGIONS, PROVINCES

#: The six mechanisms, in the order of the parameters ``a`` and ``b``.
MECHANISMS: tuple[str, ...] = ("OPEN", "COOP", "ABSORB", "INNOV", "BRAND", "SOCAP")
TREATMENT = "GOV"
OUTCOME = "SCA"
#: Default master seed (the ``seed`` of config/config.yaml).
DEFAULT_SEED = 20240601
MONEY_UNIT_DEFAULT = "万元"
MONEY_UNIT_LARGE = "亿元"
#: 万元 per 亿元.
WAN_PER_YI = 1e4
#: Horizons (years after a one-off change of GOV) reported in the horizon profile.
PROFILE_HORIZONS = 5

#: Industries: key written in the ``industry`` column -> Chinese word used in the name.
INDUSTRIES: dict[str, str] = {
    "plastics": "塑料",
    "low_voltage_electrical": "低压电器",
    "textiles": "纺织",
    "footwear": "制鞋",
    "furniture": "家具",
    "electronics": "电子信息",
    "auto_parts": "汽车零部件",
    "ceramics": "陶瓷",
    "hardware": "五金",
    "pharmaceuticals": "医药",
}

#: Real cities, counties and districts of each province, used in cluster names.
CITIES: dict[str, tuple[str, ...]] = {
    "北京市": ("顺义", "大兴", "通州", "昌平"),
    "天津市": ("静海", "武清", "宝坻", "滨海"),
    "河北省": ("白沟", "清河", "安平", "辛集", "沧州"),
    "山西省": ("太原", "晋城", "长治", "大同"),
    "内蒙古自治区": ("包头", "鄂尔多斯", "呼和浩特", "赤峰"),
    "辽宁省": ("沈阳", "大连", "鞍山", "海城"),
    "吉林省": ("长春", "吉林", "辽源", "通化"),
    "黑龙江省": ("哈尔滨", "大庆", "齐齐哈尔", "牡丹江"),
    "上海市": ("嘉定", "松江", "青浦", "金山"),
    "江苏省": ("常熟", "昆山", "江阴", "吴江", "丹阳", "宜兴"),
    "浙江省": ("余姚", "乐清", "义乌", "永康", "温州", "绍兴", "慈溪"),
    "安徽省": ("合肥", "芜湖", "宁国", "桐城"),
    "福建省": ("晋江", "石狮", "德化", "泉州", "莆田"),
    "江西省": ("南昌", "景德镇", "赣州", "南康"),
    "山东省": ("淄博", "潍坊", "临沂", "寿光", "即墨"),
    "河南省": ("郑州", "许昌", "长垣", "新乡"),
    "湖北省": ("武汉", "十堰", "襄阳", "仙桃"),
    "湖南省": ("长沙", "株洲", "醴陵", "邵东"),
    "广东省": ("佛山", "东莞", "中山", "顺德", "潮州", "汕头"),
    "广西壮族自治区": ("柳州", "玉林", "南宁", "桂林"),
    "海南省": ("海口", "三亚", "儋州"),
    "重庆市": ("永川", "璧山", "涪陵", "江津"),
    "四川省": ("成都", "绵阳", "德阳", "宜宾"),
    "贵州省": ("贵阳", "遵义", "安顺"),
    "云南省": ("昆明", "玉溪", "曲靖"),
    "西藏自治区": ("拉萨", "日喀则", "林芝"),
    "陕西省": ("西安", "宝鸡", "咸阳"),
    "甘肃省": ("兰州", "天水", "金昌"),
    "青海省": ("西宁", "海东", "格尔木"),
    "宁夏回族自治区": ("银川", "石嘴山", "吴忠"),
    "新疆维吾尔自治区": ("乌鲁木齐", "石河子", "昌吉", "喀什"),
}


@dataclass(frozen=True)
class IndicatorDesign:
    """How one observed indicator measures its construct.

    Attributes
    ----------
    name : str
        Column of the raw data (a key of ``variables`` in config/config.yaml).
    construct : str
        The latent construct it measures.
    direction : int
        +1 if the indicator increases in the construct, -1 if it decreases.
    kind : str
        Kind of variable as in the configuration (money, count, share, amount, score, real).
    centre : float
        Median of the indicator, in its unit (real 万元 for money, percent for shares).
    spread : float
        Standard deviation on the link scale (log for money, count and amount; logit for share
        and score; the unit itself for real).
    decimals : int
        Decimals written in the raw file (0 for counts).
    lower, upper : float or None
        Bounds of a score or real indicator.
    """

    name: str
    construct: str
    direction: int
    kind: str
    centre: float
    spread: float
    decimals: int
    lower: float | None = None
    upper: float | None = None


#: Measurement design of every indicator, in the order of config/config.yaml.
INDICATORS: tuple[IndicatorDesign, ...] = (
    IndicatorDesign("gov_subsidy", "GOV", 1, "money", 1500.0, 0.6, 2),
    IndicatorDesign("gov_infrastructure", "GOV", 1, "money", 6000.0, 0.6, 2),
    IndicatorDesign("gov_platforms", "GOV", 1, "count", 8.0, 0.5, 0),
    IndicatorDesign("gov_talent_programmes", "GOV", 1, "count", 12.0, 0.5, 0),
    IndicatorDesign("export_share", "OPEN", 1, "share", 25.0, 0.8, 2),
    IndicatorDesign("foreign_firm_share", "OPEN", 1, "share", 12.0, 0.8, 2),
    IndicatorDesign("intl_certifications", "OPEN", 1, "count", 30.0, 0.6, 0),
    IndicatorDesign("foreign_partners", "OPEN", 1, "count", 20.0, 0.6, 0),
    IndicatorDesign("coop_agreements", "COOP", 1, "count", 45.0, 0.5, 0),
    IndicatorDesign("alliance_share", "COOP", 1, "share", 30.0, 0.7, 2),
    IndicatorDesign("leading_firm_links", "COOP", 1, "count", 35.0, 0.5, 0),
    IndicatorDesign("price_war_incidents", "COOP", -1, "count", 6.0, 0.5, 0),
    IndicatorDesign("rd_staff_share", "ABSORB", 1, "share", 6.0, 0.6, 2),
    IndicatorDesign("training_spend_per_worker", "ABSORB", 1, "amount", 900.0, 0.5, 2),
    IndicatorDesign("univ_coop_projects", "ABSORB", 1, "count", 12.0, 0.6, 0),
    IndicatorDesign("patents_per_10k", "INNOV", 1, "amount", 25.0, 0.7, 2),
    IndicatorDesign("new_product_share", "INNOV", 1, "share", 18.0, 0.7, 2),
    IndicatorDesign("incubators", "INNOV", 1, "count", 5.0, 0.5, 0),
    IndicatorDesign("vc_investment", "INNOV", 1, "money", 3000.0, 0.6, 2),
    IndicatorDesign("collective_trademarks", "BRAND", 1, "count", 4.0, 0.5, 0),
    IndicatorDesign("famous_trademarks", "BRAND", 1, "count", 6.0, 0.6, 0),
    IndicatorDesign("quality_cert_share", "BRAND", 1, "share", 45.0, 0.7, 2),
    IndicatorDesign("inspection_failure_rate", "BRAND", -1, "share", 6.0, 0.6, 2),
    IndicatorDesign("association_density", "SOCAP", 1, "share", 55.0, 0.7, 2),
    IndicatorDesign("trust_score", "SOCAP", 1, "score", 6.5, 0.6, 2, 0.0, 10.0),
    IndicatorDesign("contract_dispute_rate", "SOCAP", -1, "amount", 3.0, 0.5, 2),
    IndicatorDesign("market_share", "SCA", 1, "share", 1.5, 0.6, 3),
    IndicatorDesign("export_rca", "SCA", 1, "amount", 1.2, 0.5, 3),
    IndicatorDesign("labour_productivity", "SCA", 1, "amount", 25.0, 0.5, 2),
    IndicatorDesign("profit_margin", "SCA", 1, "real", 7.0, 4.0, 2, -100.0, 100.0),
)

#: Non-indicator numeric columns of the raw data: name -> (kind, decimals written).
OTHER_VARIABLES: dict[str, tuple[str, int]] = {
    "demo_cluster": ("binary", 0),
    "iv_fiscal_shock": ("real", 4),
    "cpi": ("amount", 2),
    "employment": ("count", 0),
    "n_firms": ("count", 0),
    "founding_year": ("real", 0),
    "gdp_per_capita": ("amount", 0),
}

#: Decimals of money cells in rows reported in 亿元.
YI_DECIMALS = 6
#: Kinds whose cells may carry x100 typos and thousands separators.
UNBOUNDED_KINDS = frozenset({"money", "count", "amount"})
#: Descriptive columns of the raw data, first in every row.
DESCRIPTIVE_COLUMNS: tuple[str, ...] = (
    columns.ENTITY,
    columns.NAME,
    columns.PROVINCE,
    columns.INDUSTRY,
    columns.TIME,
    columns.MONEY_UNIT,
)
#: Controls entering the SCA equation (names as in the ``controls`` of the configuration).
CONTROLS: tuple[str, ...] = ("ln_employment", "ln_firms", "cluster_age", "ln_gdp_pc")


def raw_variable_columns() -> tuple[str, ...]:
    """Numeric columns of the raw data, in the order of config/config.yaml."""
    indicators = tuple(spec.name for spec in INDICATORS)
    head = ("demo_cluster", "iv_fiscal_shock", "cpi")
    tail = ("employment", "n_firms", "founding_year", "gdp_per_capita")
    return head + indicators + tail


def _variable_kinds() -> dict[str, str]:
    kinds = {spec.name: spec.kind for spec in INDICATORS}
    kinds.update({name: kind for name, (kind, _) in OTHER_VARIABLES.items()})
    return kinds


def _variable_decimals() -> dict[str, int]:
    decimals = {spec.name: spec.decimals for spec in INDICATORS}
    decimals.update({name: digits for name, (_, digits) in OTHER_VARIABLES.items()})
    return decimals


# --------------------------------------------------------------------------- parameters

_DEFAULT_A = (0.40, 0.30, 0.35, 0.0, 0.30, 0.25)
_DEFAULT_B = (0.30, 0.25, 0.20, 0.30, 0.0, 0.20)
_SEQUENCE_FIELDS = ("a", "b", "lag_effects")
_SHARE_FIELDS = (
    "designation_share",
    "duplicate_share",
    "yi_yuan_row_share",
    "thousands_separator_share",
    "missing_cell_share",
    "province_variant_share",
    "name_variant_share",
)
_COUNT_FIELDS = ("gap_clusters", "gap_max_years", "n_typos")
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
        standardisation.
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


# --------------------------------------------------------------------------- truth


@dataclass(frozen=True, eq=False)
class SimulationTruth:
    """What the simulator knows and the data only reveal with error.

    Attributes
    ----------
    parameters : dict
        Every parameter used: the fields of :class:`SimulationParameters` plus ``n_clusters``,
        ``years``, ``seed`` and ``burn_in_years``.
    latent : pandas.DataFrame
        One row per cluster and year of the complete panel (including rows removed from the raw
        data, flagged ``dropped_from_raw``): cluster_id, year, province, region,
        less_developed, GOV, its lags GOV_lag1..., the six mechanisms, SCA, D (designation),
        Z (instrument), confounder (V), mu and the controls of the SCA equation.
    messiness : dict
        Every piece of dirt injected in the raw data (see :func:`simulate_cluster_panel`).
    effects : dict
        True effects derived from the parameters (see :func:`derive_true_effects`).
    """

    parameters: dict[str, Any]
    latent: pd.DataFrame
    messiness: dict[str, Any]
    effects: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """Parameters, true effects and a summary of the messiness, JSON-serialisable.

        The latent data are not included (the workflow writes them to a separate file).
        Lists of individual missing and thousands-separator cells are summarised by counts.
        """
        summary_keys = [key for key in self.messiness if key not in _BULKY_MESSINESS_KEYS]
        messiness = {key: self.messiness[key] for key in summary_keys}
        return _to_builtin(
            {
                "generator": "govcluster.simulate.simulate_cluster_panel",
                "parameters": self.parameters,
                "effects": self.effects,
                "messiness": messiness,
                "latent_columns": list(self.latent.columns),
            }
        )


_BULKY_MESSINESS_KEYS = frozenset({"missing_cells", "thousands_separator_cells"})


def _to_builtin(value: Any) -> Any:
    """Recursively turn numpy scalars, tuples and mappings into JSON-serialisable values."""
    if isinstance(value, Mapping):
        return {str(k): _to_builtin(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_builtin(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_to_builtin(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return value


def derive_true_effects(
    parameters: SimulationParameters,
    share_less_developed: float,
    gov_raw_sd: float,
    latent_sd: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """True effects implied by the parameters, in units of one standard deviation of GOV.

    Parameters
    ----------
    parameters : SimulationParameters
    share_less_developed : float
        Share of clusters in less-developed (central or west) regions; weights the
        population-average ``a_k = a_k (1 + heterogeneity * share)``.
    gov_raw_sd : float
        Standard deviation of GOV before standardisation (converts the GOV equation).
    latent_sd : mapping, optional
        Panel standard deviations of the latent mechanisms and SCA; when given, effects on
        the scale of standardised constructs are added under ``"standardised"``.

    Returns
    -------
    dict
        ``a_east``, ``a_less_developed``, ``a_population_average``, ``b`` and
        ``indirect_effects`` (population-average ``a_k * b_k``, plus ``_east`` and
        ``_less_developed`` versions) keyed by mechanism; ``c_prime``; ``total_effect``
        (``c_prime + sum_k a_k b_k``, also by region); ``lag_effects``; ``horizon_profile``
        (effect of a one-off unit change of GOV on SCA 0..5 years later); ``long_run_effect``;
        ``zero_indirect_mechanisms``; the GOV equation in standardised units; control effects.
    """
    share = float(share_less_developed)
    h = parameters.heterogeneity
    a_east = dict(zip(MECHANISMS, parameters.a, strict=True))
    a_less = {k: v * (1.0 + h) for k, v in a_east.items()}
    a_pop = {k: v * (1.0 + h * share) for k, v in a_east.items()}
    b = dict(zip(MECHANISMS, parameters.b, strict=True))
    indirect = {k: a_pop[k] * b[k] for k in MECHANISMS}
    indirect_east = {k: a_east[k] * b[k] for k in MECHANISMS}
    indirect_less = {k: a_less[k] * b[k] for k in MECHANISMS}
    total = parameters.c_prime + sum(indirect.values())
    lags = list(parameters.lag_effects)
    horizons = max(PROFILE_HORIZONS, len(lags))
    profile = [total] + lags + [0.0] * (horizons - len(lags))
    effects: dict[str, Any] = {
        "units": "one standard deviation of latent GOV (pooled over the sample panel)",
        "mechanisms": list(MECHANISMS),
        "share_less_developed": share,
        "a_east": a_east,
        "a_less_developed": a_less,
        "a_population_average": a_pop,
        "b": b,
        "indirect_effects": indirect,
        "indirect_effects_east": indirect_east,
        "indirect_effects_less_developed": indirect_less,
        "total_indirect_effect": sum(indirect.values()),
        "c_prime": parameters.c_prime,
        "total_effect": total,
        "total_effect_east": parameters.c_prime + sum(indirect_east.values()),
        "total_effect_less_developed": parameters.c_prime + sum(indirect_less.values()),
        "lag_effects": lags,
        "horizon_profile": profile,
        "long_run_effect": total + sum(lags),
        "zero_indirect_mechanisms": [k for k in MECHANISMS if indirect[k] == 0.0],
        "control_effects": {
            "ln_employment": parameters.effect_ln_employment,
            "ln_firms": parameters.effect_ln_firms,
            "cluster_age": parameters.effect_cluster_age,
            "ln_gdp_pc": parameters.effect_ln_gdp_pc,
        },
        "gov_equation": {
            "raw_sd": gov_raw_sd,
            "d_effect": parameters.gov_d_effect / gov_raw_sd,
            "z_effect": parameters.gov_z_effect / gov_raw_sd,
            "mu_loading": parameters.gov_mu_loading / gov_raw_sd,
            "confounder_loading": parameters.endogeneity / gov_raw_sd,
        },
        "confounder_effect_on_sca": parameters.endogeneity,
    }
    if latent_sd is not None:
        sca_sd = float(latent_sd[OUTCOME])
        a_std = {k: a_pop[k] / float(latent_sd[k]) for k in MECHANISMS}
        b_std = {k: b[k] * float(latent_sd[k]) / sca_sd for k in MECHANISMS}
        effects["latent_sd"] = {k: float(v) for k, v in latent_sd.items()}
        effects["standardised"] = {
            "a_population_average": a_std,
            "b": b_std,
            "indirect_effects": {k: a_std[k] * b_std[k] for k in MECHANISMS},
            "c_prime": parameters.c_prime / sca_sd,
            "total_effect": total / sca_sd,
            "lag_effects": [lag / sca_sd for lag in lags],
        }
    return effects


# --------------------------------------------------------------------------- simulation


def simulate_cluster_panel(
    n_clusters: int = 240,
    years: tuple[int, int] = (2008, 2022),
    seed: int = DEFAULT_SEED,
    **params: Any,
) -> tuple[pd.DataFrame, SimulationTruth]:
    """Simulate the raw cluster-year panel and its truth.

    Parameters
    ----------
    n_clusters : int
        Number of clusters.
    years : tuple of int
        First and last year, inclusive.
    seed : int
        Seed of all random draws; the same seed gives identical output.
    **params
        Overrides of the fields of :class:`SimulationParameters`.

    Returns
    -------
    raw : pandas.DataFrame
        cluster_id, cluster_name, province, industry, year, money_unit and every numeric
        column of :func:`raw_variable_columns`. Numeric cells are strings as they would be
        printed (thousands separators in some, 亿元 in some rows), empty cells are NaN. Write it
        with ``raw.to_csv(path, index=False)``.
    truth : SimulationTruth
        ``truth.messiness`` records, with cluster_id and year of each item:
        ``duplicate_rows`` (0-based positions of the copies in ``raw``),
        ``duplicate_file_rows`` (row numbers in the CSV file, header = row 1),
        ``duplicate_keys``, ``yi_yuan_rows``, ``thousands_separator_cells``,
        ``missing_cells`` and counts, ``dropped_rows``, ``typos`` (cluster_id, year,
        variable, true_value, written_value), ``province_variants`` and ``name_variants``.

    Raises
    ------
    ConfigError
        For an unknown or invalid parameter, or an invalid panel shape.
    """
    parameters = SimulationParameters.from_overrides(params)
    first_year, last_year = _check_panel_shape(n_clusters, years, seed)
    cluster_ss, economy_ss, latent_ss, measure_ss, mess_ss = np.random.SeedSequence(seed).spawn(5)
    year_values = np.arange(first_year, last_year + 1)
    clusters = _draw_clusters(n_clusters, parameters, np.random.default_rng(cluster_ss))
    economy = _simulate_economy(
        clusters, year_values, parameters, np.random.default_rng(economy_ss)
    )
    latent = _simulate_latent(
        clusters, economy, year_values, parameters, np.random.default_rng(latent_ss)
    )
    values = _measure(clusters, economy, latent, parameters, np.random.default_rng(measure_ss))
    raw, messiness = _make_messy(
        clusters, year_values, values, parameters, np.random.default_rng(mess_ss)
    )
    latent_frame = _latent_frame(clusters, year_values, latent, economy, parameters)
    dropped = {(row["cluster_id"], row["year"]) for row in messiness["dropped_rows"]}
    keys = zip(latent_frame[columns.ENTITY], latent_frame[columns.TIME], strict=True)
    latent_frame["dropped_from_raw"] = [(c, int(y)) in dropped for c, y in keys]
    share_less = float(clusters["less_developed"].mean())
    latent_sd = {name: float(np.std(latent[name])) for name in (*MECHANISMS, OUTCOME)}
    effects = derive_true_effects(parameters, share_less, latent["gov_raw_sd"], latent_sd)
    used = {
        "n_clusters": int(n_clusters),
        "years": [first_year, last_year],
        "seed": int(seed),
        "burn_in_years": len(parameters.lag_effects),
        **parameters.to_dict(),
    }
    truth = SimulationTruth(
        parameters=_to_builtin(used), latent=latent_frame, messiness=messiness, effects=effects
    )
    return raw, truth


def _check_panel_shape(n_clusters: Any, years: Any, seed: Any) -> tuple[int, int]:
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)):
        raise ConfigError(f"n_clusters must be an integer, got {n_clusters!r}")
    if n_clusters < 2:
        raise ConfigError(f"n_clusters must be at least 2, got {n_clusters}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}")
    try:
        first_year, last_year = (int(y) for y in years)
    except (TypeError, ValueError):
        raise ConfigError(
            f"years must be a (first, last) pair of integers, got {years!r}"
        ) from None
    if first_year > last_year:
        raise ConfigError(f"years: first year {first_year} is after last year {last_year}")
    return first_year, last_year


def _draw_clusters(
    n_clusters: int, parameters: SimulationParameters, rng: np.random.Generator
) -> pd.DataFrame:
    """Province, region, industry, name, founding year, ``mu``, trait and designation year."""
    officials = [p[0] for p in PROVINCES]
    regions = np.array([p[3] for p in PROVINCES])
    region_weight = {
        "east": parameters.province_weight_east,
        "central": parameters.province_weight_central,
        "west": parameters.province_weight_west,
    }
    weights = np.array([region_weight[r] for r in regions], dtype=float)
    province_index = rng.choice(len(PROVINCES), size=n_clusters, p=weights / weights.sum())
    industries = list(INDUSTRIES)
    industry_index = rng.integers(0, len(industries), size=n_clusters)
    city_draws = rng.random(n_clusters)
    names, cities = [], []
    used: dict[str, int] = {}
    for i in range(n_clusters):
        official = officials[province_index[i]]
        options = CITIES.get(official) or (PROVINCES[province_index[i]][1],)
        city = options[int(city_draws[i] * len(options))]
        industry = industries[industry_index[i]]
        if _cluster_name(city, industry) in used:
            free = [
                (c, key) for c in options for key in industries if _cluster_name(c, key) not in used
            ]
            if free:
                city, industry = free[int(rng.integers(0, len(free)))]
                industry_index[i] = industries.index(industry)
        base = _cluster_name(city, industry)
        used[base] = used.get(base, 0) + 1
        names.append(base if used[base] == 1 else f"{base}{_chinese_ordinal(used[base])}")
        cities.append(city)
    region = regions[province_index]
    mu_mean = np.array(
        [
            {
                "east": parameters.mu_mean_east,
                "central": parameters.mu_mean_central,
                "west": parameters.mu_mean_west,
            }[r]
            for r in region
        ]
    )
    mu = mu_mean + parameters.mu_sd * rng.standard_normal(n_clusters)
    trait = rng.standard_normal(n_clusters)
    trait = (trait - trait.mean()) / trait.std() if trait.std() > 0 else trait - trait.mean()
    probability = _designation_probability(mu, parameters)
    designated = rng.random(n_clusters) < probability
    designation_year = rng.integers(
        parameters.designation_first_year, parameters.designation_last_year + 1, size=n_clusters
    )
    founding = rng.integers(
        parameters.founding_year_min, parameters.founding_year_max + 1, size=n_clusters
    )
    return pd.DataFrame(
        {
            columns.ENTITY: [f"C{i + 1:04d}" for i in range(n_clusters)],
            columns.NAME: names,
            "city": cities,
            columns.PROVINCE: [officials[k] for k in province_index],
            "province_index": province_index,
            "province_short": [PROVINCES[k][1] for k in province_index],
            columns.REGION: region,
            "less_developed": np.isin(region, list(LESS_DEVELOPED_REGIONS)),
            columns.INDUSTRY: [industries[k] for k in industry_index],
            "founding_year": founding,
            "mu": mu,
            "trait": trait,
            "designation_probability": probability,
            "designation_year": np.where(designated, designation_year, 0),
        }
    )


def _cluster_name(city: str, industry: str) -> str:
    """Name of a cluster: city, the Chinese word of the industry and 产业集群."""
    return f"{city}{INDUSTRIES[industry]}产业集群"


def _chinese_ordinal(number: int) -> str:
    """A disambiguating suffix for repeated names: （二）, （三）, ..."""
    digits = "零一二三四五六七八九十"
    text = digits[number] if number <= 10 else str(number)
    return f"（{text}）"


def _designation_probability(mu: np.ndarray, parameters: SimulationParameters) -> np.ndarray:
    """Logistic probability in ``mu`` whose mean over clusters is ``designation_share``."""
    share = parameters.designation_share
    slope = parameters.designation_mu_slope
    if share <= 0.0:
        return np.zeros_like(mu)
    if share >= 1.0:
        return np.ones_like(mu)
    intercept = brentq(lambda alpha: expit(alpha + slope * mu).mean() - share, -60.0, 60.0)
    return expit(intercept + slope * mu)


def _simulate_economy(
    clusters: pd.DataFrame,
    year_values: np.ndarray,
    parameters: SimulationParameters,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Controls and prices: employment, firms, provincial GDP per capita and CPI (N x T)."""
    n, t = len(clusters), len(year_values)
    elapsed = (year_values - year_values[0])[None, :]
    p = parameters
    ln_employment_base = (
        math.log(p.employment_median)
        + p.employment_mu_loading * clusters["mu"].to_numpy()
        + p.employment_log_sd * rng.standard_normal(n)
    )
    growth = p.employment_growth_mean + p.employment_growth_sd * rng.standard_normal(n)
    ln_employment = (
        ln_employment_base[:, None]
        + growth[:, None] * elapsed
        + p.employment_noise_sd * rng.standard_normal((n, t))
    )
    employment = np.maximum(np.round(np.exp(ln_employment)), 1.0)
    firm_size = np.exp(math.log(p.firm_size_median) + p.firm_size_log_sd * rng.standard_normal(n))
    n_firms = np.maximum(
        np.round(
            employment
            / firm_size[:, None]
            * np.exp(p.firm_count_noise_sd * rng.standard_normal((n, t)))
        ),
        1.0,
    )
    n_provinces = len(PROVINCES)
    province_region = [prov[3] for prov in PROVINCES]
    gdp_base = np.array(
        [
            {
                "east": p.gdp_per_capita_east,
                "central": p.gdp_per_capita_central,
                "west": p.gdp_per_capita_west,
            }[r]
            for r in province_region
        ]
    )
    ln_gdp = (
        (np.log(gdp_base) + p.gdp_per_capita_province_sd * rng.standard_normal(n_provinces))[
            :, None
        ]
        + (p.gdp_per_capita_growth + p.gdp_per_capita_growth_sd * rng.standard_normal(n_provinces))[
            :, None
        ]
        * elapsed
        + p.gdp_per_capita_noise_sd * rng.standard_normal((n_provinces, t))
    )
    gdp_per_capita = np.round(np.exp(ln_gdp))
    inflation = p.inflation_mean + p.inflation_sd * rng.standard_normal((n_provinces, t))
    inflation[:, 0] = 0.0
    cpi = np.round(100.0 * np.cumprod(1.0 + inflation, axis=1), 2)
    province = clusters["province_index"].to_numpy()
    founding = clusters["founding_year"].to_numpy()
    return {
        "employment": employment,
        "n_firms": n_firms,
        "gdp_per_capita": gdp_per_capita[province],
        "cpi": cpi[province],
        "founding_year": np.repeat(founding[:, None], t, axis=1).astype(float),
        "ln_employment": np.log(employment),
        "ln_firms": np.log(n_firms),
        "cluster_age": (year_values[None, :] - founding[:, None]).astype(float),
        "ln_gdp_pc": np.log(gdp_per_capita[province]),
    }


def _simulate_latent(
    clusters: pd.DataFrame,
    economy: Mapping[str, np.ndarray],
    year_values: np.ndarray,
    parameters: SimulationParameters,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Latent GOV (with burn-in years), mechanisms and SCA, as N x T arrays."""
    p = parameters
    n, t = len(clusters), len(year_values)
    burn_in = len(p.lag_effects)
    all_years = np.arange(year_values[0] - burn_in, year_values[-1] + 1)
    t_all = len(all_years)
    mu = clusters["mu"].to_numpy()
    less_developed = clusters["less_developed"].to_numpy().astype(float)
    designation_year = clusters["designation_year"].to_numpy()
    designated = (designation_year > 0)[:, None] & (all_years[None, :] >= designation_year[:, None])
    d_all = designated.astype(float)
    fiscal_shock = rng.standard_normal((len(PROVINCES), t_all))
    z_all = (
        fiscal_shock[clusters["province_index"].to_numpy()] * clusters["trait"].to_numpy()[:, None]
    )
    confounder_all = rng.standard_normal((n, t_all))
    gov_raw = (
        p.gov_mu_loading * mu[:, None]
        + p.gov_d_effect * d_all
        + p.gov_z_effect * z_all
        + p.endogeneity * confounder_all
        + p.gov_noise_sd * rng.standard_normal((n, t_all))
    )
    sample = slice(burn_in, t_all)
    gov_raw_mean = float(gov_raw[:, sample].mean())
    gov_raw_sd = float(gov_raw[:, sample].std())
    if gov_raw_sd <= 0:
        raise ConfigError("GOV has no variation; raise gov_noise_sd or another GOV parameter")
    gov_all = (gov_raw - gov_raw_mean) / gov_raw_sd
    gov = gov_all[:, sample]
    elapsed = (year_values - year_values[0]).astype(float)
    out: dict[str, Any] = {
        "GOV": gov,
        "D": d_all[:, sample],
        "Z": z_all[:, sample],
        "confounder": confounder_all[:, sample],
        "gov_raw_mean": gov_raw_mean,
        "gov_raw_sd": gov_raw_sd,
    }
    for lag in range(1, burn_in + 1):
        out[f"GOV_lag{lag}"] = gov_all[:, burn_in - lag : t_all - lag]
    multiplier = 1.0 + p.heterogeneity * less_developed
    for k, name in enumerate(MECHANISMS):
        year_effect = p.year_trend * elapsed + p.year_effect_sd * rng.standard_normal(t)
        out[name] = (
            p.a[k] * multiplier[:, None] * gov
            + p.mechanism_mu_loading * mu[:, None]
            + year_effect[None, :]
            + p.mechanism_noise_sd * rng.standard_normal((n, t))
        )
    shock = np.empty((n, t))
    innovations = p.sca_noise_sd * rng.standard_normal((n, t))
    shock[:, 0] = innovations[:, 0] / math.sqrt(1.0 - p.sca_ar_rho**2)
    for j in range(1, t):
        shock[:, j] = p.sca_ar_rho * shock[:, j - 1] + innovations[:, j]
    year_effect = p.year_trend * elapsed + p.year_effect_sd * rng.standard_normal(t)
    sca = p.c_prime * gov + mu[:, None] + year_effect[None, :] + shock
    sca = sca + p.endogeneity * out["confounder"]
    for k, name in enumerate(MECHANISMS):
        sca = sca + p.b[k] * out[name]
    for lag, effect in enumerate(p.lag_effects, start=1):
        sca = sca + effect * out[f"GOV_lag{lag}"]
    control_effects = {
        "ln_employment": p.effect_ln_employment,
        "ln_firms": p.effect_ln_firms,
        "cluster_age": p.effect_cluster_age,
        "ln_gdp_pc": p.effect_ln_gdp_pc,
    }
    for name, effect in control_effects.items():
        sca = sca + effect * economy[name]
    out[OUTCOME] = sca
    out["sca_shock"] = shock
    return out


def _latent_frame(
    clusters: pd.DataFrame,
    year_values: np.ndarray,
    latent: Mapping[str, Any],
    economy: Mapping[str, np.ndarray],
    parameters: SimulationParameters,
) -> pd.DataFrame:
    n, t = len(clusters), len(year_values)

    def per_cluster(column: str) -> np.ndarray:
        return np.repeat(clusters[column].to_numpy(), t)

    frame = pd.DataFrame(
        {
            columns.ENTITY: per_cluster(columns.ENTITY),
            columns.TIME: np.tile(year_values, n).astype("int64"),
            columns.PROVINCE: per_cluster(columns.PROVINCE),
            columns.REGION: per_cluster(columns.REGION),
            "less_developed": per_cluster("less_developed"),
        }
    )
    names = [TREATMENT]
    names += [f"GOV_lag{lag}" for lag in range(1, len(parameters.lag_effects) + 1)]
    names += [*MECHANISMS, OUTCOME, "D", "Z", "confounder"]
    for name in names:
        frame[name] = np.asarray(latent[name], dtype=float).ravel()
    frame["mu"] = per_cluster("mu")
    for name in CONTROLS:
        frame[name] = economy[name].ravel()
    frame["sca_shock"] = latent["sca_shock"].ravel()
    return frame


def _measure(
    clusters: pd.DataFrame,
    economy: Mapping[str, np.ndarray],
    latent: Mapping[str, Any],
    parameters: SimulationParameters,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """The complete, clean numeric panel of the raw data (N x T arrays, money nominal 万元)."""
    signal = math.sqrt(parameters.reliability)
    noise = math.sqrt(1.0 - parameters.reliability)
    standardised = {}
    for name in (TREATMENT, *MECHANISMS, OUTCOME):
        values = np.asarray(latent[name])
        sd = values.std()
        standardised[name] = (values - values.mean()) / sd if sd > 0 else values - values.mean()
    out: dict[str, np.ndarray] = {
        "demo_cluster": np.asarray(latent["D"], dtype=float),
        "iv_fiscal_shock": np.round(np.asarray(latent["Z"]), 4),
        "cpi": economy["cpi"],
    }
    for spec in INDICATORS:
        response = spec.direction * signal * standardised[spec.construct]
        response = response + noise * rng.standard_normal(response.shape)
        out[spec.name] = _indicator_values(spec, response, economy["cpi"])
    for name in ("employment", "n_firms", "founding_year", "gdp_per_capita"):
        out[name] = economy[name]
    return out


def _indicator_values(spec: IndicatorDesign, response: np.ndarray, cpi: np.ndarray) -> np.ndarray:
    """Map a standard-normal latent response to the indicator's unit."""
    if spec.kind in UNBOUNDED_KINDS:
        values = np.exp(math.log(spec.centre) + spec.spread * response)
        if spec.kind == "money":
            values = values * cpi / 100.0
        if spec.kind == "count":
            return np.round(values)
        return np.round(values, spec.decimals)
    if spec.kind == "share":
        values = 100.0 * expit(logit(spec.centre / 100.0) + spec.spread * response)
        return np.clip(np.round(values, spec.decimals), 0.0, 100.0)
    if spec.kind == "score":
        width = spec.upper - spec.lower
        centre = logit((spec.centre - spec.lower) / width)
        values = spec.lower + width * expit(centre + spec.spread * response)
        return np.clip(np.round(values, spec.decimals), spec.lower, spec.upper)
    values = np.clip(spec.centre + spec.spread * response, spec.lower, spec.upper)
    return np.round(values, spec.decimals)


# --------------------------------------------------------------------------- messiness


def _province_variants(official: str, short: str) -> tuple[str, ...]:
    return (
        short,
        f" {official}",
        f"{official} ",
        f"{short}\u3000",
        f"\u3000{official}",
        f" {short} ",
    )


def _name_variants(name: str, city: str) -> tuple[str, ...]:
    rest = name[len(city) :]
    return (f"{city} {rest}", f"{city}\u3000{rest}", f"{name} ", f" {name}", f"{name}\u3000")


def _format_number(value: float, decimals: int, thousands: bool) -> str:
    if decimals == 0:
        return f"{value:,.0f}" if thousands else f"{value:.0f}"
    return f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"


def _count(share: float, total: int) -> int:
    return min(total, int(round(share * total)))


def _gap_years(
    n: int, t: int, parameters: SimulationParameters, rng: np.random.Generator
) -> np.ndarray:
    """Mask (N x T) of the rows kept: a few clusters lose a run of interior years."""
    keep = np.ones((n, t), dtype=bool)
    if parameters.gap_max_years == 0:
        return keep
    for i in sorted(rng.permutation(n)[: min(parameters.gap_clusters, n)]):
        length = min(int(rng.integers(1, parameters.gap_max_years + 1)), t - 2)
        if length <= 0:
            continue
        start = int(rng.integers(1, t - length))
        keep[i, start : start + length] = False
    return keep


def _choose_typos(
    flat: Mapping[str, np.ndarray],
    eligible_rows: np.ndarray,
    n_clusters: int,
    t: int,
    parameters: SimulationParameters,
    rng: np.random.Generator,
) -> list[tuple[int, str]]:
    """Cells (row, variable) for x100 typos: at most one per cluster and variable.

    Only money, count and amount indicators with a value of at least 1 in ``eligible_rows``
    (a boolean mask over the complete panel) qualify.
    """
    kinds = _variable_kinds()
    names = [spec.name for spec in INDICATORS if kinds[spec.name] in UNBOUNDED_KINDS]
    cells: list[tuple[int, str]] = []
    if parameters.n_typos == 0:
        return cells
    for pair in rng.permutation(n_clusters * len(names)):
        cluster, name = int(pair // len(names)), names[int(pair % len(names))]
        rows = cluster * t + np.arange(t)
        candidates = rows[eligible_rows[rows] & (flat[name][rows] >= 1.0)]
        if len(candidates) == 0:
            continue
        cells.append((int(rng.choice(candidates)), name))
        if len(cells) == parameters.n_typos:
            break
    return cells


def _spelling_variants(
    canonical: np.ndarray,
    options_of: Any,
    share: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Replace a share of ``canonical`` by one of ``options_of(position)``.

    Returns the written values and the (position, written) pairs that were changed.
    """
    written = canonical.astype(object).copy()
    positions = np.sort(rng.choice(len(written), size=_count(share, len(written)), replace=False))
    changed = []
    for position in positions:
        options = options_of(int(position))
        written[position] = options[int(rng.integers(0, len(options)))]
        changed.append((int(position), written[position]))
    return written, changed


def _make_messy(
    clusters: pd.DataFrame,
    year_values: np.ndarray,
    values: Mapping[str, np.ndarray],
    parameters: SimulationParameters,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Write the clean panel as a dirty yearbook extract; record every change.

    Rows of the complete panel are numbered ``i * T + j`` (cluster ``i``, year ``j``).
    """
    p = parameters
    n, t = len(clusters), len(year_values)
    ids = clusters[columns.ENTITY].to_numpy()
    variable_names = raw_variable_columns()
    kinds = _variable_kinds()
    decimals = _variable_decimals()
    indicator_names = [spec.name for spec in INDICATORS]
    n_indicators = len(indicator_names)
    money_names = [name for name in variable_names if kinds[name] == "money"]

    def key(row: int) -> dict[str, Any]:
        return {"cluster_id": ids[row // t], "year": int(year_values[row % t])}

    # 1. clusters missing whole interior years
    keep = _gap_years(n, t, p, rng).ravel()
    kept_rows = np.flatnonzero(keep)
    n_rows = len(kept_rows)
    flat = {name: np.asarray(values[name], dtype=float).ravel().copy() for name in variable_names}

    # 2. rows reported in 亿元
    yi_rows = np.sort(
        rng.choice(kept_rows, size=_count(p.yi_yuan_row_share, n_rows), replace=False)
    )
    is_yi = np.zeros(n * t, dtype=bool)
    is_yi[yi_rows] = True

    # 3. x100 typos, never in 亿元 rows
    typo_cells = _choose_typos(flat, keep & ~is_yi, n, t, p, rng)
    typos = []
    for row, name in typo_cells:
        true_value = round(float(flat[name][row]), decimals[name])
        written = round(true_value * p.typo_factor, decimals[name])
        flat[name][row] = written
        typos.append(
            {**key(row), "variable": name, "true_value": true_value, "written_value": written}
        )
    typos.sort(key=lambda item: (item["cluster_id"], item["year"], item["variable"]))

    # 4. empty indicator cells (never a typo cell); cell = position of row in kept_rows x
    #    number of indicators + indicator index
    position_in_kept = {int(row): k for k, row in enumerate(kept_rows)}
    typo_positions = [
        position_in_kept[row] * n_indicators + indicator_names.index(name)
        for row, name in typo_cells
    ]
    candidates = np.setdiff1d(np.arange(n_rows * n_indicators), typo_positions)
    n_missing = min(_count(p.missing_cell_share, n_rows * n_indicators), len(candidates))
    missing_positions = np.sort(rng.choice(candidates, size=n_missing, replace=False))
    missing = np.zeros((n * t, n_indicators), dtype=bool)
    missing[kept_rows[missing_positions // n_indicators], missing_positions % n_indicators] = True
    missing_of = {name: missing[:, k] for k, name in enumerate(indicator_names)}

    # 5. money in 亿元 rows
    for name in money_names:
        flat[name][is_yi] = flat[name][is_yi] / WAN_PER_YI

    # 6. numbers as text, some of at least 1,000 with thousands separators
    eligible_cells = []
    for name in variable_names:
        if kinds[name] not in UNBOUNDED_KINDS:
            continue
        large = np.abs(flat[name][kept_rows]) >= 1000.0
        if name in missing_of:
            large &= ~missing_of[name][kept_rows]
        eligible_cells += [(int(row), name) for row in kept_rows[large]]
    picked = rng.choice(
        len(eligible_cells),
        size=_count(p.thousands_separator_share, len(eligible_cells)),
        replace=False,
    )
    thousands_cells = sorted(eligible_cells[k] for k in picked)
    thousands_set = set(thousands_cells)
    text: dict[str, list[Any]] = {}
    for name in variable_names:
        column_text: list[Any] = []
        for row in kept_rows.tolist():
            if name in missing_of and missing_of[name][row]:
                column_text.append(np.nan)
                continue
            digits = YI_DECIMALS if (name in money_names and is_yi[row]) else decimals[name]
            thousands = (row, name) in thousands_set
            column_text.append(_format_number(flat[name][row], digits, thousands))
        text[name] = column_text

    # 7. spelling variants of provinces and names
    cluster_of = kept_rows // t
    official = clusters[columns.PROVINCE].to_numpy()[cluster_of]
    short = clusters["province_short"].to_numpy()[cluster_of]
    canonical_names = clusters[columns.NAME].to_numpy()[cluster_of]
    cities = clusters["city"].to_numpy()[cluster_of]
    provinces, province_changes = _spelling_variants(
        official,
        lambda k: _province_variants(official[k], short[k]),
        p.province_variant_share,
        rng,
    )
    names, name_changes = _spelling_variants(
        canonical_names,
        lambda k: _name_variants(canonical_names[k], cities[k]),
        p.name_variant_share,
        rng,
    )
    frame = pd.DataFrame(
        {
            columns.ENTITY: ids[cluster_of],
            columns.NAME: names,
            columns.PROVINCE: provinces,
            columns.INDUSTRY: clusters[columns.INDUSTRY].to_numpy()[cluster_of],
            columns.TIME: year_values[kept_rows % t].astype("int64"),
            columns.MONEY_UNIT: np.where(is_yi[kept_rows], MONEY_UNIT_LARGE, MONEY_UNIT_DEFAULT),
            **text,
        }
    )

    # 8. exact duplicates, each right after its original (never a row with a typo)
    typo_rows = {row for row, _ in typo_cells}
    duplicable = [k for k, row in enumerate(kept_rows.tolist()) if row not in typo_rows]
    n_duplicates = min(_count(p.duplicate_share, n_rows), len(duplicable))
    duplicated = sorted(int(k) for k in rng.choice(duplicable, size=n_duplicates, replace=False))
    duplicate_set = set(duplicated)
    order: list[int] = []
    duplicate_positions = []
    for k in range(n_rows):
        order.append(k)
        if k in duplicate_set:
            duplicate_positions.append(len(order))
            order.append(k)
    raw = frame.iloc[order].reset_index(drop=True)

    n_missing_raw = int(raw[indicator_names].isna().sum().sum())
    province_variants = [
        {**key(int(kept_rows[k])), "written": written, "official": official[k]}
        for k, written in province_changes
    ]
    messiness: dict[str, Any] = {
        "n_rows_complete_panel": n * t,
        "n_rows_raw": len(raw),
        "dropped_rows": [key(int(row)) for row in np.flatnonzero(~keep)],
        "n_dropped_rows": int((~keep).sum()),
        "duplicate_rows": duplicate_positions,
        "duplicate_file_rows": [position + 2 for position in duplicate_positions],
        "duplicate_keys": [key(int(kept_rows[k])) for k in duplicated],
        "n_duplicate_rows": len(duplicate_positions),
        "yi_yuan_rows": [key(int(row)) for row in yi_rows],
        "n_yi_yuan_rows": len(yi_rows),
        "n_yi_yuan_rows_raw": int((raw[columns.MONEY_UNIT] == MONEY_UNIT_LARGE).sum()),
        "money_columns": money_names,
        "thousands_separator_cells": [
            {**key(row), "variable": name} for row, name in thousands_cells
        ],
        "n_thousands_separator_cells": len(thousands_cells),
        "missing_cells": [
            {
                **key(int(kept_rows[position // n_indicators])),
                "variable": indicator_names[position % n_indicators],
            }
            for position in missing_positions
        ],
        "n_missing_cells": int(n_missing),
        "n_missing_cells_raw": n_missing_raw,
        "missing_share_raw": n_missing_raw / (len(raw) * n_indicators),
        "typos": typos,
        "typo_factor": p.typo_factor,
        "province_variants": province_variants,
        "province_spellings": {item["written"]: item["official"] for item in province_variants},
        "n_province_variants": len(province_variants),
        "name_variants": [
            {**key(int(kept_rows[k])), "written": written, "canonical": canonical_names[k]}
            for k, written in name_changes
        ],
        "n_name_variants": len(name_changes),
    }
    return raw, messiness
