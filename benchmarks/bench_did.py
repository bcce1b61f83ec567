"""Time per did estimator on the default simulated panel, and on a large synthetic panel.

    .venv/bin/python benchmarks/bench_did.py                 # default panel (240 x 15)
    .venv/bin/python benchmarks/bench_did.py --large 20000 20

Reports seconds per estimator (TWFE, Goodman-Bacon, Callaway-Sant'Anna with the configured
bootstrap, Sun-Abraham, BJS imputation, HonestDiD, Wald-DiD per unit of GOV) and the peak
resident memory of the process. No test asserts on these times.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import numpy as np
import pandas as pd

from govcluster.did import DidSpec, prepare_staggered_sample
from govcluster.did.bacon import decompose_twfe
from govcluster.did.honest import honest_sensitivity
from govcluster.did.intensity import fit_intensity_ratio
from govcluster.did.robust import fit_callaway_santanna, fit_imputation, fit_sun_abraham
from govcluster.did.twfe import fit_twfe
from govcluster.simulate import simulate_latent_panel


def large_panel(n_units: int, n_years: int, seed: int = 1) -> pd.DataFrame:
    """A staggered panel with growing effects, built directly with numpy (no simulator)."""
    rng = np.random.default_rng(seed)
    years = np.arange(2000, 2000 + n_years)
    cohorts = np.array([0, *range(2003, 2000 + n_years - 2)])
    first = rng.choice(cohorts, size=n_units)
    unit_effect = rng.standard_normal(n_units)
    t = np.tile(years, n_units)
    g = np.repeat(first, n_years)
    exposure = np.where((g > 0) & (t >= g), t - g + 1, 0)
    y = np.repeat(unit_effect, n_years) + 0.02 * (t - 2000) + 0.1 * exposure
    y = y + rng.standard_normal(n_units * n_years)
    return pd.DataFrame(
        {
            "cluster_id": np.repeat([f"U{i:06d}" for i in range(n_units)], n_years),
            "year": t,
            "demo_cluster": (exposure > 0).astype(int),
            "SCA": y,
            "GOV": 0.5 * (exposure > 0) + rng.standard_normal(n_units * n_years),
        }
    )


def run(frame: pd.DataFrame, spec: DidSpec) -> dict[str, float]:
    """Seconds taken by the sample checks and by each did estimator on ``frame``, by step."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    sample = prepare_staggered_sample(frame, spec)
    times["sample checks"] = time.perf_counter() - start
    start = time.perf_counter()
    twfe = fit_twfe(sample, spec, "SCA", seed=1)
    times["TWFE (static + event study)"] = time.perf_counter() - start
    start = time.perf_counter()
    decompose_twfe(sample, spec, "SCA", twfe_estimate=twfe.overall()["estimate"])
    times["Goodman-Bacon"] = time.perf_counter() - start
    start = time.perf_counter()
    _, event_study = fit_callaway_santanna(sample, spec, "SCA", seed=1)
    times[f"Callaway-Sant'Anna ({spec.n_bootstrap} draws)"] = time.perf_counter() - start
    start = time.perf_counter()
    fit_sun_abraham(sample, spec, "SCA", seed=1)
    times["Sun-Abraham"] = time.perf_counter() - start
    start = time.perf_counter()
    fit_imputation(sample, spec, "SCA", seed=1)
    times["BJS imputation + pre-trend test"] = time.perf_counter() - start
    start = time.perf_counter()
    honest_sensitivity(
        event_study,
        outcome="SCA",
        source="callaway_santanna",
        method="relative_magnitude",
        m_grid=spec.honest.m_grid_relative_magnitude,
        alpha=spec.alpha,
        window=spec.event_window,
    )
    times["HonestDiD (relative magnitudes, grid + breakdown)"] = time.perf_counter() - start
    if spec.intensity is not None:
        start = time.perf_counter()
        fit_intensity_ratio(sample, spec, "SCA")
        times[f"Wald-DiD per unit of {spec.intensity} (two analytic CS fits)"] = (
            time.perf_counter() - start
        )
    return times


def main() -> None:
    """Time the did estimators on the default or a large panel and print the seconds per step."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", nargs=2, type=int, metavar=("UNITS", "YEARS"))
    parser.add_argument("--bootstrap", type=int, default=999)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.large:
        frame = large_panel(*args.large)
        spec = DidSpec(n_bootstrap=args.bootstrap, event_window=(-3, 5), intensity="GOV")
        label = f"synthetic panel, {args.large[0]} units x {args.large[1]} years"
    else:
        frame, _ = simulate_latent_panel()
        frame = frame[frame["cluster_id"] != "C0001"].copy()
        frame["demo_cluster"] = frame["D"]
        spec = DidSpec(n_bootstrap=args.bootstrap, intensity="GOV")
        label = "default simulated panel (239 clusters x 15 years)"
    times = run(frame, spec)
    print(f"# {label}")
    for name, seconds in times.items():
        print(f"{name:55s} {seconds:8.2f} s")
    print(f"{'total':55s} {sum(times.values()):8.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
