"""Benchmark: randomization inference of the designation, 10,000 permutations.

Run by hand (not part of the tests; nothing is asserted about time)::

    .venv/bin/python benchmarks/bench_randomization.py            # the default data
    .venv/bin/python benchmarks/bench_randomization.py --large    # 20,000 clusters x 20 years

Default: the pipeline's default analysis panel (``data/processed/analysis_panel.parquet`` of
a finished run or ``--panel PATH``, else the simulated latent panel), outcome SCA, the did
stage's sample. It
times :func:`govcluster.did.permutation.randomization_inference` with 10,000 permutations of
the adoption years (TWFE and Callaway-Sant'Anna), and, in the same process, the baseline the
closed forms replace: one refit of each estimator per permutation (the did stage's own TWFE,
and the diff-diff Callaway-Sant'Anna estimator without bootstrap), measured on a few
permutations and scaled to 10,000. The ratio of the two is the speed-up; the refits must
give the same estimates as the closed forms (checked and printed). ``--large`` times the
closed forms alone on a simulated 20,000 x 20 panel and prints peak traced memory.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from govcluster import io
from govcluster.did import DidSpec, prepare_staggered_sample
from govcluster.did.data import FIRST_TREAT, TREATED
from govcluster.did.permutation import randomization_inference, unit_strata
from govcluster.did.twfe import fit_twfe
from govcluster.inference.randomization import RandomizationSpec, draw_assignments

N_PERMUTATIONS = 10_000
BASELINE_REFITS = 5
ROOT = Path(__file__).resolve().parents[1]


def default_panel(path: Path | None = None) -> pd.DataFrame:
    """The analysis panel at ``path`` or of a finished run, else the simulated latent panel."""
    stored = path or ROOT / "data" / "processed" / "analysis_panel.parquet"
    if stored.exists():
        return io.read_parquet(stored)
    from govcluster.simulate import simulate_latent_panel

    latent = simulate_latent_panel()[0]
    return latent.assign(demo_cluster=latent["D"])


def large_panel(n_units: int = 20_000, n_years: int = 20, seed: int = 1) -> pd.DataFrame:
    """A staggered panel with four cohorts and 40% never treated."""
    rng = np.random.default_rng(seed)
    cohorts = rng.choice([0, 2008, 2010, 2012, 2014], size=n_units, p=[0.4, 0.15, 0.15, 0.15, 0.15])
    years = np.arange(2003, 2003 + n_years)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(years, n_units)
    first = cohorts[unit]
    treated = ((first > 0) & (year >= first)).astype(float)
    y = rng.normal(size=n_units)[unit] + 0.1 * (year - 2003) + 0.2 * treated
    y = y + rng.normal(size=unit.size)
    return pd.DataFrame(
        {"cluster_id": [f"U{u:05d}" for u in unit], "year": year, "demo_cluster": treated, "SCA": y}
    )


def spec_for(n_permutations: int) -> DidSpec:
    """The did stage's default sample and both estimators, ``n_permutations`` draws."""
    return DidSpec(
        outcomes=("SCA",),
        treatment="demo_cluster",
        n_bootstrap=0,
        exclude_units=("C0001",),
        event_window=(-5, 8),
        estimators=("twfe", "callaway_santanna"),
        randomization=RandomizationSpec(enabled=True, n_permutations=n_permutations),
    )


def refit_baseline(sample, spec: DidSpec, n_refits: int) -> tuple[float, np.ndarray]:
    """Seconds per permutation of refitting both estimators, and their estimates."""
    import diff_diff

    frame = sample.frame
    units = frame[spec.entity].drop_duplicates().to_numpy()
    first = frame.groupby(spec.entity, sort=False)[FIRST_TREAT].first().reindex(units)
    cohort_years, labels = np.unique(first.to_numpy(), return_inverse=True)
    strata = np.full(units.size, "all")
    draws = draw_assignments(labels, strata, n_permutations=n_refits, seed=spec.randomization.seed)
    estimates = np.empty((n_refits, 2))
    start = time.perf_counter()
    for b, assignment in enumerate(draws):
        panel = frame.copy()
        panel[spec.time] = panel[spec.time].to_numpy(int)  # numpy dtypes for the library
        panel["SCA"] = panel["SCA"].to_numpy(float)
        panel[spec.entity] = panel[spec.entity].astype(str).to_numpy(object)
        panel[FIRST_TREAT] = panel[spec.entity].map(
            dict(zip(units, cohort_years[assignment], strict=True))
        )
        onset = panel[FIRST_TREAT].to_numpy(int)
        panel[TREATED] = ((onset > 0) & (panel[spec.time].to_numpy(int) >= onset)).astype(float)
        permuted = type(sample)(frame=panel, summary=sample.summary)
        estimates[b, 0] = fit_twfe(permuted, spec, "SCA", seed=1).overall()["estimate"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = diff_diff.CallawaySantAnna(n_bootstrap=0, estimation_method="reg").fit(
                panel, outcome="SCA", unit=spec.entity, time=spec.time, first_treat=FIRST_TREAT
            )
        estimates[b, 1] = fit.overall_att
    return (time.perf_counter() - start) / n_refits, estimates


def closed_form_estimates(sample, spec: DidSpec, n: int) -> np.ndarray:
    """The first ``n`` permuted estimates of the closed forms (same draws as the baseline)."""
    from govcluster.inference.randomization import (
        callaway_santanna_unit_contributions,
        callaway_santanna_weights,
        permuted_estimates,
        twfe_unit_contributions,
    )

    frame = sample.frame
    units = frame[spec.entity].drop_duplicates().to_numpy()
    years = np.sort(frame[spec.time].unique())
    y = frame["SCA"].to_numpy().reshape(units.size, years.size)
    first = frame.groupby(spec.entity, sort=False)[FIRST_TREAT].first().reindex(units)
    cohort_years, labels = np.unique(first.to_numpy(), return_inverse=True)
    draws = draw_assignments(
        labels, np.full(units.size, "all"), n_permutations=n, seed=spec.randomization.seed
    )
    weights = callaway_santanna_weights(
        cohort_years,
        np.bincount(labels).astype(float),
        years,
        comparison="never_treated",
        anticipation=0,
    )
    return np.column_stack(
        [
            permuted_estimates(twfe_unit_contributions(y, labels, cohort_years, years), draws),
            permuted_estimates(callaway_santanna_unit_contributions(y, weights), draws),
        ]
    )


def main() -> None:
    """Time the closed forms and the refit baseline; print both and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="20,000 clusters x 20 years")
    parser.add_argument("--panel", type=Path, help="analysis panel (default: data/processed)")
    args = parser.parse_args()
    frame = large_panel() if args.large else default_panel(args.panel)
    spec = spec_for(N_PERMUTATIONS)
    sample = prepare_staggered_sample(frame, spec)
    strata = unit_strata(frame, sample, spec)
    n_units, n_years = sample.summary["n_units"], sample.summary["n_years"]
    print(f"panel: {n_units} clusters x {n_years} years, {N_PERMUTATIONS} permutations")
    if args.large:
        tracemalloc.start()
    start = time.perf_counter()
    results = randomization_inference(sample, spec, "SCA", strata)
    closed = time.perf_counter() - start
    for r in results:
        print(f"  {r.estimator:18s} observed {r.observed:+.4f}  p = {r.p_value:.4f}  sd {r.sd:.4f}")
    print(f"closed forms, both estimators: {closed:.2f} s")
    if args.large:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"peak traced memory: {peak:.0f} MiB")
        return
    per_refit, refits = refit_baseline(sample, spec, BASELINE_REFITS)
    same = closed_form_estimates(sample, spec, BASELINE_REFITS)
    gap = float(np.max(np.abs(refits - same)))
    scaled = per_refit * N_PERMUTATIONS
    print(
        f"baseline, one refit of both per permutation: {per_refit:.3f} s each "
        f"(x {N_PERMUTATIONS} = {scaled / 60:.1f} min)"
    )
    print(f"ratio baseline / closed forms: {scaled / closed:,.0f}x")
    print(f"largest |refit - closed form| over {BASELINE_REFITS} permutations: {gap:.2e}")


if __name__ == "__main__":
    main()
