"""Benchmark: cross-product cluster bootstrap of govcluster.mediation vs naive refitting.

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/bench_mediation_bootstrap.py            # 240 x 15, 2000 reps
    .venv/bin/python benchmarks/bench_mediation_bootstrap.py --large    # 20,000 x 20, 1000 reps

The default panel is like the pipeline's default data: 240 clusters x 15 years, six mediators,
two-way fixed effects, four controls. The fast path stores every entity's cross-products once
and computes all replicates from one matrix product per block of replicates; the naive path
builds each resampled panel (a new entity id for every copy of a cluster) and refits every
equation (K mediator equations, the total-effect equation, the parallel outcome equation and K
single-mediator outcome equations) with linearmodels PanelOLS. The naive time is measured on
the first ``--naive-reps`` replicates and scaled to all of them. The first replicates of both
paths must agree to 1e-8. Timings are printed, not asserted.

The moderated mediation (:func:`govcluster.mediation.moderated.moderated_mediation`, three
regions, first-stage and both-stage moderation) is timed on the same panel with the same
replicates: it shares the draws and the cross-product algorithm, so its cost is that of the
bootstrap above times the ratio of the design sizes.

``--large`` also reports the peak resident memory of the process (``resource.getrusage``) and
the peak of the allocations traced by ``tracemalloc`` during the analysis (target: < 4 GB).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
from linearmodels import PanelOLS

from govcluster.mediation import panel_mediation
from govcluster.mediation.bootstrap import bootstrap_counts, run_bootstrap
from govcluster.mediation.crossprod import statistic_names
from govcluster.mediation.design import build_design, entity_crossproducts
from govcluster.mediation.moderated import ModeratorSpec, moderated_mediation

MEDIATORS = ["OPEN", "COOP", "ABSORB", "INNOV", "BRAND", "SOCAP"]
CONTROLS = ["ln_employment", "ln_firms", "cluster_age", "ln_gdp_pc"]
SEED = 20240601


def simulate(n_clusters: int, n_years: int, seed: int = 1) -> pd.DataFrame:
    """A two-way FE cluster panel with six parallel mediators and four controls."""
    rng = np.random.default_rng(seed)
    n = n_clusters * n_years
    ent = np.repeat(np.arange(n_clusters), n_years)
    year = np.tile(np.arange(n_years), n_clusters)
    a = np.array([0.5, 0.4, 0.3, 0.0, 0.35, 0.25])
    b = np.array([0.4, 0.3, 0.0, 0.45, 0.25, -0.3])
    fe = rng.standard_normal(n_clusters)
    controls = np.column_stack(
        [
            rng.standard_normal(n_clusters)[ent] + 0.3 * rng.standard_normal(n),
            rng.standard_normal(n_clusters)[ent] + 0.3 * rng.standard_normal(n),
            rng.normal(12, 4, n_clusters)[ent] + 0.5 * rng.standard_normal(n),
            rng.normal(0, 0.5, n_years)[year] + 0.3 * fe[ent] + 0.2 * rng.standard_normal(n),
        ]
    )
    gov = fe[ent] + rng.normal(0, 0.5, n_years)[year] + 0.2 * controls[:, 0]
    gov += rng.standard_normal(n)
    med = gov[:, None] * a + controls @ rng.normal(0, 0.2, (4, 6))
    med += rng.standard_normal((n_clusters, 6))[ent] + rng.standard_normal((n, 6))
    sca = 0.2 * gov + med @ b + controls @ rng.normal(0, 0.2, 4) + fe[ent]
    sca += rng.standard_normal(n)
    data = pd.DataFrame({"cluster_id": ent, "year": 2000 + year, "GOV": gov, "SCA": sca})
    for j, m in enumerate(MEDIATORS):
        data[m] = med[:, j]
    for j, c in enumerate(CONTROLS):
        data[c] = controls[:, j]
    return data


def fast_bootstrap(data: pd.DataFrame, n_boot: int) -> tuple[np.ndarray, float]:
    """All statistics of all replicates from per-entity cross-products; seconds taken."""
    start = time.perf_counter()
    design = build_design(
        data,
        treatment="GOV",
        mediators=MEDIATORS,
        outcome="SCA",
        controls=CONTROLS,
        entity="cluster_id",
        time="year",
        effects="twoway",
    )
    xp = entity_crossproducts(design.matrix, design.entity_codes, design.n_entities)
    draws = run_bootstrap(
        xp,
        p=design.n_columns,
        n_mediators=len(MEDIATORS),
        n_boot=n_boot,
        seed=SEED,
        block_size=1000,
    )
    return draws.stats, time.perf_counter() - start


def naive_replicate(data: pd.DataFrame, counts: np.ndarray, entities: np.ndarray) -> dict:
    """Resample the panel and refit every equation with PanelOLS."""
    groups = dict(tuple(data.groupby("cluster_id", sort=True)))
    parts = []
    for i in np.flatnonzero(counts):
        for copy in range(int(counts[i])):
            sub = groups[entities[i]].copy()
            sub["cluster_id"] = f"{entities[i]}#{copy}"
            parts.append(sub)
    panel = pd.concat(parts, ignore_index=True).set_index(["cluster_id", "year"])

    def fit(dep: str, regs: list[str]) -> pd.Series:
        model = PanelOLS(panel[dep], panel[regs + CONTROLS], entity_effects=True, time_effects=True)
        return model.fit().params

    out = {}
    for m in MEDIATORS:
        out[f"a[{m}]"] = fit(m, ["GOV"])["GOV"]
    out["c"] = fit("SCA", ["GOV"])["GOV"]
    par = fit("SCA", ["GOV", *MEDIATORS])
    out["c_prime"] = par["GOV"]
    for m in MEDIATORS:
        out[f"b[{m}]"] = par[m]
        out[f"indirect[{m}]"] = out[f"a[{m}]"] * par[m]
        single = fit("SCA", ["GOV", m])
        out[f"b_single[{m}]"] = single[m]
        out[f"c_prime_single[{m}]"] = single["GOV"]
    return out


def main() -> None:
    """Time the fast bootstrap, the whole analysis and the naive refits, and check they agree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="20,000 clusters x 20 years")
    parser.add_argument("--n-boot", type=int, default=None)
    parser.add_argument("--naive-reps", type=int, default=None)
    args = parser.parse_args()
    n_clusters, n_years = (20_000, 20) if args.large else (240, 15)
    n_boot = args.n_boot or (1000 if args.large else 2000)
    naive_reps = args.naive_reps or (2 if args.large else 30)

    data = simulate(n_clusters, n_years)
    print(
        f"panel: {n_clusters} clusters x {n_years} years = {len(data):,} rows, "
        f"{len(MEDIATORS)} mediators, {len(CONTROLS)} controls, two-way FE"
    )
    if args.large:
        tracemalloc.start()
    stats, fast_seconds = fast_bootstrap(data, n_boot)
    print(
        f"fast bootstrap: {n_boot} replicates in {fast_seconds:.3f} s "
        f"({1e3 * fast_seconds / n_boot:.3f} ms per replicate)"
    )

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = panel_mediation(
            data,
            treatment="GOV",
            mediators=MEDIATORS,
            outcome="SCA",
            controls=CONTROLS,
            n_boot=n_boot,
            seed=SEED,
        )
    full_seconds = time.perf_counter() - start
    print(
        f"panel_mediation (design, paths, bootstrap, jackknife, all reports): {full_seconds:.3f} s"
    )
    if args.large:
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        print(
            f"peak traced allocations: {traced_peak / 2**30:.2f} GiB; "
            f"peak resident memory of the process: {rss_peak / 2**30:.2f} GiB (target < 4)"
        )
    assert np.array_equal(res.boot_stats.to_numpy(), stats, equal_nan=True)

    regions = np.array(["east", "central", "west"])[
        np.random.default_rng(2).integers(0, 3, n_clusters)
    ]
    moderated_data = data.assign(region=regions[data["cluster_id"].to_numpy()])
    for stage in ("first", "both"):
        start = time.perf_counter()
        moderated_mediation(
            moderated_data,
            treatment="GOV",
            mediators=MEDIATORS,
            outcome="SCA",
            moderator=ModeratorSpec(column="region", stage=stage),
            controls=CONTROLS,
            n_boot=n_boot,
            seed=SEED,
        )
        seconds = time.perf_counter() - start
        print(
            f"moderated_mediation (3 regions, {stage} stage, {n_boot} replicates, whole call): "
            f"{seconds:.3f} s ({seconds / fast_seconds:.1f}x the fast bootstrap above)"
        )

    entities = np.sort(data["cluster_id"].unique())
    counts = bootstrap_counts(SEED, len(entities), 0, naive_reps)
    names = statistic_names(MEDIATORS)
    col = {n: j for j, n in enumerate(names)}
    start = time.perf_counter()
    worst = 0.0
    for r in range(naive_reps):
        expected = naive_replicate(data, counts[r], entities)
        for name, value in expected.items():
            worst = max(worst, abs(stats[r, col[name]] - value))
    naive_seconds = time.perf_counter() - start
    per = naive_seconds / naive_reps
    estimate = per * n_boot
    print(
        f"naive PanelOLS refits: {naive_reps} replicates in {naive_seconds:.1f} s "
        f"({per:.3f} s per replicate, {2 * len(MEDIATORS) + 2} fits each); "
        f"scaled to {n_boot}: {estimate:.0f} s"
    )
    print(f"largest |fast - naive| over the first {naive_reps} replicates: {worst:.2e}")
    assert worst < 1e-8, worst
    print(
        f"speed-up (naive estimate / fast bootstrap): {estimate / fast_seconds:,.0f}x "
        f"(target >= 1000x); vs the whole panel_mediation call: "
        f"{estimate / full_seconds:,.0f}x"
    )


if __name__ == "__main__":
    main()
