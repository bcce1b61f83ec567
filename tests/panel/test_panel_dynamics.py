"""Local projections and heterogeneity on simulated data with known effects."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from govcluster.panel import (
    LESS_DEVELOPED_GROUPS,
    HeterogeneitySpec,
    LocalProjectionSpec,
    PanelIVSpec,
    PanelSpec,
    fit_heterogeneity,
    fit_local_projections,
    fit_panel_iv,
    specification_tests,
)

THETA = [0.5, 0.4, 0.2, 0.0]  # effect of GOV in year t on SCA in t + h


def lp_dgp(seed: int, n: int = 300, t: int = 12) -> pd.DataFrame:
    """SCA_it = sum_h THETA_h GOV_{i,t-h} + a_i + g_t + e_it with GOV iid over time."""
    rng = np.random.default_rng(seed)
    gov = rng.normal(size=(n, t + 3))
    a = rng.normal(size=n)
    g = rng.normal(size=t + 3)
    y = a[:, None] + g[None, :] + rng.normal(size=(n, t + 3)) * 0.5
    for h, th in enumerate(THETA):
        y[:, h:] += th * gov[:, : t + 3 - h]
    y, gov = y[:, 3:], gov[:, 3:]
    return pd.DataFrame(
        {
            "cluster_id": np.repeat(np.arange(n), t),
            "year": np.tile(np.arange(2008, 2008 + t), n),
            "GOV": gov.ravel(),
            "SCA": y.ravel(),
            "ln_firms": rng.normal(size=n * t),
        }
    )


@pytest.mark.slow
def test_local_projections_trace_the_dynamic_effect() -> None:
    # GOV is iid and independent of the effects, so pooled OLS is unbiased at every
    # horizon. The within estimator is biased by O(sum(THETA)/(T-1)) in short panels,
    # because the other years' GOV, which are in the error, correlate with the demeaned
    # GOV_t; it is checked against the truth with that allowance.
    df = lp_dgp(1)
    pooled = fit_local_projections(
        df,
        LocalProjectionSpec(
            outcome="SCA", treatment="GOV", controls=["ln_firms"], estimator="pooled"
        ),
    )
    for h, th in enumerate(THETA):
        row = pooled.table().iloc[h]
        assert abs(row["estimate"] - th) < 4 * row["std_error"]
    res = fit_local_projections(
        df, LocalProjectionSpec(outcome="SCA", treatment="GOV", controls=["ln_firms"])
    )
    table = res.table()
    assert list(table["horizon"]) == [0, 1, 2, 3]
    for h, th in enumerate(THETA):
        row = table.iloc[h]
        assert abs(row["estimate"] - th) < 4 * row["std_error"] + sum(THETA) / (12 - h - 1)
        assert row["ci_lower"] < row["estimate"] < row["ci_upper"]
    assert table["estimate"].is_monotonic_decreasing
    # a lead is taken by year: each horizon loses the last h years of every entity
    assert list(table["n_obs"]) == [300 * (12 - h) for h in range(4)]
    assert table.iloc[1]["dependent"] == "SCA_lead1"
    fixed = fit_local_projections(
        df,
        res.spec.__class__(
            outcome="SCA",
            treatment="GOV",
            sample="fixed",
            outcome_form="long_difference",
            treatment_lags=[1],
            horizons=2,
        ),
    )
    t2 = fixed.table()
    assert t2["n_obs"].nunique() == 1
    # y(t+2) - y(t-1) needs the years t-1 and t+2: the first and last two years go
    assert fixed.n_excluded_fixed_sample == 300 * 3
    # long differences y(t+h) - y(t-1): the effect of GOV_t is still THETA_h
    for h in range(3):
        allowance = 4 * t2.iloc[h]["std_error"] + sum(THETA) / 8
        assert abs(t2.iloc[h]["estimate"] - THETA[h]) < allowance
    # each horizon is the panel regression of the outcome led by h years
    from govcluster.panel import PanelSpec, add_leads, fit_panel_model

    led = add_leads(df, {"SCA": [2]}, entity="cluster_id", time="year")
    direct = fit_panel_model(
        led, PanelSpec(outcome="SCA_lead2", regressors=["GOV"], controls=["ln_firms"])
    )
    np.testing.assert_allclose(table.iloc[2]["estimate"], direct.params["GOV"], rtol=1e-10)
    np.testing.assert_allclose(table.iloc[2]["std_error"], direct.std_errors["GOV"], rtol=1e-10)
    json.dumps(res.to_dict())


def test_local_projections_drop_years_after_a_gap() -> None:
    df = lp_dgp(2, n=60, t=8)
    gap = df[df["year"] != 2011]
    res = fit_local_projections(
        gap, LocalProjectionSpec(outcome="SCA", treatment="GOV", horizons=1)
    )
    # horizon 1 needs year t+1: 2010 (-> 2011 missing) and 2015 (last year) are dropped
    assert res.estimates[1].n_obs == 60 * (7 - 2)
    assert res.estimates[1].n_dropped["missing_values"] == 60 * 2


def het_dgp(seed: int, n: int = 240, t: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.choice(["east", "central", "west"], size=n)
    effect = np.where(region == "east", 1.0, 0.3)
    ids = np.repeat(np.arange(n), t)
    gov = rng.normal(size=n * t) + rng.normal(size=n)[ids]
    a = rng.normal(size=n)[ids]
    y = effect[ids] * gov + a + rng.normal(size=n * t)
    return pd.DataFrame(
        {
            "cluster_id": ids,
            "year": np.tile(np.arange(2010, 2010 + t), n),
            "region": region[ids],
            "GOV": gov,
            "SCA": y,
            "ln_firms": rng.normal(size=n * t),
            "iv_fiscal_shock": rng.normal(size=n * t),
        }
    )


def base_spec(**kw: object) -> PanelSpec:
    values = dict(outcome="SCA", regressors=["GOV"], controls=["ln_firms"], name="baseline")
    values.update(kw)
    return PanelSpec(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("estimator", ["twoway_fe", "random"])
def test_heterogeneity_by_region(estimator: str) -> None:
    df = het_dgp(3)
    res = fit_heterogeneity(df, HeterogeneitySpec(base=base_spec(estimator=estimator)))
    table = res.table().set_index("group")
    assert list(table.index) == ["central", "east", "west"]
    truth = {"central": 0.3, "east": 1.0, "west": 0.3}
    for g, th in truth.items():
        assert abs(table.loc[g, "split_estimate"] - th) < 4 * table.loc[g, "split_std_error"]
        est, se = table.loc[g, ["interaction_estimate", "interaction_std_error"]]
        assert abs(est - th) < 4 * se
    assert res.equal_effects.df == 2 and res.equal_effects.p_value < 1e-6
    has_dummies = any(n.startswith("group_") for n in res.interaction.names)
    assert has_dummies == (estimator == "random")
    json.dumps(res.to_dict())


def test_heterogeneity_less_developed_grouping() -> None:
    df = het_dgp(4)
    df.loc[df.index[:8], "region"] = None  # one entity without region: excluded, counted
    spec = HeterogeneitySpec(base=base_spec(lags={"GOV": [0]}), groups=LESS_DEVELOPED_GROUPS)
    res = fit_heterogeneity(df, spec)
    assert [g for g, _ in res.groups] == ["east", "less_developed"]
    assert res.n_excluded_rows == 8
    assert res.equal_effects.p_value < 1e-6
    central_west = HeterogeneitySpec(
        base=base_spec(), groups={"central": ["central"], "west": ["west"]}
    )
    assert fit_heterogeneity(df, central_west).equal_effects.p_value > 0.001


def test_records_are_json_serialisable() -> None:
    df = het_dgp(5)
    tests = specification_tests(df, base_spec())
    record = json.loads(json.dumps(tests.to_dict()))
    assert set(record) == {"kind", "spec", "poolability", "breusch_pagan", "hausman", "mundlak"}
    iv = fit_panel_iv(
        df,
        PanelIVSpec(
            outcome="SCA", endogenous="GOV", instruments="iv_fiscal_shock", controls=["ln_firms"]
        ),
    )
    rec = json.loads(json.dumps(iv.to_dict()))
    assert rec["kind"] == "panel_iv_estimate"
    assert rec["first_stages"][0]["endogenous"] == "GOV"
    assert rec["anderson_rubin"]["confidence_set"] is None or isinstance(
        rec["anderson_rubin"]["confidence_set"], list
    )
    assert [c["name"] for c in rec["coefficients"]] == ["GOV", "ln_firms", "const"]
