"""Simulated firm-year microdata whose cluster aggregates reproduce the simulated cluster panel.

The cluster simulator (:func:`govcluster.simulate.simulate_cluster_panel`) writes a cluster-year
panel of yearbook-like indicators. Researchers usually build such indicators themselves from
firm-level microdata (an industrial enterprise survey). :func:`simulate_firm_panel` draws that
microdata: for every cluster and year it draws as many firms as the cluster panel counts, each
with employees, sales, exports, a foreign-investment flag and R&D staff, such that the
cluster-year aggregates of the firms reproduce the cluster panel's indicators up to sampling
noise:

==================== =========================================== ==============================
indicator            aggregate of the firms                      target (cluster panel)
==================== =========================================== ==============================
n_firms              number of firms                             n_firms (exact)
employment           sum of employees                            employment
export_share         100 x sum(exports) / sum(sales)             export_share (%)
foreign_firm_share   100 x share of foreign-invested firms       foreign_firm_share (%)
rd_staff_share       100 x sum(rd_staff) / sum(employees)        rd_staff_share (%)
labour_productivity  sum(sales) / sum(employees)                 labour_productivity (万元)
==================== =========================================== ==============================

Data-generating process of firm ``f`` of cluster-year ``c`` (``N_c`` firms, ``E_c`` employees,
targets ``s_c`` export share, ``g_c`` foreign share, ``r_c`` R&D staff share, ``P_c``
productivity, all from the cluster panel)::

    employees_f  = max(1, round(E_c / N_c * exp(size_sd z_f - size_sd^2 / 2)))
    sales_f      = employees_f * P_c * exp(productivity_sd w_f - productivity_sd^2 / 2)
    exports_f    = sales_f * x_f,         x_f ~ Beta with mean s_c and precision `concentration`
    foreign_f    ~ Bernoulli(g_c)
    rd_staff_f   ~ Binomial(employees_f, q_f),  q_f ~ Beta with mean r_c and precision
                                                 `concentration`

with ``z_f`` and ``w_f`` independent standard normal. Each aggregate is thus a consistent
estimator of its target whose sampling error shrinks like ``1 / sqrt(N_c)``.

The targets are the cluster panel's printed values, read from the raw file with the injected
x100 typos undone (from the truth record). ``n_firms`` and ``employment`` come from the latent
panel (exact). Cells that are empty in the raw file, and cluster-years dropped from it, take the
cluster's linearly interpolated value (nearest year at the edges); the returned targets flag
them (``observed = False``). Firm ``k`` of a cluster keeps its identifier from year to year
(firms enter and leave at the end of the list as the count changes).

Firms are located by a county code and an industry code (two digits of the Chinese Industrial
Classification); the returned mapping file assigns each (county, industry) pair to its cluster,
the way a researcher would assign survey firms to clusters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govcluster import columns
from govcluster.errors import ConfigError, DataValidationError
from govcluster.regions import PROVINCES

#: Firm-level columns of the simulated microdata, in file order.
FIRM_COLUMNS: tuple[str, ...] = (
    "firm_id",
    "year",
    "province",
    "county_code",
    "industry_code",
    "employees",
    "sales",
    "exports",
    "foreign_invested",
    "rd_staff",
)

#: Indicators of the cluster panel that the firms reproduce (share and amount targets).
SHARE_TARGETS: tuple[str, ...] = ("export_share", "foreign_firm_share", "rd_staff_share")
AMOUNT_TARGETS: tuple[str, ...] = ("labour_productivity",)
COUNT_TARGETS: tuple[str, ...] = ("n_firms", "employment")

#: Two-digit codes of the Chinese Industrial Classification (GB/T 4754-2011) of the simulated
#: industries.
INDUSTRY_CODES: dict[str, int] = {
    "plastics": 29,
    "low_voltage_electrical": 38,
    "textiles": 17,
    "footwear": 19,
    "furniture": 21,
    "electronics": 39,
    "auto_parts": 36,
    "ceramics": 30,
    "hardware": 33,
    "pharmaceuticals": 27,
}

#: Spawn key that separates the firm draws from the cluster simulator's streams.
_FIRM_STREAM = 7_301
#: Firms of one cluster are numbered cluster number x this + k.
_FIRMS_PER_CLUSTER_LIMIT = 10_000_000


@dataclass(frozen=True)
class FirmDesign:
    """Dispersion of the firms around their cluster-year targets.

    Attributes
    ----------
    size_sd : float
        Standard deviation of log firm size (employees) within a cluster-year.
    productivity_sd : float
        Standard deviation of log sales per employee within a cluster-year.
    concentration : float
        Precision (a + b) of the Beta distributions of firms' export intensity and R&D staff
        share around the cluster's share; larger = firms more alike.
    """

    size_sd: float = 0.8
    productivity_sd: float = 0.4
    concentration: float = 8.0

    def __post_init__(self) -> None:
        for name in ("size_sd", "productivity_sd", "concentration"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ConfigError(
                    f"aggregate.simulate_firms.{name} must be a positive number, got {value!r}"
                )


@dataclass(frozen=True, eq=False)
class FirmPanel:
    """Simulated firm-year microdata and what they were drawn from.

    Attributes
    ----------
    firms : pandas.DataFrame
        One row per firm and year, columns :data:`FIRM_COLUMNS`.
    cluster_map : pandas.DataFrame
        county_code, industry_code -> cluster_id (one row per cluster).
    targets : pandas.DataFrame
        One row per cluster and year: cluster_id, year, the targets of every indicator in the
        cluster panel's units, the number of firms drawn (``n_firms_drawn``) and ``observed``
        (True where every share and amount target was printed in the raw panel).
    """

    firms: pd.DataFrame
    cluster_map: pd.DataFrame
    targets: pd.DataFrame


def cluster_targets(
    raw: pd.DataFrame, latent: pd.DataFrame, typos: list[dict[str, Any]] | None = None
) -> pd.DataFrame:
    """The clean cluster-year values that the simulated firms must reproduce.

    Parameters
    ----------
    raw : pandas.DataFrame
        The raw cluster panel as written by the cluster simulator (numbers may be text).
    latent : pandas.DataFrame
        The latent panel of the simulator (``truth.latent`` or clusters_latent.parquet), one
        row per cluster and year of the complete panel.
    typos : list of dict, optional
        ``truth.messiness["typos"]``: cells written x100, with their true values.

    Returns
    -------
    pandas.DataFrame
        cluster_id, year, province, industry, n_firms, employment, the share and amount targets
        and ``observed``; sorted by cluster_id and year.
    """
    needed = [columns.ENTITY, columns.TIME, columns.INDUSTRY, *SHARE_TARGETS, *AMOUNT_TARGETS]
    missing = [name for name in needed if name not in raw.columns]
    if missing:
        raise DataValidationError(
            "the cluster panel lacks columns the simulated firms are drawn from",
            column=", ".join(missing),
            fix="pass the raw panel written by govcluster.simulate.simulate_cluster_panel",
        )
    keys = [columns.ENTITY, columns.TIME]
    printed = raw[needed].drop_duplicates(subset=keys).copy()
    printed[columns.TIME] = printed[columns.TIME].astype("int64")
    for name in (*SHARE_TARGETS, *AMOUNT_TARGETS):
        printed[name] = _as_number(printed[name])
    printed = printed.set_index(keys)
    for typo in typos or []:
        key = (typo["cluster_id"], int(typo["year"]))
        if typo["variable"] in printed.columns and key in printed.index:
            printed.loc[key, typo["variable"]] = float(typo["true_value"])

    frame = latent[[columns.ENTITY, columns.TIME, columns.PROVINCE]].copy()
    frame[columns.TIME] = frame[columns.TIME].astype("int64")
    frame["n_firms"] = np.rint(np.exp(latent["ln_firms"].to_numpy())).astype("int64")
    frame["employment"] = np.rint(np.exp(latent["ln_employment"].to_numpy())).astype("int64")
    frame = frame.join(printed, on=keys).sort_values(keys, kind="stable")
    frame[columns.INDUSTRY] = frame.groupby(columns.ENTITY)[columns.INDUSTRY].transform(
        lambda values: values.dropna().iloc[0] if values.notna().any() else np.nan
    )
    targets = [*SHARE_TARGETS, *AMOUNT_TARGETS]
    frame["observed"] = frame[targets].notna().all(axis=1)
    for name in targets:
        frame[name] = frame.groupby(columns.ENTITY)[name].transform(_fill_by_interpolation)
    if frame[[columns.INDUSTRY, *targets]].isna().any().any():
        empty = frame.loc[frame[targets].isna().any(axis=1), columns.ENTITY].unique()
        raise DataValidationError(
            "some clusters have no printed value of a target indicator in any year",
            rows=None,
            fix=f"clusters {', '.join(map(str, empty[:5]))}: check the raw cluster panel",
        )
    return frame.reset_index(drop=True)


def _as_number(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    text = values.astype("string").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text, errors="coerce").astype(float)


def _fill_by_interpolation(values: pd.Series) -> pd.Series:
    if values.notna().sum() == 0:
        return values
    return values.interpolate(method="linear", limit_direction="both")


def build_cluster_map(targets: pd.DataFrame) -> pd.DataFrame:
    """Assign every cluster a (county code, industry code) pair.

    County codes follow the six-digit administrative division codes: two digits of the
    province (its position among the 31 provincial divisions, from 11) and a running number
    of the cluster within its province.
    """
    clusters = (
        targets[[columns.ENTITY, columns.PROVINCE, columns.INDUSTRY]]
        .drop_duplicates(subset=columns.ENTITY)
        .sort_values(columns.ENTITY, kind="stable")
        .reset_index(drop=True)
    )
    province_number = {official: 11 + k for k, (official, *_rest) in enumerate(PROVINCES)}
    unknown = sorted(set(clusters[columns.PROVINCE]) - set(province_number))
    if unknown:
        raise DataValidationError(
            "the latent panel has provinces that are not official province names",
            column=columns.PROVINCE,
            fix=f"unknown: {', '.join(unknown[:5])}",
        )
    unknown_industries = sorted(set(clusters[columns.INDUSTRY]) - set(INDUSTRY_CODES))
    if unknown_industries:
        raise DataValidationError(
            "the cluster panel has industries without an industry code",
            column=columns.INDUSTRY,
            fix=f"unknown: {', '.join(map(str, unknown_industries[:5]))}; add them to "
            "govcluster.simulate_firms.INDUSTRY_CODES",
        )
    running = clusters.groupby(columns.PROVINCE).cumcount() + 1
    county = clusters[columns.PROVINCE].map(province_number) * 10_000 + running
    return pd.DataFrame(
        {
            "county_code": county.astype("int64"),
            "industry_code": clusters[columns.INDUSTRY].map(INDUSTRY_CODES).astype("int64"),
            columns.ENTITY: clusters[columns.ENTITY],
        }
    )


def simulate_firm_panel(
    raw: pd.DataFrame,
    latent: pd.DataFrame,
    *,
    seed: int,
    typos: list[dict[str, Any]] | None = None,
    firm_scale: float = 1.0,
    design: FirmDesign | None = None,
) -> FirmPanel:
    """Draw firm-year microdata consistent with the simulated cluster panel.

    Parameters
    ----------
    raw : pandas.DataFrame
        The raw cluster panel (``simulate_cluster_panel(...)[0]`` or data/raw/clusters.csv).
    latent : pandas.DataFrame
        The simulator's latent panel (``truth.latent`` or data/raw/clusters_latent.parquet).
    seed : int
        Master seed; the firm draws use their own stream of it.
    typos : list of dict, optional
        ``truth.messiness["typos"]`` (undone before the targets are read).
    firm_scale : float
        Size parameter: every cluster-year has ``max(1, round(firm_scale * n_firms))`` firms of
        the same expected size, so that counts and sums scale with it and shares and ratios do
        not. 1 (default) reproduces the cluster panel's firm counts (about 1.3 million
        firm-years for the default 240 clusters x 15 years); about 3 gives 4 million.
    design : FirmDesign, optional
        Dispersion of firms around their targets.

    Returns
    -------
    FirmPanel
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}")
    if not (isinstance(firm_scale, (int, float)) and math.isfinite(firm_scale) and firm_scale > 0):
        raise ConfigError(
            f"aggregate.simulate_firms.firm_scale must be a positive number, got {firm_scale!r}"
        )
    design = design or FirmDesign()
    targets = cluster_targets(raw, latent, typos)
    cluster_map = build_cluster_map(targets)
    targets["n_firms_drawn"] = np.maximum(
        np.rint(firm_scale * targets["n_firms"].to_numpy()), 1
    ).astype("int64")
    if int(targets["n_firms_drawn"].max()) >= _FIRMS_PER_CLUSTER_LIMIT:
        raise ConfigError("aggregate.simulate_firms.firm_scale gives too many firms per cluster")
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(_FIRM_STREAM,)))
    firms = _draw_firms(targets, cluster_map, design, rng)
    return FirmPanel(firms=firms, cluster_map=cluster_map, targets=targets)


def _draw_firms(
    targets: pd.DataFrame,
    cluster_map: pd.DataFrame,
    design: FirmDesign,
    rng: np.random.Generator,
) -> pd.DataFrame:
    counts = targets["n_firms_drawn"].to_numpy()
    total = int(counts.sum())
    cell = np.repeat(np.arange(len(targets)), counts)
    first_of_cell = np.repeat(np.cumsum(counts) - counts, counts)
    rank = np.arange(total) - first_of_cell

    located = targets[[columns.ENTITY]].merge(cluster_map, on=columns.ENTITY, how="left")
    cluster_number = pd.factorize(located[columns.ENTITY], sort=True)[0].astype("int64")
    firm_id = (cluster_number[cell] + 1) * _FIRMS_PER_CLUSTER_LIMIT + rank

    def per_firm(name: str) -> np.ndarray:
        return targets[name].to_numpy(dtype=float)[cell]

    mean_size = per_firm("employment") / targets["n_firms"].to_numpy()[cell]
    size_sd, productivity_sd = design.size_sd, design.productivity_sd
    employees = np.maximum(
        np.rint(mean_size * np.exp(size_sd * rng.standard_normal(total) - size_sd**2 / 2)), 1
    ).astype("int64")
    sales = (
        employees
        * per_firm("labour_productivity")
        * np.exp(productivity_sd * rng.standard_normal(total) - productivity_sd**2 / 2)
    )
    export_intensity = _beta_around(per_firm("export_share") / 100.0, design.concentration, rng)
    foreign = rng.random(total) < per_firm("foreign_firm_share") / 100.0
    rd_intensity = _beta_around(per_firm("rd_staff_share") / 100.0, design.concentration, rng)
    rd_staff = rng.binomial(employees, rd_intensity)
    return pd.DataFrame(
        {
            "firm_id": firm_id,
            "year": targets[columns.TIME].to_numpy()[cell].astype("int64"),
            "province": targets[columns.PROVINCE].to_numpy()[cell],
            "county_code": located["county_code"].to_numpy()[cell],
            "industry_code": located["industry_code"].to_numpy()[cell],
            "employees": employees,
            "sales": np.round(sales, 2),
            "exports": np.round(sales * export_intensity, 2),
            "foreign_invested": foreign.astype("int8"),
            "rd_staff": rd_staff.astype("int64"),
        }
    )


def _beta_around(mean: np.ndarray, concentration: float, rng: np.random.Generator) -> np.ndarray:
    """Beta draws with the given means (clipped into (0, 1)) and precision a + b."""
    mean = np.clip(mean, 1e-6, 1 - 1e-6)
    return rng.beta(mean * concentration, (1.0 - mean) * concentration)
