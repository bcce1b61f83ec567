"""The curve's dimensions: enumeration, the cap, and bad input named by its config key."""

import pytest
from speccurve_panels import small_dimensions

from govcluster.errors import ConfigError
from govcluster.speccurve.fit import fit_specification
from govcluster.speccurve.spec import (
    CurveDimensions,
    Specification,
    check_specification_count,
    enumerate_specifications,
)
from govcluster.speccurve.variants import check_variant, variant_arrays


def test_the_default_curve_crosses_every_option_into_288_specifications():
    dims = CurveDimensions(
        samples=[
            "full",
            "drop_region:east",
            "drop_region:central",
            "drop_region:west",
            "drop_edge_years",
            "balanced",
        ],
    )
    specs = enumerate_specifications(dims)
    assert len(specs) == 288 == dims.n_specifications
    assert len({s.name for s in specs}) == 288
    combos = {tuple(s.choices().values()) for s in specs}
    assert len(combos) == 288
    assert {s.variant for s in specs} == set(dims.variant_names)
    assert Specification.from_dict(specs[5].to_dict()) == specs[5]


def test_a_curve_over_the_cap_says_how_many_which_dimensions_and_how_to_narrow():
    dims = CurveDimensions(max_specifications=50)
    with pytest.raises(ConfigError) as raised:
        check_specification_count(dims)
    message = str(raised.value)
    assert "144 specifications" in message
    assert (
        "3 index_methods x 2 winsorize x 2 control_sets x 2 fixed_effects x 3 samples x 2 se_types"
        in message
    )
    assert "speccurve.max_specifications = 50" in message
    assert "keeping one option of speccurve.index_methods gives 48" in message
    with pytest.raises(ConfigError):
        enumerate_specifications(dims)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"fixed_effects": ["entity", "county"]}, "speccurve.fixed_effects"),
        ({"se_types": ["bootstrap"]}, "speccurve.se_types"),
        ({"index_methods": ["equal"]}, "speccurve.index_methods"),
        ({"samples": ["drop_province:A"]}, "speccurve.samples"),
        ({"samples": ["drop_region"]}, "speccurve.samples"),
        ({"samples": []}, "speccurve.samples"),
        ({"n_permutations": 0}, "speccurve.n_permutations"),
        ({"level": 95}, "speccurve.level"),
    ],
)
def test_unknown_or_empty_options_are_refused_naming_the_key(change, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        CurveDimensions(**change)


def test_a_region_that_empties_the_sample_is_refused_before_any_fit(unbalanced_panel):
    dims = small_dimensions(samples=["full", "drop_region:east"], min_clusters=120)
    data = variant_arrays(unbalanced_panel, dims, name="entropy_winsorised")
    with pytest.raises(ConfigError) as raised:
        check_variant(data, dims)
    message = str(raised.value)
    assert "speccurve.samples" in message and "'drop_region:east'" in message
    assert "speccurve.min_clusters = 120" in message
    with pytest.raises(ConfigError, match="not in the data"):
        check_variant(data, small_dimensions(samples=["drop_region:north"]))


def test_edge_years_that_leave_one_year_are_refused(unbalanced_variant):
    dims = small_dimensions(samples=["drop_edge_years"], edge_years=7)
    spec = enumerate_specifications(dims)[0]
    with pytest.raises(ConfigError, match="speccurve.edge_years"):
        fit_specification(unbalanced_variant, spec, dims)


def test_columns_missing_from_the_panel_are_named_with_their_key(unbalanced_panel):
    dims = small_dimensions(control_sets={"big": ["ln_employment", "ln_exports"]})
    with pytest.raises(ConfigError, match=r"ln_exports \(speccurve\.control_sets\)"):
        variant_arrays(unbalanced_panel, dims, name="entropy_winsorised")
    with pytest.raises(ConfigError, match="speccurve.strata"):
        variant_arrays(unbalanced_panel, small_dimensions(strata=["county"]), name="x")
