"""The simulation study: replications, the design grid and the seed of every replication."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

from govcluster.errors import ConfigError

StudyEstimator = Literal["twoway_fe", "twoway_fe_iv", "mediation"]


@dataclass(frozen=True)
class StudyDesign:
    """One cell of the design grid.

    Attributes
    ----------
    index : int
        Position in the grid (part of every replication's seed).
    n_clusters : int
        Clusters of the simulated panel.
    endogeneity : float
        Loading of the unobserved confounder on GOV and SCA (0 = GOV exogenous given fixed
        effects).
    """

    index: int
    n_clusters: int
    endogeneity: float

    @property
    def name(self) -> str:
        """File-safe label, e.g. ``n60_endo0p5``."""
        return f"n{self.n_clusters}_endo{self.endogeneity:g}".replace(".", "p").replace("-", "m")


@dataclass(frozen=True)
class StudySpec:
    """What the study draws and estimates.

    Attributes
    ----------
    seed : int
        Master seed (config ``seed``).
    replications : int
        Panels drawn per design.
    designs : tuple of StudyDesign
        The grid: every combination of the configured sample sizes and endogeneity levels.
    years : tuple of int
        First and last simulated year.
    estimators : tuple of str
        ``twoway_fe`` (SCA on GOV, two-way FE), ``twoway_fe_iv`` (GOV instrumented by the
        fiscal shock), ``mediation`` (indirect effect of each mechanism, product of the a- and
        b-path coefficients, delta-method test).
    controls : tuple of str
        Controls of every regression (columns of the latent panel).
    simulate_params : dict
        Fixed overrides of the simulator's parameters for every replication.
    level : float
        Confidence level of the intervals whose coverage is reported.
    """

    seed: int
    replications: int
    designs: tuple[StudyDesign, ...]
    years: tuple[int, int] = (2008, 2022)
    estimators: tuple[StudyEstimator, ...] = ("twoway_fe", "twoway_fe_iv", "mediation")
    controls: tuple[str, ...] = ("ln_employment", "ln_firms", "ln_gdp_pc")
    simulate_params: Mapping[str, Any] = field(default_factory=dict)
    level: float = 0.95

    def __post_init__(self) -> None:
        for estimator in self.estimators:
            if estimator not in get_args(StudyEstimator):
                raise ConfigError(
                    f"study.estimators: {estimator!r} is not one of "
                    f"{', '.join(get_args(StudyEstimator))}"
                )
        if self.replications < 1:
            raise ConfigError(f"study.replications must be at least 1, got {self.replications}")
        if not 0 < self.level < 1:
            raise ConfigError(f"study.level must be between 0 and 1, got {self.level}")

    def design(self, name: str) -> StudyDesign:
        """The design called ``name``."""
        for design in self.designs:
            if design.name == name:
                return design
        raise ConfigError(f"no study design called {name!r}")


def build_study_spec(settings: Mapping[str, Any], *, seed: int) -> StudySpec:
    """The study of the ``study`` section of the configuration (master seed ``seed``)."""
    grid = settings.get("design", {})
    sizes = list(grid.get("n_clusters", [240]))
    endogeneity = list(grid.get("endogeneity", [0.0]))
    if "pre_trend" in grid:
        raise ConfigError(
            "study.design.pre_trend: the simulator has no pre-trend violation to vary; remove "
            "the key"
        )
    designs = tuple(
        StudyDesign(index=k, n_clusters=int(n), endogeneity=float(e))
        for k, (n, e) in enumerate(itertools.product(sizes, endogeneity))
    )
    return StudySpec(
        seed=int(seed),
        replications=int(settings.get("replications", 100)),
        designs=designs,
        years=(int(settings.get("first_year", 2008)), int(settings.get("last_year", 2022))),
        estimators=tuple(settings.get("estimators", ("twoway_fe", "twoway_fe_iv", "mediation"))),
        controls=tuple(settings.get("controls", ("ln_employment", "ln_firms", "ln_gdp_pc"))),
        simulate_params=dict(settings.get("simulate_params", {})),
        level=float(settings.get("level", 0.95)),
    )


def replication_seed(master_seed: int, design_index: int, replication: int) -> int:
    """Seed of one replication: a child of the master seed keyed by design and replication.

    ``np.random.SeedSequence(master_seed, spawn_key=(design_index, replication))`` gives
    independent streams for every (design, replication) pair, whatever order or machine they
    run on; its first 32-bit word seeds the simulator.
    """
    sequence = np.random.SeedSequence(int(master_seed), spawn_key=(design_index, replication))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])
