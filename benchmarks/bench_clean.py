"""Cleaning speed: ``clean_panel`` against the floor of parsing the same text, in one process.

    .venv/bin/python benchmarks/bench_clean.py                 # default panel (240 x 15)
    .venv/bin/python benchmarks/bench_clean.py --clusters 20000 --years 20

The raw panel of the simulator (with its injected mess) is written as the text a yearbook
file holds and ingested as the pipeline does. The baseline is the least any cleaning must do:
``pandas.to_numeric`` on every configured column of the same text. The report gives both
times, their ratio (the cost of auditing every change, normalising units, screening typos
and checking keys) and the peak resident memory. No test asserts on these times.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import pandas as pd
import yaml

from govcluster.clean import clean_panel
from govcluster.config import build_config
from govcluster.ingest import file_columns, ingest_table
from govcluster.simulate import simulate_cluster_panel

CONFIG_FILE = Path(__file__).resolve().parents[1] / "config" / "config.yaml"


def best_of(repeats: int, function) -> float:
    """Shortest wall time of ``repeats`` calls of ``function`` (seconds)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Time the cleaning of one simulated panel and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=240)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    config = build_config(yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8")))
    raw, _ = simulate_cluster_panel(
        n_clusters=args.clusters, years=(2008, 2008 + args.years - 1), seed=config.seed
    )
    text = raw.astype("string")
    ingested = ingest_table(text, config, source="simulated")
    numeric_columns = [c for c in file_columns(config).values() if c in text.columns]

    def baseline() -> None:
        for column in numeric_columns:
            pd.to_numeric(text[column].str.replace(",", "", regex=False), errors="coerce")

    floor = best_of(args.repeats, baseline)
    cleaning = best_of(args.repeats, lambda: clean_panel(ingested, config))
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"panel: {args.clusters} clusters x {args.years} years = {len(ingested):,} rows")
    print(f"baseline (to_numeric of {len(numeric_columns)} columns): {floor:.3f} s")
    print(f"clean_panel: {cleaning:.3f} s  ({cleaning / floor:.1f} x the baseline)")
    print(f"peak resident memory: {peak_gib:.2f} GiB")


if __name__ == "__main__":
    main()
