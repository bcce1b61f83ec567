"""Moderated mediation: known truth, an independent refit, shared bootstrap draws, errors.

Truth: the simulator's mechanism paths (:class:`govcluster.simulate.SimulationParameters`):
``a_k`` in the east and ``a_k (1 + heterogeneity)`` in the less-developed regions, ``b_k``
and ``c'`` common, so the conditional indirect effects are ``a_k b_k`` and
``a_k (1 + h) b_k`` and the index of moderated mediation (less developed versus east) is
``a_k h b_k``. The panels below draw from that structure directly (entity effects, normal
errors) so that 200 of them are estimated in one vectorised pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from moderated_dgp import A_EAST, GROUPS, MEDIATORS, B, _draw, _frame, _truth

from govcluster.errors import EstimationError
from govcluster.mediation.bootstrap import bootstrap_counts, draw_block_counts, run_bootstrap
from govcluster.mediation.crossprod import partial_out_nuisance, statistic_names
from govcluster.mediation.design import build_design, entity_crossproducts
from govcluster.mediation.moderated import (
    ModeratedMediationResult,
    ModeratorSpec,
    _make_layout,
    _statistics,
    moderated_mediation,
    statistic_layout,
)


@pytest.fixture(scope="module")
def large_panel() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    T, M, Y, less = _draw(rng, 1, 400, 8)
    return _frame(T[0], M[0], Y[0], less)


@pytest.fixture(scope="module")
def result(large_panel) -> ModeratedMediationResult:
    return moderated_mediation(
        large_panel,
        treatment="GOV",
        mediators=MEDIATORS,
        outcome="SCA",
        moderator=ModeratorSpec(column="region", groups=GROUPS),
        effects="entity",
        n_boot=400,
        seed=5,
    )


def test_recovers_conditional_indirect_effects_and_index(result):
    """Every conditional indirect effect and index within 3.5 bootstrap SE of the truth."""
    truth = _truth()
    cond = result.conditional.set_index(["level", "mediator"])
    for level in ("east", "less_developed"):
        est = cond.loc[level].loc[[*MEDIATORS, "TOTAL"]]
        z = (est["indirect"].to_numpy() - truth[level]) / est["se"].to_numpy()
        assert np.all(np.abs(z) < 3.5), (level, z)
    index = result.index.set_index("mediator").loc[[*MEDIATORS, "TOTAL"]]
    assert (index["versus"] == "east").all() and (index["level"] == "less_developed").all()
    z = (index["estimate"].to_numpy() - truth["index"]) / index["se"].to_numpy()
    assert np.all(np.abs(z) < 3.5), z
    # the two-group difference is the index
    diff = result.differences.set_index("mediator").loc[[*MEDIATORS, "TOTAL"]]
    np.testing.assert_allclose(diff["estimate"], index["estimate"], rtol=1e-12)
    # the less-developed effect is larger for every mechanism with a, b != 0
    strong = [m for m, a, b in zip(MEDIATORS, A_EAST, B, strict=True) if a * b > 0.04]
    assert (index.loc[strong, "ci_lower"] > 0).all()


def test_point_estimates_equal_least_squares_with_dummies(large_panel, result):
    """Independent route: OLS of entity-demeaned columns (pandas groupby, numpy lstsq)."""
    d = large_panel
    less = d["region"].isin(["central", "west"]).astype(float)
    cols = pd.DataFrame(
        {"T_east": d["GOV"] * (1 - less), "T_less": d["GOV"] * less, "SCA": d["SCA"]}
    ).join(d[list(MEDIATORS)])
    within = cols - cols.groupby(d["cluster_id"]).transform("mean")
    X_med = within[["T_east", "T_less"]].to_numpy()
    cond = result.conditional.set_index(["level", "mediator"])
    mediators = within[list(MEDIATORS)].to_numpy()
    X_out = np.column_stack([X_med, mediators])
    beta = np.linalg.lstsq(X_out, within["SCA"].to_numpy(), rcond=None)[0]
    for k, m in enumerate(MEDIATORS):
        alpha = np.linalg.lstsq(X_med, mediators[:, k], rcond=None)[0]
        assert cond.loc[("east", m), "a"] == pytest.approx(alpha[0], rel=1e-9)
        assert cond.loc[("less_developed", m), "a"] == pytest.approx(alpha[1], rel=1e-9)
        assert cond.loc[("east", m), "b"] == pytest.approx(beta[2 + k], rel=1e-9)
    direct = result.direct.set_index("level")["estimate"]
    assert direct["east"] == pytest.approx(beta[0], rel=1e-9)
    assert direct["less_developed"] == pytest.approx(beta[1], rel=1e-9)


def test_replicates_are_refits_on_the_draws_of_panel_mediation(large_panel):
    """Replicate r resamples the entities replicate r of panel_mediation resamples.

    With stage "both" and one group per region the design differs, but the sample and the
    entity order are the same, so the counts are shared; each replicate equals a refit of
    the interaction model on the actually resampled panel (copies of an entity are new
    entities), computed here by lstsq.
    """
    keep = [f"C{i:03d}" for i in (*range(30), *range(200, 230))]  # 30 east, 30 less developed
    d = large_panel[large_panel["cluster_id"].isin(keep)].reset_index(drop=True)
    res = moderated_mediation(
        d,
        treatment="GOV",
        mediators=MEDIATORS[:2],
        outcome="SCA",
        moderator=ModeratorSpec(column="region", groups=GROUPS, stage="both"),
        effects="entity",
        n_boot=20,
        seed=3,
    )
    # the bootstrap of panel_mediation on the same sample (its design, its run_bootstrap)
    design = build_design(
        d,
        treatment="GOV",
        mediators=MEDIATORS[:2],
        outcome="SCA",
        entity="cluster_id",
        time="year",
        effects="entity",
    )
    xp = entity_crossproducts(design.matrix, design.entity_codes, design.n_entities)
    base = run_bootstrap(xp, p=design.n_columns, n_mediators=2, n_boot=20, seed=3, block_size=200)
    a_open = base.stats[:, statistic_names(MEDIATORS[:2]).index("a[OPEN]")]
    entities = sorted(d["cluster_id"].unique())
    assert tuple(design.entity_labels) == tuple(entities)
    counts = bootstrap_counts(3, len(entities), 0, 20)
    # panel_mediation's replicate 0 is a refit on these counts
    assert a_open[0] == pytest.approx(_refit_a(d, entities, counts[0]), rel=1e-8)
    # and the moderated analysis' replicate 0 of the east indirect effect of OPEN
    draws = _moderated_draws(d, stage="both", n_boot=20, seed=3, mediators=MEDIATORS[:2])
    refit = _refit_both(d, entities, counts[0])
    assert draws[0] == pytest.approx(refit, rel=1e-8)
    assert res.n_valid == 20


def _resample(d: pd.DataFrame, entities, counts) -> pd.DataFrame:
    parts = []
    for i, n in enumerate(counts):
        rows = d[d["cluster_id"] == entities[i]]
        for c in range(int(n)):
            parts.append(rows.assign(cluster_id=f"{entities[i]}#{c}"))
    return pd.concat(parts, ignore_index=True)


def _refit_a(d, entities, counts) -> float:
    r = _resample(d, entities, counts)
    dummies = pd.get_dummies(r["cluster_id"], dtype=float).to_numpy()
    X = np.column_stack([r["GOV"].to_numpy(), dummies])
    return float(np.linalg.lstsq(X, r["OPEN"].to_numpy(), rcond=None)[0][0])


def _refit_both(d, entities, counts) -> float:
    r = _resample(d, entities, counts)
    less = r["region"].isin(["central", "west"]).to_numpy(float)
    dummies = pd.get_dummies(r["cluster_id"], dtype=float).to_numpy()
    T = r["GOV"].to_numpy()
    a = np.linalg.lstsq(
        np.column_stack([T * (1 - less), T * less, dummies]), r["OPEN"].to_numpy(), rcond=None
    )[0][0]
    M = r[["OPEN", "COOP"]].to_numpy()
    X = np.column_stack(
        [T * (1 - less), T * less, M * (1 - less)[:, None], M * less[:, None], dummies]
    )
    beta = np.linalg.lstsq(X, r["SCA"].to_numpy(), rcond=None)[0]
    return float(a * beta[2])  # east, OPEN


def _moderated_draws(d, *, stage, n_boot, seed, mediators) -> np.ndarray:
    """Replicates of the east indirect effect of the first mediator (internal draws)."""
    from govcluster.mediation import moderated

    captured = {}
    original = moderated._bootstrap

    def spy(*args, **kwargs):
        out = original(*args, **kwargs)
        captured["draws"], captured["layout"] = out, args[2]
        return out

    moderated._bootstrap = spy
    try:
        moderated_mediation(
            d,
            treatment="GOV",
            mediators=mediators,
            outcome="SCA",
            moderator=ModeratorSpec(column="region", groups=GROUPS, stage=stage),
            effects="entity",
            n_boot=n_boot,
            seed=seed,
        )
    finally:
        moderated._bootstrap = original
    where = statistic_layout(captured["layout"])
    return captured["draws"][:, where["indirect"].start]


@pytest.mark.slow
def test_coverage_over_200_panels_is_nominal():
    """95% percentile intervals cover the truth in 0.95 +- 0.05 of 200 panels (vectorised).

    Every panel (100 clusters, 50 east and 50 less developed, 8 years) is analysed with the
    same code path as :func:`moderated_mediation` (per-entity cross-products, the bootstrap
    counts of ``draw_block_counts``, ``partial_out_nuisance`` and ``_statistics``), all
    panels in one batch, 199 replicates each.
    """
    rng = np.random.default_rng(2024)
    n_panels, n_entities, n_periods, n_boot = 200, 100, 8, 199
    T, M, Y, less = _draw(rng, n_panels, n_entities, n_periods)
    h = np.stack([~less, less], axis=1).astype(float)  # (entities, 2)
    TH = T[..., None] * h[None, :, None, :]  # (P, E, t, 2)
    G = np.concatenate(
        [TH, np.moveaxis(M, 1, -1), Y[..., None]], axis=-1
    )  # core: T*h (2), M (6), Y
    G = G - G.mean(axis=2, keepdims=True)  # entity effects
    xp = np.einsum("petj,petk->pejk", G, G)  # (P, E, p, p)
    p = G.shape[-1]
    layout = _make_layout(2, len(MEDIATORS), "first", np.ones(2), np.eye(2), False)
    counts = np.stack(  # each panel its own draws: (P, B, E)
        [draw_block_counts(seed, n_entities, 0)[:n_boot] for seed in range(n_panels)]
    ).astype(float)
    replicate = np.einsum("pbe,pejk->pbjk", counts, xp).reshape(-1, p, p)
    S, _ = partial_out_nuisance(replicate, layout.n_core)
    ref = np.diagonal(xp.sum(axis=1), axis1=1, axis2=2)
    stats = _statistics(S, layout, ref[0]).reshape(n_panels, n_boot, -1)
    full = _statistics(xp.sum(axis=1), layout, ref[0])
    where = statistic_layout(layout)
    lo = np.nanquantile(stats, 0.025, axis=1)
    hi = np.nanquantile(stats, 0.975, axis=1)
    truth = _truth()
    targets = {
        "east": (where["indirect"].start, truth["east"]),
        "less_developed": (where["indirect"].start + len(MEDIATORS) + 1, truth["less_developed"]),
        "index": (where["index"].start, truth["index"]),
    }
    rates = []
    for name, (first, values) in targets.items():
        cols = slice(first, first + len(MEDIATORS) + 1)
        covered = (lo[:, cols] <= values) & (values <= hi[:, cols])
        rate = covered.mean(axis=0)
        # 0.055 is 3.6 binomial standard errors of a rate over 200 panels; a product with a
        # zero factor (INNOV a = 0, BRAND b = 0) may only err on the safe side
        nonzero = values != 0
        assert np.all(np.abs(rate[nonzero] - 0.95) <= 0.055), (name, rate)
        assert np.all(rate[~nonzero] >= 0.895), (name, rate)
        assert np.isfinite(full[:, cols]).all()
        rates.append(rate)
    # percentile cluster-bootstrap intervals are slightly liberal with 50 clusters a group
    # (bootstrap SE about 0.97 of the Monte Carlo SD): the average rate is 0.935 here
    assert 0.925 <= np.mean(rates) <= 0.975, np.mean(rates)


def test_shared_draws_make_differences_consistent(result):
    """The estimate of a difference is the difference of the conditional estimates."""
    cond = result.conditional.set_index(["level", "mediator"])["indirect"]
    diff = result.differences.set_index("mediator")
    for m in MEDIATORS:
        assert diff.loc[m, "estimate"] == pytest.approx(
            cond[("less_developed", m)] - cond[("east", m)], rel=1e-12
        )


def test_three_regions_give_three_pairwise_differences(large_panel):
    res = moderated_mediation(
        large_panel,
        treatment="GOV",
        mediators=MEDIATORS[:2],
        outcome="SCA",
        moderator=ModeratorSpec(
            column="region", groups={"east": ["east"], "central": ["central"], "west": ["west"]}
        ),
        effects="entity",
        n_boot=50,
        seed=1,
    )
    assert res.levels == ("east", "central", "west") and res.reference == "east"
    pairs = set(zip(res.differences["level"], res.differences["versus"], strict=True))
    assert pairs == {("central", "east"), ("west", "east"), ("west", "central")}
    assert set(res.index["versus"]) == {"east"} and len(res.index) == 2 * 3


def test_continuous_moderator_slope_index(large_panel):
    """W = 1 in less-developed clusters, 0 in the east: the slope index is the group index."""
    d = large_panel.assign(W=large_panel["region"].isin(["central", "west"]).astype(float))
    common = dict(treatment="GOV", mediators=MEDIATORS[:3], outcome="SCA", effects="entity")
    cont = moderated_mediation(
        d, moderator=ModeratorSpec(column="W", values=[0.0, 1.0]), n_boot=50, seed=2, **common
    )
    cat = moderated_mediation(
        d, moderator=ModeratorSpec(column="region", groups=GROUPS), n_boot=50, seed=2, **common
    )
    np.testing.assert_allclose(
        cont.index["estimate"].to_numpy(), cat.index["estimate"].to_numpy(), rtol=1e-9
    )
    assert set(cont.index["level"]) == {"slope"}
    np.testing.assert_allclose(
        cont.conditional["indirect"].to_numpy(), cat.conditional["indirect"].to_numpy(), rtol=1e-9
    )


def test_record_round_trip(result):
    again = ModeratedMediationResult.from_dict(result.to_dict())
    pd.testing.assert_frame_equal(again.conditional, result.conditional)
    assert again.levels == result.levels and again.omitted == result.omitted
    with pytest.raises(ValueError, match="kind"):
        ModeratedMediationResult.from_dict({**result.to_dict(), "kind": "other"})


def test_errors_are_clear(large_panel):
    common = dict(
        treatment="GOV", mediators=MEDIATORS[:2], outcome="SCA", effects="entity", n_boot=20, seed=1
    )
    few = large_panel.copy()
    first = few["cluster_id"].isin(["C000", "C001", "C002", "C003"])
    few.loc[few["region"] == "east", "region"] = "central"
    few.loc[first, "region"] = "east"
    with pytest.raises(EstimationError, match="group 'east' of 'region' has 4 cluster"):
        moderated_mediation(few, moderator=ModeratorSpec(column="region", groups=GROUPS), **common)
    flat = large_panel.copy()
    east = flat["region"] == "east"
    flat.loc[east, "GOV"] = flat.loc[east, "cluster_id"].str[1:].astype(float)
    with pytest.raises(
        EstimationError, match="in moderator group 'east' of 'region' the treatment"
    ):
        moderated_mediation(flat, moderator=ModeratorSpec(column="region", groups=GROUPS), **common)
    with pytest.raises(EstimationError, match="values \\['west'\\] of moderator 'region'"):
        moderated_mediation(
            large_panel,
            moderator=ModeratorSpec(
                column="region", groups={"east": ["east"], "central": ["central"]}
            ),
            **common,
        )
    with pytest.raises(EstimationError, match="moderator column 'GDP'"):
        moderated_mediation(large_panel, moderator=ModeratorSpec(column="GDP"), **common)
    const = large_panel.assign(W=1.0)
    with pytest.raises(EstimationError, match="'W' has no variation"):
        moderated_mediation(const, moderator=ModeratorSpec(column="W", continuous=True), **common)
    with pytest.raises(EstimationError, match="stage='middle' is not an option"):
        ModeratorSpec(column="region", stage="middle")
