"""Point estimates, standard errors, the within-2SLS, sample handling and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS
from linearmodels.iv import IV2SLS
from mediation_dgp import CONTROLS, MEDIATORS, simulate_panel

from govcluster.errors import EstimationError, FewClustersWarning
from govcluster.mediation import DegenerateReplicatesWarning, panel_mediation
from govcluster.mediation.bootstrap import bootstrap_counts
from govcluster.mediation.design import build_design

MEDS = list(MEDIATORS)


def _fit(df: pd.DataFrame, **kw) -> object:
    options = dict(
        treatment="GOV", mediators=MEDS, outcome="SCA", controls=list(CONTROLS), seed=20240601
    )
    options.update(kw)
    return panel_mediation(df, **options)


@pytest.fixture(scope="module")
def large():
    """400 clusters x 10 years, two-way FE, the six mechanisms (two of them null)."""
    df, truth = simulate_panel(101, n_entities=400, n_periods=10)
    return df, truth, _fit(df, n_boot=500)


def test_estimates_recover_the_truth(large) -> None:
    _, truth, res = large
    paths = res.paths
    for m in MEDS:
        for name, value in ((f"a[{m}]", truth["a"][m]), (f"b[{m}]", truth["b"][m])):
            est, se = paths.at[name, "estimate"], paths.at[name, "se"]
            assert abs(est - value) < 4 * se, (name, est, value, se)
        row = res.indirect.loc[m]
        assert abs(row["estimate"] - truth["indirect"][m]) < 4 * row["se"], m
    assert abs(paths.at["c_prime", "estimate"] - truth["c_prime"]) < 4 * paths.at["c_prime", "se"]
    assert abs(paths.at["c", "estimate"] - truth["c"]) < 4 * paths.at["c", "se"]
    total = res.indirect.loc["TOTAL"]
    assert abs(total["estimate"] - truth["total_indirect"]) < 4 * total["se"]
    # the two null mechanisms are not declared mediators, the others are
    verdicts = res.verdicts("parallel")
    assert verdicts["ABSORB"] == "no_mediation"  # b = 0
    assert verdicts["INNOV"] == "no_mediation"  # a = 0
    assert verdicts["OPEN"] == "partial_mediation"
    assert verdicts["SOCAP"] == "suppression"  # a > 0, b < 0 while c' > 0


def test_decomposition_holds_exactly(large) -> None:
    _, _, res = large
    paths = res.paths
    total = paths.at["c", "estimate"]
    direct = paths.at["c_prime", "estimate"]
    assert total == pytest.approx(direct + res.indirect.at["TOTAL", "estimate"], abs=1e-10)
    single = res.single
    for m in MEDS:
        assert total == pytest.approx(single.at[m, "c_prime"] + single.at[m, "indirect"], abs=1e-10)
    # bootstrap replicates obey it too
    stats = res.boot_stats
    assert np.allclose(stats["c"], stats["c_prime"] + stats["indirect[TOTAL]"], atol=1e-10)
    for cause in res.causal:
        assert cause.total == pytest.approx(cause.acme + cause.ade, abs=1e-10)


def test_bootstrap_se_close_to_clustered_delta_se(large) -> None:
    _, _, res = large
    inf = res.inference.set_index(["effect", "method"])
    for m in MEDS:
        delta = inf.at[(f"indirect[{m}]", "delta"), "se"]
        boot = inf.at[(f"indirect[{m}]", "bca"), "se"]
        assert boot == pytest.approx(delta, rel=0.25, abs=2e-3), m


@pytest.mark.parametrize("effects", ["none", "entity", "twoway"])
def test_clustered_se_match_stata_convention(effects: str) -> None:
    """Clustered standard errors follow Stata's ``xtreg, fe vce(cluster)`` convention.

    ``xtreg, fe vce(cluster)`` is PanelOLS with a constant, year dummies as regressors and
    debiased + group_debias (linearmodels documents this equivalence).
    """
    meds = MEDS[:2]
    df, _ = simulate_panel(4, n_entities=40, n_periods=6, n_mediators=2, drop_share=0.2)
    res = _fit(df, mediators=meds, effects=effects, n_boot=50)
    panel = df.assign(const=1.0).set_index(["cluster_id", "year"])
    years = pd.get_dummies(df["year"], prefix="y", drop_first=True, dtype=float)
    years.index = panel.index
    panel = pd.concat([panel, years], axis=1)
    extra = ["const"] + (list(years.columns) if effects == "twoway" else [])

    def se(dep: str, regs: list[str]) -> pd.Series:
        model = PanelOLS(
            panel[dep], panel[regs + list(CONTROLS) + extra], entity_effects=effects != "none"
        )
        fitted = model.fit(
            cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True
        )
        return fitted.std_errors

    par = se("SCA", ["GOV", *meds])
    assert res.paths.at["c_prime", "se"] == pytest.approx(par["GOV"], rel=1e-9)
    for m in meds:
        assert res.paths.at[f"b[{m}]", "se"] == pytest.approx(par[m], rel=1e-9)
        assert res.paths.at[f"a[{m}]", "se"] == pytest.approx(se(m, ["GOV"])["GOV"], rel=1e-9)
    assert res.paths.at["c", "se"] == pytest.approx(se("SCA", ["GOV"])["GOV"], rel=1e-9)
    # t tests with G - 1 degrees of freedom
    from scipy import stats

    t = res.paths.at["c", "t"]
    assert res.paths.at["c", "pvalue"] == pytest.approx(2 * stats.t.sf(abs(t), 39), rel=1e-9)


@pytest.mark.parametrize("effects", ["none", "entity", "twoway"])
def test_within_2sls_matches_linearmodels_iv2sls(effects: str) -> None:
    meds = MEDS[:2]
    df, _ = simulate_panel(4, n_entities=40, n_periods=6, n_mediators=2, drop_share=0.2)
    res = _fit(df, mediators=meds, effects=effects, n_boot=50, instruments=["iv_fiscal_shock"])
    design = build_design(
        df,
        treatment="GOV",
        mediators=meds,
        outcome="SCA",
        controls=list(CONTROLS),
        entity="cluster_id",
        time="year",
        effects=effects,
        instruments=["iv_fiscal_shock"],
    )
    x = design.matrix
    n, k_lm = design.n_obs, 1 + x.shape[1] - design.n_core
    # linearmodels counts the regressors it sees; Stata's xtreg convention adds the intercept
    # absorbed by the entity effects
    factor = 1.0 if effects == "none" else np.sqrt((n - k_lm) / (n - k_lm - 1))
    for pos, var in enumerate([*meds, "SCA"]):
        iv = IV2SLS(x[:, 1 + pos], x[:, design.n_core :], x[:, [0]], design.instruments).fit(
            cov_type="clustered", clusters=design.entity_codes, debiased=True
        )
        eff = res.identification.effects[pos]
        assert eff.variable == var
        assert eff.iv_estimate == pytest.approx(iv.params.iloc[-1], abs=1e-10)
        assert eff.iv_se == pytest.approx(iv.std_errors.iloc[-1] * factor, rel=1e-9)
    first = res.identification.first_stage
    assert first is not None and first.f_cluster > 10


def test_fe_iv_corrects_endogeneity() -> None:
    df, truth = simulate_panel(33, n_entities=300, n_periods=8, endogeneity=0.8)
    res = _fit(df, n_boot=50, instruments=["iv_fiscal_shock"])
    by_var = {e.variable: e for e in res.identification.effects}
    for m in ("OPEN", "COOP"):
        e = by_var[m]
        assert abs(e.iv_estimate - truth["a"][m]) < 4 * e.iv_se
        assert abs(e.fe_estimate - truth["a"][m]) > 4 * e.fe_se  # FE-OLS is biased here
    assert res.identification.design == "FE-IV"
    assert "theory" in res.identification.caveat_en
    assert res.identification.first_stage.f_cluster > 10


def test_controls_absorbed_by_fixed_effects_are_omitted() -> None:
    df, _ = simulate_panel(8, n_entities=40, n_periods=6, n_mediators=2)
    founding = df.groupby("cluster_id")["year"].transform("min") - 3
    df = df.assign(
        age_exact=df["year"] - founding,
        province_size=df.groupby("cluster_id")["ln_firms"].transform("mean"),
    )
    controls = ["ln_employment", "age_exact", "province_size"]
    res = _fit(df, mediators=MEDS[:2], controls=controls, n_boot=50)
    omitted = dict(res.sample.omitted)
    assert set(omitted) == {"age_exact", "province_size"}
    assert "entity" in omitted["province_size"]
    assert "collinear" in omitted["age_exact"]
    ref = _fit(df, mediators=MEDS[:2], controls=["ln_employment"], n_boot=50)
    assert np.allclose(res.paths["estimate"], ref.paths["estimate"], atol=1e-10)
    assert np.allclose(res.boot_stats.to_numpy(), ref.boot_stats.to_numpy(), atol=1e-10)
    assert res.sample.controls_used == ("ln_employment",)


def test_missing_rows_dropped_and_counted() -> None:
    df, _ = simulate_panel(9, n_entities=40, n_periods=5, n_mediators=2)
    df.loc[[3, 10, 50], "OPEN"] = np.nan
    df.loc[[10, 77], "ln_firms"] = np.nan
    res = _fit(df, mediators=MEDS[:2], n_boot=50)
    assert res.sample.n_dropped_missing == 4
    assert res.sample.n_obs == len(df) - 4
    assert not res.sample.balanced


def test_replicate_lacking_a_period_is_exact_and_valid() -> None:
    """Replicates with a rank-deficient nuisance block still equal the refit.

    In this unbalanced panel the last year is observed by two entities only: replicates that
    draw neither have no such year, and the nuisance block is then rank deficient.
    """
    meds = MEDS[:2]
    df, _ = simulate_panel(14, n_entities=30, n_periods=6, n_mediators=2)
    last = df["year"].max()
    keep_last = {"C0000", "C0001"}
    df = df[(df["year"] < last) | df["cluster_id"].isin(keep_last)].reset_index(drop=True)
    res = _fit(df, mediators=meds, n_boot=200)
    entities = sorted(df["cluster_id"].unique())
    counts = bootstrap_counts(20240601, len(entities), 0, 200)
    lacking = np.flatnonzero(counts[:, :2].sum(axis=1) == 0)
    assert lacking.size > 0
    assert res.bootstrap.n_nuisance_deficient == lacking.size
    assert res.bootstrap.n_degenerate == 0
    r = int(lacking[0])
    parts = []
    for i, ent in enumerate(entities):
        for copy in range(counts[r, i]):
            parts.append(df[df["cluster_id"] == ent].assign(cluster_id=f"{ent}#{copy}"))
    panel = pd.concat(parts).set_index(["cluster_id", "year"])
    assert last not in panel.index.get_level_values("year")
    fitted = PanelOLS(
        panel["SCA"], panel[["GOV", *meds, *CONTROLS]], entity_effects=True, time_effects=True
    ).fit()
    for name, coef in (("c_prime", "GOV"), (f"b[{meds[0]}]", meds[0])):
        assert res.boot_stats.at[r, name] == pytest.approx(fitted.params[coef], abs=1e-8)


def test_degenerate_replicates_are_counted_not_dropped() -> None:
    """Replicates that cannot identify anything are reported as degenerate.

    The treatment varies over time in three entities only; replicates drawing none of them
    are the degenerate ones.
    """
    meds = MEDS[:2]
    df, _ = simulate_panel(15, n_entities=30, n_periods=5, n_mediators=2)
    movers = {"C0000", "C0001", "C0002"}
    fixed = ~df["cluster_id"].isin(movers)
    df.loc[fixed, "GOV"] = df.loc[fixed].groupby("cluster_id")["GOV"].transform("mean")
    # rounding-level wiggle: the demeaned treatment of these entities is noise, not signal
    df.loc[fixed, "GOV"] *= 1.0 + 1e-15 * np.random.default_rng(0).standard_normal(fixed.sum())
    with pytest.warns(DegenerateReplicatesWarning):
        res = _fit(df, mediators=meds, effects="entity", n_boot=400)
    entities = sorted(df["cluster_id"].unique())
    counts = bootstrap_counts(20240601, len(entities), 0, 400)
    expected = np.flatnonzero(counts[:, :3].sum(axis=1) == 0)
    assert expected.size > 0
    assert res.bootstrap.degenerate_replicates == tuple(expected.tolist())
    assert res.bootstrap.n_valid == 400 - expected.size
    assert res.boot.iloc[expected].isna().all().all()
    assert res.boot.drop(index=expected).notna().all().all()
    assert res.bootstrap.n_jackknife_degenerate == 0
    assert np.isfinite(res.indirect["ci_lower"]).all()


def test_few_clusters_warns() -> None:
    df, _ = simulate_panel(16, n_entities=12, n_periods=6, n_mediators=2)
    with pytest.warns(FewClustersWarning):
        _fit(df, mediators=MEDS[:2], n_boot=50)


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        ("none", {"effects": "random"}, "effects='random' is not an option"),
        ("none", {"ci_method": "studentized"}, "ci_method"),
        ("none", {"n_boot": 5}, "n_boot must be an integer >= 20"),
        ("none", {"seed": -1}, "seed"),
        ("none", {"ci_level": 95}, "ci_level"),
        ("none", {"mediators": "OPEN"}, "mediators=['OPEN']"),
        ("none", {"mediators": ["OPEN", "NOPE"]}, "['NOPE'] are not in the data"),
        ("none", {"controls": ["OPEN"]}, "more than one role"),
        ("none", {"rho_grid": [0.0, 1.0]}, "rho_grid"),
        ("dup", {}, "share an (cluster_id, year) pair"),
        ("text", {}, "not numbers"),
        ("const_t", {}, "no variation left"),
        ("collinear_m", {}, "collinear"),
    ],
)
def test_errors_are_actionable(change: str, options: dict, message: str) -> None:
    df, _ = simulate_panel(17, n_entities=30, n_periods=4, n_mediators=2)
    if change == "dup":
        df = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    elif change == "text":
        df["OPEN"] = df["OPEN"].astype(str)
    elif change == "const_t":
        df["GOV"] = df.groupby("cluster_id")["GOV"].transform("mean")
    elif change == "collinear_m":
        df["COOP"] = 2.0 * df["OPEN"] - df["GOV"]
    kwargs = {"mediators": MEDS[:2], "n_boot": 50, **options}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(EstimationError, match=None) as info:
            _fit(df, **kwargs)
    assert message in str(info.value)
