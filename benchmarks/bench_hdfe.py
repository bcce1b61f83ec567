"""Firm-level fixed-effects regression: ``fit_hdfe`` beside pyfixest and linearmodels.

    .venv/bin/python benchmarks/bench_hdfe.py                   # 4 million firm-years
    .venv/bin/python benchmarks/bench_hdfe.py --rows 400000     # a quick run

Two simulated firm panels of ``--rows`` firm-years over 10 years (firm and year effects, five
regressors correlated with them, firms nested in 2,000 clusters, a cluster shock in the error):

unbalanced
    20% of the firm-years missing at random (the general path of the absorption: within
    firms, the year dummies partialled out exactly, :mod:`govcluster.core.absorb`);
balanced
    every firm in every year (the closed-form two-way demeaning);
cells (``--cells``, not run by default)
    the unbalanced panel with 300 industries and industry x year effects too (3,000 cells,
    more than the dense limit: conjugate gradients, whose iterations are reported); compared
    with pyfixest only (``firm + year + industry^year``).

Each panel is fitted three ways in one process: ``govcluster.core.hdfe.fit_hdfe``,
``pyfixest.feols("y ~ x0 + ... + x4 | firm + year", vcov={"CRV1": "cluster"})`` with its
defaults, and ``linearmodels.PanelOLS`` (entity and time effects, clustered by cluster).
``fit_hdfe`` and pyfixest are each warmed up once (pyfixest compiles its demeaner on the first
call), then called in turn ``--repeats`` times (default 3), so that both meet the same load
on a shared machine; each is timed by its shortest wall time, and its shortest process CPU
time (all threads) is printed beside it. PanelOLS, which compiles nothing, is timed once.

Accuracy: the largest relative differences of the coefficients and clustered standard errors
from pyfixest run with a demeaning tolerance of 1e-12 (and, for information, with its default
1e-8).

Absorption: the method ``fit_hdfe`` chose, its iterations and the time of the absorption
alone; for comparison the alternating projections (``method="alternating_projections"``,
tolerance 1e-10) on the same columns, with their sweeps and time per sweep.

Memory: each estimator is run once in a fresh subprocess after the data are built. Reported:
the peak of the numpy (and other Python) allocations during the call (``tracemalloc``), and
the growth of the resident set during the call (Linux: the high-water mark ``VmHWM`` reset
through ``/proc/self/clear_refs`` before the call, minus ``VmRSS`` before it). **The size of
the data** is the bytes of the arrays given to ``fit_hdfe``: the outcome and the five
regressors (float64) and the firm, year and cluster identifiers (int64), 72 bytes a row (80
with the industry x year cell of the cells panel).

No test asserts on these numbers (the machine is shared); the targets and the figures of the
earlier absorption by alternating projections are printed beside the results.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from govcluster.core.absorb import absorb_coded, group_codes
from govcluster.core.hdfe import fit_hdfe

REGRESSORS = [f"x{j}" for j in range(5)]
N_CLUSTERS = 2000
#: Figures of the earlier absorption by alternating projections (4,000,000-row unbalanced panel).
BEFORE = {"fit_hdfe": 6.35, "pyfixest": 8.06, "panelols": 20.6, "memory": 3.9}


DESIGNS = ("unbalanced", "balanced", "cells")
N_INDUSTRIES = 300
#: Sweeps after which the alternating projections of the comparison stop.
MAX_SWEEPS = 100


def simulated_firms(n_rows: int, n_years: int, seed: int, *, design: str) -> pd.DataFrame:
    """A firm-year panel of about ``n_rows`` rows with firm and year effects.

    Unbalanced and cells: 20% of the firm-years missing at random; cells adds industry x year
    effects (firm ``f`` in industry ``f mod 300``). Firms are numbered in order and nested in
    ``N_CLUSTERS`` clusters, whose shock enters the error.
    """
    balanced = design == "balanced"
    rng = np.random.default_rng(seed)
    n_firms = int(round(n_rows / n_years / (1.0 if balanced else 0.8)))
    firm = np.repeat(np.arange(n_firms, dtype=np.int64), n_years)
    year = np.tile(np.arange(2000, 2000 + n_years, dtype=np.int64), n_firms)
    if not balanced:
        keep = rng.random(firm.size) > 0.2
        firm, year = firm[keep], year[keep]
    n = firm.size
    cluster = firm * N_CLUSTERS // n_firms
    alpha = rng.normal(size=n_firms)[firm]
    gamma = rng.normal(size=n_years)[year - 2000]
    x = rng.normal(size=(n, 5)) + 0.5 * (alpha + gamma)[:, None]
    y = x @ np.array([0.5, -0.3, 0.2, 0.0, 0.1]) + alpha + gamma
    y += rng.normal(size=N_CLUSTERS)[cluster] + rng.normal(size=n)
    frame = pd.DataFrame(x, columns=REGRESSORS)
    if design == "cells":
        industry = firm % N_INDUSTRIES
        cell = rng.normal(size=(N_INDUSTRIES, n_years))[industry, year - 2000]
        frame[REGRESSORS] += 0.5 * cell[:, None]
        y = y + cell + 0.5 * cell * np.array([0.5, -0.3, 0.2, 0.0, 0.1]).sum()
        frame["industry"] = industry
        frame["cell"] = industry * n_years + (year - 2000)
    frame["y"], frame["firm"], frame["year"], frame["cluster"] = y, firm, year, cluster
    return frame


def arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The arrays given to ``fit_hdfe``: y, X (n x 5, C order), firm, year, cluster."""
    out = {
        "y": frame["y"].to_numpy(),
        "X": np.ascontiguousarray(frame[REGRESSORS].to_numpy()),
        "firm": frame["firm"].to_numpy(),
        "year": frame["year"].to_numpy(),
        "cluster": frame["cluster"].to_numpy(),
    }
    if "cell" in frame:
        out["cell"] = frame["cell"].to_numpy()
    return out


def effect_keys(data: dict[str, np.ndarray]) -> list[np.ndarray]:
    """The absorbed effects: firm and year, and the industry x year cell if there is one."""
    return [data[k] for k in ("firm", "year", "cell") if k in data]


def data_bytes(data: dict[str, np.ndarray]) -> int:
    """The size of the data: bytes of the arrays given to ``fit_hdfe``."""
    return int(sum(a.nbytes for a in data.values()))


def run_fit_hdfe(data: dict[str, np.ndarray]):
    """``fit_hdfe`` of y on the five regressors, firm and year absorbed, CRV1 by cluster."""
    return fit_hdfe(
        data["y"], data["X"], effect_keys(data), cluster=data["cluster"], names=REGRESSORS,
    )  # fmt: skip


def run_pyfixest(frame: pd.DataFrame, fixef_tol: float | None = None):
    """The same model with ``pyfixest.feols`` (its default demeaner unless ``fixef_tol``)."""
    import pyfixest as pf

    options = {} if fixef_tol is None else {"demeaner": pf.MapDemeaner(fixef_tol=fixef_tol)}
    effects = "firm + year + industry^year" if "industry" in frame else "firm + year"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(
            f"y ~ {' + '.join(REGRESSORS)} | {effects}",
            data=frame,
            vcov={"CRV1": "cluster"},
            **options,
        )


def run_panelols(frame: pd.DataFrame):
    """The same model with ``linearmodels.PanelOLS`` (entity and time effects)."""
    from linearmodels import PanelOLS

    indexed = frame.set_index(["firm", "year"])
    return PanelOLS(indexed["y"], indexed[REGRESSORS], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", clusters=indexed["cluster"]
    )


def timed(repeats: int, function, *, warm_up: bool = True):
    """Shortest wall time of ``repeats`` calls (after a warm-up call); and the last result."""
    result = function() if warm_up else None
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def timed_together(repeats: int, functions: dict) -> dict:
    """Interleaved timing: each function warmed up, then called in turn ``repeats`` times.

    On a shared machine the load changes from minute to minute; calling the estimators in
    turn exposes them to the same load. Returns name -> (shortest wall time, shortest
    process CPU time (all threads), last result).
    """
    results = {name: function() for name, function in functions.items()}
    wall = {name: [] for name in functions}
    cpu = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            results[name] = function()
            wall[name].append(time.perf_counter() - start_wall)
            cpu[name].append(time.process_time() - start_cpu)
    return {name: (min(wall[name]), min(cpu[name]), results[name]) for name in functions}


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def memory_of_one_call(estimator: str, rows: int, years: int, seed: int, design: str) -> dict:
    """In this (fresh) process: build the data, then measure one call of ``estimator``."""
    frame = simulated_firms(rows, years, seed, design=design)
    data = arrays(frame)
    if estimator == "fit_hdfe":
        del frame
        call = lambda: run_fit_hdfe(data)  # noqa: E731
    else:
        call = lambda: run_pyfixest(frame)  # noqa: E731
        import pyfixest  # noqa: F401  (imports are not part of the call)
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current resident set
    rss_before = _status_kib("VmRSS")
    tracemalloc.start()
    call()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    hwm = _status_kib("VmHWM")
    return {
        "tracemalloc_peak": peak,
        "rss_growth": (hwm - rss_before) * 1024,
        "data_bytes": data_bytes(data),
    }


def memory_in_subprocess(estimator: str, args, design: str) -> dict | None:
    """:func:`memory_of_one_call` in a fresh interpreter (None where /proc is missing)."""
    if not Path("/proc/self/clear_refs").exists():
        return None
    command = [
        sys.executable, __file__, "--memory-child", estimator, "--rows", str(args.rows),
        "--years", str(args.years), "--seed", str(args.seed), "--design-child", design,
    ]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare_panel(args, *, design: str) -> None:
    """Fit one panel three ways and print the targets beside the measurements."""
    label = design
    frame = simulated_firms(args.rows, args.years, args.seed, design=design)
    data = arrays(frame)
    size = data_bytes(data)
    print(
        f"\n== {label} panel: {len(frame):,} firm-years, {frame['firm'].nunique():,} firms, "
        f"{args.years} years, 5 regressors, {N_CLUSTERS:,} clusters; data "
        f"{size / 2**20:,.0f} MiB =="
    )
    together = timed_together(
        args.repeats, {"ours": lambda: run_fit_hdfe(data), "pf": lambda: run_pyfixest(frame)}
    )
    ours_time, ours_cpu, ours = together["ours"]
    pf_time, pf_cpu, pf_default = together["pf"]
    pf_tight = run_pyfixest(frame, fixef_tol=1e-12)
    lm_time = None
    if not args.skip_linearmodels and design != "cells":
        start_cpu = time.process_time()
        lm_time, lm = timed(1, lambda: run_panelols(frame), warm_up=False)
        lm_cpu = time.process_time() - start_cpu
        lm_coef_diff = np.max(np.abs(ours.coef / lm.params[REGRESSORS].to_numpy() - 1))

    def differences(reference) -> tuple[float, float]:
        coef = np.max(np.abs(ours.coef / reference.coef()[REGRESSORS].to_numpy() - 1))
        se = np.max(np.abs(ours.std_error / reference.se()[REGRESSORS].to_numpy() - 1))
        return float(coef), float(se)

    coef_tight, se_tight = differences(pf_tight)
    coef_default, se_default = differences(pf_default)

    codes = [group_codes(keys)[0] for keys in effect_keys(data)]
    n_levels = [int(c.max()) + 1 for c in codes]
    stacked = np.asfortranarray(np.column_stack([data["y"], data["X"]]))

    def absorb_copy(method: str):
        return absorb_coded(stacked, codes, n_levels, method=method, max_iter=MAX_SWEEPS)

    absorb_time, absorbed = timed(args.repeats, lambda: absorb_copy("auto"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # non-convergence is printed below
        ap_time, ap = timed(1, lambda: absorb_copy("alternating_projections"), warm_up=False)

    memory = {name: memory_in_subprocess(name, args, design) for name in ("fit_hdfe", "pyfixest")}

    print(f"{'estimator':<26}{'seconds':>9}{'x fit_hdfe':>12}{'CPU s':>9}{'x (CPU)':>9}")
    rows = [
        ("govcluster fit_hdfe", ours_time, ours_cpu),
        ("pyfixest feols", pf_time, pf_cpu),
    ]
    if lm_time is not None:
        rows.append(("linearmodels PanelOLS", lm_time, lm_cpu))
    for name, seconds, cpu in rows:
        print(
            f"{name:<26}{seconds:>9.2f}{seconds / ours_time:>12.1f}{cpu:>9.2f}"
            f"{cpu / ours_cpu:>9.1f}"
        )

    def ratio_of(name: str) -> str:
        m = memory.get(name)
        if m is None:
            return "n/a"
        return (
            f"{m['tracemalloc_peak'] / m['data_bytes']:.2f}x (RSS growth "
            f"{m['rss_growth'] / m['data_bytes']:.2f}x)"
        )

    before = label == "unbalanced"
    header = f"{'target':<34}{'target':>10}  {'measured':<30}"
    print(f"\n{header}{'before (main)':>14}")
    table = [
        ("coefficients vs pyfixest, rel.", "<= 1e-8", f"{coef_tight:.1e}", "-"),
        ("clustered SEs vs pyfixest, rel.", "<= 1e-8", f"{se_tight:.1e}", "-"),
        (
            "speed vs pyfixest feols",
            ">= 3x",
            f"{pf_time / ours_time:.1f}x",
            f"{BEFORE['pyfixest'] / BEFORE['fit_hdfe']:.1f}x" if before else "-",
        ),
        (
            "speed vs linearmodels PanelOLS",
            ">= 10x",
            f"{lm_time / ours_time:.1f}x" if lm_time else "skipped",
            f"{BEFORE['panelols'] / BEFORE['fit_hdfe']:.1f}x" if before else "-",
        ),
        (
            "peak memory / data (tracemalloc)",
            "< 2x",
            ratio_of("fit_hdfe"),
            f"{BEFORE['memory']:.1f}x" if before else "-",
        ),
        (
            "fit_hdfe seconds",
            "-",
            f"{ours_time:.2f}",
            f"{BEFORE['fit_hdfe']:.2f}" if before else "-",
        ),
    ]
    for name, target, measured, baseline in table:
        print(f"{name:<34}{target:>10}  {measured:<30}{baseline:>14}")
    print(
        f"(pyfixest with its default tolerance 1e-8: coefficients {coef_default:.1e}, SEs "
        f"{se_default:.1e}; pyfixest's own memory: {ratio_of('pyfixest')} the data"
        + (f"; PanelOLS coefficients vs fit_hdfe {lm_coef_diff:.1e}" if lm_time else "")
        + ")"
    )
    if absorbed.method == "within_cg":
        how = (
            f"{absorbed.iterations} conjugate-gradient iterations on the reduced system of the "
            f"smaller effects (at most {sum(n_levels) - max(n_levels):,} levels; each iteration "
            "a sparse product of that size, not a pass over the rows)"
        )
    else:
        how = "exact, no iterations"
    print(
        f"absorption in fit_hdfe: {absorbed.method}, {how}; {absorb_time:.2f} s for the six "
        f"columns; {ours.n_singletons} singletons dropped"
    )
    print(
        "alternating projections on the same columns (tolerance 1e-10"
        + ("" if ap.converged else f", NOT reached in {MAX_SWEEPS} sweeps")
        + f"): {ap.iterations} sweeps, "
        f"{ap_time:.2f} s, {ap_time / max(ap.iterations, 1) * 1e3:.0f} ms per sweep; largest "
        f"difference from the exact absorption "
        f"{np.max(np.abs(ap.values - absorbed.values)) / np.max(np.abs(absorbed.values)):.1e} "
        "(relative to the largest value)"
    )


def main() -> None:
    """Compare the estimators on the unbalanced and the balanced panel."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4_000_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--skip-linearmodels", action="store_true")
    parser.add_argument("--only", choices=DESIGNS, default=None)
    parser.add_argument("--cells", action="store_true", help="also the industry x year panel")
    parser.add_argument("--memory-child", choices=("fit_hdfe", "pyfixest"), help=argparse.SUPPRESS)
    parser.add_argument("--design-child", choices=DESIGNS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        result = memory_of_one_call(
            args.memory_child, args.rows, args.years, args.seed, args.design_child
        )
        print(json.dumps(result))
        return
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"load average at start: {load}; {os.cpu_count()} CPUs")
    designs = ("unbalanced", "balanced", "cells") if args.cells else ("unbalanced", "balanced")
    for design in designs:
        if args.only and args.only != design:
            continue
        compare_panel(args, design=design)
    print(f"\nload average at end: {os.getloadavg() if load else None}")


if __name__ == "__main__":
    main()
