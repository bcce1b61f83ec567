"""Regression tables: coefficient rows, uncertainty under them, statistics rows, star note."""

from __future__ import annotations

import pytest

from govcluster.records.base import RecordError
from govcluster.render.latex import to_latex
from govcluster.render.regression import model_from_panel_record, regression_table

LABELS = {
    "GOV": "Government intervention",
    "ln_gdp_pc": "GDP per capita (log)",
    "cluster_id": "cluster",
    "province_year": "Province-year FE",
}


def two_models():
    return [
        {
            "name": "(1)",
            "group": "FE",
            "params": {"GOV": (0.123, 0.045, 0.006), "ln_gdp_pc": (-0.5, 0.25, 0.05)},
            "stats": {
                "n_obs": 3586,
                "r2_within": 0.4123,
                "n_clusters": 240,
                "mean_dependent": 0.0001,
                "fixed_effects": ["entity", "time"],
                "cluster_var": "cluster_id",
            },
        },
        {
            "name": "(2)",
            "group": "FE",
            "params": {"GOV": (0.2, 0.1, 0.0455)},
            "stats": {
                "n_obs": 3346,
                "r2_within": None,
                "n_clusters": 240,
                "mean_dependent": -0.25,
                "fixed_effects": {"entity": True, "time": False, "province_year": True},
                "cluster_var": "cluster_id",
            },
        },
    ]


def cells(table):
    return {(row.label, position): row.cells for position, row in enumerate(table.rows)}


def test_coefficients_with_standard_errors_under_them():
    table = regression_table(two_models(), ["GOV", "ln_gdp_pc", "absent"], LABELS)
    rows = [(row.label, row.cells) for row in table.panels[0].rows]
    assert rows == [
        ("Government intervention", ("0.123***", "0.200**")),
        ("", ("(0.045)", "(0.100)")),
        ("GDP per capita (log)", ("-0.500*", "")),
        ("", ("(0.250)", "")),
    ]


def test_t_statistics_instead_of_standard_errors():
    table = regression_table(two_models(), ["GOV"], LABELS, below="t", digits=2)
    assert table.panels[0].rows[1].cells == ("(2.73)", "(2.00)")
    assert table.notes[-1].startswith("t statistics in parentheses.")


def test_statistics_rows():
    table = regression_table(two_models(), ["GOV"], LABELS)
    stats = {row.label: row.cells for row in table.panels[1].rows}
    assert list(stats) == [
        "Cluster fixed effects",
        "Year fixed effects",
        "Province-year FE",
        "Standard errors clustered by",
        "Number of clusters",
        "Observations",
        "Within R²",
        "Mean of dependent variable",
    ]
    assert stats["Cluster fixed effects"] == ("Yes", "Yes")
    assert stats["Year fixed effects"] == ("Yes", "No")
    assert stats["Province-year FE"] == ("No", "Yes")
    assert stats["Standard errors clustered by"] == ("cluster", "cluster")
    assert stats["Observations"] == ("3,586", "3,346")
    assert stats["Number of clusters"] == ("240", "240")
    assert stats["Within R²"] == ("0.412", "")
    assert stats["Mean of dependent variable"] == ("0.000", "-0.250")


def test_header_groups_and_star_note():
    table = regression_table(
        two_models(), ["GOV"], LABELS, dependent="SCA", notes=("Sample: 2008-2022.",)
    )
    assert [[(c.text, c.span) for c in row] for row in table.columns] == [
        [("SCA", 2)],
        [("FE", 2)],
        [("(1)", 1), ("(2)", 1)],
    ]
    assert table.notes == (
        "Sample: 2008-2022.",
        "Standard errors in parentheses. * p < 0.1, ** p < 0.05, *** p < 0.01.",
    )
    latex = to_latex(table)
    assert "Within R\\textsuperscript{2}" in latex
    assert "\\cmidrule(lr){2-3}" in latex


def test_chinese_fixed_words():
    table = regression_table(two_models(), ["GOV"], {"GOV": "政府干预"}, language="zh")
    labels = [row.label for row in table.rows]
    assert "政府干预" in labels and "观测值" in labels and "组内R²" in labels
    assert table.notes[-1] == "括号内为标准误。*、**、***分别表示在10%、5%、1%的水平上显著。"
    assert {row.label: row.cells for row in table.rows}["年份固定效应"] == ("是", "否")


def test_numbers_are_long():
    numbers = regression_table(two_models(), ["GOV", "ln_gdp_pc"], LABELS).numbers
    gov = numbers[(numbers["model"] == "(1)") & (numbers["term"] == "GOV")].iloc[0]
    assert (gov["estimate"], gov["std_error"], gov["p_value"]) == (0.123, 0.045, 0.006)
    assert gov["statistic"] == pytest.approx(0.123 / 0.045)
    n_obs = numbers[(numbers["model"] == "(2)") & (numbers["term"] == "n_obs")]["value"]
    assert n_obs.item() == 3346
    # a statistic the table leaves blank is not in the numbers, and every key is unique
    r2 = numbers[(numbers["model"] == "(2)") & (numbers["term"] == "r2_within")]["value"]
    assert r2.empty
    assert not numbers.duplicated(["model", "term"]).any()


def test_bad_models_are_refused():
    with pytest.raises(ValueError, match="at least one model"):
        regression_table([], ["GOV"], LABELS)
    with pytest.raises(ValueError, match="needs a 'name'"):
        regression_table([{"params": {}}], ["GOV"], LABELS)
    with pytest.raises(ValueError, match="expected \\(estimate, standard error, p-value\\)"):
        regression_table([{"name": "(1)", "params": {"GOV": (0.1, 0.2)}}], ["GOV"], LABELS)


def test_model_from_a_panel_record(small_run):
    stored = small_run.records("baseline_twoway_fe")["baseline_twoway_fe"]["result"]
    gov = next(c for c in stored["coefficients"] if c["name"] == "GOV")
    model = model_from_panel_record(stored, name="(1)")
    assert model["params"]["GOV"] == (
        gov["estimate"],
        gov["std_error"],
        gov["p_value"],
        gov["ci_lower"],
        gov["ci_upper"],
    )
    assert model["stats"]["fixed_effects"] == {"entity": True, "time": True}
    assert model["stats"]["r2_within"] == stored["r2_within"]
    table = regression_table([model], ["GOV"], LABELS)
    stats = {row.label: row.cells for row in table.panels[1].rows}
    assert stats["Standard errors clustered by"] == ("cluster",)
    assert stats["Observations"] == (f"{stored['n_obs']:,}",)
    assert table.panels[0].rows[0].cells[0].startswith(f"{gov['estimate']:.3f}")


def test_model_from_a_record_missing_fields_is_refused():
    with pytest.raises(RecordError, match="missing key"):
        model_from_panel_record({"kind": "panel_estimate", "name": "fe", "coefficients": []})
