"""The did estimators against independent implementations on real data and the known truth.

Real data: Cheng and Hoekstra's castle-doctrine panel (causaldata, offline). Oracles:
tests/reference/did_castle_oracles.json, made by tests/reference/make_did_castle_oracles.py
with pyfixest 0.60.0 (TWFE with fixest's CRV1 standard error; Gardner's did2s, whose static
estimate equals the BJS imputation estimate) and csdid 0.4.3 (Callaway-Sant'Anna).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from govcluster.did import DidResults, DidSpec, estimate_did, prepare_staggered_sample
from govcluster.did.bacon import decompose_twfe
from govcluster.did.robust import fit_callaway_santanna, fit_imputation, fit_sun_abraham
from govcluster.did.twfe import fit_twfe, twfe_implicit_weights

ORACLES = json.loads(
    (Path(__file__).parents[1] / "reference" / "did_castle_oracles.json").read_text()
)
CASTLE_SPEC = DidSpec(
    outcomes=("l_homicide",),
    treatment="post",
    entity="sid",
    cluster="sid",
    event_window=(-5, 4),
    estimation_method="reg",
    n_bootstrap=0,
)


@pytest.fixture(scope="module")
def castle_sample(castle):
    return prepare_staggered_sample(castle, CASTLE_SPEC)


def test_twfe_matches_pyfixest_on_castle(castle_sample):
    record = fit_twfe(castle_sample, CASTLE_SPEC, "l_homicide", seed=1)
    overall = record.overall()
    assert overall["estimate"] == pytest.approx(ORACLES["twfe"]["estimate"], abs=1e-10)
    assert overall["se"] == pytest.approx(ORACLES["twfe"]["se"], rel=1e-8)


def test_bacon_decomposition_adds_up_to_twfe_on_castle(castle_sample):
    twfe = fit_twfe(castle_sample, CASTLE_SPEC, "l_homicide", seed=1).overall()["estimate"]
    bacon = decompose_twfe(castle_sample, CASTLE_SPEC, "l_homicide", twfe_estimate=twfe)
    assert abs(bacon.weighted_sum - twfe) <= 1e-10
    weights = [row["weight"] for row in bacon.comparisons]
    assert sum(weights) == pytest.approx(1.0, abs=1e-10)
    assert min(weights) >= 0
    assert {row["type"] for row in bacon.comparisons} == {
        "treated vs never treated",
        "earlier vs later treated",
        "later vs earlier treated (forbidden)",
    }


def test_callaway_santanna_matches_csdid_on_castle(castle_sample):
    record, _ = fit_callaway_santanna(castle_sample, CASTLE_SPEC, "l_homicide", seed=1)
    oracle = ORACLES["callaway_santanna_simple"]
    assert record.overall()["estimate"] == pytest.approx(oracle["estimate"], abs=1e-8)
    # Clustering by unit adds the small-sample factor G / (G - 1) to csdid's unit-level
    # influence-function variance (G = 50 states).
    g = castle_sample.summary["n_units"]
    assert record.overall()["se"] * np.sqrt((g - 1) / g) == pytest.approx(oracle["se"], rel=1e-6)


def test_imputation_point_estimate_matches_did2s_on_castle(castle_sample):
    record = fit_imputation(castle_sample, CASTLE_SPEC, "l_homicide", seed=1)
    # Both solve the fixed effects iteratively (convergence tolerance ~1e-8): agree to 1e-6.
    assert record.overall()["estimate"] == pytest.approx(ORACLES["did2s"]["estimate"], abs=1e-6)
    assert record.pretrend["p_value"] is not None


def test_calendar_aggregation_of_a_single_cohort_year_is_that_cell(castle_sample):
    record, _ = fit_callaway_santanna(castle_sample, CASTLE_SPEC, "l_homicide", seed=1)
    years = [r for r in record.aggregations if r["level"] == "year"]
    first = years[0]  # only the first cohort is treated in the first treated year
    cohort = [r for r in record.aggregations if r["level"] == "cohort"][0]
    assert first["label"] == cohort["label"]
    assert np.isfinite(first["se"]) and first["se"] > 0


@pytest.mark.slow
def test_static_twfe_is_biased_on_the_default_data(default_latent):
    """Heterogeneous, growing effects: TWFE's weights make it miss the ATT; CS, SA, BJS do not.

    The TWFE estimand is computed without noise, as its implicit weights applied to every
    cluster-year's true effect (de Chaisemartin and D'Haultfoeuille 2020), so the bias is a
    property of the design, not of one draw.
    """
    latent, truth = default_latent
    spec = DidSpec(n_bootstrap=0)
    sample = prepare_staggered_sample(latent, spec)
    weights = twfe_implicit_weights(sample, spec)
    effects = latent.set_index(["cluster_id", "year"])["designation_effect_SCA"]
    cells = sample.frame[sample.frame["treated_post"] == 1]
    cell_effect = effects.loc[list(zip(cells["cluster_id"], cells["year"], strict=True))]
    by_cell = cell_effect.groupby(
        [cells["first_treat"].to_numpy(), cells["year"].to_numpy()]
    ).mean()
    estimand = sum(w["weight"] * by_cell.loc[(w["cohort"], w["year"])] for w in weights["weights"])
    att = truth["overall"]["SCA"]
    assert weights["n_negative"] > 0 and weights["sum_negative"] < 0
    assert att - estimand > 0.15, (estimand, att)

    twfe = fit_twfe(sample, spec, "SCA", seed=1)
    bacon = decompose_twfe(sample, spec, "SCA", twfe_estimate=twfe.overall()["estimate"])
    forbidden = next(r for r in bacon.by_type if r["type"].startswith("later vs earlier"))
    assert forbidden["weight"] > 0.05 and forbidden["estimate"] < att / 2
    assert att - twfe.overall()["estimate"] > 2 * twfe.overall()["se"]
    cs, _ = fit_callaway_santanna(sample, spec, "SCA", seed=1)
    sa, _ = fit_sun_abraham(sample, spec, "SCA", seed=1)
    bjs = fit_imputation(sample, spec, "SCA", seed=1)
    for record in (cs, sa, bjs):
        overall = record.overall()
        assert abs(overall["estimate"] - att) < 2 * overall["se"], record.estimator


def test_pretrend_violation_is_detected_and_honest_sets_widen():
    from govcluster.simulate import simulate_latent_panel

    latent, _ = simulate_latent_panel(pretrend_violation=0.25, case_study_cluster=0)
    latent["demo_cluster"] = latent["D"]
    spec = DidSpec(
        n_bootstrap=0,
        estimators=("callaway_santanna",),
        event_window=(-5, 5),
        base_period="universal",
    )
    result = estimate_did(latent, spec).outcome("SCA")
    cs = result.estimator("callaway_santanna")
    assert cs.pretrend["p_value"] < 0.05
    honest = result.honest[0]
    widths = [r["ci_upper"] - r["ci_lower"] for r in honest.rows]
    assert widths == sorted(widths) and widths[-1] > widths[0]


def test_records_round_trip_through_json(default_latent):
    latent, _ = default_latent
    spec = DidSpec(n_bootstrap=49, sup_t_draws=500, outcomes=("SCA",))
    result = estimate_did(latent, spec)
    document = json.loads(json.dumps(result.to_dict()))
    again = DidResults.from_dict(document)
    assert again.to_dict() == document
    assert document["kind"] == "did_results" and document["schema_version"] == 1
    with pytest.raises(ValueError, match="kind"):
        DidResults.from_dict({**document, "kind": "mediation"})
    with pytest.raises(ValueError, match="schema_version"):
        DidResults.from_dict({**document, "schema_version": 99})
    cs = again.outcome("SCA").estimator("callaway_santanna")
    post = [r for r in cs.event_study if r["event_time"] >= 0]
    assert all(r["band_lower"] <= r["ci_lower"] for r in post)
