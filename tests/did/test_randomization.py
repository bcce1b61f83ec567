"""Randomization inference of the designation: closed forms, draws, errors and size.

Oracles: the did stage's own TWFE and the diff-diff Callaway-Sant'Anna estimator on the data;
on permuted data, a plain loop that rebuilds each permuted panel and refits it with
linearmodels ``PanelOLS`` (entity and time effects) and with diff-diff. Size: a seeded DGP
with no effect, where the permutation test is exact by construction.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from govcluster.did import DidSpec, estimate_did, prepare_staggered_sample
from govcluster.did.data import FIRST_TREAT
from govcluster.did.permutation import randomization_inference, unit_strata
from govcluster.did.robust import fit_callaway_santanna
from govcluster.did.twfe import fit_twfe
from govcluster.errors import ConfigError, DataValidationError
from govcluster.inference.randomization import (
    DRAW_BLOCK,
    RandomizationResult,
    RandomizationSpec,
    callaway_santanna_unit_contributions,
    callaway_santanna_weights,
    count_distinct_assignments,
    draw_assignments,
    permutation_p_values,
    permuted_estimates,
    twfe_unit_contributions,
)


def _spec(**randomization) -> DidSpec:
    settings = {"enabled": True, "n_permutations": 200, **randomization}
    return DidSpec(
        outcomes=("SCA",),
        treatment="demo_cluster",
        n_bootstrap=0,
        estimators=("twfe", "callaway_santanna"),
        randomization=RandomizationSpec(**settings),
    )


@pytest.fixture(scope="module")
def latent(default_latent):
    return default_latent[0]


@pytest.mark.parametrize(
    ("comparison", "anticipation"),
    [("never_treated", 0), ("not_yet_treated", 0), ("never_treated", 1)],
)
def test_closed_forms_equal_the_estimators_on_the_data(latent, comparison, anticipation):
    spec = DidSpec(
        outcomes=("SCA",),
        treatment="demo_cluster",
        n_bootstrap=0,
        comparison=comparison,
        anticipation=anticipation,
        event_window=(-4, 6),
        randomization=RandomizationSpec(enabled=True, n_permutations=99),
    )
    sample = prepare_staggered_sample(latent, spec)
    twfe = fit_twfe(sample, spec, "SCA", seed=1).overall()["estimate"]
    cs = fit_callaway_santanna(sample, spec, "SCA", seed=1)[0].overall()["estimate"]
    results = randomization_inference(sample, spec, "SCA", unit_strata(latent, sample, spec))
    observed = {r.estimator: r.observed for r in results}
    np.testing.assert_allclose(observed["twfe"], twfe, rtol=1e-10)
    np.testing.assert_allclose(observed["callaway_santanna"], cs, rtol=1e-10)


def _permuted_panel(sample, spec, cohort_years, assignment) -> pd.DataFrame:
    """The sample with every unit given the adoption year of its permuted cohort."""
    frame = sample.frame.copy()
    units = frame[spec.entity].drop_duplicates().to_numpy()
    first = dict(zip(units, cohort_years[assignment], strict=True))
    frame[FIRST_TREAT] = frame[spec.entity].map(first).astype("int64")
    treated = (frame[FIRST_TREAT] > 0) & (frame[spec.time] >= frame[FIRST_TREAT])
    frame["treated_post"] = treated.astype(float)
    return frame


def test_permuted_estimates_equal_a_plain_refit_loop(latent):
    """Five permutations refitted from scratch: PanelOLS for TWFE, diff-diff for CS."""
    import diff_diff
    from linearmodels.panel import PanelOLS

    spec = _spec(strata=("region",))
    sample = prepare_staggered_sample(latent, spec)
    strata = unit_strata(latent, sample, spec)
    frame = sample.frame
    units = frame[spec.entity].drop_duplicates().to_numpy()
    years = np.sort(frame[spec.time].unique())
    y = frame["SCA"].to_numpy().reshape(units.size, years.size)
    first = frame.groupby(spec.entity, sort=False)[FIRST_TREAT].first().reindex(units)
    cohort_years, labels = np.unique(first.to_numpy(), return_inverse=True)
    sizes = np.bincount(labels).astype(float)
    assignments = draw_assignments(labels, strata, n_permutations=5, seed=7)
    twfe = permuted_estimates(twfe_unit_contributions(y, labels, cohort_years, years), assignments)
    weights = callaway_santanna_weights(
        cohort_years, sizes, years, comparison="never_treated", anticipation=0
    )
    cs = permuted_estimates(callaway_santanna_unit_contributions(y, weights), assignments)
    for b, assignment in enumerate(assignments):
        assert not np.array_equal(assignment, labels)
        panel = _permuted_panel(sample, spec, cohort_years, assignment)
        indexed = panel.set_index([spec.entity, spec.time])
        fit = PanelOLS(
            indexed["SCA"], indexed[["treated_post"]], entity_effects=True, time_effects=True
        ).fit()
        np.testing.assert_allclose(twfe[b], fit.params["treated_post"], rtol=1e-9)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            library = diff_diff.CallawaySantAnna(
                control_group="never_treated", estimation_method="reg", n_bootstrap=0
            ).fit(panel, outcome="SCA", unit=spec.entity, time=spec.time, first_treat=FIRST_TREAT)
        np.testing.assert_allclose(cs[b], library.overall_att, rtol=1e-9)


def test_draws_do_not_depend_on_how_many_are_asked_and_stay_within_strata():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 4, size=50)
    strata = np.repeat([0, 1, 2, 3, 4], 10)
    short = draw_assignments(labels, strata, n_permutations=DRAW_BLOCK, seed=11)
    long = draw_assignments(labels, strata, n_permutations=3 * DRAW_BLOCK + 17, seed=11)
    np.testing.assert_array_equal(long[:DRAW_BLOCK], short)
    assert long.shape == (3 * DRAW_BLOCK + 17, 50)
    for s in range(5):
        members = strata == s
        observed = np.sort(labels[members])
        assert (np.sort(long[:, members], axis=1) == observed).all()
    assert len({row.tobytes() for row in long}) > 0.99 * len(long)
    other = draw_assignments(labels, strata, n_permutations=DRAW_BLOCK, seed=12)
    assert not np.array_equal(other, short)


def test_distinct_assignments_match_brute_force_enumeration():
    labels = np.array([0, 0, 1, 2, 2, 0, 1])
    strata = np.array([0, 0, 0, 0, 1, 1, 1])
    brute = 1
    for s in (0, 1):
        members = labels[strata == s]
        brute *= len(set(itertools.permutations(members)))
    assert count_distinct_assignments(labels, strata) == brute == 12 * 6


def test_p_values_count_the_observed_assignment_once():
    draws = np.array([-3.0, -1.0, 0.5, 1.0, 2.0, 4.0])
    p = permutation_p_values(2.0, draws)
    assert p["p_value"] == pytest.approx((1 + 3) / 7)  # |-3|, 2, 4
    assert p["p_value_upper"] == pytest.approx((1 + 2) / 7)
    assert p["p_value_lower"] == pytest.approx((1 + 5) / 7)
    assert p["share_extreme"] == pytest.approx(3 / 6)


def test_estimate_did_records_the_distribution_and_round_trips(latent):
    results = estimate_did(latent, _spec())
    outcome = results.outcome("SCA")
    assert [r.estimator for r in outcome.randomization] == ["twfe", "callaway_santanna"]
    twfe = outcome.randomization[0]
    assert twfe.observed == pytest.approx(outcome.estimator("twfe").overall()["estimate"])
    assert sum(twfe.histogram["counts"]) == twfe.n_permutations == 200
    assert twfe.p_value == pytest.approx(1 / 201)  # the simulated designation effect is large
    back = type(results).from_dict(results.to_dict())
    assert back.outcome("SCA").randomization == outcome.randomization
    with pytest.raises(ValueError, match="schema_version"):
        RandomizationResult.from_dict({**twfe.to_dict(), "schema_version": 99})


def test_a_stratum_with_a_single_cluster_is_an_error(latent):
    frame = latent.copy()
    frame["stratum"] = np.where(frame["cluster_id"] == frame["cluster_id"].iloc[0], "alone", "rest")
    spec = _spec(strata=("stratum",))
    sample = prepare_staggered_sample(frame, spec)
    with pytest.raises(DataValidationError, match="single unit.*alone"):
        randomization_inference(sample, spec, "SCA", unit_strata(frame, sample, spec))


def test_too_few_distinct_assignments_says_how_many_exist(latent):
    frame = latent.copy()
    units = frame["cluster_id"].drop_duplicates()
    first = frame[frame["demo_cluster"] == 1].groupby("cluster_id")["year"].min()
    # strata of three units, two never treated and one treated: 3 assignments per stratum
    never = units[~units.isin(first.index)].to_numpy()
    treated = first.index.to_numpy()
    n = min(len(treated), len(never) // 2, 4)
    keep = list(treated[:n]) + list(never[: 2 * n])
    frame = frame[frame["cluster_id"].isin(keep)].copy()
    stratum = {u: f"s{i}" for i, u in enumerate(treated[:n])}
    stratum.update({u: f"s{i // 2}" for i, u in enumerate(never[: 2 * n])})
    frame["stratum"] = frame["cluster_id"].map(stratum)
    spec = DidSpec(
        outcomes=("SCA",),
        n_bootstrap=0,
        event_window=(-1, 0),
        randomization=RandomizationSpec(enabled=True, n_permutations=99, strata=("stratum",)),
    )
    sample = prepare_staggered_sample(frame, spec)
    with pytest.raises(DataValidationError, match=rf"only {3**n} distinct assignments"):
        randomization_inference(sample, spec, "SCA", unit_strata(frame, sample, spec))


def test_bad_strata_columns_and_options_are_named(latent):
    spec = _spec(strata=("no_such_column",))
    sample = prepare_staggered_sample(latent, spec)
    with pytest.raises(DataValidationError, match="no_such_column"):
        unit_strata(latent, sample, spec)
    frame = latent.assign(drifting=latent["year"] % 2)
    with pytest.raises(DataValidationError, match="'drifting' varies within units"):
        unit_strata(frame, sample, _spec(strata=("drifting",)))
    with pytest.raises(ConfigError, match="at least 99"):
        RandomizationSpec(n_permutations=10)
    with pytest.raises(ConfigError, match="'imputation' is not an option"):
        RandomizationSpec(estimators=("imputation",))
    with pytest.raises(ConfigError, match="Unknown key.*draws"):
        DidSpec.from_config({"randomization": {"draws": 5}})
    with pytest.raises(ConfigError, match="did.controls"):
        DidSpec(outcomes=("SCA",), controls=("GOV",), randomization=RandomizationSpec(enabled=True))


def _null_panels(n_panels, n_units, n_years, rng, *, trend_by_stratum=0.0):
    """Outcomes with unit and year effects and AR(1) noise, no effect of the designation."""
    unit = rng.normal(size=(n_panels, n_units, 1))
    year = rng.normal(size=(n_panels, 1, n_years))
    noise = np.empty((n_panels, n_units, n_years))
    noise[..., 0] = rng.normal(size=(n_panels, n_units))
    for t in range(1, n_years):
        noise[..., t] = 0.6 * noise[..., t - 1] + rng.normal(size=(n_panels, n_units))
    stratum = np.repeat([0, 1], n_units // 2)
    trend = trend_by_stratum * stratum[None, :, None] * np.arange(n_years)[None, None, :]
    return unit + year + noise + trend, stratum


def _null_p_values(panels, labels, strata, years, cohort_years, n_permutations, seed):
    """Two-sided permutation p-values of both estimators on every panel, vectorised."""
    n_panels, n_units, _ = panels.shape
    sizes = np.bincount(labels, minlength=cohort_years.size).astype(float)
    weights = callaway_santanna_weights(
        cohort_years, sizes, years, comparison="never_treated", anticipation=0
    )
    contributions = {
        "twfe": np.stack([twfe_unit_contributions(y, labels, cohort_years, years) for y in panels]),
        "callaway_santanna": panels @ weights.T,
    }
    draws = draw_assignments(labels, strata, n_permutations=n_panels * n_permutations, seed=seed)
    draws = draws.reshape(n_panels, n_permutations, n_units)
    out = {}
    for name, a in contributions.items():
        observed = a[:, np.arange(n_units), labels].sum(axis=1)
        permuted = np.take_along_axis(a[:, None, :, :], draws[..., None], axis=3)[..., 0].sum(2)
        extreme = (np.abs(permuted) >= np.abs(observed)[:, None] * (1 - 1e-10)).sum(axis=1)
        out[name] = (1 + extreme) / (n_permutations + 1)
    return out


@pytest.mark.slow
def test_p_values_are_uniform_under_no_effect():
    """Size at 5% and 20% within 3.5 binomial standard errors over 2,000 null panels.

    Units are exchangeable within two strata whose outcome trends differ, and the rising
    stratum holds most of the early designations. Permuting within the strata keeps the test
    exact; permuting across them (ignoring the design) rejects far too often.
    """
    rng = np.random.default_rng(20261113)
    n_panels, n_units, n_years, n_perm = 2000, 40, 8, 199
    years = np.arange(2010, 2010 + n_years)
    cohort_years = np.array([0, 2013, 2015])
    panels, strata = _null_panels(n_panels, n_units, n_years, rng, trend_by_stratum=0.3)
    labels = np.concatenate([[0] * 14 + [1] * 2 + [2] * 4, [0] * 6 + [1] * 10 + [2] * 4])
    within = _null_p_values(panels, labels, strata, years, cohort_years, n_perm, seed=1)
    for name, values in within.items():
        for level in (0.05, 0.20):
            band = 3.5 * np.sqrt(level * (1 - level) / n_panels)
            rate = np.mean(values <= level)
            assert abs(rate - level) < band, (name, level, rate)
    pooled = _null_p_values(
        panels, labels, np.zeros(n_units, dtype=int), years, cohort_years, n_perm, seed=2
    )
    assert np.mean(pooled["twfe"] <= 0.05) > 0.10
    assert np.mean(pooled["callaway_santanna"] <= 0.05) > 0.10


def test_log_count_agrees_with_the_exact_count():
    from govcluster.inference.randomization import distinct_assignments_log10

    rng = np.random.default_rng(5)
    labels = rng.integers(0, 5, size=120)
    strata = rng.integers(0, 3, size=120)
    exact = count_distinct_assignments(labels, strata)
    assert distinct_assignments_log10(labels, strata) == pytest.approx(np.log10(float(exact)))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_randomization_exhibits_carry_the_recorded_numbers(did_records, language):
    from pathlib import Path

    from govcluster.config import load_config
    from govcluster.render.catalog import build_exhibit
    from govcluster.render.did_numbers import did_macros

    root = Path(__file__).resolve().parents[2]
    project = load_config(root / "config" / "config.yaml", overrides={"language": language})
    sources = {"did": did_records}
    table = build_exhibit("did_randomization", sources, project)
    record = did_records["SCA"]["outcomes"][0]["randomization"]
    numbers = table.numbers.set_index(["outcome", "estimator"])
    for ri in record:
        row = numbers.loc[("SCA", ri["estimator"])]
        assert row["p_value"] == ri["p_value"] and row["estimate"] == ri["observed"]
        assert row["n_permutations"] == 499
    assert len(table.panels) == 2 and all(len(p.rows) == 2 for p in table.panels)
    assert "499" in table.notes[0]
    assert ("随机化推断" in table.title) == (language == "zh")
    p_cell = table.panels[0].rows[0].cells[1]
    assert p_cell == (
        "< 0.002" if record[0]["p_value"] <= 1 / 500 else f"{record[0]['p_value']:.3f}"
    )
    figure = build_exhibit("did_randomization_distribution", sources, project)
    lines = [line.get_xdata()[0] for ax in figure.axes for line in ax.get_lines()]
    assert any(np.isclose(x, record[0]["observed"]) for x in lines)
    macros = {m.name: m.value for m in did_macros(did_records)}
    assert macros["DidPermutations"] == "499"
    from govcluster.render.numbers import latex_pvalue

    name = next(k for k in macros if k.endswith("TwfePermutationP") and "SCA" in k)
    assert macros[name] == latex_pvalue(record[0]["p_value"])
