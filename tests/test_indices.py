"""Tests of govcluster.indices: weights, indices, reliability and the analysis panel."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from govcluster.config import build_config
from govcluster.errors import ConfigError, DataValidationError
from govcluster.indices import (
    IndexResult,
    build_analysis_panel,
    construct_index,
    cronbach_alpha,
    entropy_index,
    entropy_weights,
    first_principal_component,
    minmax_normalize,
    pca_index,
    pca_weights,
    standardize_indicators,
    zscore_index,
)

# A 4 x 3 toy matrix: two "more is better" indicators and one "less is better".
TOY = pd.DataFrame(
    {
        "a": [1.0, 2.0, 3.0, 4.0],
        "b": [10.0, 12.0, 20.0, 40.0],
        "c": [5.0, 3.0, 4.0, 1.0],
    }
)
TOY_DIRECTIONS = {"a": 1, "b": 1, "c": -1}


# --------------------------------------------------------------------------- entropy


def test_entropy_weights_match_a_step_by_step_numpy_computation():
    x = TOY.to_numpy()
    signs = np.array([1, 1, -1])
    n_rows = x.shape[0]
    lowest, highest = x.min(axis=0), x.max(axis=0)
    # step 1: directed min-max normalisation
    normalized = np.where(
        signs == 1, (x - lowest) / (highest - lowest), (highest - x) / (highest - lowest)
    )
    # step 2: shares of each cluster-year in the column total
    shares = normalized / normalized.sum(axis=0)
    # step 3: entropy with 0 ln 0 = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(shares > 0, shares * np.log(shares), 0.0)
    entropy = -plogp.sum(axis=0) / np.log(n_rows)
    # step 4: divergence and weights
    divergence = 1 - entropy
    expected = divergence / divergence.sum()

    weights = entropy_weights(TOY, TOY_DIRECTIONS)

    assert list(weights.index) == ["a", "b", "c"]
    np.testing.assert_allclose(weights.to_numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(
        minmax_normalize(TOY, TOY_DIRECTIONS).to_numpy(), normalized, rtol=1e-12
    )
    # the numbers themselves, so that a change of both computations is noticed
    np.testing.assert_allclose(weights.to_numpy(), [0.255937, 0.450098, 0.293966], atol=1e-6)


def test_entropy_divergence_of_one_indicator_by_hand():
    # a = 1, 2, 3, 4 -> x' = 0, 1/3, 2/3, 1; sum 2 -> p = 0, 1/6, 1/3, 1/2
    # H = (1/6) ln 6 + (1/3) ln 3 + (1/2) ln 2
    #   = 0.298627 + 0.366204 + 0.346574 = 1.011404
    # e = H / ln 4 = 1.011404 / 1.386294 = 0.729574;  d = 1 - e = 0.270426
    divergence_a = 0.270426
    # c (direction -1) = 5, 3, 4, 1 -> x' = 0, 1/2, 1/4, 1; sum 7/4 -> p = 0, 2/7, 1/7, 4/7
    p = np.array([2 / 7, 1 / 7, 4 / 7])
    divergence_c = 1 + (p * np.log(p)).sum() / math.log(4)
    # b = 10, 12, 20, 40 -> x' = 0, 1/15, 1/3, 1; sum 7/5 -> p = 0, 1/21, 5/21, 15/21
    p = np.array([1 / 21, 5 / 21, 15 / 21])
    divergence_b = 1 + (p * np.log(p)).sum() / math.log(4)

    weights = entropy_weights(TOY, TOY_DIRECTIONS)

    expected_a = divergence_a / (divergence_a + divergence_b + divergence_c)
    assert weights["a"] == pytest.approx(expected_a, abs=1e-5)
    ratio = weights["a"] / weights["c"]
    assert ratio == pytest.approx(divergence_a / divergence_c, rel=1e-5)


def test_negative_direction_flips_the_indicator():
    flipped_normalized = minmax_normalize(TOY[["c"]], {"c": -1})["c"]
    plain_normalized = minmax_normalize(TOY[["c"]], {"c": 1})["c"]
    np.testing.assert_allclose(flipped_normalized, 1 - plain_normalized)
    # the worst (largest) value of a negative indicator gets 0, the best (smallest) gets 1
    assert flipped_normalized[TOY["c"].idxmax()] == 0
    assert flipped_normalized[TOY["c"].idxmin()] == 1

    # direction -1 on c is the same as direction +1 on -c
    negated = TOY.assign(c=-TOY["c"])
    pd.testing.assert_series_equal(
        entropy_weights(TOY, TOY_DIRECTIONS), entropy_weights(negated, {"a": 1, "b": 1, "c": 1})
    )
    pd.testing.assert_series_equal(
        zscore_index(TOY, TOY_DIRECTIONS), zscore_index(negated, {"a": 1, "b": 1, "c": 1})
    )
    # a single negative indicator: more of it lowers the index
    index = zscore_index(TOY[["c"]], {"c": -1})
    assert index.corr(TOY["c"]) == pytest.approx(-1.0)


@pytest.mark.parametrize("weigh", [entropy_weights, pca_weights])
def test_weights_sum_to_one_and_are_positive(weigh):
    rng = np.random.default_rng(7)
    common = rng.normal(size=200)
    data = pd.DataFrame(
        {f"x{j}": common + rng.normal(scale=0.5 + j, size=200) for j in range(4)}
    ).assign(x3=lambda d: -d["x3"])
    directions = {"x0": 1, "x1": 1, "x2": 1, "x3": -1}
    weights = weigh(data, directions)
    assert weights.sum() == pytest.approx(1.0)
    assert (weights > 0).all()


def test_entropy_shift_is_explicit():
    shift = 1e-4
    unshifted = entropy_weights(TOY, TOY_DIRECTIONS)
    shifted = entropy_weights(TOY, TOY_DIRECTIONS, shift=shift)
    assert not np.allclose(unshifted, shifted, rtol=0, atol=1e-12)
    normalized = minmax_normalize(TOY, TOY_DIRECTIONS).to_numpy() + shift
    shares = normalized / normalized.sum(axis=0)
    divergence = 1 + (shares * np.log(shares)).sum(axis=0) / np.log(len(shares))
    np.testing.assert_allclose(shifted.to_numpy(), divergence / divergence.sum(), rtol=1e-12)
    with pytest.raises(ValueError, match="shift"):
        entropy_weights(TOY, TOY_DIRECTIONS, shift=-1)


def test_entropy_index_is_the_weighted_sum_of_normalized_indicators():
    index = entropy_index(TOY, TOY_DIRECTIONS)
    expected = minmax_normalize(TOY, TOY_DIRECTIONS) @ entropy_weights(TOY, TOY_DIRECTIONS)
    pd.testing.assert_series_equal(index, expected)
    assert index.between(0, 1).all()


def test_single_indicator_gets_weight_one():
    for method in ("entropy", "pca", "zscore"):
        built = construct_index(TOY[["b"]], {"b": 1}, method)
        assert built.weights.to_dict() == pytest.approx({"b": 1.0})
        assert math.isnan(built.cronbach_alpha)
        assert built.first_component_share == pytest.approx(1.0)
        assert built.index.corr(TOY["b"]) == pytest.approx(1.0)


# --------------------------------------------------------------------------- PCA and z-score


def test_pca_weights_match_numpy_eigh_of_the_correlation_matrix():
    directed = TOY * np.array([1, 1, -1])
    correlation = np.corrcoef(directed.to_numpy(), rowvar=False)
    eigenvalues, eigenvectors = np.linalg.eigh(correlation)  # ascending
    leading = eigenvectors[:, -1]
    leading = leading if leading.sum() > 0 else -leading

    component = first_principal_component(TOY, TOY_DIRECTIONS)

    np.testing.assert_allclose(component.eigenvector.to_numpy(), leading, atol=1e-12)
    np.testing.assert_allclose(component.weights.to_numpy(), leading / leading.sum(), atol=1e-12)
    np.testing.assert_allclose(component.eigenvalues, eigenvalues[::-1], atol=1e-12)
    assert component.variance_share == pytest.approx(eigenvalues[-1] / 3)
    assert component.eigenvector.sum() > 0
    pd.testing.assert_series_equal(pca_weights(TOY, TOY_DIRECTIONS), component.weights)

    index = pca_index(TOY, TOY_DIRECTIONS)
    z = (directed - directed.mean()) / directed.std(ddof=1)
    np.testing.assert_allclose(index.to_numpy(), z.to_numpy() @ component.weights.to_numpy())
    # proportional to the first principal component score
    assert np.corrcoef(index, z.to_numpy() @ leading)[0, 1] == pytest.approx(1.0)


def test_pca_sign_does_not_depend_on_the_sign_of_the_data():
    negated = -TOY
    reversed_directions = {name: -d for name, d in TOY_DIRECTIONS.items()}
    pd.testing.assert_series_equal(
        pca_weights(TOY, TOY_DIRECTIONS), pca_weights(negated, reversed_directions)
    )


def test_pca_that_contrasts_its_indicators_is_an_error():
    # two indicators negatively correlated: the first component is (1, -1) / sqrt(2)
    data = pd.DataFrame({"u": [1.0, 2.0, 3.0, 4.0], "v": [4.0, 3.5, 1.0, 2.0]})
    with pytest.raises(DataValidationError, match="summing to zero"):
        pca_weights(data, {"u": 1, "v": 1})


def test_zscore_index_is_the_mean_of_directed_standardized_indicators():
    index = zscore_index(TOY, TOY_DIRECTIONS)
    a = (TOY["a"] - 2.5) / TOY["a"].std(ddof=1)
    b = (TOY["b"] - 20.5) / TOY["b"].std(ddof=1)
    c = -(TOY["c"] - 3.25) / TOY["c"].std(ddof=1)
    np.testing.assert_allclose(index.to_numpy(), ((a + b + c) / 3).to_numpy(), atol=1e-12)
    assert index.mean() == pytest.approx(0.0, abs=1e-12)
    standardized = standardize_indicators(TOY, TOY_DIRECTIONS)
    np.testing.assert_allclose(standardized.std(ddof=1).to_numpy(), 1.0)
    np.testing.assert_allclose(standardized["c"].to_numpy(), c.to_numpy())


# --------------------------------------------------------------------------- Cronbach's alpha


def test_cronbach_alpha_textbook_example():
    items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 3, 5], "c": [1, 3, 2, 4]}, dtype=float)
    # variances (n - 1): a 5/3, b 4.75/3, c 5/3; total 4, 8, 8, 13 -> variance 40.75/3
    # alpha = 3/2 * (1 - 14.75/40.75) = 3/2 * 104/163 = 156/163
    assert cronbach_alpha(items) == pytest.approx(156 / 163, rel=1e-12)
    k = 3
    textbook = k / (k - 1) * (1 - items.var().sum() / items.sum(axis=1).var())
    assert cronbach_alpha(items) == pytest.approx(textbook)


def test_cronbach_alpha_undefined_for_one_item():
    assert math.isnan(cronbach_alpha(TOY[["a"]]))


# --------------------------------------------------------------------------- analysis panel


def small_config(method="entropy", standardize=True, **extra):
    raw = {
        "variables": {
            "g1": {"kind": "amount", "column": "政府补贴"},
            "g2": {"kind": "count"},
            "s1": {"kind": "amount"},
            "s2": {"kind": "share"},
            "patents": {"kind": "count"},
            "employment": {"kind": "count", "column": "从业人员"},
            "founding_year": {"kind": "real"},
            "demo": {"kind": "binary"},
        },
        "constructs": {
            "GOV": {"indicators": {"g1": 1, "g2": 1}},
            "INNOV": {"indicators": {"patents": 1}},
            "SCA": {"indicators": {"s1": 1, "s2": -1}},
        },
        "controls": {
            "ln_employment": {"variable": "employment", "transform": "log"},
            "cluster_age": {"variable": "founding_year", "transform": "age"},
            "patents_level": {"variable": "patents"},
        },
        "passthrough": ["demo"],
        "roles": {"treatment": "GOV", "mediators": ["INNOV"], "outcome": "SCA"},
        "indices": {"method": method, "standardize": standardize},
    }
    raw.update(extra)
    return build_config(raw)


def small_panel(seed=3):
    rng = np.random.default_rng(seed)
    clusters, years = ["C3", "C1", "C2", "C5", "C4"], [2010, 2011, 2012, 2013]
    rows = [(c, y) for y in years for c in clusters]  # deliberately not sorted by cluster
    n_rows = len(rows)
    common = rng.normal(size=n_rows)
    return pd.DataFrame(
        {
            "cluster_id": [c for c, _ in rows],
            "year": [y for _, y in rows],
            "source_row": np.arange(2, n_rows + 2),
            "province": "浙江省",
            "region": "east",
            "cluster_name": [f"集群{c}" for c, _ in rows],
            "g1": np.exp(common + rng.normal(scale=0.3, size=n_rows)),
            "g2": np.round(5 + 2 * common + rng.normal(size=n_rows)) + 10,
            "s1": 3 + common + rng.normal(scale=0.5, size=n_rows),
            "s2": 50 - 5 * common + rng.normal(size=n_rows),
            "patents": rng.poisson(4, size=n_rows).astype(float) + 1,
            "employment": rng.integers(100, 1000, size=n_rows).astype(float),
            "founding_year": 2000.0 + rng.integers(0, 8, size=n_rows),
            "demo": rng.integers(0, 2, size=n_rows).astype(float),
        }
    )


@pytest.mark.parametrize("method", ["entropy", "pca", "zscore"])
def test_build_analysis_panel(method):
    panel = small_panel()
    result = build_analysis_panel(panel, small_config(method))
    analysis = result.analysis

    assert isinstance(result, IndexResult)
    assert list(analysis.columns) == [
        "cluster_id",
        "year",
        "region",
        "province",
        "cluster_name",
        "GOV",
        "INNOV",
        "SCA",
        "ln_employment",
        "cluster_age",
        "patents_level",
        "demo",
    ]
    assert list(zip(analysis["cluster_id"], analysis["year"], strict=True)) == sorted(
        zip(panel["cluster_id"], panel["year"], strict=True)
    )
    for construct in ("GOV", "INNOV", "SCA"):
        assert analysis[construct].dtype == "float64"
        assert analysis[construct].mean() == pytest.approx(0.0, abs=1e-12)
        assert analysis[construct].std(ddof=1) == pytest.approx(1.0)

    ordered = panel.sort_values(["cluster_id", "year"]).reset_index(drop=True)
    np.testing.assert_allclose(analysis["ln_employment"], np.log(ordered["employment"]))
    np.testing.assert_allclose(analysis["cluster_age"], ordered["year"] - ordered["founding_year"])
    np.testing.assert_allclose(analysis["patents_level"], ordered["patents"])
    np.testing.assert_allclose(analysis["demo"], ordered["demo"])
    # SCA rises with s1 and falls with s2 (direction -1)
    assert analysis["SCA"].corr(ordered["s1"]) > 0
    assert analysis["SCA"].corr(ordered["s2"]) < 0

    weights = result.weights
    assert list(weights.columns) == ["construct", "indicator", "direction", "weight", "method"]
    assert weights.groupby("construct")["weight"].sum().to_dict() == pytest.approx(
        {"GOV": 1.0, "INNOV": 1.0, "SCA": 1.0}
    )
    assert weights.set_index("indicator").loc["s2", "direction"] == -1
    assert set(weights["method"]) == {method}

    reliability = result.reliability.set_index("construct")
    assert list(result.reliability.columns) == [
        "construct",
        "n_indicators",
        "cronbach_alpha",
        "first_component_share",
        "method",
    ]
    assert reliability.loc["GOV", "n_indicators"] == 2
    assert reliability.loc["INNOV", "first_component_share"] == pytest.approx(1.0)
    assert 0 < reliability.loc["SCA", "cronbach_alpha"] <= 1


def test_unstandardized_entropy_index_is_the_raw_index():
    panel = small_panel()
    result = build_analysis_panel(panel, small_config("entropy", standardize=False))
    ordered = panel.sort_values(["cluster_id", "year"]).reset_index(drop=True)
    expected = entropy_index(ordered[["g1", "g2"]], {"g1": 1, "g2": 1})
    np.testing.assert_allclose(result.analysis["GOV"], expected)
    assert result.analysis["GOV"].between(0, 1).all()


def test_analysis_panel_without_descriptive_columns():
    panel = small_panel().drop(columns=["province", "region", "cluster_name", "source_row"])
    analysis = build_analysis_panel(panel, small_config()).analysis
    assert list(analysis.columns[:3]) == ["cluster_id", "year", "GOV"]


# --------------------------------------------------------------------------- degenerate input


def test_constant_indicator_is_a_clear_error():
    panel = small_panel().assign(g2=7.0)
    with pytest.raises(DataValidationError) as caught:
        build_analysis_panel(panel, small_config())
    message = str(caught.value)
    assert "'g2'" in message and "construct GOV" in message and "constant" in message
    assert "constructs.GOV.indicators" in message and "config/config.yaml" in message


def test_all_missing_indicator_is_a_clear_error():
    panel = small_panel().assign(g1=np.nan)
    with pytest.raises(DataValidationError) as caught:
        build_analysis_panel(panel, small_config())
    message = str(caught.value)
    assert "'g1'" in message and "construct GOV" in message and "every row" in message
    assert "政府补贴" in message  # the column as named in the file


def test_remaining_missing_indicator_names_the_rows():
    panel = small_panel()
    panel.loc[[4, 9], "s1"] = np.nan
    with pytest.raises(DataValidationError) as caught:
        build_analysis_panel(panel, small_config())
    error = caught.value
    assert "construct SCA" in str(error) and "'s1'" in str(error)
    assert sorted(error.rows) == sorted(panel.loc[[4, 9], "source_row"].tolist())


def test_log_of_zero_control_is_a_clear_error():
    panel = small_panel()
    panel.loc[[0, 5, 6], "employment"] = 0.0
    with pytest.raises(DataValidationError) as caught:
        build_analysis_panel(panel, small_config())
    message = str(caught.value)
    assert "ln_employment" in message and "'employment'" in message
    assert "3 rows" in message and "从业人员" in message
    assert len(caught.value.rows) == 3


def test_negative_age_is_a_clear_error():
    panel = small_panel()
    panel.loc[0, "founding_year"] = panel.loc[0, "year"] + 1
    with pytest.raises(DataValidationError, match="negative age"):
        build_analysis_panel(panel, small_config())


def test_clashing_output_names_are_a_config_error():
    config = small_config(
        controls={"GOV": {"variable": "employment", "transform": "log"}},
    )
    with pytest.raises(ConfigError, match="GOV"):
        build_analysis_panel(small_panel(), config)


def test_pca_contrast_error_names_the_construct():
    panel = small_panel()
    panel["g2"] = -panel["g1"] + np.linspace(0, 0.01, len(panel))
    with pytest.raises(DataValidationError, match="Construct GOV") as caught:
        build_analysis_panel(panel, small_config("pca"))
    assert "constructs.GOV.indicators" in str(caught.value)


def test_too_few_rows_point_to_the_cleaning_report():
    config = small_config(simulate={"enabled": False}, data={"path": "data/raw/用户面板.xlsx"})
    with pytest.raises(DataValidationError) as caught:
        build_analysis_panel(small_panel().iloc[:1], config)
    error = caught.value
    assert "1 row(s)" in str(error) and error.file == "data/raw/用户面板.xlsx"
    assert "sample_construction.csv" in error.fix and "cleaning_audit.csv" in error.fix


def test_an_index_whose_indicators_cancel_names_the_file():
    panel = small_panel()
    panel["g2"] = 100.0 - panel["g1"]  # z(g1) + z(g2) = 0 in every row
    for standardize in (True, False):
        config = small_config(
            "zscore",
            standardize,
            simulate={"enabled": False},
            data={"path": "data/raw/用户面板.xlsx"},
        )
        with pytest.raises(DataValidationError, match="construct GOV is constant") as caught:
            build_analysis_panel(panel, config)
        assert caught.value.file == "data/raw/用户面板.xlsx"
        assert "data/raw/用户面板.xlsx" in str(caught.value)
        assert "opposite directions" in caught.value.fix
