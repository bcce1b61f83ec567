"""Time the firm-level case's data and panel stages on large simulated firm panels.

Usage::

    .venv/bin/python benchmarks/bench_firm_pipeline.py                  # 1M and 4M firm-years
    .venv/bin/python benchmarks/bench_firm_pipeline.py --scales 0.1     # the shipped size
    .venv/bin/python benchmarks/bench_firm_pipeline.py --profile validate --scales 0.74
    .venv/bin/python benchmarks/bench_firm_pipeline.py --skip validate    # the other steps only

For each size it draws the firm panel of ``config/cases/firms.yaml`` (``firm_scale``: 0.74
gives about 1 million firm-years, 2.97 about 4 million), writes it to a temporary directory
and runs, in this one process, what the workflow's rules call: ``ingest`` (read the Parquet
file and map its columns), ``validate`` (data-quality report and panel checks), ``clean``,
``indices`` (the analysis panel) and each ``estimate_panel`` job of the case. Every step
prints its wall time, its CPU time (user + system of this process) and the file sizes; the
load average is printed before and after, since the machine may be shared. Nothing is written
into the repository.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# As in a Snakemake job with threads: 1 (Snakemake sets these for its jobs): one BLAS thread.
# On a shared 2-core machine a second BLAS thread makes the small dense solves of the absorbed
# cells several times slower in CPU time. GOVCLUSTER_BENCH_BLAS_THREADS overrides it.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = os.environ.get("GOVCLUSTER_BENCH_BLAS_THREADS", "1")

from govcluster import io  # noqa: E402
from govcluster.clean import clean_panel  # noqa: E402
from govcluster.config import load_config  # noqa: E402
from govcluster.firm_outcomes import FirmOutcomeDesign, simulate_firm_outcome_panel  # noqa: E402
from govcluster.indices import build_analysis_panel  # noqa: E402
from govcluster.ingest import ingest_table  # noqa: E402
from govcluster.panel.plan import project_panel_jobs, run_panel_job  # noqa: E402
from govcluster.quality import data_quality_report  # noqa: E402
from govcluster.simulate import simulate_cluster_panel  # noqa: E402
from govcluster.validate import validate_panel  # noqa: E402

CASE = ROOT / "config" / "cases" / "firms.yaml"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Timer:
    """Wall and CPU seconds of a block, optionally profiled."""

    def __init__(self, name: str, *, profile: bool = False) -> None:
        self.name, self.profile = name, profile

    def __enter__(self) -> Timer:
        self.profiler = cProfile.Profile() if self.profile else None
        self.wall, self.cpu = time.perf_counter(), _cpu()
        if self.profiler:
            self.profiler.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.profiler:
            self.profiler.disable()
        self.wall = time.perf_counter() - self.wall
        self.cpu = _cpu() - self.cpu
        print(f"  {self.name:<48} wall {self.wall:8.2f} s   CPU {self.cpu:8.2f} s", flush=True)
        if self.profiler:
            pstats.Stats(self.profiler).sort_stats("cumulative").print_stats(25)


def run(scale: float, *, profile: set[str], skip: set[str], workdir: Path) -> None:
    """Draw the firm panel at ``scale`` and time every stage on it."""
    project = load_config(CASE)
    settings = project.raw["firm_panel"]
    simulate = project.simulate
    raw, truth = simulate_cluster_panel(
        n_clusters=simulate.n_clusters,
        years=(simulate.first_year, simulate.last_year),
        seed=project.seed,
    )
    with Timer("draw the firm panel (rule firm_panel)"):
        panel = simulate_firm_outcome_panel(
            raw,
            truth.latent,
            seed=project.seed,
            typos=truth.messiness["typos"],
            firm_scale=scale,
            design=FirmOutcomeDesign(**settings.get("design", {})),
        )
    path = workdir / "firm_panel.parquet"
    io.write_parquet(panel.frame, path)
    print(
        f"firm_scale {scale}: {len(panel.frame):,} firm-years, "
        f"{panel.frame['firm_id'].nunique():,} firms, file {path.stat().st_size / 2**20:.1f} MiB"
    )
    with Timer("ingest", profile="ingest" in profile):
        ingested = ingest_table(io.read_table(path, format="parquet"), project, source=str(path))
    stored = workdir / "ingested.parquet"
    io.write_parquet(ingested, stored)
    ingested = io.read_parquet(stored)
    if "validate" not in skip:
        with Timer("validate", profile="validate" in profile):
            data_quality_report(ingested, project)
            validate_panel(ingested, project, source=str(path))
    with Timer("clean", profile="clean" in profile):
        cleaned = clean_panel(ingested, project)
    with Timer("indices (analysis panel)", profile="indices" in profile):
        analysis = build_analysis_panel(cleaned.panel, project).analysis
    for name, job in project_panel_jobs(project).items():
        with Timer(f"estimate_panel {name}", profile="panel" in profile):
            record = run_panel_job(analysis, job)
        gov = {c["name"]: c for c in record["result"]["coefficients"]}["GOV"]
        print(f"    GOV {gov['estimate']:.4f} (SE {gov['std_error']:.4f}); truth 0.3")


def main() -> None:
    """Parse the arguments and run every size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.74, 2.97])
    parser.add_argument(
        "--profile", nargs="*", default=[], help="steps to profile: ingest validate clean ..."
    )
    parser.add_argument("--skip", nargs="*", default=[], help="steps to skip: validate")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as directory:
        for scale in args.scales:
            run(scale, profile=set(args.profile), skip=set(args.skip), workdir=Path(directory))
    print(f"load average after: {os.getloadavg()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak RSS of the process: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
