"""Seeded DGPs with known ACME and ADE for each combination of mediator and outcome model.

DGP: X ~ N(0, 1), T ~ Bernoulli(1/2); mediator latent a0 + a1 T + a2 X + e (linear: M is
the latent with e ~ N(0, 1); probit: M = 1[latent + e > 0], e ~ N(0, 1); logit: e logistic);
outcome index b0 + bm M + bt T + bi T M + bx X (linear: plus N(0, 1); probit / logit: Y is
1[index + error > 0]). The population ACME(t) and ADE(t) are computed by numerical
integration (Gauss-Hermite over X and, for a linear mediator, over e: exact to about 1e-8).

Tolerance: one sample of 4,000 units per combination; the estimate must be within 3.5 of its
own standard errors (interval width / 3.92) of the truth, i.e. the sampling error the method
reports (the Monte Carlo error of 1,000 draws is 1/30 of that). What fails this check: a
wrong mediator simulation (e.g. a mean instead of Bernoulli draws of a binary mediator, or
independent errors where R shares them), predicting with the wrong inverse link for the
fitted index, swapping the four counterfactual combinations, or dropping the interaction.
Estimating a probit where the data are logit would not fail it (both fit the probabilities).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from govcluster.mediation.nonlinear import NonlinearMediationSpec, causal_mediation

A = (-0.2, 0.8, 0.5)  # a0, a1, a2
B = {"b0": -0.3, "bm": 0.6, "bt": 0.4, "bx": 0.3}
NODES, WEIGHTS = np.polynomial.hermite_e.hermegauss(60)
WEIGHTS = WEIGHTS / WEIGHTS.sum()


def cdf(family: str, x):
    return stats.norm.cdf(x) if family == "probit" else special.expit(x)


def mean_y(family: str, eta):
    return eta if family == "linear" else cdf(family, eta)


def truth(med: str, out: str, bi: float) -> dict[str, float]:
    """Population ACME(t), ADE(t) by quadrature over X (and e for a linear mediator)."""
    x = NODES[:, None]
    wx = WEIGHTS[:, None]

    def ey(t: float, tm: float) -> float:
        """E[ E(Y | T = t, M = M(tm), X) ]."""
        latent = A[0] + A[1] * tm + A[2] * x
        if med == "linear":
            m = latent + NODES[None, :]  # (x, e)
            eta = B["b0"] + B["bm"] * m + B["bt"] * t + bi * t * m + B["bx"] * x
            return float(np.sum(wx * WEIGHTS[None, :] * mean_y(out, eta)))
        p = cdf(med, latent)
        eta1 = B["b0"] + B["bm"] + B["bt"] * t + bi * t + B["bx"] * x
        eta0 = B["b0"] + B["bt"] * t + B["bx"] * x
        return float(np.sum(wx * (p * mean_y(out, eta1) + (1 - p) * mean_y(out, eta0))))

    return {
        "acme_treated": ey(1, 1) - ey(1, 0),
        "acme_control": ey(0, 1) - ey(0, 0),
        "ade_treated": ey(1, 1) - ey(0, 1),
        "ade_control": ey(1, 0) - ey(0, 0),
    }


def simulate(med: str, out: str, bi: float, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = rng.integers(0, 2, size=n).astype(float)
    latent = A[0] + A[1] * t + A[2] * x

    def noise(family: str):
        return rng.normal(size=n) if family in ("linear", "probit") else rng.logistic(size=n)

    m = latent + noise(med) if med == "linear" else (latent + noise(med) > 0).astype(float)
    eta = B["b0"] + B["bm"] * m + B["bt"] * t + bi * t * m + B["bx"] * x
    y = eta + noise(out) if out == "linear" else (eta + noise(out) > 0).astype(float)
    return pd.DataFrame({"x": x, "t": t, "m": m, "y": y})


COMBINATIONS = [
    ("linear", "linear", 0.5),
    ("probit", "linear", 0.0),
    ("logit", "linear", 0.5),
    ("linear", "probit", 0.0),
    ("linear", "logit", 0.5),
    ("probit", "logit", 0.5),
    ("logit", "probit", 0.0),
]


@pytest.mark.parametrize(("med", "out", "bi"), COMBINATIONS)
def test_quasi_bayesian_recovers_known_effects(med, out, bi):
    data = simulate(med, out, bi, n=4000, seed=11)
    spec = NonlinearMediationSpec(
        treatment="t",
        mediator="m",
        outcome="y",
        mediator_covariates=["x"],
        outcome_covariates=["x"],
        mediator_model=med,
        outcome_model=out,
        interaction=bi != 0,
        sims=1000,
    )
    res = causal_mediation(data, spec, seed=3)
    for name, value in truth(med, out, bi).items():
        e = res.effects[name]
        se = (e.ci_upper - e.ci_lower) / 3.92
        assert abs(e.estimate - value) <= 3.5 * se, (name, e.estimate, value, se)


@pytest.mark.slow
def test_bootstrap_recovers_known_effects_with_a_binary_mediator():
    data = simulate("probit", "logit", 0.5, n=3000, seed=12)
    spec = NonlinearMediationSpec(
        treatment="t",
        mediator="m",
        outcome="y",
        mediator_covariates=["x"],
        outcome_covariates=["x"],
        mediator_model="probit",
        outcome_model="logit",
        interaction=True,
        method="bootstrap",
        sims=300,
    )
    res = causal_mediation(data, spec, seed=4)
    for name, value in truth("probit", "logit", 0.5).items():
        e = res.effects[name]
        se = (e.ci_upper - e.ci_lower) / 3.92
        assert abs(e.estimate - value) <= 3.5 * se, (name, e.estimate, value, se)


@pytest.mark.slow
def test_quasi_bayesian_intervals_cover_the_truth():
    """Coverage over 150 seeded samples (probit mediator, logit outcome, interaction).

    Each 95% interval of ACME(control), ACME(treated), ADE(control) and ADE(treated) covers
    the population value in 0.95 +- 3 * sqrt(0.05 * 0.95 / 150) = 0.95 +- 0.053 of samples.
    """
    true = truth("probit", "logit", 0.5)
    covered = {k: 0 for k in true}
    reps = 150
    for rep in range(reps):
        data = simulate("probit", "logit", 0.5, n=1000, seed=1000 + rep)
        spec = NonlinearMediationSpec(
            treatment="t",
            mediator="m",
            outcome="y",
            mediator_covariates=["x"],
            outcome_covariates=["x"],
            mediator_model="probit",
            outcome_model="logit",
            interaction=True,
            sims=400,
        )
        res = causal_mediation(data, spec, seed=rep)
        for k, v in true.items():
            covered[k] += res.effects[k].ci_lower <= v <= res.effects[k].ci_upper
    for k, c in covered.items():
        assert abs(c / reps - 0.95) <= 0.053, (k, c / reps)
