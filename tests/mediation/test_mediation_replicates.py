"""Every bootstrap replicate equals a refit on the actually resampled panel.

Draws are reproducible and do not depend on how the work is split.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS
from mediation_dgp import CONTROLS, MEDIATORS, simulate_panel

from govcluster.mediation import panel_mediation
from govcluster.mediation.bootstrap import DRAW_BLOCK, bootstrap_counts

MEDS = list(MEDIATORS[:3])
SEED = 20240601
TOL = 1e-8


def _resampled_panel(df: pd.DataFrame, counts: np.ndarray, entities: list) -> pd.DataFrame:
    """The panel of one replicate: entity i copied counts[i] times, each copy a new entity."""
    parts = []
    groups = dict(tuple(df.groupby("cluster_id", sort=True)))
    for i, ent in enumerate(entities):
        for copy in range(int(counts[i])):
            sub = groups[ent].copy()
            sub["cluster_id"] = f"{ent}#{copy}"
            parts.append(sub)
    out = pd.concat(parts, ignore_index=True)
    out["const"] = 1.0
    return out.set_index(["cluster_id", "year"])


def _refit(panel: pd.DataFrame, effects: str) -> dict[str, float]:
    """Refit every equation with linearmodels PanelOLS."""

    def fit(dep: str, regs: list[str]) -> pd.Series:
        exog = regs + list(CONTROLS) + (["const"] if effects == "none" else [])
        model = PanelOLS(
            panel[dep],
            panel[exog],
            entity_effects=effects != "none",
            time_effects=effects == "twoway",
        )
        return model.fit().params

    out: dict[str, float] = {}
    for m in MEDS:
        out[f"a[{m}]"] = fit(m, ["GOV"])["GOV"]
    out["c"] = fit("SCA", ["GOV"])["GOV"]
    par = fit("SCA", ["GOV", *MEDS])
    out["c_prime"] = par["GOV"]
    for m in MEDS:
        out[f"b[{m}]"] = par[m]
        single = fit("SCA", ["GOV", m])
        out[f"b_single[{m}]"] = single[m]
        out[f"c_prime_single[{m}]"] = single["GOV"]
    for m in MEDS:
        out[f"indirect[{m}]"] = out[f"a[{m}]"] * out[f"b[{m}]"]
    return out


@pytest.mark.parametrize("effects", ["twoway", "entity", "none"])
@pytest.mark.parametrize("drop_share", [0.0, 0.3], ids=["balanced", "unbalanced"])
def test_replicates_equal_refit_on_resampled_panel(effects: str, drop_share: float) -> None:
    df, _ = simulate_panel(11, n_entities=30, n_periods=6, n_mediators=3, drop_share=drop_share)
    n_boot = DRAW_BLOCK + 10  # two draw blocks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = panel_mediation(
            df,
            treatment="GOV",
            mediators=MEDS,
            outcome="SCA",
            controls=list(CONTROLS),
            effects=effects,
            n_boot=n_boot,
            seed=SEED,
        )
    assert res.sample.balanced is (drop_share == 0.0)
    entities = sorted(df["cluster_id"].unique())
    counts = bootstrap_counts(SEED, len(entities), 0, n_boot)
    assert (counts.sum(axis=1) == len(entities)).all()
    for r in (0, n_boot - 1):  # one replicate of each draw block
        expected = _refit(_resampled_panel(df, counts[r], entities), effects)
        got = res.boot_stats.iloc[r]
        for name, value in expected.items():
            assert got[name] == pytest.approx(value, abs=TOL, rel=TOL), (r, name)


def test_full_sample_matches_panelols_twoway_unbalanced() -> None:
    df, _ = simulate_panel(12, n_entities=40, n_periods=7, n_mediators=3, drop_share=0.25)
    res = panel_mediation(
        df,
        treatment="GOV",
        mediators=MEDS,
        outcome="SCA",
        controls=list(CONTROLS),
        n_boot=50,
        seed=SEED,
    )
    panel = df.assign(const=1.0).set_index(["cluster_id", "year"])
    expected = _refit(panel, "twoway")
    for name in ("c", "c_prime", *(f"a[{m}]" for m in MEDS), *(f"b[{m}]" for m in MEDS)):
        assert res.paths.at[name, "estimate"] == pytest.approx(expected[name], abs=TOL)


def _run(seed: int, n_boot: int, block_size: int) -> pd.DataFrame:
    df, _ = simulate_panel(21, n_entities=35, n_periods=5, n_mediators=3, drop_share=0.1)
    res = panel_mediation(
        df,
        treatment="GOV",
        mediators=MEDS,
        outcome="SCA",
        controls=list(CONTROLS),
        n_boot=n_boot,
        seed=seed,
        block_size=block_size,
    )
    return res.boot_stats


def test_same_seed_identical_draws_and_block_size_irrelevant() -> None:
    base = _run(SEED, 450, 1000)
    again = _run(SEED, 450, 1000)
    assert np.array_equal(base.to_numpy(), again.to_numpy(), equal_nan=True)
    for block_size in (1, 200, 333, 5000):
        other = _run(SEED, 450, block_size)
        assert np.array_equal(base.to_numpy(), other.to_numpy(), equal_nan=True), block_size
    # replicate r does not depend on n_boot either
    shorter = _run(SEED, 230, 1000)
    assert np.array_equal(base.to_numpy()[:230], shorter.to_numpy(), equal_nan=True)
    different = _run(SEED + 1, 450, 1000)
    assert not np.allclose(base.to_numpy(), different.to_numpy())


def test_counts_do_not_depend_on_the_requested_range() -> None:
    whole = bootstrap_counts(7, 50, 0, 3 * DRAW_BLOCK)
    pieces = np.vstack(
        [bootstrap_counts(7, 50, s, min(s + 77, 3 * DRAW_BLOCK)) for s in range(0, 600, 77)]
    )
    assert np.array_equal(whole, pieces)


_THREAD_SCRIPT = """
import hashlib, sys
sys.path.insert(0, {here!r})
from mediation_dgp import CONTROLS, MEDIATORS, simulate_panel
from govcluster.mediation import panel_mediation
df, _ = simulate_panel(5, n_entities=40, n_periods=6)
res = panel_mediation(df, treatment="GOV", mediators=list(MEDIATORS), outcome="SCA",
                      controls=list(CONTROLS), n_boot=400, seed=3)
print(hashlib.sha256(res.boot_stats.to_numpy().tobytes()).hexdigest())
"""


@pytest.mark.slow
def test_draws_do_not_depend_on_blas_threads() -> None:
    script = _THREAD_SCRIPT.format(here=str(Path(__file__).parent))
    digests = []
    for threads in ("1", "2"):
        env = {
            **os.environ,
            "OPENBLAS_NUM_THREADS": threads,
            "OMP_NUM_THREADS": threads,
            "MKL_NUM_THREADS": threads,
        }
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        digests.append(out.stdout.strip())
    assert digests[0] == digests[1]


def test_to_dict_is_json_and_carries_the_schema() -> None:
    df, _ = simulate_panel(2, n_entities=30, n_periods=5, n_mediators=3)
    res = panel_mediation(
        df,
        treatment="GOV",
        mediators=MEDS,
        outcome="SCA",
        controls=list(CONTROLS),
        n_boot=100,
        seed=1,
        instruments=["iv_fiscal_shock"],
    )
    out = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert out["schema"] == "govcluster.mediation/1"
    assert [r["mediator"] for r in out["indirect"]] == [*MEDS, "TOTAL"]
    assert out["identification"]["role"] == "primary_evidence"
    assert out["identification"]["design"] == "FE-IV"
    assert len(out["stepwise"]["decisions"]) == 2 * len(MEDS)
    assert len(out["causal"]["mediators"]) == len(MEDS)
    assert out["bootstrap"]["n_boot"] == 100
    assert {r["method"] for r in out["inference"]} == {
        "sobel",
        "aroian",
        "delta",
        "joint_significance",
        "monte_carlo",
        "percentile",
        "bca",
    }
    assert res.boot.shape == (100, len(MEDS))
    assert list(res.boot.columns) == MEDS
