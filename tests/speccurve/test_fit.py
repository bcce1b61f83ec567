"""One specification against the panel stage, permuted fits against direct fits.

The estimate and SE are compared with linearmodels PanelOLS through the panel stage; the
permutations themselves are checked too.
"""

import dataclasses
import warnings

import numpy as np
import pytest
from speccurve_panels import small_dimensions

from govcluster.panel.estimators import fit_panel_model
from govcluster.panel.spec import PanelSpec
from govcluster.speccurve.fit import SpecificationEstimate, fit_specification, select_sample
from govcluster.speccurve.permutation import cluster_keys, donor_matrix, exchangeable_groups
from govcluster.speccurve.spec import Specification

ESTIMATOR = {
    "none": "pooled",
    "entity": "entity_fe",
    "entity_year": "twoway_fe",
    "entity_region_year": "twoway_fe",
}
COV = {
    "cluster_entity": "cluster_entity",
    "cluster_province": "cluster",
    "robust": "robust",
    "unadjusted": "unadjusted",
}
CONTROLS = ("ln_employment", "ln_firms", "ln_gdp_pc")


def _spec(fixed_effects, se_type, sample="full", controls=CONTROLS) -> Specification:
    return Specification(
        name="s0001",
        index_method="entropy",
        winsorize=True,
        control_set="baseline" if controls else "none",
        controls=tuple(controls),
        fixed_effects=fixed_effects,
        sample=sample,
        se_type=se_type,
    )


def _panel_stage(panel, rows, spec):
    """The panel stage's estimate (linearmodels) of the same specification on the same rows."""
    panel_spec = PanelSpec(
        outcome="SCA",
        regressors="GOV",
        controls=list(spec.controls),
        estimator=ESTIMATOR[spec.fixed_effects],
        cov_type=COV[spec.se_type],
        cluster="province" if spec.se_type == "cluster_province" else None,
        absorb="region^year" if spec.fixed_effects == "entity_region_year" else (),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimate = fit_panel_model(panel.iloc[rows], panel_spec)
    i = estimate.names.index("GOV")
    return estimate.params_array[i], np.sqrt(estimate.cov_array[i, i]), estimate.df_inference


@pytest.mark.parametrize("se_type", list(COV))
@pytest.mark.parametrize("fixed_effects", list(ESTIMATOR))
def test_estimate_and_se_equal_the_panel_stage(
    unbalanced_panel, unbalanced_variant, fixed_effects, se_type
):
    dims = small_dimensions(n_permutations=2)
    spec = _spec(fixed_effects, se_type)
    fitted = fit_specification(unbalanced_variant, spec, dims)
    rows = select_sample(unbalanced_variant, spec, dims).rows
    beta, se, df = _panel_stage(unbalanced_panel, rows, spec)
    assert fitted.estimate == pytest.approx(beta, abs=1e-8, rel=1e-8)
    assert fitted.std_error == pytest.approx(se, abs=1e-8, rel=1e-8)
    assert fitted.df == df


@pytest.mark.parametrize(
    "sample", ["drop_region:east", "drop_region:west", "drop_edge_years", "balanced"]
)
def test_samples_equal_the_panel_stage_on_the_same_rows(
    unbalanced_panel, unbalanced_variant, sample
):
    dims = small_dimensions(n_permutations=2, edge_years=2)
    spec = _spec("entity_year", "cluster_province", sample=sample, controls=())
    rows = select_sample(unbalanced_variant, spec, dims).rows
    years = unbalanced_panel["year"].to_numpy()[rows]
    regions = unbalanced_panel["region"].to_numpy()[rows]
    if sample.startswith("drop_region"):
        assert sample.split(":")[1] not in set(regions)
    if sample == "drop_edge_years":
        assert years.min() == 2010 and years.max() == 2020
    if sample == "balanced":
        counts = np.bincount(unbalanced_variant.entity[rows])
        assert set(counts[counts > 0]) == {15}
    fitted = fit_specification(unbalanced_variant, spec, dims)
    beta, se, _ = _panel_stage(unbalanced_panel, rows, spec)
    assert fitted.estimate == pytest.approx(beta, abs=1e-8)
    assert fitted.std_error == pytest.approx(se, abs=1e-8)


@pytest.mark.parametrize("fixed_effects", ["entity_year", "none"])
def test_permuted_fits_equal_direct_fits_with_the_permuted_column(
    unbalanced_variant, fixed_effects
):
    dims = small_dimensions(n_permutations=20)
    spec = _spec(fixed_effects, "cluster_entity")
    fitted = fit_specification(unbalanced_variant, spec, dims)
    data = unbalanced_variant
    rows = select_sample(data, spec, dims).rows
    clusters, local = np.unique(data.entity[rows], return_inverse=True)
    years, year_codes = np.unique(data.year[rows], return_inverse=True)
    grid = np.full((len(clusters), len(years)), np.nan)
    grid[local, year_codes] = data.columns["GOV"][rows]
    first = np.zeros(len(clusters), dtype=int)
    first[local[::-1]] = rows[::-1]
    strata = np.unique(data.stratum[first], return_inverse=True)[1]
    keys = cluster_keys(data.cluster_ids[clusters], seed=dims.seed, n_permutations=20)
    donors = donor_matrix(keys, exchangeable_groups(strata, np.isfinite(grid)))
    for p in (0, 13):
        gov = data.columns["GOV"].copy()
        gov[rows] = grid[donors[p][local], year_codes]
        direct = fit_specification(
            dataclasses.replace(data, columns={**data.columns, "GOV": gov}),
            spec,
            dataclasses.replace(dims, n_permutations=1),
        )
        assert direct.estimate == pytest.approx(fitted.permuted_estimates[p], abs=1e-10)
        assert direct.std_error == pytest.approx(fitted.permuted_std_errors[p], abs=1e-10)


def test_donors_are_permutations_within_groups_and_keys_do_not_depend_on_the_others():
    keys = cluster_keys(["C1", "C2", "C3", "C4", "C5", "C6"], seed=3, n_permutations=50)
    again = cluster_keys(["C4", "C2"], seed=3, n_permutations=50)
    np.testing.assert_array_equal(again, keys[:, [3, 1]])
    groups = np.array([0, 0, 1, 1, 1, 0])
    donors = donor_matrix(keys, groups)
    for row in donors:
        assert sorted(row) == list(range(6))
        np.testing.assert_array_equal(groups[row], groups)
    assert len({tuple(row) for row in donors}) > 5  # the draws differ
    assert not np.array_equal(cluster_keys(["C1"], seed=4, n_permutations=5), keys[:5, :1])


def test_groups_separate_strata_and_year_patterns():
    presence = np.array([[1, 1], [1, 1], [1, 0], [1, 1]], dtype=bool)
    groups = exchangeable_groups(np.array([0, 0, 0, 1]), presence)
    assert groups[0] == groups[1]
    assert len({groups[1], groups[2], groups[3]}) == 3


def test_record_round_trip_and_refusals(unbalanced_variant):
    dims = small_dimensions(n_permutations=3)
    fitted = fit_specification(unbalanced_variant, _spec("entity", "robust"), dims)
    record = fitted.to_dict()
    assert SpecificationEstimate.from_dict(record) == fitted
    with pytest.raises(ValueError, match="kind"):
        SpecificationEstimate.from_dict({**record, "kind": "panel_estimate"})
    with pytest.raises(ValueError, match="schema_version"):
        SpecificationEstimate.from_dict({**record, "schema_version": 99})
