"""The absorption of fixed effects against explicit dummy-variable regressions and linearmodels.

Oracles: least squares with one dummy per level of every effect (``numpy.linalg.lstsq``),
``linearmodels.PanelOLS`` (entity and time effects) and ``linearmodels.AbsorbingLS`` (any
number of categorical effects), on unbalanced panels. Tolerance: 1e-8 relative (the
alternating projections run to a relative change of 1e-13 per sweep).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS
from linearmodels.iv.absorbing import AbsorbingLS

from govcluster.core.absorb import (
    DENSE_LEVELS,
    AbsorptionWarning,
    absorb,
    demean,
    group_codes,
    group_means,
    interaction_codes,
    year_dummies,
)
from govcluster.errors import EstimationError

RTOL = 1e-8
TIGHT = 1e-13


def _dummies(*keys: np.ndarray) -> np.ndarray:
    """One dummy per level of every key (collinear blocks; lstsq handles the rank)."""
    return np.hstack([pd.get_dummies(k).to_numpy(dtype=float) for k in keys])


def _dummy_residuals(values: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    d = _dummies(*keys)
    coef = np.linalg.lstsq(d, values, rcond=None)[0]
    return values - d @ coef


@pytest.fixture(scope="module")
def unbalanced() -> pd.DataFrame:
    """An unbalanced panel of 60 firms over 12 years in 5 industries, with a gap pattern."""
    rng = np.random.default_rng(20240601)
    firms, years = 60, 12
    frame = pd.DataFrame(
        {
            "firm": np.repeat(np.arange(firms), years),
            "year": np.tile(np.arange(2000, 2000 + years), firms),
        }
    )
    frame["industry"] = frame["firm"] % 5
    frame = frame.loc[rng.random(len(frame)) > 0.3].reset_index(drop=True)
    alpha = rng.normal(size=firms)[frame["firm"]]
    gamma = rng.normal(size=years)[frame["year"] - 2000]
    cell = rng.normal(size=(5, years))[frame["industry"], frame["year"] - 2000]
    frame["x1"] = rng.normal(size=len(frame)) + alpha
    frame["x2"] = rng.normal(size=len(frame)) + gamma + cell
    frame["y"] = 0.5 * frame["x1"] - 0.25 * frame["x2"] + alpha + gamma + cell
    frame["y"] += rng.normal(size=len(frame))
    return frame


def test_demean_equals_the_residual_on_entity_dummies(unbalanced) -> None:
    x = unbalanced[["x1", "x2", "y"]].to_numpy()
    codes, _ = group_codes(unbalanced["firm"])
    np.testing.assert_allclose(
        demean(x, codes), _dummy_residuals(x, unbalanced["firm"]), rtol=0, atol=1e-10
    )
    np.testing.assert_allclose(demean(x[:, 0], codes), demean(x, codes)[:, 0], rtol=0, atol=0)


def test_group_means_by_hand() -> None:
    codes = np.array([0, 0, 1, 2, 2, 2])
    x = np.array([1.0, 3.0, 5.0, 1.0, 2.0, 6.0])
    assert group_means(x, codes)[:, 0].tolist() == [2.0, 5.0, 3.0]


def test_one_way_absorption_is_exact(unbalanced) -> None:
    x = unbalanced[["x1", "y"]].to_numpy()
    out = absorb(x, [unbalanced["firm"].to_numpy()])
    assert out.method == "one_way" and out.iterations == 0 and out.converged
    np.testing.assert_allclose(
        out.values, _dummy_residuals(x, unbalanced["firm"]), rtol=0, atol=1e-10
    )


def test_balanced_two_way_uses_the_closed_form() -> None:
    rng = np.random.default_rng(1)
    firm = np.repeat(np.arange(8), 5)
    year = np.tile(np.arange(5), 8)
    x = rng.normal(size=(40, 3))
    out = absorb(x, [firm, year])
    assert out.method == "two_way_balanced" and out.iterations == 0
    np.testing.assert_allclose(out.values, _dummy_residuals(x, firm, year), rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("request_", "dense_limit", "expected_method"),
    [
        ("auto", DENSE_LEVELS, "within_dense"),
        ("auto", 0, "within_cg"),
        ("alternating_projections", DENSE_LEVELS, "alternating_projections"),
    ],
)
def test_unbalanced_multi_way_matches_dummy_ols(
    unbalanced, request_, dense_limit, expected_method
) -> None:
    x = unbalanced[["x1", "x2", "y"]].to_numpy()
    keys = [
        unbalanced["firm"].to_numpy(),
        unbalanced["year"].to_numpy(),
        interaction_codes(unbalanced["industry"].to_numpy(), unbalanced["year"].to_numpy()),
    ]
    out = absorb(x, keys, tol=TIGHT, max_iter=100_000, method=request_, dense_limit=dense_limit)
    assert out.method == expected_method and out.converged
    assert (out.iterations > 1) == (expected_method != "within_dense")
    assert out.n_levels == (60, 12, 60)
    expected = _dummy_residuals(x, *keys)
    scale = np.abs(expected).max(axis=0)
    np.testing.assert_allclose(out.values / scale, expected / scale, rtol=0, atol=RTOL)


def test_the_largest_effect_is_demeaned_whatever_its_position(unbalanced) -> None:
    """Firms listed last, years first: the same residuals as the dummy regression."""
    x = unbalanced[["x1", "y"]].to_numpy()
    keys = [unbalanced["year"].to_numpy(), unbalanced["firm"].to_numpy()]
    out = absorb(x, keys)
    assert out.method == "within_dense" and out.iterations == 0
    np.testing.assert_allclose(out.values, _dummy_residuals(x, *keys), rtol=0, atol=1e-10)


def test_two_way_coefficients_match_linearmodels_panelols(unbalanced) -> None:
    x = unbalanced[["x1", "x2"]].to_numpy()
    y = unbalanced["y"].to_numpy()
    out = absorb(np.column_stack([y, x]), [unbalanced["firm"], unbalanced["year"]], tol=TIGHT)
    beta = np.linalg.lstsq(out.values[:, 1:], out.values[:, 0], rcond=None)[0]
    frame = unbalanced.set_index(["firm", "year"])
    ref = PanelOLS(frame["y"], frame[["x1", "x2"]], entity_effects=True, time_effects=True).fit()
    np.testing.assert_allclose(beta, ref.params.to_numpy(), rtol=RTOL)


def test_three_way_coefficients_match_linearmodels_absorbingls(unbalanced) -> None:
    cell = interaction_codes(unbalanced["industry"].to_numpy(), unbalanced["year"].to_numpy())
    keys = [unbalanced["firm"], unbalanced["year"], cell]
    out = absorb(unbalanced[["y", "x1", "x2"]].to_numpy(), keys, tol=TIGHT, max_iter=100_000)
    beta = np.linalg.lstsq(out.values[:, 1:], out.values[:, 0], rcond=None)[0]
    effects = pd.DataFrame(
        {
            "firm": pd.Categorical(unbalanced["firm"]),
            "year": pd.Categorical(unbalanced["year"]),
            "cell": pd.Categorical(cell),
        }
    )
    ref = AbsorbingLS(unbalanced["y"], unbalanced[["x1", "x2"]], absorb=effects).fit(
        method="lsmr", absorb_options={"atol": 1e-14, "btol": 1e-14}
    )
    np.testing.assert_allclose(beta, ref.params.to_numpy(), rtol=RTOL)


def test_non_convergence_is_reported(unbalanced) -> None:
    keys = [unbalanced["firm"], unbalanced["year"]]
    with pytest.warns(AbsorptionWarning, match="did not reach the tolerance"):
        out = absorb(
            unbalanced[["y"]].to_numpy(),
            keys,
            tol=1e-15,
            max_iter=2,
            method="alternating_projections",
        )
    assert not out.converged and out.iterations == 2 and out.max_change > 1e-15


def test_conjugate_gradients_report_non_convergence(unbalanced) -> None:
    keys = [unbalanced["firm"], unbalanced["year"]]
    with pytest.warns(AbsorptionWarning, match="conjugate gradients did not reach"):
        out = absorb(unbalanced[["y"]].to_numpy(), keys, tol=1e-15, max_iter=1, dense_limit=0)
    assert out.method == "within_cg" and not out.converged and out.iterations == 1


def test_an_unknown_method_is_named() -> None:
    with pytest.raises(EstimationError, match="method='lsqr' is not an option"):
        absorb(np.ones((3, 1)), [np.array([0, 0, 1])], method="lsqr")


def test_integer_keys_are_coded_by_counting_as_pandas_would() -> None:
    keys = np.array([2007, 2003, 2003, 2011, 2007, 2004])
    codes, labels = group_codes(keys)
    expected, uniques = pd.factorize(keys, sort=True)
    assert codes.tolist() == expected.tolist() and labels == tuple(uniques.tolist())
    wide = np.array([10**12, 5, 5])  # too wide a range for counting: hashed instead
    assert group_codes(wide)[0].tolist() == [1, 0, 0]


def test_no_effect_returns_a_copy() -> None:
    x = np.arange(6.0).reshape(3, 2)
    out = absorb(x, [])
    assert out.method == "none" and np.array_equal(out.values, x) and out.values is not x


def test_year_dummies_match_pandas() -> None:
    codes = np.array([0, 2, 1, 2, 0, 3])
    expected = pd.get_dummies(codes).to_numpy(dtype=float)[:, 1:]
    assert np.array_equal(year_dummies(codes, 4), expected)


def test_group_codes_follow_sorted_labels() -> None:
    codes, labels = group_codes(pd.Series([2003, 2001, 2003, 2002]))
    assert codes.tolist() == [2, 0, 2, 1] and labels == (2001, 2002, 2003)
    codes, labels = group_codes(np.array(["b", "c", "a", "b"]))
    assert labels == ("a", "b", "c") and codes.tolist() == [1, 2, 0, 1]


def test_interaction_codes_number_observed_cells() -> None:
    a = np.array([0, 0, 1, 1, 0])
    b = np.array([1, 0, 1, 1, 1])
    assert interaction_codes(a, b).tolist() == [1, 0, 2, 2, 1]


def test_an_effect_the_others_span_is_left_out(unbalanced) -> None:
    """Firms never change industry: the industry dummies add nothing to the firm dummies."""
    x = unbalanced[["x1", "y"]].to_numpy()
    keys = [unbalanced["firm"].to_numpy(), unbalanced["industry"].to_numpy()]
    out = absorb(x, keys)
    assert out.method == "one_way" and out.n_levels == (60, 5)
    np.testing.assert_allclose(out.values, _dummy_residuals(x, *keys), rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    "ranges",
    [(30, 15), (10, 15, 30), (200_000, 3), (2**40, 2**30), (5,)],
    ids=["province-year", "three keys", "wide range", "beyond int64", "one key"],
)
def test_interaction_codes_equal_the_sorted_factorization_of_the_tuples(ranges) -> None:
    rng = np.random.default_rng(7)
    keys = [rng.integers(0, size, size=5_000, dtype=np.int64) for size in ranges]
    expected = pd.factorize(pd.MultiIndex.from_arrays(keys), sort=True)[0]
    np.testing.assert_array_equal(interaction_codes(*keys), expected)


def test_interaction_codes_of_negative_codes_fall_back_to_the_tuples() -> None:
    a, b = np.array([-1, 0, -1, 2]), np.array([3, 1, 3, 0])
    assert interaction_codes(a, b).tolist() == [0, 1, 0, 2]
