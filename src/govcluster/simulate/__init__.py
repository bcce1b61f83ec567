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

from typing import Any

import numpy as np
import pandas as pd

from govcluster import columns
from govcluster.simulate.design import (
    CITIES,
    CONTROLS,
    DEFAULT_SEED,
    DESCRIPTIVE_COLUMNS,
    INDICATORS,
    INDUSTRIES,
    MECHANISMS,
    MONEY_UNIT_DEFAULT,
    MONEY_UNIT_LARGE,
    OTHER_VARIABLES,
    OUTCOME,
    PROFILE_HORIZONS,
    TREATMENT,
    UNBOUNDED_KINDS,
    WAN_PER_YI,
    YI_DECIMALS,
    IndicatorDesign,
    raw_variable_columns,
)
from govcluster.simulate.dgp import (
    _check_panel_shape,
    _draw_clusters,
    _latent_frame,
    _measure,
    _simulate_economy,
    _simulate_latent,
    case_study_effect_path,
    designation_exposure_profile,
)
from govcluster.simulate.messiness import _make_messy
from govcluster.simulate.parameters import SimulationParameters
from govcluster.simulate.truth import (
    SimulationTruth,
    _to_builtin,
    case_study_truth,
    derive_true_effects,
    designation_truth,
)

__all__ = [
    "CITIES",
    "CONTROLS",
    "DEFAULT_SEED",
    "DESCRIPTIVE_COLUMNS",
    "INDICATORS",
    "INDUSTRIES",
    "MECHANISMS",
    "MONEY_UNIT_DEFAULT",
    "MONEY_UNIT_LARGE",
    "OTHER_VARIABLES",
    "OUTCOME",
    "PROFILE_HORIZONS",
    "TREATMENT",
    "UNBOUNDED_KINDS",
    "WAN_PER_YI",
    "YI_DECIMALS",
    "IndicatorDesign",
    "SimulationParameters",
    "SimulationTruth",
    "derive_true_effects",
    "designation_exposure_profile",
    "designation_truth",
    "case_study_truth",
    "case_study_effect_path",
    "raw_variable_columns",
    "simulate_cluster_panel",
    "simulate_latent_panel",
]


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
    effects["designation"] = designation_truth(
        clusters["designation_year"].to_numpy(),
        year_values,
        latent["designation_effects"],
        {TREATMENT: 1.0, **latent_sd},
    )
    case_study: dict[str, Any] = {}
    if parameters.case_study_cluster:
        row = clusters.iloc[parameters.case_study_cluster - 1]
        case_study = case_study_truth(
            row[columns.ENTITY],
            row[columns.NAME],
            parameters.case_study_year,
            year_values,
            case_study_effect_path(year_values, parameters),
            latent_sd[OUTCOME],
        )
    used = {
        "n_clusters": int(n_clusters),
        "years": [first_year, last_year],
        "seed": int(seed),
        "burn_in_years": len(parameters.lag_effects),
        **parameters.to_dict(),
    }
    truth = SimulationTruth(
        parameters=_to_builtin(used),
        latent=latent_frame,
        messiness=messiness,
        effects=effects,
        case_study=case_study,
    )
    return raw, truth


def simulate_latent_panel(
    n_clusters: int = 240,
    years: tuple[int, int] = (2008, 2022),
    seed: int = DEFAULT_SEED,
    **params: Any,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The latent panel and the designation's true ATT(g, t), without measurement or dirt.

    The same draws as :func:`simulate_cluster_panel` for the same arguments (the latent frame
    is identical), several times faster: for Monte Carlo studies of the estimators.

    Returns
    -------
    latent : pandas.DataFrame
        As ``SimulationTruth.latent`` (without ``dropped_from_raw``).
    designation : dict
        As ``truth.effects["designation"]`` (see :func:`designation_truth`).
    """
    parameters = SimulationParameters.from_overrides(params)
    first_year, last_year = _check_panel_shape(n_clusters, years, seed)
    cluster_ss, economy_ss, latent_ss, _, _ = np.random.SeedSequence(seed).spawn(5)
    year_values = np.arange(first_year, last_year + 1)
    clusters = _draw_clusters(n_clusters, parameters, np.random.default_rng(cluster_ss))
    economy = _simulate_economy(
        clusters, year_values, parameters, np.random.default_rng(economy_ss)
    )
    latent = _simulate_latent(
        clusters, economy, year_values, parameters, np.random.default_rng(latent_ss)
    )
    latent_sd = {name: float(np.std(latent[name])) for name in (*MECHANISMS, OUTCOME)}
    designation = designation_truth(
        clusters["designation_year"].to_numpy(),
        year_values,
        latent["designation_effects"],
        {TREATMENT: 1.0, **latent_sd},
    )
    return _latent_frame(clusters, year_values, latent, economy, parameters), designation
