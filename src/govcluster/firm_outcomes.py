r"""A firm-level panel with a cluster-level treatment of known effect.

:func:`govcluster.simulate_firms.simulate_firm_panel` draws firm-years whose cluster aggregates
reproduce the simulated cluster panel. :func:`simulate_firm_outcome_panel` turns them into the
data of a firm-level study: each firm-year gets its cluster, industry and province, the
cluster-level treatment ``GOV`` of its cluster-year (the cluster simulator's latent
government-intervention index) and an outcome whose dependence on ``GOV`` is known.

Data-generating process of firm :math:`f` of cluster :math:`c` (industry :math:`j`, province
:math:`p`) in year :math:`t`:

.. math::

    \ln TFP_{ft} = \beta\,GOV_{ct} + \gamma \ln L_{ft} + \alpha_f + \delta_{jt} + \pi_{pt}
                   + u_{ct} + \varepsilon_{ft},

with

- :math:`\alpha_f = \kappa\,\overline{GOV}_c + \sigma_\alpha z_f`: a firm effect correlated
  with the cluster's average treatment (so that a model without firm effects is biased);
- :math:`\delta_{jt} = \sigma_\delta z_{jt}` and :math:`\pi_{pt} = \sigma_\pi z_{pt}`:
  industry-year and province-year shocks;
- :math:`u_{ct} = \sigma_u z_{ct}`: a cluster-year shock common to the firms of a cluster in a
  year (their errors are correlated within clusters, so standard errors must be clustered at
  the cluster level or above);
- :math:`\varepsilon_{ft} = \sigma_\varepsilon z_{ft}`;

every :math:`z` independent standard normal, :math:`\ln L_{ft}` the log of the firm's
employees. The treatment is independent of every shock given the firm effect, so any model
with firm effects (and year, industry x year or province x year effects) estimates
:math:`\beta` consistently; the truth record holds :math:`\beta` and :math:`\gamma`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from govcluster import columns
from govcluster.core.absorb import interaction_codes
from govcluster.errors import ConfigError, DataValidationError
from govcluster.simulate_firms import INDUSTRY_CODES, FirmDesign, simulate_firm_panel

#: Record kind and version of the truth file.
TRUTH_KIND = "firm_panel_truth"
TRUTH_SCHEMA_VERSION = 1

#: Columns of the firm panel, in file order.
FIRM_PANEL_COLUMNS: tuple[str, ...] = (
    "firm_id",
    "year",
    "cluster",
    "province",
    "industry",
    "GOV",
    "ln_employees",
    "ln_tfp",
)

#: Spawn key that separates the outcome draws from the firm draws and the cluster simulator.
_OUTCOME_STREAM = 7_302


@dataclass(frozen=True)
class FirmOutcomeDesign:
    r"""Parameters of the firm outcome (see the module docstring).

    Attributes
    ----------
    effect_gov : float
        :math:`\beta`, the effect of the cluster-level treatment on the firm outcome.
    effect_size : float
        :math:`\gamma`, the elasticity of the outcome with respect to employees.
    firm_gov_loading : float
        :math:`\kappa`, loading of the firm effect on the cluster's mean treatment.
    firm_sd, industry_year_sd, province_year_sd, cluster_year_sd, noise_sd : float
        Standard deviations of the firm effect, the industry-year, province-year and
        cluster-year shocks and the idiosyncratic error.
    """

    effect_gov: float = 0.3
    effect_size: float = 0.2
    firm_gov_loading: float = 0.5
    firm_sd: float = 0.5
    industry_year_sd: float = 0.2
    province_year_sd: float = 0.2
    cluster_year_sd: float = 0.1
    noise_sd: float = 0.3

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"firm_panel.design.{item.name} must be a number, got {value!r}")
            if not math.isfinite(value) or (item.name.endswith("_sd") and value < 0):
                raise ConfigError(
                    f"firm_panel.design.{item.name} must be a finite number"
                    + (" >= 0" if item.name.endswith("_sd") else "")
                    + f", got {value!r}"
                )


@dataclass(frozen=True, eq=False)
class FirmOutcomePanel:
    """The firm panel and its truth.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per firm and year, columns :data:`FIRM_PANEL_COLUMNS`.
    truth : dict
        The truth record (:func:`truth_record`).
    """

    frame: pd.DataFrame
    truth: dict[str, Any]


def simulate_firm_outcome_panel(
    raw: pd.DataFrame,
    latent: pd.DataFrame,
    *,
    seed: int,
    typos: list[dict[str, Any]] | None = None,
    firm_scale: float = 0.1,
    firm_design: FirmDesign | None = None,
    design: FirmOutcomeDesign | None = None,
) -> FirmOutcomePanel:
    """Draw the firm panel: simulated firms, their cluster's treatment and a known outcome.

    Parameters
    ----------
    raw, latent : pandas.DataFrame
        The cluster simulator's raw panel and latent panel
        (:func:`govcluster.simulate.simulate_cluster_panel`).
    seed : int
        Master seed; the firms and the outcome use their own streams of it.
    typos : list of dict, optional
        ``truth.messiness["typos"]`` of the cluster simulator.
    firm_scale : float
        Size parameter of :func:`govcluster.simulate_firms.simulate_firm_panel`: 0.1 gives about
        135,000 firm-years for the default 240 clusters x 15 years, 1 about 1.35 million, 2.97
        about 4 million.
    firm_design : FirmDesign, optional
        Dispersion of the firms' size around their cluster's.
    design : FirmOutcomeDesign, optional
        Parameters of the outcome.

    Returns
    -------
    FirmOutcomePanel
    """
    design = design or FirmOutcomeDesign()
    if "GOV" not in latent.columns:
        raise DataValidationError(
            "the latent cluster panel has no GOV column",
            column="GOV",
            fix="pass the latent panel written by govcluster.simulate.simulate_cluster_panel",
        )
    firms = simulate_firm_panel(
        raw, latent, seed=seed, typos=typos, firm_scale=firm_scale, design=firm_design
    )
    frame = firms.firms.merge(
        firms.cluster_map, on=["county_code", "industry_code"], how="left", validate="m:1"
    )
    treatment = latent[[columns.ENTITY, columns.TIME, "GOV"]].copy()
    treatment[columns.TIME] = treatment[columns.TIME].astype("int64")
    frame = frame.merge(treatment, on=[columns.ENTITY, columns.TIME], how="left", validate="m:1")
    industry_names = {code: name for name, code in INDUSTRY_CODES.items()}
    frame["industry"] = frame["industry_code"].map(industry_names)
    frame["ln_employees"] = np.log(frame["employees"].to_numpy(dtype=float))
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(_OUTCOME_STREAM,)))
    frame["ln_tfp"] = _draw_outcome(frame, design, rng)
    frame = frame.rename(columns={columns.ENTITY: "cluster"})
    frame = frame[list(FIRM_PANEL_COLUMNS)].sort_values(["firm_id", "year"], kind="stable")
    frame = frame.reset_index(drop=True)
    return FirmOutcomePanel(frame=frame, truth=truth_record(frame, design, firm_scale=firm_scale))


def draw_firm_case(
    *,
    n_clusters: int,
    years: tuple[int, int],
    seed: int,
    simulate_params: dict[str, Any] | None = None,
    firm_scale: float = 0.1,
    design: FirmOutcomeDesign | None = None,
) -> FirmOutcomePanel:
    """The firm panel of the firm-level case, from the cluster simulator's settings.

    Draws the cluster panel (:func:`govcluster.simulate.simulate_cluster_panel` with
    ``n_clusters``, ``years``, ``seed`` and ``simulate_params``: the settings of the
    configuration's ``simulate`` section) in memory, then the firms and their outcome
    (:func:`simulate_firm_outcome_panel`). Nothing is written: the cluster panel stays
    internal, so the case does not share data/raw/clusters.csv with the default run.
    """
    from govcluster.simulate import simulate_cluster_panel

    raw, truth = simulate_cluster_panel(
        n_clusters=n_clusters, years=years, seed=seed, **(simulate_params or {})
    )
    return simulate_firm_outcome_panel(
        raw,
        truth.latent,
        seed=seed,
        typos=truth.messiness["typos"],
        firm_scale=firm_scale,
        design=design,
    )


def _draw_outcome(
    frame: pd.DataFrame, design: FirmOutcomeDesign, rng: np.random.Generator
) -> np.ndarray:
    """The outcome of every row.

    Draw order: firms, industry-years, province-years, cluster-years, rows; each in sorted
    order of its key.
    """
    n = len(frame)

    def codes(column: str) -> np.ndarray:
        return pd.factorize(frame[column], sort=True)[0]

    firm, cluster, year = codes("firm_id"), codes(columns.ENTITY), codes(columns.TIME)
    # cells numbered in sorted order of (key, year), as a factorization of the pairs would
    industry_year = interaction_codes(codes("industry"), year)
    province_year = interaction_codes(codes(columns.PROVINCE), year)
    cluster_year = interaction_codes(cluster, year)

    gov = frame["GOV"].to_numpy(dtype=float)
    cluster_mean_gov = np.bincount(cluster, weights=gov) / np.bincount(cluster)
    # the firm effect loads on the mean treatment of the firm's cluster (firms never move)
    firm_cluster = np.zeros(firm.max() + 1, dtype=np.int64)
    firm_cluster[firm] = cluster
    firm_effect = design.firm_gov_loading * cluster_mean_gov[firm_cluster] + (
        design.firm_sd * rng.standard_normal(firm.max() + 1)
    )
    industry_year_shock = design.industry_year_sd * rng.standard_normal(industry_year.max() + 1)
    province_year_shock = design.province_year_sd * rng.standard_normal(province_year.max() + 1)
    cluster_year_shock = design.cluster_year_sd * rng.standard_normal(cluster_year.max() + 1)
    noise = design.noise_sd * rng.standard_normal(n)
    return (
        design.effect_gov * gov
        + design.effect_size * frame["ln_employees"].to_numpy(dtype=float)
        + firm_effect[firm]
        + industry_year_shock[industry_year]
        + province_year_shock[province_year]
        + cluster_year_shock[cluster_year]
        + noise
    )


def truth_record(
    frame: pd.DataFrame, design: FirmOutcomeDesign, *, firm_scale: float
) -> dict[str, Any]:
    r"""The truth of the firm panel as a JSON-able record (kind ``firm_panel_truth``).

    ``effects`` holds the true coefficients of the regressors (``GOV``: :math:`\beta`,
    ``ln_employees``: :math:`\gamma`), ``design`` every parameter, ``size`` the numbers of
    firm-years, firms, clusters, provinces, industries and years.
    """
    return {
        "schema_version": TRUTH_SCHEMA_VERSION,
        "kind": TRUTH_KIND,
        "outcome": "ln_tfp",
        "treatment": "GOV",
        "effects": {"GOV": float(design.effect_gov), "ln_employees": float(design.effect_size)},
        "design": {**asdict(design), "firm_scale": float(firm_scale)},
        "size": {
            "firm_years": int(len(frame)),
            "firms": int(frame["firm_id"].nunique()),
            "clusters": int(frame["cluster"].nunique()),
            "provinces": int(frame["province"].nunique()),
            "industries": int(frame["industry"].nunique()),
            "years": int(frame["year"].nunique()),
        },
    }


def read_truth(record: dict[str, Any]) -> dict[str, Any]:
    """Check the kind and version of a truth record read back from its file.

    Raises
    ------
    DataValidationError
        When the record is not a firm panel truth record of this version.
    """
    kind, version = record.get("kind"), record.get("schema_version")
    if kind != TRUTH_KIND or version != TRUTH_SCHEMA_VERSION:
        raise DataValidationError(
            f"the record has kind {kind!r} and schema_version {version!r}, not "
            f"{TRUTH_KIND!r} version {TRUTH_SCHEMA_VERSION}",
            fix="regenerate it with the firm_panel rule of this version of govcluster",
        )
    return record
