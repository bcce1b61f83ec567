"""Panel tables rendered from the records of a small run: numbers, stars, N and labels."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from govcluster.render.latex import to_latex
from govcluster.render.markdown import to_markdown
from govcluster.render.panel_tables import (
    baseline_table,
    covariance_variants,
    heterogeneity_table,
    horizons_table,
    iv_table,
    job_specification,
    main_baseline_jobs,
    robustness_table,
)
from govcluster.render.settings import RenderSettings, render_settings


def stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def cell(estimate: float, p: float) -> str:
    return f"{estimate:.3f}{stars(p)}".replace("-0.000", "0.000")


def coefficient(record, name):
    return next(c for c in record["result"]["coefficients"] if c["name"] == name)


def rows_of(table):
    """Row label -> cells, the row under a coefficient keyed as '<label>/below'."""
    rows = {}
    previous = ""
    for row in table.rows:
        key = f"{previous}/below" if not row.label and previous else row.label
        rows.setdefault(key, row.cells)
        previous = row.label or previous
    return rows


@pytest.fixture(scope="module")
def baseline(small_run):
    return small_run.records("baseline_")


@pytest.fixture(scope="module")
def tests_record(small_run):
    return small_run.records("specification_tests")["specification_tests"]


def test_covariance_variants_are_set_apart(baseline):
    specs = {job: job_specification(record) for job, record in baseline.items()}
    assert main_baseline_jobs(specs) == [
        "baseline_pooled",
        "baseline_entity_fe",
        "baseline_random",
        "baseline_between",
        "baseline_first_difference",
        "baseline_twoway_fe",
        "baseline_twoway_fe_lags",
    ]
    assert covariance_variants(specs) == [
        [
            "baseline_twoway_fe",
            "baseline_twoway_fe_cluster_twoway",
            "baseline_twoway_fe_driscoll_kraay",
            "baseline_twoway_fe_robust",
        ]
    ]


def test_baseline_table_shows_the_estimates(baseline, tests_record, small_run):
    table = baseline_table(baseline, small_run.project(), tests=tests_record)
    assert table.n_columns == 7
    assert [cell.text for cell in table.columns[-1]] == [f"({i})" for i in range(1, 8)]
    assert table.columns[0][0].text == "Sustained competitive advantage"
    estimators = [c.text for c in table.columns[1] for _ in range(c.span)]
    assert estimators == ["Pooled OLS", "FE", "RE", "Between", "FD", "Two-way FE", "Two-way FE"]
    rows = rows_of(table)
    order = [
        "baseline_pooled",
        "baseline_entity_fe",
        "baseline_random",
        "baseline_between",
        "baseline_first_difference",
        "baseline_twoway_fe",
        "baseline_twoway_fe_lags",
    ]
    gov = [coefficient(baseline[job], "GOV") for job in order]
    assert rows["Government intervention"] == tuple(cell(c["estimate"], c["p_value"]) for c in gov)
    assert rows["Government intervention/below"] == tuple(f"({c['std_error']:.3f})" for c in gov)
    lag = coefficient(baseline["baseline_twoway_fe_lags"], "GOV_lag2")
    assert rows["Government intervention, t−2"][-1] == cell(lag["estimate"], lag["p_value"])
    assert rows["Government intervention, t−2"][:-1] == ("",) * 6
    assert rows["Cluster age (years)"][4:] == ("", "", "")
    results = [baseline[job]["result"] for job in order]
    assert rows["Observations"] == tuple(f"{r['n_obs']:,}" for r in results)
    assert rows["Number of clusters (entities)"] == ("60",) * 7
    assert rows["Number of SE clusters"] == ("60", "60", "60", "", "60", "60", "60")
    assert rows["Standard errors"][3] == "Robust"
    assert rows["Standard errors"][0] == "Cluster (entity)"
    assert rows["Cluster fixed effects"] == ("No", "Yes", "No", "No", "No", "Yes", "Yes")
    assert rows["Year fixed effects"] == ("No",) * 5 + ("Yes", "Yes")
    within = rows["Within R²"]
    assert within[0] == within[3] == within[4] == ""
    assert within[5] == f"{results[5]['r2_within']:.3f}"
    assert within[2] == f"{results[2]['r2_within']:.3f}"
    overall = rows["R²"]
    assert overall[0] == f"{results[0]['r2']:.3f}" and overall[3] == f"{results[3]['r2']:.3f}"
    assert overall[1] == overall[2] == overall[5] == ""
    adjusted = rows["Adjusted R²"]
    assert adjusted[2] == "" and all(adjusted[i] for i in (0, 1, 3, 4, 5, 6))
    assert "Constant" not in rows


def with_hausman(tests_record, statistic, p_value):
    """The specification-tests record with its classic Hausman statistic replaced."""
    changed = copy.deepcopy(tests_record)
    changed["result"]["hausman"].update(statistic=statistic, p_value=p_value)
    changed["result"]["hausman"]["generalized_inverse"] = False
    return changed


def test_baseline_table_panel_b_has_the_specification_tests(baseline, tests_record, small_run):
    defined = with_hausman(tests_record, 12.5, 0.029)
    table = baseline_table(baseline, small_run.project(), tests=defined)
    assert [p.title for p in table.panels] == [
        "Panel A: Estimates",
        "",
        "Panel B: Specification tests",
    ]
    tests = defined["result"]
    rows = {row.label.split(",")[0]: row.cells for row in table.panels[2].rows}
    assert rows[""][:3] == ("Statistic", "df", "p-value")
    mundlak = tests["mundlak"]
    assert rows["Mundlak test"][:3] == (
        f"{mundlak['statistic']:,.3f}",
        str(mundlak["df"]),
        "< 0.001" if mundlak["p_value"] < 0.001 else f"{mundlak['p_value']:.3f}",
    )
    poolability = tests["poolability"]
    assert rows["Poolability F test"][1] == (
        f"{int(poolability['df'])}, {int(poolability['df_denom'])}"
    )
    assert rows["Hausman test"][:3] == ("12.500", str(int(tests["hausman"]["df"])), "0.029")
    label = next(row.label for row in table.panels[2].rows if row.label.startswith("Hausman"))
    assert label == f"Hausman test, χ²({int(tests['hausman']['df'])})"
    terms = set(table.numbers["term"])
    assert {"mundlak:statistic", "hausman:p_value", "n_obs", "r2_within"} <= terms
    assert "Hausman test, $\\chi$\\textsuperscript{2}(" in to_latex(table)
    assert not any("classic Hausman" in note for note in table.notes)


def test_a_negative_hausman_statistic_is_replaced_by_its_robust_form(
    baseline, tests_record, small_run
):
    negative = with_hausman(tests_record, -276.69, 1.0)
    table = baseline_table(baseline, small_run.project(), tests=negative)
    labels = [row.label for row in table.panels[2].rows]
    mundlak = negative["result"]["mundlak"]
    robust = f"Cluster-robust Hausman test (Mundlak form), χ²({mundlak['df']})"
    assert robust in labels
    assert not any(label.startswith(("Hausman test", "Mundlak test")) for label in labels)
    cells = {row.label: row.cells for row in table.panels[2].rows}[robust]
    assert cells[0] == f"{mundlak['statistic']:,.3f}"
    assert "1.000" not in " ".join(cells)
    note = next(note for note in table.notes if "classic Hausman" in note)
    assert "-276.690" in note and "positive semidefinite" in note
    # the classic statistic stays among the numbers, where the note cites it
    numbers = table.numbers.set_index(["model", "term"])["value"]
    assert numbers[("tests", "hausman:statistic")] == -276.69
    chinese = baseline_table(baseline, small_run.project("zh"), tests=negative)
    assert any(row.label.startswith("聚类稳健Hausman检验") for row in chinese.panels[2].rows)


def test_t_statistics_and_digits_from_the_render_settings(baseline, small_run):
    settings = render_settings({"render": {"below": "t", "digits": 2, "stars": [0.05, 0.01]}})
    table = baseline_table(baseline, small_run.project(), settings)
    gov = coefficient(baseline["baseline_twoway_fe"], "GOV")
    rows = rows_of(table)
    two_star = "**" if gov["p_value"] < 0.01 else "*" if gov["p_value"] < 0.05 else ""
    assert rows["Government intervention"][5] == f"{gov['estimate']:.2f}{two_star}"
    assert rows["Government intervention/below"][5] == (
        f"({gov['estimate'] / gov['std_error']:.2f})"
    )
    assert "t statistics in parentheses." in table.notes[-1]
    assert "* p < 0.05, ** p < 0.01" in table.notes[-1]
    assert render_settings({}) == RenderSettings()


def test_robustness_table_has_one_column_per_covariance(baseline, small_run):
    table = robustness_table(baseline, small_run.project())
    rows = rows_of(table)
    jobs = [
        "baseline_twoway_fe",
        "baseline_twoway_fe_cluster_twoway",
        "baseline_twoway_fe_driscoll_kraay",
        "baseline_twoway_fe_robust",
    ]
    gov = [coefficient(baseline[job], "GOV") for job in jobs]
    assert rows["Government intervention"] == tuple(cell(c["estimate"], c["p_value"]) for c in gov)
    assert rows["Government intervention/below"] == tuple(f"({c['std_error']:.3f})" for c in gov)
    assert rows["Standard errors"] == (
        "Cluster (entity)",
        "Cluster (entity) and year",
        "Driscoll–Kraay",
        "Robust",
    )
    assert rows["Number of SE clusters"] == ("60", "60, 10", "", "")
    assert rows["Number of clusters (entities)"] == ("60",) * 4
    numbers = table.numbers.set_index(["model", "term"])["value"]
    assert not numbers.index.duplicated().any()
    assert numbers[("(2)", "n_se_clusters:cluster_id")] == 60
    assert numbers[("(2)", "n_se_clusters:year")] == 10
    assert ("(3)", "n_se_clusters:cluster_id") not in numbers.index
    assert len({c["estimate"] for c in gov}) == 1


def test_horizons_table(small_run):
    record = small_run.records("local_projections")["local_projections"]
    table = horizons_table(record, small_run.project())
    entries = record["result"]["table"]
    assert [row.label for row in table.rows] == [f"h = {e['horizon']}" for e in entries]
    for row, entry in zip(table.rows, entries, strict=True):
        assert row.cells == (
            cell(entry["estimate"], entry["p_value"]),
            f"{entry['std_error']:.3f}",
            f"[{entry['ci_lower']:.3f}, {entry['ci_upper']:.3f}]".replace("-0.000", "0.000"),
            f"{entry['n_obs']:,}",
            f"{entry['n_clusters']:,}",
        )
    assert table.columns[0][2].text == "95% CI"


def test_heterogeneity_table(small_run):
    records = small_run.records("heterogeneity_")
    table = heterogeneity_table(records, small_run.project())
    assert [p.title for p in table.panels] == [
        "Panel A: Region: East, Central, West",
        "Panel B: Region: East, Less developed (Central, West)",
    ]
    region = records["heterogeneity_region"]["result"]
    by_group = {e["group"]: e for e in region["table"]}
    rows = {row.label: row.cells for row in table.panels[0].rows}
    east = by_group["east"]
    assert rows["East"] == (
        cell(east["split_estimate"], east["split_p_value"]),
        f"{east['split_n_obs']:,}",
        f"{east['split_n_entities']:,}",
        cell(east["interaction_estimate"], east["interaction_p_value"]),
    )
    test = region["equal_effects"]
    wald = next(r for r in table.panels[0].rows if r.label.startswith("Wald"))
    assert wald.label == f"Wald test of equal effects, F({test['df']}, {int(test['df_denom'])})"
    assert wald.cells[-1] == f"{test['statistic']:.3f}"
    assert rows["p-value"][-1] == f"{test['p_value']:.3f}"
    assert [row.label for row in table.panels[0].rows][:6:2] == ["East", "Central", "West"]


def test_iv_table_puts_ols_above_2sls_with_diagnostics(small_run, baseline):
    records = small_run.records("iv_")
    table = iv_table(records, small_run.project(), baseline=baseline)
    assert [p.title for p in table.panels][:3] == [
        "Panel A: OLS",
        "Panel B: 2SLS",
        "Panel C: First stage and weak-instrument diagnostics",
    ]
    iv = records["iv_twoway_fe"]["result"]
    ols = coefficient(baseline["baseline_twoway_fe"], "GOV")
    fd_ols = coefficient(baseline["baseline_first_difference"], "GOV")
    assert table.panels[0].rows[0].cells == (
        cell(ols["estimate"], ols["p_value"]),
        cell(fd_ols["estimate"], fd_ols["p_value"]),
    )
    gov = next(c for c in iv["coefficients"] if c["name"] == "GOV")
    assert table.panels[1].rows[0].cells[0] == cell(gov["estimate"], gov["p_value"])
    first_stage = {row.label: row.cells for row in table.panels[2].rows}
    assert first_stage["First-stage F"][0] == f"{iv['first_stages'][0]['f_statistic']:,.3f}"
    assert first_stage["Kleibergen–Paap rk Wald F"][0] == (
        f"{iv['kleibergen_paap_rk_wald_f']:,.3f}"
    )
    assert first_stage["Partial R² of the instruments"][0] == (
        f"{iv['first_stages'][0]['partial_r2']:.3f}"
    )
    low, high = iv["anderson_rubin"]["confidence_set"][0]
    assert first_stage["Anderson–Rubin 95% confidence set"][0] == f"[{low:.3f}, {high:.3f}]"
    instrument = first_stage["Fiscal-capacity shock (IV)"][0]
    assert instrument.startswith(f"{iv['first_stages'][0]['instruments'][0]['estimate']:.3f}")


def test_iv_table_without_an_ols_counterpart_has_no_panel_a(small_run):
    table = iv_table(small_run.records("iv_"), small_run.project(), baseline={})
    assert table.panels[0].title == "Panel A: 2SLS"
    assert not any("Panel A: the OLS" in note for note in table.notes)


def test_chinese_panel_tables(small_run, baseline, tests_record):
    project = small_run.project("zh")
    table = baseline_table(baseline, project, tests=tests_record)
    text = to_markdown(table)
    for expected in (
        "基准回归结果",
        "政府干预",
        "政府干预（滞后1期）",
        "集群固定效应",
        "B组：模型设定检验",
    ):
        assert expected in text
    assert "Hausman检验" in text and "χ²(" in text
    heterogeneity = to_markdown(heterogeneity_table(small_run.records("heterogeneity_"), project))
    assert (
        "欠发达地区（中部、西部）" in heterogeneity
        and "组间效应相等的Wald检验，F(" in heterogeneity
    )


def analysis_sample(small_run, spec):
    """The estimation sample of a specification, indexed by entity and year."""
    data = pd.read_parquet(small_run.path("analysis"))
    columns = [*spec["regressors"], *spec["controls"]]
    data = data.dropna(subset=[spec["outcome"], *columns])
    return data.set_index([spec["entity"], spec["time"]]), columns


def test_mundlak_statistic_matches_an_independent_computation(tests_record, small_run):
    """The robust Hausman (Mundlak) statistic the table prints, recomputed with linearmodels.

    Random effects with the cluster means of the regressors added, cluster-robust covariance
    with the G/(G-1) small-sample factor, Wald test that the means have zero coefficients.
    """
    from linearmodels.panel import RandomEffects

    result = tests_record["result"]
    data, columns = analysis_sample(small_run, result["spec"])
    means = data.groupby(level=0)[columns].transform("mean").add_suffix("_mean")
    design = pd.concat([data[columns], means], axis=1)
    design.insert(0, "const", 1.0)
    fit = RandomEffects(data[result["spec"]["outcome"]], design).fit(
        cov_type="clustered", cluster_entity=True, group_debias=True
    )
    names = list(means.columns)
    coefficients = fit.params[names].to_numpy()
    covariance = fit.cov.loc[names, names].to_numpy()
    statistic = float(coefficients @ np.linalg.solve(covariance, coefficients))
    assert result["mundlak"]["statistic"] == pytest.approx(statistic, rel=1e-8)
    assert result["mundlak"]["df"] == len(names)


def test_adjusted_r2_matches_statsmodels(baseline, small_run):
    """Adjusted R² of pooled OLS and between (statsmodels) and of FE (plm's definition)."""
    import statsmodels.api as sm

    from govcluster.records.panel import as_job_record
    from govcluster.render.panel_records import fit_statistics

    pooled = as_job_record(baseline["baseline_pooled"]).result
    spec = baseline["baseline_pooled"]["result"]["spec"]
    data, columns = analysis_sample(small_run, spec)
    outcome = spec["outcome"]
    ols = sm.OLS(data[outcome], sm.add_constant(data[columns])).fit()
    assert fit_statistics(pooled)["r2"] == pytest.approx(ols.rsquared, rel=1e-8)
    assert fit_statistics(pooled)["r2_adjusted"] == pytest.approx(ols.rsquared_adj, rel=1e-8)

    between = as_job_record(baseline["baseline_between"]).result
    means = data.groupby(level=0)[[outcome, *columns]].mean()
    ols = sm.OLS(means[outcome], sm.add_constant(means[columns])).fit()
    assert fit_statistics(between)["r2"] == pytest.approx(ols.rsquared, rel=1e-8)
    assert fit_statistics(between)["r2_adjusted"] == pytest.approx(ols.rsquared_adj, rel=1e-8)

    fixed = as_job_record(baseline["baseline_entity_fe"]).result
    demeaned = data[[outcome, *columns]] - data.groupby(level=0)[[outcome, *columns]].transform(
        "mean"
    )
    ols = sm.OLS(demeaned[outcome], demeaned[columns]).fit()
    n_entities = data.index.get_level_values(0).nunique()
    plm_adjusted = 1 - (1 - ols.rsquared) * (len(data) - 1) / (
        len(data) - len(columns) - n_entities
    )
    assert fit_statistics(fixed)["r2_within"] == pytest.approx(ols.rsquared, rel=1e-8)
    assert fit_statistics(fixed)["r2_adjusted"] == pytest.approx(plm_adjusted, rel=1e-8)


def test_coefficients_are_selected_ordered_renamed_and_controls_collapsed(baseline, small_run):
    project = small_run.project(
        render={
            "coefficients": {
                "keep": ["GOV", "GOV_lag1", "ln_gdp_pc"],
                "order": ["GOV_lag1"],
                "rename": {"GOV": "Government support"},
                "controls": "collapse",
            }
        }
    )
    table = baseline_table(baseline, project)
    labels = [row.label for row in table.panels[0].rows if row.label]
    assert labels == ["Government intervention, t−1", "Government support"]
    rows = rows_of(table)
    assert rows["Controls"] == ("Yes",) * 7
    assert set(table.numbers["term"]) >= {"controls", "GOV", "GOV_lag1"}
    assert "ln_gdp_pc" not in set(table.numbers["term"])
    shown = small_run.project(
        render={"coefficients": {"drop": ["cluster_age"], "order": ["ln_firms"]}}
    )
    labels = [row.label for row in baseline_table(baseline, shown).panels[0].rows if row.label]
    assert labels[0] == "Number of firms (log)" and "Cluster age (years)" not in labels
    assert "Controls" not in rows_of(baseline_table(baseline, shown))


@pytest.mark.parametrize("below", ["p", "ci"])
def test_p_values_or_intervals_under_the_coefficients(baseline, small_run, below):
    settings = RenderSettings(below=below)
    table = baseline_table(baseline, small_run.project(), settings)
    gov = coefficient(baseline["baseline_twoway_fe"], "GOV")
    under = rows_of(table)["Government intervention/below"][5]
    iv = iv_table(small_run.records("iv_"), small_run.project(), settings)
    iv_under = rows_of(iv)["Government intervention/below"]
    if below == "p":
        p = gov["p_value"]
        assert under == (f"({p:.3f})" if p >= 0.001 else "(0.000)") or under == "(< 0.001)"
        assert "p-values in parentheses." in table.notes[-1]
    else:
        assert under == f"[{gov['ci_lower']:.3f}, {gov['ci_upper']:.3f}]"
        assert "95% confidence intervals in brackets." in table.notes[-1]
        assert iv_under[0].startswith("[")
    numbers = table.numbers.set_index(["model", "term"])
    assert numbers.loc[("(6)", "GOV"), "ci_lower"] == gov["ci_lower"]


def test_bad_coefficient_options_are_refused():
    from govcluster.errors import ConfigError
    from govcluster.render.coefficients import coefficient_display

    with pytest.raises(ConfigError, match="render.coefficients.controls"):
        coefficient_display({"render": {"coefficients": {"controls": "hide"}}})
    with pytest.raises(ConfigError, match="unknown key"):
        coefficient_display({"render": {"coefficients": {"kept": ["GOV"]}}})
    with pytest.raises(ConfigError, match="list of term names"):
        coefficient_display({"render": {"coefficients": {"keep": "GOV"}}})
    with pytest.raises(ConfigError, match="render.below"):
        RenderSettings(below="stars")
