"""Continuous intensity (Wald-DiD): exact on a hand-computable design, unbiased on the simulator.

* Exact: with two years, one cohort and never-treated units, the Wald-DiD is the ratio of the
  two differences in mean changes and its influence function is known in closed form; the
  stage's estimate and delta-method standard error equal that hand computation (numpy only) to
  1e-10.
* Known truth (slow): over 40 simulated latent panels (80 clusters, 2008-2016, cohorts
  2011-2014, effects growing with exposure), truth = each panel's true overall ATT on SCA over
  its true overall ATT on GOV (the simulator's ``effects.designation``): mean error within 4
  Monte Carlo standard errors of zero, 95% interval coverage in [0.85, 1.0] (three binomial
  standard errors below 0.95), mean standard error within 25% of the spread of the estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govcluster.did import DidSpec, IntensityResult, OutcomeResults, prepare_staggered_sample
from govcluster.did.intensity import fit_intensity_ratio
from govcluster.errors import EstimationError
from govcluster.simulate import simulate_latent_panel


def _two_period_panel(seed: int = 3, n_units: int = 40, years=(2010, 2011)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    treated = np.arange(n_units) < n_units // 2
    rows = []
    for i in range(n_units):
        base_d, base_y = rng.normal(size=2)
        for year in years:
            on = treated[i] and year == 2011
            gov = base_d + 0.3 * (year == 2011) + 1.5 * on + rng.normal(scale=0.5)
            sca = base_y + 0.2 * (year == 2011) + 0.8 * gov + rng.normal(scale=0.5)
            rows.append(
                {
                    "cluster_id": f"C{i:02d}",
                    "year": year,
                    "demo_cluster": int(on),
                    "GOV": gov,
                    "SCA": sca,
                }
            )
    return pd.DataFrame(rows)


def _hand_wald_did(frame: pd.DataFrame):
    """Units, Wald-DiD, ATT on GOV and closed-form influence function (two years, numpy)."""
    wide = frame.pivot(index="cluster_id", columns="year")
    d_y = (wide[("SCA", 2011)] - wide[("SCA", 2010)]).to_numpy()
    d_d = (wide[("GOV", 2011)] - wide[("GOV", 2010)]).to_numpy()
    treated = (wide[("demo_cluster", 2011)] == 1).to_numpy()
    att_y = d_y[treated].mean() - d_y[~treated].mean()
    att_d = d_d[treated].mean() - d_d[~treated].mean()
    ratio = att_y / att_d
    residual = d_y - ratio * d_d
    psi = (
        np.where(
            treated,
            (residual - residual[treated].mean()) / treated.sum(),
            -(residual - residual[~treated].mean()) / (~treated).sum(),
        )
        / att_d
    )
    return wide.index, ratio, att_d, psi


def test_wald_did_equals_the_hand_computation():
    frame = _two_period_panel()
    spec = DidSpec(
        outcomes=("SCA",),
        event_window=(-1, 0),
        estimation_method="reg",
        intensity="GOV",
        n_bootstrap=0,
    )
    result = fit_intensity_ratio(prepare_staggered_sample(frame, spec), spec, "SCA")

    _, ratio, att_d, psi = _hand_wald_did(frame)
    assert result.estimate == pytest.approx(ratio, abs=1e-10)
    assert result.se == pytest.approx(np.sqrt(np.sum(psi**2)), abs=1e-10)
    assert result.att_intensity == pytest.approx(att_d, abs=1e-10)
    assert result.n_cells == 1
    again = IntensityResult.from_dict(result.to_dict())
    assert again == result


def test_wald_did_standard_error_is_clustered_at_did_cluster():
    """Units grouped in fours (``did.cluster: province``): the influence is summed by group.

    The hand influence function is summed within each group of four units before squaring.
    """
    frame = _two_period_panel()
    frame["province"] = "P" + (frame["cluster_id"].str[1:].astype(int) // 4).astype(str)
    spec = DidSpec(
        outcomes=("SCA",),
        event_window=(-1, 0),
        estimation_method="reg",
        intensity="GOV",
        n_bootstrap=0,
        cluster="province",
    )
    result = fit_intensity_ratio(prepare_staggered_sample(frame, spec), spec, "SCA")

    units, ratio, _, psi = _hand_wald_did(frame)
    group = np.array([int(unit[1:]) // 4 for unit in units])
    by_province = np.array([psi[group == g].sum() for g in np.unique(group)])
    assert result.estimate == pytest.approx(ratio, abs=1e-10)
    assert result.se == pytest.approx(np.sqrt(np.sum(by_province**2)), abs=1e-10)
    assert abs(result.se - np.sqrt(np.sum(psi**2))) > 1e-4  # the clustering matters here


def test_intensity_travels_in_the_outcome_record_and_needs_a_first_stage():
    frame = _two_period_panel(years=(2009, 2010, 2011))
    spec = DidSpec(
        outcomes=("SCA",),
        event_window=(-2, 0),
        intensity="GOV",
        n_bootstrap=0,
        estimators=("callaway_santanna",),
    )
    from govcluster.did import estimate_did

    record = estimate_did(frame, spec).outcomes[0]
    assert OutcomeResults.from_dict(record.to_dict()).intensity == record.intensity
    frame["GOV"] = frame.groupby("year")["GOV"].transform("mean")  # designation moves nothing
    with pytest.raises(EstimationError, match="Wald-DiD ratio is undefined"):
        fit_intensity_ratio(prepare_staggered_sample(frame, spec), spec, "SCA")


@pytest.mark.slow
def test_wald_did_recovers_the_simulated_effect_per_unit_of_gov():
    rows = []
    for seed in range(1, 41):
        latent, truth = simulate_latent_panel(
            seed=2000 + seed,
            n_clusters=80,
            years=(2008, 2016),
            designation_last_year=2014,
            case_study_cluster=0,
        )
        latent["demo_cluster"] = latent["D"]
        spec = DidSpec(
            outcomes=("SCA",),
            event_window=(-3, 3),
            estimation_method="reg",
            intensity="GOV",
            n_bootstrap=0,
        )
        result = fit_intensity_ratio(prepare_staggered_sample(latent, spec), spec, "SCA")
        target = truth["overall"]["SCA"] / truth["overall"]["GOV"]
        rows.append(
            (result.estimate - target, result.se, result.ci_lower <= target <= result.ci_upper)
        )
    errors, ses, covered = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    mc_se = errors.std(ddof=1) / np.sqrt(len(errors))
    assert abs(errors.mean()) < 4 * mc_se, (errors.mean(), mc_se)
    assert 0.85 <= covered.mean() <= 1.0, covered.mean()
    assert 0.8 <= ses.mean() / errors.std(ddof=1) <= 1.25, (ses.mean(), errors.std(ddof=1))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_att_table_prints_the_effect_per_unit_of_intensity(language):
    from pathlib import Path

    from govcluster.config import load_config
    from govcluster.did import estimate_did
    from govcluster.render.catalog import build_exhibit

    frame = _two_period_panel(years=(2009, 2010, 2011))
    spec = DidSpec(
        outcomes=("SCA",),
        event_window=(-2, 0),
        intensity="GOV",
        n_bootstrap=0,
        sup_t_draws=200,
        estimators=("twfe", "callaway_santanna"),
    )
    record = estimate_did(frame, spec)
    root = Path(__file__).resolve().parents[2]
    project = load_config(root / "config" / "config.yaml", overrides={"language": language})
    table = build_exhibit("did_att", {"did": {"SCA": record.to_dict()}}, project)
    rows = {row.label: row.cells for row in table.panels[0].rows}
    label = next(k for k in rows if "GOV" in k and "Wald-DiD" in k)
    intensity = record.outcomes[0].intensity
    assert rows[label][1] == f"{intensity.estimate:.3f}" and rows[label][0] == ""
    wald = table.numbers[table.numbers["estimator"] == "wald_did_per_GOV"]
    assert wald["estimate"].item() == pytest.approx(intensity.estimate)
    assert any("Wald-DiD" in note for note in table.notes)
