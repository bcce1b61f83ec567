"""Mediation tables rendered from the results of a small run: numbers, stars, verdicts, N."""

from __future__ import annotations

import pytest

from govcluster.render.formatting import format_pvalue
from govcluster.render.markdown import to_markdown
from govcluster.render.mediation_tables import (
    causal_table,
    indirect_table,
    indirect_tests_table,
    parallel_table,
    paths_table,
)

MECHANISMS = ["OPEN", "COOP", "ABSORB", "INNOV", "BRAND", "SOCAP"]


def mediation_path(results, path, mediator=None):
    """The stored path record (read from the JSON dict, independently of the renderers)."""
    return next(
        e
        for e in results["paths"]
        if e["path"] == path and (mediator is None or e["mediator"] == mediator)
    )


def inference_row(results, method, mediator, model="parallel"):
    effect = f"indirect_single[{mediator}]" if model == "single" else f"indirect[{mediator}]"
    return next(
        (
            e
            for e in results["inference"]
            if e["effect"] == effect and e["method"] == method and e["model"] == model
        ),
        {},
    )


def stepwise_decision(results, mediator, model):
    return next(
        d
        for d in results["stepwise"]["decisions"]
        if d["mediator"] == mediator and d["model"] == model
    )


def stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def number(value: float, digits: int = 3) -> str:
    text = f"{value:,.{digits}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def interval(lower: float, upper: float) -> str:
    return f"[{number(lower)}, {number(upper)}]"


@pytest.fixture(scope="module")
def results(small_run):
    return small_run.mediation


def test_paths_table_is_a_regression_table_of_c_a_and_c_prime_b(results, small_run):
    table = paths_table(results, small_run.project())
    assert table.n_columns == len(MECHANISMS) + 2
    project = small_run.project()
    names = ["SCA", *MECHANISMS, "SCA"]
    assert [c.text for c in table.columns[0]] == [project.label(name) for name in names]
    text = to_markdown(table)
    header_and_notes = text.splitlines()[2] + "\n".join(table.notes)
    for raw in ("iv_fiscal_shock", "| SCA", "OPEN /", "GOV"):
        assert raw not in header_and_notes, raw
    gov = table.panels[0].rows[0]
    assert gov.label == "Government intervention (GOV)"
    expected = [mediation_path(results, "c")]
    expected += [mediation_path(results, "a", m) for m in MECHANISMS]
    expected += [mediation_path(results, "c_prime")]
    assert gov.cells == tuple(number(e["estimate"]) + stars(e["pvalue"]) for e in expected)
    assert table.panels[0].rows[1].cells == tuple(f"({number(e['se'])})" for e in expected)
    labels = [row.label for row in table.panels[0].rows]
    b_open = mediation_path(results, "b", "OPEN")
    row = table.panels[0].rows[labels.index("Cluster openness (OPEN)")]
    assert row.cells == ("",) * 7 + (number(b_open["estimate"]) + stars(b_open["pvalue"]),)
    statistics = {row.label: row.cells for row in table.panels[1].rows}
    n_obs = results["sample"]["n_obs"]
    assert statistics["Observations"] == (f"{n_obs:,}",) * 8
    assert statistics["Number of clusters"] == ("60",) * 8
    assert statistics["Year fixed effects"] == ("Yes",) * 8


def test_paths_table_panel_b_has_the_fe_iv_effects(results, small_run):
    table = paths_table(results, small_run.project())
    assert table.panels[2].title.startswith("Panel B: Identification-first")
    effects = {e["variable"]: e for e in results["identification"]["effects"]}
    cells = table.panels[2].rows[0].cells
    for position, variable in enumerate(["SCA", *MECHANISMS]):
        effect = effects[variable]
        assert cells[position] == number(effect["iv_estimate"]) + stars(effect["iv_pvalue"])
    assert cells[-1] == ""
    assert "Jiang 2022" in " ".join(table.notes)


def test_indirect_table_has_sobel_bootstrap_and_verdicts(results, small_run):
    table = indirect_table(results, small_run.project())
    parallel = {row.label: row.cells for row in table.panels[0].rows}
    for mechanism, label in [
        ("OPEN", "Cluster openness (OPEN)"),
        ("INNOV", "Innovation system (INNOV)"),
    ]:
        sobel = inference_row(results, "sobel", mechanism)
        percentile = inference_row(results, "percentile", mechanism)
        bca = inference_row(results, "bca", mechanism)
        decision = stepwise_decision(results, mechanism, "parallel")
        verdict = {
            "partial_mediation": "Partial mediation",
            "full_mediation": "Full mediation",
            "no_mediation": "No mediation",
            "suppression": "Suppression",
        }[decision["verdict"]]
        assert parallel[label] == (
            number(percentile["estimate"]) + stars(percentile["pvalue"]),
            number(sobel["statistic"]),
            "< 0.001" if sobel["pvalue"] < 0.001 else number(sobel["pvalue"]),
            interval(percentile["ci_lower"], percentile["ci_upper"]),
            interval(bca["ci_lower"], bca["ci_upper"]),
            verdict,
        )
    total = next(e for e in results["indirect"] if e["mediator"] == "TOTAL")
    assert parallel["Total indirect effect"][0] == number(total["estimate"]) + stars(
        total["pvalue"]
    )
    assert parallel["Total indirect effect"][1:3] == ("", "")
    single = {row.label: row.cells for row in table.panels[1].rows}
    assert "Total indirect effect" not in single
    single_open = next(e for e in results["single"] if e["mediator"] == "OPEN")
    assert single["Cluster openness (OPEN)"][0].startswith(number(single_open["indirect"]))
    sample = {row.label: row.cells for row in table.panels[2].rows}
    assert sample["Bootstrap replications"][0] == f"{results['bootstrap']['n_valid']:,}"
    assert sample["Observations"][0] == f"{results['sample']['n_obs']:,}"


def test_indirect_table_in_chinese_has_the_chinese_verdicts(results, small_run):
    table = indirect_table(results, small_run.project("zh"))
    verdicts = {row.cells[-1] for row in table.panels[0].rows if row.cells[-1]}
    expected = {
        d["verdict_zh"] for d in results["stepwise"]["decisions"] if d["model"] == "parallel"
    }
    assert verdicts == expected
    text = to_markdown(table)
    assert "集群开放性（OPEN）" in text and "A组：并行中介模型" in text and "逐步检验结论" in text


def test_parallel_table_has_contrasts_and_proportions(results, small_run):
    table = parallel_table(results, small_run.project())
    titles = [panel.title for panel in table.panels]
    assert titles[:3] == [
        "Panel A: Specific indirect effects",
        "Panel B: Proportion of the total effect mediated",
        "Panel C: Pairwise contrasts of indirect effects",
    ]
    contrasts = table.panels[2].rows
    assert len(contrasts) == len(MECHANISMS) * (len(MECHANISMS) - 1) // 2
    first = results["contrasts"][0]
    assert contrasts[0].label == first["contrast"].replace("-", " − ")
    assert contrasts[0].cells == (
        number(first["estimate"]) + stars(first["pvalue"]),
        number(first["se"]),
        interval(first["ci_lower"], first["ci_upper"]),
        format_pvalue(first["pvalue"], n_boot=results["bootstrap"]["n_valid"]),
    )
    proportion = {row.label: row.cells for row in table.panels[1].rows}
    total = next(e for e in results["proportion_mediated"] if e["mediator"] == "TOTAL")
    assert proportion["Total indirect effect"][0] == number(total["estimate"])
    assert table.columns[0][2].text == "95% CI (percentile)"


def test_causal_table_has_the_layout_of_summary_mediate(results, small_run):
    table = causal_table(results, small_run.project())
    assert [cell.text for cell in table.columns[0]] == ["Estimate", "95% CI", "p-value"]
    assert len(table.panels) == len(MECHANISMS) + 1
    assert table.panels[0].title == "Panel A: Cluster openness (OPEN)"
    entry = results["causal"]["mediators"][0]
    rows = {row.label: row.cells for row in table.panels[0].rows}
    acme_p = inference_row(results, results["spec"]["ci_method"], entry["mediator"], "single")
    single = next(e for e in results["single"] if e["mediator"] == entry["mediator"])
    assert rows["ACME"] == (
        number(entry["acme"]),
        interval(*entry["acme_ci"]),
        format_pvalue(acme_p["pvalue"], n_boot=results["bootstrap"]["n_valid"]),
    )
    assert rows["ADE"] == (
        number(entry["ade"]),
        interval(*entry["ade_ci"]),
        format_pvalue(single["p_c_prime"]),
    )
    assert rows["Total effect"] == (
        number(entry["total"]),
        interval(*entry["total_ci"]),
        format_pvalue(mediation_path(results, "c")["pvalue"]),
    )
    assert rows["Proportion mediated"] == (number(entry["proportion_mediated"]), "", "")
    assert rows["ρ at which ACME = 0"][:2] == (
        number(entry["rho_at_zero"]),
        interval(*entry["rho_at_zero_ci"]),
    )
    assert rows["R²*(M) × R²*(Y) at which ACME = 0"][0] == number(entry["r2_product_residual"])
    assert rows["R̃²(M) × R̃²(Y) at which ACME = 0"][0] == number(entry["r2_product_total"])
    contrast = table.notes[0]
    assert contrast.startswith("Treatment contrast: Government intervention at 1 against 0")
    assert "cluster-robust Wald tests" in table.notes[1]
    assert set(table.numbers["mediator"]) == {*MECHANISMS, "sample"}
    sample = {row.label: row.cells for row in table.panels[-1].rows}
    assert sample["Observations"][0] == f"{results['sample']['n_obs']:,}"
    chinese = causal_table(results, small_run.project("zh"))
    assert chinese.notes[0].startswith("处理对比：政府干预取1对取0")


def test_tests_table_shows_aroian_monte_carlo_and_joint_significance(results, small_run):
    table = indirect_tests_table(results, small_run.project())
    assert [cell.text for cell in table.columns[0]] == [
        "Indirect effect",
        "Aroian z",
        "Aroian p",
        "Monte Carlo 95% CI",
        "Monte Carlo p",
        "Joint significance p",
    ]
    for panel, model in zip(table.panels[:2], ("parallel", "single"), strict=True):
        rows = {row.label: row.cells for row in panel.rows}
        for mediator in MECHANISMS:
            label = next(key for key in rows if key.endswith(f"({mediator})"))
            aroian = inference_row(results, "aroian", mediator, model)
            monte_carlo = inference_row(results, "monte_carlo", mediator, model)
            joint = inference_row(results, "joint_significance", mediator, model)
            assert rows[label][0] == number(aroian["estimate"])
            assert rows[label][1] == number(aroian["statistic"])
            assert rows[label][3] == interval(monte_carlo["ci_lower"], monte_carlo["ci_upper"])
            decision = stepwise_decision(results, mediator, model)
            assert joint["pvalue"] == pytest.approx(max(decision["p_a"], decision["p_b"]))
            assert rows[label][5] == format_pvalue(joint["pvalue"])
    assert "MacKinnon" in table.notes[0] and "Aroian" in table.notes[0]
