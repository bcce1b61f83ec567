"""Tests of govcluster.describe: xtsum-style summaries, correlations and Markdown tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from govcluster.describe import (
    SUMMARY_COLUMNS,
    correlation_matrix,
    panel_summary_statistics,
    to_markdown_table,
)


def two_entity_panel():
    # entity A: x = 1, 2, 3 (3 years); entity B: x = 4, 6 (2 years)
    return pd.DataFrame(
        {
            "cluster_id": ["A", "A", "A", "B", "B"],
            "year": [2010, 2011, 2012, 2010, 2011],
            "x": [1.0, 2.0, 3.0, 4.0, 6.0],
            "y": [1.0, np.nan, 2.0, 5.0, 5.0],
        }
    )


def test_xtsum_against_a_hand_computation():
    summary = panel_summary_statistics(two_entity_panel(), ["x"])
    row = summary.loc["x"]
    # N = 5 observations of n = 2 entities, T-bar = 2.5
    assert (row["N"], row["n"], row["T_bar"]) == (5, 2, 2.5)
    # overall mean 16/5 = 3.2; deviations -2.2 -1.2 -0.2 0.8 2.8; squares sum to 14.8
    assert row["mean"] == pytest.approx(3.2)
    assert row["sd_overall"] == pytest.approx(math.sqrt(14.8 / 4))
    assert (row["min"], row["median"], row["max"]) == (1.0, 3.0, 6.0)
    # entity means 2 and 5: sd between = sqrt(((2 - 3.5)^2 + (5 - 3.5)^2) / 1) = sqrt(4.5)
    assert row["sd_between"] == pytest.approx(math.sqrt(4.5))
    assert (row["min_between"], row["max_between"]) == (2.0, 5.0)
    # within values x - xbar_i + 3.2: A 2.2, 3.2, 4.2; B 2.2, 4.2
    # deviations from 3.2: -1, 0, 1, -1, 1 -> sd within = sqrt(4 / 4) = 1
    assert row["sd_within"] == pytest.approx(1.0)
    assert row["min_within"] == pytest.approx(2.2)
    assert row["max_within"] == pytest.approx(4.2)


def test_xtsum_uses_each_variables_own_observations():
    summary = panel_summary_statistics(two_entity_panel(), ["x", "y"])
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert list(summary.index) == ["x", "y"]
    assert summary.index.name == "variable"
    assert summary["N"].dtype == "int64"
    row = summary.loc["y"]
    # y: A 1, 2 (mean 1.5), B 5, 5 (mean 5); overall mean 13/4 = 3.25
    assert (row["N"], row["n"], row["T_bar"]) == (4, 2, 2.0)
    assert row["sd_between"] == pytest.approx(math.sqrt(2 * 1.75**2))
    # within values 2.75, 3.75, 3.25, 3.25 -> squared deviations 0.25 + 0.25 -> sd sqrt(0.5/3)
    assert row["sd_within"] == pytest.approx(math.sqrt(0.5 / 3))


def test_xtsum_decomposition_on_a_balanced_panel():
    rng = np.random.default_rng(11)
    n_entities, n_years = 6, 5
    panel = pd.DataFrame(
        {
            "cluster_id": np.repeat(np.arange(n_entities), n_years),
            "year": np.tile(np.arange(2000, 2000 + n_years), n_entities),
            "x": np.repeat(rng.normal(size=n_entities), n_years) + rng.normal(size=30),
        }
    )
    row = panel_summary_statistics(panel, ["x"]).loc["x"]
    means = panel.groupby("cluster_id")["x"].transform("mean")
    # balanced: total sum of squares = between + within
    total = ((panel["x"] - panel["x"].mean()) ** 2).sum()
    between = ((means - panel["x"].mean()) ** 2).sum()
    within = ((panel["x"] - means) ** 2).sum()
    assert total == pytest.approx(between + within)
    assert row["sd_within"] == pytest.approx(math.sqrt(within / 29))
    assert row["sd_between"] == pytest.approx(math.sqrt(between / n_years / (n_entities - 1)))


def test_xtsum_rejects_duplicate_entity_years_and_unknown_columns():
    panel = pd.concat([two_entity_panel(), two_entity_panel().iloc[[0]]])
    with pytest.raises(ValueError, match=r"\(A, 2010\)"):
        panel_summary_statistics(panel, ["x"])
    with pytest.raises(ValueError, match="'z'"):
        panel_summary_statistics(two_entity_panel(), ["z"])


def test_correlation_matrix_is_pearson():
    rng = np.random.default_rng(5)
    data = pd.DataFrame(rng.normal(size=(40, 3)), columns=["u", "v", "w"])
    data["v"] += data["u"]
    matrix = correlation_matrix(data, ["w", "u", "v"])
    assert list(matrix.index) == ["w", "u", "v"] == list(matrix.columns)
    expected = np.corrcoef(data[["w", "u", "v"]].to_numpy(), rowvar=False)
    np.testing.assert_allclose(matrix.to_numpy(), expected, atol=1e-12)


def test_markdown_table():
    summary = panel_summary_statistics(two_entity_panel(), ["x"])
    text = to_markdown_table(summary[["N", "mean", "sd_within"]])
    lines = text.splitlines()
    assert lines[0].split("|")[1].strip() == "variable"
    assert "|   5 |" in lines[2] and "3.200" in lines[2] and "1.000" in lines[2]

    plain = pd.DataFrame({"name": ["a", "b"], "value": [1.23456, np.nan]})
    text = to_markdown_table(plain, floatfmt=".2f")
    assert "index" not in text and "1.23" in text and "nan" not in text
    assert to_markdown_table(plain, show_index=True).splitlines()[2].startswith("|  0")
