"""Numbers in the text: one letters-only LaTeX macro per number, equal to the stored estimates."""

from __future__ import annotations

import re

import pytest

from govcluster.render.numbers import (
    Macro,
    latex_count,
    latex_pvalue,
    macro_name,
    macros_text,
    mediation_numbers,
    panel_numbers,
)
from govcluster.render.settings import RenderSettings

MACRO = re.compile(r"^\\newcommand\{\\([A-Za-z]+)\}\{([^}]*(?:\{[^}]*\}[^}]*)*)\} % (.*)$")


def parse(text: str) -> dict[str, str]:
    """Macro name -> value of a numbers file; every line a comment or a macro."""
    macros = {}
    for line in text.splitlines():
        if line.startswith("%"):
            continue
        match = MACRO.match(line)
        assert match, line
        assert match.group(1) not in macros, match.group(1)
        value = match.group(2).replace("\\ensuremath{-}", "-").replace("\\ensuremath{<}\\,", "< ")
        macros[match.group(1)] = value.replace("{,}", ",")
    return macros


def number(value: float, digits: int = 3) -> str:
    text = f"{value:,.{digits}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def test_macro_names_are_letters_only():
    assert macro_name("baseline_twoway_fe", "GOV_lag1", "SE") == "BaselineTwowayFeGOVLagOneSE"
    assert macro_name("iv_example_15_10") == "IvExampleOneFiveOneZero"
    with pytest.raises(ValueError, match="letters only"):
        Macro("Bad1", "0", "")
    with pytest.raises(ValueError, match="two numbers would get the macro"):
        macros_text([Macro("A", "1", "x"), Macro("A", "2", "y")], "t")


def test_panel_macros_match_the_records(small_run):
    records = small_run.records()
    macros = parse(panel_numbers(records))
    twoway = records["baseline_twoway_fe"]["result"]
    gov = next(c for c in twoway["coefficients"] if c["name"] == "GOV")
    assert macros["BaselineTwowayFeGOV"] == number(gov["estimate"])
    assert macros["BaselineTwowayFeGOVSE"] == number(gov["std_error"])
    assert macros["BaselineTwowayFeGOVLower"] == number(gov["ci_lower"])
    assert macros["BaselineTwowayFeN"] == f"{twoway['n_obs']:,}"
    assert macros["BaselineTwowayFeClusters"] == "60"
    lag = next(
        c
        for c in records["baseline_twoway_fe_lags"]["result"]["coefficients"]
        if c["name"] == "GOV_lag1"
    )
    assert macros["BaselineTwowayFeLagsGOVLagOne"] == number(lag["estimate"])
    iv = records["iv_twoway_fe"]["result"]
    iv_gov = next(c for c in iv["coefficients"] if c["name"] == "GOV")
    assert macros["IvTwowayFeGOV"] == number(iv_gov["estimate"])
    assert macros["IvTwowayFeFirstStageF"] == number(iv["first_stages"][0]["f_statistic"])
    assert macros["IvTwowayFeKleibergenPaapF"] == number(iv["kleibergen_paap_rk_wald_f"])
    horizon = records["local_projections"]["result"]["table"][1]
    assert macros["LocalProjectionsHorizonOne"] == number(horizon["estimate"])
    hausman = records["specification_tests"]["result"]["hausman"]
    assert macros["SpecificationTestsHausman"] == number(hausman["statistic"])
    region = records["heterogeneity_region"]["result"]
    east = next(e for e in region["table"] if e["group"] == "east")
    assert macros["HeterogeneityRegionEast"] == number(east["split_estimate"])
    assert macros["HeterogeneityRegionEqualEffectsP"] == number(region["equal_effects"]["p_value"])
    assert "BaselineBetweenWithinRsq" not in macros


def test_mediation_macros_match_the_results(small_run):
    results = small_run.mediation
    macros = parse(mediation_numbers(results, RenderSettings(digits=4)))
    total = next(e for e in results["indirect"] if e["mediator"] == "TOTAL")
    assert macros["TotalIndirectEffect"] == number(total["estimate"], 4)
    assert macros["TotalIndirectEffectLower"] == number(total["ci_lower"], 4)
    assert macros["TotalIndirectEffectUpper"] == number(total["ci_upper"], 4)
    paths = {(p["path"], p["mediator"]): p for p in results["paths"]}
    assert macros["TotalEffect"] == number(paths[("c", None)]["estimate"], 4)
    assert macros["DirectEffect"] == number(paths[("c_prime", None)]["estimate"], 4)
    for mechanism in results["spec"]["mediators"]:
        indirect = next(e for e in results["indirect"] if e["mediator"] == mechanism)
        assert macros[f"IndirectEffect{mechanism}"] == number(indirect["estimate"], 4)
        assert macros[f"APath{mechanism}"] == number(paths[("a", mechanism)]["estimate"], 4)
        assert macros[f"BPath{mechanism}SE"] == number(paths[("b", mechanism)]["se"], 4)
    assert macros["MediationN"] == f"{results['sample']['n_obs']:,}"
    assert macros["MediationClusters"] == "60"
    assert macros["BootstrapReplications"] == "199"


def test_negative_numbers_use_a_math_minus(small_run):
    text = macros_text([Macro("Negative", "\\ensuremath{-}0.5", "x")], "t")
    assert "\\newcommand{\\Negative}{\\ensuremath{-}0.5} % x" in text
    panel = panel_numbers(small_run.records())
    assert not re.search(r"\}\{-", panel)


def test_counts_and_p_values_read_the_same_in_text_and_math():
    assert latex_count(3586) == "3{,}586"
    assert latex_count(240) == "240"
    assert latex_pvalue(0.0004) == "\\ensuremath{<}\\,0.001"
    assert latex_pvalue(0.0123) == "0.012"
    # a bootstrap p-value at its floor 1/B: below the bound 1/B rounded up
    assert latex_pvalue(0.0005, n_boot=2000) == "\\ensuremath{<}\\,0.001"
    assert latex_pvalue(1 / 199, n_boot=199) == "\\ensuremath{<}\\,0.006"
    assert latex_pvalue(2 / 199, n_boot=199) == "0.010"


def _row(results, mediator, method):
    return next(
        r
        for r in results["inference"]
        if r["effect"] == f"indirect[{mediator}]" and r["method"] == method
    )


def _p(value, floor=None):
    """A p-value as format_pvalue prints it, computed here from its definition."""
    if floor is not None and value <= floor * (1 + 1e-9):
        bound = max(0.001, -(-round(floor * 1e9) // 1_000_000) / 1000)
        return f"< {bound:.3f}"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def test_mediation_macros_cover_every_number_the_text_cites(small_run):
    results = small_run.mediation
    macros = parse(mediation_numbers(results))
    n_valid, n_mc = results["bootstrap"]["n_valid"], results["spec"]["n_mc"]
    assert macros["MonteCarloDraws"] == f"{n_mc:,}"
    for mechanism in results["spec"]["mediators"]:
        sobel = _row(results, mechanism, "sobel")
        assert macros[f"SobelZ{mechanism}"] == number(sobel["statistic"])
        assert macros[f"SobelZ{mechanism}P"] == _p(sobel["pvalue"])
        monte_carlo = _row(results, mechanism, "monte_carlo")
        assert macros[f"MonteCarlo{mechanism}Lower"] == number(monte_carlo["ci_lower"])
        assert macros[f"MonteCarlo{mechanism}Upper"] == number(monte_carlo["ci_upper"])
        assert macros[f"MonteCarlo{mechanism}P"] == _p(monte_carlo["pvalue"], 1 / n_mc)
        bca = _row(results, mechanism, "bca")
        assert macros[f"BCa{mechanism}Lower"] == number(bca["ci_lower"])
        assert macros[f"BCa{mechanism}Upper"] == number(bca["ci_upper"])
        assert macros[f"BCa{mechanism}P"] == _p(bca["pvalue"], 1 / n_valid)
        indirect = next(e for e in results["indirect"] if e["mediator"] == mechanism)
        assert macros[f"IndirectEffect{mechanism}P"] == _p(indirect["pvalue"], 1 / n_valid)
        causal = next(c for c in results["causal"]["mediators"] if c["mediator"] == mechanism)
        assert macros[f"ADE{mechanism}"] == number(causal["ade"])
        assert macros[f"ADE{mechanism}Lower"] == number(causal["ade_ci"][0])
        assert macros[f"ACME{mechanism}Upper"] == number(causal["acme_ci"][1])
        effect = next(e for e in results["identification"]["effects"] if e["variable"] == mechanism)
        assert macros[f"FEIVEffect{mechanism}"] == number(effect["iv_estimate"])
        assert macros[f"FEIVEffect{mechanism}SE"] == number(effect["iv_se"])
        assert macros[f"FEIVEffect{mechanism}P"] == _p(effect["iv_pvalue"])
        assert macros[f"FEEffect{mechanism}Upper"] == number(effect["fe_ci_upper"])
    # at least one p-value of the small run is at its bootstrap floor 1/199 and reads "< 0.006"
    assert "< 0.006" in {macros[f"IndirectEffect{m}P"] for m in results["spec"]["mediators"]}
