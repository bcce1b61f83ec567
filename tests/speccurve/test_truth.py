"""Known truth: the simulator's static DGP (effect of GOV on SCA known) and a zero effect."""

import numpy as np
import pytest
from speccurve_panels import NULL_EFFECT, STATIC, latent_panel, small_dimensions

from govcluster.simulate import simulate_cluster_panel
from govcluster.speccurve.fit import fit_specification
from govcluster.speccurve.joint import assemble_curve
from govcluster.speccurve.spec import enumerate_specifications
from govcluster.speccurve.variants import variant_arrays


def _curve(panel, dims):
    data = variant_arrays(panel, dims, name="entropy_winsorised")
    estimates = [fit_specification(data, s, dims) for s in enumerate_specifications(dims)]
    return estimates, assemble_curve(estimates, level=dims.level, outcome="SCA", treatment="GOV")


@pytest.fixture(scope="module")
def true_total_effect() -> float:
    """The simulator's total effect of GOV on SCA under the static DGP (its truth record)."""
    _, truth = simulate_cluster_panel(n_clusters=20, seed=1, **STATIC)
    return float(truth.effects["total_effect"])


def test_the_specification_of_the_dgp_covers_the_truth_and_the_joint_test_rejects(
    true_total_effect,
):
    dims = small_dimensions(n_permutations=199)
    estimates, curve = _curve(latent_panel(20260101), dims)
    # the DGP: entity and year effects, the three controls that enter SCA, all clusters
    matching = next(
        e
        for e in estimates
        if e.specification.fixed_effects == "entity_year"
        and e.specification.control_set == "baseline"
        and e.specification.sample == "full"
    )
    row = curve.curve.set_index("specification").loc[matching.specification.name]
    assert row["ci_lower"] <= true_total_effect <= row["ci_upper"]
    assert abs(matching.estimate - true_total_effect) < 3 * matching.std_error
    assert curve.share_significant == 1.0
    floor = 1 / (dims.n_permutations + 1)
    assert curve.test("median_estimate").p_value == pytest.approx(floor)
    # the 8 specifications are nearly the same regression, so under the null they are
    # significant together about 5 % of the time: the share's p-value cannot go far below
    assert curve.test("share_significant").p_value <= 0.05
    # under the permutations about 5 % of the specifications are significant
    assert 0.0 <= curve.test("share_significant").null_mean < 0.15


def test_with_no_effect_the_joint_test_does_not_reject():
    dims = small_dimensions(n_permutations=199)
    _, curve = _curve(latent_panel(20260102, **NULL_EFFECT), dims)
    for test in curve.tests:
        assert test.p_value > 0.1, test
    assert abs(curve.median_estimate) < 0.05


@pytest.mark.slow
def test_the_joint_test_has_about_its_nominal_size_over_simulated_null_panels():
    """40 panels with no effect (60 clusters): rejections at 10 % stay near 10 %."""
    dims = small_dimensions(
        n_permutations=99, control_sets={"baseline": ["ln_employment", "ln_firms", "ln_gdp_pc"]}
    )
    curves = [
        _curve(latent_panel(seed, n_clusters=60, **NULL_EFFECT), dims)[1]
        for seed in range(900, 940)
    ]
    share_p = np.array([c.test("share_significant").p_value for c in curves])
    median_p = np.array([c.test("median_estimate").p_value for c in curves])
    # binomial(40, 0.1): 0 to 9 rejections hold 99.4 % of the mass
    assert np.sum(share_p <= 0.10) <= 9, share_p
    assert np.sum(median_p <= 0.10) <= 9, median_p
    # the median is continuous, so its p-value is about uniform (mean 0.5, sd of the mean of
    # 40 draws 0.046); the share is discrete (p = 1 whenever no specification is significant)
    assert 0.35 < float(np.mean(median_p)) < 0.65, median_p
