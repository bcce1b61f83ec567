"""Re-estimated index weights in the cluster bootstrap, against indices rebuilt on resamples.

Modules: govcluster.index_replicates and govcluster.index_bootstrap.
The oracle of every replicate is the production index code run on the resampled panel itself:
each drawn cluster is copied as often as it is drawn (a copy is a new cluster),
:func:`govcluster.indices.build_analysis_panel` rebuilds every index on that panel, and the
models are refitted on the rebuilt analysis panel (linearmodels ``PanelOLS`` for the panel
models; the mediation design of the pipeline for the mediation statistics). Tolerance 1e-8
relative: the two computations differ by rounding only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govcluster.config import build_config
from govcluster.errors import ConfigError
from govcluster.index_bootstrap import (
    CoreDesign,
    ReweightedBootstrap,
    index_weight_uncertainty,
    panel_coefficients,
    panel_core_design,
)
from govcluster.index_replicates import entity_moments, recipe_from_config, replicate_slopes
from govcluster.indices import build_analysis_panel
from govcluster.mediation.bootstrap import draw_block_counts
from govcluster.mediation.crossprod import solve_crossproducts, statistics_matrix
from govcluster.mediation.design import build_design, entity_crossproducts, unpack_symmetric
from govcluster.panel.plan import panel_jobs
from govcluster.records.index_uncertainty import IndexWeightUncertainty

CONSTRUCTS = {
    "GOV": {"indicators": {"g1": 1, "g2": 1, "g3": -1}},
    "OPEN": {"indicators": {"o1": 1, "o2": 1}},
    "INNOV": {"indicators": {"i1": 1, "i2": -1, "i3": 1}},
    "SCA": {"indicators": {"s1": 1, "s2": -1}},
}
INDICATORS = [name for spec in CONSTRUCTS.values() for name in spec["indicators"]]


def make_config(method: str = "entropy", standardize: bool = True, **extra):
    raw = {
        "seed": 7,
        "variables": {
            **{name: {"kind": "real"} for name in INDICATORS},
            "employment": {"kind": "count"},
        },
        "constructs": CONSTRUCTS,
        "controls": {"ln_employment": {"variable": "employment", "transform": "log"}},
        "roles": {"treatment": "GOV", "mediators": ["OPEN", "INNOV"], "outcome": "SCA"},
        "indices": {"method": method, "standardize": standardize},
        "models": {
            "controls": ["ln_employment"],
            "baseline": {
                "twoway": {"estimator": "twoway_fe"},
                "twoway_robust": {"estimator": "twoway_fe", "cov_type": "robust"},
                "pooled": {"estimator": "pooled"},
                "random": {"estimator": "random"},
            },
        },
        "mediation": {"n_boot": 200},
    }
    raw.update(extra)
    return build_config(raw)


def make_panel(n_clusters: int = 24, n_years: int = 6, seed: int = 11) -> pd.DataFrame:
    """A cleaned panel whose indicators load on latent constructs with a mediation structure."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i:02d}" for i in range(n_clusters)]
    rows = pd.MultiIndex.from_product([ids, range(2010, 2010 + n_years)], names=["c", "y"])
    n = len(rows)
    effect = np.repeat(rng.normal(size=n_clusters), n_years)
    gov = effect + rng.normal(size=n)
    open_ = 0.6 * gov + rng.normal(size=n)
    innov = 0.4 * gov + 0.5 * effect + rng.normal(size=n)
    sca = 0.3 * gov + 0.5 * open_ + 0.4 * innov + rng.normal(size=n)
    latent = {"g": gov, "o": open_, "i": innov, "s": sca}
    data = {"cluster_id": rows.get_level_values("c"), "year": rows.get_level_values("y")}
    for spec in CONSTRUCTS.values():
        for name, direction in spec["indicators"].items():
            loading = rng.uniform(0.5, 1.5)
            data[name] = 10 + direction * loading * latent[name[0]] + rng.gamma(2.0, 0.4, size=n)
    data["employment"] = rng.integers(100, 1000, size=n).astype(float)
    return pd.DataFrame(data)


def resample(panel: pd.DataFrame, counts: np.ndarray) -> pd.DataFrame:
    """The resampled panel: entity ``i`` copied ``counts[i]`` times, each copy a new cluster."""
    labels = sorted(panel["cluster_id"].unique())
    parts = []
    for label, count in zip(labels, counts, strict=True):
        block = panel[panel["cluster_id"] == label]
        for copy in range(int(count)):
            parts.append(block.assign(cluster_id=f"{label}#{copy}"))
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- slopes


@pytest.mark.parametrize("method", ["entropy", "pca", "zscore"])
@pytest.mark.parametrize("standardize", [True, False])
def test_full_sample_slopes_reproduce_the_pipeline_indices(method, standardize):
    panel = make_panel()
    config = make_config(method, standardize)
    analysis = build_analysis_panel(panel, config).analysis
    recipe = recipe_from_config(
        config.constructs, list(CONSTRUCTS), method=method, standardize=standardize
    )
    ordered = panel.sort_values(["cluster_id", "year"]).reset_index(drop=True)
    codes = pd.factorize(ordered["cluster_id"], sort=True)[0]
    values = ordered[list(recipe.indicator_columns)].to_numpy()
    moments = entity_moments(values, codes, codes.max() + 1)
    slopes = replicate_slopes(recipe, moments, np.ones((1, codes.max() + 1)))[0]
    for construct, block in zip(recipe.constructs, recipe.blocks, strict=True):
        rebuilt = values[:, block] @ slopes[block]
        expected = analysis[construct.name].to_numpy()
        # equal up to the index's constant
        np.testing.assert_allclose(
            rebuilt - rebuilt.mean(), expected - expected.mean(), rtol=1e-10, atol=1e-10
        )


@pytest.mark.parametrize("method", ["entropy", "pca", "zscore"])
def test_replicate_slopes_equal_the_indices_rebuilt_on_the_resampled_panel(method):
    panel = make_panel()
    config = make_config(method, True)
    recipe = recipe_from_config(
        config.constructs, list(CONSTRUCTS), method=method, standardize=True
    )
    ordered = panel.sort_values(["cluster_id", "year"]).reset_index(drop=True)
    codes = pd.factorize(ordered["cluster_id"], sort=True)[0]
    n_entities = codes.max() + 1
    moments = entity_moments(ordered[list(recipe.indicator_columns)].to_numpy(), codes, n_entities)
    counts = draw_block_counts(5, n_entities, 0)[:4]
    slopes = replicate_slopes(recipe, moments, counts)
    for r in range(counts.shape[0]):
        resampled = resample(panel, counts[r])
        rebuilt = build_analysis_panel(resampled, config).analysis
        sorted_rows = resampled.sort_values(["cluster_id", "year"]).reset_index(drop=True)
        for construct, block in zip(recipe.constructs, recipe.blocks, strict=True):
            ours = sorted_rows[list(construct.indicators)].to_numpy() @ slopes[r, block]
            theirs = rebuilt[construct.name].to_numpy()
            np.testing.assert_allclose(ours - ours.mean(), theirs - theirs.mean(), atol=1e-9)


def test_the_minimum_and_maximum_follow_the_drawn_clusters():
    # entropy slopes are weight / range: a replicate without the cluster holding the maximum
    # has a smaller range, hence a larger slope
    values = np.array([[0.0], [1.0], [2.0], [10.0]])
    moments = entity_moments(values, np.array([0, 1, 2, 3]), 4)
    recipe = recipe_from_config({"X": _Spec({"x": 1})}, ["X"], method="entropy", standardize=False)
    slopes = replicate_slopes(recipe, moments, np.array([[1, 1, 1, 1], [2, 1, 1, 0]]))
    assert slopes[0, 0] == pytest.approx(1 / 10)
    assert slopes[1, 0] == pytest.approx(1 / 2)


class _Spec:
    def __init__(self, directions):
        self.directions = directions
        self.indicator_names = tuple(directions)


def test_a_replicate_with_a_constant_indicator_has_undefined_slopes():
    values = np.array([[1.0, 0.0], [1.0, 1.0], [2.0, 3.0]])
    moments = entity_moments(values, np.array([0, 1, 2]), 3)
    recipe = recipe_from_config(
        {"X": _Spec({"a": 1, "b": 1})}, ["X"], method="zscore", standardize=True
    )
    slopes = replicate_slopes(recipe, moments, np.array([[1, 1, 1], [2, 1, 0]]))
    assert np.isfinite(slopes[0]).all()
    assert np.isnan(slopes[1]).all()  # indicator a is 1 in every drawn row


# --------------------------------------------------------------------------- models


@pytest.mark.parametrize("method", ["entropy", "pca"])
def test_mediation_replicates_equal_refits_on_rebuilt_indices(method):
    panel = make_panel()
    config = make_config(method)
    analysis = build_analysis_panel(panel, config).analysis
    design = build_design(
        analysis,
        treatment="GOV",
        mediators=["OPEN", "INNOV"],
        outcome="SCA",
        controls=["ln_employment"],
        entity="cluster_id",
        time="year",
        effects="twoway",
    )
    core = CoreDesign.from_mediation_design(design)
    recipe = recipe_from_config(
        config.constructs, ["GOV", "OPEN", "INNOV", "SCA"], method=method, standardize=True
    )
    boot = ReweightedBootstrap(core, recipe, panel)
    counts = draw_block_counts(3, design.n_entities, 0)[:3]
    ours = statistics_matrix(solve_crossproducts(boot.matrices(counts).reweighted, 2))
    fixed = statistics_matrix(solve_crossproducts(boot.matrices(counts).fixed, 2))
    for r in range(counts.shape[0]):
        rebuilt = build_analysis_panel(resample(panel, counts[r]), config).analysis
        refit = build_design(
            rebuilt,
            treatment="GOV",
            mediators=["OPEN", "INNOV"],
            outcome="SCA",
            controls=["ln_employment"],
            entity="cluster_id",
            time="year",
            effects="twoway",
        )
        xp = entity_crossproducts(refit.matrix, refit.entity_codes, refit.n_entities).sum(axis=0)
        theirs = statistics_matrix(
            solve_crossproducts(unpack_symmetric(xp[None], refit.n_columns), 2)
        )[0]
        np.testing.assert_allclose(ours[r], theirs, rtol=1e-8, atol=1e-12)
        # and re-estimating the weights does change the replicate
        assert np.max(np.abs(ours[r] - fixed[r])) > 1e-6


@pytest.mark.parametrize("effects", ["twoway", "entity", "none"])
def test_panel_replicates_equal_panelols_on_rebuilt_indices(effects):
    from linearmodels.panel import PanelOLS

    panel = make_panel()
    config = make_config("entropy")
    analysis = build_analysis_panel(panel, config).analysis
    design = panel_core_design(
        analysis, regressors=["GOV"], controls=["ln_employment"], outcome="SCA", effects=effects
    )
    recipe = recipe_from_config(
        config.constructs, ["GOV", "SCA"], method="entropy", standardize=True
    )
    boot = ReweightedBootstrap(design, recipe, panel)
    counts = draw_block_counts(9, design.n_entities, 0)[:3]
    ours = panel_coefficients(boot.matrices(counts).reweighted, design.n_core)
    for r in range(counts.shape[0]):
        rebuilt = build_analysis_panel(resample(panel, counts[r]), config).analysis
        frame = rebuilt.set_index(["cluster_id", "year"])
        exog = frame[["GOV", "ln_employment"]]
        if effects == "none":
            exog = exog.assign(const=1.0)
        fit = PanelOLS(
            frame["SCA"],
            exog,
            entity_effects=effects != "none",
            time_effects=effects == "twoway",
        ).fit()
        np.testing.assert_allclose(
            ours[r], fit.params[["GOV", "ln_employment"]].to_numpy(), rtol=1e-8
        )


def test_index_weight_uncertainty_record_round_trips_and_reuses_the_mediation_draws():
    panel = make_panel()
    config = make_config("entropy")
    analysis = build_analysis_panel(panel, config).analysis
    jobs = panel_jobs(config.models, outcome="SCA", treatment="GOV", instruments=())
    result = index_weight_uncertainty(analysis, panel, config, panel_jobs=jobs)

    table = result.table.set_index(["analysis", "statistic"])
    # full-sample estimates equal the fixed-weight fits
    twoway = PanelCheck(analysis).twoway_gov()
    assert table.loc[("panel:baseline_twoway", "GOV"), "estimate"] == pytest.approx(
        twoway, rel=1e-10
    )
    # the total effect of the mediation is the two-way coefficient of the same model
    assert table.loc[("mediation", "c"), "estimate"] == pytest.approx(twoway, rel=1e-10)
    # same draws, same model: the mediation's c and the two-way model's GOV share the intervals
    for column in ("lower_fixed", "upper_fixed", "lower_reestimated", "upper_reestimated"):
        assert table.loc[("mediation", "c"), column] == pytest.approx(
            table.loc[("panel:baseline_twoway", "GOV"), column], rel=1e-10
        )
    # another covariance type of the same coefficients: the same bootstrap, its own label
    assert table.loc[("panel:baseline_twoway_robust", "GOV"), "width_ratio"] == pytest.approx(
        table.loc[("panel:baseline_twoway", "GOV"), "width_ratio"]
    )
    assert dict(result.skipped)["baseline_random"] == "estimator random"
    assert set(result.constructs) == {"GOV", "OPEN", "INNOV", "SCA"}
    assert (result.summary["n_valid_reestimated"] == 200).all()
    assert IndexWeightUncertainty.from_dict(result.to_dict()).table.equals(result.table)


class PanelCheck:
    def __init__(self, analysis):
        self.frame = analysis.set_index(["cluster_id", "year"])

    def twoway_gov(self) -> float:
        from linearmodels.panel import PanelOLS

        fit = PanelOLS(
            self.frame["SCA"],
            self.frame[["GOV", "ln_employment"]],
            entity_effects=True,
            time_effects=True,
        ).fit()
        return float(fit.params["GOV"])


def test_no_construct_among_the_roles_is_a_config_error():
    panel = make_panel()
    panel["plain_t"] = np.random.default_rng(0).normal(size=len(panel))
    panel["plain_m"] = np.random.default_rng(1).normal(size=len(panel))
    panel["plain_y"] = np.random.default_rng(2).normal(size=len(panel))
    config = make_config(
        "entropy",
        roles={"treatment": "plain_t", "mediators": ["plain_m"], "outcome": "plain_y"},
        variables={
            **{name: {"kind": "real"} for name in INDICATORS},
            "employment": {"kind": "count"},
            "plain_t": {"kind": "real"},
            "plain_m": {"kind": "real"},
            "plain_y": {"kind": "real"},
        },
        models={"controls": []},
    )
    analysis = build_analysis_panel(panel, config).analysis
    with pytest.raises(ConfigError, match="inference.index_weights"):
        index_weight_uncertainty(analysis, panel, config)
