"""Numbers, stars and coefficient cells as printed in tables."""

from __future__ import annotations

import math

import pytest

from govcluster.render.formatting import (
    format_coefficient,
    format_count,
    format_number,
    format_pvalue,
    significance_stars,
)


@pytest.mark.parametrize(
    ("pvalue", "stars"),
    [
        (0.0, "***"),
        (0.0099999, "***"),
        (0.01, "**"),
        (0.0499999, "**"),
        (0.05, "*"),
        (0.0999999, "*"),
        (0.10, ""),
        (0.5, ""),
        (1.0, ""),
        (math.nan, ""),
        (None, ""),
    ],
)
def test_stars_are_earned_strictly_below_each_threshold(pvalue, stars):
    assert significance_stars(pvalue) == stars


@pytest.mark.parametrize(
    ("pvalue", "stars"),
    [(0.05, ""), (0.049, "*"), (0.01, "*"), (0.0099, "**"), (0.001, "**"), (0.00099, "***")],
)
def test_custom_thresholds_in_any_order(pvalue, stars):
    assert significance_stars(pvalue, (0.001, 0.05, 0.01)) == stars


@pytest.mark.parametrize("thresholds", [(0.1, 0.1), (0.0, 0.05), (1.0,), (-0.1,)])
def test_invalid_thresholds_are_refused(thresholds):
    with pytest.raises(ValueError, match="thresholds"):
        significance_stars(0.2, thresholds)


def test_coefficient_with_standard_error():
    assert format_coefficient(0.123, 0.045, 0.006) == ("0.123***", "(0.045)")
    assert format_coefficient(0.123, 0.045, 0.05) == ("0.123*", "(0.045)")
    assert format_coefficient(-1.5, 0.7, 0.2, digits=2) == ("-1.50", "(0.70)")


def test_coefficient_with_t_statistic():
    assert format_coefficient(0.123, 0.045, 0.006, below="t") == ("0.123***", "(2.733)")
    assert format_coefficient(-0.2, 0.1, 0.04, below="t", digits=2) == ("-0.20**", "(-2.00)")
    assert format_coefficient(0.2, 0.0, 0.04, below="t") == ("0.200**", "")
    with pytest.raises(ValueError, match="below"):
        format_coefficient(0.1, 0.1, 0.1, below="z")


def test_missing_pieces_give_empty_cells():
    assert format_coefficient(None, 0.1, 0.1) == ("", "")
    assert format_coefficient(math.nan, 0.1, 0.1) == ("", "")
    assert format_coefficient(0.5, None, None) == ("0.500", "")


def test_numbers_have_fixed_decimals_and_separators():
    assert format_number(1234.5678, 2) == "1,234.57"
    assert format_number(-0.0004) == "0.000"
    assert format_number(math.nan) == ""
    assert format_number(None) == ""
    assert format_number(2) == "2.000"
    assert format_count(3586) == "3,586"
    assert format_count(240.0) == "240"
    assert format_count(None) == ""


@pytest.mark.parametrize(
    ("pvalue", "n_boot", "printed"),
    [
        (0.0123, None, "0.012"),
        (0.001, None, "0.001"),
        (0.00049, None, "< 0.001"),
        (0.0, None, "< 0.001"),
        (1.0, None, "1.000"),
        (None, None, ""),
        # bootstrap p-values at their floor 1/B read "< 1/B rounded up" (at least 0.001)
        (1 / 2000, 2000, "< 0.001"),
        (1 / 199, 199, "< 0.006"),
        (0.0007, 199, "< 0.006"),  # a BCa p-value below the floor
        (2 / 199, 199, "0.010"),
        (1 / 999, 999, "< 0.002"),
    ],
)
def test_p_values_below_0001_and_at_the_bootstrap_floor(pvalue, n_boot, printed):
    assert format_pvalue(pvalue, n_boot=n_boot) == printed


def test_bootstrap_floor_needs_replicates():
    with pytest.raises(ValueError, match="n_boot"):
        format_pvalue(0.1, n_boot=0)
