"""Tests of the simulated cluster panel against its known truth.

Parameter recovery is checked on the latent variables with two-way fixed-effects regressions
(entity and year effects, standard errors clustered by cluster). An estimate passes when it lies
within ``SE_TOLERANCE`` standard errors of the truth: under a correct design the estimator is
unbiased and approximately normal, so a miss by more than 4 SE has probability about 6e-5 per
check, while a design error of the size of the effects (0.2-0.4 with SE 0.02-0.03) fails.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from linearmodels import PanelOLS
from linearmodels.iv import IV2SLS

from govcluster import columns
from govcluster.config import PROJECT_ROOT, load_config
from govcluster.errors import ConfigError
from govcluster.parsing import parse_numeric
from govcluster.regions import REGION_OF, normalise_province, strip_whitespace
from govcluster.simulate import (
    INDICATORS,
    MECHANISMS,
    MONEY_UNIT_DEFAULT,
    MONEY_UNIT_LARGE,
    SimulationParameters,
    SimulationTruth,
    raw_variable_columns,
    simulate_cluster_panel,
)

SEED = 20240601
SE_TOLERANCE = 4.0
KEYS = [columns.ENTITY, columns.TIME]
LATENT_ONLY = {
    "GOV",
    *MECHANISMS,
    "SCA",
    "D",
    "Z",
    "mu",
    "confounder",
    "GOV_lag1",
    "GOV_lag2",
    "less_developed",
    "sca_shock",
    "region",
}


@pytest.fixture(scope="module")
def config():
    return load_config(PROJECT_ROOT / "config" / "config.yaml")


@pytest.fixture(scope="module")
def simulated() -> tuple[pd.DataFrame, SimulationTruth]:
    return simulate_cluster_panel(n_clusters=240, years=(2008, 2022), seed=SEED)


@pytest.fixture(scope="module")
def raw(simulated):
    return simulated[0]


@pytest.fixture(scope="module")
def truth(simulated):
    return simulated[1]


@pytest.fixture(scope="module")
def latent(truth):
    frame = truth.latent.set_index(KEYS)
    frame["GOV_x_less_developed"] = frame["GOV"] * frame["less_developed"]
    return frame


@pytest.fixture(scope="module")
def parsed(raw, truth):
    """Deduplicated raw data parsed to floats, typo cells set to NaN, with latent columns."""
    return _parse_raw(raw, truth)


def _parse_raw(raw: pd.DataFrame, truth: SimulationTruth) -> pd.DataFrame:
    unique = raw.drop_duplicates().reset_index(drop=True)
    numbers = {}
    for name in raw_variable_columns():
        values, unreadable = parse_numeric(unique[name])
        assert not unreadable.any(), name
        numbers[name] = values
    frame = pd.concat([unique[[*KEYS, columns.MONEY_UNIT]], pd.DataFrame(numbers)], axis=1)
    frame = frame.set_index(KEYS)
    for typo in truth.messiness["typos"]:
        frame.loc[(typo["cluster_id"], typo["year"]), typo["variable"]] = np.nan
    return frame.join(truth.latent.set_index(KEYS))


def _fe(dependent: pd.Series, regressors: pd.DataFrame):
    model = PanelOLS(dependent, regressors, entity_effects=True, time_effects=True)
    return model.fit(cov_type="clustered", cluster_entity=True)


def _within_tolerance(estimate: float, standard_error: float, true_value: float) -> bool:
    return abs(estimate - true_value) < SE_TOLERANCE * standard_error


def _two_way_demean(frame: pd.DataFrame) -> pd.DataFrame:
    """Within transformation of a balanced panel (entity and year means removed)."""
    entity_mean = frame.groupby(level=0).transform("mean")
    year_mean = frame.groupby(level=1).transform("mean")
    return frame - entity_mean - year_mean + frame.mean()


# --------------------------------------------------------------------------- shape and columns


def test_raw_has_exactly_the_configured_columns(raw, config):
    expected = {spec.column for spec in config.variables.values()}
    expected |= {
        columns.ENTITY,
        columns.NAME,
        columns.PROVINCE,
        columns.INDUSTRY,
        columns.TIME,
        columns.MONEY_UNIT,
    }
    assert set(raw.columns) == expected
    assert len(raw.columns) == len(expected)
    assert not LATENT_ONLY & set(raw.columns)


def test_indicator_design_matches_config(config):
    designed = {spec.name: spec for spec in INDICATORS}
    assert tuple(designed) == config.indicator_names
    for construct in config.constructs.values():
        for name, direction in construct.indicators:
            assert designed[name].construct == construct.name
            assert designed[name].direction == direction
            assert designed[name].kind == config.variables[name].kind
    assert set(raw_variable_columns()) == set(config.variables)
    assert {c.variable for c in config.controls.values()} <= set(raw_variable_columns())
    assert set(config.passthrough) <= set(raw_variable_columns())


def test_panel_shape_and_descriptive_columns(raw, truth):
    messiness = truth.messiness
    assert len(raw) == 240 * 15 - messiness["n_dropped_rows"] + messiness["n_duplicate_rows"]
    assert messiness["n_rows_raw"] == len(raw)
    for column in (columns.ENTITY, columns.TIME, columns.PROVINCE, columns.MONEY_UNIT):
        assert raw[column].notna().all(), column
    assert raw[columns.ENTITY].str.fullmatch(r"C\d{4}").all()
    assert raw[columns.ENTITY].nunique() == 240
    assert raw[columns.TIME].between(2008, 2022).all()
    assert set(raw[columns.MONEY_UNIT]) == {MONEY_UNIT_DEFAULT, MONEY_UNIT_LARGE}
    names = raw[columns.NAME].map(strip_whitespace)
    assert names.str.fullmatch(r"\w+产业集群(（\w+）)?").all()
    assert names.str.endswith("产业集群").mean() > 0.95
    assert (names.groupby(raw[columns.ENTITY]).nunique() == 1).all()
    assert names.groupby(raw[columns.ENTITY]).first().is_unique
    assert raw[columns.INDUSTRY].nunique() == 10
    assert raw[columns.INDUSTRY].str.fullmatch(r"[a-z_]+").all()
    official = raw[columns.PROVINCE].map(normalise_province)
    assert official.isin(REGION_OF.keys()).all()


def test_cells_respect_the_bounds_of_their_kind(parsed, config):
    for name, spec in config.variables.items():
        values = parsed[name].dropna()
        assert len(values) > 0, name
        if spec.minimum is not None:
            assert (values >= spec.minimum).all(), name
        if spec.maximum is not None:
            assert (values <= spec.maximum).all(), name
        if spec.kind == "count":
            assert (values == values.round()).all(), name
        if spec.kind == "money":
            assert (values > 0).all(), name
    assert set(parsed["demo_cluster"].unique()) == {0.0, 1.0}


def test_passthrough_and_controls_match_the_latent_values(parsed):
    assert (parsed["demo_cluster"] == parsed["D"]).all()
    assert np.allclose(parsed["iv_fiscal_shock"], parsed["Z"], atol=5e-5)
    assert np.allclose(np.log(parsed["employment"]), parsed["ln_employment"])
    assert np.allclose(np.log(parsed["n_firms"]), parsed["ln_firms"])
    assert np.allclose(np.log(parsed["gdp_per_capita"]), parsed["ln_gdp_pc"])
    years = parsed.index.get_level_values(columns.TIME)
    assert np.allclose(years - parsed["founding_year"], parsed["cluster_age"])
    assert parsed["founding_year"].between(1978, 2005).all()


def test_regional_gaps_and_prices(parsed, truth):
    by_region = parsed.groupby("region")
    assert by_region["mu"].mean()["east"] > by_region["mu"].mean()[["central", "west"]].max()
    assert (
        by_region["gdp_per_capita"].median()["east"]
        > 1.5 * by_region["gdp_per_capita"].median()[["central", "west"]].max()
    )
    cpi_by_year = parsed.groupby(level=columns.TIME)["cpi"].mean()
    assert cpi_by_year.loc[2008] == pytest.approx(100.0)
    yearly_growth = (cpi_by_year.loc[2022] / 100.0) ** (1 / 14) - 1
    assert 0.015 < yearly_growth < 0.035
    assert 0.3 < truth.effects["share_less_developed"] < 0.6


# --------------------------------------------------------------------------- measurement


def test_indicators_follow_their_construct_with_configured_direction(parsed):
    wan = parsed[parsed[columns.MONEY_UNIT] == MONEY_UNIT_DEFAULT]
    for spec in INDICATORS:
        pair = wan[[spec.name, spec.construct]].dropna()
        correlation = pair[spec.name].corr(pair[spec.construct], method="spearman")
        assert np.sign(correlation) == spec.direction, spec.name
        assert abs(correlation) > 0.6, (spec.name, correlation)


def test_reliability_of_a_linear_indicator(parsed, truth):
    """profit_margin is linear in its latent response, so corr^2 with SCA is the reliability."""
    pair = parsed[["profit_margin", "SCA"]].dropna()
    squared = pair["profit_margin"].corr(pair["SCA"]) ** 2
    # sampling sd of a squared correlation near 0.8 with n ~ 3500 is about 0.005
    assert squared == pytest.approx(truth.parameters["reliability"], abs=0.03)


def test_money_is_nominal_in_wan_yuan(raw, truth):
    """Without inflation (CPI = 100) the same seed writes money divided by CPI / 100."""
    no_inflation_raw, no_inflation_truth = simulate_cluster_panel(
        n_clusters=240, seed=SEED, inflation_mean=0.0, inflation_sd=0.0
    )
    nominal = _parse_raw(raw, truth)
    real = _parse_raw(no_inflation_raw, no_inflation_truth)
    assert (real["cpi"] == 100.0).all()
    assert np.allclose(nominal["GOV"], real["GOV"])
    both_wan = (nominal[columns.MONEY_UNIT] == MONEY_UNIT_DEFAULT) & (
        real[columns.MONEY_UNIT] == MONEY_UNIT_DEFAULT
    )
    for name in truth.messiness["money_columns"]:
        deflated = nominal.loc[both_wan, name] * 100.0 / nominal.loc[both_wan, "cpi"]
        ok = deflated.notna() & real.loc[both_wan, name].notna()
        assert ok.sum() > 3000
        relative = (deflated[ok] - real.loc[both_wan, name][ok]).abs() / real.loc[both_wan, name][
            ok
        ]
        assert (relative < 1e-3).all(), name


# --------------------------------------------------------------------------- messiness


def test_duplicates_are_exact_copies_next_to_their_original(raw, truth):
    messiness = truth.messiness
    positions = messiness["duplicate_rows"]
    assert (
        len(positions) == messiness["n_duplicate_rows"] == round(0.01 * len(raw.drop_duplicates()))
    )
    assert int(raw.duplicated().sum()) == len(positions)
    assert sorted(np.flatnonzero(raw.duplicated()).tolist()) == positions
    for position in positions:
        assert raw.iloc[position].equals(raw.iloc[position - 1])
    assert messiness["duplicate_file_rows"] == [p + 2 for p in positions]
    keys = {(k["cluster_id"], k["year"]) for k in messiness["duplicate_keys"]}
    assert keys == set(
        zip(raw.loc[positions, columns.ENTITY], raw.loc[positions, columns.TIME], strict=True)
    )
    unique = raw.drop_duplicates()
    assert not unique.duplicated(subset=KEYS).any()


def test_yi_yuan_rows_report_money_divided_by_ten_thousand(raw, truth, parsed):
    messiness = truth.messiness
    unique = raw.drop_duplicates()
    large = unique[unique[columns.MONEY_UNIT] == MONEY_UNIT_LARGE]
    recorded = {(k["cluster_id"], k["year"]) for k in messiness["yi_yuan_rows"]}
    assert set(zip(large[columns.ENTITY], large[columns.TIME], strict=True)) == recorded
    assert len(recorded) == messiness["n_yi_yuan_rows"] == round(0.05 * len(unique))
    assert (
        int((raw[columns.MONEY_UNIT] == MONEY_UNIT_LARGE).sum()) == messiness["n_yi_yuan_rows_raw"]
    )
    is_large = parsed[columns.MONEY_UNIT] == MONEY_UNIT_LARGE
    for name in messiness["money_columns"]:
        ratio = parsed.loc[~is_large, name].median() / parsed.loc[is_large, name].median()
        assert 3e3 < ratio < 3e4, name
    not_money = [spec.name for spec in INDICATORS if spec.kind != "money"]
    assert parsed.loc[is_large, not_money].median().gt(0).all()


def test_thousands_separators(raw, truth):
    messiness = truth.messiness
    unique = raw.drop_duplicates().set_index(KEYS)
    cells = messiness["thousands_separator_cells"]
    assert len(cells) == messiness["n_thousands_separator_cells"] > 100
    for cell in cells:
        text = unique.loc[(cell["cluster_id"], cell["year"]), cell["variable"]]
        assert "," in text and float(text.replace(",", "")) >= 1000
    numeric = unique[list(raw_variable_columns())]
    with_comma = numeric.apply(lambda column: column.str.contains(",", na=False)).to_numpy().sum()
    assert with_comma == len(cells)
    spec_kind = {spec.name: spec.kind for spec in INDICATORS}
    assert all(spec_kind.get(cell["variable"], "count") != "share" for cell in cells)


def test_missing_cells_only_in_indicators_at_about_three_percent(raw, truth):
    messiness = truth.messiness
    indicators = [spec.name for spec in INDICATORS]
    missing = raw[indicators].isna().to_numpy()
    assert missing.sum() == messiness["n_missing_cells_raw"]
    assert missing.mean() == pytest.approx(0.03, abs=0.003)
    others = [column for column in raw.columns if column not in indicators]
    assert raw[others].notna().all().all()
    unique = raw.drop_duplicates().set_index(KEYS)
    assert int(unique[indicators].isna().to_numpy().sum()) == messiness["n_missing_cells"]
    for cell in messiness["missing_cells"][:50]:
        assert pd.isna(unique.loc[(cell["cluster_id"], cell["year"]), cell["variable"]])


def test_dropped_cluster_years_are_absent(raw, truth, latent):
    dropped = {(k["cluster_id"], k["year"]) for k in truth.messiness["dropped_rows"]}
    assert len({cluster for cluster, _ in dropped}) == 4
    present = set(zip(raw[columns.ENTITY], raw[columns.TIME], strict=True))
    assert not dropped & present
    assert len(present) == 240 * 15 - len(dropped)
    flagged = set(latent.index[latent["dropped_from_raw"]])
    assert flagged == dropped
    assert not {year for _, year in dropped} & {2008, 2022}


def test_typos_are_hundredfold_in_unbounded_columns_only(raw, truth, config):
    typos = truth.messiness["typos"]
    assert len(typos) == 8
    assert len({(t["cluster_id"], t["variable"]) for t in typos}) == len(typos)
    unique = raw.drop_duplicates().set_index(KEYS)
    dirty = {}
    for name in {t["variable"] for t in typos}:
        dirty[name] = parse_numeric(unique[name])[0]
    for typo in typos:
        key = (typo["cluster_id"], typo["year"])
        variable = typo["variable"]
        assert config.variables[variable].kind in {"money", "count", "amount"}
        assert config.variables[variable].maximum is None
        assert unique.loc[key, columns.MONEY_UNIT] == MONEY_UNIT_DEFAULT
        written = dirty[variable].loc[key]
        assert written == pytest.approx(typo["written_value"], rel=1e-9)
        assert written / typo["true_value"] == pytest.approx(100.0, rel=1e-6)
        others = dirty[variable].xs(typo["cluster_id"], level=columns.ENTITY).drop(typo["year"])
        assert written > 10 * others.median()
    typo_rows = {(t["cluster_id"], t["year"]) for t in typos}
    duplicated_rows = {(k["cluster_id"], k["year"]) for k in truth.messiness["duplicate_keys"]}
    assert not typo_rows & duplicated_rows


def test_province_and_name_variants(raw, truth):
    messiness = truth.messiness
    unique = raw.drop_duplicates()
    official = unique[columns.PROVINCE].map(normalise_province)
    changed = unique[columns.PROVINCE] != official
    assert int(changed.sum()) == messiness["n_province_variants"] > 100
    for written, name in messiness["province_spellings"].items():
        assert normalise_province(written) == name
    canonical = unique[columns.NAME].map(strip_whitespace)
    assert int((unique[columns.NAME] != canonical).sum()) == messiness["n_name_variants"] > 50
    written_names = set(unique[columns.NAME])
    assert any("\u3000" in name for name in written_names)
    assert any(" " in name for name in written_names)


def test_messiness_can_be_switched_off():
    raw, truth = simulate_cluster_panel(
        n_clusters=20,
        years=(2010, 2014),
        seed=3,
        duplicate_share=0.0,
        yi_yuan_row_share=0.0,
        thousands_separator_share=0.0,
        missing_cell_share=0.0,
        gap_clusters=0,
        n_typos=0,
        province_variant_share=0.0,
        name_variant_share=0.0,
    )
    assert len(raw) == 100
    assert raw.notna().all().all()
    assert not raw.duplicated().any()
    assert (raw[columns.MONEY_UNIT] == MONEY_UNIT_DEFAULT).all()
    assert raw[columns.PROVINCE].isin(REGION_OF.keys()).all()
    assert truth.messiness["typos"] == []


# --------------------------------------------------------------------------- determinism, API


def test_same_seed_same_output_and_different_seeds_differ():
    raw_a, truth_a = simulate_cluster_panel(n_clusters=30, years=(2010, 2016), seed=11)
    raw_b, truth_b = simulate_cluster_panel(n_clusters=30, years=(2010, 2016), seed=11)
    raw_c, truth_c = simulate_cluster_panel(n_clusters=30, years=(2010, 2016), seed=12)
    pd.testing.assert_frame_equal(raw_a, raw_b)
    pd.testing.assert_frame_equal(truth_a.latent, truth_b.latent)
    assert truth_a.to_json_dict() == truth_b.to_json_dict()
    assert truth_a.messiness == truth_b.messiness
    assert not raw_a.equals(raw_c)
    assert not np.allclose(truth_a.latent["SCA"], truth_c.latent["SCA"])


def test_messiness_parameters_do_not_change_the_latent_data():
    _, default = simulate_cluster_panel(n_clusters=30, years=(2010, 2016), seed=5)
    _, clean = simulate_cluster_panel(
        n_clusters=30, years=(2010, 2016), seed=5, missing_cell_share=0.0, n_typos=0
    )
    pd.testing.assert_frame_equal(
        default.latent.drop(columns="dropped_from_raw"),
        clean.latent.drop(columns="dropped_from_raw"),
    )


def test_unknown_parameter_is_a_config_error_listing_valid_ones():
    with pytest.raises(ConfigError) as error:
        simulate_cluster_panel(n_clusters=20, endogeneitty=1.0)
    message = str(error.value)
    assert "'endogeneitty'" in message
    assert "endogeneity" in message and "heterogeneity" in message and "c_prime" in message


@pytest.mark.parametrize(
    "overrides",
    [
        {"a": [0.1, 0.2]},
        {"b": {"NOPE": 0.1}},
        {"missing_cell_share": 1.5},
        {"sca_ar_rho": 1.0},
        {"reliability": 0.0},
        {"n_typos": 2.5},
        {"c_prime": "big"},
    ],
)
def test_invalid_parameter_values_are_config_errors(overrides):
    with pytest.raises(ConfigError):
        SimulationParameters.from_overrides(overrides)


def test_invalid_panel_shape_is_a_config_error():
    with pytest.raises(ConfigError):
        simulate_cluster_panel(n_clusters=20, years=(2020, 2010))
    with pytest.raises(ConfigError):
        simulate_cluster_panel(n_clusters=1)


def test_overrides_are_used_and_recorded():
    raw, truth = simulate_cluster_panel(
        n_clusters=20,
        years=(2010, 2015),
        seed=1,
        a={"OPEN": 0.9},
        b=[0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        lag_effects=[0.3],
        c_prime=0.5,
    )
    parameters = truth.parameters
    assert parameters["a"] == [0.9, 0.30, 0.35, 0.0, 0.30, 0.25]
    assert parameters["b"] == [0.1] * 6
    assert parameters["lag_effects"] == [0.3]
    assert parameters["burn_in_years"] == 1
    assert parameters["n_clusters"] == 20
    assert parameters["years"] == [2010, 2015]
    assert parameters["seed"] == 1
    assert "GOV_lag1" in truth.latent and "GOV_lag2" not in truth.latent
    assert truth.effects["c_prime"] == 0.5
    assert truth.effects["horizon_profile"][1:3] == [0.3, 0.0]


def test_truth_json(truth):
    document = truth.to_json_dict()
    text = json.dumps(document, ensure_ascii=False)
    assert json.loads(text) == document
    assert set(document) == {
        "generator",
        "parameters",
        "effects",
        "messiness",
        "case_study",
        "latent_columns",
    }
    assert "latent" not in document
    assert "missing_cells" not in document["messiness"]
    assert document["messiness"]["typos"] == truth.messiness["typos"]
    effects = document["effects"]
    share = effects["share_less_developed"]
    for k, mechanism in enumerate(MECHANISMS):
        a = truth.parameters["a"][k]
        assert effects["a_east"][mechanism] == pytest.approx(a)
        assert effects["a_less_developed"][mechanism] == pytest.approx(a * 1.5)
        assert effects["a_population_average"][mechanism] == pytest.approx(a * (1 + 0.5 * share))
        assert effects["indirect_effects"][mechanism] == pytest.approx(
            effects["a_population_average"][mechanism] * effects["b"][mechanism]
        )
    total = effects["c_prime"] + sum(effects["indirect_effects"].values())
    assert effects["total_effect"] == pytest.approx(total)
    assert effects["horizon_profile"] == pytest.approx([total, 0.15, 0.08, 0.0, 0.0, 0.0])
    assert effects["zero_indirect_mechanisms"] == ["INNOV", "BRAND"]
    latent_share = truth.latent.groupby(columns.ENTITY)["less_developed"].first().mean()
    assert share == pytest.approx(latent_share)


# --------------------------------------------------------------------------- recovery


def test_gov_is_standardised_and_lags_come_from_burn_in(latent):
    assert latent["GOV"].mean() == pytest.approx(0.0, abs=1e-12)
    assert latent["GOV"].std(ddof=0) == pytest.approx(1.0)
    assert latent[["GOV_lag1", "GOV_lag2"]].notna().all().all()
    shifted = latent.groupby(level=columns.ENTITY)["GOV"].shift(1)
    later = shifted.notna()
    assert np.allclose(shifted[later], latent.loc[later, "GOV_lag1"])


@pytest.mark.slow
def test_mechanism_equations_recover_a_by_region(latent, truth):
    effects = truth.effects
    heterogeneity = truth.parameters["heterogeneity"]
    for mechanism in MECHANISMS:
        result = _fe(latent[mechanism], latent[["GOV", "GOV_x_less_developed"]])
        a_east = effects["a_east"][mechanism]
        assert _within_tolerance(result.params["GOV"], result.std_errors["GOV"], a_east), mechanism
        interaction = result.params["GOV_x_less_developed"]
        se = result.std_errors["GOV_x_less_developed"]
        assert _within_tolerance(interaction, se, a_east * heterogeneity), mechanism
        pooled = _fe(latent[mechanism], latent[["GOV"]])
        average = effects["a_population_average"][mechanism]
        assert _within_tolerance(pooled.params["GOV"], pooled.std_errors["GOV"], average)
    null = _fe(latent["INNOV"], latent[["GOV"]])
    assert effects["a_population_average"]["INNOV"] == 0.0
    assert abs(null.params["GOV"]) < SE_TOLERANCE * null.std_errors["GOV"] < 0.15


def test_outcome_equation_recovers_b_c_prime_lags_and_controls(latent, truth):
    effects = truth.effects
    controls = ["ln_employment", "ln_firms", "ln_gdp_pc"]  # cluster_age is absorbed by the FE
    regressors = ["GOV", "GOV_lag1", "GOV_lag2", *MECHANISMS, *controls]
    result = _fe(latent["SCA"], latent[regressors])
    expected = {
        "GOV": effects["c_prime"],
        "GOV_lag1": effects["lag_effects"][0],
        "GOV_lag2": effects["lag_effects"][1],
        **effects["b"],
        **{name: effects["control_effects"][name] for name in controls},
    }
    for name, value in expected.items():
        assert _within_tolerance(result.params[name], result.std_errors[name], value), name
    for name in ("GOV", "GOV_lag1", "GOV_lag2", *MECHANISMS):
        assert result.std_errors[name] < 0.03, name
    assert effects["b"]["BRAND"] == 0.0
    assert abs(result.params["BRAND"]) < SE_TOLERANCE * result.std_errors["BRAND"]
    assert result.params["INNOV"] > 0.2  # INNOV's indirect effect is zero because a = 0 only


def test_total_effect_is_recovered_without_endogeneity(latent, truth):
    regressors = ["GOV", "GOV_lag1", "GOV_lag2", "ln_employment", "ln_firms", "ln_gdp_pc"]
    result = _fe(latent["SCA"], latent[regressors])
    total = truth.effects["total_effect"]
    assert _within_tolerance(result.params["GOV"], result.std_errors["GOV"], total)


def test_designation_selects_on_mu_so_pooled_ols_is_biased_upward(latent, truth):
    ever = latent.groupby(level=columns.ENTITY)["D"].max()
    mu = latent.groupby(level=columns.ENTITY)["mu"].first()
    assert 0.35 < ever.mean() < 0.65
    assert mu[ever == 1].mean() - mu[ever == 0].mean() > 0.5
    first_years = latent[latent["D"] == 1].reset_index().groupby(columns.ENTITY)[columns.TIME].min()
    assert first_years.between(2011, 2018).all() and first_years.nunique() == 8
    # the designation moves GOV by d_effect times its exposure and cohort profile h(g, e)
    from govcluster.simulate import SimulationParameters, designation_exposure_profile

    first = latent["designation_year"].to_numpy()
    years = latent.index.get_level_values(columns.TIME).to_numpy()
    profile = np.array(
        [
            designation_exposure_profile(np.array([g]), np.array([t]), SimulationParameters())[0, 0]
            for g, t in zip(first, years, strict=True)
        ]
    )
    exposure = pd.DataFrame({"D_profile": profile}, index=latent.index)
    fixed_profile = _fe(latent["GOV"], exposure)
    truth_d = truth.effects["gov_equation"]["d_effect"]
    assert _within_tolerance(
        fixed_profile.params["D_profile"], fixed_profile.std_errors["D_profile"], truth_d
    )
    fixed = _fe(latent["GOV"], latent[["D"]])
    pooled = sm.OLS(latent["GOV"], sm.add_constant(latent[["D"]])).fit()
    # selection bias gov_mu_loading * E[mu | D] gap / sd(GOV) is about 0.25; FE SE about 0.06
    assert pooled.params["D"] - fixed.params["D"] > 0.15


def test_instrument_is_relevant_and_excluded(latent):
    assert abs(np.corrcoef(latent["Z"], latent["mu"])[0, 1]) < 0.05
    assert abs(np.corrcoef(latent["Z"], latent["confounder"])[0, 1]) < 0.05
    assert abs(np.corrcoef(latent["Z"], latent["sca_shock"])[0, 1]) < 0.05
    first_stage = _fe(latent["GOV"], latent[["Z"]])
    assert first_stage.tstats["Z"] ** 2 > 100


def test_endogeneity_biases_fixed_effects_and_iv_recovers_the_truth():
    _, truth = simulate_cluster_panel(n_clusters=240, seed=SEED, endogeneity=1.0)
    latent = truth.latent.set_index(KEYS)
    total = truth.effects["total_effect"]
    exogenous = ["GOV_lag1", "GOV_lag2", "ln_employment", "ln_firms", "ln_gdp_pc"]
    fixed = _fe(latent["SCA"], latent[["GOV", *exogenous]])
    # bias = Cov_w(GOV, V) / Var_w(GOV) is about 0.6 here; require at least 0.3 (10 SE)
    assert fixed.params["GOV"] - total > 0.3
    within = _two_way_demean(latent[["SCA", "GOV", "Z", *exogenous]])
    clusters = pd.Series(latent.index.get_level_values(columns.ENTITY).factorize()[0])
    iv = IV2SLS(
        within["SCA"].reset_index(drop=True),
        within[exogenous].reset_index(drop=True),
        within[["GOV"]].reset_index(drop=True),
        within[["Z"]].reset_index(drop=True),
    ).fit(cov_type="clustered", clusters=clusters)
    assert _within_tolerance(iv.params["GOV"], iv.std_errors["GOV"], total)
    # informative: about 0.11 on this design (the designation now moves GOV more in some
    # cohorts than the instrument does), well below the FE bias of at least 0.3
    assert iv.std_errors["GOV"] < 0.15
    assert truth.effects["gov_equation"]["confounder_loading"] == pytest.approx(
        1.0 / truth.effects["gov_equation"]["raw_sd"]
    )
    assert math.isclose(truth.parameters["endogeneity"], 1.0)


def test_csv_round_trip_keeps_every_cell(raw, tmp_path):
    path = tmp_path / "clusters.csv"
    raw.to_csv(path, index=False)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(back.columns) == list(raw.columns)
    expected = raw.astype(object).where(raw.notna(), "").astype(str)
    pd.testing.assert_frame_equal(back.astype(object), expected.astype(object), check_dtype=False)


# --------------------------------------------------------------------------- designation truth


def test_designation_att_is_zero_before_and_grows_with_exposure_and_cohort():
    from govcluster.simulate import simulate_latent_panel

    _, truth = simulate_latent_panel(n_clusters=120, seed=3)
    table = pd.DataFrame(truth["att_gt"])
    assert (table.loc[table["event_time"] < 0, "SCA"] == 0).all()
    for _, cohort in table[table["event_time"] >= 0].groupby("cohort"):
        assert cohort.sort_values("year")["GOV"].is_monotonic_increasing
    at_zero = table[table["event_time"] == 0].sort_values("cohort")["GOV"].to_numpy()
    assert at_zero[0] > at_zero[-1] > 0  # earlier cohorts: larger effects
    overall = truth["overall"]["SCA"]
    post = table[table["event_time"] >= 0]
    weighted = (post["SCA"] * post["n_clusters"]).sum() / post["n_clusters"].sum()
    assert overall == pytest.approx(weighted, rel=1e-12)


def test_designation_effect_on_gov_follows_the_exposure_profile():
    from govcluster.simulate import SimulationParameters, designation_exposure_profile

    _, truth = simulate_cluster_panel(n_clusters=40, seed=5)
    latent = truth.latent
    params = SimulationParameters()
    years = np.sort(latent["year"].unique())
    first = latent.groupby("cluster_id")["designation_year"].first().to_numpy()
    profile = designation_exposure_profile(first, years, params)
    expected = params.gov_d_effect * profile / truth.effects["gov_equation"]["raw_sd"]
    table = pd.DataFrame(truth.effects["designation"]["att_gt"])
    for row in table.sample(10, random_state=0).to_dict("records"):
        members = first == row["cohort"]
        column = list(years).index(row["year"])
        assert row["GOV"] == pytest.approx(expected[members, column].mean(), rel=1e-12)


def test_case_study_cluster_gets_its_path_and_is_never_designated():
    base = {"n_clusters": 40, "seed": 9}
    _, truth = simulate_cluster_panel(**base)
    _, flat = simulate_cluster_panel(**base, case_study_effect=[0.0])
    case = truth.case_study
    assert case["cluster_id"] == "C0001" and case["year"] == 2015
    assert case["effect_on_SCA"]["2015"] == 0.5 and case["effect_on_SCA"]["2022"] == 2.0
    difference = truth.latent["SCA"] - flat.latent["SCA"]
    is_case = truth.latent["cluster_id"] == "C0001"
    assert np.allclose(difference[~is_case], 0.0)
    by_year = dict(zip(truth.latent.loc[is_case, "year"], difference[is_case], strict=True))
    for year, value in by_year.items():
        assert value == pytest.approx(case["effect_on_SCA"].get(str(year), 0.0), abs=1e-12)
    assert (truth.latent.loc[is_case, "D"] == 0).all()
    json.dumps(truth.to_json_dict()["case_study"])
