"""Benchmark: time per case-study estimator and per in-space placebo run.

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/bench_casestudy.py                      # default configuration
    .venv/bin/python benchmarks/bench_casestudy.py --panel PATH --config config/config.yaml

The panel is the pipeline's analysis panel (``data/processed/analysis_panel.parquet`` by
default) and the case study the ``case_study:`` section of the configuration. Reported:
wall-clock and CPU time of the checks, the synthetic-control fit, one in-space placebo (mean
over all of them), all placebos, and each SDID-family estimate with its placebo standard
error. CPU time is the process time, so a busy machine shows as wall > CPU. Timings are
printed, not asserted.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
import yaml

from govcluster.casestudy import case_study_spec_from_config, prepare_case_study_data
from govcluster.casestudy.estimate import _fit_sc, run_in_space_placebos
from govcluster.casestudy.sdid import fit_sdid, placebo_standard_error


class Timer:
    """Wall-clock and CPU time of a block."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def main() -> None:
    """Time each step of the configured case study on the analysis panel and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--panel", default="data/processed/analysis_panel.parquet")
    parser.add_argument("--config", default="config/config.yaml")
    args = parser.parse_args()
    config = yaml.safe_load(open(args.config, encoding="utf-8"))
    panel = pd.read_parquet(args.panel)
    spec = case_study_spec_from_config(config["case_study"], seed=config["seed"])
    rows = []
    with Timer() as t:
        data = prepare_case_study_data(panel, spec)
    rows.append(("checks and matrices", t.wall, t.cpu))
    with Timer() as t:
        sc = _fit_sc(data.outcome, data.predictors, data.n_fit, spec)
    rows.append((f"synthetic control ({spec.v_method} V)", t.wall, t.cpu))
    with Timer() as t:
        placebo = run_in_space_placebos(data, spec, sc)
    n = len(placebo.units)
    rows.append((f"{n} in-space placebos", t.wall, t.cpu))
    rows.append(("one in-space placebo (mean)", t.wall / n, t.cpu / n))
    for variant in ("sdid", "sc", "did"):
        with Timer() as t:
            fit_sdid(data.outcome, n_fit=data.n_fit, variant=variant)
        rows.append((f"{variant} estimate", t.wall, t.cpu))
        with Timer() as t:
            placebo_standard_error(data.outcome, n_fit=data.n_fit, variant=variant)
        rows.append((f"{variant} placebo SE ({len(data.donor_ids)} refits)", t.wall, t.cpu))
    print(
        f"case study of {data.treated_id}, {len(data.donor_ids)} donors, "
        f"{data.n_fit} fit years, {len(data.post_years)} post years, "
        f"{len(data.predictor_names)} predictors"
    )
    print(f"{'step':<40} {'wall s':>8} {'cpu s':>8}")
    for name, wall, cpu in rows:
        print(f"{name:<40} {wall:8.3f} {cpu:8.3f}")
    total_wall = sum(w for name, w, _ in rows if "mean" not in name)
    total_cpu = sum(c for name, _, c in rows if "mean" not in name)
    print(f"{'total':<40} {total_wall:8.3f} {total_cpu:8.3f}")


if __name__ == "__main__":
    main()
