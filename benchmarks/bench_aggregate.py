"""Benchmark: firm-level microdata -> cluster-year panel (govcluster.aggregate, DuckDB).

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/bench_aggregate.py                      # both cases
    .venv/bin/python benchmarks/bench_aggregate.py --transactions 0     # firm-years only
    .venv/bin/python benchmarks/bench_aggregate.py --transactions 10000000   # a smaller second case

Case 1, 4 million firm-years: the simulated firms of the default cluster panel (240 clusters x
15 years) at ``firm_scale`` chosen to give 4 million firm-years, written as 15 Parquet files
(one per year), aggregated into the six indicators of config/config.yaml (count, sum, share,
three ratios) with the checks of the firm-year keys. Baseline, on the same files and the same
machine: pandas in memory (read all files, merge the mapping, group by cluster and year).
Target: under 10 s on 2 cores.

Case 2, 100 million transaction rows (customs-like records: firm, year, location, industry,
value), generated chunk by chunk into Parquet files in a temporary directory outside the
repository and deleted afterwards; aggregated with ``unit: transaction`` (summed to firm-years,
then count of exporting firms, total and mean exports per cluster-year) with DuckDB's memory
limit at 3 GB. Targets: under 2 minutes, peak memory under 4 GB.

Every timed step runs in a fresh process (so that its peak resident memory, ``ru_maxrss``, is
its own) and reports wall time, CPU time (user + system, which does not grow when other jobs
share the machine) and peak RSS. The load average is printed: on a shared machine the wall
times grow with it. Timings are printed, not asserted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SEED = 20240601
INDICATORS = {
    "n_firms": {"stat": "count"},
    "employment": {"stat": "sum", "column": "employees"},
    "export_share": {"stat": "ratio", "numerator": "exports", "denominator": "sales", "scale": 100},
    "foreign_firm_share": {"stat": "share", "column": "foreign_invested", "scale": 100},
    "rd_staff_share": {
        "stat": "ratio",
        "numerator": "rd_staff",
        "denominator": "employees",
        "scale": 100,
    },
    "labour_productivity": {"stat": "ratio", "numerator": "sales", "denominator": "employees"},
}
MAPPING_RULE = {"rule": "mapping", "keys": ["county_code", "industry_code"], "mapping": "map"}


def _measured(function, *args):
    """Run ``function(*args)`` in this (fresh) process; return its result and the costs."""
    start_wall, start = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    result = function(*args)
    end = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "result": result,
        "wall_s": time.perf_counter() - start_wall,
        "cpu_s": (end.ru_utime - start.ru_utime) + (end.ru_stime - start.ru_stime),
        "peak_rss_mb": end.ru_maxrss / 1024,
    }


def in_fresh_process(function, *args):
    """Run a measured step in a new process (spawned: no memory inherited)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_measured, (function, *args))


# --------------------------------------------------------------------------- data


def write_firm_files(directory: Path, n_firm_years: int) -> tuple[int, pd.DataFrame]:
    """Simulated firms (about ``n_firm_years``), one Parquet file per year; the mapping."""
    from govcluster.simulate import simulate_cluster_panel
    from govcluster.simulate_firms import simulate_firm_panel

    raw, truth = simulate_cluster_panel(seed=SEED)
    base = float(np.exp(truth.latent["ln_firms"]).round().sum())
    panel = simulate_firm_panel(
        raw,
        truth.latent,
        seed=SEED,
        typos=truth.messiness["typos"],
        firm_scale=n_firm_years / base,
    )
    for year, rows in panel.firms.groupby("year"):
        rows.to_parquet(directory / f"firms_{year}.parquet", index=False)
    panel.cluster_map.to_csv(directory / "cluster_map.csv", index=False)
    return len(panel.firms), panel.cluster_map


def write_transaction_files(
    directory: Path, firm_directory: Path, n_rows: int, chunk: int = 2_000_000
) -> int:
    """``n_rows`` transactions of the simulated firms, written chunk by chunk."""
    firms = pd.concat(
        [
            pd.read_parquet(
                path, columns=["firm_id", "year", "county_code", "industry_code", "sales"]
            )
            for path in sorted(firm_directory.glob("firms_*.parquet"))
        ],
        ignore_index=True,
    )
    rng = np.random.default_rng(SEED)
    weight = firms["sales"].to_numpy() / firms["sales"].sum()
    cumulative = np.cumsum(weight)
    written, part = 0, 0
    while written < n_rows:
        size = min(chunk, n_rows - written)
        pick = np.minimum(np.searchsorted(cumulative, rng.random(size)), len(firms) - 1)
        table = pa.table(
            {
                "firm_id": firms["firm_id"].to_numpy()[pick],
                "year": firms["year"].to_numpy()[pick].astype(np.int16),
                "county_code": firms["county_code"].to_numpy()[pick].astype(np.int32),
                "industry_code": firms["industry_code"].to_numpy()[pick].astype(np.int16),
                "hs_chapter": rng.integers(1, 98, size).astype(np.int16),
                "value_usd": np.round(rng.lognormal(9.0, 1.5, size), 2),
            }
        )
        pq.write_table(table, directory / f"transactions_{part:04d}.parquet")
        written += size
        part += 1
    return written


# --------------------------------------------------------------------------- timed steps


def duckdb_firm_years(directory: str) -> dict:
    """Case 1 with govcluster.aggregate: the firm-year files aggregated by DuckDB (2 threads)."""
    from govcluster.aggregate import aggregate_firms, build_aggregate_spec

    spec = build_aggregate_spec(
        {"assign": MAPPING_RULE, "indicators": INDICATORS, "threads": 2, "memory_limit": "3GB"}
    )
    mapping = pd.read_csv(Path(directory) / "cluster_map.csv")
    result = aggregate_firms([f"{directory}/firms_*.parquet"], spec, mapping=mapping)
    return {"panel": result.panel, "rows": result.audit.n_rows_read}


def pandas_firm_years(directory: str) -> dict:
    """Baseline: everything in memory with pandas (no key checks, no audit)."""
    files = sorted(Path(directory).glob("firms_*.parquet"))
    firms = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    mapping = pd.read_csv(Path(directory) / "cluster_map.csv")
    firms = firms.merge(mapping, on=["county_code", "industry_code"], how="left")
    grouped = firms.groupby(["cluster_id", "year"])
    sums = grouped[["employees", "sales", "exports", "rd_staff"]].sum()
    panel = pd.DataFrame(
        {
            "n_firms": grouped.size(),
            "employment": sums["employees"],
            "export_share": 100 * sums["exports"] / sums["sales"],
            "foreign_firm_share": 100 * grouped["foreign_invested"].mean(),
            "rd_staff_share": 100 * sums["rd_staff"] / sums["employees"],
            "labour_productivity": sums["sales"] / sums["employees"],
        }
    ).reset_index()
    return {"panel": panel, "rows": len(firms)}


def duckdb_transactions(directory: str, firm_directory: str, temp: str) -> dict:
    """Case 2 with govcluster.aggregate: transactions summed to firm-years, then aggregated."""
    from govcluster.aggregate import aggregate_firms, build_aggregate_spec

    spec = build_aggregate_spec(
        {
            "unit": "transaction",
            "assign": MAPPING_RULE,
            "indicators": {
                "exporting_firms": {"stat": "count"},
                "exports_usd": {"stat": "sum", "column": "value_usd"},
                "exports_per_firm_usd": {"stat": "mean", "column": "value_usd"},
            },
            "threads": 2,
            "memory_limit": "3GB",
            "temp_directory": temp,
        }
    )
    mapping = pd.read_csv(Path(firm_directory) / "cluster_map.csv")
    result = aggregate_firms([f"{directory}/transactions_*.parquet"], spec, mapping=mapping)
    return {
        "cells": len(result.panel),
        "rows": result.audit.n_rows_read,
        "firm_years": result.audit.n_firm_years,
    }


# --------------------------------------------------------------------------- report


def _line(name: str, measured: dict, target: str = "") -> str:
    return (
        f"  {name:<34} wall {measured['wall_s']:7.2f} s   cpu {measured['cpu_s']:7.2f} s   "
        f"peak RSS {measured['peak_rss_mb']:7.0f} MB   {target}"
    )


def main() -> None:
    """Write the data, time both cases in fresh processes and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--firm-years", type=int, default=4_000_000)
    parser.add_argument("--transactions", type=int, default=100_000_000)
    parser.add_argument("--tmp", default=tempfile.gettempdir(), help="where the data are written")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="govcluster_bench_aggregate_", dir=args.tmp))
    try:
        print(f"data in {root} (deleted at the end); {os.cpu_count()} cores")
        firm_dir = root / "firms"
        firm_dir.mkdir()
        start = time.perf_counter()
        n_firm_years, _ = write_firm_files(firm_dir, args.firm_years)
        print(f"wrote {n_firm_years:,} firm-years in {time.perf_counter() - start:.1f} s")

        print(
            f"\ncase 1: {n_firm_years:,} firm-years -> cluster-year panel "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
        fast = in_fresh_process(duckdb_firm_years, str(firm_dir))
        slow = in_fresh_process(pandas_firm_years, str(firm_dir))
        print(_line("govcluster.aggregate (DuckDB, 2 thr)", fast, "target < 10 s"))
        print(_line("baseline: pandas in memory", slow))
        ours = fast["result"]["panel"].set_index(["cluster_id", "year"]).sort_index()
        theirs = slow["result"]["panel"].set_index(["cluster_id", "year"]).sort_index()
        mine, base = ours[theirs.columns].to_numpy(float), theirs.to_numpy(float)
        gap = np.max(np.abs(mine - base) / np.maximum(np.abs(base), 1e-12))
        print(f"  same panel: {len(ours)} cluster-years, max relative difference {gap:.1e}")

        if args.transactions > 0:
            tx_dir = root / "transactions"
            tx_dir.mkdir()
            spill = root / "spill"
            spill.mkdir()
            start = time.perf_counter()
            n_rows = write_transaction_files(tx_dir, firm_dir, args.transactions)
            size_gb = sum(f.stat().st_size for f in tx_dir.iterdir()) / 1e9
            print(
                f"\nwrote {n_rows:,} transaction rows ({size_gb:.1f} GB of Parquet) in "
                f"{time.perf_counter() - start:.1f} s"
            )
            print(
                f"case 2: {n_rows:,} transaction rows -> cluster-year panel "
                f"(load average {os.getloadavg()[0]:.1f})"
            )
            tx = in_fresh_process(duckdb_transactions, str(tx_dir), str(firm_dir), str(spill))
            print(_line("govcluster.aggregate (DuckDB, 3 GB)", tx, "target < 120 s, < 4 GB"))
            print(
                f"  {tx['result']['rows']:,} rows -> {tx['result']['firm_years']:,} firm-years "
                f"-> {tx['result']['cells']} cluster-years"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
