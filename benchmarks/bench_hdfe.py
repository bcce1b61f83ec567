"""Firm-level fixed-effects regression: ``fit_hdfe`` beside pyfixest and linearmodels.

    .venv/bin/python benchmarks/bench_hdfe.py                  # 4 million firm-years
    .venv/bin/python benchmarks/bench_hdfe.py --firms 50000    # a quick run

One simulated unbalanced firm panel (firms over 10 years, 20% of firm-years missing, firm and
year effects, five regressors correlated with them, firms nested in 2,000 clusters) is fitted
three ways in one process: ``govcluster.core.hdfe.fit_hdfe``, ``pyfixest.feols`` (``y ~ x0 +
... + x4 | firm + year``, CRV1 by cluster, its default demeaner) and ``linearmodels.PanelOLS``
(entity and time effects, clustered by cluster). Each is timed as the best of ``--repeats``
calls after one warm-up call; the report gives the times and their ratios, the largest
relative differences of coefficients and standard errors against pyfixest, the alternating
projections' sweeps and time per sweep, and the peak memory ``fit_hdfe`` allocates
(``tracemalloc``) against the size of the data. No test asserts on these numbers.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from govcluster.core.absorb import absorb, group_codes
from govcluster.core.hdfe import fit_hdfe

REGRESSORS = [f"x{j}" for j in range(5)]


def simulated_firms(n_firms: int, n_years: int, seed: int) -> pd.DataFrame:
    """An unbalanced firm-year panel with firm and year effects and clustered shocks."""
    rng = np.random.default_rng(seed)
    firm = np.repeat(np.arange(n_firms, dtype=np.int64), n_years)
    year = np.tile(np.arange(2000, 2000 + n_years, dtype=np.int64), n_firms)
    keep = rng.random(firm.size) > 0.2
    firm, year = firm[keep], year[keep]
    n = firm.size
    cluster = firm * 2000 // n_firms
    alpha = rng.normal(size=n_firms)[firm]
    gamma = rng.normal(size=n_years)[year - 2000]
    x = rng.normal(size=(n, 5)) + 0.5 * (alpha + gamma)[:, None]
    y = x @ np.array([0.5, -0.3, 0.2, 0.0, 0.1]) + alpha + gamma
    y += rng.normal(size=2000)[cluster] + rng.normal(size=n)
    frame = pd.DataFrame(x, columns=REGRESSORS)
    frame["y"], frame["firm"], frame["year"], frame["cluster"] = y, firm, year, cluster
    return frame


def best_of(repeats: int, function):
    """Shortest wall time of ``repeats`` calls after a warm-up; and the last result."""
    result = function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    """Fit one simulated firm panel three ways and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=500_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--skip-linearmodels", action="store_true")
    args = parser.parse_args()
    import pyfixest as pf
    from linearmodels import PanelOLS

    frame = simulated_firms(args.firms, args.years, args.seed)
    y, x = frame["y"].to_numpy(), frame[REGRESSORS].to_numpy()
    firm, year, cluster = (frame[c].to_numpy() for c in ("firm", "year", "cluster"))
    data_bytes = frame[["y", *REGRESSORS, "firm", "year", "cluster"]].memory_usage().sum()
    print(f"{len(frame):,} firm-years, {args.firms:,} firms, {args.years} years, 5 regressors")

    ours_time, ours = best_of(
        args.repeats, lambda: fit_hdfe(y, x, [firm, year], cluster=cluster, names=REGRESSORS)
    )
    tracemalloc.start()
    fit_hdfe(y, x, [firm, year], cluster=cluster, names=REGRESSORS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    codes = [group_codes(firm)[0], group_codes(year)[0]]
    stacked = np.column_stack([y, x])
    sweep_time, absorbed = best_of(args.repeats, lambda: absorb(stacked, codes))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pf_time, reference = best_of(
            args.repeats,
            lambda: pf.feols(
                f"y ~ {' + '.join(REGRESSORS)} | firm + year", data=frame, vcov={"CRV1": "cluster"}
            ),
        )
    coef_diff = np.max(np.abs(ours.coef / reference.coef()[REGRESSORS].to_numpy() - 1))
    se_diff = np.max(np.abs(ours.std_error / reference.se()[REGRESSORS].to_numpy() - 1))

    rows = [
        ("govcluster fit_hdfe", ours_time, 1.0),
        ("pyfixest feols", pf_time, pf_time / ours_time),
    ]
    if not args.skip_linearmodels:
        indexed = frame.set_index(["firm", "year"])
        lm_time, _ = best_of(
            1,
            lambda: PanelOLS(
                indexed["y"], indexed[REGRESSORS], entity_effects=True, time_effects=True
            ).fit(cov_type="clustered", clusters=indexed["cluster"]),
        )
        rows.append(("linearmodels PanelOLS", lm_time, lm_time / ours_time))

    print(f"{'estimator':<24}{'seconds':>10}{'x fit_hdfe':>12}")
    for name, seconds, ratio in rows:
        print(f"{name:<24}{seconds:>10.2f}{ratio:>12.1f}")
    print(
        f"coefficients vs pyfixest: max relative difference {coef_diff:.1e}; "
        f"clustered standard errors: {se_diff:.1e}"
    )
    print(
        f"absorption: {absorbed.method}, {absorbed.iterations} sweeps, "
        f"{sweep_time / max(absorbed.iterations, 1) * 1e3:.0f} ms per sweep "
        f"({sweep_time:.2f} s of the fit); {ours.n_singletons} singletons dropped"
    )
    print(
        f"peak memory allocated by fit_hdfe: {peak / 2**20:,.0f} MiB, "
        f"{peak / data_bytes:.2f} x the data ({data_bytes / 2**20:,.0f} MiB)"
    )


if __name__ == "__main__":
    main()
