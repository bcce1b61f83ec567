"""Benchmark: the bootstrap with re-estimated index weights against today's cluster bootstrap.

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/bench_index_bootstrap.py             # 240 x 15, 2000 reps
    .venv/bin/python benchmarks/bench_index_bootstrap.py --large     # 20,000 x 20, 1000 reps
    .venv/bin/python benchmarks/bench_index_bootstrap.py --method pca

The panel is like the pipeline's default data: eight constructs (GOV, six mechanisms, SCA) of
four raw indicators each, two-way fixed effects, one control. The baseline is the mediation
bootstrap as the pipeline runs it (:func:`govcluster.mediation.bootstrap.run_bootstrap` on the
stored per-cluster cross-products of the fixed-weight design). The new path
(:func:`govcluster.index_bootstrap.mediation_index_uncertainty`) computes the same replicates
with fixed weights and with the weights re-estimated on every replicate's clusters. Both run in
this process, one after the other; the target is a ratio of at most 20. Timings are printed,
not asserted. ``--large`` also reports the peak of the allocations traced by ``tracemalloc``.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

from govcluster.config import build_config
from govcluster.index_bootstrap import mediation_index_uncertainty
from govcluster.indices import build_analysis_panel
from govcluster.mediation.bootstrap import run_bootstrap
from govcluster.mediation.design import build_design, entity_crossproducts

CONSTRUCTS = ["GOV", "OPEN", "COOP", "ABSORB", "INNOV", "BRAND", "SOCAP", "SCA"]
PER_CONSTRUCT = 4
SEED = 20240601


def indicator_names(construct: str) -> list[str]:
    """Raw indicator columns of a construct."""
    return [f"{construct.lower()}_{k}" for k in range(PER_CONSTRUCT)]


def simulate(n_clusters: int, n_years: int, seed: int = 1) -> pd.DataFrame:
    """A cleaned panel: four noisy, positive indicators per latent construct, one control."""
    rng = np.random.default_rng(seed)
    n = n_clusters * n_years
    effect = np.repeat(rng.standard_normal(n_clusters), n_years)
    gov = effect + rng.standard_normal(n)
    latent = {"GOV": gov}
    a = [0.5, 0.4, 0.3, 0.0, 0.35, 0.25]
    for k, name in enumerate(CONSTRUCTS[1:-1]):
        latent[name] = a[k] * gov + 0.5 * effect + rng.standard_normal(n)
    latent["SCA"] = 0.3 * gov + sum(0.2 * latent[m] for m in CONSTRUCTS[1:-1])
    latent["SCA"] = latent["SCA"] + rng.standard_normal(n)
    data = {
        "cluster_id": np.repeat([f"C{i:05d}" for i in range(n_clusters)], n_years),
        "year": np.tile(np.arange(2000, 2000 + n_years), n_clusters),
        "employment": rng.integers(100, 10_000, size=n).astype(float),
    }
    for construct in CONSTRUCTS:
        for name in indicator_names(construct):
            loading = rng.uniform(0.5, 1.5)
            data[name] = 10 + loading * latent[construct] + rng.gamma(2.0, 0.5, size=n)
    return pd.DataFrame(data)


def config(method: str, n_boot: int):
    """The configuration of the benchmark panel."""
    variables = {name: {"kind": "real"} for c in CONSTRUCTS for name in indicator_names(c)}
    variables["employment"] = {"kind": "count"}
    return build_config(
        {
            "seed": SEED,
            "variables": variables,
            "constructs": {
                c: {"indicators": {name: 1 for name in indicator_names(c)}} for c in CONSTRUCTS
            },
            "controls": {"ln_employment": {"variable": "employment", "transform": "log"}},
            "roles": {"treatment": "GOV", "mediators": CONSTRUCTS[1:-1], "outcome": "SCA"},
            "indices": {"method": method, "standardize": True},
            "models": {"controls": ["ln_employment"]},
            "mediation": {"n_boot": n_boot},
        }
    )


def main() -> None:
    """Time both bootstraps and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="20,000 clusters x 20 years")
    parser.add_argument("--method", default="entropy", choices=["entropy", "pca", "zscore"])
    parser.add_argument("--reps", type=int, default=None)
    args = parser.parse_args()
    n_clusters, n_years = (20_000, 20) if args.large else (240, 15)
    n_boot = args.reps or (1000 if args.large else 2000)
    project = config(args.method, n_boot)
    cleaned = simulate(n_clusters, n_years)
    analysis = build_analysis_panel(cleaned, project).analysis
    print(
        f"panel {n_clusters:,} clusters x {n_years} years, {len(CONSTRUCTS)} constructs x "
        f"{PER_CONSTRUCT} indicators, method {args.method}, {n_boot:,} replicates"
    )

    tracemalloc.start()
    start = time.perf_counter()
    design = build_design(
        analysis,
        treatment="GOV",
        mediators=CONSTRUCTS[1:-1],
        outcome="SCA",
        controls=["ln_employment"],
        entity="cluster_id",
        time="year",
        effects="twoway",
    )
    xp = entity_crossproducts(design.matrix, design.entity_codes, design.n_entities)
    run_bootstrap(
        xp,
        p=design.n_columns,
        n_mediators=design.n_mediators,
        n_boot=n_boot,
        seed=SEED,
        block_size=1000,
    )
    baseline = time.perf_counter() - start
    _, baseline_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()

    start = time.perf_counter()
    _, summary, _ = mediation_index_uncertainty(analysis, cleaned, project, n_boot=n_boot)
    reweighted = time.perf_counter() - start
    _, reweighted_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    ratio = reweighted / baseline
    print(f"{'':44s}{'seconds':>10s}{'peak MB':>10s}")
    print(
        f"{'cluster bootstrap, fixed weights (today)':44s}{baseline:10.2f}"
        f"{baseline_peak / 2**20:10.0f}"
    )
    print(
        f"{'fixed + re-estimated weights (same draws)':44s}{reweighted:10.2f}"
        f"{reweighted_peak / 2**20:10.0f}"
    )
    print(f"ratio {ratio:.1f}x (target <= 20x): {'met' if ratio <= 20 else 'NOT met'}")
    print(f"median width ratio (re-estimated / fixed): {summary['median_width_ratio']:.3f}")


if __name__ == "__main__":
    main()
