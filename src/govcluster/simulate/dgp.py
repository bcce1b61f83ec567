"""The data-generating process: clusters, economy, latent constructs and their indicators.

See the docstring of :mod:`govcluster.simulate` for the equations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

from govcluster import columns
from govcluster.errors import ConfigError
from govcluster.regions import LESS_DEVELOPED_REGIONS, PROVINCES
from govcluster.simulate.design import (
    CITIES,
    CONTROLS,
    INDICATORS,
    INDUSTRIES,
    MECHANISMS,
    OUTCOME,
    TREATMENT,
    UNBOUNDED_KINDS,
    IndicatorDesign,
)
from govcluster.simulate.parameters import SimulationParameters


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
            "designation_year": np.where(
                designated & ~_is_case_study(n_clusters, parameters), designation_year, 0
            ),
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


def _is_case_study(n_clusters: int, parameters: SimulationParameters) -> np.ndarray:
    """Boolean mask of the case-study cluster (all False when there is none)."""
    mask = np.zeros(n_clusters, dtype=bool)
    if parameters.case_study_cluster:
        if parameters.case_study_cluster > n_clusters:
            raise ConfigError(
                f"simulate.params.case_study_cluster = {parameters.case_study_cluster} but the "
                f"panel has only {n_clusters} clusters; choose a position from 1 to "
                f"{n_clusters}, or 0 for no case study"
            )
        mask[parameters.case_study_cluster - 1] = True
    return mask


def designation_exposure_profile(
    designation_year: np.ndarray, years: np.ndarray, parameters: SimulationParameters
) -> np.ndarray:
    """``D_it h(g_i, t - g_i)``: the designation's multiplier of ``gov_d_effect`` (N x T).

    Zero before designation and for never-designated clusters (``designation_year == 0``);
    ``(1 + growth * e) * (1 + gradient * (last - g) / (last - first))`` from the designation
    year ``g`` on, with ``e = t - g``.
    """
    p = parameters
    g = designation_year.astype(float)[:, None]
    event_time = years[None, :] - g
    treated = (designation_year > 0)[:, None] & (event_time >= 0)
    span = p.designation_last_year - p.designation_first_year
    cohort = 1.0 + (
        p.designation_cohort_gradient * (p.designation_last_year - g) / span if span > 0 else 0.0
    )
    profile = (1.0 + p.designation_effect_growth * np.maximum(event_time, 0.0)) * cohort
    return np.where(treated, profile, 0.0)


def case_study_effect_path(years: np.ndarray, parameters: SimulationParameters) -> np.ndarray:
    """Effect of the case-study intervention on latent SCA in each of ``years`` (0 before)."""
    path = np.asarray(parameters.case_study_effect, dtype=float)
    since = years - parameters.case_study_year
    index = np.clip(since, 0, len(path) - 1)
    return np.where(since >= 0, path[index], 0.0)


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
        + p.gov_d_effect * designation_exposure_profile(designation_year, all_years, p)
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
    ever_designated = (designation_year > 0).astype(float)
    sca = sca + p.pretrend_violation * ever_designated[:, None] * elapsed[None, :]
    case_study = _is_case_study(n, p)
    sca[case_study] += case_study_effect_path(year_values, p)
    out[OUTCOME] = sca
    out["designation_effects"] = _designation_effects(
        designation_year, all_years, burn_in, less_developed, p, gov_raw_sd
    )
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
    frame["designation_year"] = per_cluster("designation_year").astype("int64")
    frame["designation_effect_SCA"] = latent["designation_effects"][OUTCOME].ravel()
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


def _designation_effects(
    designation_year: np.ndarray,
    all_years: np.ndarray,
    burn_in: int,
    less_developed: np.ndarray,
    parameters: SimulationParameters,
    gov_raw_sd: float,
) -> dict[str, np.ndarray]:
    """Each cluster's effect of designation on GOV, the mechanisms and SCA (N x T, latent units).

    The model is linear, so the effect is the difference between the outcome with and without
    the designation term of the GOV equation, all shocks held fixed: on GOV
    ``gov_d_effect D h / sd(GOV raw)``; on mechanism ``k`` ``a_k (1 + heterogeneity *
    lessdev) dGOV``; on SCA ``c' dGOV + sum_k b_k dM_k + sum_l lag_l dGOV_{t-l}``.
    """
    p = parameters
    d_gov_all = (
        p.gov_d_effect * designation_exposure_profile(designation_year, all_years, p) / gov_raw_sd
    )
    t_all = d_gov_all.shape[1]
    d_gov = d_gov_all[:, burn_in:t_all]
    multiplier = (1.0 + p.heterogeneity * less_developed)[:, None]
    effects = {TREATMENT: d_gov}
    d_sca = p.c_prime * d_gov
    for k, name in enumerate(MECHANISMS):
        effects[name] = p.a[k] * multiplier * d_gov
        d_sca = d_sca + p.b[k] * effects[name]
    for lag, effect in enumerate(p.lag_effects, start=1):
        d_sca = d_sca + effect * d_gov_all[:, burn_in - lag : t_all - lag]
    effects[OUTCOME] = d_sca
    return effects
