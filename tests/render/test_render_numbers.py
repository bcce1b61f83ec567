"""Numbers in the text: one letters-only LaTeX macro per number, equal to the stored estimates."""

from __future__ import annotations

import re

import pytest

from govcluster.render.numbers import (
    Macro,
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
        macros[match.group(1)] = match.group(2).replace("\\ensuremath{-}", "-")
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
