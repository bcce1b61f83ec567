"""Moderated mediation: BCa intervals against a hand computation, missing-moderator count.

Oracle of the BCa bounds: the jackknife by refitting :func:`moderated_mediation` on the panel
without each cluster in turn (not the cross-product downdate the module uses), the bootstrap
replicates of the analysis itself, and Efron's (1987) formulas written out here with scipy.
"""

from __future__ import annotations

import numpy as np
import pytest
from moderated_dgp import GROUPS, MEDIATORS, _draw, _frame
from scipy import stats

from govcluster.mediation import moderated
from govcluster.mediation.moderated import ModeratorSpec, moderated_mediation, statistic_layout

COMMON = dict(
    treatment="GOV",
    mediators=MEDIATORS[:2],
    outcome="SCA",
    effects="entity",
)


@pytest.fixture(scope="module")
def small_panel():
    rng = np.random.default_rng(21)
    T, M, Y, less = _draw(rng, 1, 24, 6)
    return _frame(T[0], M[0], Y[0], less)


def _fit_with_draws(d, **kwargs):
    """The result and the bootstrap replicates of its statistics (captured)."""
    captured = {}
    original = moderated._bootstrap

    def spy(*args, **kw):
        out = original(*args, **kw)
        captured["draws"], captured["layout"] = out, args[2]
        return out

    moderated._bootstrap = spy
    try:
        result = moderated_mediation(d, **COMMON, **kwargs)
    finally:
        moderated._bootstrap = original
    where = statistic_layout(captured["layout"])
    return result, captured["draws"][:, where["indirect"]]


def test_bca_bounds_equal_efron_with_a_refitted_jackknife(small_panel):
    spec = ModeratorSpec(column="region", groups=GROUPS)
    result, draws = _fit_with_draws(
        small_panel, moderator=spec, n_boot=399, seed=4, ci_method="bca"
    )
    cond = result.conditional
    estimate = cond["indirect"].to_numpy()
    clusters = sorted(small_panel["cluster_id"].unique())
    jackknife = np.array(
        [
            moderated_mediation(
                small_panel[small_panel["cluster_id"] != c],
                **COMMON,
                moderator=spec,
                n_boot=20,
                seed=1,
            ).conditional["indirect"]
            for c in clusters
        ]
    )
    dev = jackknife.mean(axis=0) - jackknife
    accel = (dev**3).sum(axis=0) / (6 * ((dev**2).sum(axis=0)) ** 1.5)
    z0 = stats.norm.ppf((draws < estimate).mean(axis=0) + 0.5 * (draws == estimate).mean(axis=0))
    bounds = []
    for z in stats.norm.ppf([0.025, 0.975]):
        level = stats.norm.cdf(z0 + (z0 + z) / (1 - accel * (z0 + z)))
        bounds.append([np.quantile(draws[:, j], level[j]) for j in range(draws.shape[1])])
    np.testing.assert_allclose(cond["bca_lower"], bounds[0], rtol=1e-8)
    np.testing.assert_allclose(cond["bca_upper"], bounds[1], rtol=1e-8)
    # the headline interval is the BCa one; the percentile one is kept beside it
    np.testing.assert_array_equal(cond["ci_lower"], cond["bca_lower"])
    np.testing.assert_array_equal(cond["p_value"], cond["bca_p_value"])
    np.testing.assert_allclose(cond["percentile_lower"], np.quantile(draws, 0.025, axis=0))
    assert not np.allclose(cond["bca_lower"], cond["percentile_lower"])
    for frame in (result.direct, result.differences, result.index):
        assert frame[["bca_lower", "bca_upper", "percentile_lower"]].notna().all().all()
    assert result.n_jackknife_degenerate == 0
    back = type(result).from_dict(result.to_dict())
    assert back.ci_method == "bca"
    np.testing.assert_allclose(back.conditional["bca_lower"], cond["bca_lower"])


def test_rows_with_a_missing_moderator_are_counted_and_noted(small_panel):
    from pathlib import Path

    from govcluster.config import load_config
    from govcluster.render.mediation_tables import moderated_table

    d = small_panel.copy()
    d.loc[[3, 10, 11, 40, 41, 42, 77], "region"] = None
    d.loc[90, ["region", "SCA"]] = [None, np.nan]  # missing anyway: not counted
    spec = ModeratorSpec(column="region", groups=GROUPS)
    result = moderated_mediation(d, **COMMON, moderator=spec, n_boot=50, seed=2)
    full = moderated_mediation(small_panel, **COMMON, moderator=spec, n_boot=50, seed=2)
    assert result.n_missing_moderator == 7
    assert result.n_obs == full.n_obs - 8
    assert full.n_missing_moderator == 0
    root = Path(__file__).resolve().parents[2]
    for language, text in (("en", "7 observation(s) with a missing"), ("zh", "缺失的7个观测值")):
        config = load_config(root / "config" / "config.yaml", overrides={"language": language})
        table = moderated_table(result.to_dict(), config)
        assert any(text in note for note in table.notes), table.notes
        assert not any(text in n for n in moderated_table(full.to_dict(), config).notes)
    assert {"bca_lower", "percentile_upper"} <= set(table.numbers.columns)
    assert (
        "percentile"
        in moderated_table(full.to_dict(), load_config(root / "config" / "config.yaml")).notes[0]
    )


def test_interval_method_is_checked(small_panel):
    from govcluster.errors import ConfigError, EstimationError

    with pytest.raises((ConfigError, EstimationError, ValueError), match="ci_method"):
        moderated_mediation(
            small_panel,
            **COMMON,
            moderator=ModeratorSpec(column="region", groups=GROUPS),
            n_boot=20,
            seed=1,
            ci_method="studentized",
        )
