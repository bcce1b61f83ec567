"""The descriptive exhibits built from the pipeline's results tables, in English and Chinese."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from docx import Document
from scipy import stats

from govcluster.describe import correlation_matrix, panel_summary_statistics
from govcluster.render.descriptive_tables import (
    construct_trends_by_region,
    correlation_pvalues,
    correlation_table,
    index_reliability_table,
    index_weights_table,
    summary_statistics_table,
)
from govcluster.render.html_table import to_html
from govcluster.render.labels import display_labels
from govcluster.render.latex import to_latex
from govcluster.render.markdown import to_markdown
from govcluster.render.tables import to_csv
from govcluster.render.word import to_docx

VARIABLES = ["GOV", "SCA", "ln_employment"]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """A small cluster-year panel with two constructs, a control and regions."""
    rng = np.random.default_rng(7)
    clusters = [f"C{i:02d}" for i in range(12)]
    years = list(range(2010, 2015))
    regions = ("east", "central", "west")
    rows = [(c, y, regions[i % 3]) for i, c in enumerate(clusters) for y in years]
    frame = pd.DataFrame(rows, columns=["cluster_id", "year", "region"])
    frame["GOV"] = rng.normal(size=len(frame))
    frame["SCA"] = 0.5 * frame["GOV"] + rng.normal(size=len(frame))
    frame["ln_employment"] = 9 + rng.normal(scale=0.5, size=len(frame))
    return frame


@pytest.fixture(scope="module")
def summary(panel) -> pd.DataFrame:
    return panel_summary_statistics(panel, VARIABLES).reset_index()


@pytest.fixture(scope="module")
def weights() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "construct": ["GOV", "GOV", "COOP", "COOP"],
            "indicator": ["gov_subsidy", "gov_platforms", "coop_agreements", "price_war_incidents"],
            "direction": [1, 1, 1, -1],
            "weight": [0.61234, 0.38766, 0.9, 0.1],
            "method": ["entropy"] * 4,
        }
    )


@pytest.fixture(scope="module")
def reliability() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "construct": ["GOV", "SCA"],
            "n_indicators": [4, 4],
            "cronbach_alpha": [0.9232, 0.8],
            "first_component_share": [0.81276, 0.7],
            "method": ["entropy", "entropy"],
        }
    )


def rows_of(table):
    return {row.label: row.cells for row in table.rows}


# --------------------------------------------------------------------------- summary statistics


def test_summary_statistics_table(summary, config_en):
    table = summary_statistics_table(summary, config_en)
    assert [panel.title for panel in table.panels] == [
        "Panel A: Construct indices",
        "Panel B: Control variables",
    ]
    assert [row.label for row in table.panels[0].rows] == [
        "Government intervention",
        "Sustained competitive advantage",
    ]
    gov = summary.set_index("variable").loc["GOV"]
    cells = rows_of(table)["Government intervention"]
    assert cells[0] == "60" and cells[1] == "12" and cells[2] == "5.0"
    assert cells[3] == f"{gov['mean']:.3f}"
    assert cells[4:7] == tuple(f"{gov[c]:.3f}" for c in ("sd_overall", "sd_between", "sd_within"))
    assert table.columns[0][4].text == "Standard deviation" and table.columns[0][4].span == 3
    assert "Stata's xtsum" in table.notes[0]
    assert "standardized" in table.notes[1]


def test_summary_numbers_reach_every_format(summary, config_en, tmp_path):
    table = summary_statistics_table(summary, config_en)
    mean = f"{summary.set_index('variable').loc['SCA', 'mean']:.3f}"
    line = f"Sustained competitive advantage | 60 | 12 | 5.0 | {mean} |"
    assert line in to_markdown(table)
    assert f"<td>{mean}</td>" in to_html(table)
    back = pd.read_csv(to_csv(table, tmp_path / "s.csv"), index_col="variable")
    expected = summary.set_index("variable").loc[VARIABLES, list(back.columns)]
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)


def test_summary_refuses_unknown_variables(summary, config_en):
    with pytest.raises(ValueError, match="no row for"):
        summary_statistics_table(summary, config_en, variables=["GOV", "nope"])


# --------------------------------------------------------------------------- correlations


def test_correlation_table_is_lower_triangular(panel, config_en):
    correlations = correlation_matrix(panel, VARIABLES)
    table = correlation_table(correlations, config_en)
    assert [cell.text for cell in table.columns[0]] == ["(1)", "(2)", "(3)"]
    rows = [row.cells for row in table.rows]
    assert rows[0] == ("1", "", "")
    assert rows[1] == (f"{correlations.loc['SCA', 'GOV']:.2f}", "1", "")
    assert rows[2][2] == "1" and rows[2][0] != ""
    assert table.rows[0].label == "(1) Government intervention"
    assert np.isnan(table.numbers.loc["GOV", "SCA"])
    assert table.numbers.loc["SCA", "GOV"] == correlations.loc["SCA", "GOV"]


def test_correlation_stars_use_exact_p_values(panel, config_en):
    correlations = correlation_matrix(panel, VARIABLES)
    n = len(panel)
    pvalues = correlation_pvalues(correlations, n)
    expected = stats.pearsonr(panel["GOV"], panel["SCA"]).pvalue
    assert pvalues.loc["SCA", "GOV"] == pytest.approx(expected, rel=1e-9)
    table = correlation_table(correlations, config_en, n_obs=n, stars=True)
    assert table.rows[1].cells[0].endswith("***")  # SCA = 0.5 GOV + noise, N = 60
    assert "Observations: 60." in table.notes[0] and "*** p < 0.01" in table.notes[0]
    with pytest.raises(ValueError, match="need n_obs"):
        correlation_table(correlations, config_en, stars=True)


# --------------------------------------------------------------------------- index construction


def test_index_weights_table(weights, config_en):
    table = index_weights_table(weights, config_en)
    assert [panel.title for panel in table.panels] == [
        "Government intervention (GOV)",
        "Co-opetition (COOP)",
    ]
    cells = rows_of(table)
    assert cells["R&D subsidies and tax rebates (10k yuan)"] == ("+", "0.612")
    assert cells["Price-war incidents"] == ("−", "0.100")
    assert "entropy weight method" in table.notes[0]
    assert "R\\&D subsidies and tax rebates (10k yuan) & + & 0.612" in to_latex(table)
    assert "Price-war incidents & $-$ & 0.100" in to_latex(table)
    assert list(table.numbers.columns) == ["construct", "indicator", "direction", "weight"]


def test_index_reliability_table(reliability, config_en):
    table = index_reliability_table(reliability, config_en)
    assert rows_of(table)["Government intervention (GOV)"] == ("4", "0.923", "81.3")
    assert table.columns[0][1].text == "Cronbach's α"
    assert "Cronbach's $\\alpha$" in to_latex(table)
    assert table.numbers.loc["GOV", "first_component_share"] == 0.81276


# --------------------------------------------------------------------------- Chinese


def test_chinese_labels_in_every_format(summary, weights, reliability, panel, config_zh, tmp_path):
    tables = [
        summary_statistics_table(summary, config_zh),
        correlation_table(correlation_matrix(panel, VARIABLES), config_zh),
        index_weights_table(weights, config_zh),
        index_reliability_table(reliability, config_zh),
    ]
    expected = {
        "summary_statistics": [
            "描述性统计",
            "政府干预",
            "持续竞争优势",
            "从业人员（对数）",
            "组间",
            "A组：构念指数",
        ],
        "correlations": ["相关系数矩阵", "(1) 政府干预"],
        "index_weights": ["指数权重", "研发补贴与税收返还（万元）", "合作竞争（COOP）", "熵权法"],
        "index_reliability": ["综合指数的信度", "政府干预（GOV）", "第一主成分方差占比（%）"],
    }
    for table in tables:
        docx_path = to_docx(table, tmp_path / f"{table.label}.docx")
        document = Document(str(docx_path))
        word_text = "\n".join(
            [p.text for p in document.paragraphs]
            + [cell.text for row in document.tables[0].rows for cell in row.cells]
        )
        for text in expected[table.label]:
            latex_text = text.replace("%", "\\%")
            assert latex_text in to_latex(table), (table.label, text)
            assert text in to_markdown(table), (table.label, text)
            assert text in to_html(table), (table.label, text)
            assert text in word_text, (table.label, text)
        csv_text = to_csv(table, tmp_path / f"{table.label}.csv").read_text(encoding="utf-8-sig")
        assert "\ufffd" not in csv_text


# --------------------------------------------------------------------------- figure data


def test_construct_trends_by_region(panel):
    trends = construct_trends_by_region(panel, ["SCA", "GOV"])
    assert list(trends.columns) == ["construct", "region", "year", "mean", "n"]
    assert list(dict.fromkeys(trends["construct"])) == ["SCA", "GOV"]
    assert list(dict.fromkeys(trends["region"])) == ["east", "central", "west"]
    expected = panel.groupby(["region", "year"])["GOV"].mean()
    got = trends[trends["construct"] == "GOV"].set_index(["region", "year"])["mean"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
    assert set(trends["n"]) == {4}


def test_display_labels_cover_constructs_regions_and_axes(config_zh):
    labels = display_labels(config_zh)
    assert labels["GOV"] == "政府干预"
    assert labels["west"] == "西部"
    assert labels["year"] == "年份"
    assert labels["ln_gdp_pc"] == "省人均GDP（对数）"
