"""Repeated-seed Monte Carlo of bootstrap interval coverage and mediation verdicts.

The size of the mediation verdicts is checked for the null mechanisms.

REPS simulated two-way FE panels (100 clusters x 6 years, AR(1) errors, six mechanisms of which
ABSORB has b = 0 and INNOV has a = 0), N_BOOT cluster-bootstrap replicates each.

Tolerances are exact binomial: with REPS = 200 independent panels, the number of intervals
covering the truth is Binomial(REPS, 0.95) if the intervals are exact, and we fail only below
its 0.1% quantile (coverage < 0.905); the number of times a null mechanism is declared a
mediator is at most Binomial(REPS, 0.05) for a test of size 5%, and we fail above its 99.9%
quantile (rate > 0.10). The seeds are fixed, so the outcome is deterministic.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from mediation_dgp import CONTROLS, MEDIATORS, simulate_panel
from scipy import stats

from govcluster.mediation import panel_mediation

REPS = 200
N_BOOT = 299
LEVEL = 0.95
NULLS = ("ABSORB", "INNOV")


@pytest.fixture(scope="module")
def monte_carlo():
    covered = {"percentile": [], "bca": []}
    declared = {"single": [], "parallel": []}
    estimates = []
    for rep in range(REPS):
        df, truth = simulate_panel(10_000 + rep, n_entities=100, n_periods=6)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = panel_mediation(
                df,
                treatment="GOV",
                mediators=list(MEDIATORS),
                outcome="SCA",
                controls=list(CONTROLS),
                n_boot=N_BOOT,
                seed=rep,
                ci_level=LEVEL,
                n_mc=2000,
            )
        inf = res.inference.set_index(["effect", "method"])
        for method in covered:
            row_cover = []
            for m in (*MEDIATORS, "TOTAL"):
                true = truth["total_indirect"] if m == "TOTAL" else truth["indirect"][m]
                lo = inf.at[(f"indirect[{m}]", method), "ci_lower"]
                hi = inf.at[(f"indirect[{m}]", method), "ci_upper"]
                row_cover.append(lo <= true <= hi)
            covered[method].append(row_cover)
        for model in declared:
            verdicts = res.verdicts(model)
            declared[model].append([verdicts[m] != "no_mediation" for m in NULLS])
        estimates.append(res.indirect["estimate"].to_numpy())
    truths = np.array([*truth["indirect"].values(), truth["total_indirect"]])
    return (
        {k: np.asarray(v) for k, v in covered.items()},
        {k: np.asarray(v) for k, v in declared.items()},
        np.asarray(estimates),
        truths,
    )


@pytest.mark.slow
@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_bootstrap_intervals_cover_near_nominal(monte_carlo, method: str) -> None:
    covered = monte_carlo[0][method]
    floor = stats.binom.ppf(0.001, REPS, LEVEL) / REPS
    rates = covered.mean(axis=0)
    for name, rate in zip((*MEDIATORS, "TOTAL"), rates, strict=True):
        assert rate >= floor, (method, name, rate, floor)
        assert rate <= 1.0 - 0.2 * (1.0 - LEVEL) or name in NULLS, (method, name, rate)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["single", "parallel"])
def test_null_mechanisms_not_declared_beyond_size(monte_carlo, model: str) -> None:
    declared = monte_carlo[1][model]
    ceiling = stats.binom.ppf(0.999, REPS, 1.0 - LEVEL) / REPS
    for name, rate in zip(NULLS, declared.mean(axis=0), strict=True):
        assert rate <= ceiling, (model, name, rate, ceiling)


@pytest.mark.slow
def test_estimates_unbiased_over_seeds(monte_carlo) -> None:
    estimates, truths = monte_carlo[2], monte_carlo[3]
    mean = estimates.mean(axis=0)
    se = estimates.std(axis=0, ddof=1) / np.sqrt(REPS)
    assert np.all(np.abs(mean - truths) < 4 * se), (mean, truths, se)
