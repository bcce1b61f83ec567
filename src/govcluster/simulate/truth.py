"""What the simulator knows: :class:`SimulationTruth` and the true effects of its parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from govcluster.simulate.design import MECHANISMS, OUTCOME, PROFILE_HORIZONS
from govcluster.simulate.parameters import SimulationParameters


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
        True effects derived from the parameters (see :func:`derive_true_effects`), with the
        designation's ATT(g, t) under ``"designation"`` (see :func:`designation_truth`).
    case_study : dict
        The flagship case-study cluster and the effect of its intervention on latent SCA by
        year (see :func:`case_study_truth`); empty when there is none.
    """

    parameters: dict[str, Any]
    latent: pd.DataFrame
    messiness: dict[str, Any]
    effects: dict[str, Any] = field(default_factory=dict)
    case_study: dict[str, Any] = field(default_factory=dict)

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
                "case_study": self.case_study,
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


DESIGNATION_UNITS = (
    "latent units of each construct (the units of its equation in govcluster.simulate); "
    "the *_standardised values divide by the construct's standard deviation over the panel"
)


def designation_truth(
    designation_year: np.ndarray,
    years: np.ndarray,
    unit_effects: Mapping[str, np.ndarray],
    latent_sd: Mapping[str, float],
) -> dict[str, Any]:
    """The designation's true ATT(g, t) and its aggregations, from each cluster's effect.

    Parameters
    ----------
    designation_year : numpy.ndarray
        Designation year of each cluster, 0 for never designated.
    years : numpy.ndarray
        Years of the panel.
    unit_effects : mapping
        Construct name -> N x T array of each cluster's effect of designation (latent units).
    latent_sd : mapping
        Standard deviation of each construct over the panel (for the standardised values).

    Returns
    -------
    dict
        ``att_gt``: one row per cohort ``g`` and year ``t`` (``event_time = t - g``; zero
        before ``g``) with the mean effect over the cohort's clusters on each construct, in
        latent units and standardised (``<name>_standardised``); ``event_time``: the
        cohort-size weighted mean over the cohorts observed at each event time (Callaway and
        Sant'Anna's dynamic aggregation); ``by_cohort``: the mean over each cohort's
        post-designation years; ``overall``: the mean over all designated cluster-years
        (their simple aggregation); ``cohort_sizes``.
    """
    names = list(unit_effects)
    cohorts = sorted(int(g) for g in np.unique(designation_year) if g > 0)
    rows = []
    for g in cohorts:
        members = designation_year == g
        for j, year in enumerate(years):
            row: dict[str, Any] = {
                "cohort": g,
                "year": int(year),
                "event_time": int(year) - g,
                "n_clusters": int(members.sum()),
            }
            for name in names:
                value = float(unit_effects[name][members, j].mean())
                row[name] = value
                row[f"{name}_standardised"] = value / float(latent_sd.get(name, np.nan))
            rows.append(row)
    table = pd.DataFrame(rows)
    value_columns = [c for c in table.columns if c in names or c.endswith("_standardised")]
    out: dict[str, Any] = {
        "units": DESIGNATION_UNITS,
        "constructs": names,
        "cohort_sizes": {str(g): int((designation_year == g).sum()) for g in cohorts},
        "att_gt": rows,
    }
    if table.empty:
        out.update(event_time=[], by_cohort=[], overall={})
        return out

    def weighted(frame: pd.DataFrame) -> dict[str, float]:
        w = frame["n_clusters"].to_numpy(dtype=float)
        return {c: float(np.average(frame[c], weights=w)) for c in value_columns}

    out["event_time"] = [
        {"event_time": int(e), **weighted(frame)} for e, frame in table.groupby("event_time")
    ]
    post = table[table["event_time"] >= 0]
    out["by_cohort"] = [
        {"cohort": int(g), **{c: float(frame[c].mean()) for c in value_columns}}
        for g, frame in post.groupby("cohort")
    ]
    out["overall"] = weighted(post) if len(post) else {}
    return out


def case_study_truth(
    cluster_id: str,
    cluster_name: str,
    year: int,
    years: np.ndarray,
    path: np.ndarray,
    sca_sd: float,
) -> dict[str, Any]:
    """The flagship case study: which cluster, when, and its effect on latent SCA by year.

    ``effect_on_SCA`` is in latent SCA units (the units of the SCA equation of the
    simulator); ``effect_on_SCA_standardised`` divides by the standard deviation of latent SCA
    over the panel, the scale of the standardised SCA index up to measurement error.
    """
    effect = {str(int(y)): float(v) for y, v in zip(years, path, strict=True) if y >= year}
    return {
        "cluster_id": cluster_id,
        "cluster_name": cluster_name,
        "year": int(year),
        "units": "latent SCA units (the units of the SCA equation of govcluster.simulate)",
        "effect_on_SCA": effect,
        "effect_on_SCA_standardised": {k: v / sca_sd for k, v in effect.items()},
    }
